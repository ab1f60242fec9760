/**
 * The draft of a resource during one request, shared by every kind of change: a copy-on-write
 * view of the resource driven by its schema definitions, its keyed lists (`keyed-list.ts`), and
 * the result with its summary.
 *
 * - Only what an operation writes is copied; at the end, every attribute whose value did not
 *   change is shared with the input, and a patch that changed nothing returns the input itself.
 * - Adding the first attribute of an extension adds its URN to `schemas`; removing the last one
 *   removes the extension object and its URN.
 *
 * @see RFC 7644 §3.5.2, RFC 7643 §2
 */
import { instantOf } from './datetime.js';
import { badRequest, ScimError } from './errors.js';
import { ownKeyOf, writeKey, type MatchOptions } from './filter.js';
import { KeyedList, RECORD_SHAPE, type KeyedItem, type KeyedListSettings, type KeyedOutcome, type ScanBudget } from './keyed-list.js';
import type { ResolvedOptions } from './options.js';
import type { AttributePath } from './path.js';
import { schemaByUrn, type ResourceSchemas } from './resource-path.js';
import { keyedIdentity, type AttributeDefinition, type CompiledSchema } from './resource-schema.js';
import { sameJson } from './resource-values.js';
import { identityKey, isObject, setOwn } from './json.js';
import { clip } from './text.js';

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

export type Mutable = Record<string, unknown>;

/** A 500: the caller's stored resource does not fit its schema where the patch reads it. */
export function invalidStoredResource(detail: string): ScimError {
  return new ScimError({ status: 500, detail: `stored resource is invalid: ${detail}` });
}

export function isAssigned(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** Compares two values of an attribute as its type and caseExact say. */
export function sameValue(definition: AttributeDefinition | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    if (definition?.type === 'dateTime') {
      const instant = instantOf(a);
      return a === b || (instant !== undefined && instant === instantOf(b));
    }
    if (definition !== undefined && !definition.caseExact) return a.toLowerCase() === b.toLowerCase();
  }
  return sameJson(a, b);
}

/** Filters over a multi-valued attribute's values: each sub-attribute's type and caseExact. */
export function matchOptionsFor(attribute: AttributeDefinition): MatchOptions {
  // A simple multi-valued attribute (a list of strings) is filtered as `value` (RFC 7644 §3.4.2.2).
  const sub = (path: AttributePath): AttributeDefinition | undefined =>
    attribute.type === 'complex' ? attribute.subAttributes.get(path.name.toLowerCase()) : attribute;
  return {
    isCaseExact: (path) => sub(path)?.caseExact ?? false,
    attributeType: (path) => sub(path)?.type,
  };
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

const lowerCaseKey = (value: string): string => value.toLowerCase();

/**
 * The draft of one resource during one request: reads and writes attributes where their schema
 * puts them (the resource, or an extension's object), keeps keyed lists, and builds the result.
 * The changes of `applyPatch` (`resource-apply.ts`) and the Group API (`apply.ts`) both run on it.
 */
export class ResourceDraft {
  /** A shallow copy of the resource; values are copied when first written. */
  protected readonly root: Mutable;
  /** Objects and arrays this draft made, which it may change in place. */
  protected readonly owned = new Set<object>();
  /** Extensions whose object a patch wrote or removed. */
  protected readonly touchedExtensions = new Set<CompiledSchema>();
  /** Keyed multi-valued attributes (`members`) an operation reached, each with its list of changes. */
  private readonly keyedLists = new Map<AttributeDefinition, KeyedList>();
  /** Passes over lists, charged to `maxScannedMembers` across the request. */
  protected readonly budget: ScanBudget;

  constructor(
    private readonly base: ScimResource,
    protected readonly schemas: ResourceSchemas,
    protected readonly options: ResolvedOptions,
    private readonly settings: DraftSettings = {},
  ) {
    this.root = { ...base };
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
      identityInAnyCase: true,
      ...overrides,
    });
    this.keyedLists.set(attribute, list);
    return list;
  }

  /** Forgets the keyed lists of an extension whose object a patch removed: their changes went with it. */
  protected forgetKeyedLists(extension: CompiledSchema): void {
    for (const attribute of [...this.keyedLists.keys()]) {
      if (this.extensionOf(attribute) === extension) this.keyedLists.delete(attribute);
    }
  }

  // ----- reading and writing attributes -------------------------------------------------------

  protected extensionOf(attribute: AttributeDefinition): CompiledSchema | undefined {
    if (attribute.schema === '' || attribute.schema === this.schemas.core.id) return undefined;
    return schemaByUrn(this.schemas, attribute.schema);
  }

  /** The object an attribute lives in: the resource, or its extension's object. */
  private holder(attribute: AttributeDefinition, create: boolean): Mutable | undefined {
    const extension = this.extensionOf(attribute);
    if (extension === undefined) return this.root;
    return this.extensionObject(extension, create);
  }

  protected extensionObject(extension: CompiledSchema, create: boolean): Mutable | undefined {
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
    const summary = { attributesChanged, valuesAdded, valuesRemoved };
    const pairs = this.keyPairs();
    for (let i = 0; i < pairs.before.length; i++) {
      const beforeKey = pairs.before[i];
      const afterKey = pairs.after[i];
      const before = beforeKey === undefined ? undefined : this.base[beforeKey];
      const after = afterKey === undefined ? undefined : this.root[afterKey];
      // The same value (a changed keyed list is always a new array): shared, nothing to compare.
      if (beforeKey !== undefined && before === after) {
        setOwn(next, beforeKey, before);
        continue;
      }
      const lower = (afterKey ?? beforeKey ?? '').toLowerCase();
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
      // `meta` and `lastModified` in the schema's spelling, replacing a stored key of another case.
      const metaKey = ownKeyOf(next, 'meta');
      const stored = metaKey === undefined ? undefined : next[metaKey];
      const meta: Mutable = isObject(stored) ? { ...stored } : {};
      writeKey(meta, 'lastModified', this.options.now().toISOString());
      writeKey(next, 'meta', meta);
    }
    return { resource: next, summary: { changed: true, attributesChanged, valuesAdded, valuesRemoved }, outcomes };
  }

  /**
   * The keys of the resource before and after, paired by name in any case (a stored `username`
   * rewritten as `userName` is one attribute), in the stored order, then the new keys. When the
   * draft kept every key as it was (the usual case), the pairs are the keys themselves.
   */
  private keyPairs(): { readonly before: readonly (string | undefined)[]; readonly after: readonly (string | undefined)[] } {
    const beforeKeys = Object.keys(this.base);
    const afterKeys = Object.keys(this.root);
    if (beforeKeys.length === afterKeys.length && beforeKeys.every((key, i) => key === afterKeys[i])) {
      return { before: beforeKeys, after: beforeKeys };
    }
    const names = new Map<string, { before?: string; after?: string }>();
    for (const key of beforeKeys) names.set(key.toLowerCase(), { before: key });
    for (const key of afterKeys) {
      const entry = names.get(key.toLowerCase());
      if (entry === undefined) names.set(key.toLowerCase(), { after: key });
      else if (entry.after === undefined || key === entry.before) entry.after = key;
    }
    const entries = [...names.values()];
    return { before: entries.map((entry) => entry.before), after: entries.map((entry) => entry.after) };
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

/** The values of `from` whose canonical text `other` lacks, counting repeats: O(values). */
function missingFrom(from: readonly unknown[], fromKeys: readonly string[], other: readonly string[]): unknown[] {
  const counts = new Map<string, number>();
  for (const key of other) counts.set(key, (counts.get(key) ?? 0) + 1);
  const missing: unknown[] = [];
  for (let i = 0; i < from.length; i++) {
    const key = fromKeys[i] as string;
    const count = counts.get(key) ?? 0;
    if (count === 0) missing.push(from[i]);
    else counts.set(key, count - 1);
  }
  return missing;
}

/** The values a keyed list gained and lost: an updated value counts as its stored form lost and its new form gained. */
function recordOutcome(path: string, outcome: KeyedOutcome, added: Record<string, unknown[]>, removed: Record<string, unknown[]>): void {
  // One of the two is usually empty (an update of every member has 100,000 of one and none of the other).
  const gained = joined(outcome.added, outcome.updated);
  const lost = joined(outcome.removed, outcome.updatedFrom);
  if (gained.length > 0) added[path] = gained;
  if (lost.length > 0) removed[path] = lost;
}

/** Two lists as one: either one itself when the other is empty, else a new list. */
function joined<T>(a: T[], b: T[]): T[] {
  if (b.length === 0) return a;
  return a.length === 0 ? b : [...a, ...b];
}

/** The values a list gained and lost. */
function recordValues(path: string, before: unknown, after: unknown, added: Record<string, unknown[]>, removed: Record<string, unknown[]>): void {
  const old = Array.isArray(before) ? before : [];
  const now = Array.isArray(after) ? after : [];
  // Each value is written as canonical text once; values equal at the same position (most of a
  // long list) cancel out before the counting. (Of values repeated in a list, another copy of the
  // same value may be the one reported.)
  const oldKeys = old.map(canonical);
  const nowKeys = now.map(canonical);
  const oldRest: unknown[] = [];
  const oldRestKeys: string[] = [];
  const nowRest: unknown[] = [];
  const nowRestKeys: string[] = [];
  for (let i = 0; i < Math.max(old.length, now.length); i++) {
    if (i < old.length && i < now.length && oldKeys[i] === nowKeys[i]) continue;
    if (i < old.length) {
      oldRest.push(old[i]);
      oldRestKeys.push(oldKeys[i] as string);
    }
    if (i < now.length) {
      nowRest.push(now[i]);
      nowRestKeys.push(nowKeys[i] as string);
    }
  }
  const gained = missingFrom(nowRest, nowRestKeys, oldRestKeys);
  const lost = missingFrom(oldRest, oldRestKeys, nowRestKeys);
  if (gained.length > 0) added[path] = gained;
  if (lost.length > 0) removed[path] = lost;
}
