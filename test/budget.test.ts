/**
 * Bounded work per request, counted without a clock. Every operation kind is sent `maxOperations`
 * times (1,000) in one request to a 100,000-member group whose member list is a Proxy that counts
 * element reads. Whatever the request, the stored members are read at most
 * `maxScannedMembers + 3 × members` times: passes over the whole group are charged to the scan
 * budget (past it the request is 400 tooMany, before the pass), lookups by `value` read one member
 * each, and the final pass that builds the new list reads each member once more.
 *
 * Updates of every member (`replace members.display`, Entra and hostile clients alike) fold into
 * one pass, so 1,000 of them succeed at the cost of one.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ScimError, tryApplyGroupPatch, type Group, type GroupMember } from '../src/index.js';
import { counted } from './support/counted.js';

const MEMBERS = 100_000;
const OPERATIONS = DEFAULT_LIMITS.maxOperations;

const plainMembers: readonly GroupMember[] = Array.from({ length: MEMBERS }, (_, i) => ({
  value: `user-${String(i)}`,
  display: `User ${String(i)}`,
  type: 'User',
}));

interface Run {
  readonly reads: number;
  /** `ok`, `tooMany`, or the status and scimType of any other error. */
  readonly outcome: string;
}

function run(operation: (i: number) => unknown, maxScannedMembers?: number): Run {
  const reads = { count: 0 };
  const group: Group = { id: 'g', displayName: 'Engineering', members: counted(plainMembers.slice(), reads) };
  const Operations = Array.from({ length: OPERATIONS }, (_, i) => operation(i));
  const result = tryApplyGroupPatch(
    group,
    { Operations },
    maxScannedMembers === undefined ? {} : { limits: { maxScannedMembers } },
  );
  if (!result.ok) expect(result.error).toBeInstanceOf(ScimError);
  const outcome = result.ok ? 'ok' : result.error.scimType === 'tooMany' ? 'tooMany' : `${String(result.error.status)} ${result.error.scimType ?? ''}`;
  return { reads: reads.count, outcome };
}

const member = (i: number): string => `user-${String((i * 7919) % MEMBERS)}`;

/** Each operation kind, as the i-th operation of the request; and whether 1,000 of them must succeed. */
const KINDS: readonly (readonly [string, (i: number) => unknown, 'ok' | 'ok or tooMany'])[] = [
  ['add one new member', (i) => ({ op: 'add', path: 'members', value: [{ value: `new-${String(i)}` }] }), 'ok'],
  ['add a member already stored', (i) => ({ op: 'add', path: 'members', value: [{ value: member(i) }] }), 'ok'],
  ['pathless add of members', (i) => ({ op: 'add', value: { members: [{ value: `new-${String(i)}` }] } }), 'ok'],
  ['Entra remove by value list', (i) => ({ op: 'Remove', path: 'members', value: [{ value: member(i) }] }), 'ok'],
  ['remove members[value eq]', (i) => ({ op: 'remove', path: `members[value eq "${member(i)}"]` }), 'ok'],
  ['remove members[value eq and display pr]', (i) => ({ op: 'remove', path: `members[value eq "${member(i)}" and display pr]` }), 'ok'],
  ['remove members[display eq] (a scan)', (i) => ({ op: 'remove', path: `members[display eq "nobody ${String(i)}"]` }), 'ok or tooMany'],
  ['remove all members', () => ({ op: 'remove', path: 'members' }), 'ok'],
  ['remove members.display', () => ({ op: 'remove', path: 'members.display' }), 'ok'],
  ['remove members[type eq].display (a scan)', () => ({ op: 'remove', path: 'members[type eq "User"].display' }), 'ok or tooMany'],
  ['replace members with one member', (i) => ({ op: 'replace', path: 'members', value: [{ value: member(i) }] }), 'ok'],
  ['pathless replace of members', (i) => ({ op: 'replace', value: { members: [{ value: member(i) }] } }), 'ok'],
  ['replace members.display', (i) => ({ op: 'replace', path: 'members.display', value: `d${String(i)}` }), 'ok'],
  ['Add members.type', () => ({ op: 'Add', path: 'members.type', value: 'Group' }), 'ok'],
  ['replace members[type eq].display (a scan)', (i) => ({ op: 'replace', path: 'members[type eq "User"].display', value: `d${String(i)}` }), 'ok or tooMany'],
  ['replace members[value eq].display', (i) => ({ op: 'replace', path: `members[value eq "${member(i)}"].display`, value: 'x' }), 'ok'],
  ['add members[value eq].type', (i) => ({ op: 'add', path: `members[value eq "${member(i)}"].type`, value: 'Group' }), 'ok'],
  [
    'alternating members.display and members[value eq].display (each flushes the other)',
    (i) =>
      i % 2 === 0
        ? { op: 'replace', path: 'members.display', value: `d${String(i)}` }
        : { op: 'replace', path: `members[value eq "${member(i)}"].display`, value: 'x' },
    'ok or tooMany',
  ],
  [
    'alternating members.display and an add (each add flushes the update)',
    (i) =>
      i % 2 === 0
        ? { op: 'replace', path: 'members.display', value: `d${String(i)}` }
        : { op: 'add', path: 'members', value: [{ value: `new-${String(i)}` }] },
    'ok or tooMany',
  ],
  ['replace displayName', (i) => ({ op: 'replace', path: 'displayName', value: `Eng ${String(i)}` }), 'ok'],
  ['pathless replace of displayName and externalId', (i) => ({ op: 'replace', value: { displayName: `Eng ${String(i)}`, externalId: `e${String(i)}` } }), 'ok'],
];

describe(`${String(OPERATIONS)} operations of each kind on a ${String(MEMBERS)}-member group`, () => {
  it.each(KINDS)('%s: reads ≤ maxScannedMembers + 3 × members', (_name, operation, expected) => {
    const { reads, outcome } = run(operation);
    expect(reads).toBeLessThanOrEqual(DEFAULT_LIMITS.maxScannedMembers + 3 * MEMBERS);
    if (expected === 'ok') expect(outcome).toBe('ok');
    else expect(['ok', 'tooMany']).toContain(outcome);
  }, 120_000);

  it.each(KINDS.filter(([, , expected]) => expected === 'ok or tooMany'))(
    '%s: a smaller budget bounds it in proportion (maxScannedMembers 300,000)',
    (_name, operation) => {
      const { reads, outcome } = run(operation, 300_000);
      expect(outcome).toBe('tooMany');
      expect(reads).toBeLessThanOrEqual(300_000 + 3 * MEMBERS);
    },
    120_000,
  );

  it('1,000 updates of every member cost one pass: the reads of one such update, plus the index', () => {
    const one = { count: 0 };
    const group: Group = { id: 'g', displayName: 'Eng', members: counted(plainMembers.slice(), one) };
    const single = tryApplyGroupPatch(group, { Operations: [{ op: 'replace', path: 'members.display', value: 'd' }] });
    expect(single.ok).toBe(true);
    const { reads, outcome } = run((i) => ({ op: 'replace', path: 'members.display', value: i === OPERATIONS - 1 ? 'd' : `x${String(i)}` }));
    expect(outcome).toBe('ok');
    expect(reads).toBeLessThanOrEqual(one.count);
  }, 120_000);
});
