/**
 * Keyed lists under `applyPatch`: Group `members` (and any attribute shaped like it) go through
 * the same Map-over-value machinery as the Group API, so a request costs a bounded number of
 * passes over the stored list however many operations it has. Work is counted (reads of the
 * stored list through a Proxy), never timed.
 */
import { describe, expect, it } from 'vitest';
import { applyGroupPatch, applyPatch, GROUP_SCHEMA_DEFINITION, ScimError, tryApplyPatch, type GroupMember } from '../src/index.js';
import { counted } from './support/counted.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MEMBERS = 20_000;
const OPERATIONS = 1_000;

function storedGroup(reads: { count: number }): { id: string; displayName: string; members: GroupMember[] } {
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ value: `u${String(i)}`, display: `User ${String(i)}` }));
  return { id: 'g', displayName: 'G', members: counted(members, reads) };
}

function body(operations: readonly unknown[]): unknown {
  return { schemas: [PATCH_OP], Operations: operations };
}

const options = { schema: GROUP_SCHEMA_DEFINITION, setLastModified: false };

describe(`applyPatch on a ${String(MEMBERS)}-member Group: ${String(OPERATIONS)} operations, reads counted`, () => {
  it('members[value eq …] removes look members up by value: a few passes in all, not one per operation', () => {
    const reads = { count: 0 };
    const group = storedGroup(reads);
    const operations = Array.from({ length: OPERATIONS }, (_, i) => ({ op: 'remove', path: `members[value eq "u${String(i * 7)}"]` }));
    const result = applyPatch(group, body(operations), options);
    expect(result.members).toHaveLength(MEMBERS - OPERATIONS);
    expect(result.members?.some((member) => member.value === 'u7')).toBe(false);
    // One pass to index the stored members, one to build the result (a scan per operation would be 20,000,000).
    expect(reads.count).toBeLessThanOrEqual(3 * MEMBERS);
  });

  it('adds of members already present and new ones: one pass to build the result', () => {
    const reads = { count: 0 };
    const group = storedGroup(reads);
    const operations = Array.from({ length: OPERATIONS }, (_, i) => ({ op: 'add', path: 'members', value: [{ value: `u${String(i)}` }, { value: `new${String(i)}` }] }));
    const result = applyPatch(group, body(operations), options);
    expect(result.members).toHaveLength(MEMBERS + OPERATIONS);
    expect(reads.count).toBeLessThanOrEqual(2 * MEMBERS);
  });

  it('updates of every member fold into one pass, as on the Group API', () => {
    const reads = { count: 0 };
    const group = storedGroup(reads);
    const operations = Array.from({ length: OPERATIONS }, (_, i) => ({ op: 'replace', path: 'members.display', value: `Name ${String(i)}` }));
    const result = applyPatch(group, body(operations), options);
    expect(result.members?.every((member) => member.display === `Name ${String(OPERATIONS - 1)}`)).toBe(true);
    expect(reads.count).toBeLessThanOrEqual(2 * MEMBERS);
  });

  it('filters that do not pin value are passes charged to maxScannedMembers: over it, 400 tooMany', () => {
    const reads = { count: 0 };
    const group = storedGroup(reads);
    const operations = Array.from({ length: OPERATIONS }, (_, i) => ({ op: 'remove', path: `members[display eq "User ${String(i)}"]` }));
    const result = tryApplyPatch(group, body(operations), { ...options, limits: { maxScannedMembers: 10 * MEMBERS } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.scimType).toBe('tooMany');
    expect(reads.count).toBeLessThanOrEqual(12 * MEMBERS);
  });
});

describe('one engine: the Group API and applyPatch over the Group schema share the member machinery', () => {
  it('a stored member without a value is reported (500), never repaired, by both', () => {
    const group = { id: 'g', displayName: 'G', members: [{ value: 'a' }, { display: 'no value' }] } as unknown as { id: string; displayName: string };
    const request = body([{ op: 'add', path: 'members', value: [{ value: 'b' }] }]);
    const viaPatch = tryApplyPatch(group, request, options);
    expect(!viaPatch.ok && viaPatch.error.status).toBe(500);
    expect(!viaPatch.ok && viaPatch.error.detail).toBe('stored resource is invalid: members[1] has no non-empty string value');
    let thrown: unknown;
    try {
      applyGroupPatch(group, request);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScimError);
    expect((thrown as ScimError).detail).toBe('stored group is invalid: members[1] has no non-empty string value');
  });

  it('member identity follows each schema: RFC 7643 prints members.value caseExact false, the Group API defaults to case-exact ids', () => {
    const group = { id: 'g', displayName: 'G', members: [{ value: 'abc' }] };
    const request = body([{ op: 'add', path: 'members', value: [{ value: 'ABC' }] }]);
    expect(applyPatch(group, request, options)).toBe(group);
    expect(applyGroupPatch(group, request).members).toEqual([{ value: 'abc' }, { value: 'ABC' }]);
    expect(applyGroupPatch(group, request, { memberValueCaseExact: false })).toBe(group);
  });
});
