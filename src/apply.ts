/**
 * The Group API on the engine: `applyGroupChanges` applies the Group's normalized changes through
 * the same draft as `applyPatch` (`draft.ts`), over the Group schema, with `members` as
 * a keyed list (`keyed-list.ts`): one Map over member values, the new list built in one pass.
 *
 * - Nothing is written to the input. Everything that does not change is shared: a rename keeps
 *   the very same `members` array, and a patch that changes nothing returns the very same group.
 * - A request costs O(members + values) however many operations it has, never O(members × values).
 * - All or nothing: a failing change throws before any result exists.
 *
 * What the Group API adds to the schema's rules, each from its options: member identity
 * (`memberValueCaseExact`), `externalIdMutability`, the stored-group checks, and its summary
 * (`membersAdded`, `membersRemoved`, `membersUpdated`).
 *
 * @see RFC 7644 §3.5.2
 */
import { atOperation, badRequest, ScimError } from './errors.js';
import type { MatchOptions } from './filter.js';
import { copyItem, type ItemShape, type ItemUpdate, type KeyedItem, type KeyedList, type KeyedListSettings } from './keyed-list.js';
import type { GroupChange } from './normalize.js';
import { memberKeyFunction, resolveOptions, type PatchOptions, type ResolvedOptions } from './options.js';
import type { AttributePath } from './path.js';
import { ResourceDraft } from './draft.js';
import { resourceSchemas, type ResourceSchemas } from './resource-path.js';
import type { AttributeDefinition } from './resource-schema.js';
import { GROUP_SCHEMA_DEFINITION } from './schemas.js';
import { isObject } from './json.js';
import type { Group, GroupMember } from './types.js';
import { assertNever } from './never.js';
import { keepShapeOnce } from './shapes.js';

/** An attribute a patch can change. */
export type ChangedAttribute = 'displayName' | 'externalId' | 'members';

/** What a patch did, so a server can persist a delta, check new members, or skip the write. */
export interface ChangeSummary {
  /** Whether anything changed; false means the same group object came back. */
  readonly changed: boolean;
  /** The attributes whose value changed, in schema order. */
  readonly attributesChanged: readonly ChangedAttribute[];
  /** Members in the result that were not in the group, in result order. */
  readonly membersAdded: readonly GroupMember[];
  /** Members of the group that are not in the result, in their stored order. */
  readonly membersRemoved: readonly GroupMember[];
  /** Members kept whose sub-attributes changed, as they are in the result. */
  readonly membersUpdated: readonly GroupMember[];
}

/** The patched group together with what changed. */
export interface PatchOutcome<G extends Group = Group> {
  /** The patched group; the input itself when nothing changed. */
  readonly group: G;
  /** What changed. */
  readonly summary: ChangeSummary;
}

const NO_CHANGE: ChangeSummary = /* @__PURE__ */ Object.freeze({
  changed: false,
  attributesChanged: Object.freeze([]),
  membersAdded: Object.freeze([]),
  membersRemoved: Object.freeze([]),
  membersUpdated: Object.freeze([]),
});

/** The attributes of `ChangeSummary.attributesChanged`, in schema order. */
const CHANGED_ATTRIBUTES: readonly ChangedAttribute[] = ['displayName', 'externalId', 'members'];

/** A 500: the caller's stored group is not a valid Group; reported, never repaired. */
export function invalidStoredGroup(detail: string): ScimError {
  return new ScimError({ status: 500, detail: `stored group is invalid: ${detail}` });
}

// ----- members: the Group's shape of a keyed list ---------------------------------------------

type MemberUpdate = ItemUpdate & { readonly display?: unknown; readonly type?: unknown; readonly $ref?: unknown };
interface MemberFields {
  display?: unknown;
  type?: unknown;
  $ref?: unknown;
}

function countOwnKeys(object: object): number {
  let count = 0;
  for (const key in object) if (Object.hasOwn(object, key)) count++;
  return count;
}

function unchanged(member: MemberFields, name: 'display' | 'type' | '$ref', wanted: unknown): boolean {
  return wanted === undefined || (wanted === null ? !Object.hasOwn(member, name) : member[name] === wanted);
}

/**
 * Applies an update in place to a member object the list made itself (never one of the caller's),
 * so that a request that updates a member many times makes one copy of it, not one per operation.
 * Each sub-attribute is written by name: a store through a computed key costs several times more.
 */
function updateOwnedMember(member: KeyedItem, update: MemberUpdate): void {
  const target = member as MemberFields;
  const { display, type, $ref } = update;
  if (display === null) delete target.display;
  else if (display !== undefined) target.display = display;
  if (type === null) delete target.type;
  else if (type !== undefined) target.type = type;
  if ($ref === null) delete target.$ref;
  else if ($ref !== undefined) target.$ref = $ref;
}

/**
 * Members: an update writes `display`, `type` and `$ref` only (what the Group normalizer makes),
 * and two members are the same when those and `value` match and neither has other keys.
 */
const MEMBER_SHAPE: ItemShape = /* @__PURE__ */ Object.freeze({
  update(member: KeyedItem, update: MemberUpdate): KeyedItem {
    const fields = member as MemberFields;
    if (unchanged(fields, 'display', update.display) && unchanged(fields, 'type', update.type) && unchanged(fields, '$ref', update.$ref)) {
      return member;
    }
    const next = copyItem(member);
    updateOwnedMember(next, update);
    return next;
  },
  updateOwned: updateOwnedMember,
  same(a: KeyedItem, b: KeyedItem): boolean {
    const x = a as GroupMember;
    const y = b as GroupMember;
    if (x.value !== y.value || x.display !== y.display || x.type !== y.type || x.$ref !== y.$ref) return false;
    return countOwnKeys(a) === countOwnKeys(b);
  },
});

function memberMatchOptions(options: ResolvedOptions): MatchOptions {
  const valueCaseExact = options.memberValueCaseExact;
  return { isCaseExact: (attribute: AttributePath) => valueCaseExact && attribute.name === 'value' };
}

/** The Group API's members: identity and filters as its options say, its own messages. */
function memberSettings(options: ResolvedOptions): Partial<KeyedListSettings> {
  return {
    keyOf: memberKeyFunction(options),
    matchOptions: memberMatchOptions(options),
    shape: MEMBER_SHAPE,
    noun: 'members',
    immutableValue: "a member's value is immutable",
    invalidStored: invalidStoredGroup,
    identityInAnyCase: false,
  };
}

// ----- the Group on the engine ------------------------------------------------------------------

/** The Group schema's definitions the Group API writes. */
interface GroupAttributes {
  readonly schemas: ResourceSchemas;
  readonly displayName: AttributeDefinition;
  readonly externalId: AttributeDefinition;
  readonly members: AttributeDefinition;
}

let groupAttributes: GroupAttributes | undefined;

function groupSchema(): GroupAttributes {
  if (groupAttributes !== undefined) return groupAttributes;
  const schemas = resourceSchemas(GROUP_SCHEMA_DEFINITION, undefined);
  const find = (name: string): AttributeDefinition => {
    const attribute = schemas.core.attributes.get(name) ?? schemas.common.get(name);
    if (attribute === undefined) throw new ScimError({ status: 500, detail: `the Group schema has no ${name}` });
    return attribute;
  };
  groupAttributes = { schemas, displayName: find('displayname'), externalId: find('externalid'), members: find('members') };
  return groupAttributes;
}

function checkStoredGroup(group: unknown): asserts group is Group {
  if (!isObject(group)) throw invalidStoredGroup('the group is not an object');
  if (typeof group.displayName !== 'string') throw invalidStoredGroup('displayName is not a string');
  // null is unassigned (RFC 7643 §2.5): a stored `members: null` is no members, `meta: null` none.
  if (group.members != null && !Array.isArray(group.members)) {
    throw invalidStoredGroup('members is not an array');
  }
  if (group.meta != null && !isObject(group.meta)) {
    throw invalidStoredGroup('meta is not an object');
  }
}

function applyExternalId(draft: ResourceDraft, attribute: AttributeDefinition, externalId: string | null, operationIndex: number, options: ResolvedOptions): void {
  // A stored `null` is unassigned (RFC 7643 §2.5): removing it again changes nothing.
  const current = (draft.get(attribute) ?? undefined) as string | undefined;
  const next = externalId ?? undefined;
  if (current === next) return;
  if (options.externalIdMutability === 'immutable' && current !== undefined) {
    throw badRequest('mutability', `Operations[${String(operationIndex)}]: externalId is immutable and already set`);
  }
  draft.set(attribute, next);
}

/** The group's member list, made on the first member change. */
class MemberList {
  private list: KeyedList | undefined;

  constructor(
    private readonly draft: ResourceDraft,
    private readonly attribute: AttributeDefinition,
    private readonly options: ResolvedOptions,
  ) {}

  get(): KeyedList {
    return (this.list ??= this.draft.keyedList(this.attribute, memberSettings(this.options)));
  }
}

/**
 * Objects whose maps a request would otherwise let die (see shapes.ts): a draft and a member list;
 * the list's copies of members in the usual key orders (a copy is built key by key, in the stored
 * order); the summary's `{ members }` of values added or removed.
 */
function groupSamples(attributes: GroupAttributes, options: ResolvedOptions): object {
  const draft = new ResourceDraft({}, attributes.schemas, options, { explicitTouchedLists: true, checkStoredLists: false });
  const copies = MEMBER_KEY_ORDERS.map((keys) => copyItem(Object.fromEntries(keys.map((key) => [key, ''])) as unknown as KeyedItem));
  const summary: Record<string, unknown[]> = {};
  summary.members = [];
  return [new MemberList(draft, attributes.members, options), copies, summary];
}

const MEMBER_KEY_ORDERS = [
  ['value'],
  ['value', 'display'],
  ['value', 'display', 'type'],
  ['value', 'type'],
  ['value', '$ref'],
  ['value', 'display', '$ref'],
  ['value', '$ref', 'display'],
  ['value', 'display', 'type', '$ref'],
];

function applyChange(draft: ResourceDraft, change: GroupChange, members: MemberList, attributes: GroupAttributes, options: ResolvedOptions): void {
  switch (change.kind) {
    case 'setDisplayName':
      draft.set(attributes.displayName, change.displayName);
      return;
    case 'setExternalId':
      applyExternalId(draft, attributes.externalId, change.externalId, change.operationIndex, options);
      return;
    case 'addMembers':
      members.get().add(change.members);
      return;
    case 'removeMembers':
      members.get().removeValues(change.values);
      return;
    case 'removeMembersWhere':
      members.get().removeWhere(change.filter);
      return;
    case 'replaceMembers':
      members.get().replaceAll(change.members);
      return;
    case 'updateMembers': {
      const matched = members.get().update(change);
      if (change.requireMatch && matched === 0) {
        throw badRequest('noTarget', `Operations[${String(change.operationIndex)}].path: the filter matches no member`);
      }
      return;
    }
    default:
      assertNever(change);
  }
}

/**
 * Applies normalized changes to a group, in order, all or nothing.
 *
 * @param group - the stored group; never modified.
 * @param changes - changes from `normalizePatchRequest`.
 * @param options - member identity, externalId mutability and the clock.
 * @returns the new group (the same object when nothing changed) and a change summary.
 * @throws ScimError 400 `noTarget` or `mutability` when a change cannot apply; 500 when the
 * stored group itself is invalid.
 * @example
 * ```ts
 * const { group: next, summary } = applyGroupChanges(group, normalizePatchRequest(body))
 * if (summary.changed) await save(next)
 * ```
 * @see RFC 7644 §3.5.2
 */
export function applyGroupChanges<G extends Group>(group: G, changes: readonly GroupChange[], options?: PatchOptions): PatchOutcome<G> {
  return applyResolved(group, changes, resolveOptions(options));
}

/** `applyGroupChanges` with options already resolved. */
export function applyResolved<G extends Group>(group: G, changes: readonly GroupChange[], options: ResolvedOptions): PatchOutcome<G> {
  checkStoredGroup(group);
  const attributes = groupSchema();
  const draft = new ResourceDraft(group as unknown as Readonly<Record<string, unknown>>, attributes.schemas, options, {
    explicitTouchedLists: true,
    checkStoredLists: options.storedGroupCheck === 'full',
  });
  const members = new MemberList(draft, attributes.members, options);
  keepShapeOnce(MemberList, () => groupSamples(attributes, options));
  for (const change of changes) {
    try {
      applyChange(draft, change, members, attributes, options);
    } catch (error) {
      throw atOperation(error, change.operationIndex);
    }
  }
  const { resource, summary, outcomes } = draft.finish();
  if (!summary.changed) return { group, summary: NO_CHANGE };
  const outcome = outcomes.get(attributes.members);
  const membersChanged = outcome?.changed === true;
  return {
    group: resource as unknown as G,
    summary: {
      changed: true,
      attributesChanged: CHANGED_ATTRIBUTES.filter((name) => (name === 'members' ? membersChanged : summary.attributesChanged.includes(name))),
      membersAdded: membersChanged ? outcome.added : [],
      membersRemoved: membersChanged ? outcome.removed : [],
      membersUpdated: membersChanged ? outcome.updated : [],
    },
  };
}
