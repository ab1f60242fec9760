/**
 * Reads a PATCH body the same way on both servers, whatever the framework: the media type and its
 * charset, the content coding, the size before and after decoding, UTF-8, JSON. Every way a body
 * can be wrong is a client's mistake with its own status and a SCIM error, never a 500.
 *
 * | what is wrong | answer |
 * |---|---|
 * | no body, or an empty one | 400 `invalidSyntax` |
 * | a body without `Content-Type`, another media type, a malformed `Content-Type` | 415 |
 * | a `charset` other than UTF-8 (RFC 8259 §8.1) | 415 |
 * | a `Content-Encoding` other than identity, gzip, deflate, br | 415 |
 * | more than `limit` bytes, as sent or once decoded | 413 |
 * | bytes that are not valid gzip, deflate or br | 400 `invalidSyntax` |
 * | bytes that are not UTF-8, text that is not JSON | 400 `invalidSyntax` |
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { badRequest, payloadTooLarge, unsupportedMediaType, type ScimError } from 'scim-group-patch';
import { clip } from './text.js';

/** The largest body both servers accept by default, in bytes (before and after decoding). */
export const DEFAULT_BODY_LIMIT = 1_048_576;

/** The body media types both servers parse as JSON (RFC 7644 §3.1, §8.1). */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/scim+json', 'application/json'];

/** The content codings a body may come in (RFC 9110 §8.4.1). */
const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** Whether the request says it has a body: `Transfer-Encoding`, or a `Content-Length` above 0. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/** The 400 for a PATCH without a body. */
export function emptyBody(): ScimError {
  return badRequest('invalidSyntax', 'request body is empty: send a PatchOp JSON object as application/scim+json');
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^(${TOKEN}/${TOKEN})[ \\t]*`, 'y');
const PARAMETER = new RegExp(`;[ \\t]*(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")[ \\t]*`, 'y');
const EMPTY_PARAMETER = /;[ \t]*/y;

/** `type/subtype; name=value` (RFC 9110 §8.3.1), names and type lower-cased; undefined when malformed. */
function parseMediaType(header: string): { readonly type: string; readonly charset?: string } | undefined {
  MEDIA_TYPE.lastIndex = 0;
  const head = MEDIA_TYPE.exec(header);
  if (head?.[1] === undefined) return undefined;
  let charset: string | undefined;
  let at = MEDIA_TYPE.lastIndex;
  while (at < header.length) {
    PARAMETER.lastIndex = at;
    const parameter = PARAMETER.exec(header);
    if (parameter?.[1] !== undefined && parameter[2] !== undefined) {
      const raw = parameter[2];
      const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      if (parameter[1].toLowerCase() === 'charset') charset = value.toLowerCase();
      at = PARAMETER.lastIndex;
      continue;
    }
    EMPTY_PARAMETER.lastIndex = at;
    if (EMPTY_PARAMETER.exec(header) === null) return undefined;
    at = EMPTY_PARAMETER.lastIndex;
  }
  return { type: head[1].toLowerCase(), ...(charset === undefined ? {} : { charset }) };
}

/** 415 unless the body is JSON in UTF-8. */
function checkMediaType(header: string | undefined): void {
  const expected = `send the body as ${JSON_MEDIA_TYPES.join(' or ')}`;
  if (header === undefined) throw unsupportedMediaType(`the request has a body but no Content-Type: ${expected}`);
  const mediaType = parseMediaType(header);
  if (mediaType === undefined) throw unsupportedMediaType(`Content-Type '${clip(header)}' is malformed: ${expected}`);
  if (!JSON_MEDIA_TYPES.includes(mediaType.type)) {
    throw unsupportedMediaType(`Content-Type ${clip(mediaType.type)} is not supported: ${expected}`);
  }
  if (mediaType.charset !== undefined && mediaType.charset !== 'utf-8') {
    throw unsupportedMediaType(`charset ${clip(mediaType.charset)} is not supported: JSON is sent in UTF-8 (RFC 8259 §8.1)`);
  }
}

/** The body's content coding, lower-cased (`identity` when none); 415 for one this code cannot decode. */
function contentCoding(header: string | undefined): string {
  const coding = header?.trim().toLowerCase() || 'identity';
  if (coding !== 'identity' && !DECODERS.has(coding)) {
    throw unsupportedMediaType(`Content-Encoding '${clip(header ?? '')}' is not supported: send the body as is, or in gzip, deflate or br`);
  }
  return coding;
}

/**
 * The body's bytes, decoded. Counts the bytes as sent and as decoded, and stops at `limit` (a
 * small compressed body cannot inflate into memory). On an error the rest of the body is left
 * unread: Node discards it after the response.
 */
function collect(stream: Readable, coding: string, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const decoder = DECODERS.get(coding)?.();
    const chunks: Buffer[] = [];
    let sent = 0;
    let decoded = 0;
    let settled = false;
    const output: Readable = decoder ?? stream;

    const onSent = (chunk: Buffer): void => {
      sent += chunk.length;
      if (sent > limit) settle(payloadTooLarge());
    };
    const onData = (chunk: Buffer): void => {
      decoded += chunk.length;
      if (decoded > limit) settle(payloadTooLarge());
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle();
    const onDecodeError = (): void => settle(badRequest('invalidSyntax', `request body is not valid ${coding} data`));
    const onClose = (): void => {
      if (!stream.readableEnded) settle(badRequest('invalidSyntax', 'request body was not received in full'));
    };

    function settle(error?: ScimError): void {
      if (settled) return;
      settled = true;
      output.off('data', onData).off('end', onEnd);
      stream.off('close', onClose).off('error', onClose);
      if (decoder !== undefined) {
        stream.off('data', onSent).unpipe(decoder);
        decoder.off('error', onDecodeError).destroy();
      }
      if (error === undefined) resolve(Buffer.concat(chunks, decoded));
      else reject(error);
    }

    output.on('data', onData).on('end', onEnd);
    stream.on('close', onClose).on('error', onClose);
    if (decoder !== undefined) {
      decoder.on('error', onDecodeError);
      stream.on('data', onSent).pipe(decoder);
    }
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The checks on a body that need only the headers: media type, charset, content coding, declared
 * size. `readJsonBody` runs them first; a framework that inspects `Content-Type` itself before
 * handing the body over (Fastify) runs them earlier, so its own error never answers.
 *
 * @throws ScimError 415 or 413.
 */
export function checkBodyHeaders(headers: IncomingHttpHeaders, options: { readonly limit: number }): void {
  checkMediaType(headers['content-type']);
  contentCoding(headers['content-encoding']);
  if (Number(headers['content-length'] ?? 0) > options.limit) throw payloadTooLarge();
}

/**
 * Reads and parses a JSON request body.
 *
 * @param stream - the request (or the framework's payload stream), not read yet.
 * @param headers - the request headers.
 * @param options - `limit`: the most bytes accepted, as sent and once decoded.
 * @returns the parsed JSON value.
 * @throws ScimError 400, 413 or 415 as the table at the top of this file says.
 */
export async function readJsonBody(
  stream: Readable,
  headers: IncomingHttpHeaders,
  options: { readonly limit: number },
): Promise<unknown> {
  if (!hasBody(headers)) throw emptyBody();
  checkBodyHeaders(headers, options);
  const bytes = await collect(stream, contentCoding(headers['content-encoding']), options.limit);
  if (bytes.length === 0) throw emptyBody();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest('invalidSyntax', 'request body is not UTF-8 text');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('invalidSyntax', 'request body is not valid JSON');
  }
}
