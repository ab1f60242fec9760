/**
 * fast-check arbitraries for the schema-driven engine (`applyPatch` on any resource): stored Users
 * with the Enterprise User extension and a custom extension, and PATCH requests of every shape a
 * client sends them.
 *
 * - Stored users hold a random subset of the User attributes, lists (`emails`, `phoneNumbers`,
 *   `roles`, `addresses`) unique by content and with at most one `primary: true`, an enterprise
 *   `manager`, and the custom extension's attributes of every type. `schemas` lists an extension's
 *   URN exactly when the user holds one of its attributes. Keys use the schema's spelling, and
 *   values only sub-attributes the schema defines, so a replace with the current value is no change.
 * - Operations: add / replace / remove, by path, pathless (with dotted and URN-qualified keys and
 *   the extension URN as a key), with filters on `type`, `value` and `primary`, sub-attribute
 *   paths, extension URN paths, Entra's and Okta's shapes; op names and attribute names in any case.
 *   A small share are invalid on purpose (`invalidOperationArb`), each with the `scimType` it must
 *   get.
 * - Hostile requests: prototype keys, deep values, wrong types, corrupted paths.
 *
 * Everything is plain JSON built fresh for each run, safe to deep-freeze.
 */
import fc from 'fast-check';
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  type ResourcePatchOptions,
  type ScimType,
} from '../../src/index.js';
import { anyJsonArb, deepValueArb, hostileJsonArb, hostilePathArb, jsonObject, PROTOTYPE_KEYS } from './hostile.js';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** The URN of the custom User extension below. */
export const TEST_URN = 'urn:example:params:scim:schemas:extension:test:2.0:User';

/** The Enterprise User extension URN, shorter. */
export const ENT = ENTERPRISE_USER_SCHEMA;

/**
 * A custom User extension in the RFC 7643 §7 representation, with every simple type, an immutable
 * attribute, a simple multi-valued attribute and a complex one whose `value` is immutable (so it
 * identifies a value on its own, like Group members).
 */
export const TEST_EXTENSION = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: TEST_URN,
  name: 'TestUser',
  attributes: [
    { name: 'badge', type: 'integer' },
    { name: 'score', type: 'decimal' },
    { name: 'hiredAt', type: 'dateTime' },
    { name: 'avatar', type: 'binary' },
    { name: 'clearance', type: 'string', mutability: 'immutable', caseExact: true },
    { name: 'skills', type: 'string', multiValued: true },
    {
      name: 'mentors',
      type: 'complex',
      multiValued: true,
      subAttributes: [
        { name: 'value', type: 'string', mutability: 'immutable', required: true, caseExact: true },
        { name: 'display', type: 'string' },
        { name: 'since', type: 'dateTime' },
        { name: 'primary', type: 'boolean' },
      ],
    },
  ],
} as const;

/** The options every law runs with: User, Enterprise User and the custom extension. */
export const USER_OPTIONS: ResourcePatchOptions = Object.freeze({
  schema: USER_SCHEMA_DEFINITION,
  extensions: Object.freeze([ENTERPRISE_USER_SCHEMA_DEFINITION, TEST_EXTENSION]),
});

/** The extension URNs a user may carry. */
export const EXTENSION_URNS = [ENT, TEST_URN] as const;

/**
 * Multi-valued attributes by the path the change summary uses (core attributes by name, extension
 * attributes by `urn:…:name`), read off the schemas by hand.
 */
export const MULTI_VALUED_PATHS: ReadonlySet<string> = new Set([
  'schemas',
  'emails',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'groups',
  'entitlements',
  'roles',
  'x509Certificates',
  `${TEST_URN}:skills`,
  `${TEST_URN}:mentors`,
]);

/** Lists whose values have a `primary` sub-attribute: where they live, and their name. */
export const PRIMARY_LISTS: readonly { readonly holder: string | undefined; readonly name: string }[] = [
  { holder: undefined, name: 'emails' },
  { holder: undefined, name: 'phoneNumbers' },
  { holder: undefined, name: 'roles' },
  { holder: undefined, name: 'addresses' },
  { holder: TEST_URN, name: 'mentors' },
];

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** A JSON object. */
export type Json = Record<string, unknown>;

/** A raw operation as a client sends it. */
export type RawOperation = Record<string, unknown>;

/** A PATCH body around operations. */
export function patchBody(operations: readonly unknown[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: [...operations] };
}

/** A word as the schema spells it most of the time, in random case otherwise (RFC 7643 §2.1). */
function spelled(word: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(word) }, { weight: 1, arbitrary: fc.mixedCase(fc.constant(word)) });
}

/** An op name as RFC 7644 spells it, PascalCase as Entra's default job does, or any case. */
function opName(op: 'add' | 'remove' | 'replace'): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(op) },
    { weight: 2, arbitrary: fc.constant(op.charAt(0).toUpperCase() + op.slice(1)) },
    { weight: 1, arbitrary: fc.mixedCase(fc.constant(op)) },
  );
}

/** `add` or `replace`. */
const writeOpArb: fc.Arbitrary<'add' | 'replace'> = fc.constantFrom<'add' | 'replace'>('add', 'replace');

/** One value from each arbitrary, in order. */
function each<T>(arbitraries: readonly fc.Arbitrary<T>[]): fc.Arbitrary<T[]> {
  return arbitraries.reduce<fc.Arbitrary<T[]>>((all, next) => all.chain((values) => next.map((value) => [...values, value])), fc.constant([]));
}

function operation(op: 'add' | 'remove' | 'replace', path: string | undefined, value?: unknown): fc.Arbitrary<RawOperation> {
  return opName(op).map((name) => {
    const raw: RawOperation = { op: name };
    if (path !== undefined) raw.path = path;
    if (value !== undefined) raw.value = structuredClone(value);
    return raw;
  });
}

/** A record's content with strings lower-cased and keys sorted: equal for values the engine sees as equal. */
function caseless(record: Json): string {
  const entries = Object.entries(record)
    .filter(([key]) => key !== 'primary')
    .map(([key, value]) => [key, typeof value === 'string' ? value.toLowerCase() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

function nonEmpty(record: Json): boolean {
  return Object.keys(record).length > 0;
}

/** Some of the keys of a record, always including `keep`. */
function projection(record: Json, keep: readonly string[]): fc.Arbitrary<Json> {
  const keys = Object.keys(record);
  return fc.subarray(keys).map((chosen) => {
    const out: Json = {};
    for (const key of keys) if (chosen.includes(key) || keep.includes(key)) out[key] = record[key];
    return out;
  });
}

/** A string in the same case-insensitive class, for attributes that are not caseExact. */
function caseVariant(value: unknown): fc.Arbitrary<unknown> {
  return typeof value === 'string' ? fc.oneof(fc.constant(value), fc.constant(value.toUpperCase())) : fc.constant(value);
}

// ---------------------------------------------------------------------------------------------
// Value pools (small, so that requests hit stored values often)
// ---------------------------------------------------------------------------------------------

export const EMAILS = ['bjensen@example.com', 'babs@jensen.org', 'barbara@work.example', 'BJensen@Example.com'] as const;
export const PHONES = ['555-555-5555', '555-555-4444', '+1 202 555 0100'] as const;
export const ROLES = ['admin', 'user', 'Auditor'] as const;
export const STREETS = ['100 Universal City Plaza', '456 Hollywood Blvd'] as const;
export const MENTORS = ['m1', 'm2', 'M1', 'm3'] as const;
export const SKILLS = ['go', 'rust', 'TypeScript', 'sql'] as const;
export const MANAGERS = ['26118915-6090-4610-87e4-49d8ca9f808d', 'boss', 'm1'] as const;
const DATE_TIMES = ['2010-01-23T04:56:22Z', '2011-05-13T04:42:34Z', '2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.5Z'] as const;
const BASE64 = ['aGVsbG8=', 'TUlJREN6Q0NBcFNnQXdJQkFnSUJBREFO', ''] as const;
const WORDS = ['Babs', 'Barbara', 'Jensen', 'Ms. Barbara J Jensen III', 'Tour Guide', 'en-US', 'fr', 'Employee', ''] as const;

/** A value in none of the pools: never stored, never covered. */
export function freshValue(kind: string, index: number): string {
  return `fresh-${kind}-${String(index)}@new.example`;
}

// ---------------------------------------------------------------------------------------------
// Stored users
// ---------------------------------------------------------------------------------------------

/** A list of records unique by content (ignoring case and `primary`), at most one primary. */
function pluralListArb(record: fc.Arbitrary<Json>, maxLength = 4): fc.Arbitrary<Json[]> {
  return fc
    .tuple(fc.uniqueArray(record, { maxLength, selector: caseless }), fc.option(fc.nat(), { nil: undefined }), fc.boolean())
    .map(([list, primaryAt, falseOthers]) =>
      list.map((item, i) => {
        if (primaryAt !== undefined && i === primaryAt % list.length) return { ...item, primary: true };
        return falseOthers && i % 2 === 1 ? { ...item, primary: false } : item;
      }),
    );
}

const emailRecordArb: fc.Arbitrary<Json> = fc.record(
  { value: fc.constantFrom(...EMAILS), type: fc.constantFrom('work', 'home', 'other'), display: fc.constantFrom('Work', 'Home mail') },
  { requiredKeys: ['value'], noNullPrototype: true },
);
const phoneRecordArb: fc.Arbitrary<Json> = fc.record(
  { value: fc.constantFrom(...PHONES), type: fc.constantFrom('work', 'mobile', 'home') },
  { requiredKeys: ['value'], noNullPrototype: true },
);
const roleRecordArb: fc.Arbitrary<Json> = fc.record(
  { value: fc.constantFrom(...ROLES), type: fc.constantFrom('app', 'directory'), display: fc.constantFrom('Admin', 'User') },
  { requiredKeys: ['value'], noNullPrototype: true },
);
const addressRecordArb: fc.Arbitrary<Json> = fc.record(
  { type: fc.constantFrom('work', 'home'), streetAddress: fc.constantFrom(...STREETS), locality: fc.constantFrom('Hollywood', 'Paris') },
  { requiredKeys: ['type'], noNullPrototype: true },
);
const mentorRecordArb: fc.Arbitrary<Json> = fc.record(
  { value: fc.constantFrom(...MENTORS), display: fc.constantFrom('Mentor One', 'Mentor Two'), since: fc.constantFrom(...DATE_TIMES) },
  { requiredKeys: ['value'], noNullPrototype: true },
);
/** Mentors are identified by their (case-exact) value alone. */
const mentorsArb: fc.Arbitrary<Json[]> = fc
  .tuple(fc.uniqueArray(mentorRecordArb, { minLength: 1, maxLength: 3, selector: (m) => m.value }), fc.option(fc.nat(), { nil: undefined }))
  .map(([list, at]) => list.map((item, i) => (at !== undefined && i === at % list.length ? { ...item, primary: true } : item)));

const nameArb: fc.Arbitrary<Json> = fc
  .record(
    { givenName: fc.constantFrom('Barbara', 'Babs'), familyName: fc.constantFrom('Jensen', 'JENSEN'), formatted: fc.constantFrom('Ms. Barbara J Jensen III') },
    { requiredKeys: [], noNullPrototype: true },
  )
  .filter(nonEmpty);

const enterpriseArb: fc.Arbitrary<Json> = fc.record(
  {
    employeeNumber: fc.constantFrom('701984', '42'),
    costCenter: fc.constantFrom('4130'),
    organization: fc.constantFrom('Universal Studios'),
    department: fc.constantFrom('Tour Operations', 'Sales'),
    manager: fc.record({ value: fc.constantFrom(...MANAGERS), displayName: fc.constantFrom('John Smith') }, { requiredKeys: ['value'], noNullPrototype: true }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const testExtensionArb: fc.Arbitrary<Json> = fc.record(
  {
    badge: fc.integer({ min: -5, max: 10_000 }),
    score: fc.constantFrom(0.25, 1, 2.5, -3),
    hiredAt: fc.constantFrom(...DATE_TIMES),
    avatar: fc.constantFrom(...BASE64),
    clearance: fc.constantFrom('secret', 'Public'),
    skills: fc.uniqueArray(fc.constantFrom(...SKILLS), { minLength: 1, maxLength: 3, selector: (s) => s.toLowerCase() }),
    mentors: mentorsArb,
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** Often one attribute only, so that removing one attribute empties the extension. */
function fewKeys(object: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return object.chain((full) => {
    const keys = Object.keys(full);
    if (keys.length <= 1) return fc.constant(full);
    return fc.oneof(
      fc.constant(full),
      fc.constantFrom(...keys).map((key) => ({ [key]: full[key] })),
    );
  });
}

/** A stored user, well-formed for USER_OPTIONS. */
export const userArb: fc.Arbitrary<Json> = fc
  .record(
    {
      id: fc.constantFrom('2819c223-7f76-453a-919d-413861904646', 'u-1'),
      externalId: fc.constantFrom('701984', 'bjensen'),
      userName: fc.constantFrom('bjensen@example.com', 'Babs'),
      name: nameArb,
      displayName: fc.constantFrom('Babs Jensen', 'Barbara'),
      nickName: fc.constantFrom('Babs', 'bj'),
      title: fc.constantFrom('Tour Guide'),
      userType: fc.constantFrom('Employee'),
      locale: fc.constantFrom('en-US'),
      active: fc.boolean(),
      password: fc.constantFrom('t1meMa$heen'),
      profileUrl: fc.constantFrom('https://login.example.com/bjensen'),
      emails: pluralListArb(emailRecordArb),
      phoneNumbers: pluralListArb(phoneRecordArb, 3),
      roles: pluralListArb(roleRecordArb, 3),
      addresses: pluralListArb(addressRecordArb, 2),
      groups: fc.constant([{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides', $ref: 'https://example.com/v2/Groups/e9e30dba' }]),
      meta: fc.record(
        { resourceType: fc.constant('User'), created: fc.constant('2010-01-23T04:56:22Z'), lastModified: fc.constant('2011-05-13T04:42:34Z') },
        { requiredKeys: ['resourceType'], noNullPrototype: true },
      ),
      enterprise: fewKeys(enterpriseArb),
      test: fewKeys(testExtensionArb),
    },
    { requiredKeys: ['id', 'userName'], noNullPrototype: true },
  )
  .map(({ enterprise, test, ...core }) => {
    const user: Json = { schemas: [USER_SCHEMA], ...core };
    const schemas = [USER_SCHEMA];
    if (enterprise !== undefined && nonEmpty(enterprise)) {
      user[ENT] = enterprise;
      schemas.push(ENT);
    }
    if (test !== undefined && nonEmpty(test)) {
      user[TEST_URN] = test;
      schemas.push(TEST_URN);
    }
    user.schemas = schemas;
    return user;
  });

// ---------------------------------------------------------------------------------------------
// Reading a generated user
// ---------------------------------------------------------------------------------------------

/** The list stored at `name` (in an extension object when `holder` is its URN), or `[]`. */
export function storedList(user: Json, name: string, holder?: string): Json[] {
  const container = holder === undefined ? user : user[holder];
  if (typeof container !== 'object' || container === null) return [];
  const list = (container as Json)[name];
  return Array.isArray(list) ? (list as Json[]) : [];
}

/** A stored value of the list, or `fallback` when the list is empty. */
function someOf<T>(list: readonly T[], fallback: T): fc.Arbitrary<T> {
  return list.length === 0 ? fc.constant(fallback) : fc.constantFrom(...list);
}

function storedValues(user: Json, name: string, fallback: string, holder?: string): fc.Arbitrary<string> {
  const values = storedList(user, name, holder)
    .map((record) => record.value)
    .filter((value): value is string => typeof value === 'string');
  return someOf(values, fallback);
}

// ---------------------------------------------------------------------------------------------
// Operations that should apply
// ---------------------------------------------------------------------------------------------

const SIMPLE_PATHS = ['displayName', 'nickName', 'title', 'userType', 'locale', 'password', 'externalId', 'name.givenName', 'name.familyName'] as const;

/** `add`/`replace` of a single simple attribute, by path (sometimes URN-qualified or in any case). */
function simpleWriteArb(): fc.Arbitrary<RawOperation> {
  return fc
    .tuple(
      writeOpArb,
      fc.constantFrom(...SIMPLE_PATHS).chain((path) =>
        fc.oneof({ weight: 3, arbitrary: spelled(path) }, { weight: 1, arbitrary: fc.constant(`${USER_SCHEMA}:${path}`) }),
      ),
      fc.constantFrom(...WORDS.filter((word) => word !== '')),
    )
    .chain(([op, path, value]) => operation(op, path, value));
}

/** `active`, as a boolean or as Entra's `"True"`/`"False"`, by path or pathless (Okta's deactivation). */
function activeArb(): fc.Arbitrary<RawOperation> {
  return fc
    .tuple(writeOpArb, fc.constantFrom<unknown>(true, false, 'True', 'False', 'false'), fc.boolean())
    .chain(([op, value, pathless]) => (pathless ? operation(op, undefined, { active: value }) : operation(op, 'active', value)));
}

/** `name` as a complex value: sets the given sub-attributes, keeps the others. */
function nameWriteArb(): fc.Arbitrary<RawOperation> {
  return fc
    .tuple(writeOpArb, nameArb)
    .chain(([op, value]) => operation(op, 'name', value));
}

/** New records for a list (values from outside the pools) and stored ones, at most one primary. */
function listValueArb(user: Json, name: string, holder: string | undefined, fresh: fc.Arbitrary<Json>, key: string): fc.Arbitrary<Json[]> {
  const stored = storedList(user, name, holder);
  const present: fc.Arbitrary<Json[]> =
    stored.length === 0 ? fc.constant([]) : fc.subarray(stored, { maxLength: Math.min(2, stored.length) }).map((records) => records.map((record) => ({ ...record })));
  return fc.tuple(fc.array(fresh, { maxLength: 2 }), present, fc.option(fc.nat(), { nil: undefined }), fc.nat()).map(([news, old, primaryAt, salt]) => {
    const all = [...news.map((record, i) => ({ ...record, [key]: freshValue(`${name}${String(salt % 97)}`, i) })), ...old].map((record) => {
      const copy = { ...record };
      delete copy.primary;
      return copy;
    });
    if (primaryAt !== undefined && all.length > 0) (all[primaryAt % all.length] as Json).primary = true;
    return all;
  });
}

/** `add`/`replace` of a whole multi-valued attribute, by path or pathless. */
function listWriteArb(user: Json): fc.Arbitrary<RawOperation> {
  const kinds: readonly (readonly [string, fc.Arbitrary<Json>, string])[] = [
    ['emails', emailRecordArb, 'value'],
    ['phoneNumbers', phoneRecordArb, 'value'],
    ['roles', roleRecordArb, 'value'],
    ['addresses', addressRecordArb, 'streetAddress'],
  ];
  return fc.constantFrom(...kinds).chain(([name, record, key]) =>
    fc
      .tuple(writeOpArb, listValueArb(user, name, undefined, record, key), fc.boolean(), spelled(name))
      .chain(([op, values, pathless, path]) => (pathless ? operation(op, undefined, { [path]: values }) : operation(op, path, values))),
  );
}

/** Writes through a value filter: on `type` (Entra's), on a stored `value`, on `primary` (Entra's `"True"`). */
function filteredWriteArb(user: Json): fc.Arbitrary<RawOperation> {
  const op = writeOpArb;
  return fc.oneof(
    fc
      .tuple(op, fc.constantFrom('emails', 'phoneNumbers'), fc.constantFrom('work', 'home', 'mobile'), fc.nat())
      .chain(([o, list, type, n]) => operation(o, `${list}[type eq "${type}"].value`, freshValue(list, n % 5))),
    fc
      .tuple(op, storedValues(user, 'emails', EMAILS[0]), fc.constantFrom('display', 'type'), fc.constantFrom('Work', 'other'))
      .chain(([o, value, sub, text]) => operation(o, `emails[value eq ${JSON.stringify(value)}].${sub}`, text)),
    fc
      .tuple(op, storedValues(user, 'emails', EMAILS[0]))
      .chain(([o, value]) => operation(o, `emails[value eq ${JSON.stringify(value)}]`, { primary: true })),
    fc.tuple(op, fc.constantFrom('"True"', 'true')).chain(([o, literal]) => operation(o, `roles[primary eq ${literal}].value`, 'admin')),
    fc
      .tuple(op, fc.constantFrom('work', 'home'), fc.constantFrom(...STREETS))
      .chain(([o, type, street]) => operation(o, `addresses[type eq "${type}"].streetAddress`, street)),
    fc
      .tuple(op, fc.constantFrom('work', 'home'))
      .chain(([o, type]) => operation(o, `emails[type eq "${type}" and primary eq true].display`, 'Main')),
  );
}

/** The Enterprise User extension: URN paths, the unqualified name, every manager shape Entra sends. */
function enterpriseWriteArb(): fc.Arbitrary<RawOperation> {
  const op = writeOpArb;
  const manager = fc.constantFrom(...MANAGERS);
  return fc.oneof(
    fc.tuple(op, fc.constantFrom('department', 'costCenter', 'employeeNumber'), fc.constantFrom('Sales', '4130', '42')).chain(([o, name, value]) =>
      fc.oneof(operation(o, `${ENT}:${name}`, value), operation(o, name, value), operation(o, undefined, { [`${ENT}:${name}`]: value })),
    ),
    fc
      .tuple(op, manager, fc.constantFrom('bare', 'object', 'list', 'path', 'sub', 'unqualified', 'key', 'urnObject'))
      .chain(([o, id, shape]) => {
        switch (shape) {
          case 'bare':
            return operation(o, `${ENT}:manager`, id);
          case 'object':
            return operation(o, `${ENT}:manager`, { value: id });
          case 'list':
            return operation(o, `${ENT}:manager`, [{ value: id }]);
          case 'sub':
            return operation(o, `${ENT}:manager.value`, id);
          case 'unqualified':
            return operation(o, 'manager', id);
          case 'key':
            return operation(o, undefined, { [`${ENT}:manager`]: id });
          case 'urnObject':
            return operation(o, undefined, { [ENT]: { manager: { value: id }, department: 'Sales' } });
          default:
            return operation(o, ENT, { manager: id });
        }
      }),
    // Entra's way of clearing the manager.
    operation('replace', `${ENT}:manager`, { value: '' }),
  );
}

/** The custom extension: every type, the immutable attribute, its lists. */
function testExtensionWriteArb(user: Json): fc.Arbitrary<RawOperation> {
  const op = writeOpArb;
  const stored = user[TEST_URN];
  const clearance = typeof stored === 'object' && stored !== null ? (stored as Json).clearance : undefined;
  return fc.oneof(
    fc.tuple(op, fc.integer({ min: 0, max: 99 })).chain(([o, n]) => operation(o, `${TEST_URN}:badge`, n)),
    fc.tuple(op, fc.constantFrom(0.5, 3, -1.25)).chain(([o, n]) => operation(o, `${TEST_URN}:score`, n)),
    fc.tuple(op, fc.constantFrom(...DATE_TIMES)).chain(([o, d]) => operation(o, `${TEST_URN}:hiredAt`, d)),
    fc.tuple(op, fc.constantFrom(...BASE64)).chain(([o, b]) => operation(o, `${TEST_URN}:avatar`, b)),
    // Immutable: set while unassigned, or the value it has.
    fc.tuple(op, fc.constant(typeof clearance === 'string' ? clearance : 'secret')).chain(([o, c]) => operation(o, `${TEST_URN}:clearance`, c)),
    fc
      .tuple(op, fc.uniqueArray(fc.constantFrom(...SKILLS, 'haskell'), { minLength: 1, maxLength: 3, selector: (s) => s.toLowerCase() }))
      .chain(([o, skills]) => operation(o, `${TEST_URN}:skills`, skills)),
    fc
      .tuple(op, listValueArb(user, 'mentors', TEST_URN, mentorRecordArb, 'value'))
      .chain(([o, mentors]) => operation(o, `${TEST_URN}:mentors`, mentors)),
    fc
      .tuple(op, storedValues(user, 'mentors', 'm1', TEST_URN))
      .chain(([o, value]) => operation(o, `${TEST_URN}:mentors[value eq ${JSON.stringify(value)}].display`, 'Mentor')),
    fc.tuple(op, fc.integer({ min: 0, max: 9 })).chain(([o, n]) => operation(o, TEST_URN, { badge: n, skills: ['go'] })),
  );
}

/** Pathless values as Entra (`aadOptscim062020`) and Okta send them. */
function pathlessArb(): fc.Arbitrary<RawOperation> {
  const op = writeOpArb;
  return fc
    .tuple(
      op,
      fc.record(
        {
          'name.givenName': fc.constantFrom('Barbara', 'Babs'),
          'name.familyName': fc.constantFrom('Jensen'),
          displayName: fc.constantFrom('Babs Jensen'),
          active: fc.boolean(),
          [`${ENT}:department`]: fc.constantFrom('Sales', 'Tour Operations'),
          [`${ENT}:employeeNumber`]: fc.constantFrom('42'),
          [`${ENT}:manager.value`]: fc.constantFrom(...MANAGERS),
          [`${TEST_URN}:badge`]: fc.integer({ min: 0, max: 9 }),
          [USER_SCHEMA]: fc.record({ nickName: fc.constantFrom('Babs'), title: fc.constantFrom('Tour Guide') }, { noNullPrototype: true }),
          id: fc.constantFrom('2819c223-7f76-453a-919d-413861904646'),
        },
        { requiredKeys: [], noNullPrototype: true },
      ),
    )
    .chain(([o, value]) => operation(o, undefined, value));
}

/** Removes of every shape that should apply. */
function removeArb(user: Json): fc.Arbitrary<RawOperation> {
  const remove = (path: string, value?: unknown): fc.Arbitrary<RawOperation> => operation('remove', path, value);
  return fc.oneof(
    fc.constantFrom('nickName', 'title', 'name.givenName', 'name', 'emails', 'phoneNumbers', 'emails.display', 'addresses.locality', 'active').chain((path) => spelled(path)).chain((path) => remove(path)),
    fc.constantFrom('work', 'home', 'mobile').chain((type) => remove(`phoneNumbers[type eq "${type}"]`)),
    fc.constantFrom('work', 'home', 'other').chain((type) => remove(`emails[type eq "${type}"]`)),
    storedValues(user, 'emails', EMAILS[1]).chain((value) => remove(`emails[value eq ${JSON.stringify(value)}]`)),
    storedValues(user, 'emails', EMAILS[1]).chain((value) => remove(`emails[value eq ${JSON.stringify(value)}].display`)),
    // Entra's remove by value: only the listed values go.
    storedValues(user, 'emails', EMAILS[2]).chain((value) => caseVariant(value).chain((v) => remove('emails', [{ value: v }]))),
    storedValues(user, 'roles', ROLES[0]).chain((value) => remove('roles', [{ value }])),
    fc.constantFrom(`${ENT}:department`, `${ENT}:manager`, `${ENT}:manager.value`, ENT, 'manager', `${TEST_URN}:badge`, `${TEST_URN}:skills`, TEST_URN).chain((path) => remove(path)),
    fc.constantFrom(...MANAGERS).chain((id) => remove(`${ENT}:manager[value eq ${JSON.stringify(id)}]`)),
    fc.constantFrom(...SKILLS).chain((skill) => remove(`${TEST_URN}:skills`, [skill.toUpperCase()])),
    storedValues(user, 'mentors', 'm2', TEST_URN).chain((value) => remove(`${TEST_URN}:mentors[value eq ${JSON.stringify(value)}]`)),
  );
}

// ---------------------------------------------------------------------------------------------
// Operations that must fail
// ---------------------------------------------------------------------------------------------

/** An operation that fails on any stored user, with the `scimType` it must get. */
export interface InvalidOperation {
  readonly operation: RawOperation;
  readonly scimType: ScimType;
}

/** Operations every well-formed user refuses, whatever ran before them in the request. */
export const invalidOperationArb: fc.Arbitrary<InvalidOperation> = fc.oneof(
  operation('remove', 'userName').map((op) => ({ operation: op, scimType: 'mutability' as const })),
  operation('replace', 'userName', null).map((op) => ({ operation: op, scimType: 'mutability' as const })),
  operation('replace', 'id', 'other').map((op) => ({ operation: op, scimType: 'mutability' as const })),
  operation('add', 'groups', [{ value: 'g' }]).map((op) => ({ operation: op, scimType: 'mutability' as const })),
  operation('replace', `${ENT}:manager.displayName`, 'x').map((op) => ({ operation: op, scimType: 'mutability' as const })),
  operation('add', 'nope', 'x').map((op) => ({ operation: op, scimType: 'invalidPath' as const })),
  operation('add', `${ENT}:nope`, 'x').map((op) => ({ operation: op, scimType: 'invalidPath' as const })),
  operation('replace', 'nickName.value', 'x').map((op) => ({ operation: op, scimType: 'invalidPath' as const })),
  operation('replace', 'active', 'maybe').map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('replace', `${TEST_URN}:badge`, 1.5).map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('replace', `${TEST_URN}:hiredAt`, 'yesterday').map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('replace', `${TEST_URN}:avatar`, 'not base64!').map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('add', 'emails', 'bjensen@example.com').map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('add', 'nickName', null).map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('add', `${ENT}:manager`, ['a', 'b']).map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('add', 'emails', [{ value: 'x1@new.example', primary: true }, { value: 'x2@new.example', primary: true }]).map((op) => ({ operation: op, scimType: 'invalidValue' as const })),
  operation('replace', 'emails[value eq "nobody@nowhere.example"].display', 'x').map((op) => ({ operation: op, scimType: 'noTarget' as const })),
);

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** One operation on `user`: mostly ones that should apply, a small share invalid. */
export function userOperationArb(user: Json): fc.Arbitrary<RawOperation> {
  return fc.oneof(
    { weight: 4, arbitrary: simpleWriteArb() },
    { weight: 2, arbitrary: activeArb() },
    { weight: 1, arbitrary: nameWriteArb() },
    { weight: 4, arbitrary: listWriteArb(user) },
    { weight: 4, arbitrary: filteredWriteArb(user) },
    { weight: 4, arbitrary: enterpriseWriteArb() },
    { weight: 4, arbitrary: testExtensionWriteArb(user) },
    { weight: 3, arbitrary: pathlessArb() },
    { weight: 6, arbitrary: removeArb(user) },
    { weight: 1, arbitrary: invalidOperationArb.map((invalid) => invalid.operation) },
  );
}

/** A stored user and one to `maxOperations` operations on it. */
export function userRequestArb(maxOperations = 4): fc.Arbitrary<{ readonly user: Json; readonly operations: RawOperation[] }> {
  return userArb.chain((user) => fc.array(userOperationArb(user), { minLength: 1, maxLength: maxOperations }).map((operations) => ({ user, operations })));
}

/**
 * An `add` to a multi-valued attribute of stored values (some sub-attributes of each, strings in
 * another case where the attribute is not caseExact) and of new ones, without `primary`. The
 * result must gain exactly `fresh` values.
 */
export function addPresentAndFreshArb(user: Json): fc.Arbitrary<{ readonly operation: RawOperation; readonly holder: string | undefined; readonly name: string; readonly fresh: number }> {
  const kinds: readonly (readonly [string | undefined, string, string, boolean])[] = [
    [undefined, 'emails', 'value', false],
    [undefined, 'phoneNumbers', 'value', false],
    [undefined, 'roles', 'value', false],
    [TEST_URN, 'mentors', 'value', true],
  ];
  return fc.constantFrom(...kinds).chain(([holder, name, key, caseExact]) => {
    const stored = storedList(user, name, holder).map((record) => {
      const copy = { ...record };
      delete copy.primary;
      return copy;
    });
    const present: fc.Arbitrary<Json[]> = fc
      .subarray(stored)
      .chain((records) => each(records.map((record) => projection(record, [key]))))
      .chain((records) => (caseExact ? fc.constant(records) : each(records.map((record) => caseVariant(record[key]).map((value) => ({ ...record, [key]: value }))))));
    // At least one value: an add of [] to an absent attribute is a case of its own
    // (test/resource-engine.test.ts, "an empty list added to an absent attribute").
    return present.chain((old) => fc.tuple(fc.constant(old), fc.integer({ min: old.length === 0 ? 1 : 0, max: 2 }), fc.boolean())).chain(([old, fresh, pathless]) => {
      const news = Array.from({ length: fresh }, (_, i) => ({ [key]: freshValue(name, i), display: 'New' }));
      const values = [...news, ...old];
      const path = holder === undefined ? name : `${holder}:${name}`;
      return (pathless ? operation('add', undefined, { [path]: values }) : operation('add', path, values)).map((op) => ({ operation: op, holder, name, fresh }));
    });
  });
}

/** Requests that only re-state what the user holds: each must be no change. */
export function noopOperationArb(user: Json): fc.Arbitrary<RawOperation> {
  const choices: fc.Arbitrary<RawOperation>[] = [];
  for (const key of ['displayName', 'nickName', 'title', 'userType', 'locale', 'active', 'password', 'externalId', 'profileUrl', 'name', 'emails', 'phoneNumbers', 'roles', 'addresses']) {
    const value = user[key];
    if (value === undefined) continue;
    choices.push(operation('replace', key, value), operation('replace', undefined, { [key]: value }));
    if (!Array.isArray(value)) choices.push(operation('add', key, value));
  }
  for (const urn of EXTENSION_URNS) {
    const object = user[urn];
    if (typeof object !== 'object' || object === null) continue;
    choices.push(operation('replace', urn, object), operation('replace', undefined, { [urn]: object }));
    for (const [key, value] of Object.entries(object as Json)) choices.push(operation('replace', `${urn}:${key}`, value));
  }
  // Okta's whole-profile replace echoes the resource, readOnly attributes included.
  const { meta: _meta, ...echo } = user;
  choices.push(operation('replace', undefined, echo));
  return fc.oneof(...choices);
}

// ---------------------------------------------------------------------------------------------
// Hostile requests
// ---------------------------------------------------------------------------------------------

/** Keys of a pathless value: real paths, prototype names, URNs, junk. */
const hostileValueKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('nickName', 'name.givenName', 'emails', 'active', `${ENT}:manager`, ENT, TEST_URN, USER_SCHEMA, `${TEST_URN}:mentors`) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, `${ENT}:__proto__`, 'name.constructor', `${USER_SCHEMA}:prototype`) },
  { weight: 1, arbitrary: fc.constantFrom('emails[type eq "work"].value', 'toString', '', 'urn:', `${ENT}:`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** Paths aimed at the User schemas, then broken. */
const hostileUserPathArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'emails[type eq "work"].value',
      `${ENT}:manager.value`,
      `${TEST_URN}:mentors[since gt "2020-01-01T00:00:00Z"].display`,
      'roles[primary eq "True"]',
      'emails[type eq "work"]',
      'name.givenName',
      'name',
      'emails',
      'addresses',
      `${ENT}:manager`,
      `${TEST_URN}:mentors`,
      ENT,
      TEST_URN,
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'name.__proto__', `${ENT}:constructor`, 'emails[__proto__ eq 1]', `${USER_SCHEMA}:prototype.value`, 'emails[type eq "work"][value eq "x"]', 'emails[value eq "x" or (type eq "y"]') },
  { weight: 3, arbitrary: hostilePathArb },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(5, null, true, ['emails'], { path: 'emails' }) },
);

/** A complex value whose keys mix real sub-attribute names with prototype names, as `JSON.parse` makes them. */
const hostileComplexArb: fc.Arbitrary<Json> = fc
  .array(
    fc.tuple(
      fc.constantFrom('value', 'type', 'display', 'primary', 'givenName', 'since', 'manager', 'Value', ...PROTOTYPE_KEYS),
      fc.oneof(fc.constantFrom<unknown>('work', 'True', true, null, 5, '2024-01-01T00:00:00Z', ''), hostileJsonArb),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map(jsonObject);

/** Values of the wrong shape and type for every attribute kind. */
const hostileUserValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileComplexArb },
  { weight: 2, arbitrary: fc.array(hostileComplexArb, { maxLength: 3 }) },
  { weight: 3, arbitrary: hostileJsonArb },
  { weight: 2, arbitrary: anyJsonArb },
  { weight: 1, arbitrary: deepValueArb },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(hostileValueKeyArb, fc.oneof(hostileJsonArb, fc.constantFrom<unknown>(null, 'True', 1.5, -0, 1e308, '', [], {}))), { maxLength: 4 })
      .map(jsonObject),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.MAX_SAFE_INTEGER + 2, Number.POSITIVE_INFINITY, 'x'.repeat(10_000), [null], [[]], [{}], { value: { value: 'x' } }) },
);

/** A hostile PATCH body: mostly well-formed envelopes around hostile operations. */
export const hostileUserBodyArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.record(
          {
            op: fc.oneof(opName('add'), opName('replace'), opName('remove'), fc.constantFrom<unknown>('copy', 5, null, '__proto__')),
            path: hostileUserPathArb,
            value: hostileUserValueArb,
          },
          { requiredKeys: ['op'], noNullPrototype: true },
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((operations) => patchBody(operations)),
  },
  { weight: 1, arbitrary: hostileJsonArb },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, [], 'PATCH', { Operations: {} }, { schemas: PATCH_OP_SCHEMA, Operations: [] }) },
);
