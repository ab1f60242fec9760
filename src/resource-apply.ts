/**
 * The engine for any resource: checked operations applied, in order and all or nothing, to a
 * copy-on-write draft of the resource, driven by its schema definitions.
 *
 * - Only what an operation writes is copied; at the end, every attribute whose value did not
 *   change is shared with the input, and a patch that changed nothing returns the input itself.
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
import { instantOf } from './datetime.js';
import { badRequest, ScimError } from './errors.js';
import { matchesFilter, ownKeyOf, type MatchOptions } from './filter.js';
import type { ResolvedOptions } from './options.js';
import type { AttributePath, Filter } from './path.js';
import { resolveValueKey, schemaByUrn, type PathResolution, type ResourceSchemas, type ResourceTarget } from './resource-path.js';
import { keyedIdentity, type AttributeDefinition, type CompiledSchema } from './resource-schema.js';
import { KeyedList, RECORD_SHAPE, type KeyedItem, type KeyedListSettings, type KeyedOutcome, type KeyedUpdate, type ScanBudget } from './keyed-list.js';
import {
  cloneJson,
  readBoolean,
  readItem,
  sameJson,
  type ComplexValue,
  type ValueLeniency,
} from './resource-values.js';
import { isObject, setOwn } from './schema.js';
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

/** What a draft produced: the resource, its summary, and the outcome of each keyed list it built. */
export interface DraftResult {
  /** The patched resource; the input itself when nothing changed. */
  readonly resource: ScimResource;
  /** What changed. */
  readonly summary: ResourceChangeSummary;
  /** Each keyed list an operation reached, by attribute. */
  readonly outcomes: ReadonlyMap<AttributeDefinition, KeyedOutcome>;
}

/** A stored resource: a JSON object. */
export type ScimResource = Readonly<Record<string, unknown>>;

/** What a patch changed on a resource. */
export interface ResourceChangeSummary {
  /** Whether anything changed; false means the same resource object came back. */
  readonly changed: boolean;
  /**
   * The attributes whose value changed, by path: `displayName`, `name`, `emails`, and for an
   * extension attribute its full path (`urn:…:enterprise:2.0:User:manager`).
   */
  readonly attributesChanged: readonly string[];
  /** For each changed multi-valued attribute (by the same path), the values it gained. */
  readonly valuesAdded: Readonly<Record<string, readonly unknown[]>>;
  /** For each changed multi-valued attribute (by the same path), the values it lost. */
  readonly valuesRemoved: Readonly<Record<string, readonly unknown[]>>;
}

type Mutable = Record<string, unknown>;

/** A 500: the caller's stored resource does not fit its schema where the patch reads it. */
export function invalidStoredResource(detail: string): ScimError {
  return new ScimError({ status: 500, detail: `stored resource is invalid: ${detail}` });
}

function mutability(label: string, detail: string): ScimError {
  return badRequest('mutability', `${label}: ${detail}`);
}

function isAssigned(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** Compares two values of an attribute as its type and caseExact say. */
function sameValue(definition: AttributeDefinition | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    if (definition?.type === 'dateTime') {
      const instant = instantOf(a);
      return a === b || (instant !== undefined && instant === instantOf(b));
    }
    if (definition !== undefined && !definition.caseExact) return a.toLowerCase() === b.toLowerCase();
  }
  return sameJson(a, b);
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

/** Filters over a multi-valued attribute's values: each sub-attribute's type and caseExact. */
function matchOptionsFor(attribute: AttributeDefinition): MatchOptions {
  // A simple multi-valued attribute (a list of strings) is filtered as `value` (RFC 7644 §3.4.2.2).
  const sub = (path: AttributePath): AttributeDefinition | undefined =>
    attribute.type === 'complex' ? attribute.subAttributes.get(path.name.toLowerCase()) : attribute;
  return {
    isCaseExact: (path) => sub(path)?.caseExact ?? false,
    attributeType: (path) => sub(path)?.type,
  };
}

/** Whether a value of a multi-valued attribute matches a filter; a simple value is read as `{value}`. */
function matchesValue(attribute: AttributeDefinition, value: unknown, filter: Filter, options: MatchOptions): boolean {
  if (attribute.type !== 'complex') return matchesFilter(filter, { value }, options);
  return isObject(value) && matchesFilter(filter, value, options);
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

/** How a draft treats keyed lists beyond what the schema says (the Group API's settings). */
export interface DraftSettings {
  /**
   * A keyed list the patch touched but left as it was, on a resource stored without it, comes
   * back as an explicit `[]` when anything else changed (the Group API's policy row 30).
   */
  readonly explicitTouchedLists?: boolean;
  /** Report a `value` stored twice in a touched keyed list even where no operation meets it. */
  readonly checkStoredLists?: boolean;
}

const identityKey = (value: string): string => value;
const lowerCaseKey = (value: string): string => value.toLowerCase();

/** The draft of one resource during one request. */
export class ResourceDraft {
  /** A shallow copy of the resource; values are copied when first written. */
  private readonly root: Mutable;
  /** Objects and arrays this draft made, which it may change in place. */
  private readonly owned = new WeakSet();
  /** Extensions whose object a patch wrote or removed. */
  private readonly touchedExtensions = new Set<CompiledSchema>();
  /** Keyed multi-valued attributes (`members`) an operation reached, each with its list of changes. */
  private readonly keyedLists = new Map<AttributeDefinition, KeyedList>();
  /** Passes over lists, charged to `maxScannedMembers` across the request. */
  private readonly budget: ScanBudget;

  constructor(
    private readonly base: ScimResource,
    private readonly schemas: ResourceSchemas,
    private readonly leniency: Leniency,
    private readonly options: ResolvedOptions,
    private readonly settings: DraftSettings = {},
  ) {
    this.root = { ...base };
    this.owned.add(this.root);
    this.budget = { scanned: 0, max: options.limits.maxScannedMembers };
  }

  /**
   * The keyed list of an attribute that `keyedIdentity` keys, made on first use from the stored
   * list. `overrides` (the Group API's identity rule and messages) apply when it is made.
   */
  keyedList(attribute: AttributeDefinition, overrides?: Partial<KeyedListSettings>): KeyedList {
    const existing = this.keyedLists.get(attribute);
    if (existing !== undefined) return existing;
    const current = this.get(attribute);
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      throw invalidStoredResource(`${attribute.path} is not a list`);
    }
    const identity = keyedIdentity(attribute);
    const list = new KeyedList(Array.isArray(current) ? (current as readonly KeyedItem[]) : [], {
      keyOf: identity?.caseExact === false ? lowerCaseKey : identityKey,
      matchOptions: matchOptionsFor(attribute),
      budget: this.budget,
      shape: RECORD_SHAPE,
      path: attribute.path,
      noun: `values of ${attribute.path}`,
      immutableValue: `${attribute.path}.value is immutable`,
      invalidStored: invalidStoredResource,
      ...overrides,
    });
    this.keyedLists.set(attribute, list);
    return list;
  }

  // ----- reading and writing attributes -------------------------------------------------------

  private extensionOf(attribute: AttributeDefinition): CompiledSchema | undefined {
    if (attribute.schema === '' || attribute.schema === this.schemas.core.id) return undefined;
    return schemaByUrn(this.schemas, attribute.schema);
  }

  /** The object an attribute lives in: the resource, or its extension's object. */
  private holder(attribute: AttributeDefinition, create: boolean): Mutable | undefined {
    const extension = this.extensionOf(attribute);
    if (extension === undefined) return this.root;
    return this.extensionObject(extension, create);
  }

  private extensionObject(extension: CompiledSchema, create: boolean): Mutable | undefined {
    const key = ownKeyOf(this.root, extension.id);
    const current = key === undefined ? undefined : this.root[key];
    if (current !== undefined && current !== null && !isObject(current)) {
      throw invalidStoredResource(`${clip(extension.id)} is not an object`);
    }
    if (!create) return current ?? undefined;
    this.touchedExtensions.add(extension);
    if (isObject(current) && this.owned.has(current)) return current;
    const copy: Mutable = isObject(current) ? { ...current } : {};
    this.owned.add(copy);
    if (key !== undefined && key !== extension.id) Reflect.deleteProperty(this.root, key);
    this.root[extension.id] = copy;
    return copy;
  }

  get(attribute: AttributeDefinition): unknown {
    const holder = this.holder(attribute, false);
    if (holder === undefined) return undefined;
    const key = ownKeyOf(holder, attribute.name);
    return key === undefined ? undefined : holder[key];
  }

  /** Writes an attribute (in the schema's spelling); `undefined` removes it. */
  set(attribute: AttributeDefinition, value: unknown): void {
    const holder = this.holder(attribute, true) as Mutable;
    const key = ownKeyOf(holder, attribute.name);
    // A key spelled as the schema spells it keeps its place; another spelling gives way to it.
    if (key !== undefined && (value === undefined || key !== attribute.name)) Reflect.deleteProperty(holder, key);
    if (value !== undefined) holder[attribute.name] = value;
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

  // ----- changes ------------------------------------------------------------------------------

  /** What a change's attribute names: resolved again, so a change list from elsewhere is checked too. */
  private targetOf(change: ResourceChange, label: string): ResourceTarget {
    const limits = { maxLength: this.options.limits.maxPathLength, maxDepth: this.options.limits.maxFilterDepth };
    const target = resolveValueKey(this.schemas, change.attribute, `${label}.path`, limits, this.leniency);
    if (target.kind === 'extension' || change.subAttribute === undefined) {
      return change.filter === undefined || target.kind === 'extension' ? target : { ...target, filter: change.filter };
    }
    const sub = target.attribute.subAttributes.get(change.subAttribute.toLowerCase());
    if (sub === undefined) throw badRequest('invalidPath', `${label}.path: '${target.attribute.name}' has no sub-attribute '${clip(change.subAttribute)}'`);
    return { ...target, sub, ...(change.filter === undefined ? {} : { filter: change.filter }) };
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
    this.onePrimary(attribute, list, label, undefined);
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
    const options = matchOptionsFor(attribute);
    this.charge(list.length, label);
    if (attribute.type !== 'complex') {
      // `skills[value eq "go"]`: the matching values are replaced by the one given.
      let found = false;
      for (let i = 0; i < list.length; i++) {
        if (!matchesValue(attribute, list[i], filter, options)) continue;
        found = true;
        list[i] = value;
      }
      if (!found) throw badRequest('noTarget', `${label}.path: the filter matches no value of ${attribute.path}`);
      return;
    }
    const matched = list.filter((record) => matchesValue(attribute, record, filter, options)) as Mutable[];
    if (matched.length === 0) {
      const created = this.created(attribute, filter, sub, value, valueLabel);
      if (created === undefined) throw badRequest('noTarget', `${label}.path: the filter matches no value of ${attribute.path}`);
      list.push(created);
      this.onePrimary(attribute, list, valueLabel, created);
      return;
    }
    for (const record of matched) {
      if (sub !== undefined) this.writeSub(record, sub, value, valueLabel);
      else if (isObject(value)) this.merge(attribute, record, value, valueLabel);
    }
    const primary = matched.filter((record) => record.primary === true);
    if (primary.length > 1) throw badRequest('invalidValue', `${valueLabel}: at most one value of ${attribute.path} can be primary`);
    this.onePrimary(attribute, list, valueLabel, primary[0]);
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
    return record;
  }

  /** RFC 7643 §2.4: at most one value is primary; the one just made primary wins. */
  private onePrimary(attribute: AttributeDefinition, list: unknown[], label: string, winner: unknown): void {
    const primary = attribute.subAttributes.get('primary');
    if (primary === undefined) return;
    const chosen = list.filter((record) => isObject(record) && record[primary.name] === true);
    if (chosen.length <= 1) return;
    if (winner === undefined || !chosen.includes(winner)) {
      throw badRequest('invalidValue', `${label}: at most one value of ${attribute.path} can be primary`);
    }
    for (const record of chosen) if (record !== winner) (record as Mutable)[primary.name] = false;
  }

  private addValues(attribute: AttributeDefinition, values: readonly unknown[], label: string): void {
    if (values.length === 0) return;
    this.checkPrimaries(attribute, values, label);
    const list = this.list(attribute, label);
    this.charge(list.length, label);
    const index = new ValueIndex(attribute, list);
    let winner: unknown;
    for (const value of values) {
      const present = index.covering(value);
      if (present !== undefined) {
        // Re-adding a value that is there, now as primary, makes it the primary one.
        if (isObject(value) && value.primary === true && isObject(present)) {
          (present as Mutable).primary = true;
          winner = present;
        }
        continue;
      }
      if (typeof value === 'object' && value !== null) this.owned.add(value);
      list.push(value);
      index.add(value);
      if (isObject(value) && value.primary === true) winner = value;
    }
    this.onePrimary(attribute, list, label, winner);
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
      if (this.extensionObject(target.schema, false) === undefined) return;
      this.touchedExtensions.add(target.schema);
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
    const options = matchOptionsFor(attribute);
    if (!attribute.multiValued) {
      const current = this.get(attribute);
      if (!isObject(current) || !matchesFilter(filter, current, options)) return;
      if (sub === undefined) this.unassign(attribute, label);
      else this.removeSub(attribute, sub, label);
      return;
    }
    const current = this.get(attribute);
    if (!Array.isArray(current) || current.length === 0) return;
    this.charge(current.length, label);
    if (!current.some((record) => matchesValue(attribute, record, filter, options))) return;
    const list = this.list(attribute, label);
    if (sub !== undefined) {
      for (const record of list) {
        if (isObject(record) && matchesValue(attribute, record, filter, options)) this.writeSub(record, sub, null, label);
      }
      return;
    }
    const kept = list.filter((record) => !matchesValue(attribute, record, filter, options));
    this.checkImmutable(attribute, current, kept, label);
    list.length = 0;
    list.push(...kept);
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

  /** Builds every keyed list an operation reached, writes back the ones that changed, and checks `maxMembers`. */
  private finishKeyedLists(): { readonly outcomes: Map<AttributeDefinition, KeyedOutcome>; readonly explicit: AttributeDefinition[] } {
    const outcomes = new Map<AttributeDefinition, KeyedOutcome>();
    const explicit: AttributeDefinition[] = [];
    const { maxMembers } = this.options.limits;
    for (const [attribute, list] of this.keyedLists) {
      if (!list.touched) continue;
      const outcome = list.finish(this.settings.checkStoredLists === true);
      const before = this.get(attribute);
      const count = outcome.members.length;
      if (count > maxMembers && count > (Array.isArray(before) ? before.length : 0)) {
        throw badRequest('tooMany', `the patch would leave ${String(count)} ${list.settings.noun}, over this server's limit of ${String(maxMembers)}`);
      }
      if (outcome.changed) this.set(attribute, outcome.members);
      else if (this.settings.explicitTouchedLists === true && (before === undefined || before === null) && this.extensionOf(attribute) === undefined) explicit.push(attribute);
      outcomes.set(attribute, outcome);
    }
    return { outcomes, explicit };
  }

  // ----- the result ---------------------------------------------------------------------------

  /** Keeps `schemas` in step with the extensions a patch wrote or emptied (RFC 7643 §3). */
  private syncSchemas(): void {
    if (this.touchedExtensions.size === 0) return;
    const key = ownKeyOf(this.root, 'schemas') ?? 'schemas';
    const stored = this.root[key];
    const schemas: unknown[] = Array.isArray(stored) ? stored.slice() : [this.schemas.core.id];
    for (const extension of this.touchedExtensions) {
      const objectKey = ownKeyOf(this.root, extension.id);
      const object = objectKey === undefined ? undefined : this.root[objectKey];
      const present = isObject(object) && Object.keys(object).some((name) => isAssigned(object[name]));
      const at = schemas.findIndex((urn) => typeof urn === 'string' && urn.toLowerCase() === extension.id.toLowerCase());
      if (present && at < 0) schemas.push(extension.id);
      if (!present) {
        if (objectKey !== undefined) Reflect.deleteProperty(this.root, objectKey);
        if (at >= 0) schemas.splice(at, 1);
      }
    }
    if (!sameJson(schemas, stored)) this.root[key] = schemas;
  }

  finish(): DraftResult {
    const { outcomes, explicit } = this.finishKeyedLists();
    this.syncSchemas();
    const attributesChanged: string[] = [];
    const valuesAdded: Record<string, unknown[]> = {};
    const valuesRemoved: Record<string, unknown[]> = {};
    const next: Mutable = {};
    let changed = false;
    // Keys are compared by name in any case: a stored `username` rewritten as `userName` is one attribute.
    const names = new Map<string, { before?: string; after?: string }>();
    for (const key of Object.keys(this.base)) names.set(key.toLowerCase(), { before: key });
    for (const key of Object.keys(this.root)) {
      const entry = names.get(key.toLowerCase());
      if (entry === undefined) names.set(key.toLowerCase(), { after: key });
      else if (entry.after === undefined || key === entry.before) entry.after = key;
    }
    const summary = { attributesChanged, valuesAdded, valuesRemoved };
    for (const [lower, { before: beforeKey, after: afterKey }] of names) {
      const before = beforeKey === undefined ? undefined : this.base[beforeKey];
      const after = afterKey === undefined ? undefined : this.root[afterKey];
      const attribute = this.schemas.core.attributes.get(lower) ?? this.schemas.common.get(lower);
      const outcome = attribute === undefined ? undefined : outcomes.get(attribute);
      // A keyed list knows whether it changed: no deep comparison of a 100,000-member list.
      if (beforeKey !== undefined && outcome?.changed !== true && sameJson(before, after)) {
        setOwn(next, beforeKey, before);
        continue;
      }
      changed = true;
      if (afterKey !== undefined) setOwn(next, afterKey, after);
      const extension = schemaByUrn(this.schemas, lower);
      if (extension !== undefined && extension !== this.schemas.core) {
        const shared = this.shareExtension(extension, before, after, summary, outcomes);
        if (shared !== undefined && afterKey !== undefined) setOwn(next, afterKey, shared);
        continue;
      }
      const path = attribute?.name ?? afterKey ?? beforeKey ?? lower;
      attributesChanged.push(path);
      if (outcome?.changed === true) recordOutcome(path, outcome, valuesAdded, valuesRemoved);
      else if (attribute?.multiValued === true) recordValues(path, before, after, valuesAdded, valuesRemoved);
    }
    if (!changed) return { resource: this.base, summary: NO_CHANGE, outcomes };
    for (const attribute of explicit) setOwn(next, attribute.name, []);
    if (this.options.setLastModified) {
      const meta = this.base.meta;
      next.meta = { ...(isObject(meta) ? meta : {}), lastModified: this.options.now().toISOString() };
    }
    return { resource: next, summary: { changed: true, attributesChanged, valuesAdded, valuesRemoved }, outcomes };
  }

  /** Shares the unchanged attributes of an extension object, and reports the changed ones. */
  private shareExtension(
    extension: CompiledSchema,
    before: unknown,
    after: unknown,
    summary: { attributesChanged: string[]; valuesAdded: Record<string, unknown[]>; valuesRemoved: Record<string, unknown[]> },
    outcomes: ReadonlyMap<AttributeDefinition, KeyedOutcome>,
  ): Mutable | undefined {
    const old: Readonly<Record<string, unknown>> = isObject(before) ? before : {};
    const now: Readonly<Record<string, unknown>> = isObject(after) ? after : {};
    const shared: Mutable = {};
    for (const name of new Set([...Object.keys(old), ...Object.keys(now)])) {
      const attribute = extension.attributes.get(name.toLowerCase());
      const path = `${extension.id}:${attribute?.name ?? name}`;
      const outcome = attribute === undefined ? undefined : outcomes.get(attribute);
      if (outcome?.changed !== true && sameJson(old[name], now[name])) {
        if (Object.hasOwn(now, name)) setOwn(shared, name, old[name]);
        continue;
      }
      if (Object.hasOwn(now, name)) setOwn(shared, name, now[name]);
      summary.attributesChanged.push(path);
      if (outcome?.changed === true) recordOutcome(path, outcome, summary.valuesAdded, summary.valuesRemoved);
      else if (attribute?.multiValued === true) recordValues(path, old[name], now[name], summary.valuesAdded, summary.valuesRemoved);
    }
    return isObject(after) ? shared : undefined;
  }
}

const NO_CHANGE: ResourceChangeSummary = /* @__PURE__ */ Object.freeze({
  changed: false,
  attributesChanged: Object.freeze([]),
  valuesAdded: Object.freeze({}),
  valuesRemoved: Object.freeze({}),
});

/** A JSON value as text with object keys sorted: equal values, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** The values of `from` that `other` lacks, counting repeats: O(values) through canonical text. */
function missingFrom(from: readonly unknown[], other: readonly unknown[]): unknown[] {
  const counts = new Map<string, number>();
  for (const value of other) {
    const key = canonical(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const missing: unknown[] = [];
  for (const value of from) {
    const key = canonical(value);
    const count = counts.get(key) ?? 0;
    if (count === 0) missing.push(value);
    else counts.set(key, count - 1);
  }
  return missing;
}

/** The values a keyed list gained and lost: an updated value counts as its stored form lost and its new form gained. */
function recordOutcome(path: string, outcome: KeyedOutcome, added: Record<string, unknown[]>, removed: Record<string, unknown[]>): void {
  const gained = outcome.updated.length === 0 ? outcome.added : [...outcome.added, ...outcome.updated];
  const lost = outcome.updatedFrom.length === 0 ? outcome.removed : [...outcome.removed, ...outcome.updatedFrom];
  if (gained.length > 0) added[path] = gained;
  if (lost.length > 0) removed[path] = lost;
}

/** The values a list gained and lost. */
function recordValues(path: string, before: unknown, after: unknown, added: Record<string, unknown[]>, removed: Record<string, unknown[]>): void {
  const old = Array.isArray(before) ? before : [];
  const now = Array.isArray(after) ? after : [];
  const gained = missingFrom(now, old);
  const lost = missingFrom(old, now);
  if (gained.length > 0) added[path] = gained;
  if (lost.length > 0) removed[path] = lost;
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
): { readonly resource: ScimResource; readonly summary: ResourceChangeSummary } {
  if (!isObject(resource)) throw invalidStoredResource('the resource is not an object');
  const draft = new ResourceDraft(resource, schemas, leniency, options);
  for (const change of changes) draft.apply(change);
  return draft.finish();
}
