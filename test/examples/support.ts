/**
 * Helpers for the example server tests: HTTP calls with fetch or on a raw socket, PatchOp bodies,
 * and reading a group back from PGlite in the library's `Group` shape.
 */
import { connect } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PATCH_OP_SCHEMA, type Group, type GroupMember } from 'scim-group-patch';

/** A PatchOp body with the given operations. */
export function patchOp(...operations: readonly object[]): { schemas: string[]; Operations: readonly object[] } {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/** What a test needs of a response. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; undefined when it is empty. */
  readonly json: unknown;
}

/** One HTTP request: `body` is sent as JSON (or as is when it is a string). */
export async function call(
  url: string,
  init: {
    readonly method?: string;
    readonly token?: string;
    readonly body?: unknown;
    readonly contentType?: string;
    readonly headers?: Readonly<Record<string, string>>;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] = init.contentType ?? 'application/scim+json';
  }
  const response = await fetch(url, { method: init.method ?? 'PATCH', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

interface GroupRow {
  readonly id: string;
  readonly display_name: string;
  readonly external_id: string | null;
  readonly version: number;
  readonly last_modified: Date;
}

interface MemberRow {
  readonly value: string;
  readonly display: string | null;
  readonly type: string | null;
  readonly ref: string | null;
}

/** The stored group, members in list order, as the library's `Group` (plus version and lastModified). */
export async function loadGroup(
  pg: PGlite,
  groupId: string,
): Promise<Group & { readonly version: number; readonly lastModified: string }> {
  const { rows } = await pg.query<GroupRow>(
    `SELECT id, display_name, external_id, version, last_modified FROM groups WHERE id = $1`,
    [groupId],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`no group ${groupId}`);
  const members = await pg.query<MemberRow>(
    `SELECT value, display, type, ref FROM memberships WHERE group_id = $1 ORDER BY position`,
    [groupId],
  );
  return {
    id: row.id,
    displayName: row.display_name,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    members: members.rows.map(toMember),
    version: row.version,
    lastModified: row.last_modified.toISOString(),
  };
}

function toMember(row: MemberRow): GroupMember {
  return {
    value: row.value,
    ...(row.display === null ? {} : { display: row.display }),
    ...(row.type === null ? {} : { type: row.type }),
    ...(row.ref === null ? {} : { $ref: row.ref }),
  };
}

/** Member values in list order. */
export function valuesOf(group: Group): string[] {
  return (group.members ?? []).map((member) => member.value);
}

/** Counts statements and the rows they returned (a `QueryObserver`). */
export class QueryCounter {
  queries = 0;
  rows = 0;
  readonly statements: { readonly text: string; readonly rows: number }[] = [];
  private active = false;

  readonly observe = (event: { readonly text: string; readonly rows: number }): void => {
    if (!this.active) return;
    this.queries++;
    this.rows += event.rows;
    this.statements.push(event);
  };

  /** Counts only what happens inside `work`. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.queries = 0;
    this.rows = 0;
    this.statements.length = 0;
    this.active = true;
    try {
      return await work();
    } finally {
      this.active = false;
    }
  }
}

/** The ETag header's version number (`W/"7"` → 7). */
export function versionOf(etag: string | null): number {
  const match = /^W\/"(\d+)"$/.exec(etag ?? '');
  if (match?.[1] === undefined) throw new Error(`not a version ETag: ${String(etag)}`);
  return Number(match[1]);
}

/** A response read off a raw socket. */
export interface RawReply {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** What `rawRequest` sends: the request line and headers as given, then the body. */
export interface RawRequestInit {
  readonly method?: string;
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | undefined;
  /** Leave `Content-Length` out (for chunked bodies, or to send none). */
  readonly noContentLength?: boolean;
}

/** The bytes of an HTTP/1.1 request with `Connection: close`, exactly as given (no escaping, no checks). */
export function requestBytes(init: RawRequestInit): Buffer {
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  let head = `${init.method ?? 'PATCH'} ${init.target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  for (const [name, value] of Object.entries(init.headers ?? {})) head += `${name}: ${value}\r\n`;
  if (body !== undefined && init.noContentLength !== true) head += `Content-Length: ${String(body.length)}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses one HTTP/1.1 response (`Content-Length`, chunked, or up to the end of the connection). */
export function parseResponse(bytes: Buffer): RawReply {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`no HTTP response: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`not a status line: ${statusLine}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = bytes.subarray(headEnd + 4);
  if (headers.get('transfer-encoding') === 'chunked') body = dechunk(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status: Number(status), headers, body: body.toString('utf8') };
}

/**
 * Sends `bytes` on a new connection to `url`'s host and port and reads until the server closes
 * it (the requests say `Connection: close`). For what `fetch` refuses to send: malformed HTTP,
 * bad escapes, `CONNECT`, odd headers.
 */
export function rawRequest(url: string, bytes: Buffer | string): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the request is still being written (an early error): read what came.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
