/**
 * Helpers for the example server tests: HTTP calls with fetch, PatchOp bodies, and reading a
 * group back from PGlite in the library's `Group` shape.
 */
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
  readonly user_id: string;
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
    `SELECT user_id, display, type, ref FROM memberships WHERE group_id = $1 ORDER BY position`,
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
    value: row.user_id,
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
