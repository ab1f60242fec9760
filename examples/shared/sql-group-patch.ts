/**
 * Executes the library's normalized `GroupChange[]` as SQL against two tables, without loading
 * the group's members for adds, removes by value and renames:
 *
 *   groups      (id, display_name, external_id, last_modified, version, ...)
 *   memberships (group_id, user_id, display, type, ref, position)  PRIMARY KEY (group_id, user_id)
 *   sequence membership_position
 *
 * It gives the same result as `applyGroupChanges` on the loaded group (the README's policy
 * table), including the member order and the "nothing changed" answer:
 *
 * - Order: `position` comes from a sequence. New members get fresh positions in the order they
 *   are added; a member that was stored when the request began and is removed and added back in
 *   the same request gets its old position again (the library keeps its place).
 * - No-op detection: a ledger remembers, for every member a statement touched, its state when the
 *   request began (from the RETURNING rows); at the end the net difference decides whether
 *   anything changed. Remove-then-add of the same member, or setting a display and setting it
 *   back, is no change: `version` and `last_modified` stay as they are.
 * - displayName and externalId are kept in memory while the changes run and written once, at the
 *   end, only when they differ from the stored values; a unique index therefore judges the final
 *   name, as the library judges the final group.
 *
 * The caller runs it inside one transaction, after locking the group row (`SELECT ... FOR UPDATE`).
 */
import {
  badRequest,
  DEFAULT_LIMITS,
  matchesFilter,
  type ChangeSummary,
  type ChangedAttribute,
  type Filter,
  type GroupChange,
  type GroupMember,
  type MatchOptions,
  type PatchOptions,
  type UpdateMembersChange,
  valueConstraintOf,
} from 'scim-group-patch';
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
  readonly position: number;
}

const RETURNED = 'user_id, display, type, ref, position';

/** Member ids compare case-exactly (the library's default), in filters as in identity. */
const MATCH_OPTIONS: MatchOptions = { isCaseExact: (attribute) => attribute.name === 'value' };

function toMember(row: MemberRow): GroupMember {
  return {
    value: row.user_id,
    ...(row.display === null ? {} : { display: row.display }),
    ...(row.type === null ? {} : { type: row.type }),
    ...(row.ref === null ? {} : { $ref: row.ref }),
  };
}

function sameContent(a: MemberRow, b: MemberRow): boolean {
  return a.display === b.display && a.type === b.type && a.ref === b.ref;
}

/** The first member of each value, in request order (the library's rule for repeats). */
function firstOfEachValue(members: readonly GroupMember[]): GroupMember[] {
  const byValue = new Map<string, GroupMember>();
  for (const member of members) if (!byValue.has(member.value)) byValue.set(member.value, member);
  return [...byValue.values()];
}

/**
 * For every member a statement touched: its state when the request began (`null`: absent) and
 * now. The net difference is the change summary; the start state gives a removed-and-re-added
 * member its old position back.
 */
class MemberLedger {
  private readonly start = new Map<string, MemberRow | null>();
  private readonly current = new Map<string, MemberRow | null>();

  /** Records a statement's effect on one member: `before` counts only on the first touch. */
  saw(key: string, before: MemberRow | null, after: MemberRow | null): void {
    if (!this.start.has(key)) this.start.set(key, before);
    this.current.set(key, after);
  }

  /** The position a member had when the request began, if it was a member then. */
  startPosition(key: string): number | undefined {
    return this.start.get(key)?.position;
  }

  /** Members this request inserted that were not members when it began. */
  addedKeys(): string[] {
    const keys: string[] = [];
    for (const [key, after] of this.current) if (after !== null && this.start.get(key) === null) keys.push(key);
    return keys;
  }

  summary(): Pick<ChangeSummary, 'membersAdded' | 'membersRemoved' | 'membersUpdated'> {
    const added: MemberRow[] = [];
    const removed: MemberRow[] = [];
    const updated: MemberRow[] = [];
    for (const [key, before] of this.start) {
      const after = this.current.get(key) ?? null;
      if (before === null && after !== null) added.push(after);
      else if (before !== null && after === null) removed.push(before);
      else if (before !== null && after !== null && !sameContent(before, after)) updated.push(after);
    }
    const byPosition = (a: MemberRow, b: MemberRow): number => a.position - b.position;
    return {
      membersAdded: added.sort(byPosition).map(toMember),
      membersRemoved: removed.sort(byPosition).map(toMember),
      membersUpdated: updated.sort(byPosition).map(toMember),
    };
  }
}

/** One request's changes against one locked group. */
class SqlGroupPatch {
  private displayName: string;
  private externalId: string | null;
  private readonly ledger = new MemberLedger();
  private scanned = 0;
  private readonly maxScannedMembers: number;
  private readonly externalIdMutability: NonNullable<PatchOptions['externalIdMutability']>;

  constructor(
    private readonly sql: Sql,
    private readonly input: SqlPatchInput,
  ) {
    const options = input.options ?? {};
    if (options.memberValueCaseExact === false) {
      throw new Error('memberValueCaseExact: false is not supported by the SQL executor');
    }
    this.displayName = input.group.displayName;
    this.externalId = input.group.externalId;
    this.maxScannedMembers = options.limits?.maxScannedMembers ?? DEFAULT_LIMITS.maxScannedMembers;
    this.externalIdMutability = options.externalIdMutability ?? 'readWrite';
  }

  private get groupId(): string {
    return this.input.group.id;
  }

  /**
   * The library's rule for updates of every member (`replace members.display`): those in a row fold
   * into one, run with the final pass (`finish`), or in one pass charged to `maxScannedMembers`
   * before the next change that reads or adds members. 1,000 of them cost one UPDATE, not 1,000
   * updates of every row. A remove by value neither reads nor adds, so it lets the fold go on.
   */
  private pendingUpdate: UpdateMembersChange | undefined;

  async apply(change: GroupChange): Promise<void> {
    if (change.kind === 'updateMembers' && change.filter === null && change.value === undefined && !change.requireMatch) {
      this.pendingUpdate =
        this.pendingUpdate === undefined ? change : { ...change, update: { ...this.pendingUpdate.update, ...change.update } };
      return;
    }
    if (change.kind === 'replaceMembers') this.pendingUpdate = undefined;
    else if (change.kind !== 'setDisplayName' && change.kind !== 'setExternalId' && change.kind !== 'removeMembers') {
      await this.flushPendingUpdate(true);
    }
    switch (change.kind) {
      case 'setDisplayName':
        this.displayName = change.displayName;
        return;
      case 'setExternalId':
        this.setExternalId(change.externalId, change.operationIndex);
        return;
      case 'addMembers':
        return this.addMembers(change.members, change.operationIndex);
      case 'removeMembers':
        return this.removeMembers(change.values);
      case 'removeMembersWhere':
        return this.removeMembersWhere(change.filter);
      case 'replaceMembers':
        return this.replaceMembers(change.members, change.operationIndex);
      case 'updateMembers':
        return this.updateMembers(change);
      default: {
        const unsupported: never = change;
        throw new Error(`unsupported change ${JSON.stringify(unsupported)}`);
      }
    }
  }

  /** The library's rule: an immutable externalId can be set once, or to its current value. */
  private setExternalId(externalId: string | null, operationIndex: number): void {
    if (this.externalIdMutability === 'immutable' && this.externalId !== null && this.externalId !== externalId) {
      throw badRequest('mutability', `Operations[${String(operationIndex)}]: externalId is immutable and already set`);
    }
    this.externalId = externalId;
  }

  /** `addMembers` → `INSERT ... ON CONFLICT DO NOTHING RETURNING`: what was really inserted. */
  private async addMembers(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    const unique = firstOfEachValue(members);
    await this.requireUsers(unique, operationIndex);
    const rows = await this.insert(await this.withPositions(unique), 'keep');
    for (const row of rows) this.ledger.saw(row.user_id, null, row);
  }

  /** `removeMembers` → `DELETE ... WHERE user_id = ANY($2) RETURNING`. */
  private async removeMembers(values: readonly string[]): Promise<void> {
    if (values.length === 0) return;
    const rows = await this.sql.query<MemberRow>(
      `DELETE FROM memberships WHERE group_id = $1 AND user_id = ANY($2::text[]) RETURNING ${RETURNED}`,
      [this.groupId, values],
    );
    for (const row of rows) this.ledger.saw(row.user_id, row, null);
  }

  /** `removeMembersWhere` → load the candidates, decide with `matchesFilter`, delete those. */
  private async removeMembersWhere(filter: Filter): Promise<void> {
    const candidates = await this.candidates(filter);
    const matched = candidates.filter((row) => matchesFilter(filter, toMember(row), MATCH_OPTIONS));
    await this.removeMembers(matched.map((row) => row.user_id));
  }

  /**
   * `replaceMembers` → delete the members not in the list, upsert the list. Members that were
   * stored keep their position (with the new content); members this request added earlier are
   * put back in list order, as the library rebuilds them.
   */
  private async replaceMembers(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    const unique = firstOfEachValue(members);
    await this.requireUsers(unique, operationIndex);
    const values = unique.map((member) => member.value);
    const gone = await this.sql.query<MemberRow>(
      `DELETE FROM memberships AS m WHERE m.group_id = $1
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS k(user_id) WHERE k.user_id = m.user_id)
       RETURNING ${RETURNED}`,
      [this.groupId, values],
    );
    for (const row of gone) this.ledger.saw(row.user_id, row, null);

    const listed = new Set(values);
    const reorder = this.ledger.addedKeys().filter((key) => listed.has(key));
    if (reorder.length > 0) await this.removeMembers(reorder);

    // The rows the upsert may overwrite: their state before it, for the ledger.
    const existing = await this.sql.query<MemberRow>(
      `SELECT ${RETURNED} FROM memberships WHERE group_id = $1 AND user_id = ANY($2::text[])`,
      [this.groupId, values],
    );
    for (const row of existing) this.ledger.saw(row.user_id, row, row);

    const present = new Map(existing.map((row) => [row.user_id, row.position]));
    const rows = await this.insert(await this.withPositions(unique, present), 'overwrite');
    for (const row of rows) this.ledger.saw(row.user_id, null, row);
  }

  /** Runs the folded update of every member: charged to the scan budget unless it is the final pass. */
  private async flushPendingUpdate(charged: boolean): Promise<void> {
    const pending = this.pendingUpdate;
    if (pending === undefined) return;
    this.pendingUpdate = undefined;
    await this.updateMembers(pending, charged ? await this.scanAll() : await this.allMembers());
  }

  /** `updateMembers` → load the candidates, decide with `matchesFilter`, `UPDATE` the changed rows. */
  private async updateMembers(change: UpdateMembersChange, loaded?: MemberRow[]): Promise<void> {
    const candidates = loaded ?? (change.filter === null ? await this.scanAll() : await this.candidates(change.filter));
    const updates: MemberRow[] = [];
    let matched = 0;
    for (const row of candidates) {
      if (change.filter !== null && !matchesFilter(change.filter, toMember(row), MATCH_OPTIONS)) continue;
      matched++;
      if (change.value !== undefined && change.value !== row.user_id) {
        throw badRequest(
          'mutability',
          `Operations[${String(change.operationIndex)}].value: a member's value is immutable ('${clip(row.user_id)}' cannot become '${clip(change.value)}')`,
        );
      }
      const next: MemberRow = {
        ...row,
        display: change.update.display === undefined ? row.display : change.update.display,
        type: change.update.type === undefined ? row.type : change.update.type,
        ref: change.update.$ref === undefined ? row.ref : change.update.$ref,
      };
      if (!sameContent(row, next)) updates.push(next);
    }
    if (change.requireMatch && matched === 0) {
      throw badRequest('noTarget', `Operations[${String(change.operationIndex)}].path: the filter matches no member`);
    }
    if (updates.length === 0) return;
    const before = new Map(candidates.map((row) => [row.user_id, row]));
    const rows = await this.sql.query<MemberRow>(
      `UPDATE memberships AS m SET display = u.display, type = u.type, ref = u.ref
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(user_id, display, type, ref)
       WHERE m.group_id = $1 AND m.user_id = u.user_id
       RETURNING m.user_id, m.display, m.type, m.ref, m.position`,
      [
        this.groupId,
        updates.map((row) => row.user_id),
        updates.map((row) => row.display),
        updates.map((row) => row.type),
        updates.map((row) => row.ref),
      ],
    );
    for (const row of rows) this.ledger.saw(row.user_id, before.get(row.user_id) ?? null, row);
  }

  /**
   * The members a filter may match: by key when it pins `value` (reads at most that many rows),
   * else every member, charged to `maxScannedMembers` as the library charges its scans.
   */
  private async candidates(filter: Filter): Promise<MemberRow[]> {
    const pinned = valueConstraintOf(filter)?.values;
    if (pinned !== undefined) {
      return this.sql.query<MemberRow>(
        `SELECT ${RETURNED} FROM memberships WHERE group_id = $1 AND user_id = ANY($2::text[]) ORDER BY position`,
        [this.groupId, pinned],
      );
    }
    return this.scanAll();
  }

  /** Every member, charged to `maxScannedMembers` as the library charges each pass over the group. */
  private async scanAll(): Promise<MemberRow[]> {
    const budget = this.maxScannedMembers - this.scanned;
    const rows = await this.sql.query<MemberRow>(
      `SELECT ${RETURNED} FROM memberships WHERE group_id = $1 ORDER BY position LIMIT $2`,
      [this.groupId, Math.max(budget, 0) + 1],
    );
    this.scanned += rows.length;
    if (rows.length > budget) {
      throw badRequest(
        'tooMany',
        `operations of this request would examine more than ${String(this.maxScannedMembers)} members; filter on value (members[value eq "…"]) or send fewer operations`,
      );
    }
    return rows;
  }

  /** Every member, for the final pass of a folded update of every member (not charged, as in the library). */
  private allMembers(): Promise<MemberRow[]> {
    return this.sql.query<MemberRow>(`SELECT ${RETURNED} FROM memberships WHERE group_id = $1 ORDER BY position`, [
      this.groupId,
    ]);
  }

  /** Members must be users of the group's tenant or company: 400 invalidValue naming the others. */
  private async requireUsers(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    if (members.length === 0) return;
    const unknown = await this.input.findUnknownUsers(members.map((member) => member.value));
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 10).map((id) => `'${clip(id)}'`).join(', ');
    const more = unknown.length > 10 ? ` and ${String(unknown.length - 10)} more` : '';
    throw badRequest(
      'invalidValue',
      `Operations[${String(operationIndex)}].value: ${shown}${more} ${unknown.length === 1 ? 'is not a user' : 'are not users'} of this ${this.input.scopeName}`,
    );
  }

  /**
   * Positions for members about to be inserted: a member of the group when the request began
   * gets its old position back, the others fresh ones from the sequence, in list order. Members
   * known to be `present` keep theirs (the insert conflicts and never uses it).
   */
  private async withPositions(
    members: readonly GroupMember[],
    present: ReadonlyMap<string, number> = new Map(),
  ): Promise<{ readonly member: GroupMember; readonly position: number }[]> {
    const known = (value: string): number | undefined => present.get(value) ?? this.ledger.startPosition(value);
    const needed = members.filter((member) => known(member.value) === undefined).length;
    const fresh =
      needed === 0
        ? []
        : (
            await this.sql.query<{ p: number }>(
              `SELECT nextval('membership_position') AS p FROM generate_series(1, $1::int)`,
              [needed],
            )
          )
            .map((row) => row.p)
            .sort((a, b) => a - b);
    let next = 0;
    return members.map((member) => {
      const position = known(member.value) ?? fresh[next++];
      if (position === undefined) throw new Error('position sequence returned too few values');
      return { member, position };
    });
  }

  /**
   * `INSERT ... ON CONFLICT`: `keep` leaves a present member as it is (add), `overwrite` gives it
   * the new content when it differs (replace). Returns the rows inserted or changed.
   */
  private insert(
    rows: readonly { readonly member: GroupMember; readonly position: number }[],
    onConflict: 'keep' | 'overwrite',
  ): Promise<MemberRow[]> {
    if (rows.length === 0) return Promise.resolve([]);
    const conflict =
      onConflict === 'keep'
        ? 'DO NOTHING'
        : `DO UPDATE SET display = EXCLUDED.display, type = EXCLUDED.type, ref = EXCLUDED.ref
           WHERE (memberships.display, memberships.type, memberships.ref)
             IS DISTINCT FROM (EXCLUDED.display, EXCLUDED.type, EXCLUDED.ref)`;
    return this.sql.query<MemberRow>(
      `INSERT INTO memberships (group_id, user_id, display, type, ref, position)
       SELECT $1, u.user_id, u.display, u.type, u.ref, u.position
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS u(user_id, display, type, ref, position)
       ON CONFLICT (group_id, user_id) ${conflict}
       RETURNING ${RETURNED}`,
      [
        this.groupId,
        rows.map((row) => row.member.value),
        rows.map((row) => row.member.display ?? null),
        rows.map((row) => row.member.type ?? null),
        rows.map((row) => row.member.$ref ?? null),
        rows.map((row) => row.position),
      ],
    );
  }

  /** Writes displayName, externalId, last_modified and version once, when something changed. */
  async finish(): Promise<SqlPatchOutcome> {
    await this.flushPendingUpdate(false);
    const { group, options } = this.input;
    const members = this.ledger.summary();
    const attributesChanged: ChangedAttribute[] = [];
    if (this.displayName !== group.displayName) attributesChanged.push('displayName');
    if (this.externalId !== group.externalId) attributesChanged.push('externalId');
    if (members.membersAdded.length + members.membersRemoved.length + members.membersUpdated.length > 0) {
      attributesChanged.push('members');
    }
    if (attributesChanged.length === 0) {
      return {
        summary: { changed: false, attributesChanged, membersAdded: [], membersRemoved: [], membersUpdated: [] },
        version: group.version,
      };
    }
    const touchClock = options?.setLastModified ?? true;
    const now = (options?.now ?? (() => new Date()))();
    const [row] = await this.sql.query<{ version: number }>(
      `UPDATE groups SET display_name = $2, external_id = $3, version = version + 1,
              last_modified = CASE WHEN $5::boolean THEN $4::timestamptz ELSE last_modified END
        WHERE id = $1 RETURNING version`,
      [group.id, this.displayName, this.externalId, now, touchClock],
    );
    if (row === undefined) throw new Error(`group ${group.id} vanished while locked`);
    return { summary: { changed: true, attributesChanged, ...members }, version: row.version };
  }
}

/**
 * Runs normalized changes as SQL, in order, against a group row the caller has locked in the
 * current transaction. Throws `ScimError` (400 `noTarget`, `mutability`, `invalidValue`,
 * `tooMany`) like `applyGroupChanges`; the caller's transaction then rolls everything back.
 */
export async function applyGroupChangesInSql(sql: Sql, input: SqlPatchInput): Promise<SqlPatchOutcome> {
  const patch = new SqlGroupPatch(sql, input);
  for (const change of input.changes) await patch.apply(change);
  return patch.finish();
}
