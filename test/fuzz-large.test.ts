/**
 * Fuzzing with large groups: random mixes of up to 1,000 operations of every kind, on a group of
 * 20,000 members whose list counts its element reads, with a random scan budget. Whatever the
 * request, it is applied or refused with a 400/413 `ScimError` (never a 500 or another error),
 * and the stored members are read at most `maxScannedMembers + 3 × members + values named in
 * the request` times: the work per request is bounded by counting, not by a clock.
 *
 *   FUZZ_LARGE_RUNS=500 npx vitest run test/fuzz-large.test.ts
 *   FC_SEED=1234 npx vitest run test/fuzz-large.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError, tryApplyGroupPatch, type Group, type GroupMember } from '../src/index.js';
import { deepFreeze, spell } from './arbitraries/index.js';
import { counted } from './support/counted.js';
import { intFromEnv } from './support/env.js';

const MEMBERS = 20_000;
const RUNS = intFromEnv('FUZZ_LARGE_RUNS') ?? 25;
const SEED = intFromEnv('FC_SEED');
const params = SEED === undefined ? { numRuns: RUNS } : { numRuns: RUNS, seed: SEED };

const stored: readonly GroupMember[] = deepFreeze(
  Array.from({ length: MEMBERS }, (_, i) => (i % 3 === 0 ? { value: `user-${String(i)}`, display: `User ${String(i)}`, type: 'User' } : { value: `user-${String(i)}` })),
);

/** A frozen group whose member list counts element reads in `reads.count`. */
function countedGroup(reads: { count: number }): Group {
  return Object.freeze({ id: 'g', displayName: 'Engineering', members: counted(stored as GroupMember[], reads) });
}

/** A stored value, a new one, or one that differs only in case. */
const valueArb = fc.oneof(
  fc.nat(MEMBERS - 1).map((i) => `user-${String(i)}`),
  fc.nat(999).map((i) => `new-${String(i)}`),
  fc.nat(MEMBERS - 1).map((i) => `USER-${String(i)}`),
);
const valueListArb = fc.array(valueArb.map((value) => ({ value })), { maxLength: 5 });
const subAttributeArb = fc.constantFrom('display', 'type', '$ref');
const filterArb = fc.oneof(
  valueArb.map((v) => `value eq "${v}"`),
  fc.tuple(valueArb, valueArb).map(([a, b]) => `value eq "${a}" or value eq "${b}"`),
  valueArb.map((v) => `value eq "${v}" and display pr`),
  fc.constantFrom('display eq "User 3"', 'type eq "User"', 'not (display pr)', 'display sw "User 1"', '$ref pr', 'value co "-1"'),
);

interface Sized {
  readonly operation: Record<string, unknown>;
  /** Member values the operation names (each may cost one lookup). */
  readonly values: number;
}

const operationArb: fc.Arbitrary<Sized> = fc.oneof(
  fc.tuple(spell('add'), valueListArb).map(([op, value]) => ({ operation: { op, path: 'members', value }, values: value.length })),
  fc.tuple(spell('remove'), valueListArb).map(([op, value]) => ({ operation: { op, path: 'members', value }, values: value.length })),
  fc.tuple(spell('replace'), valueListArb).map(([op, value]) => ({ operation: { op, path: 'members', value }, values: value.length })),
  fc.tuple(fc.constantFrom('add', 'replace'), valueListArb).map(([op, members]) => ({ operation: { op, value: { members } }, values: members.length })),
  fc.tuple(spell('remove'), filterArb).map(([op, filter]) => ({ operation: { op, path: `members[${filter}]` }, values: 2 })),
  fc.tuple(fc.constantFrom('add', 'replace'), filterArb, subAttributeArb, fc.string({ minLength: 1, maxLength: 3 })).map(([op, filter, sub, value]) => ({
    operation: { op, path: `members[${filter}].${sub}`, value },
    values: 2,
  })),
  fc.tuple(spell('remove'), filterArb, subAttributeArb).map(([op, filter, sub]) => ({ operation: { op, path: `members[${filter}].${sub}` }, values: 2 })),
  fc.tuple(fc.constantFrom('add', 'replace'), subAttributeArb, fc.string({ minLength: 1, maxLength: 3 })).map(([op, sub, value]) => ({
    operation: { op, path: `members.${sub}`, value },
    values: 0,
  })),
  fc.tuple(spell('remove'), subAttributeArb).map(([op, sub]) => ({ operation: { op, path: `members.${sub}` }, values: 0 })),
  fc.constantFrom<Sized>(
    { operation: { op: 'remove', path: 'members' }, values: 0 },
    { operation: { op: 'replace', path: 'displayName', value: 'Renamed' }, values: 0 },
    { operation: { op: 'replace', value: { externalId: 'e1' } }, values: 0 },
  ),
);

/** Mostly a few operations, sometimes hundreds of the same kind. */
const requestArb: fc.Arbitrary<Sized[]> = fc.oneof(
  fc.array(operationArb, { minLength: 1, maxLength: 50 }),
  fc.tuple(operationArb, fc.integer({ min: 100, max: 1_000 })).map(([one, count]) => Array.from({ length: count }, () => one)),
  fc.array(operationArb, { minLength: 200, maxLength: 1_000 }),
);

describe(`large groups (${String(MEMBERS)} members), random requests of up to 1,000 operations`, () => {
  it('are applied or refused with a 4xx ScimError, reading the stored members a bounded number of times', () => {
    fc.assert(
      fc.property(requestArb, fc.integer({ min: 0, max: 2_000_000 }), (sized, maxScannedMembers) => {
        const reads = { count: 0 };
        const group = countedGroup(reads);
        const body = deepFreeze({ Operations: sized.map((s) => s.operation) });
        const result = tryApplyGroupPatch(group, body, { limits: { maxScannedMembers } });
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(ScimError);
          expect([400, 413]).toContain(result.error.status);
        }
        const named = sized.reduce((sum, s) => sum + s.values, 0);
        expect(reads.count).toBeLessThanOrEqual(maxScannedMembers + 3 * MEMBERS + named);
      }),
      params,
    );
  }, 300_000);
});
