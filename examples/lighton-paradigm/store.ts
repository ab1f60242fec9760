/**
 * LightOn Paradigm's group store: every query is filtered by company, so another company's group
 * is not found, exactly like a missing one.
 */
import {
  GROUP_SCHEMA,
  preconditionFailed,
  resourceNotFound,
  type ChangeSummary,
  type GroupChange,
  type PatchOptions,
} from 'scim-group-patch';
import type { Database, Sql } from '../shared/database.js';
import { etagOf, hashToken, ifMatchAllows } from '../shared/http.js';
import { applyGroupChangesInSql } from '../shared/sql-group-patch.js';

/** A member as Paradigm returns it (`SCIMGroupMemberResponse`: value and display, both required). */
export interface MemberResponse {
  readonly value: string;
  readonly display: string;
}

/** Paradigm's `SCIMGroupCreateResponse`, with `meta.version` (the ETag) added. */
export interface GroupResponse {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly externalId?: string;
  readonly meta: {
    readonly resourceType: 'Group';
    readonly created: string;
    readonly lastModified: string;
    readonly version: string;
  };
  readonly displayName: string;
  readonly members?: readonly MemberResponse[];
}

/** The company a bearer token belongs to, or undefined. */
export async function companyOfToken(db: Database, token: string): Promise<string | undefined> {
  const [row] = await db.sql.query<{ company_id: string }>(
    `SELECT company_id FROM api_tokens WHERE token_sha256 = $1`,
    [hashToken(token)],
  );
  return row?.company_id;
}

/** What `patchGroup` needs. */
export interface PatchGroupInput {
  readonly companyId: string;
  readonly groupId: string;
  /** From `normalizePatchRequest(body, options)`. */
  readonly changes: readonly GroupChange[];
  readonly options: PatchOptions;
  /** The `If-Match` header, when the client sent one. */
  readonly ifMatch: string | undefined;
  /** Whether the response lists the members (`excludedAttributes=members` says no). */
  readonly includeMembers: boolean;
}

/** The patched group as the response shows it, and what changed. */
export interface PatchGroupResult {
  readonly group: GroupResponse;
  readonly version: number;
  readonly summary: ChangeSummary;
}

interface GroupRow {
  readonly id: string;
  readonly display_name: string;
  readonly external_id: string | null;
  readonly created: Date;
  readonly last_modified: Date;
  readonly version: number;
}

/**
 * Applies the changes in one transaction: lock the company's group, check `If-Match`, run the
 * changes as SQL, read the result back.
 *
 * @throws ScimError 404 (no such group in this company), 412, 400 from the changes.
 */
export function patchGroup(db: Database, input: PatchGroupInput): Promise<PatchGroupResult> {
  return db.transaction(async (sql) => {
    const [locked] = await sql.query<GroupRow>(
      `SELECT id, display_name, external_id, created, last_modified, version
         FROM groups WHERE id = $1 AND company_id = $2 FOR UPDATE`,
      [input.groupId, input.companyId],
    );
    if (locked === undefined) throw resourceNotFound(input.groupId);
    if (!ifMatchAllows(input.ifMatch, locked.version)) throw preconditionFailed();

    const { summary, version } = await applyGroupChangesInSql(sql, {
      group: { id: locked.id, displayName: locked.display_name, externalId: locked.external_id, version: locked.version },
      changes: input.changes,
      options: input.options,
      scopeName: 'company',
      findUnknownUsers: (ids) => unknownUsers(sql, input.companyId, ids),
    });
    const group = await readGroup(sql, locked.id, input.includeMembers);
    return { group, version, summary };
  });
}

async function unknownUsers(sql: Sql, companyId: string, ids: readonly string[]): Promise<string[]> {
  const found = await sql.query<{ id: string }>(`SELECT id FROM users WHERE company_id = $1 AND id = ANY($2::text[])`, [
    companyId,
    ids,
  ]);
  const known = new Set(found.map((row) => row.id));
  return ids.filter((id) => !known.has(id));
}

/**
 * The company's group as a GET returns it (the response of a PATCH, without a change), so that a
 * client can check what a PATCH did.
 *
 * @throws ScimError 404 (no such group in this company).
 */
export function getGroup(db: Database, input: { readonly companyId: string; readonly groupId: string; readonly includeMembers: boolean }): Promise<GroupResponse> {
  return db.transaction(async (sql) => {
    const [row] = await sql.query<{ id: string }>(`SELECT id FROM groups WHERE id = $1 AND company_id = $2`, [input.groupId, input.companyId]);
    if (row === undefined) throw resourceNotFound(input.groupId);
    return readGroup(sql, row.id, input.includeMembers);
  });
}

/**
 * The group as Paradigm returns it. A member's `display` is what the client sent, else the user's
 * name: the response schema requires one.
 */
async function readGroup(sql: Sql, groupId: string, includeMembers: boolean): Promise<GroupResponse> {
  const [row] = await sql.query<GroupRow>(
    `SELECT id, display_name, external_id, created, last_modified, version FROM groups WHERE id = $1`,
    [groupId],
  );
  if (row === undefined) throw new Error(`group ${groupId} vanished inside its transaction`);
  const members = includeMembers
    ? await sql.query<MemberResponse>(
        `SELECT m.value, COALESCE(m.display, u.display_name) AS display
           FROM memberships AS m JOIN users AS u ON u.id = m.value
          WHERE m.group_id = $1 ORDER BY m.position`,
        [groupId],
      )
    : undefined;
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    meta: {
      resourceType: 'Group',
      created: row.created.toISOString(),
      lastModified: row.last_modified.toISOString(),
      version: etagOf(row.version),
    },
    displayName: row.display_name,
    ...(members === undefined ? {} : { members }),
  };
}
