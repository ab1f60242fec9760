import { describe, expect, it } from 'vitest';
import {
  applyGroupChanges,
  applyGroupPatch,
  normalizePatchRequest,
  ScimError,
  tryApplyGroupPatch,
  type Group,
  type PatchOptions,
} from '../src/index.js';
import { deepFreeze } from './support/freeze.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const options: PatchOptions = { now: () => NOW };

function group(extra: Partial<Group> = {}): Group {
  return deepFreeze({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: 'g1',
    displayName: 'Engineering',
    members: [
      { value: 'u1', display: 'Ann' },
      { value: 'u2', display: 'Bob', type: 'User' },
      { value: 'u3' },
    ],
    meta: { resourceType: 'Group', created: '2020-01-01T00:00:00.000Z', lastModified: '2020-01-01T00:00:00.000Z' },
    ...extra,
  });
}

function ops(...operations: unknown[]): unknown {
  return deepFreeze({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
}

function failure(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('sharing and identity', () => {
  it('a rename shares the members array and copies nothing else', () => {
    const base = group();
    const next = applyGroupPatch(base, ops({ op: 'replace', path: 'displayName', value: 'Platform' }), options);
    expect(next.displayName).toBe('Platform');
    expect(next.members).toBe(base.members);
    expect(next.schemas).toBe(base.schemas);
    expect(next.meta).toEqual({ ...base.meta, lastModified: NOW.toISOString() });
  });

  it('returns the same group when nothing changed', () => {
    const base = group();
    for (const request of [
      ops(),
      ops({ op: 'replace', path: 'displayName', value: 'Engineering' }),
      ops({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Someone else' }] }),
      ops({ op: 'remove', path: 'members', value: [{ value: 'nobody' }] }),
      ops({ op: 'remove', path: 'members[display eq "nobody"]' }),
      ops({ op: 'add', path: 'members', value: [{ value: 'u9' }] }, { op: 'remove', path: 'members[value eq "u9"]' }),
      ops({ op: 'replace', path: 'members', value: [{ value: 'u1', display: 'Ann' }, { value: 'u2', display: 'Bob', type: 'User' }, { value: 'u3' }] }),
      ops({ op: 'remove', path: 'members[value eq "u2"]' }, { op: 'add', path: 'members', value: [{ value: 'u2', display: 'Bob', type: 'User' }] }),
      ops({ op: 'replace', path: 'members[value eq "u1"].display', value: 'Ann' }),
      ops({ op: 'replace', value: { id: 'other', displayName: 'Engineering', meta: { version: 'x' } } }),
    ]) {
      const result = tryApplyGroupPatch(base, request, options);
      expect(result.ok && result.group).toBe(base);
      expect(result.ok && result.summary.changed).toBe(false);
    }
  });

  it('keeps untouched members as the same objects, extra keys included', () => {
    const base = group({ members: [{ value: 'u1', display: 'Ann', extra: 1 } as never, { value: 'u2' }] });
    const next = applyGroupPatch(base, ops({ op: 'add', path: 'members', value: [{ value: 'u3' }] }), options);
    expect(next.members?.[0]).toBe(base.members?.[0]);
    expect(next.members?.[1]).toBe(base.members?.[1]);
  });

  it('carries unknown top-level properties of the stored group over', () => {
    const base = deepFreeze({ ...group(), tenant: 't1' });
    const next = applyGroupPatch(base, ops({ op: 'replace', path: 'displayName', value: 'x' }), options);
    expect(next.tenant).toBe('t1');
  });
});

describe('meta.lastModified', () => {
  it('is created when the group has no meta', () => {
    const { meta: _meta, ...bare } = group();
    const next = applyGroupPatch<Group>(bare, ops({ op: 'replace', path: 'displayName', value: 'x' }), options);
    expect(next.meta).toEqual({ lastModified: NOW.toISOString() });
  });

  it('is left alone when the host turns it off', () => {
    const base = group();
    const next = applyGroupPatch(base, ops({ op: 'replace', path: 'displayName', value: 'x' }), {
      ...options,
      setLastModified: false,
    });
    expect(next.meta).toBe(base.meta);
  });

  it('uses the system clock by default', () => {
    const before = Date.now();
    const next = applyGroupPatch(group(), ops({ op: 'replace', path: 'displayName', value: 'x' }));
    const stamped = Date.parse(next.meta?.lastModified ?? '');
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });
});

describe('change summary', () => {
  it('reports net additions, removals and updates', () => {
    const result = tryApplyGroupPatch(
      group(),
      ops(
        { op: 'add', path: 'members', value: [{ value: 'u4', display: 'Dan' }, { value: 'u5' }] },
        { op: 'remove', path: 'members', value: [{ value: 'u5' }, { value: 'u1' }] },
        { op: 'replace', path: 'members[value eq "u2"].display', value: 'Robert' },
        { op: 'add', value: { externalId: 'ext-1' } },
      ),
      options,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.summary).toEqual({
      changed: true,
      attributesChanged: ['externalId', 'members'],
      membersAdded: [{ value: 'u4', display: 'Dan' }],
      membersRemoved: [{ value: 'u1', display: 'Ann' }],
      membersUpdated: [{ value: 'u2', display: 'Robert', type: 'User' }],
    });
    expect(result.group.members).toEqual([
      { value: 'u2', display: 'Robert', type: 'User' },
      { value: 'u3' },
      { value: 'u4', display: 'Dan' },
    ]);
  });

  it('rethrows what is not a SCIM error (a body whose getter throws is the host\'s bug)', () => {
    const hostile = Object.defineProperty({}, 'Operations', {
      enumerable: true,
      get() {
        throw new RangeError('boom');
      },
    });
    expect(() => tryApplyGroupPatch(group(), hostile, options)).toThrow(RangeError);
  });

  it('returns the error instead of throwing', () => {
    const result = tryApplyGroupPatch(group(), ops({ op: 'remove', path: 'displayName' }), options);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.scimType).toBe('mutability');
  });
});

describe('replacing the member list', () => {
  // Stored: u1 Ann, u2 Bob (User), u3.

  it('keeps members sent back in their stored places with the content sent, and appends new ones', () => {
    const result = tryApplyGroupPatch(
      group(),
      ops({ op: 'replace', path: 'members', value: [{ value: 'u1', display: 'Ann' }, { value: 'u4' }, { value: 'u3', display: 'Cy' }] }),
      options,
    );
    if (!result.ok) throw result.error;
    // u1 comes back as sent (same content: not updated); u2 is gone; u3 takes the display sent.
    expect(result.group.members).toEqual([{ value: 'u1', display: 'Ann' }, { value: 'u3', display: 'Cy' }, { value: 'u4' }]);
    expect(result.summary.membersAdded).toEqual([{ value: 'u4' }]);
    expect(result.summary.membersRemoved).toEqual([{ value: 'u2', display: 'Bob', type: 'User' }]);
    expect(result.summary.membersUpdated).toEqual([{ value: 'u3', display: 'Cy' }]);
  });

  it('keeps the first of a value sent twice, wherever the copies are', () => {
    const list = [{ value: 'u5', display: 'first' }, { value: 'u2', display: 'Bob', type: 'User' }, { value: 'u5', display: 'second' }, { value: 'u2' }];
    const next = applyGroupPatch(group(), ops({ op: 'replace', path: 'members', value: list }), options);
    expect(next.members).toEqual([{ value: 'u2', display: 'Bob', type: 'User' }, { value: 'u5', display: 'first' }]);
  });

  it('returns the group itself when the list sent is the stored one, in any order', () => {
    const stored = group();
    const same = (stored.members ?? []).map((member) => ({ ...member }));
    expect(applyGroupPatch(stored, ops({ op: 'replace', path: 'members', value: same }), options)).toBe(stored);
    expect(applyGroupPatch(stored, ops({ op: 'replace', path: 'members', value: [...same].reverse() }), options)).toBe(stored);
  });

  it('matches members sent in their stored places by the member identity option', () => {
    const list = [{ value: 'U1', display: 'Ann' }, { value: 'U2' }, { value: 'u3' }];
    const insensitive = tryApplyGroupPatch(group(), ops({ op: 'replace', path: 'members', value: list }), {
      ...options,
      memberValueCaseExact: false,
    });
    if (!insensitive.ok) throw insensitive.error;
    expect(insensitive.group.members).toEqual(list);
    expect(insensitive.summary.membersAdded).toEqual([]);
    expect(insensitive.summary.membersRemoved).toEqual([]);
    expect(insensitive.summary.membersUpdated).toEqual([{ value: 'U1', display: 'Ann' }, { value: 'U2' }]);
    // Case-exact (the default): U1 and U2 are new members, u1 and u2 leave.
    const exact = tryApplyGroupPatch(group(), ops({ op: 'replace', path: 'members', value: list }), options);
    if (!exact.ok) throw exact.error;
    expect(exact.group.members).toEqual([{ value: 'u3' }, { value: 'U1', display: 'Ann' }, { value: 'U2' }]);
  });

  it('lets later operations of the request filter, update and remove in the new list', () => {
    const next = applyGroupPatch(
      group(),
      ops(
        { op: 'replace', path: 'members', value: [{ value: 'u7' }, { value: 'u2' }, { value: 'u7', display: 'dropped' }, { value: 'u8' }, { value: 'u9' }] },
        { op: 'replace', path: 'members[value eq "u7"].display', value: 'Gus' },
        { op: 'add', path: 'members[display eq "Gus"].type', value: 'User' },
        { op: 'remove', path: 'members[value eq "u8"]' },
        { op: 'remove', path: 'members', value: [{ value: 'u2' }] },
        { op: 'add', path: 'members', value: [{ value: 'u8' }, { value: 'u9', display: 'ignored: already there' }] },
      ),
      options,
    );
    expect(next.members).toEqual([{ value: 'u7', display: 'Gus', type: 'User' }, { value: 'u9' }, { value: 'u8' }]);
  });
});

describe('member identity option', () => {
  const caseless: PatchOptions = { ...options, memberValueCaseExact: false };

  it('is case-exact by default', () => {
    const next = applyGroupPatch(group(), ops({ op: 'add', path: 'members', value: [{ value: 'U1' }] }), options);
    expect(next.members?.map((m) => m.value)).toEqual(['u1', 'u2', 'u3', 'U1']);
    const same = applyGroupPatch(group(), ops({ op: 'remove', path: 'members[value eq "U1"]' }), options);
    expect(same.members).toHaveLength(3);
  });

  it('follows RFC 7643 caseExact false when asked', () => {
    const base = group();
    expect(applyGroupPatch(base, ops({ op: 'add', path: 'members', value: [{ value: 'U1' }] }), caseless)).toBe(base);
    const removed = applyGroupPatch(base, ops({ op: 'remove', path: 'members', value: [{ value: 'U2' }] }), caseless);
    expect(removed.members?.map((m) => m.value)).toEqual(['u1', 'u3']);
    const filtered = applyGroupPatch(base, ops({ op: 'remove', path: 'members[value eq "U3" or display eq "x"]' }), caseless);
    expect(filtered.members?.map((m) => m.value)).toEqual(['u1', 'u2']);
  });
});

describe('externalId mutability option', () => {
  const set = ops({ op: 'replace', path: 'externalId', value: 'e2' });
  it('is readWrite by default', () => {
    expect(applyGroupPatch(group({ externalId: 'e1' }), set, options).externalId).toBe('e2');
    const removed = applyGroupPatch(group({ externalId: 'e1' }), ops({ op: 'remove', path: 'externalId' }), options);
    expect('externalId' in removed).toBe(false);
  });

  it('readOnly rejects paths and ignores pathless values', () => {
    const readOnly = { ...options, externalIdMutability: 'readOnly' as const };
    expect(failure(() => applyGroupPatch(group(), set, readOnly)).scimType).toBe('mutability');
    const base = group({ externalId: 'e1' });
    expect(applyGroupPatch(base, ops({ op: 'replace', value: { externalId: 'e2' } }), readOnly)).toBe(base);
  });

  it('immutable allows a first value only', () => {
    const immutable = { ...options, externalIdMutability: 'immutable' as const };
    expect(applyGroupPatch(group(), set, immutable).externalId).toBe('e2');
    const base = group({ externalId: 'e2' });
    expect(applyGroupPatch(base, set, immutable)).toBe(base);
    expect(failure(() => applyGroupPatch(group({ externalId: 'e1' }), set, immutable)).scimType).toBe('mutability');
    expect(failure(() => applyGroupPatch(base, ops({ op: 'remove', path: 'externalId' }), immutable)).scimType).toBe('mutability');
  });
});

describe('member updates through a filter', () => {
  it.each([
    ['a number for .value', { op: 'replace', path: 'members[value eq "u1"].value', value: 5 }, 'invalidValue'],
    ['a number as value in the object', { op: 'replace', path: 'members[value eq "u1"]', value: { value: 5 } }, 'invalidValue'],
    ['another value', { op: 'replace', path: 'members[value eq "u1"].value', value: 'u9' }, 'mutability'],
    ['a string where an object is needed', { op: 'replace', path: 'members[value eq "u1"]', value: 'Ann' }, 'invalidValue'],
    ['a number for display', { op: 'replace', path: 'members[value eq "u1"].display', value: 5 }, 'invalidValue'],
    ['null with add', { op: 'add', path: 'members[value eq "u1"].display', value: null }, 'invalidValue'],
    ['removing value', { op: 'remove', path: 'members[value eq "u1"].value' }, 'mutability'],
  ])('rejects %s', (_name, operation, scimType) => {
    expect(failure(() => applyGroupPatch(group(), ops(operation), options)).scimType).toBe(scimType);
  });

  it('accepts the member\'s own value and applies the rest', () => {
    const next = applyGroupPatch(
      group(),
      ops({ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1', display: 'Annie', type: null, junk: 1 } }),
      options,
    );
    expect(next.members?.[0]).toEqual({ value: 'u1', display: 'Annie' });
  });

  it('sets a sub-attribute on every member when the path has no filter', () => {
    const next = applyGroupPatch(group(), ops({ op: 'replace', path: 'members.type', value: 'User' }), options);
    expect(next.members?.map((m) => m.type)).toEqual(['User', 'User', 'User']);
  });
});

describe('stored duplicates under storedGroupCheck touched (the default)', () => {
  const stored = deepFreeze({ id: 'g', displayName: 'x', members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u1' }] });
  const touched: PatchOptions = { ...options, storedGroupCheck: 'touched' };

  it('passes untouched duplicates through as they are, neither merged nor dropped', () => {
    const next = applyGroupPatch(stored, ops({ op: 'add', path: 'members', value: [{ value: 'u3' }] }), touched);
    expect(next.members?.map((m) => m.value)).toEqual(['u1', 'u2', 'u1', 'u3']);
  });

  it('removes or updates every copy, never merging them', () => {
    const removed = applyGroupPatch(stored, ops({ op: 'remove', path: 'members', value: [{ value: 'u1' }] }), touched);
    expect(removed.members?.map((m) => m.value)).toEqual(['u2']);
    const renamed = applyGroupPatch(stored, ops({ op: 'replace', path: 'members[value eq "u1"].display', value: 'A' }), touched);
    expect(renamed.members).toEqual([{ value: 'u1', display: 'A' }, { value: 'u2' }, { value: 'u1', display: 'A' }]);
  });

  it('reports a repeat that an add or a re-add would merge', () => {
    const readd = ops({ op: 'remove', path: 'members', value: [{ value: 'u1' }] }, { op: 'add', path: 'members', value: [{ value: 'u1' }] });
    expect(failure(() => applyGroupPatch(stored, readd, touched)).detail).toBe("stored group is invalid: members[2] repeats the value 'u1'");
    expect(failure(() => applyGroupPatch(stored, ops({ op: 'add', path: 'members', value: [{ value: 'u1' }] }), touched)).status).toBe(500);
  });

  it('reports every repeat with storedGroupCheck full', () => {
    const error = failure(() =>
      applyGroupPatch(stored, ops({ op: 'add', path: 'members', value: [{ value: 'u3' }] }), { ...options, storedGroupCheck: 'full' }),
    );
    expect(error.detail).toBe("stored group is invalid: members[2] repeats the value 'u1'");
  });
});

describe('null in a stored group is unassigned (RFC 7643 §2.5)', () => {
  it('reads members: null as no members and meta: null as no meta', () => {
    const stored = deepFreeze({ id: 'g', displayName: 'x', members: null, meta: null }) as unknown as Group;
    const renamed = applyGroupPatch(stored, ops({ op: 'replace', path: 'displayName', value: 'y' }), options);
    expect(renamed.meta).toEqual({ lastModified: NOW.toISOString() });
    const added = applyGroupPatch(stored, ops({ op: 'add', path: 'members', value: [{ value: 'u1' }] }), options);
    expect(added.members).toEqual([{ value: 'u1' }]);
    expect(applyGroupPatch(stored, ops({ op: 'remove', path: 'members' }), options)).toBe(stored);
  });

  it('reads externalId: null as no externalId', () => {
    const stored = deepFreeze({ id: 'g', displayName: 'x', externalId: null }) as unknown as Group;
    expect(applyGroupPatch(stored, ops({ op: 'remove', path: 'externalId' }), options)).toBe(stored);
    expect(applyGroupPatch(stored, ops({ op: 'add', path: 'externalId', value: 'e' }), options).externalId).toBe('e');
  });
});

describe('a stored group that is not valid', () => {
  it.each([
    ['not an object', null],
    ['members not an array', { id: 'g', displayName: 'x', members: {} }],
    ['a member without value', { id: 'g', displayName: 'x', members: [{ display: 'x' }] }],
    ['a member that is a string', { id: 'g', displayName: 'x', members: ['u1'] }],
    ['displayName missing', { id: 'g', members: [] }],
    ['meta not an object', { id: 'g', displayName: 'x', meta: 'yesterday' }],
  ])('is a 500, not a crash: %s', (_name, stored) => {
    const error = failure(() =>
      applyGroupPatch(stored as unknown as Group, ops({ op: 'add', path: 'members', value: [{ value: 'u9' }] }), options),
    );
    expect(error.status).toBe(500);
    expect(error.detail).toMatch(/^stored group is invalid/);
  });
});

describe('normalized changes', () => {
  it('are spelling-free and apply like the request', () => {
    const request = ops(
      { op: 'Replace', value: { id: 'ignored', DisplayName: 'Ops', 'urn:ietf:params:scim:schemas:core:2.0:Group:externalId': 'e9' } },
      { op: 'ADD', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:Members', value: { value: 'u7', display: 'Gus', $ref: null, operation: 'add' } },
      { op: 'Remove', path: 'members', value: [{ value: 'u1' }] },
      { op: 'remove', path: 'members[VALUE eq "u2" or value eq "u3"]' },
      { op: 'remove', path: 'members[display sw "G"].display' },
      { op: 'replace', path: 'members', value: null },
    );
    const changes = normalizePatchRequest(request);
    expect(changes).toEqual([
      { kind: 'setDisplayName', operationIndex: 0, displayName: 'Ops' },
      { kind: 'setExternalId', operationIndex: 0, externalId: 'e9' },
      { kind: 'addMembers', operationIndex: 1, members: [{ value: 'u7', display: 'Gus' }] },
      { kind: 'removeMembers', operationIndex: 2, values: ['u1'] },
      { kind: 'removeMembers', operationIndex: 3, values: ['u2', 'u3'] },
      {
        kind: 'updateMembers',
        operationIndex: 4,
        filter: { kind: 'compare', attribute: { name: 'display' }, operator: 'sw', value: 'G' },
        update: { display: null },
        requireMatch: false,
      },
      { kind: 'replaceMembers', operationIndex: 5, members: [] },
    ]);
    const base = group();
    expect(applyGroupChanges(base, changes, options).group).toEqual(applyGroupPatch(base, request, options));
  });

  it('keep non-equality filters as filters', () => {
    const [change] = normalizePatchRequest(ops({ op: 'remove', path: 'members[value eq "u1" and type eq "User"]' }));
    expect(change?.kind).toBe('removeMembersWhere');
  });
});
