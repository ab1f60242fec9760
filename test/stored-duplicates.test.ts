/**
 * A group whose stored list repeats a `value` (the caller's data error, which the default
 * `storedGroupCheck: 'touched'` passes through): filters judge each stored copy on its own
 * content, and an update changes each matching copy on its own, keeping the copy's other
 * sub-attributes. The oracle is `matchesFilter` applied to each stored member, one by one.
 *
 *   FC_NUM_RUNS=3000 npx vitest run test/stored-duplicates.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyGroupPatch,
  matchesFilter,
  parseFilter,
  ScimError,
  type Group,
  type GroupMember,
  type MatchOptions,
} from '../src/index.js';
import { deepFreeze, filterTextArb, memberWithValueArb } from './arbitraries/index.js';
import { fcParameters } from './support/env.js';

const params = fcParameters(300);
const now = (): Date => new Date('2030-01-01T00:00:00.000Z');

/** The library's default member comparison: `value` case-exact, the other sub-attributes not. */
const MATCH: MatchOptions = { isCaseExact: (attribute) => attribute.name.toLowerCase() === 'value' };

/** Members drawn from three values, so that most groups store some value more than once. */
const repeatingGroupArb: fc.Arbitrary<Group> = fc
  .array(memberWithValueArb(fc.constantFrom('u1', 'u2', 'u3')), { minLength: 2, maxLength: 8 })
  .map((members) => ({ id: 'g', displayName: 'Eng', members }));

const matches = (filterText: string, member: GroupMember): boolean =>
  matchesFilter(parseFilter(filterText), member, MATCH);

function outcome(group: Group, operations: unknown[]): Group | ScimError {
  try {
    return applyGroupPatch(deepFreeze(group), { Operations: operations }, { now });
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
}

describe('stored repeats are judged copy by copy', () => {
  it('remove members[filter] removes exactly the stored members the filter matches', () => {
    fc.assert(
      fc.property(repeatingGroupArb, filterTextArb, (group, filter) => {
        const members = group.members ?? [];
        const kept = members.filter((member) => !matches(filter, member));
        const result = outcome(group, [{ op: 'remove', path: `members[${filter}]` }]);
        expect(result).not.toBeInstanceOf(ScimError);
        const next = result as Group;
        if (kept.length === members.length) expect(next).toBe(group);
        else expect(next.members).toEqual(kept);
      }),
      params,
    );
  });

  it('replace members[filter].display sets it on each matching copy and leaves every other sub-attribute of that copy', () => {
    fc.assert(
      fc.property(repeatingGroupArb, filterTextArb, fc.constantFrom('Z', 'Ann'), (group, filter, display) => {
        const members = group.members ?? [];
        const result = outcome(group, [{ op: 'replace', path: `members[${filter}].display`, value: display }]);
        if (!members.some((member) => matches(filter, member))) {
          // RFC 7644 §3.5.2.3: a replace whose filter matches nothing is noTarget.
          expect(result).toBeInstanceOf(ScimError);
          expect((result as ScimError).scimType).toBe('noTarget');
          return;
        }
        const expected = members.map((member) => (matches(filter, member) ? { ...member, display } : member));
        expect((result as Group).members).toEqual(expected);
      }),
      params,
    );
  });

  it('remove members[filter].type removes it from each matching copy only', () => {
    fc.assert(
      fc.property(repeatingGroupArb, filterTextArb, (group, filter) => {
        const members = group.members ?? [];
        const expected = members.map((member) => {
          if (!matches(filter, member)) return member;
          const { type: _dropped, ...rest } = member;
          return rest;
        });
        const result = outcome(group, [{ op: 'remove', path: `members[${filter}].type` }]);
        expect(result).not.toBeInstanceOf(ScimError);
        expect((result as Group).members).toEqual(expected);
      }),
      params,
    );
  });

  it('most generated groups do repeat a value (the law is not vacuous)', () => {
    const samples = fc.sample(repeatingGroupArb, { numRuns: 200, seed: 7 });
    const repeating = samples.filter((group) => {
      const values = (group.members ?? []).map((member) => member.value);
      return new Set(values).size < values.length;
    });
    expect(repeating.length).toBeGreaterThan(150);
  });
});
