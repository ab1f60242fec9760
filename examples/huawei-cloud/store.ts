/**
 * Huawei Cloud's group store: groups and users are looked up in the tenant of the URL.
 */
import { GROUP_SCHEMA, preconditionFailed, resourceNotFound, type ChangeSummary, type GroupChange, type PatchOptions } from 'scim-group-patch';
import type { Database, Sql } from '../shared/database.js';
import { etagOf, hashToken, ifMatchAllows } from '../shared/http.js';
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

/** The tenant's group as a GET returns it: a SCIM Group (the seed documents no GET). */
export interface GroupResource {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string;
  readonly members: readonly { readonly value: string; readonly display?: string; readonly type?: string; readonly $ref?: string }[];
  readonly meta: { readonly resourceType: 'Group'; readonly version: string };
}

/**
 * The tenant's group, members in order, and its version (the ETag a PATCH answered with), so that
 * a client can check what a 204 did.
 *
 * @throws ScimError 404 (no such group in this tenant).
 */
export function getGroup(db: Database, tenantId: string, groupId: string): Promise<GroupResource> {
  return db.transaction(async (sql) => {
    const [row] = await sql.query<LockedRow>(`SELECT id, display_name, external_id, version FROM groups WHERE id = $1 AND tenant_id = $2`, [groupId, tenantId]);
    if (row === undefined) throw resourceNotFound(groupId);
    const members = await sql.query<{ value: string; display: string | null; type: string | null; ref: string | null }>(
      `SELECT value, display, type, ref FROM memberships WHERE group_id = $1 ORDER BY position`,
      [groupId],
    );
    return {
      schemas: [GROUP_SCHEMA],
      id: row.id,
      displayName: row.display_name,
      ...(row.external_id === null ? {} : { externalId: row.external_id }),
      members: members.map((member) => ({
        value: member.value,
        ...(member.display === null ? {} : { display: member.display }),
        ...(member.type === null ? {} : { type: member.type }),
        ...(member.ref === null ? {} : { $ref: member.ref }),
      })),
      meta: { resourceType: 'Group', version: etagOf(row.version) },
    };
  });
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
