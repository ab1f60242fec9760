/**
 * The SQL executor against the library: the same request, on the same stored group, through
 * `applyGroupPatch` on the loaded group and through the Huawei example server (HTTP, PGlite) must
 * leave the same displayName, externalId and members (in the same order, with the same
 * sub-attributes), bump the version exactly when the library reports a change, report the same
 * change summary, and fail with the same error.
 *
 * `describeParity` registers the tests; huawei-cloud.test.ts calls it with its database and
 * servers. `FC_NUM_RUNS` and `FC_SEED` work as in test/properties.test.ts.
 */
import fc from 'fast-check';
import type { PGlite } from '@electric-sql/pglite';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PATCH_OP_SCHEMA,
  tryApplyGroupPatch,
  type ExternalIdMutability,
  type Group,
  type GroupMember,
} from 'scim-group-patch';
import { DEMO } from '../../examples/huawei-cloud/schema.js';
import type { GroupChangedEvent } from '../../examples/huawei-cloud/server.js';
import { externalIdArb, groupDisplayNameArb, uniqueMembersArb, validOperationArb } from '../arbitraries/index.js';
import { call, loadGroup, patchOp } from './support.js';

/** The externalId mutabilities the servers are started with. */
export const MODES: readonly ExternalIdMutability[] = ['readWrite', 'immutable', 'readOnly'];

/** What the parity tests need from the test file, once its `beforeAll` has run. */
export interface ParityContext {
  readonly pg: PGlite;
  /** The servers' clock. */
  readonly now: Date;
  /** The base URL of a server started with this externalId mutability. */
  readonly serverFor: (mode: ExternalIdMutability) => string;
  /** Where the servers' `onGroupChanged` events go (emptied before each request). */
  readonly events: GroupChangedEvent[];
}

const { tenant } = DEMO;
const groupId = DEMO.groupId;

/** The stored state a scenario starts from. */
interface StartState {
  readonly displayName: string;
  readonly externalId?: string | undefined;
  readonly members: readonly GroupMember[];
}

/** Every string in a JSON value: the member ids a request may add. */
function stringsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

/** Stores the start state; every member and every string of the request exists as a user. */
async function store(pg: PGlite, state: StartState, body: unknown): Promise<void> {
  const ids = [...stringsIn(body), ...state.members.map((member) => member.value)];
  await pg.query(
    `INSERT INTO users (id, tenant_id, user_name, display_name)
     SELECT id, $2, id, id FROM unnest($1::text[]) AS id ON CONFLICT (id) DO NOTHING`,
    [ids, tenant.id],
  );
  await pg.query(`DELETE FROM memberships WHERE group_id = $1`, [groupId]);
  await pg.query(`UPDATE groups SET display_name = $2, external_id = $3, version = 1 WHERE id = $1`, [
    groupId,
    state.displayName,
    state.externalId ?? null,
  ]);
  await pg.query(
    `INSERT INTO memberships (group_id, value, display, type, ref)
     SELECT $1, m.user_id, m.display, m.type, m.ref
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS m(user_id, display, type, ref, n)
      ORDER BY m.n`,
    [
      groupId,
      state.members.map((m) => m.value),
      state.members.map((m) => m.display ?? null),
      state.members.map((m) => m.type ?? null),
      state.members.map((m) => m.$ref ?? null),
    ],
  );
}

function visible(group: Group): { displayName: string; externalId: string | undefined; members: readonly GroupMember[] } {
  return { displayName: group.displayName, externalId: group.externalId, members: group.members ?? [] };
}

/**
 * An error detail as both paths must give it. One exception: when a filter matches several
 * members and the request changes `value`, the library names the first member it visits, the SQL
 * path the first by position; both are 400 mutability for the same operation.
 */
function comparableDetail(detail: string): unknown {
  const immutable = /^Operations\[\d+\]\.value: a member's value is immutable \(/.exec(detail);
  return immutable === null ? detail : expect.stringMatching(new RegExp(`^${immutable[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

/** Runs `body` both ways from `state` and compares everything observable. */
async function expectSameAsLibrary(
  context: ParityContext,
  mode: ExternalIdMutability,
  state: StartState,
  body: unknown,
): Promise<void> {
  const { pg, now, events } = context;
  await store(pg, state, body);
  const before = await loadGroup(pg, groupId);
  const stored: Group = {
    id: before.id,
    displayName: before.displayName,
    ...(before.externalId === undefined ? {} : { externalId: before.externalId }),
    members: before.members ?? [],
  };
  const expected = tryApplyGroupPatch(stored, body, { externalIdMutability: mode, now: () => now });
  events.length = 0;
  const reply = await call(`${context.serverFor(mode)}/${tenant.id}/scim/v2/Groups/${groupId}`, { token: tenant.token, body });
  const after = await loadGroup(pg, groupId);
  if (expected.ok) {
    expect({ status: reply.status, json: reply.json }).toEqual({ status: 204, json: undefined });
    expect(visible(after)).toEqual(visible(expected.group));
    expect(after.version).toBe(before.version + (expected.summary.changed ? 1 : 0));
    expect(events.map((event) => event.summary)).toEqual(expected.summary.changed ? [expected.summary] : []);
  } else {
    expect(reply.json).toMatchObject({
      status: expected.error.status,
      detail: comparableDetail(expected.error.detail),
      ...(expected.error.scimType === undefined ? {} : { scimType: expected.error.scimType }),
    });
    expect(after).toEqual(before);
  }
}

const ann: GroupMember = { value: 'u1', display: 'Ann', type: 'User' };
const bob: GroupMember = { value: 'u2', $ref: 'https://example.com/v2/Users/u2' };
const cy: GroupMember = { value: 'u3', display: 'cy' };
const START: StartState = { displayName: 'Engineering', externalId: 'ext-1', members: [ann, bob, cy] };

/** Requests whose SQL path differs most from a plain list edit: order, no-ops, filters, errors. */
const SCENARIOS: Record<string, unknown> = {
  'Huawei seed: rename, add, replace, remove': patchOp(
    { op: 'replace', value: { id: groupId, displayName: 'Update display name' } },
    { op: 'add', path: 'members', value: [{ value: 'u4' }] },
    { op: 'replace', path: 'members', value: [{ value: 'u4' }, { value: 'u5' }] },
    { op: 'remove', path: 'members', value: [{ value: 'u4' }, { value: 'u5' }] },
  ),
  'Entra: Add with $ref null, Remove by value array': patchOp(
    { op: 'Add', path: 'members', value: [{ $ref: null, value: 'u4' }] },
    { op: 'Remove', path: 'members', value: [{ value: 'u2' }] },
  ),
  'Okta push: pathless replace, add with display, filter remove, full replace': patchOp(
    { op: 'replace', value: { id: groupId, displayName: 'Eng (Okta)' } },
    { op: 'add', path: 'members', value: [{ value: 'u4', display: 'Dee' }] },
    { op: 'remove', path: 'members[value eq "u1"]' },
    { op: 'replace', path: 'members', value: [{ value: 'u3', display: 'Cy' }, { value: 'u5' }, { value: 'u4', display: 'Dee' }] },
  ),
  'add a present member with other content: no change': patchOp({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'X' }] }),
  'the same new value twice in one add: the first wins': patchOp({
    op: 'add',
    path: 'members',
    value: [{ value: 'u4', display: 'first' }, { value: 'u4', display: 'second' }],
  }),
  'remove and re-add a stored member with new content: same place, updated': patchOp(
    { op: 'remove', path: 'members', value: [{ value: 'u1' }] },
    { op: 'add', path: 'members', value: [{ value: 'u1', display: 'Annie' }] },
  ),
  'remove and re-add a stored member as it was: no change': patchOp(
    { op: 'remove', path: 'members[value eq "u2"]' },
    { op: 'add', path: 'members', value: [{ value: 'u2', $ref: 'https://example.com/v2/Users/u2' }] },
  ),
  'add X, add Y, remove X, add X: Y before X': patchOp(
    { op: 'add', path: 'members', value: [{ value: 'u4' }] },
    { op: 'add', path: 'members', value: [{ value: 'u5' }] },
    { op: 'remove', path: 'members', value: [{ value: 'u4' }] },
    { op: 'add', path: 'members', value: [{ value: 'u4' }] },
  ),
  'add X, Y, then replace [Y, X, stored]: new ones in list order': patchOp(
    { op: 'add', path: 'members', value: [{ value: 'u4' }, { value: 'u5' }] },
    { op: 'replace', path: 'members', value: [{ value: 'u5' }, { value: 'u4' }, { value: 'u2', $ref: 'https://example.com/v2/Users/u2' }] },
  ),
  'replace with the identical list, reordered: no change': patchOp({ op: 'replace', path: 'members', value: [cy, bob, ann] }),
  'replace all, then add a removed stored member back: its old place': patchOp(
    { op: 'replace', path: 'members', value: [{ value: 'u3', display: 'cy' }] },
    { op: 'add', path: 'members', value: [{ value: 'u1', display: 'Ann', type: 'User' }] },
  ),
  'remove members without a value: all; with [] or null: none': patchOp(
    { op: 'remove', path: 'members', value: [] },
    { op: 'remove', path: 'members', value: null },
    { op: 'remove', path: 'members' },
  ),
  'remove members[display eq "ANN"] (scan, case-insensitive)': patchOp({ op: 'remove', path: 'members[display eq "ANN"]' }),
  'remove members[value eq "u1" and display eq "nope"] (pinned, not matching)': patchOp({
    op: 'remove',
    path: 'members[value eq "u1" and display eq "nope"]',
  }),
  'remove members[not (value eq "u1")]': patchOp({ op: 'remove', path: 'members[not (value eq "u1")]' }),
  'replace members[value eq "u1"].display': patchOp({ op: 'replace', path: 'members[value eq "u1"].display', value: 'Ann Lee' }),
  'replace members[type eq "user"] with an object (type compares case-insensitively)': patchOp({
    op: 'replace',
    path: 'members[type eq "user"]',
    value: { display: null, $ref: 'https://example.com/v2/Users/u1' },
  }),
  'replace members[value eq "nobody"].display: noTarget': patchOp({ op: 'replace', path: 'members[value eq "nobody"].display', value: 'x' }),
  'add members[display eq "nobody"].type: noTarget': patchOp({ op: 'add', path: 'members[display eq "nobody"].type', value: 'User' }),
  'replace members[value eq "u1"].value "u2": mutability': patchOp({ op: 'replace', path: 'members[value eq "u1"].value', value: 'u2' }),
  'replace members[value eq "u1"] repeating its own value': patchOp({ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1', display: 'Z' } }),
  'remove members[value eq "u2"].$ref': patchOp({ op: 'remove', path: 'members[value eq "u2"].$ref' }),
  'replace members.type without a filter: every member': patchOp({ op: 'replace', path: 'members.type', value: 'User' }),
  'set a display and set it back: no change': patchOp(
    { op: 'replace', path: 'members[value eq "u3"].display', value: 'changed' },
    { op: 'replace', path: 'members[value eq "u3"].display', value: 'cy' },
  ),
  'add a member, then update and filter-remove new members': patchOp(
    { op: 'add', path: 'members', value: [{ value: 'u4', display: 'Dee' }, { value: 'u5', display: 'Eve' }] },
    { op: 'replace', path: 'members[value eq "u4"].type', value: 'Group' },
    { op: 'remove', path: 'members[display eq "eve"]' },
  ),
  'rename and rename back: no change': patchOp(
    { op: 'replace', path: 'displayName', value: 'Other' },
    { op: 'replace', path: 'displayName', value: 'Engineering' },
  ),
  'externalId: replace, remove, set again': patchOp(
    { op: 'replace', path: 'externalId', value: 'ext-2' },
    { op: 'remove', path: 'externalId' },
    { op: 'add', path: 'externalId', value: 'ext-3' },
  ),
  '1,000 updates of every member fold into one': patchOp(
    ...Array.from({ length: 1_000 }, (_, i) => ({ op: 'replace', path: 'members.display', value: `d${String(i % 7)}` })),
  ),
  'updates of every member around an add, a remove by value and a filter': patchOp(
    { op: 'replace', path: 'members.display', value: 'A' },
    { op: 'remove', path: 'members', value: [{ value: 'u2' }] },
    { op: 'remove', path: 'members.type' },
    { op: 'add', path: 'members', value: [{ value: 'u4' }, { value: 'u2', display: 'back' }] },
    { op: 'replace', path: 'members.type', value: 'User' },
    { op: 'remove', path: 'members[display eq "A" and value eq "u3"]' },
    { op: 'replace', path: 'members[value eq "u4"].display', value: 'Dee' },
  ),
  'displayName null: mutability': patchOp({ op: 'replace', path: 'displayName', value: null }),
  'an unknown attribute: invalidPath': patchOp({ op: 'replace', path: 'nickName', value: 'x' }),
  'Operations: []': patchOp(),
};

/** Registers the parity tests. */
export function describeParity(getContext: () => ParityContext): void {
  describe('the SQL path gives what applyGroupPatch gives', () => {
    const same = (mode: ExternalIdMutability, state: StartState, body: unknown): Promise<void> =>
      expectSameAsLibrary(getContext(), mode, state, body);

    beforeEach(async () => {
      // Only one group in the tenant: no generated name can collide with another group's.
      await getContext().pg.query(`DELETE FROM groups WHERE id = $1`, [DEMO.financeId]);
    });

    for (const [name, body] of Object.entries(SCENARIOS)) {
      it(name, () => same('readWrite', START, body));
    }

    it('externalId immutable and readOnly', async () => {
      const externalIdOperations = [
        { op: 'replace', path: 'externalId', value: 'ext-1' },
        { op: 'replace', path: 'externalId', value: 'ext-2' },
        { op: 'remove', path: 'externalId' },
        { op: 'replace', value: { externalId: 'ext-2', displayName: 'Renamed' } },
        { op: 'add', value: { externalId: 'ext-1' } },
      ];
      for (const mode of ['immutable', 'readOnly'] as const) {
        for (const operation of externalIdOperations) {
          await same(mode, START, patchOp(operation));
          await same(mode, { ...START, externalId: undefined }, patchOp(operation));
        }
      }
    });

    const stateArb: fc.Arbitrary<StartState> = fc.record(
      {
        displayName: groupDisplayNameArb,
        externalId: fc.option(externalIdArb, { nil: undefined }),
        members: uniqueMembersArb({ maxLength: 6 }),
      },
      { requiredKeys: ['displayName', 'members'], noNullPrototype: true },
    );
    const bodyArb = fc
      .array(validOperationArb, { minLength: 1, maxLength: 5 })
      .map((Operations) => ({ schemas: [PATCH_OP_SCHEMA], Operations }));
    const runs = Number(process.env.FC_NUM_RUNS ?? 150);

    for (const mode of MODES) {
      it(`for generated groups and requests (every operation shape the library accepts), externalId ${mode}`, async () => {
        await fc.assert(
          fc.asyncProperty(stateArb, bodyArb, (state, body) => same(mode, state, body)),
          {
            numRuns: mode === 'readWrite' ? runs : Math.ceil(runs / 3),
            ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }),
          },
        );
      }, 120_000);
    }
  });
}
