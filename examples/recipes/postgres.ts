/**
 * PostgreSQL with `scim-group-patch/postgres` and node-postgres: Groups keep their members in a
 * table (a PATCH never loads them), Users are one `jsonb` document each. Each PATCH is one
 * transaction that locks its row and checks `If-Match` (`W/"3"`) under the lock.
 */
import type pg from 'pg';
import { ENTERPRISE_USER_SCHEMA_DEFINITION, normalizePatchRequest, USER_SCHEMA_DEFINITION } from 'scim-group-patch';
import {
  inTransaction,
  patchDocumentInTransaction,
  patchGroup,
  postgresSchema,
  type PostgresDocumentResult,
  type PostgresPatchResult,
  type Queryable,
} from 'scim-group-patch/postgres';

/** The tables: the executor's groups and memberships, and a documents table for Users. */
export async function createTables(pool: pg.Pool): Promise<void> {
  await pool.query(postgresSchema());
  await pool.query('CREATE TABLE scim_users (id text PRIMARY KEY, resource jsonb NOT NULL, version bigint NOT NULL DEFAULT 1)');
}

/** `If-Match: W/"3"` → `{ ifMatch: 3 }`; no header (or `*`) → no precondition. */
function precondition(ifMatch: string | undefined): { ifMatch?: number } {
  const version = /^(?:W\/)?"(\d+)"$/.exec(ifMatch?.trim() ?? '')?.[1];
  return version === undefined ? {} : { ifMatch: Number(version) };
}

/** `PATCH /Groups/{id}`: answer 204 with `ETag: W/"<version>"`, or `error.toResponse()`. */
export function patchGroupRequest(pool: pg.Pool, id: string, body: unknown, ifMatch?: string): Promise<PostgresPatchResult> {
  return patchGroup(pool, { groupId: id, changes: normalizePatchRequest(body), ...precondition(ifMatch) });
}

/** `PATCH /Users/{id}`: the patched user (200), Entra's and Okta's shapes included. */
export function patchUserRequest(pool: pg.Pool, id: string, body: unknown, ifMatch?: string): Promise<PostgresDocumentResult> {
  return inTransaction(pool, (client) =>
    patchDocumentInTransaction(client, {
      table: 'scim_users',
      id,
      request: body,
      options: { schema: USER_SCHEMA_DEFINITION, extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION] },
      ...precondition(ifMatch),
    }),
  );
}

/** postgres.js: `sql.unsafe(text, params)` resolves to the rows; the executor wants `{ rows }`. */
export function fromPostgresJs(sql: { unsafe(text: string, params?: unknown[]): Promise<readonly unknown[]> }): Queryable {
  return { query: async (text, params) => ({ rows: await sql.unsafe(text, params) }) };
}
