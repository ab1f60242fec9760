/**
 * The HTTP scaffolding both servers share: the Node server under the framework, what it answers
 * before the framework sees a request (or when the framework never does: malformed HTTP,
 * `CONNECT`, `Expect`), how any error becomes a SCIM body, and listening and closing.
 *
 * The framework (Express for LightOn, Fastify for Huawei) only routes and runs the handlers; every
 * rule both servers share lives here, so the two answer a hostile request the same way.
 */
import {
  createServer,
  maxHeaderSize,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  badRequest,
  internalError,
  methodNotAllowed,
  notImplemented,
  payloadTooLarge,
  ScimError,
  unsupportedMediaType,
  type SCIMErrorResponse,
} from 'scim-group-patch';
import { clip } from './text.js';

/** The `Content-Type` of every SCIM body the servers send (RFC 7644 §3.1). */
export const SCIM_CONTENT_TYPE_HEADER = 'application/scim+json; charset=utf-8';

/** The longest request target (path and query) either server reads, in characters as sent. */
export const MAX_TARGET_LENGTH = 2048;

/** The longest path segment (an id) either server reads, in characters as sent. */
export const MAX_SEGMENT_LENGTH = 255;

/**
 * The methods the servers know (RFC 9110 §9). Any other is 501 on every path; a known method on a
 * path that does not offer it is 405.
 */
export const KNOWN_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

/** Renders an error as the server's error body (Huawei adds a `timeStamp`). */
export type RenderError = (error: ScimError) => SCIMErrorResponse;

/** A server listening on loopback. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/** The default `logError` of both servers. */
export function logToConsole(error: unknown): void {
  console.error(error);
}

/** The 404 for a path no route serves; the path is clipped, as the library clips ids. */
export function routeNotFound(method: string, url: string): ScimError {
  const path = url.split('?', 1)[0] ?? '';
  return new ScimError({ status: 404, detail: `No endpoint ${method} ${clip(path)}` });
}

/** The 405 for a known method on a path that only offers PATCH (send it with `Allow: PATCH`). */
export function onlyGetAndPatch(pattern: string): ScimError {
  return methodNotAllowed(`Only GET and PATCH are supported on ${pattern}`);
}

/** The `Allow` header of a group's 405. */
export const GROUP_METHODS = 'GET, PATCH';

/** The status a framework put on an error it raised for a client's mistake (4xx), if any. */
function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fields: { readonly status?: unknown; readonly statusCode?: unknown } = error;
  const status = fields.statusCode ?? fields.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

/** A SCIM error for a 4xx a framework raised, in the library's words where it has some. */
function frameworkClientError(status: number): ScimError {
  switch (status) {
    case 400:
      return badRequest('invalidSyntax', 'the request is malformed');
    case 413:
      return payloadTooLarge();
    case 415:
      return unsupportedMediaType();
    default:
      return new ScimError({ status, detail: STATUS_CODES[status] ?? 'Client error' });
  }
}

/**
 * Turns anything a handler or the framework threw into the `ScimError` to send: a `ScimError` as
 * it is; a framework's own 4xx (a client's mistake) with its status; anything else a 500 that
 * leaks nothing, the error going to `logError`.
 */
export function toResponseError(error: unknown, logError: (error: unknown) => void): ScimError {
  if (error instanceof ScimError) {
    if (error.status >= 500) logError(error);
    return error;
  }
  const status = clientStatusOf(error);
  if (status !== undefined) return frameworkClientError(status);
  logError(error);
  return internalError();
}

/** Writes `error` on a Node response (before or without a framework). */
export function sendScimError(res: ServerResponse, error: ScimError, renderError: RenderError): void {
  const body = JSON.stringify(renderError(error));
  res.writeHead(error.status, { 'Content-Type': SCIM_CONTENT_TYPE_HEADER, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes `error` as a whole HTTP/1.1 response on a bare socket, then closes it. */
function endSocketWith(socket: Duplex, error: ScimError, renderError: RenderError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(renderError(error));
  socket.end(
    `HTTP/1.1 ${String(error.status)} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      `Content-Type: ${SCIM_CONTENT_TYPE_HEADER}\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** What Node's parser reported about a request it could not read, as a SCIM error. */
function parserError(error: Error & { readonly code?: string }): ScimError | undefined {
  switch (error.code) {
    case 'ECONNRESET':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ScimError({ status: 408, detail: 'the request was not received in time' });
    case 'HPE_HEADER_OVERFLOW':
      return new ScimError({
        status: 431,
        detail: `the request line and headers are larger than ${String(maxHeaderSize)} bytes`,
      });
    default:
      return badRequest('invalidSyntax', 'the request is not valid HTTP/1.1');
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Checks the request line before routing and authentication, and returns the target to route:
 * percent-escaped unreserved characters decoded (RFC 3986 §6.2.2.2: `%47roups` is `Groups`), so
 * both routers see the same path.
 *
 * @throws ScimError 501 (unknown method), 414 (target or one segment too long), 400 (a
 *   malformed escape, escapes that are not UTF-8, an escaped control character such as `%00`).
 */
export function checkRequestTarget(method: string, target: string): string {
  if (!KNOWN_METHODS.includes(method)) throw notImplemented(`method ${clip(method)} is not implemented`);
  if (target.length > MAX_TARGET_LENGTH) {
    throw new ScimError({
      status: 414,
      detail: `the request target is ${String(target.length)} characters long; this server reads at most ${String(MAX_TARGET_LENGTH)}`,
    });
  }
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const longest = path.split('/').reduce((most, segment) => Math.max(most, segment.length), 0);
  if (longest > MAX_SEGMENT_LENGTH) {
    throw new ScimError({
      status: 414,
      detail: `a path segment is ${String(longest)} characters long; this server reads at most ${String(MAX_SEGMENT_LENGTH)}`,
    });
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(target)) throw badRequest('invalidSyntax', 'the URL has a malformed percent-escape (RFC 3986 §2.1)');
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    throw badRequest('invalidSyntax', 'the percent-escapes of the URL are not UTF-8');
  }
  if (hasControlCharacter(decoded)) throw badRequest('invalidSyntax', 'the URL contains an escaped control character (%00 to %1F, %7F)');
  const normalized = path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const character = String.fromCharCode(parseInt(escape.slice(1), 16));
    return UNRESERVED.test(character) ? character : escape;
  });
  return normalized + target.slice(path.length);
}

/** How to build the Node server. */
export interface ScimHttpServerOptions {
  /** The server's error body. */
  readonly renderError: RenderError;
  /** Where an unexpected error goes (none is expected here: every check throws a ScimError). */
  readonly logError: (error: unknown) => void;
  /** Sees one line per answered request: `PATCH /scim/v2/Groups/… 200 3.1 ms`. */
  readonly logRequest?: (line: string) => void;
}

/**
 * The Node HTTP server both examples run on, with `handler` (the framework) behind
 * `checkRequestTarget`. It also answers what never reaches a handler: requests Node cannot parse
 * (400, 408, 431), `CONNECT` (501) and an `Expect` other than 100-continue (417), each with a
 * SCIM body where Node would send an empty one or drop the connection.
 */
export function createScimHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: ScimHttpServerOptions,
): Server {
  const { renderError, logError, logRequest } = options;
  const server = createServer((req, res) => {
    if (logRequest !== undefined) {
      const started = performance.now();
      const line = `${clip(req.method ?? '?')} ${clip(req.url ?? '')}`;
      res.once('finish', () => logRequest(`${line} ${String(res.statusCode)} ${(performance.now() - started).toFixed(1)} ms`));
    }
    let target: string;
    try {
      target = checkRequestTarget(req.method ?? '', req.url ?? '');
    } catch (error) {
      res.setHeader('Connection', 'close');
      // 501, 414 and 400 here are the client's; anything else would be a bug, and is logged.
      sendScimError(res, error instanceof ScimError ? error : toResponseError(error, logError), renderError);
      return;
    }
    req.url = target;
    handler(req, res);
  });
  server.on('clientError', (error: Error, socket: Duplex) => {
    const scimError = parserError(error);
    if (scimError === undefined) socket.destroy();
    else endSocketWith(socket, scimError, renderError);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    endSocketWith(socket, notImplemented('CONNECT is not implemented: this server is not a proxy'), renderError);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Connection', 'close');
    const expectation = req.headers.expect ?? '';
    sendScimError(res, new ScimError({ status: 417, detail: `Expect: ${clip(expectation)} is not supported` }), renderError);
  });
  return server;
}

/** The running-server handle of a listening Node server. */
export function runningServer(server: Server, host: string, close: () => Promise<void>): RunningServer {
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${String(port)}`, close };
}

/** Listens on `host:port` (port 0: any free port); `close` ends every connection first. */
export async function listen(server: Server, port: number, host: string): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return runningServer(server, host, () => closeServer(server));
}

/** Stops listening and ends every connection, idle or not. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}
