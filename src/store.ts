/**
 * The database path: a Group's normalized changes carried out by a store that keeps members as
 * rows, without loading the group. The library keeps every rule and decides; the store answers a
 * few primitive questions (members by value, a bounded scan) and carries out a few primitive
 * writes (insert if absent, delete by value, update sub-attributes). The result is what
 * `applyGroupChanges` gives on the loaded group: the same summary, the same errors, the same
 * member order.
 *
 * - Order: every member has a `position`. New members get fresh positions in the order they are
 *   added; a member stored when the request began that is removed and added back in the same
 *   request gets its old position again (it keeps its place, as in `applyGroupChanges`).
 * - Net changes: for every member a write touched, its state when the request began is kept; the
 *   difference at the end is the summary. Remove-then-add of the same member, or a display set and
 *   set back, is no change.
 * - Updates of every member in a row (`members.display`) fold into one, run in the final pass or,
 *   charged to `maxScannedMembers`, before the next change that reads or adds members. Every other
 *   pass over the group is a scan charged to `maxScannedMembers` before it runs.
 * - `displayName` and `externalId` are decided in memory and returned, for the caller to write
 *   once (a unique index then judges the final name, as `applyGroupChanges` judges the final group).
 *
 * The caller runs it inside one transaction, after locking the group row or with a version
 * precondition on its write, so that concurrent requests cannot interleave.
 *
 * @see RFC 7644 §3.5.2
 */
import { atOperation, badRequest } from './errors.js';
import { matchesFilter, type MatchOptions } from './filter.js';
import { valueConstraintOf } from './group-path.js';
import type { GroupChange, UpdateMembersChange } from './normalize.js';
import { resolveOptions, type PatchOptions, type ResolvedOptions } from './options.js';
import type { Filter } from './path.js';
import type { ChangeSummary, ChangedAttribute } from './apply.js';
import type { GroupMember } from './types.js';
import { keepShapeOnce } from './shapes.js';
import { clip } from './text.js';

/** A stored member with its place in the group's order. */
export interface StoredMember {
  /** The member's id; unique within the group. */
  readonly value: string;
  /** The member's display name, if stored. */
  readonly display?: string;
  /** The member's type, if stored. */
  readonly type?: string;
  /** The member's URI, if stored. */
  readonly $ref?: string;
  /** Where the member is in the group's order: members are listed by increasing position. */
  readonly position: number;
}

/**
 * What a store does for one group, inside the caller's transaction. Values compare case-exactly.
 * Every method that writes returns the rows it really wrote, as they are after the write.
 */
export interface MemberStore {
  /** The stored members whose `value` is one of `values`. */
  membersByValue(values: readonly string[]): Promise<readonly StoredMember[]>;
  /** The stored members in position order, at most `limit` of them. */
  scanMembers(limit: number): Promise<readonly StoredMember[]>;
  /**
   * Inserts members that are not stored (`onConflict: 'keep'` leaves a stored one as it is), or
   * also overwrites the sub-attributes of stored ones that differ (`'overwrite'`, keeping their
   * position). Returns the rows inserted or overwritten.
   */
  insertMembers(members: readonly StoredMember[], onConflict: 'keep' | 'overwrite'): Promise<readonly StoredMember[]>;
  /** Deletes the members whose `value` is one of `values`; returns the rows deleted. */
  deleteMembers(values: readonly string[]): Promise<readonly StoredMember[]>;
  /** Deletes every member whose `value` is not one of `values`; returns the rows deleted. */
  deleteMembersExcept(values: readonly string[]): Promise<readonly StoredMember[]>;
  /** Writes `display`, `type` and `$ref` (absent: none) of stored members; returns the rows written. */
  updateMembers(members: readonly StoredMember[]): Promise<readonly StoredMember[]>;
  /** `count` fresh positions, increasing, after every position in use. */
  nextPositions(count: number): Promise<readonly number[]>;
  /** How many members the group has; asked only when `limits.maxMembers` is set. */
  countMembers(): Promise<number>;
}

/** The group's single-valued attributes, as stored when the request began. */
export interface StoredGroupAttributes {
  /** The stored displayName. */
  readonly displayName: string;
  /** The stored externalId, or null. */
  readonly externalId: string | null;
}

/** What a request did through a store. */
export interface StoreOutcome {
  /** As `applyGroupChanges` reports it: net changes against the state before the request. */
  readonly summary: ChangeSummary;
  /** The displayName to store (changed when `summary.attributesChanged` names it). */
  readonly displayName: string;
  /** The externalId to store, or null (changed when `summary.attributesChanged` names it). */
  readonly externalId: string | null;
}

/** What `applyGroupChangesToStore` needs besides the store and the changes. */
export interface StoreOptions extends PatchOptions {
  /**
   * Checks members a change adds (bounded by the request, never by the group), for example that
   * each is a user of the tenant: throw a `ScimError` to refuse the request.
   */
  readonly checkNewMembers?: (members: readonly GroupMember[], operationIndex: number) => Promise<void>;
}

function toMember(row: StoredMember): GroupMember {
  return {
    value: row.value,
    ...(row.display === undefined ? {} : { display: row.display }),
    ...(row.type === undefined ? {} : { type: row.type }),
    ...(row.$ref === undefined ? {} : { $ref: row.$ref }),
  };
}

function sameContent(a: StoredMember, b: StoredMember): boolean {
  return a.display === b.display && a.type === b.type && a.$ref === b.$ref;
}

/** The first member of each value, in request order (the library's rule for repeats). */
function firstOfEachValue(members: readonly GroupMember[]): GroupMember[] {
  const byValue = new Map<string, GroupMember>();
  for (const member of members) if (!byValue.has(member.value)) byValue.set(member.value, member);
  return [...byValue.values()];
}

/**
 * For every member a write touched: its state when the request began (`null`: absent) and now.
 * The net difference is the summary; the start state gives a removed-and-re-added member its old
 * position back.
 */
class MemberLedger {
  private readonly start = new Map<string, StoredMember | null>();
  private readonly current = new Map<string, StoredMember | null>();

  /** Records a write's effect on one member: `before` counts only on the first touch. */
  saw(value: string, before: StoredMember | null, after: StoredMember | null): void {
    if (!this.start.has(value)) this.start.set(value, before);
    this.current.set(value, after);
  }

  /** The position a member had when the request began, if it was a member then. */
  startPosition(value: string): number | undefined {
    return this.start.get(value)?.position;
  }

  /** Members this request inserted that were not members when it began. */
  addedValues(): string[] {
    const values: string[] = [];
    for (const [value, after] of this.current) if (after !== null && this.start.get(value) === null) values.push(value);
    return values;
  }

  /** The net change in the number of members. */
  growth(): number {
    let growth = 0;
    for (const [value, before] of this.start) {
      const after = this.current.get(value) ?? null;
      if (before === null && after !== null) growth++;
      else if (before !== null && after === null) growth--;
    }
    return growth;
  }

  summary(): Pick<ChangeSummary, 'membersAdded' | 'membersRemoved' | 'membersUpdated'> {
    const added: StoredMember[] = [];
    const removed: StoredMember[] = [];
    const updated: StoredMember[] = [];
    for (const [value, before] of this.start) {
      const after = this.current.get(value) ?? null;
      if (before === null && after !== null) added.push(after);
      else if (before !== null && after === null) removed.push(before);
      else if (before !== null && after !== null && !sameContent(before, after)) updated.push(after);
    }
    const byPosition = (a: StoredMember, b: StoredMember): number => a.position - b.position;
    return {
      membersAdded: added.sort(byPosition).map(toMember),
      membersRemoved: removed.sort(byPosition).map(toMember),
      membersUpdated: updated.sort(byPosition).map(toMember),
    };
  }
}

/** Member ids compare case-exactly, in filters as in identity. */
const MATCH_OPTIONS: MatchOptions = { isCaseExact: (attribute) => attribute.name === 'value' };

/** The store of the sample `StorePatch` that keeps its map (see shapes.ts): it is never called. */
const NO_STORE: MemberStore = {
  membersByValue: () => Promise.resolve([]),
  scanMembers: () => Promise.resolve([]),
  insertMembers: () => Promise.resolve([]),
  deleteMembers: () => Promise.resolve([]),
  deleteMembersExcept: () => Promise.resolve([]),
  updateMembers: () => Promise.resolve([]),
  nextPositions: () => Promise.resolve([]),
  countMembers: () => Promise.resolve(0),
};

/** One request's changes against one group, through a store. */
class StorePatch {
  private displayName: string;
  private externalId: string | null;
  private readonly ledger = new MemberLedger();
  private scanned = 0;
  private readonly options: ResolvedOptions;
  /** Updates of every member in a row, folded, not yet run (see the module comment). */
  private pendingUpdate: UpdateMembersChange | undefined;

  constructor(
    private readonly store: MemberStore,
    private readonly group: StoredGroupAttributes,
    private readonly storeOptions: StoreOptions,
  ) {
    this.options = resolveOptions(storeOptions);
    this.displayName = group.displayName;
    this.externalId = group.externalId;
  }

  async apply(change: GroupChange): Promise<void> {
    if (change.kind === 'updateMembers' && change.filter === null && change.value === undefined && !change.requireMatch) {
      this.pendingUpdate =
        this.pendingUpdate === undefined ? change : { ...change, update: { ...this.pendingUpdate.update, ...change.update } };
      return;
    }
    if (change.kind === 'replaceMembers') this.pendingUpdate = undefined;
    // A remove by value neither reads nor adds members, so the fold goes on past it.
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
    }
  }

  /** An immutable externalId can be set once, or to its current value. */
  private setExternalId(externalId: string | null, operationIndex: number): void {
    if (this.options.externalIdMutability === 'immutable' && this.externalId !== null && this.externalId !== externalId) {
      throw badRequest('mutability', `Operations[${String(operationIndex)}]: externalId is immutable and already set`);
    }
    this.externalId = externalId;
  }

  private async addMembers(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    const unique = firstOfEachValue(members);
    await this.checkNew(unique, operationIndex);
    const rows = await this.store.insertMembers(await this.withPositions(unique), 'keep');
    for (const row of rows) this.ledger.saw(row.value, null, row);
  }

  private async removeMembers(values: readonly string[]): Promise<void> {
    if (values.length === 0) return;
    const rows = await this.store.deleteMembers(values);
    for (const row of rows) this.ledger.saw(row.value, row, null);
  }

  private async removeMembersWhere(filter: Filter): Promise<void> {
    const candidates = await this.candidates(filter);
    const matched = candidates.filter((row) => matchesFilter(filter, toMember(row), MATCH_OPTIONS));
    await this.removeMembers(matched.map((row) => row.value));
  }

  /**
   * Deletes the members not in the list, then writes the list. Members that were stored keep
   * their position (with the new content); members this request added earlier are put back in
   * list order, as `applyGroupChanges` rebuilds them.
   */
  private async replaceMembers(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    const unique = firstOfEachValue(members);
    await this.checkNew(unique, operationIndex);
    const values = unique.map((member) => member.value);
    for (const row of await this.store.deleteMembersExcept(values)) this.ledger.saw(row.value, row, null);

    const listed = new Set(values);
    const reorder = this.ledger.addedValues().filter((value) => listed.has(value));
    if (reorder.length > 0) await this.removeMembers(reorder);

    // The rows the write may overwrite: their state before it, for the ledger.
    const existing = await this.store.membersByValue(values);
    for (const row of existing) this.ledger.saw(row.value, row, row);
    const present = new Map(existing.map((row) => [row.value, row.position]));
    const rows = await this.store.insertMembers(await this.withPositions(unique, present), 'overwrite');
    const before = new Map(existing.map((row) => [row.value, row]));
    for (const row of rows) this.ledger.saw(row.value, before.get(row.value) ?? null, row);
  }

  /** Runs the folded update of every member: charged to the scan budget unless it is the final pass. */
  private async flushPendingUpdate(charged: boolean): Promise<void> {
    const pending = this.pendingUpdate;
    if (pending === undefined) return;
    this.pendingUpdate = undefined;
    await this.updateMembers(pending, charged ? await this.scanAll() : await this.store.scanMembers(Number.MAX_SAFE_INTEGER));
  }

  private async updateMembers(change: UpdateMembersChange, loaded?: readonly StoredMember[]): Promise<void> {
    const candidates = loaded ?? (change.filter === null ? await this.scanAll() : await this.candidates(change.filter));
    const updates: StoredMember[] = [];
    let matched = 0;
    for (const row of candidates) {
      if (change.filter !== null && !matchesFilter(change.filter, toMember(row), MATCH_OPTIONS)) continue;
      matched++;
      if (change.value !== undefined && change.value !== row.value) {
        throw badRequest(
          'mutability',
          `Operations[${String(change.operationIndex)}].value: a member's value is immutable ('${clip(row.value)}' cannot become '${clip(change.value)}')`,
        );
      }
      const next = updated(row, change.update);
      if (!sameContent(row, next)) updates.push(next);
    }
    if (change.requireMatch && matched === 0) {
      throw badRequest('noTarget', `Operations[${String(change.operationIndex)}].path: the filter matches no member`);
    }
    if (updates.length === 0) return;
    const before = new Map(candidates.map((row) => [row.value, row]));
    for (const row of await this.store.updateMembers(updates)) this.ledger.saw(row.value, before.get(row.value) ?? null, row);
  }

  /** The members a filter may match: by value when it pins `value`, else a scan charged to the budget. */
  private async candidates(filter: Filter): Promise<readonly StoredMember[]> {
    const pinned = valueConstraintOf(filter)?.values;
    if (pinned !== undefined) {
      const rows = await this.store.membersByValue([...new Set(pinned)]);
      return [...rows].sort((a, b) => a.position - b.position);
    }
    return this.scanAll();
  }

  /** Every member, charged to `maxScannedMembers` as `applyGroupChanges` charges each pass. */
  private async scanAll(): Promise<readonly StoredMember[]> {
    const max = this.options.limits.maxScannedMembers;
    const budget = max - this.scanned;
    const rows = await this.store.scanMembers(Math.max(budget, 0) + 1);
    this.scanned += rows.length;
    if (rows.length > budget) {
      throw badRequest(
        'tooMany',
        `operations of this request would examine more than ${String(max)} members; filter on value (members[value eq "…"]) or send fewer operations`,
      );
    }
    return rows;
  }

  private async checkNew(members: readonly GroupMember[], operationIndex: number): Promise<void> {
    if (members.length > 0) await this.storeOptions.checkNewMembers?.(members, operationIndex);
  }

  /**
   * Positions for members about to be written: a member of the group when the request began gets
   * its old position back, the others fresh ones, in list order. Members known to be `present`
   * keep theirs.
   */
  private async withPositions(members: readonly GroupMember[], present: ReadonlyMap<string, number> = new Map()): Promise<StoredMember[]> {
    const known = (value: string): number | undefined => present.get(value) ?? this.ledger.startPosition(value);
    const needed = members.filter((member) => known(member.value) === undefined).length;
    const fresh = needed === 0 ? [] : await this.store.nextPositions(needed);
    if (fresh.length < needed) throw new Error(`the store gave ${String(fresh.length)} positions for ${String(needed)} members`);
    let next = 0;
    return members.map((member) => ({ ...member, position: known(member.value) ?? (fresh[next++] as number) }));
  }

  async finish(): Promise<StoreOutcome> {
    await this.flushPendingUpdate(false);
    const members = this.ledger.summary();
    const { maxMembers } = this.options.limits;
    const growth = this.ledger.growth();
    if (growth > 0 && Number.isFinite(maxMembers)) {
      const count = await this.store.countMembers();
      if (count > maxMembers) {
        throw badRequest('tooMany', `the patch would leave ${String(count)} members, over this server's limit of ${String(maxMembers)}`);
      }
    }
    const attributesChanged: ChangedAttribute[] = [];
    if (this.displayName !== this.group.displayName) attributesChanged.push('displayName');
    if (this.externalId !== this.group.externalId) attributesChanged.push('externalId');
    if (members.membersAdded.length + members.membersRemoved.length + members.membersUpdated.length > 0) attributesChanged.push('members');
    const changed = attributesChanged.length > 0;
    return {
      summary: changed ? { changed, attributesChanged, ...members } : { changed, attributesChanged, membersAdded: [], membersRemoved: [], membersUpdated: [] },
      displayName: this.displayName,
      externalId: this.externalId,
    };
  }
}

/** A stored member with an update of its sub-attributes applied (`null` removes one). */
function updated(row: StoredMember, update: UpdateMembersChange['update']): StoredMember {
  const pick = (current: string | undefined, wanted: string | null | undefined): string | undefined =>
    wanted === undefined ? current : (wanted ?? undefined);
  const display = pick(row.display, update.display);
  const type = pick(row.type, update.type);
  const $ref = pick(row.$ref, update.$ref);
  return {
    value: row.value,
    ...(display === undefined ? {} : { display }),
    ...(type === undefined ? {} : { type }),
    ...($ref === undefined ? {} : { $ref }),
    position: row.position,
  };
}

/**
 * Carries out a Group's normalized changes through a store, in order, without loading the group:
 * the store is asked only for the members a change names, and for bounded scans where a filter
 * does not pin `value`. The caller writes the returned `displayName` and `externalId` (and bumps
 * its version) when `summary.changed`, in the same transaction.
 *
 * @param store - the group's members, inside the caller's transaction.
 * @param group - the group's stored `displayName` and `externalId`.
 * @param changes - changes from `normalizePatchRequest(body, options)`.
 * @param options - the options given to `normalizePatchRequest`, and `checkNewMembers`.
 * @returns the summary `applyGroupChanges` would give, and the attributes to store.
 * @throws ScimError 400 (`noTarget`, `mutability`, `tooMany`, or what `checkNewMembers` throws);
 * the caller's transaction then rolls back every write.
 * @example
 * ```ts
 * await db.transaction(async (sql) => {
 *   const group = await lockGroup(sql, id)
 *   const { summary, displayName, externalId } = await applyGroupChangesToStore(memberStore(sql, id), group, changes)
 *   if (summary.changed) await saveGroup(sql, id, displayName, externalId)
 * })
 * ```
 * @see RFC 7644 §3.5.2
 */
export async function applyGroupChangesToStore(
  store: MemberStore,
  group: StoredGroupAttributes,
  changes: readonly GroupChange[],
  options: StoreOptions = {},
): Promise<StoreOutcome> {
  if (options.memberValueCaseExact === false) {
    throw new TypeError('applyGroupChangesToStore compares member values case-exactly; memberValueCaseExact: false is not supported');
  }
  const patch = new StorePatch(store, group, options);
  keepShapeOnce(StorePatch, () => new StorePatch(NO_STORE, { displayName: '', externalId: null }, {}));
  for (const change of changes) {
    try {
      await patch.apply(change);
    } catch (error) {
      throw atOperation(error, change.operationIndex);
    }
  }
  return patch.finish();
}
