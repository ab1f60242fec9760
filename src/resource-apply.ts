/**
 * The changes of `applyPatch` on any resource: normalized changes applied, in order and all or
 * nothing, to the resource's draft (`draft.ts`), driven by its schema definitions.
 *
 * - RFC 7643 §2.2 characteristics decide: readOnly targets are 400 mutability (readOnly values
 *   inside a value are ignored); an immutable value can be set once; a required attribute cannot
 *   be removed; types are checked; filters compare by each sub-attribute's type and caseExact.
 * - Multi-valued attributes (RFC 7644 §3.5.2): an added value already present is no change; a
 *   remove with a value list removes only the values listed; at most one value is primary.
 * - Adding the first attribute of an extension adds its URN to `schemas`; removing the last one
 *   removes the extension object and its URN.
 *
 * @see RFC 7644 §3.5.2, RFC 7643 §2
 */
import { invalidStoredResource, isAssigned, matchOptionsFor, ResourceDraft, sameValue, type DraftResult, type Mutable, type ScimResource } from './draft.js';
import { atOperation, badRequest, type ScimError } from './errors.js';
import { filterTest, getOwnAttribute, matchesFilter, ownKeyOf, writeKey } from './filter.js';
import type { KeyedItem, KeyedUpdate } from './keyed-list.js';
import type { ResolvedOptions } from './options.js';
import type { Filter } from './path.js';
import { resolveValueKey, type PathResolution, type ResourceSchemas, type ResourceTarget } from './resource-path.js';
import { keyedIdentity, type AttributeDefinition } from './resource-schema.js';
import {
  cloneJson,
  readBoolean,
  readItem,
  type ComplexValue,
  type ValueLeniency,
} from './resource-values.js';
import { isObject, setOwn } from './json.js';
import { keepShapeOnce } from './shapes.js';
import { clip } from './text.js';
import type { ResourceChange } from './resource-normalize.js';

/** Every leniency of the engine, each a named switch. */
export interface Leniency extends ValueLeniency, PathResolution {
  /**
   * `add`/`replace` on `attr[sub eq "x"]…` when no value matches creates `{sub: "x", …}` (Entra's
   * `emails[type eq "work"].value`, the Microsoft SCIM Validator), for any `sub` but `value`;
   * otherwise 400 noTarget.
   */
  readonly createOnEqualityFilter: boolean;
}

function mutability(label: string, detail: string): ScimError {
  return badRequest('mutability', `${label}: ${detail}`);
}

/** RFC 7644 §3.5.2.1: a stored value "already present": equal on every sub-attribute the added one gives. */
function covers(attribute: AttributeDefinition, stored: unknown, added: unknown): boolean {
  if (attribute.type !== 'complex') return sameValue(attribute, stored, added);
  if (!isObject(stored) || !isObject(added)) return false;
  const keyed = identityOf(attribute);
  if (keyed !== undefined) return sameValue(keyed, stored[keyed.name], added[keyed.name]);
  // `primary` marks a value rather than telling values apart: Entra re-sends a stored email with
  // `primary: true`, which makes the stored one primary instead of adding a copy.
  return Object.keys(added).every(
    (key) => key.toLowerCase() === 'primary' || sameValue(attribute.subAttributes.get(key.toLowerCase()), stored[ownKeyOf(stored, key) ?? key], added[key]),
  );
}

/**
 * The sub-attribute that identifies a value on its own: `value`, when it is immutable (Group
 * `members`, a custom `owners`). Values of other attributes (emails) are told apart by content.
 */
function identityOf(attribute: AttributeDefinition): AttributeDefinition | undefined {
  const value = attribute.subAttributes.get('value');
  return value?.mutability === 'immutable' ? value : undefined;
}

/**
 * The values of a list by their `value` (folded as its caseExact says), so that finding a value
 * "already present" costs one lookup instead of a pass over the list. Values without a string
 * `value`, and lookups of such values, fall back to the whole list.
 */
class ValueIndex {
  private readonly byValue = new Map<string, unknown[]>();
  private readonly rest: unknown[] = [];
  private readonly all: unknown[] = [];
  private readonly valueDefinition: AttributeDefinition | undefined;

  constructor(private readonly attribute: AttributeDefinition, values: readonly unknown[]) {
    this.valueDefinition = attribute.type === 'complex' ? attribute.subAttributes.get('value') : attribute;
    for (const value of values) this.add(value);
    keepShapeOnce(ValueIndex, () => new ValueIndex(attribute, []));
  }

  private indexKeyOf(value: unknown): string | undefined {
    const item = this.attribute.type === 'complex' ? (isObject(value) ? value[ownKeyOf(value, 'value') ?? 'value'] : undefined) : value;
    if (typeof item !== 'string' || this.valueDefinition === undefined || this.valueDefinition.type === 'dateTime') return undefined;
    return this.valueDefinition.caseExact ? item : item.toLowerCase();
  }

  add(value: unknown): void {
    this.all.push(value);
    const key = this.indexKeyOf(value);
    if (key === undefined) {
      this.rest.push(value);
      return;
    }
    const bucket = this.byValue.get(key);
    if (bucket === undefined) this.byValue.set(key, [value]);
    else bucket.push(value);
  }

  /** The values that may equal `value` on `value`: the rest cannot cover it, nor it them. */
  private candidates(value: unknown): readonly unknown[] {
    const key = this.indexKeyOf(value);
    if (key === undefined) return this.all;
    const bucket = this.byValue.get(key);
    if (this.rest.length === 0) return bucket ?? [];
    return bucket === undefined ? this.rest : [...bucket, ...this.rest];
  }

  /** A value of the index that covers `value` (equal on every sub-attribute `value` gives), if any. */
  covering(value: unknown): unknown {
    return this.candidates(value).find((stored) => covers(this.attribute, stored, value));
  }

  /** A value of the index equal to `value` on the sub-attributes of both. */
  same(value: unknown): unknown {
    return this.candidates(value).find((kept) => covers(this.attribute, kept, value) && covers(this.attribute, value, kept));
  }

  /** Whether `stored` covers some value of the index (the reverse of `covering`). */
  coveredBy(stored: unknown): boolean {
    return this.candidates(stored).some((listed) => covers(this.attribute, stored, listed));
  }
}

/**
 * The values of a list by one sub-attribute (read as filters spell it, folded as its caseExact
 * says), for a request that selects values by `attr[sub eq "text"]` again and again: the values a
 * filter may select cost a lookup instead of a pass. A bucket holds, in list order, every value
 * whose sub-attribute folds to its key when it was added; the filter still tests each value found,
 * so a value whose sub-attribute was written since may be there, but a value that matches is never
 * missing (a write of the sub-attribute drops the index) and a removed one is never there.
 */
class EqualityIndex {
  private readonly buckets = new Map<string, unknown[]>();
  /** False once a value holds an object or a list there: compared by its own `value`, it may match any text. */
  private complete = true;

  constructor(private readonly name: string, private readonly fold: (text: string) => string, values: readonly unknown[]) {
    this.add(values);
    keepShapeOnce(EqualityIndex, () => new EqualityIndex(name, fold, []));
  }

  private keyOf(value: unknown): string | undefined {
    const item = isObject(value) ? getOwnAttribute(value, this.name) : undefined;
    if (typeof item === 'object' && item !== null) this.complete = false;
    return typeof item === 'string' ? this.fold(item) : undefined;
  }

  /** Indexes values appended to the list. */
  add(values: readonly unknown[]): void {
    for (const value of values) {
      const key = this.keyOf(value);
      if (key === undefined) continue;
      const bucket = this.buckets.get(key);
      if (bucket === undefined) this.buckets.set(key, [value]);
      else bucket.push(value);
    }
  }

  /** Forgets values removed from the list: a pass over each bucket they were in. */
  delete(values: ReadonlySet<unknown>): void {
    for (const value of values) {
      const key = this.keyOf(value);
      const bucket = key === undefined ? undefined : this.buckets.get(key);
      if (key !== undefined && bucket?.includes(value) === true) this.buckets.set(key, bucket.filter((item) => !values.has(item)));
    }
  }

  /** The values that may equal `text`, in list order; undefined when the index cannot tell. */
  candidates(text: string): readonly unknown[] | undefined {
    return this.complete ? (this.buckets.get(this.fold(text)) ?? []) : undefined;
  }
}

/**
 * A filter made once into a test of the values of a multi-valued attribute (a simple value is read
 * as `{value}`), so that a pass over the list asks the schema nothing per value.
 */
function valueTest(attribute: AttributeDefinition, filter: Filter): (value: unknown) => boolean {
  const test = filterTest(filter, matchOptionsFor(attribute));
  return attribute.type === 'complex' ? (value) => isObject(value) && test(value) : (value) => test({ value });
}

/** Whether a value is marked primary, whatever case its stored `primary` key has (RFC 7643 §2.1). */
function isPrimary(record: Readonly<Record<string, unknown>>): boolean {
  return record[ownKeyOf(record, 'primary') ?? 'primary'] === true;
}

/** Entra's `roles[primary eq "True"]`: string literals compared with booleans read as booleans. */
function withBooleanLiterals(filter: Filter, attribute: AttributeDefinition, leniency: Leniency): Filter {
  switch (filter.kind) {
    case 'compare': {
      if (typeof filter.value !== 'string' || attribute.subAttributes.get(filter.attribute.name.toLowerCase())?.type !== 'boolean') return filter;
      const read = readBoolean(filter.value, leniency);
      return read === undefined ? filter : { ...filter, value: read };
    }
    case 'and':
    case 'or':
      return { ...filter, filters: filter.filters.map((item) => withBooleanLiterals(item, attribute, leniency)) };
    case 'not':
      return { ...filter, filter: withBooleanLiterals(filter.filter, attribute, leniency) };
    default:
      return filter;
  }
}

const NO_VALUES: ReadonlySet<unknown> = new Set();

/** The draft of a resource under `applyPatch`'s changes. */
class ChangeDraft extends ResourceDraft {
  /** What each attribute a change names resolves to: a request names a few attributes many times. */
  private readonly targets = new Map<string, ResourceTarget>();
  /**
   * Lists with at most one primary value since their last check (`onePrimary`): only a write that
   * may make a value primary needs another pass over them.
   */
  private readonly checkedPrimaries = new Set<unknown[]>();
  /** Equality indexes of owned lists, by list and by the sub-attribute's name as filters spell it; `false` once dropped. */
  private readonly indexes = new Map<unknown[], Map<string, EqualityIndex | false>>();
  /** The sub-attributes some list is indexed by (or was filtered by once): a write of another needs no look at the indexes. */
  private readonly indexedBy = new Set<AttributeDefinition>();

  constructor(base: ScimResource, schemas: ResourceSchemas, private readonly leniency: Leniency, options: ResolvedOptions) {
    super(base, schemas, options);
  }

  /** The attribute's list, copied once so that it may be changed in place. */
  private list(attribute: AttributeDefinition, label: string): unknown[] {
    const current = this.get(attribute);
    if (Array.isArray(current) && this.owned.has(current)) return current;
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      throw invalidStoredResource(`${attribute.path} is not a list`);
    }
    const copy = Array.isArray(current) ? current.map(cloneJson) : [];
    for (const item of copy) if (typeof item === 'object' && item !== null) this.owned.add(item);
    this.owned.add(copy);
    this.set(attribute, copy);
    this.charge(copy.length, label);
    return copy;
  }

  /** A single complex value, copied once so that it may be changed in place (created if absent). */
  private complex(attribute: AttributeDefinition): Mutable {
    const current = this.get(attribute);
    if (isObject(current) && this.owned.has(current)) return current;
    if (current !== undefined && current !== null && !isObject(current)) {
      throw invalidStoredResource(`${attribute.path} is not an object`);
    }
    const copy = (isObject(current) ? cloneJson(current) : {}) as Mutable;
    this.owned.add(copy);
    this.set(attribute, copy);
    return copy;
  }

  /** Passes over a list are bounded per request, like the Group API's scans. */
  private charge(count: number, label: string): void {
    this.budget.scanned += count;
    if (this.budget.scanned > this.budget.max) {
      throw badRequest('tooMany', `${label}: operations of this request would examine more than ${String(this.options.limits.maxScannedMembers)} values`);
    }
  }

  /**
   * The values of an owned list that a filter may select, in list order: for `attr[sub eq "text"]`
   * a bucket of an equality index, made at the first such filter; otherwise the list.
   */
  private candidates(attribute: AttributeDefinition, list: unknown[], filter: Filter): readonly unknown[] {
    if (filter.kind !== 'compare' || filter.operator !== 'eq' || typeof filter.value !== 'string' || attribute.type !== 'complex') return list;
    const { uri, name, subAttribute } = filter.attribute;
    const sub = attribute.subAttributes.get(name.toLowerCase());
    if (sub === undefined || sub.type === 'dateTime' || uri !== undefined || subAttribute !== undefined) return list;
    this.indexedBy.add(sub);
    let byName = this.indexes.get(list);
    if (byName === undefined) this.indexes.set(list, (byName = new Map<string, EqualityIndex | false>()));
    let index = byName.get(name);
    if (index === undefined) byName.set(name, (index = new EqualityIndex(name, sub.caseExact ? (text) => text : (text) => text.toLowerCase(), list)));
    return (index === false ? undefined : index.candidates(filter.value)) ?? list;
  }

  /** Keeps the indexes of a list in step with values appended to it or removed from it. */
  private reindex(list: unknown[], added: readonly unknown[], removed: ReadonlySet<unknown> = NO_VALUES): void {
    for (const index of this.indexes.get(list)?.values() ?? []) {
      if (index === false) continue;
      index.add(added);
      index.delete(removed);
    }
  }

  /** A sub-attribute written on a value: an index by it may miss a value now, so it is dropped for the request. */
  private dropIndexes(written: string): void {
    const lower = written.toLowerCase();
    for (const byName of this.indexes.values()) for (const name of byName.keys()) if (name.toLowerCase() === lower) byName.set(name, false);
  }

  // ----- changes ------------------------------------------------------------------------------

  /** What a change's attribute names: resolved again, so a change list from elsewhere is checked too. */
  private targetOf(change: ResourceChange, label: string): ResourceTarget {
    let target = this.targets.get(change.attribute);
    if (target === undefined) {
      // The request's path was checked against maxPathLength when it was validated; the change names
      // the attribute by its full path (`urn:…:enterprise:2.0:User:manager`), which may be longer.
      const limits = { maxLength: Number.MAX_SAFE_INTEGER, maxDepth: this.options.limits.maxFilterDepth };
      target = resolveValueKey(this.schemas, change.attribute, `${label}.path`, limits, this.leniency);
      this.targets.set(change.attribute, target);
    }
    if (target.kind === 'extension') return target;
    const { attribute } = target;
    const filter = change.filter;
    if (change.subAttribute === undefined) return filter === undefined ? target : { kind: 'attribute', attribute, filter, sub: target.sub };
    const sub = attribute.subAttributes.get(change.subAttribute.toLowerCase());
    if (sub === undefined) throw badRequest('invalidPath', `${label}.path: '${attribute.name}' has no sub-attribute '${clip(change.subAttribute)}'`);
    return { kind: 'attribute', attribute, filter, sub };
  }

  apply(change: ResourceChange): void {
    const label = `Operations[${String(change.operationIndex)}]`;
    const target = this.targetOf(change, label);
    if (target.kind === 'attribute' && keyedIdentity(target.attribute) !== undefined) {
      this.applyKeyed(change, target.attribute, target.filter, target.sub, label);
      return;
    }
    if (change.op === 'remove') {
      this.remove(target, change.value, label);
      return;
    }
    if (target.kind === 'extension') throw badRequest('invalidPath', `${label}.path: '${change.op}' names the attributes of ${target.schema.id}, not the extension`);
    const { attribute, filter, sub } = target;
    const value = change.value;
    const valueLabel = `${label}.value`;
    if (filter !== undefined) {
      this.writeMatching(attribute, filter, sub, value, label);
      return;
    }
    if (sub !== undefined) {
      if (attribute.multiValued) this.writeEverySub(attribute, sub, value, valueLabel);
      else this.writeSub(this.complex(attribute), sub, value, valueLabel);
      return;
    }
    if (attribute.multiValued) {
      const values = Array.isArray(value) ? value : [];
      if (change.op === 'add') this.addValues(attribute, values, valueLabel);
      else this.replaceValues(attribute, values, valueLabel);
      return;
    }
    this.writeSingle(attribute, value, valueLabel);
  }

  /** A single-valued attribute: `null` unassigns, a complex value merges, a simple one is set. */
  private writeSingle(attribute: AttributeDefinition, value: unknown, label: string): void {
    if (value === null || value === undefined) {
      this.unassign(attribute, label);
      return;
    }
    if (attribute.type === 'complex' && isObject(value)) {
      const record = this.complex(attribute);
      this.merge(attribute, record, value, label);
      if (Object.keys(record).length === 0) this.set(attribute, undefined);
      return;
    }
    this.checkImmutable(attribute, this.get(attribute), value, label);
    this.set(attribute, value);
  }

  private checkImmutable(definition: AttributeDefinition, current: unknown, next: unknown, label: string): void {
    if (definition.mutability === 'immutable' && isAssigned(current) && !sameValue(definition, current, next)) {
      throw mutability(label, `${definition.path} is immutable and already set`);
    }
  }

  /** Sets (or with null removes) one sub-attribute of a complex value. */
  private writeSub(record: Mutable, sub: AttributeDefinition, value: unknown, label: string): void {
    if (this.indexedBy.has(sub)) this.dropIndexes(sub.name);
    const key = ownKeyOf(record, sub.name);
    const current = key === undefined ? undefined : record[key];
    if (value === null) {
      if (sub.required) throw mutability(label, `${sub.path} is required and cannot be removed`);
      if (sub.mutability === 'immutable' && isAssigned(current)) throw mutability(label, `${sub.path} is immutable and already set`);
      if (key !== undefined) Reflect.deleteProperty(record, key);
      return;
    }
    this.checkImmutable(sub, current, value, label);
    if (key !== undefined && key !== sub.name) Reflect.deleteProperty(record, key);
    record[sub.name] = value;
  }

  /** Sets the given sub-attributes on a complex value and keeps the others (RFC 7644 §3.5.2.3). */
  private merge(attribute: AttributeDefinition, record: Mutable, value: ComplexValue, label: string): void {
    for (const name of Object.keys(value)) {
      const sub = attribute.subAttributes.get(name.toLowerCase()) as AttributeDefinition;
      this.writeSub(record, sub, value[name], `${label}.${name}`);
    }
  }

  /** `emails.display`: one sub-attribute of every value. */
  private writeEverySub(attribute: AttributeDefinition, sub: AttributeDefinition, value: unknown, label: string): void {
    const list = this.list(attribute, label);
    this.charge(list.length, label);
    for (const record of list) {
      if (!isObject(record)) throw invalidStoredResource(`${attribute.path} holds a value that is not an object`);
      this.writeSub(record, sub, value, label);
    }
    this.onePrimary(attribute, list, label, undefined, sub === attribute.subAttributes.get('primary'));
  }

  private writeMatching(attribute: AttributeDefinition, rawFilter: Filter, sub: AttributeDefinition | undefined, value: unknown, label: string): void {
    const filter = withBooleanLiterals(rawFilter, attribute, this.leniency);
    const valueLabel = `${label}.value`;
    if (!attribute.multiValued) {
      // A single complex value selected by a filter (`manager[value eq "x"]`).
      const current = this.get(attribute);
      if (!isObject(current) || !matchesFilter(filter, current, matchOptionsFor(attribute))) {
        throw badRequest('noTarget', `${label}.path: the filter matches no value of ${attribute.path}`);
      }
      if (sub === undefined) this.writeSingle(attribute, value, valueLabel);
      else this.writeSub(this.complex(attribute), sub, value, valueLabel);
      return;
    }
    const list = this.list(attribute, label);
    const matches = valueTest(attribute, filter);
    this.charge(list.length, label);
    if (attribute.type !== 'complex') {
      // `skills[value eq "go"]`: the matching values are replaced by the one given.
      let found = false;
      for (let i = 0; i < list.length; i++) {
        if (!matches(list[i])) continue;
        found = true;
        list[i] = value;
      }
      if (!found) throw badRequest('noTarget', `${label}.path: the filter matches no value of ${attribute.path}`);
      return;
    }
    const matched = this.candidates(attribute, list, filter).filter(matches) as Mutable[];
    if (matched.length === 0) {
      const created = this.created(attribute, filter, sub, value, valueLabel);
      if (created === undefined) throw badRequest('noTarget', `${label}.path: the filter matches no value of ${attribute.path}`);
      list.push(created);
      this.reindex(list, [created]);
      this.onePrimary(attribute, list, valueLabel, created, true);
      return;
    }
    for (const record of matched) {
      if (sub !== undefined) this.writeSub(record, sub, value, valueLabel);
      else if (isObject(value)) this.merge(attribute, record, value, valueLabel);
    }
    const primary = matched.filter((record) => isPrimary(record));
    if (primary.length > 1) throw badRequest('invalidValue', `${valueLabel}: at most one value of ${attribute.path} can be primary`);
    // Only a write of `primary` can make a value primary.
    const writesPrimary = sub === undefined ? isObject(value) && ownKeyOf(value, 'primary') !== undefined : sub === attribute.subAttributes.get('primary');
    this.onePrimary(attribute, list, valueLabel, primary[0], writesPrimary);
  }

  /**
   * The value `add`/`replace` creates when a filter of one equality matched nothing: Entra's
   * `emails[type eq "work"].value` on a user without a work email becomes `{type: "work", value}`.
   */
  private created(attribute: AttributeDefinition, filter: Filter, sub: AttributeDefinition | undefined, value: unknown, label: string): Mutable | undefined {
    if (!this.leniency.createOnEqualityFilter || filter.kind !== 'compare' || filter.operator !== 'eq' || filter.value === null) return undefined;
    const key = attribute.subAttributes.get(filter.attribute.name.toLowerCase());
    // Only a discriminator (`type`, `primary`) makes a value: a filter on `value` aims at a value
    // that should exist, and creating one from the filter would invent data.
    if (key === undefined || key.name === 'value' || filter.attribute.subAttribute !== undefined || key.mutability === 'readOnly') return undefined;
    const record: Mutable = { [key.name]: readItem(key, filter.value, `${label} (the filter's value)`, this.leniency) };
    this.owned.add(record);
    if (sub !== undefined) this.writeSub(record, sub, value, label);
    else if (isObject(value)) this.merge(attribute, record, value, label);
    for (const definition of attribute.subAttributes.values()) {
      if (definition.required && !isAssigned(record[definition.name])) {
        throw badRequest('invalidValue', `${label}: the value created for the filter has no ${definition.path}, which is required`);
      }
    }
    return record;
  }

  /**
   * RFC 7643 §2.4: at most one value is primary; the one just made primary wins. A list checked
   * before is passed over again only when the write may have made a value primary (`mayAdd`):
   * otherwise it still has at most one, and a stored list with two is refused by its first check.
   */
  private onePrimary(attribute: AttributeDefinition, list: unknown[], label: string, winner: unknown, mayAdd: boolean): void {
    const primary = attribute.subAttributes.get('primary');
    if (primary === undefined || (!mayAdd && this.checkedPrimaries.has(list))) return;
    const chosen = list.filter((record) => isObject(record) && isPrimary(record));
    if (chosen.length > 1) {
      if (winner === undefined || !chosen.includes(winner)) {
        throw badRequest('invalidValue', `${label}: at most one value of ${attribute.path} can be primary`);
      }
      // A boolean written never matches the text an index is asked for: the indexes stay right.
      for (const record of chosen) if (record !== winner) writeKey(record as Mutable, primary.name, false);
    }
    this.checkedPrimaries.add(list);
  }

  private addValues(attribute: AttributeDefinition, values: readonly unknown[], label: string): void {
    if (values.length === 0) return;
    this.checkPrimaries(attribute, values, label);
    const list = this.list(attribute, label);
    this.charge(list.length, label);
    const index = new ValueIndex(attribute, list);
    let winner: unknown;
    let mayAdd = false;
    for (const value of values) {
      const present = index.covering(value);
      if (present !== undefined) {
        // Re-adding a value that is there, now as primary, makes it the primary one.
        if (isObject(value) && value.primary === true && isObject(present)) {
          writeKey(present, 'primary', true);
          winner = present;
          mayAdd = true;
        }
        continue;
      }
      if (typeof value === 'object' && value !== null) this.owned.add(value);
      list.push(value);
      this.reindex(list, [value]);
      index.add(value);
      if (isObject(value) && value.primary === true) winner = value;
      mayAdd ||= isObject(value) && isPrimary(value);
    }
    this.onePrimary(attribute, list, label, winner, mayAdd);
  }

  private replaceValues(attribute: AttributeDefinition, values: readonly unknown[], label: string): void {
    // Absent and [] are the same state (RFC 7643 §2.5): an empty list leaves an absent attribute absent.
    if (values.length === 0 && !isAssigned(this.get(attribute))) return;
    this.checkPrimaries(attribute, values, label);
    const list: unknown[] = [];
    const index = new ValueIndex(attribute, []);
    for (const value of values) {
      if (index.same(value) !== undefined) continue;
      if (typeof value === 'object' && value !== null) this.owned.add(value);
      list.push(value);
      index.add(value);
    }
    this.checkImmutable(attribute, this.get(attribute), list, label);
    this.owned.add(list);
    this.set(attribute, list);
  }

  private checkPrimaries(attribute: AttributeDefinition, values: readonly unknown[], label: string): void {
    if (values.filter((value) => isObject(value) && value.primary === true).length > 1) {
      throw badRequest('invalidValue', `${label}: at most one value of ${attribute.path} can be primary`);
    }
  }

  private unassign(attribute: AttributeDefinition, label: string): void {
    const current = this.get(attribute);
    if (attribute.required) throw mutability(label, `${attribute.path} is required and cannot be removed`);
    if (attribute.mutability === 'immutable' && isAssigned(current)) throw mutability(label, `${attribute.path} is immutable and already set`);
    if (current === undefined) return;
    this.set(attribute, attribute.multiValued ? [] : undefined);
  }

  private remove(target: ResourceTarget, listedValues: unknown, label: string): void {
    const pathLabel = `${label}.path`;
    if (target.kind === 'extension') {
      const object = this.extensionObject(target.schema, false);
      if (object === undefined) return;
      // Removing the object removes each attribute in it: an immutable one that is set refuses, as
      // a remove of that attribute does.
      for (const name of Object.keys(object)) {
        const attribute = target.schema.attributes.get(name.toLowerCase());
        if (attribute?.mutability === 'immutable' && isAssigned(object[name])) {
          throw mutability(pathLabel, `${attribute.path} is immutable and already set, so ${target.schema.id} cannot be removed`);
        }
      }
      this.touchedExtensions.add(target.schema);
      this.forgetKeyedLists(target.schema);
      const key = ownKeyOf(this.root, target.schema.id);
      if (key !== undefined) Reflect.deleteProperty(this.root, key);
      return;
    }
    const { attribute, filter, sub } = target;
    if (filter !== undefined) {
      this.removeMatching(attribute, withBooleanLiterals(filter, attribute, this.leniency), sub, pathLabel);
      return;
    }
    if (sub !== undefined) {
      this.removeSub(attribute, sub, pathLabel);
      return;
    }
    if (attribute.multiValued && Array.isArray(listedValues)) {
      // Entra's remove: the value lists the values to remove. It never means "remove all".
      const listed: readonly unknown[] = listedValues;
      if (listed.length === 0 || !isAssigned(this.get(attribute))) return;
      const list = this.list(attribute, pathLabel);
      this.charge(list.length, pathLabel);
      const index = new ValueIndex(attribute, listed);
      const kept = list.filter((stored) => !index.coveredBy(stored));
      if (kept.length !== list.length) {
        this.checkImmutable(attribute, list, kept, pathLabel);
        list.length = 0;
        list.push(...kept);
        this.indexes.delete(list);
      }
      return;
    }
    this.unassign(attribute, pathLabel);
  }

  /** `remove attr.sub`: the sub-attribute of the complex value, or of every value of a list. */
  private removeSub(attribute: AttributeDefinition, sub: AttributeDefinition, label: string): void {
    if (attribute.multiValued) {
      if (!isAssigned(this.get(attribute))) return;
      const list = this.list(attribute, label);
      this.charge(list.length, label);
      for (const record of list) {
        if (isObject(record)) this.writeSub(record, sub, null, label);
      }
      return;
    }
    if (!isObject(this.get(attribute))) return;
    const record = this.complex(attribute);
    this.writeSub(record, sub, null, label);
    if (Object.keys(record).length === 0) this.set(attribute, undefined);
  }

  private removeMatching(attribute: AttributeDefinition, filter: Filter, sub: AttributeDefinition | undefined, label: string): void {
    if (!attribute.multiValued) {
      const current = this.get(attribute);
      if (!isObject(current) || !matchesFilter(filter, current, matchOptionsFor(attribute))) return;
      if (sub === undefined) this.unassign(attribute, label);
      else this.removeSub(attribute, sub, label);
      return;
    }
    const current = this.get(attribute);
    if (!Array.isArray(current) || current.length === 0) return;
    this.charge(current.length, label);
    const matches = valueTest(attribute, filter);
    // Only owned lists are indexed: the stored one is copied at its first change.
    const candidates = this.owned.has(current) ? this.candidates(attribute, current, filter) : current;
    if (!candidates.some(matches)) return;
    const list = this.list(attribute, label);
    const selected = (list === current ? candidates : list).filter((record) => isObject(record) && matches(record));
    if (sub !== undefined) {
      for (const record of selected) this.writeSub(record as Mutable, sub, null, label);
      return;
    }
    if (selected.length === 1 && attribute.mutability !== 'immutable') {
      list.splice(list.indexOf(selected[0]), 1);
    } else {
      const kept = list.filter((record) => !matches(record));
      this.checkImmutable(attribute, current, kept, label);
      list.length = 0;
      list.push(...kept);
    }
    this.reindex(list, [], new Set(selected));
  }

  // ----- keyed lists --------------------------------------------------------------------------

  /**
   * A change on a keyed list (`members`, `owners`): values are found by `value` in a Map, and the
   * new list is built in one pass at the end (`keyed-list.ts`). A value is never created from a
   * filter: it would have no identity.
   */
  private applyKeyed(change: ResourceChange, attribute: AttributeDefinition, rawFilter: Filter | undefined, sub: AttributeDefinition | undefined, label: string): void {
    const { op, operationIndex, value } = change;
    const pathLabel = `${label}.path`;
    const filter = rawFilter === undefined ? null : withBooleanLiterals(rawFilter, attribute, this.leniency);
    const list = this.keyedList(attribute);
    if (op === 'remove') {
      if (filter !== null && sub === undefined) {
        list.removeWhere(filter);
      } else if (sub !== undefined) {
        list.update(this.keyedUpdate(attribute, operationIndex, filter, sub, null, pathLabel, false));
      } else if (Array.isArray(value)) {
        // Entra's remove: the value lists the values to remove. It never means "remove all".
        const values = value.flatMap((item: unknown) => (isObject(item) && typeof item.value === 'string' ? [item.value] : []));
        if (values.length > 0) list.removeValues(values);
      } else {
        if (attribute.required) throw mutability(pathLabel, `${attribute.path} is required and cannot be removed`);
        list.replaceAll([]);
      }
      return;
    }
    if (filter !== null || sub !== undefined) {
      const matched = list.update(this.keyedUpdate(attribute, operationIndex, filter, sub, value, `${label}.value`, filter !== null));
      if (filter !== null && matched === 0) throw badRequest('noTarget', `${pathLabel}: the filter matches no value of ${attribute.path}`);
      return;
    }
    const values = Array.isArray(value) ? (value as readonly KeyedItem[]) : [];
    if (op === 'replace') list.replaceAll(values);
    else if (values.length > 0) list.add(values);
  }

  /**
   * The update a filtered or every-value write makes on a keyed list. The identity `value` is
   * never written: a different one is 400 mutability. Other sub-attributes are checked on each
   * value they reach, as their definitions say (required, immutable).
   */
  private keyedUpdate(
    attribute: AttributeDefinition,
    operationIndex: number,
    filter: Filter | null,
    sub: AttributeDefinition | undefined,
    value: unknown,
    label: string,
    requireMatch: boolean,
  ): KeyedUpdate {
    const identity = keyedIdentity(attribute);
    const writes: Record<string, unknown> = {};
    const checked: { readonly definition: AttributeDefinition; readonly wanted: unknown }[] = [];
    let newIdentity: string | undefined;
    const write = (definition: AttributeDefinition, wanted: unknown): void => {
      if (definition === identity && typeof wanted === 'string') {
        newIdentity = wanted;
        return;
      }
      if (definition === identity || definition.mutability === 'immutable' || (definition.required && wanted === null)) checked.push({ definition, wanted });
      if (definition !== identity) setOwn(writes, definition.name, wanted);
    };
    if (sub !== undefined) write(sub, value);
    else if (isObject(value)) for (const name of Object.keys(value)) write(attribute.subAttributes.get(name.toLowerCase()) as AttributeDefinition, value[name]);
    const check =
      checked.length === 0
        ? undefined
        : (item: KeyedItem): void => {
            const record = item as unknown as Readonly<Record<string, unknown>>;
            for (const { definition, wanted } of checked) {
              if (wanted === null && definition.required) throw mutability(label, `${definition.path} is required and cannot be removed`);
              const key = ownKeyOf(record, definition.name);
              const current = key === undefined ? undefined : record[key];
              if (definition.mutability === 'immutable' && isAssigned(current) && (wanted === null || !sameValue(definition, current, wanted))) {
                throw mutability(label, `${definition.path} is immutable and already set`);
              }
            }
          };
    return {
      operationIndex,
      filter,
      update: writes,
      requireMatch,
      ...(newIdentity === undefined ? {} : { value: newIdentity }),
      ...(check === undefined ? {} : { check }),
    };
  }
}

/**
 * Applies normalized changes to a resource, in order, all or nothing.
 *
 * @throws ScimError 400 when an operation cannot apply; 500 when the stored resource does not fit
 * its schema where an operation reads it.
 */
export function applyResourceChanges(
  resource: unknown,
  changes: readonly ResourceChange[],
  schemas: ResourceSchemas,
  leniency: Leniency,
  options: ResolvedOptions,
): DraftResult {
  if (!isObject(resource)) throw invalidStoredResource('the resource is not an object');
  const draft = new ChangeDraft(resource, schemas, leniency, options);
  keepShapeOnce(ChangeDraft, () => new ChangeDraft({}, schemas, leniency, options));
  for (const change of changes) {
    try {
      draft.apply(change);
    } catch (error) {
      throw atOperation(error, change.operationIndex);
    }
  }
  return draft.finish();
}
