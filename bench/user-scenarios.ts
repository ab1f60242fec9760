/**
 * The benchmark's User scenarios: a stored User with the Enterprise extension and `size` emails,
 * and one PATCH body of 1,000 operations, each shaped like a request a real client sends, with a
 * check of the patched User worked out from the scenario's definition.
 *
 * The stored User is RFC 7643 §8.3's full example (Babs Jensen), with `size` emails: email 0 is
 * `{ value: 'mail-0@example.com', type: 'work', primary: true }`, the others
 * `{ value: 'mail-<i>@example.com', type: 'home' | 'other' }` in turn; so `emails[type eq "work"]`
 * matches one email, but a filter has to meet every one of them to know it.
 *
 * Every value sent has the type the schema gives (`active` a boolean, `manager` an object): Entra
 * ID's default job sends `"False"` and a bare manager id, which this library accepts by leniency
 * but scimmy refuses (a test of leniency, not of speed). The op names, paths and the one
 * operation per attribute are Entra's.
 */
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../src/index.js';
import { PATCH_OP_URN, type BenchBody, type BenchOperation } from './scenarios.js';

export type UserScenarioId = 'U1' | 'U2' | 'U3';

/** One User scenario. */
export interface UserScenario {
  readonly id: UserScenarioId;
  readonly title: string;
}

/** One scenario at one size: the stored User, the request, and the check of the result. */
export interface UserCase {
  readonly scenario: UserScenario;
  /** Number of emails on the stored User. */
  readonly size: number;
  /** The stored User, plain JSON, core and enterprise extension. Never modified by a correct implementation. */
  readonly user: Record<string, unknown>;
  readonly body: BenchBody;
  /** Undefined when `result` is the right patched User and the stored one is unchanged, else what is wrong. */
  check(result: unknown): string | undefined;
}

/** The number of operations in every request (the library's default `maxOperations`). */
export const USER_OPERATIONS = 1000;

export const USER_SCENARIOS: readonly UserScenario[] = [
  { id: 'U1', title: '1,000 Entra single-attribute replaces (13 paths, 2 filter on emails)' },
  { id: 'U2', title: '1,000 replaces emails[value eq "…"].display' },
  { id: 'U3', title: 'add 1,000 emails (one op) + 999 removes emails[value eq "…"]' },
];

export const USER_ID = '2819c223-7f76-453a-919d-413861904646';
const ENTERPRISE = ENTERPRISE_USER_SCHEMA;

/** An email as stored and as expected. */
export interface Email {
  readonly value: string;
  readonly type: string;
  readonly primary?: boolean;
  readonly display?: string;
}

export const emailValue = (i: number): string => `mail-${String(i)}@example.com`;

/** Email `i` of the stored list. */
export function storedEmail(i: number): Email {
  if (i === 0) return { value: emailValue(0), type: 'work', primary: true };
  return { value: emailValue(i), type: i % 2 === 1 ? 'home' : 'other' };
}

/** The attributes a scenario replaces, by name (the User below is built from them). */
interface UserFields {
  readonly displayName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly title: string;
  readonly active: boolean;
  readonly workPhone: string;
  readonly mobilePhone: string;
  readonly streetAddress: string;
  readonly locality: string;
  readonly department: string;
  readonly manager: string;
}

const STORED_FIELDS: UserFields = {
  displayName: 'Babs Jensen',
  givenName: 'Barbara',
  familyName: 'Jensen',
  title: 'Tour Guide',
  active: true,
  workPhone: '555-555-5555',
  mobilePhone: '555-555-4444',
  streetAddress: '100 Universal City Plaza',
  locality: 'Hollywood',
  department: 'Tour Operations',
  manager: '26118915-6090-4610-87e4-49d8ca9f808d',
};

/** A User with these fields and emails; everything else is as stored. */
function userOf(fields: UserFields, emails: readonly Email[]): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    id: USER_ID,
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen, III', familyName: fields.familyName, givenName: fields.givenName, middleName: 'Jane' },
    displayName: fields.displayName,
    nickName: 'Babs',
    title: fields.title,
    userType: 'Employee',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: fields.active,
    emails,
    phoneNumbers: [
      { value: fields.workPhone, type: 'work' },
      { value: fields.mobilePhone, type: 'mobile' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: fields.streetAddress,
        locality: fields.locality,
        region: 'CA',
        postalCode: '91608',
        country: 'US',
        primary: true,
      },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: fields.department,
      // The id alone, as Entra sets it. A stored displayName would have to survive U1's replaces
      // of the manager (RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged).
      manager: { value: fields.manager },
    },
    meta: {
      resourceType: 'User',
      created: '2026-01-01T00:00:00.000Z',
      lastModified: '2026-01-01T00:00:00.000Z',
      location: `https://example.com/scim/v2/Users/${USER_ID}`,
    },
  };
}

function storedEmails(size: number): Email[] {
  const emails = new Array<Email>(size);
  for (let i = 0; i < size; i++) emails[i] = storedEmail(i);
  return emails;
}

const envelope = (Operations: BenchOperation[]): BenchBody => ({ schemas: [PATCH_OP_URN], Operations });

// ---------------------------------------------------------------------------------------------
// U1: Entra's one Replace per attribute, 1,000 of them over 13 paths in turn; the last one wins.

/** Where a U1 path lands: a field of the User, or a sub-attribute of the work email. */
type Landing = { readonly field: keyof UserFields } | { readonly workEmail: 'value' | 'display' };

/** One path U1 writes. */
export interface U1Target {
  readonly path: string;
  /** The value the k-th operation sends; `later` is how many operations after it send this path. */
  readonly value: (k: number, later: number) => unknown;
  readonly lands: Landing;
}

const managerId = (k: number): string => `manager-${String(k)}`;

/** The 13 paths, in the order the request cycles through them. */
export const U1_TARGETS: readonly U1Target[] = [
  { path: 'displayName', value: (k) => `Babs Jensen ${String(k)}`, lands: { field: 'displayName' } },
  { path: 'name.givenName', value: (k) => `Barbara ${String(k)}`, lands: { field: 'givenName' } },
  { path: 'name.familyName', value: (k) => `Jensen ${String(k)}`, lands: { field: 'familyName' } },
  { path: 'title', value: (k) => `Tour Guide ${String(k)}`, lands: { field: 'title' } },
  // Disabled and enabled in turn, ending disabled.
  { path: 'active', value: (_k, later) => later % 2 === 1, lands: { field: 'active' } },
  { path: 'emails[type eq "work"].value', value: (k) => `babs-${String(k)}@example.com`, lands: { workEmail: 'value' } },
  { path: 'phoneNumbers[type eq "work"].value', value: (k) => `555-000-${String(k)}`, lands: { field: 'workPhone' } },
  { path: 'phoneNumbers[type eq "mobile"].value', value: (k) => `555-111-${String(k)}`, lands: { field: 'mobilePhone' } },
  { path: 'addresses[type eq "work"].streetAddress', value: (k) => `${String(k)} Universal City Plaza`, lands: { field: 'streetAddress' } },
  { path: 'addresses[type eq "work"].locality', value: (k) => `Hollywood ${String(k)}`, lands: { field: 'locality' } },
  { path: `${ENTERPRISE}:department`, value: (k) => `Tour Operations ${String(k)}`, lands: { field: 'department' } },
  { path: `${ENTERPRISE}:manager`, value: (k) => ({ value: managerId(k) }), lands: { field: 'manager' } },
  { path: 'emails[type eq "work"].display', value: (k) => `Babs at work ${String(k)}`, lands: { workEmail: 'display' } },
];

function buildU1(size: number): { body: BenchBody; expected: Record<string, unknown> } {
  const operations: BenchOperation[] = [];
  const fields: Record<string, unknown> = { ...STORED_FIELDS };
  const work: Record<string, unknown> = { ...storedEmail(0) };
  const cycle = U1_TARGETS.length;
  for (let k = 0; k < USER_OPERATIONS; k++) {
    const target = U1_TARGETS[k % cycle] as U1Target;
    const value = target.value(k, Math.floor((USER_OPERATIONS - 1 - k) / cycle));
    operations.push({ op: 'Replace', path: target.path, value });
    // The manager is a complex value: its `value` is what the User keeps (stored without a displayName).
    const landed = target.lands;
    if ('field' in landed) fields[landed.field] = landed.field === 'manager' ? (value as { value: string }).value : value;
    else work[landed.workEmail] = value;
  }
  const emails = storedEmails(size);
  emails[0] = work as unknown as Email;
  return { body: envelope(operations), expected: userOf(fields as unknown as UserFields, emails) };
}

// ---------------------------------------------------------------------------------------------
// U2: 1,000 replaces that each pin one email by value, spread over the list; the last one wins.

/** The email the k-th operation of U2 pins. */
export const u2Pinned = (k: number, size: number): number => Math.floor((k * size) / USER_OPERATIONS);

function buildU2(size: number): { body: BenchBody; expected: Record<string, unknown> } {
  const operations: BenchOperation[] = [];
  const emails = storedEmails(size);
  for (let k = 0; k < USER_OPERATIONS; k++) {
    const i = u2Pinned(k, size);
    const display = `Mailbox ${String(i)}, revision ${String(k)}`;
    operations.push({ op: 'Replace', path: `emails[value eq "${emailValue(i)}"].display`, value: display });
    emails[i] = { ...storedEmail(i), display };
  }
  return { body: envelope(operations), expected: userOf(STORED_FIELDS, emails) };
}

// ---------------------------------------------------------------------------------------------
// U3: one add of 1,000 new emails, then 999 removes by value spread over the emails stored and
// added (email 0, the primary, stays). 1 + 999 operations: the library's default limit.

/** The index, in the stored emails followed by the added ones, of the email the r-th remove takes. */
export const u3Removed = (r: number, size: number): number =>
  1 + Math.floor((r * (size + USER_OPERATIONS - 1)) / (USER_OPERATIONS - 1));

function buildU3(size: number): { body: BenchBody; expected: Record<string, unknown> } {
  const added: Email[] = [];
  for (let j = 0; j < USER_OPERATIONS; j++) added.push({ value: emailValue(size + j), type: 'other' });
  const removed = new Set<number>();
  const operations: BenchOperation[] = [{ op: 'add', path: 'emails', value: added }];
  for (let r = 0; r < USER_OPERATIONS - 1; r++) {
    const i = u3Removed(r, size);
    removed.add(i);
    operations.push({ op: 'remove', path: `emails[value eq "${emailValue(i)}"]` });
  }
  const emails = [...storedEmails(size), ...added.map((email) => ({ ...email }))].filter((_, i) => !removed.has(i));
  return { body: envelope(operations), expected: userOf(STORED_FIELDS, emails) };
}

const BUILDERS: Readonly<Record<UserScenarioId, (size: number) => { body: BenchBody; expected: Record<string, unknown> }>> = {
  U1: buildU1,
  U2: buildU2,
  U3: buildU3,
};

// ---------------------------------------------------------------------------------------------
// The check.

/** Object keys in order, so that two JSON values that differ only by key order print alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The first difference between a result and what is expected, or undefined. Objects are compared
 * key by key (a key set to undefined counts as absent); arrays as multisets, since RFC 7643 gives
 * multi-valued attributes no order; `meta.lastModified` is not compared (an implementation may
 * stamp it or not).
 */
function difference(actual: unknown, expected: unknown, where: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where} is ${canonical(actual).slice(0, 80)}, expected a list`;
    if (actual.length !== expected.length) return `${where} has ${String(actual.length)} values, expected ${String(expected.length)}`;
    const counts = new Map<string, number>();
    for (const item of expected) {
      const key = canonical(item);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const item of actual) {
      const key = canonical(item);
      const left = counts.get(key) ?? 0;
      if (left === 0) {
        const missing = [...counts].find(([, n]) => n > 0)?.[0] ?? '';
        return `${where} has ${key}, not expected (missing e.g. ${missing})`;
      }
      counts.set(key, left - 1);
    }
    return undefined;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return `${where} is ${canonical(actual).slice(0, 80)}, expected an object`;
    for (const key of Object.keys(actual)) {
      if (actual[key] !== undefined && !(key in expected)) return `${where}.${key} is ${canonical(actual[key]).slice(0, 80)}, expected absent`;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (where === 'user.meta' && key === 'lastModified') continue;
      const problem = difference(actual[key], value, `${where}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${where} is ${canonical(actual).slice(0, 80)}, expected ${canonical(expected)}`;
}

// ---------------------------------------------------------------------------------------------

export function userScenarioById(id: string): UserScenario {
  const scenario = USER_SCENARIOS.find((s) => s.id === id);
  if (scenario === undefined) throw new Error(`unknown User scenario '${id}'`);
  return scenario;
}

/**
 * Builds one case: the stored User of `size` emails, the request, and its check. The expected
 * User is worked out from the scenario's definition (the values each operation sends, in order),
 * never from an implementation's output.
 */
export function buildUserCase(id: string, size: number): UserCase {
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a positive integer, got ${String(size)}`);
  const scenario = userScenarioById(id);
  const { body, expected } = BUILDERS[scenario.id](size);
  const user = userOf(STORED_FIELDS, storedEmails(size));
  const stored = JSON.stringify(user);
  return {
    scenario,
    size,
    user,
    body,
    check: (result) =>
      difference(result, expected, 'user') ?? (JSON.stringify(user) === stored ? undefined : 'the stored user was modified'),
  };
}
