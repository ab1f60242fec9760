/**
 * Hostile fast-check arbitraries for the resource fuzz campaign (`fuzz/run.ts`,
 * `test/fuzz-resources.test.ts`): cases `{schemaSet, resource, body, options}` for `applyPatch` on
 * Users, the Enterprise User extension, a custom User extension and a Group with a custom
 * extension, checked by `test/fuzz/resource-guarantee.ts`.
 *
 * Built from the blocks of `resources.ts` (stored users, the property tests' requests, hostile
 * User bodies) and `hostile.ts` (hostile JSON, prototype keys, deep values, client requests and
 * their mutations). The families:
 *
 * - `res-entra`: Entra ID's shapes (PascalCase ops, `"True"`/`"False"`, filters on `type` and
 *   `primary`, the manager in every shape, one pathless replace with dotted and URN keys), mutated;
 * - `res-okta`: Okta's shapes (pathless `{active}`, password sync, whole-profile echoes with `id`,
 *   `meta`, `schemas` and `groups`, its Group pushes), mutated;
 * - `res-urn`: URN-qualified paths and keys in any case, wrong, truncated and foreign URNs;
 * - `res-filter`: value filters on every multi-valued and complex attribute, every operator, with
 *   literals of every JSON type against sub-attributes of every type;
 * - `res-proto`: `__proto__`, `constructor` and `prototype` at every depth of paths and values;
 * - `res-deep`: deep values, long strings, many operations, many values, large stored lists;
 * - `res-types`: a value of every other type for every attribute and sub-attribute, anywhere;
 * - `res-stored`: stored resources with odd but valid shapes (keys in another case, empty and
 *   unlisted extensions, nulls, host keys such as an own `__proto__`), under ordinary requests;
 * - `res-mixed`: the property tests' requests and the Group API's, under hostile options.
 *
 * Bodies are built the way a real body arrives (`viaJsonParse`: own `__proto__` keys), except
 * where a family puts values outside JSON on purpose.
 */
import fc from 'fast-check';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from '../../src/index.js';
import { viaJsonParse } from '../fuzz/json.js';
import {
  ACME_URN,
  GROUP_SETS,
  schemaViewOf,
  USER_SETS,
  type ResourceFuzzCase,
  type ResourceFuzzOptions,
  type SchemaAttribute,
  type SchemaSetName,
  type SchemaView,
} from '../fuzz/resource-guarantee.js';
import {
  anyJsonArb,
  anythingArb,
  clientEnvelope,
  compareOpTextArb,
  deepValueArb,
  entraAddMembers,
  entraRemoveMembers,
  entraRename,
  fuzzLimitsArb,
  hostileJsonArb,
  hostileLeafArb,
  hostilePathArb,
  jsonObject,
  mutatedArb,
  nest,
  oktaAddMembers,
  oktaPathlessReplace,
  oktaRemoveMember,
  oktaReplaceMembers,
  PROTOTYPE_KEYS,
  PROTOTYPE_MEMBER_NAMES,
  type FuzzFamily,
  type NestStyle,
} from './hostile.js';
import { groupArb, memberValueArb, validOperationArb } from './index.js';
import {
  hostileUserBodyArb,
  invalidOperationArb,
  MANAGERS,
  noopOperationArb,
  patchBody,
  TEST_URN,
  userArb,
  userOperationArb,
  type Json,
} from './resources.js';

const ENT = ENTERPRISE_USER_SCHEMA;
const COMPARE_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** `op` as RFC 7644 spells it, PascalCase as Entra does, or in any case. */
function opArb(op: 'add' | 'remove' | 'replace', pascal = 1): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(op) },
    { weight: 3 * pascal, arbitrary: fc.constant(op.charAt(0).toUpperCase() + op.slice(1)) },
    { weight: 1, arbitrary: fc.mixedCase(fc.constant(op)) },
  );
}

const anyOpArb: fc.Arbitrary<string> = fc.oneof(opArb('add'), opArb('replace'), opArb('remove'));

/** An operation object (own keys, in the order given; `undefined` members left out). */
function op(name: string, path: unknown, value?: unknown): Json {
  const entries: [string, unknown][] = [['op', name]];
  if (path !== undefined) entries.push(['path', path]);
  if (value !== undefined) entries.push(['value', value]);
  return jsonObject(entries);
}

/** A body around operations, the way the client sends it: mostly the full envelope. */
function bodyOf(operations: readonly unknown[]): Json {
  return patchBody(operations);
}

/** The list of records stored at `name` (in the object `holder` names), or `[]`. */
function listAt(resource: Json, name: string, holder?: string): Json[] {
  const container = holder === undefined ? resource : resource[holder];
  if (typeof container !== 'object' || container === null) return [];
  const list = (container as Json)[name];
  return Array.isArray(list) ? list.filter((item): item is Json => typeof item === 'object' && item !== null && !Array.isArray(item)) : [];
}

/** Stored values of a list's `value` (so that requests hit them), or the fallbacks. */
function valuesOf(resource: Json, name: string, holder: string | undefined, fallback: readonly string[]): fc.Arbitrary<string> {
  const stored = listAt(resource, name, holder)
    .map((record) => record.value)
    .filter((value): value is string => typeof value === 'string');
  return fc.constantFrom(...stored, ...fallback);
}

const isUserSet = (set: SchemaSetName): boolean => USER_SETS.includes(set);

// ---------------------------------------------------------------------------------------------
// Values by type
// ---------------------------------------------------------------------------------------------

const DATE_TIMES = ['2010-01-23T04:56:22Z', '2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.5Z', '1999-12-31T23:59:59.999999999Z'] as const;
const BAD_DATE_TIMES = ['2024-02-30T00:00:00Z', '2024-03-01', 'yesterday', '2024-03-01T25:00:00Z', '2024-03-01T10:00:00+2:00'] as const;

/** A value of an RFC 7643 type, as a client sends it (sometimes the lenient spelling). */
export function valueOfTypeArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'boolean':
      return fc.constantFrom<unknown>(true, false, 'True', 'False', 'TRUE', 'false');
    case 'integer':
      return fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));
    case 'decimal':
      return fc.constantFrom(0.25, 1, -3.5, 0, 1e300);
    case 'dateTime':
      return fc.constantFrom(...DATE_TIMES);
    case 'binary':
      return fc.constantFrom('aGVsbG8=', 'TUlJREN6Q0NB', '', 'YQ');
    case 'reference':
      return fc.constantFrom('https://example.com/v2/Users/u1', 'urn:example:x', '../Users/2819c223');
    case 'complex':
      return fc.constant({});
    default:
      return fc.constantFrom('work', 'home', 'Babs', 'm1', 'o1', 'u1', 'U1', 'admin', 'x', '');
  }
}

/** A value of any other type than `type` (and the near misses of `type` itself). */
export function wrongValueArb(type: string): fc.Arbitrary<unknown> {
  const nearMisses: Record<string, readonly unknown[]> = {
    boolean: ['yes', 'maybe', 0, 1, 'true ', ''],
    integer: [1.5, -0, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, '7', 2 ** 53],
    decimal: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '0.5', '1e3'],
    dateTime: [...BAD_DATE_TIMES, 1_700_000_000_000],
    binary: ['not base64!', 'YQ=', '====', 'a'],
    reference: [5, true],
    string: [5, true, -0],
    complex: ['bare', 5, [], [[]]],
  };
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...(nearMisses[type] ?? nearMisses.string ?? [])) },
    { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, 'True', 0, -1, 3.25, '', 'text', [], ['a'], [null], {}, { value: 'x' }, [{ value: 'x' }], { value: { value: 'x' } }) },
    { weight: 1, arbitrary: hostileLeafArb },
    { weight: 1, arbitrary: hostileJsonArb },
  );
}

// ---------------------------------------------------------------------------------------------
// Paths read off the schemas
// ---------------------------------------------------------------------------------------------

/** One thing a path can name: an attribute (with its schema's URN when it is an extension's), or a sub-attribute of one. */
interface Target {
  /** The URN of the schema that defines the attribute. */
  readonly urn: string;
  /** Whether the schema is an extension (its attributes need the URN, or the unqualified leniency). */
  readonly extension: boolean;
  readonly attribute: SchemaAttribute;
  readonly sub?: SchemaAttribute;
}

const targetsCache = new Map<SchemaSetName, readonly Target[]>();

/** Every attribute and sub-attribute of a schema set. */
function targetsOf(set: SchemaSetName): readonly Target[] {
  let targets = targetsCache.get(set);
  if (targets === undefined) {
    const view = schemaViewOf(set);
    const list: Target[] = [];
    const addAll = (urn: string, extension: boolean, attributes: Iterable<SchemaAttribute>): void => {
      for (const attribute of attributes) {
        list.push({ urn, extension, attribute });
        for (const sub of attribute.subAttributes.values()) list.push({ urn, extension, attribute, sub });
      }
    };
    addAll(view.core.id, false, view.top.values());
    for (const extension of view.extensions) addAll(extension.id, true, extension.attributes.values());
    targets = list;
    targetsCache.set(set, targets);
  }
  return targets;
}

/** The text of a target's path: `name`, `name.sub`, or `urn:name(.sub)`; `qualify` forces the URN. */
function pathText(target: Target, qualify: boolean, filter?: string): string {
  const head = `${qualify || target.extension ? `${target.urn}:` : ''}${target.attribute.name}`;
  return `${head}${filter === undefined ? '' : `[${filter}]`}${target.sub === undefined ? '' : `.${target.sub.name}`}`;
}

/** A valid value for a target: a list for a multi-valued attribute, an object for a complex one. */
function validValueArb(target: Target): fc.Arbitrary<unknown> {
  if (target.sub !== undefined) return valueOfTypeArb(target.sub.type);
  const { attribute } = target;
  const writable = [...attribute.subAttributes.values()].filter((sub) => sub.mutability !== 'readOnly');
  const item: fc.Arbitrary<unknown> =
    attribute.type === 'complex'
      ? fc
          .subarray(writable, { minLength: Math.min(1, writable.length) })
          .chain((subs) => fc.tuple(...subs.map((sub) => valueOfTypeArb(sub.type))).map((values) => Object.fromEntries(subs.map((sub, i) => [sub.name, values[i]]))))
      : valueOfTypeArb(attribute.type);
  return attribute.multiValued ? fc.array(item, { maxLength: 3 }) : item;
}

/** The attribute of a target, without its sub-attribute. */
function whole(target: Target): Target {
  return { urn: target.urn, extension: target.extension, attribute: target.attribute };
}

/** Any target of a set, with the set's view. */
function targetArb(set: SchemaSetName): fc.Arbitrary<Target> {
  return fc.constantFrom(...targetsOf(set));
}

// ---------------------------------------------------------------------------------------------
// Stored resources
// ---------------------------------------------------------------------------------------------

/** The extension URNs a set defines. */
function urnsOf(set: SchemaSetName): string[] {
  return schemaViewOf(set).extensions.map((extension) => extension.id);
}

/** A stored user keeps only the extension objects its set defines. */
function forSet(user: Json, set: SchemaSetName): Json {
  const urns = urnsOf(set);
  const out: Json = {};
  for (const [key, value] of Object.entries(user)) {
    if ((key === ENT || key === TEST_URN) && !urns.includes(key)) continue;
    out[key] = value;
  }
  out.schemas = (user.schemas as string[]).filter((urn) => urn === USER_SCHEMA || urns.includes(urn));
  return out;
}

const OWNER_IDS = ['o1', 'o2', 'O1', '2819c223-7f76-453a-919d-413861904646'] as const;

/** The acme extension object of a stored group (often one attribute, so a remove can empty it). */
const acmeObjectArb: fc.Arbitrary<Json> = fc
  .record(
    {
      description: fc.constantFrom('Guides who lead the city tours', 'Ops', ''),
      owners: fc.uniqueArray(
        fc.record(
          {
            value: fc.constantFrom(...OWNER_IDS),
            display: fc.constantFrom('Babs Jensen', 'Owner Two'),
            $ref: fc.constantFrom('https://example.com/v2/Users/o1'),
            since: fc.constantFrom(...DATE_TIMES),
          },
          { requiredKeys: ['value'], noNullPrototype: true },
        ),
        { minLength: 1, maxLength: 3, selector: (owner) => owner.value },
      ),
      originSystem: fc.constantFrom('okta', 'Entra'),
      seatLimit: fc.integer({ min: 0, max: 500 }),
      costShare: fc.constantFrom(0.25, 1, 0),
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  .chain((full: Json) => {
    const keys = Object.keys(full);
    return keys.length <= 1 ? fc.constant(full) : fc.oneof(fc.constant(full), fc.constantFrom(...keys).map((key) => ({ [key]: full[key] })));
  });

/** A stored group for the acme sets: the Group API's stored groups (members unique ignoring case) with the extension. */
export const acmeGroupArb: fc.Arbitrary<Json> = fc.tuple(groupArb, fc.option(acmeObjectArb, { freq: 2, nil: undefined })).map(([group, acme]) => {
  const { [ACME_URN]: _host, ...rest } = group as unknown as Json;
  const out: Json = { ...rest };
  if (acme !== undefined && Object.keys(acme).length > 0) {
    out[ACME_URN] = acme;
    out.schemas = [GROUP_SCHEMA, ACME_URN];
  }
  return out;
});

/** A stored resource well-formed for `set`. */
export function storedArb(set: SchemaSetName): fc.Arbitrary<Json> {
  return isUserSet(set) ? userArb.map((user) => forSet(user, set)) : acmeGroupArb;
}

/** Keys in another case: the same attribute to the engine (RFC 7643 §2.1). */
function recase(key: string, salt: number): string {
  switch (salt % 3) {
    case 0:
      return key.toUpperCase();
    case 1:
      return key.toLowerCase();
    default:
      return key.charAt(0).toUpperCase() + key.slice(1);
  }
}

/** Rebuilds an object with `from` renamed to `to`, in place of it. */
function renamed(object: Json, from: string, to: string): Json {
  return jsonObject(Object.keys(object).map((key) => [key === from ? to : key, object[key]] as const));
}

/** One odd but valid change to a stored resource. */
type OddKind =
  | 'recaseTop'
  | 'recaseSub'
  | 'recaseUrn'
  | 'schemasOrder'
  | 'listedWithoutObject'
  | 'emptyExtension'
  | 'nulls'
  | 'hostKeys'
  | 'primaryFalse'
  | 'manyValues'
  | 'oddStrings';

const ODD_KINDS: readonly OddKind[] = [
  'recaseTop',
  'recaseSub',
  'recaseUrn',
  'schemasOrder',
  'listedWithoutObject',
  'emptyExtension',
  'nulls',
  'hostKeys',
  'primaryFalse',
  'manyValues',
  'oddStrings',
];

function oddly(resource: Json, set: SchemaSetName, kind: OddKind, salt: number): Json {
  const view = schemaViewOf(set);
  const keys = Object.keys(resource);
  const pick = <T>(items: readonly T[]): T | undefined => items[salt % Math.max(1, items.length)];
  const urns = urnsOf(set);
  const schemasKey = keys.find((k) => k.toLowerCase() === 'schemas') ?? 'schemas';
  const listed = Array.isArray(resource[schemasKey]) ? (resource[schemasKey] as unknown[]) : undefined;
  switch (kind) {
    case 'recaseTop': {
      const key = pick(keys.filter((k) => view.top.has(k.toLowerCase())));
      return key === undefined ? resource : renamed(resource, key, recase(key, salt));
    }
    case 'recaseSub': {
      // A sub-attribute key of a complex value, or of every value of a list, in another case.
      const key = pick(keys.filter((k) => view.top.get(k.toLowerCase())?.type === 'complex' && typeof resource[k] === 'object' && resource[k] !== null));
      if (key === undefined) return resource;
      const value = resource[key];
      const recased = (record: unknown): unknown => {
        if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
        const sub = pick(Object.keys(record));
        return sub === undefined ? record : renamed(record as Json, sub, recase(sub, salt + 1));
      };
      return { ...resource, [key]: Array.isArray(value) ? value.map(recased) : recased(value) };
    }
    case 'recaseUrn': {
      const urn = pick(keys.filter((k) => urns.includes(k)));
      if (urn === undefined) return resource;
      const out = renamed(resource, urn, urn.toUpperCase());
      if (listed !== undefined) out[schemasKey] = listed.map((item) => (item === urn && salt % 2 === 0 ? urn.toLowerCase() : item));
      return out;
    }
    case 'schemasOrder':
      return listed === undefined ? resource : { ...resource, [schemasKey]: [...listed].reverse() };
    case 'listedWithoutObject': {
      const urn = pick(urns.filter((u) => !keys.some((k) => k.toLowerCase() === u.toLowerCase())));
      return urn === undefined ? resource : { ...resource, [schemasKey]: [...(listed ?? [view.core.id]), urn] };
    }
    case 'emptyExtension': {
      const urn = pick(urns.filter((u) => !keys.some((k) => k.toLowerCase() === u.toLowerCase())));
      if (urn === undefined) return resource;
      const attribute = pick([...(view.extensions.find((e) => e.id === urn)?.attributes.values() ?? [])]);
      // Holds nothing: `{}`, or attributes that are null or [] (RFC 7643 §2.5).
      const object: Json = salt % 2 === 0 || attribute === undefined ? {} : { [attribute.name]: attribute.multiValued ? [] : null };
      return { ...resource, [urn]: object };
    }
    case 'nulls': {
      const attribute = pick([...view.core.attributes.values()].filter((a) => !a.required && a.mutability !== 'readOnly' && !keys.some((k) => k.toLowerCase() === a.name.toLowerCase())));
      return attribute === undefined ? resource : { ...resource, [attribute.name]: attribute.multiValued && salt % 2 === 0 ? [] : null };
    }
    case 'hostKeys': {
      // Data a host keeps beside the schema's, including names that are prototypes in JavaScript.
      const key = pick(['__proto__', 'constructor', 'prototype', 'toString', 'x-tenant', '__PROTO__']) ?? 'x-tenant';
      if (keys.some((k) => k.toLowerCase() === key.toLowerCase())) return resource;
      return jsonObject([...Object.entries(resource), [key, salt % 2 === 0 ? jsonObject([['polluted', true]]) : 'host data']]);
    }
    case 'primaryFalse': {
      const out: Json = { ...resource };
      for (const key of keys) {
        const value = resource[key];
        if (Array.isArray(value) && view.top.get(key.toLowerCase())?.subAttributes.has('primary') === true) {
          const hasPrimary = (record: object): boolean => Object.keys(record).some((k) => k.toLowerCase() === 'primary');
          out[key] = value.map((record: unknown) => (typeof record === 'object' && record !== null && !hasPrimary(record) ? { ...(record as Json), primary: false } : record));
        }
      }
      return out;
    }
    case 'manyValues': {
      const count = 50 + (salt % 400);
      if (isUserSet(set)) {
        const emails = Array.from({ length: count }, (_, i) => ({ value: `bulk${String(i)}@example.com`, type: i % 2 === 0 ? 'work' : 'other' }));
        return { ...resource, [keys.find((k) => k.toLowerCase() === 'emails') ?? 'emails']: emails };
      }
      const members = Array.from({ length: count }, (_, i) => ({ value: `bulk-${String(i)}`, display: `Member ${String(i)}` }));
      return { ...resource, [keys.find((k) => k.toLowerCase() === 'members') ?? 'members']: members };
    }
    case 'oddStrings': {
      const key = pick(keys.filter((k) => ['displayname', 'nickname', 'title', 'externalid'].includes(k.toLowerCase())));
      const text = pick(['\u0000', 'ünï©ødé \ud83d\ude00', 'x'.repeat(5_000), ' spaced ', 'a"b\\c']) ?? 'x';
      return key === undefined ? resource : { ...resource, [key]: text };
    }
  }
}

/** A stored resource of `set` with zero to three odd but valid changes. */
export function oddStoredArb(set: SchemaSetName): fc.Arbitrary<Json> {
  return fc
    .tuple(storedArb(set), fc.array(fc.tuple(fc.constantFrom(...ODD_KINDS), fc.nat()), { minLength: 1, maxLength: 3 }))
    .map(([resource, changes]) => changes.reduce((current, [kind, salt]) => oddly(current, set, kind, salt), resource));
}

// ---------------------------------------------------------------------------------------------
// Cases and options
// ---------------------------------------------------------------------------------------------

/** Host options: mostly none, otherwise a preset, single leniencies, small limits, no lastModified. */
export const resourceOptionsArb: fc.Arbitrary<ResourceFuzzOptions | undefined> = fc.option(
  fc
    .record(
      {
        preset: fc.constantFrom<'lenient' | 'strict'>('lenient', 'strict'),
        leniency: fc.record(
          { stringBooleans: fc.boolean(), bareStringComplex: fc.boolean(), unqualifiedExtensionAttributes: fc.boolean(), createOnEqualityFilter: fc.boolean() },
          { requiredKeys: [], noNullPrototype: true },
        ),
        limits: fuzzLimitsArb,
        setLastModified: fc.boolean(),
      },
      { requiredKeys: [], noNullPrototype: true },
    )
    .map((options) => options as ResourceFuzzOptions),
  { freq: 3, nil: undefined },
);

/** Cases over the given sets: a stored resource, a body that may depend on it, options. */
function casesArb(
  sets: readonly SchemaSetName[],
  body: (resource: Json, set: SchemaSetName) => fc.Arbitrary<unknown>,
  stored: (set: SchemaSetName) => fc.Arbitrary<Json> = storedArb,
): fc.Arbitrary<ResourceFuzzCase> {
  return fc
    .constantFrom(...sets)
    .chain((schemaSet) =>
      stored(schemaSet).chain((resource) =>
        fc.tuple(body(resource, schemaSet), resourceOptionsArb).map(([b, options]): ResourceFuzzCase => (options === undefined ? { schemaSet, resource, body: b } : { schemaSet, resource, body: b, options })),
      ),
    );
}

const ALL_SETS: readonly SchemaSetName[] = [...USER_SETS, ...GROUP_SETS];

// ---------------------------------------------------------------------------------------------
// Entra ID and Okta
// ---------------------------------------------------------------------------------------------

const freshEmailArb = fc.nat({ max: 50 }).map((n) => `new${String(n)}@example.com`);

/** One operation as Entra ID's provisioning service sends it to a User. */
function entraUserOperationArb(user: Json): fc.Arbitrary<unknown> {
  const replace = opArb('replace', 3);
  const add = opArb('add', 3);
  return fc.oneof(
    fc.tuple(replace, fc.constantFrom('emails[type eq "work"].value', 'emails[type eq "home"].value', 'emails[type eq "other"].Value'), freshEmailArb).map(([o, p, v]) => op(o, p, v)),
    fc.tuple(replace, fc.constantFrom('phoneNumbers[type eq "mobile"].value', 'phoneNumbers[type eq "fax"].value', 'phoneNumbers[type eq "work"].value'), fc.constantFrom('555-555-0101', '+1 202 555 0100')).map(([o, p, v]) => op(o, p, v)),
    fc
      .tuple(add, fc.constantFrom('addresses[type eq "work"].formatted', 'addresses[type eq "work"].Formatted', 'addresses[type eq "work"].streetAddress', 'addresses[type eq "other"].postalCode', 'addresses[type eq "work"].country'), fc.constantFrom('1 Main St', '98052', 'US'))
      .map(([o, p, v]) => op(o, p, v)),
    fc.tuple(replace, fc.constantFrom('roles[primary eq "True"].value', 'roles[primary eq "False"].display', 'roles[primary eq true].value'), fc.constantFrom('admin', 'Reader')).map(([o, p, v]) => op(o, p, v)),
    fc.tuple(add, fc.constantFrom('admin', 'user'), fc.constantFrom<unknown>('True', 'False', true)).map(([o, value, primary]) => op(o, 'roles', [{ primary, value, display: value }])),
    fc.tuple(replace, fc.constantFrom<unknown>('False', 'True', false, 'false', 'FALSE')).map(([o, v]) => op(o, 'active', v)),
    fc
      .tuple(fc.oneof(add, replace), fc.constantFrom('name.givenName', 'name.familyName', 'displayName', 'title', 'userName', 'externalId', 'preferredLanguage', 'nickName', 'name.formatted'), fc.constantFrom('Babs', 'Jensen', 'en-US', 'bjensen@example.com'))
      .map(([o, p, v]) => op(o, p, v)),
    fc
      .tuple(add, fc.constantFrom(...MANAGERS, ''), fc.constantFrom('bare', 'object', 'list', 'sub', 'unqualified', 'emptyValue'))
      .map(([o, id, shape]) => {
        switch (shape) {
          case 'object':
            return op(o, `${ENT}:manager`, { value: id });
          case 'list':
            return op(o, `${ENT}:manager`, [{ value: id }]);
          case 'sub':
            return op(o, `${ENT}:manager.value`, id);
          case 'unqualified':
            return op(o, 'manager', id);
          case 'emptyValue':
            return op('Replace', `${ENT}:manager`, { value: '' });
          default:
            return op(o, `${ENT}:manager`, id);
        }
      }),
    fc.constantFrom(...MANAGERS).map((id) => op('Remove', `${ENT}:manager[value eq "${id}"]`)),
    fc.tuple(add, fc.constantFrom('employeeNumber', 'department', 'costCenter', 'organization', 'division'), fc.constantFrom('701984', 'Sales')).map(([o, name, v]) => op(o, `${ENT}:${name}`, v)),
    // aadOptscim062020: one pathless replace whose keys are dotted or URN-qualified paths.
    fc
      .record(
        {
          'name.givenName': fc.constantFrom('Babs'),
          'name.familyName': fc.constantFrom('Jensen'),
          active: fc.constantFrom<unknown>('False', 'True', false),
          displayName: fc.constantFrom('Babs Jensen'),
          [`${ENT}:employeeNumber`]: fc.constantFrom('701984'),
          [`${ENT}:manager`]: fc.constantFrom<unknown>(...MANAGERS, { value: 'boss' }),
          [`${USER_SCHEMA}:userName`]: fc.constantFrom('babs@example.com'),
          [`${USER_SCHEMA}:name.middleName`]: fc.constantFrom('J'),
          'emails[type eq "work"].value': freshEmailArb,
          'addresses[type eq "work"].locality': fc.constantFrom('Hollywood'),
          [ENT]: fc.constantFrom<unknown>({ department: 'Sales' }, { manager: 'boss' }),
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value': fc.constantFrom('boss'),
        },
        { requiredKeys: [], noNullPrototype: true },
      )
      .chain((value) => opArb('replace', 2).map((o) => op(o, undefined, value))),
    // Remove by value, as Entra removes.
    fc.tuple(valuesOf(user, 'emails', undefined, ['gone@example.com']), fc.constantFrom('emails', 'Emails', 'roles')).map(([value, path]) => op('Remove', path, [{ value }])),
  );
}

/** One operation as Entra ID sends it to a Group with the acme extension. */
function entraGroupOperationArb(group: Json): fc.Arbitrary<unknown> {
  const ids = valuesOf(group, 'members', undefined, ['u1', 'u9', '2819c223-7f76-453a-919d-413861904646']);
  return fc.oneof(
    fc.array(ids, { minLength: 1, maxLength: 3 }).map(entraAddMembers),
    fc.array(ids, { minLength: 1, maxLength: 3 }).map(entraRemoveMembers),
    fc.constantFrom('Tour Guides', 'Ops').map(entraRename),
    fc.tuple(opArb('add', 3), fc.constantFrom('Ops team', '')).map(([o, v]) => op(o, `${ACME_URN}:description`, v)),
    fc.tuple(opArb('replace', 3), fc.constantFrom('Ops team')).map(([o, v]) => op(o, undefined, { [`${ACME_URN}:description`]: v, displayName: 'Ops' })),
    fc.tuple(opArb('add', 3), valuesOf(group, 'owners', ACME_URN, [...OWNER_IDS])).map(([o, v]) => op(o, `${ACME_URN}:owners`, [{ value: v, $ref: null }])),
    valuesOf(group, 'owners', ACME_URN, [...OWNER_IDS]).map((v) => op('Remove', `${ACME_URN}:owners`, [{ value: v }])),
  );
}

/** One operation as Okta sends it to a User. */
function oktaUserOperationArb(user: Json): fc.Arbitrary<unknown> {
  const { meta: _meta, ...rest } = user;
  return fc.oneof(
    fc.boolean().map((active) => op('replace', undefined, { active })),
    fc.constantFrom('t1meMa$heen', 'n3w').map((password) => op('replace', undefined, { password })),
    fc.boolean().map((active) => op('replace', 'active', active)),
    // The whole profile, readOnly attributes included, with a change or two.
    fc
      .record({ givenName: fc.constantFrom('Barbara', 'Babs'), title: fc.option(fc.constantFrom('Tour Guide', 'Lead'), { nil: undefined }), withMeta: fc.boolean() }, { noNullPrototype: true })
      .map(({ givenName, title, withMeta }) => {
        const profile: Json = { ...rest, name: { ...(typeof user.name === 'object' && user.name !== null ? user.name : {}), givenName } };
        if (title !== undefined) profile.title = title;
        if (withMeta && user.meta !== undefined) profile.meta = user.meta;
        return op('replace', undefined, profile);
      }),
    freshEmailArb.map((value) => op('add', 'emails', [{ value, type: 'work', primary: true }])),
    fc.constantFrom('Barbara', 'Babs').map((givenName) => op('replace', 'name', { givenName, familyName: 'Jensen' })),
  );
}

/** One operation as Okta sends it to a Group with the acme extension. */
function oktaGroupOperationArb(group: Json): fc.Arbitrary<unknown> {
  const ids = valuesOf(group, 'members', undefined, ['u1', 'u9']);
  const id = typeof group.id === 'string' ? group.id : 'g1';
  return fc.oneof(
    fc.constantFrom('Tour Guides', 'Ops').map((name) => oktaPathlessReplace(id, name)),
    ids.map(oktaRemoveMember),
    fc.array(ids, { minLength: 0, maxLength: 3 }).map(oktaReplaceMembers),
    fc.array(ids, { minLength: 1, maxLength: 3 }).map(oktaAddMembers),
    fc.constantFrom('Ops').map((description) => op('replace', undefined, { id, displayName: 'Ops', [ACME_URN]: { description } })),
  );
}

function clientBodyArb(operations: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const body = fc.array(operations, { minLength: 1, maxLength: 4 }).map((ops) => clientEnvelope(ops));
  return fc.oneof({ weight: 1, arbitrary: body.map(viaJsonParse) }, { weight: 1, arbitrary: mutatedArb(body) });
}

// ---------------------------------------------------------------------------------------------
// URNs
// ---------------------------------------------------------------------------------------------

/** A URN spelled otherwise: in any case, truncated, with a trailing colon, doubled, or another resource's. */
function wrongUrnArb(urn: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.mixedCase(fc.constant(urn)) },
    { weight: 2, arbitrary: fc.constantFrom(urn.toUpperCase(), urn.toLowerCase()) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        urn.slice(0, urn.lastIndexOf(':')),
        `${urn}:`,
        `${urn}:${urn}`,
        urn.replace('2.0', '1.0'),
        urn.replace(':User', ':Group'),
        urn.replace(':Group', ':User'),
        'urn:ietf:params:scim:schemas:core:2.0',
        'urn:',
        GROUP_SCHEMA,
        USER_SCHEMA,
        ENT,
        PATCH_OP_SCHEMA,
      ),
    },
  );
}

/** An operation naming a target by a URN, spelled right or wrong, as a path or a pathless key. */
function urnOperationArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  const view: SchemaView = schemaViewOf(set);
  const allUrns = [view.core.id, ...urnsOf(set)];
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(targetArb(set), anyOpArb, fc.boolean(), fc.boolean())
        .chain(([target, o, rightUrn, pathless]) =>
          fc.tuple(rightUrn ? fc.constant(target.urn) : wrongUrnArb(target.urn), fc.oneof(validValueArb(target), wrongValueArb(target.sub?.type ?? target.attribute.type))).map(([urn, value]) => {
            const path = pathText({ ...target, urn, extension: true }, true);
            return pathless && !o.toLowerCase().startsWith('rem') ? op(o, undefined, jsonObject([[path, value]])) : op(o, path, value);
          }),
        ),
    },
    {
      // The URN alone: the whole extension object (or the core schema's, which is not an attribute).
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...allUrns).chain((urn) => fc.oneof(fc.constant(urn), wrongUrnArb(urn))), anyOpArb, fc.oneof(fc.constant<unknown>({}), fc.constant<unknown>(null), hostileJsonArb, targetArb(set).chain((t) => validValueArb(t).map((v) => ({ [t.attribute.name]: v })))))
        .map(([urn, o, value]) => op(o, urn, value)),
    },
    {
      // A pathless value keyed by URNs, holding attributes in any case.
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...allUrns).chain((urn) => fc.oneof(fc.constant(urn), wrongUrnArb(urn))), targetArb(set), fc.nat()), { minLength: 1, maxLength: 3 })
        .chain((triples) =>
          fc.tuple(...triples.map(([, t]) => validValueArb({ urn: t.urn, extension: t.extension, attribute: t.attribute }))).map((values) =>
            triples.map(([urn, t, salt], i) => [urn, { [salt % 3 === 0 ? recase(t.attribute.name, salt) : t.attribute.name]: values[i] }] as const),
          ),
        )
        .chain((entries) => fc.oneof(opArb('add'), opArb('replace')).map((o) => op(o, undefined, jsonObject(entries)))),
    },
    {
      // URN-qualified paths with a filter.
      weight: 1,
      arbitrary: fc.tuple(multiValuedTargetArb(set), anyOpArb).chain(([target, o]) =>
        fc.tuple(fc.oneof(fc.constant(target.urn), wrongUrnArb(target.urn)), filterTextArb(target.attribute), validValueArb(target)).map(([urn, filter, value]) => op(o, pathText({ ...target, urn, extension: true }, true, filter), value)),
      ),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/** Targets that take a value filter: multi-valued attributes and single complex ones (`manager`). */
function multiValuedTargetArb(set: SchemaSetName): fc.Arbitrary<Target> {
  const targets = targetsOf(set).filter((t) => t.sub === undefined && (t.attribute.multiValued || t.attribute.type === 'complex') && t.attribute.name !== 'meta');
  const writable = targets.filter((t) => t.attribute.mutability !== 'readOnly');
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...writable) }, { weight: 1, arbitrary: fc.constantFrom(...targets) }).chain((target) =>
    target.attribute.type === 'complex' ? fc.option(fc.constantFrom(...target.attribute.subAttributes.values()), { nil: undefined }).map((sub) => (sub === undefined ? target : { ...target, sub })) : fc.constant(target),
  );
}

/** A literal for a filter: of the sub-attribute's type, of another type, or Entra's `"True"`. */
function literalArb(type: string, stored: readonly unknown[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 8, arbitrary: valueOfTypeArb(type) },
      { weight: stored.length === 0 ? 0 : 8, arbitrary: fc.constantFrom<unknown>(...stored, null) },
      { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, 'True', 0, 1.5, -1, '', '2020-01-01T00:00:00Z', 'work', 'm1', 'o1', 'u1') },
      { weight: 1, arbitrary: wrongValueArb(type).filter((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) },
    )
    .map((value) => (typeof value === 'number' && !Number.isFinite(value) ? '1e999' : JSON.stringify(value) ?? 'null'));
}

/** An attribute expression on a sub-attribute: every operator (any case), `pr`, and a few names that are not sub-attributes. */
function attrExpArb(attribute: SchemaAttribute, stored: readonly unknown[]): fc.Arbitrary<string> {
  const subs = attribute.type === 'complex' ? [...attribute.subAttributes.values()] : [{ ...attribute, name: 'value', multiValued: false }];
  const nameArb = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...subs.map((s) => s.name)) },
    { weight: 1, arbitrary: fc.constantFrom(...subs.map((s) => s.name)).map((n) => n.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom('nope', 'value.value', `${attribute.name}.value`, 'primary') },
  );
  return nameArb.chain((name) => {
    const type = subs.find((s) => s.name.toLowerCase() === name.toLowerCase())?.type ?? 'string';
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(`${name} pr`) },
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom('eq', 'eq', 'eq', ...COMPARE_OPERATORS).chain((o) => fc.oneof(fc.constant(o), fc.mixedCase(fc.constant(o)))), literalArb(type, stored)).map(([o, literal]) => `${name} ${o} ${literal}`) },
      { weight: 1, arbitrary: fc.tuple(compareOpTextArb, literalArb(type, stored)).map(([o, literal]) => `${name} ${o} ${literal}`) },
    );
  });
}

/** A filter over a multi-valued attribute's values: `and`, `or`, `not (…)`, parentheses. */
function filterTextArb(attribute: SchemaAttribute, stored: readonly unknown[] = []): fc.Arbitrary<string> {
  return fc.letrec<{ filter: string }>((tie) => ({
    filter: fc.oneof(
      { maxDepth: 3, depthSize: 'small' },
      { weight: 4, arbitrary: attrExpArb(attribute, stored) },
      { weight: 1, arbitrary: fc.tuple(tie('filter'), fc.constantFrom(' and ', ' or ', ' AND ', ' Or '), tie('filter')).map(([a, j, b]) => `${a}${j}${b}`) },
      { weight: 1, arbitrary: tie('filter').map((f) => `not (${f})`) },
      { weight: 1, arbitrary: tie('filter').map((f) => `(${f})`) },
    ),
  })).filter;
}

/** The simple values a resource holds inside its complex and multi-valued attributes (filter literals that match). */
function storedLeaves(resource: Json): unknown[] {
  const leaves: unknown[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (Array.isArray(value)) for (const item of value.slice(0, 20)) visit(item, depth + 1);
    else if (typeof value === 'object' && value !== null) for (const item of Object.values(value).slice(0, 20)) visit(item, depth + 1);
    else if (depth > 1 && leaves.length < 200) leaves.push(value);
  };
  visit(resource, 0);
  return leaves;
}

function filterOperationArb(set: SchemaSetName, resource: Json = {}): fc.Arbitrary<unknown> {
  const stored = storedLeaves(resource);
  return fc.tuple(multiValuedTargetArb(set), anyOpArb, fc.boolean()).chain(([target, o, qualify]) =>
    fc
      .tuple(
        filterTextArb(target.attribute, stored),
        fc.oneof({ weight: 4, arbitrary: validValueArb(target.sub === undefined && target.attribute.multiValued ? { ...target, attribute: { ...target.attribute, multiValued: false } } : target) }, { weight: 1, arbitrary: wrongValueArb(target.sub?.type ?? 'complex') }),
        fc.boolean(),
      )
      .map(([filter, value, withValue]) => op(o, pathText(target, qualify, filter), withValue || !o.toLowerCase().startsWith('rem') ? value : undefined)),
  );
}

// ---------------------------------------------------------------------------------------------
// Prototype keys
// ---------------------------------------------------------------------------------------------

const protoKeyArb: fc.Arbitrary<string> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_MEMBER_NAMES) });

/** An operation with a prototype key somewhere: in the path, in a filter, or at some depth of the value. */
function protoOperationArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  const targetAndKey = fc.tuple(targetArb(set), protoKeyArb, anyOpArb);
  return fc.oneof(
    // In the path: as the attribute, the sub-attribute, after a URN, in a filter.
    targetAndKey.chain(([t, key, o]) =>
      fc
        .constantFrom(
          key,
          `${t.attribute.name}.${key}`,
          `${t.urn}:${key}`,
          `${t.urn}:${t.attribute.name}.${key}`,
          `${key}.${t.attribute.name}`,
          `${key}:${t.attribute.name}`,
          `${t.attribute.name}[${key} eq "x"]`,
          `${t.attribute.name}[${key} pr]`,
          `${t.attribute.name}[type eq "work"].${key}`,
          `${t.attribute.name}[value eq "${key}"]`,
          `${key}[value eq "x"].${key}`,
        )
        .chain((path) => validValueArb(t).map((value) => op(o, path, value))),
    ),
    // As a key of a value at the top, under a URN, in a complex value, in a list value.
    targetAndKey.chain(([t, key, o]) =>
      fc.tuple(validValueArb(whole(t)), hostileJsonArb).map(([value, junk]) => {
        const inner = jsonObject([[key, jsonObject([['polluted', true]])], ['value', 'x']]);
        const placements: unknown[] = [
          op(o, undefined, jsonObject([[key, junk]])),
          op(o, undefined, jsonObject([[t.attribute.name, value], [key, { polluted: true }]])),
          op(o, undefined, jsonObject([[t.urn, jsonObject([[key, { polluted: true }]])]])),
          op(o, undefined, jsonObject([[`${t.urn}:${key}`, junk]])),
          op(o, t.attribute.name, inner),
          op(o, t.attribute.name, [inner]),
          op(o, t.urn, jsonObject([[t.attribute.name, inner]])),
          op(o, undefined, jsonObject([[t.attribute.name, [inner]]])),
          op(o, undefined, jsonObject([[t.urn, jsonObject([[t.attribute.name, inner]])]])),
        ];
        return placements[junk === null ? 0 : JSON.stringify(junk ?? '').length % placements.length];
      }),
    ),
    // Nested prototype keys far down a value.
    fc.tuple(targetArb(set), anyOpArb, fc.integer({ min: 1, max: 40 }), fc.constantFrom<NestStyle>('proto', 'mixed')).map(([t, o, depth, style]) =>
      op(o, pathText(t, false), nest(jsonObject([['value', 'x'], ['__proto__', { polluted: true }]]), depth, style)),
    ),
    // In the operation object and the envelope.
    protoKeyArb.map((key) => jsonObject([['op', 'add'], [key, { polluted: true }], ['path', 'displayName'], ['value', 'x']])),
  );
}

function protoBodyArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(protoOperationArb(set), { minLength: 1, maxLength: 3 }).map((ops) => viaJsonParse(bodyOf(ops))) },
    { weight: 1, arbitrary: fc.tuple(protoKeyArb, protoOperationArb(set)).map(([key, o]) => viaJsonParse(jsonObject([['schemas', [PATCH_OP_SCHEMA]], [key, { Operations: [] }], ['Operations', [o]]]))) },
  );
}

// ---------------------------------------------------------------------------------------------
// Deep, long and many
// ---------------------------------------------------------------------------------------------

function longString(length: number, unit: string): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** Where a deep value goes in a request on a resource. */
function placeDeep(where: number, deep: unknown, target: Target): unknown {
  const path = pathText(target, false);
  const list = [
    () => op('add', path, deep),
    () => op('replace', path, [deep]),
    () => op('replace', path, { value: deep, type: deep }),
    () => op('add', undefined, { [path]: deep }),
    () => op('add', target.urn, { [target.attribute.name]: deep }),
    () => op('replace', undefined, { [target.urn]: deep }),
    () => op('remove', path, deep),
    () => op('add', `${target.attribute.name}[type eq "work"].value`, deep),
    () => op(deep as string, path, 'x'),
    () => op('remove', deep),
    () => deep,
  ];
  const chosen = list[where % list.length] as () => unknown;
  if (where % (list.length + 3) >= list.length) {
    return where % 2 === 0 ? { schemas: deep, Operations: [] } : { schemas: [PATCH_OP_SCHEMA], Operations: deep };
  }
  return bodyOf([chosen()]);
}

const LONG_LENGTHS = [4_095, 4_097, 100_000, 1_000_000] as const;

/** Long strings where a client controls them. */
function longStringOperationArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...LONG_LENGTHS), targetArb(set), fc.nat()).map(([length, t, where]) => {
    const s = longString(length, 'ab');
    const placements: (() => unknown)[] = [
      () => op('replace', pathText(t, false), s),
      () => op('replace', 'userName', s),
      () => op('add', undefined, { [`${t.urn}:${s}`]: 1 }),
      () => op('remove', `${t.attribute.name}[value eq "${s}"]`),
      () => op('remove', `${t.attribute.name}[type eq "a"${' or type eq "b"'.repeat(Math.floor(length / 16))}]`),
      () => op('replace', `${t.attribute.name}.${s}`, 'x'),
      () => op('add', t.attribute.name, [{ value: s, display: s }]),
      () => op(s, 'displayName', 'x'),
    ];
    return bodyOf([(placements[where % placements.length] as () => unknown)()]);
  });
}

/** More operations than the default limit, or just below it; more values than the scan budget wants. */
function manyOperationsArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  const user = isUserSet(set);
  return fc.tuple(fc.constantFrom(999, 1_000, 1_001, 3_000), fc.constantFrom('add', 'remove', 'rename', 'scan', 'mixed')).map(([count, kind]) =>
    bodyOf(
      Array.from({ length: count }, (_, i) => {
        const k = kind === 'mixed' ? (['add', 'remove', 'rename', 'scan'] as const)[i % 4] : kind;
        const list = user ? 'emails' : 'members';
        if (k === 'add') return op('add', list, [{ value: `v${String(i)}@example.com` }, { value: 'u1' }]);
        if (k === 'remove') return op('remove', `${list}[value eq "v${String(i - 1)}@example.com"]`);
        if (k === 'scan') return i % 2 === 0 ? op('remove', `${list}[display eq "nobody ${String(i)}"]`) : op('replace', `${list}[display sw "M"].display`, 'x');
        return op('replace', 'displayName', `name ${String(i)}`);
      }),
    ),
  );
}

/** A stored resource with a large list (so that scans hit the budget). */
function largeStoredArb(set: SchemaSetName): fc.Arbitrary<Json> {
  return fc.tuple(storedArb(set), fc.integer({ min: 500, max: 3_000 })).map(([resource, count]) => oddly(resource, set, 'manyValues', count - 50));
}

function deepBodyArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.nat(), deepValueArb, targetArb(set)).map(([where, deep, t]) => viaJsonParse(placeDeep(where, deep, t))) },
    { weight: 2, arbitrary: longStringOperationArb(set) },
    { weight: 1, arbitrary: manyOperationsArb(set) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(1_000, 20_000, 100_001).map((count) =>
        bodyOf([op('add', isUserSet(set) ? 'emails' : 'members', Array.from({ length: count }, (_, i) => ({ value: `many${String(i)}@example.com` })))]),
      ),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Wrong types
// ---------------------------------------------------------------------------------------------

function typesOperationArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  return fc.tuple(targetArb(set), anyOpArb, fc.nat()).chain(([t, o, where]) => {
    const type = t.sub?.type ?? t.attribute.type;
    return fc.tuple(wrongValueArb(type), validValueArb(whole(t))).map(([wrong, valid]) => {
      const path = pathText(t, where % 5 === 0);
      const sub = t.sub?.name ?? 'value';
      const placements: (() => unknown)[] = [
        () => op(o, path, wrong),
        () => op(o, undefined, jsonObject([[path, wrong]])),
        () => op(o, pathText(whole(t), false), jsonObject([[sub, wrong]])),
        () => op(o, pathText(whole(t), false), [jsonObject([[sub, wrong]]), valid]),
        () => op(o, t.urn, jsonObject([[t.attribute.name, wrong]])),
        () => op(o, `${t.attribute.name}[type eq "work"].${sub}`, wrong),
        () => op(o, pathText(whole(t), false), valid),
      ];
      return (placements[where % placements.length] as () => unknown)();
    });
  });
}

function typesBodyArb(set: SchemaSetName): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(typesOperationArb(set), { minLength: 1, maxLength: 4 }).map((ops) => viaJsonParse(bodyOf(ops))) },
    // Values outside JSON, for hosts whose parser is not JSON.parse.
    { weight: 1, arbitrary: fc.tuple(targetArb(set), anyOpArb, anythingArb).map(([t, o, value]) => bodyOf([op(o, pathText(t, false), value)])) },
    { weight: 1, arbitrary: fc.tuple(anyOpArb, fc.oneof(hostilePathArb, fc.constantFrom<unknown>(5, null, true, [], {})), anyJsonArb).map(([o, path, value]) => viaJsonParse(bodyOf([op(o, path, value)]))) },
  );
}

// ---------------------------------------------------------------------------------------------
// Ordinary and mixed requests
// ---------------------------------------------------------------------------------------------

/** Operations on a Group with the acme extension, mostly ones that should apply. */
function acmeGroupOperationArb(group: Json): fc.Arbitrary<unknown> {
  const owners = valuesOf(group, 'owners', ACME_URN, [...OWNER_IDS, 'o9']);
  const members = valuesOf(group, 'members', undefined, [...['u1', 'u2', 'u9']]);
  return fc.oneof(
    fc.tuple(fc.oneof(opArb('add'), opArb('replace')), fc.constantFrom('Ops team', 'x', '')).map(([o, v]) => op(o, `${ACME_URN}:description`, v)),
    fc.tuple(opArb('add'), fc.array(fc.record({ value: owners, display: fc.constantFrom('Babs', 'Owner') }, { requiredKeys: ['value'], noNullPrototype: true }), { minLength: 1, maxLength: 3 })).map(([o, v]) => op(o, `${ACME_URN}:owners`, v)),
    fc.tuple(opArb('replace'), owners, fc.constantFrom('New name')).map(([o, id, v]) => op(o, `${ACME_URN}:owners[value eq "${id}"].display`, v)),
    fc.tuple(opArb('replace'), owners).map(([o, id]) => op(o, `${ACME_URN}:owners[value eq "${id}"].value`, 'someone-else')),
    owners.map((id) => op('remove', `${ACME_URN}:owners[value eq "${id}"]`)),
    owners.map((id) => op('remove', `${ACME_URN}:owners`, [{ value: id }])),
    fc.constantFrom('2000-01-01T00:00:00Z', '2024-03-01T09:00:00+01:00').map((instant) => op('remove', `${ACME_URN}:owners[since gt "${instant}"]`)),
    fc.tuple(fc.oneof(opArb('add'), opArb('replace')), fc.constantFrom('okta', 'Entra', 'other')).map(([o, v]) => op(o, `${ACME_URN}:originSystem`, v)),
    fc.tuple(opArb('replace'), fc.integer({ min: -1, max: 1_000 }), fc.constantFrom(0.5, 1, 0)).map(([o, seats, share]) => op(o, ACME_URN, { seatLimit: seats, costShare: share })),
    fc.constantFrom('description', 'owners', 'originSystem', 'seatLimit').map((name) => op('remove', `${ACME_URN}:${name}`)),
    fc.constant(op('remove', ACME_URN)),
    fc.tuple(opArb('add'), members).map(([o, value]) => op(o, 'members', [{ value }])),
    members.map((value) => op('remove', `members[value eq "${value}"]`)),
    members.map((value) => op('replace', `members[value eq "${value}"].display`, 'Renamed')),
    fc.constantFrom('Tour Guides', 'Ops').map((name) => op('replace', undefined, { displayName: name, [`${ACME_URN}:description`]: name })),
    validOperationArb,
  );
}

/** Ordinary operations on a stored resource of `set`: the property tests' for Users, the acme ones for Groups. */
function ordinaryOperationArb(resource: Json, set: SchemaSetName): fc.Arbitrary<unknown> {
  return isUserSet(set) ? userOperationArb(resource) : acmeGroupOperationArb(resource);
}

function mixedBodyArb(resource: Json, set: SchemaSetName): fc.Arbitrary<unknown> {
  const ordinary = fc.array(ordinaryOperationArb(resource, set), { minLength: 1, maxLength: 5 }).map(bodyOf);
  const user = isUserSet(set);
  return fc.oneof(
    { weight: 4, arbitrary: ordinary },
    { weight: 2, arbitrary: mutatedArb(ordinary) },
    { weight: user ? 2 : 0, arbitrary: hostileUserBodyArb },
    { weight: user ? 1 : 0, arbitrary: fc.tuple(ordinary, invalidOperationArb).map(([body, invalid]) => bodyOf([...(body.Operations as unknown[]), invalid.operation])) },
    { weight: user ? 1 : 0, arbitrary: fc.array(noopOperationArb(resource), { minLength: 1, maxLength: 3 }).map(bodyOf) },
    { weight: 1, arbitrary: fc.array(memberValueArb.map((value) => op('add', 'members', [{ value }])), { maxLength: 2 }).map(bodyOf) },
  );
}

// ---------------------------------------------------------------------------------------------
// The families
// ---------------------------------------------------------------------------------------------

/** A generator family of the resource campaign: as the Group ones, with resource cases (shares on the same scale). */
export type ResourceFuzzFamily = Omit<FuzzFamily, 'arbitrary'> & { readonly arbitrary: fc.Arbitrary<ResourceFuzzCase> };

const entraFamily = casesArb(ALL_SETS, (resource, set) => clientBodyArb(isUserSet(set) ? entraUserOperationArb(resource) : entraGroupOperationArb(resource)));
const oktaFamily = casesArb(ALL_SETS, (resource, set) => clientBodyArb(isUserSet(set) ? oktaUserOperationArb(resource) : oktaGroupOperationArb(resource)));
const urnFamily = casesArb(ALL_SETS, (_resource, set) => fc.array(urnOperationArb(set), { minLength: 1, maxLength: 3 }).map((ops) => viaJsonParse(bodyOf(ops))));
const filterFamily = casesArb(ALL_SETS, (resource, set) => fc.array(filterOperationArb(set, resource), { minLength: 1, maxLength: 3 }).map((ops) => viaJsonParse(bodyOf(ops))));
const protoFamily = casesArb(ALL_SETS, (_resource, set) => protoBodyArb(set), (set) => fc.oneof({ weight: 3, arbitrary: storedArb(set) }, { weight: 1, arbitrary: oddStoredArb(set) }));
const deepFamily = casesArb(ALL_SETS, (_resource, set) => deepBodyArb(set), (set) => fc.oneof({ weight: 4, arbitrary: storedArb(set) }, { weight: 1, arbitrary: largeStoredArb(set) }));
const typesFamily = casesArb(ALL_SETS, (_resource, set) => typesBodyArb(set));
const storedFamily = casesArb(
  ALL_SETS,
  (resource, set) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.array(ordinaryOperationArb(resource, set), { minLength: 1, maxLength: 4 }).map(bodyOf) },
      { weight: 1, arbitrary: fc.array(fc.oneof(typesOperationArb(set), urnOperationArb(set), filterOperationArb(set)), { minLength: 1, maxLength: 3 }).map((ops) => viaJsonParse(bodyOf(ops))) },
    ),
  oddStoredArb,
);
const mixedFamily = casesArb(ALL_SETS, mixedBodyArb);

/** Every resource family, in the order the fuzzer runs them (after the Group families). */
export const RESOURCE_FUZZ_FAMILIES: readonly ResourceFuzzFamily[] = [
  { name: 'res-entra', description: "Entra ID's User and Group shapes (PascalCase, \"False\", filters, manager, dotted/URN keys), mutated", share: 8, arbitrary: entraFamily },
  { name: 'res-okta', description: "Okta's shapes (pathless active, profile echoes with readOnly attributes, Group pushes), mutated", share: 5, arbitrary: oktaFamily },
  { name: 'res-urn', description: 'URN-qualified paths and keys in any case, wrong, truncated and foreign URNs', share: 6, arbitrary: urnFamily },
  { name: 'res-filter', description: 'value filters on every multi-valued and complex attribute, every operator, literals of every type', share: 7, arbitrary: filterFamily },
  { name: 'res-proto', description: '__proto__, constructor and prototype at every depth of paths, values, operations and the envelope', share: 6, arbitrary: protoFamily },
  { name: 'res-deep', description: 'deep values, long strings, many operations and values, large stored lists', share: 1, arbitrary: deepFamily },
  { name: 'res-types', description: 'a value of every other type for every attribute and sub-attribute, anywhere', share: 7, arbitrary: typesFamily },
  { name: 'res-stored', description: 'stored resources with odd but valid shapes (key case, empty extensions, nulls, host keys)', share: 6, arbitrary: storedFamily },
  { name: 'res-mixed', description: "the property tests' requests and the Group API's on resources, mutated, under hostile options", share: 6, arbitrary: mixedFamily },
];
