/**
 * Run by test/cold-heap.test.ts in its own process:
 *
 *   node --expose-gc --trace-deopt --import tsx test/support/cold-heap-child.ts
 *
 * Runs each workload until V8 has compiled the library's hot functions, prints a marker, then
 * forces full GCs between further runs. The parent reads V8's --trace-deopt output after the
 * marker: a function "marked for deoptimization, reason: weak objects" lost its compiled code
 * because a map it was compiled against died in the GC (see src/shapes.ts).
 *
 * The stored data and the requests stay alive the whole time, as a host's would during a request:
 * only what the library makes per request may die.
 */
import {
  applyGroupChangesToStore,
  applyGroupPatch,
  applyPatch,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA,
  normalizePatchRequest,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  type Group,
  type GroupMember,
  type ResourcePatchOptions,
  type ScimResource,
} from '../../src/index.js';
import { MemoryStore } from './memory-store.js';

export const WARM_MARKER = '=== warm: forcing full GCs now';
export const DONE_MARKER = '=== done';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** Big enough for the member list's Bloom filter (4,096 keys) and for many loop iterations. */
const SIZE = 6_000;
const member = (i: number): GroupMember => ({ value: `user-${String(i)}`, display: `User ${String(i)}` });
const group: Group = {
  schemas: [GROUP_SCHEMA],
  id: 'g',
  displayName: 'Engineering',
  members: Array.from({ length: SIZE }, (_, i) => member(i)),
};
const body = (operations: readonly object[]): object => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });
const valueEq = (i: number): string => `members[value eq "user-${String(i)}"]`;
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** The shapes of the benchmark's scenarios S1–S6, and an update of every member. */
const GROUP_REQUESTS = [
  body([{ op: 'replace', path: 'displayName', value: 'x' }]),
  body([{ op: 'add', path: 'members', value: range(SIZE, 200).map(member) }]),
  body([{ op: 'Remove', path: 'members', value: range(0, 200).map((i) => ({ value: `user-${String(i * 3)}` })) }]),
  body(range(0, 200).map((i) => ({ op: 'remove', path: valueEq(i * 7) }))),
  body([
    { op: 'replace', value: { id: 'g', displayName: 'y' } },
    { op: 'add', path: 'members', value: range(SIZE, 20).map(member) },
    ...range(0, 20).map((i) => ({ op: 'remove', path: valueEq(i * 11) })),
  ]),
  body([{ op: 'replace', path: 'members', value: range(0, SIZE).map((i) => member(i % 2 === 0 ? i : SIZE + i)) }]),
  body([{ op: 'replace', path: 'members.display', value: 'Someone' }]),
  body(range(0, 50).map((i) => ({ op: 'replace', path: `${valueEq(i)}.display`, value: `D${String(i)}` }))),
];

const USERS: ResourcePatchOptions = {
  schema: USER_SCHEMA_DEFINITION,
  extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION],
  now: () => new Date('2026-12-01T12:00:00.000Z'),
};
const EMAILS = 500;
const email = (i: number): string => `u${String(i)}@example.com`;
const user: ScimResource = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  id: 'u',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: range(0, EMAILS).map((i) => ({ value: email(i), type: ['work', 'home', 'other'][i % 3], ...(i === 0 ? { primary: true } : {}) })),
  [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', manager: { value: 'm1' } },
};
/** What Entra ID and Okta send for Users: single-attribute replaces, filters on emails, adds and removes. */
const USER_REQUESTS = [
  body(
    range(0, 60).map((i) => {
      const paths = [
        ['displayName', `Name ${String(i)}`],
        ['name.givenName', `G${String(i)}`],
        ['title', `T${String(i)}`],
        ['active', i % 2 === 0 ? 'False' : 'True'],
        ['emails[type eq "work"].display', `W${String(i)}`],
        [`${ENTERPRISE_USER_SCHEMA}:department`, `D${String(i)}`],
        [`${ENTERPRISE_USER_SCHEMA}:manager`, `m${String(i)}`],
      ] as const;
      const [path, value] = paths[i % paths.length] ?? paths[0];
      return { op: 'Replace', path, value };
    }),
  ),
  body(range(0, 100).map((i) => ({ op: 'replace', path: `emails[value eq "${email(i * 3)}"].type`, value: 'other' }))),
  body([
    { op: 'add', path: 'emails', value: range(EMAILS, 50).map((i) => ({ value: email(i), type: 'work' })) },
    ...range(0, 50).map((i) => ({ op: 'remove', path: `emails[value eq "${email(i * 5)}"]` })),
  ]),
  body([{ op: 'replace', value: { displayName: 'B', nickName: 'Babs', [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '42' } }]),
];

const STORE_REQUEST = normalizePatchRequest(
  body([
    { op: 'add', path: 'members', value: range(SIZE, 50).map(member) },
    ...range(0, 50).map((i) => ({ op: 'remove', path: valueEq(i * 13) })),
  ]),
);

async function runAll(): Promise<void> {
  for (const request of GROUP_REQUESTS) applyGroupPatch(group, request);
  if (process.env.ONLY !== "group") for (const request of USER_REQUESTS) applyPatch(user, request, USERS);
  if (process.env.ONLY !== "group") await applyGroupChangesToStore(new MemoryStore(group.members ?? []), { displayName: 'Engineering', externalId: null }, STORE_REQUEST);
}

for (let i = 0; i < 150; i++) await runAll();
console.log(WARM_MARKER);
for (let i = 0; i < 6; i++) {
  gc();
  await runAll();
}
gc();
console.log(DONE_MARKER);
