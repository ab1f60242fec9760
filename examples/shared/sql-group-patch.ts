/**
 * The example servers' database path: a Group's normalized `GroupChange[]` carried out as SQL on
 * two tables, without loading the group's members for adds, removes by value and renames.
 *
 *   groups      (id, display_name, external_id, last_modified, version, ...)
 *   memberships (group_id, user_id, display, type, ref, position)  PRIMARY KEY (group_id, value)
 *   sequence membership_position
 *
 * Every rule (net changes and no-op detection, the order kept when a member is removed and added
 * back, noTarget, mutability, the scan budget) and every statement are the library's
 * (`scim-group-patch/postgres`); this file only names the tables, checks new members against the
 * tenant's users, and adapts the servers' `Sql` to the executor's client. The caller runs it inside
 * one transaction, after locking the group row (`SELECT ... FOR UPDATE`).
 */
import { badRequest, type ChangeSummary, type GroupChange, type PatchOptions } from 'scim-group-patch';
import { patchGroupInTransaction } from 'scim-group-patch/postgres';
import type { Sql } from './database.js';
import { clip } from './text.js';

/**
 * The memberships table this executor works on, the same for every server that uses it: one row
 * per (group, user), and a position so that survivors keep their place and new members go last.
 * It references `groups (id)` and `users (id)`, which each server defines with its own tenancy.
 */
export const MEMBERSHIPS_SCHEMA = `
CREATE SEQUENCE membership_position;

CREATE TABLE memberships (
  group_id text NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  value    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  display  text,
  type     text,
  ref      text,
  position bigint NOT NULL DEFAULT nextval('membership_position'),
  PRIMARY KEY (group_id, value)
);
CREATE INDEX memberships_order ON memberships (group_id, position);
CREATE INDEX memberships_user ON memberships (value);
`;

/** The group row, as the caller loaded (and locked) it. */
export interface LockedGroup {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly version: number;
}

/** What `applyGroupChangesInSql` needs besides the changes. */
export interface SqlPatchInput {
  /** The locked group row. */
  readonly group: LockedGroup;
  /** The changes from `normalizePatchRequest(body, options)`. */
  readonly changes: readonly GroupChange[];
  /** The options given to `normalizePatchRequest` (externalId mutability, clock, scan limit). */
  readonly options?: PatchOptions;
  /**
   * Returns the ids among `ids` that are not users of the group's tenant or company. Called with
   * the members a change adds (bounded by the request, never by the group).
   */
  readonly findUnknownUsers: (ids: readonly string[]) => Promise<readonly string[]>;
  /** What the tenant is called in error details: `"company"`, `"tenant"`. */
  readonly scopeName: string;
}

/** What the patch did. */
export interface SqlPatchOutcome {
  /** As `applyGroupChanges` reports it: net changes against the state before the request. */
  readonly summary: ChangeSummary;
  /** The group's version after the patch (bumped by one when `summary.changed`). */
  readonly version: number;
}

/** The executor's tables, as the example servers name them. */
const TABLES = { groups: 'groups', memberships: 'memberships', positions: 'membership_position' } as const;

/**
 * Runs normalized changes against a group row the caller has locked in the current transaction,
 * with `scim-group-patch/postgres`. Throws `ScimError` (400 `noTarget`, `mutability`,
 * `invalidValue`, `tooMany`) like `applyGroupChanges`; the caller's transaction then rolls
 * everything back.
 */
export async function applyGroupChangesInSql(sql: Sql, input: SqlPatchInput): Promise<SqlPatchOutcome> {
  const client = { query: async (text: string, params?: unknown[]) => ({ rows: await sql.query(text, params) }) };
  return patchGroupInTransaction(client, {
    groupId: input.group.id,
    changes: input.changes,
    tables: TABLES,
    // The caller locked the row and checked the tenant and If-Match.
    locked: input.group,
    describeConflict: (displayName) => `displayName '${clip(displayName)}' is already used by another group of this ${input.scopeName}`,
    options: {
      ...input.options,
      // Members must be users of the group's tenant or company: 400 invalidValue naming the others.
      checkNewMembers: async (members, operationIndex) => {
        const unknown = await input.findUnknownUsers(members.map((member) => member.value));
        if (unknown.length === 0) return;
        const shown = unknown.slice(0, 10).map((id) => `'${clip(id)}'`).join(', ');
        const more = unknown.length > 10 ? ` and ${String(unknown.length - 10)} more` : '';
        throw badRequest(
          'invalidValue',
          `Operations[${String(operationIndex)}].value: ${shown}${more} ${unknown.length === 1 ? 'is not a user' : 'are not users'} of this ${input.scopeName}`,
        );
      },
    },
  });
}
