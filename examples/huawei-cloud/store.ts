/**
 * Huawei Cloud's group store: groups and users are looked up in the tenant of the URL.
 */
import { preconditionFailed, resourceNotFound, type ChangeSummary, type GroupChange, type PatchOptions } from 'scim-group-patch';
import type { Database, Sql } from '../shared/database.js';
import { hashToken, ifMatchAllows } from '../shared/http.js';
import { applyGroupChangesInSql } from '../shared/sql-group-patch.js';

/** The tenant a bearer token belongs to, or undefined. */
export async function tenantOfToken(db: Database, token: string): Promise<string | undefined> {
  const [row] = await db.sql.query<{ tenant_id: string }>(`SELECT tenant_id FROM api_tokens WHERE token_sha256 = $1`, [
    hashToken(token),
  ]);
  return row?.tenant_id;
}

/** What `patchGroup` needs. */
export interface PatchGroupInput {
  readonly tenantId: string;
  readonly groupId: string;
  /** From `normalizePatchRequest(body, options)`. */
  readonly changes: readonly GroupChange[];
  readonly options: PatchOptions;
  /** The `If-Match` header, when the client sent one. */
  readonly ifMatch: string | undefined;
}

/** The group's version after the patch, and what changed. */
export interface PatchGroupResult {
  readonly version: number;
  readonly summary: ChangeSummary;
}

interface LockedRow {
  readonly id: string;
  readonly display_name: string;
  readonly external_id: string | null;
  readonly version: number;
}

/**
 * Applies the changes in one transaction: lock the tenant's group, check `If-Match`, run the
 * changes as SQL. A rename onto a name the tenant already uses fails on the unique index
 * (`DISPLAY_NAME_INDEX`), which rolls the whole request back; the executor answers 409
 * `uniqueness`.
 *
 * @throws ScimError 404, 409, 412, 400 from the changes.
 */
export async function patchGroup(db: Database, input: PatchGroupInput): Promise<PatchGroupResult> {
  return db.transaction(async (sql) => {
    const [locked] = await sql.query<LockedRow>(
      `SELECT id, display_name, external_id, version FROM groups WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
      [input.groupId, input.tenantId],
    );
    if (locked === undefined) throw resourceNotFound(input.groupId);
    if (!ifMatchAllows(input.ifMatch, locked.version)) throw preconditionFailed();
    return applyGroupChangesInSql(sql, {
      group: { id: locked.id, displayName: locked.display_name, externalId: locked.external_id, version: locked.version },
      changes: input.changes,
      options: input.options,
      scopeName: 'tenant',
      findUnknownUsers: (ids) => unknownUsers(sql, input.tenantId, ids),
    });
  });
}

async function unknownUsers(sql: Sql, tenantId: string, ids: readonly string[]): Promise<string[]> {
  const found = await sql.query<{ id: string }>(`SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::text[])`, [
    tenantId,
    ids,
  ]);
  const known = new Set(found.map((row) => row.id));
  return ids.filter((id) => !known.has(id));
}
