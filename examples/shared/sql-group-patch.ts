/**
 * The example servers' database path: a Group's normalized `GroupChange[]` carried out as SQL on
 * two tables, without loading the group's members for adds, removes by value and renames.
 *
 *   groups      (id, display_name, external_id, last_modified, version, ...)
 *   memberships (group_id, user_id, display, type, ref, position)  PRIMARY KEY (group_id, user_id)
 *   sequence membership_position
 *
 * Every rule (net changes and no-op detection, the order kept when a member is removed and added
 * back, noTarget, mutability, the scan budget) is the library's: `applyGroupChangesToStore`
 * decides, and `SqlMemberStore` below only answers its questions and carries out its writes with
 * one statement each. The caller runs it inside one transaction, after locking the group row
 * (`SELECT ... FOR UPDATE`).
 */
import { applyGroupChangesToStore, badRequest, type ChangeSummary, type GroupChange, type MemberStore, type PatchOptions, type StoredMember } from 'scim-group-patch';
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
  user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  display  text,
  type     text,
  ref      text,
  position bigint NOT NULL DEFAULT nextval('membership_position'),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_order ON memberships (group_id, position);
CREATE INDEX memberships_user ON memberships (user_id);
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

/** A membership row as the statements below return it. */
interface MemberRow {
  readonly user_id: string;
  readonly display: string | null;
  readonly type: string | null;
  readonly ref: string | null;
  readonly position: number | string;
}

const RETURNED = 'user_id, display, type, ref, position';

function toStored(row: MemberRow): StoredMember {
  return {
    value: row.user_id,
    ...(row.display === null ? {} : { display: row.display }),
    ...(row.type === null ? {} : { type: row.type }),
    ...(row.ref === null ? {} : { $ref: row.ref }),
    position: Number(row.position),
  };
}

/** One group's memberships, one statement per question or write. */
class SqlMemberStore implements MemberStore {
  constructor(
    private readonly sql: Sql,
    private readonly groupId: string,
  ) {}

  private async rows(text: string, params: readonly unknown[]): Promise<StoredMember[]> {
    return (await this.sql.query<MemberRow>(text, params)).map(toStored);
  }

  membersByValue(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(`SELECT ${RETURNED} FROM memberships WHERE group_id = $1 AND user_id = ANY($2::text[])`, [this.groupId, values]);
  }

  scanMembers(limit: number): Promise<StoredMember[]> {
    return this.rows(`SELECT ${RETURNED} FROM memberships WHERE group_id = $1 ORDER BY position LIMIT $2`, [this.groupId, limit]);
  }

  insertMembers(members: readonly StoredMember[], onConflict: 'keep' | 'overwrite'): Promise<StoredMember[]> {
    if (members.length === 0) return Promise.resolve([]);
    const conflict =
      onConflict === 'keep'
        ? 'DO NOTHING'
        : `DO UPDATE SET display = EXCLUDED.display, type = EXCLUDED.type, ref = EXCLUDED.ref
           WHERE (memberships.display, memberships.type, memberships.ref)
             IS DISTINCT FROM (EXCLUDED.display, EXCLUDED.type, EXCLUDED.ref)`;
    return this.rows(
      `INSERT INTO memberships (group_id, user_id, display, type, ref, position)
       SELECT $1, u.user_id, u.display, u.type, u.ref, u.position
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS u(user_id, display, type, ref, position)
       ON CONFLICT (group_id, user_id) ${conflict}
       RETURNING ${RETURNED}`,
      [
        this.groupId,
        members.map((member) => member.value),
        members.map((member) => member.display ?? null),
        members.map((member) => member.type ?? null),
        members.map((member) => member.$ref ?? null),
        members.map((member) => member.position),
      ],
    );
  }

  deleteMembers(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(`DELETE FROM memberships WHERE group_id = $1 AND user_id = ANY($2::text[]) RETURNING ${RETURNED}`, [this.groupId, values]);
  }

  deleteMembersExcept(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(
      `DELETE FROM memberships AS m WHERE m.group_id = $1
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS k(user_id) WHERE k.user_id = m.user_id)
       RETURNING ${RETURNED}`,
      [this.groupId, values],
    );
  }

  updateMembers(members: readonly StoredMember[]): Promise<StoredMember[]> {
    return this.rows(
      `UPDATE memberships AS m SET display = u.display, type = u.type, ref = u.ref
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(user_id, display, type, ref)
       WHERE m.group_id = $1 AND m.user_id = u.user_id
       RETURNING m.user_id, m.display, m.type, m.ref, m.position`,
      [
        this.groupId,
        members.map((member) => member.value),
        members.map((member) => member.display ?? null),
        members.map((member) => member.type ?? null),
        members.map((member) => member.$ref ?? null),
      ],
    );
  }

  async nextPositions(count: number): Promise<number[]> {
    const rows = await this.sql.query<{ p: number | string }>(`SELECT nextval('membership_position') AS p FROM generate_series(1, $1::int)`, [count]);
    return rows.map((row) => Number(row.p)).sort((a, b) => a - b);
  }

  async countMembers(): Promise<number> {
    const [row] = await this.sql.query<{ n: number | string }>(`SELECT count(*) AS n FROM memberships WHERE group_id = $1`, [this.groupId]);
    return Number(row?.n ?? 0);
  }
}

/**
 * Runs normalized changes as SQL, in order, against a group row the caller has locked in the
 * current transaction. Throws `ScimError` (400 `noTarget`, `mutability`, `invalidValue`,
 * `tooMany`) like `applyGroupChanges`; the caller's transaction then rolls everything back.
 */
export async function applyGroupChangesInSql(sql: Sql, input: SqlPatchInput): Promise<SqlPatchOutcome> {
  const { group, options } = input;
  const outcome = await applyGroupChangesToStore(
    new SqlMemberStore(sql, group.id),
    { displayName: group.displayName, externalId: group.externalId },
    input.changes,
    {
      ...options,
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
  );
  if (!outcome.summary.changed) return { summary: outcome.summary, version: group.version };
  const touchClock = options?.setLastModified ?? true;
  const now = (options?.now ?? (() => new Date()))();
  const [row] = await sql.query<{ version: number }>(
    `UPDATE groups SET display_name = $2, external_id = $3, version = version + 1,
            last_modified = CASE WHEN $5::boolean THEN $4::timestamptz ELSE last_modified END
      WHERE id = $1 RETURNING version`,
    [group.id, outcome.displayName, outcome.externalId, now, touchClock],
  );
  if (row === undefined) throw new Error(`group ${group.id} vanished while locked`);
  return { summary: outcome.summary, version: row.version };
}
