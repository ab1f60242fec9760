/**
 * Complexity without a clock: the stored member list and the request's member lists are wrapped
 * in Proxies that count element reads. A patch that reads each member a bounded number of times
 * is linear in the group and the request, whatever the machine's speed; one that rescans the
 * group per operation or per value would read it thousands of times over.
 */
import { describe, expect, it } from 'vitest';
import { applyGroupPatch, tryApplyGroupPatch, type Group, type GroupMember } from '../src/index.js';
import { counted } from './support/counted.js';

const member = (i: number): GroupMember => ({ value: `user-${String(i)}`, display: `User ${String(i)}` });

interface Run {
  /** Element reads of the stored member list. */
  readonly stored: number;
  /** Element reads of the request's member lists. */
  readonly request: number;
}

type RequestFor = (size: number, list: <T>(items: T[]) => T[]) => unknown[];

function run(size: number, operations: RequestFor, summary = false): Run {
  const stored = { count: 0 };
  const request = { count: 0 };
  const group: Group = {
    id: 'g',
    displayName: 'Engineering',
    members: counted(Array.from({ length: size }, (_, i) => member(i)), stored),
  };
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: operations(size, (items) => counted(items, request)),
  };
  if (summary) {
    const result = tryApplyGroupPatch(group, body);
    if (!result.ok) throw result.error;
  } else {
    applyGroupPatch(group, body);
  }
  return { stored: stored.count, request: request.count };
}

/** `count` member values spread evenly over a group of `size`. */
const spread = (size: number, count: number): string[] =>
  Array.from({ length: count }, (_, k) => `user-${String(Math.floor((k * size) / count))}`);

const CASES: readonly [string, RequestFor][] = [
  ['rename', () => [{ op: 'replace', path: 'displayName', value: 'x' }]],
  ['add 1,000', (size, list) => [{ op: 'add', path: 'members', value: list(Array.from({ length: 1000 }, (_, k) => member(size + k))) }]],
  ['Entra remove of 1,000 values', (size, list) => [{ op: 'Remove', path: 'members', value: list(spread(size, 1000).map((value) => ({ value }))) }]],
  ['1,000 remove operations by value eq', (size) => spread(size, 1000).map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` }))],
  ['100 display updates by value eq', (size) => spread(size, 100).map((value) => ({ op: 'replace', path: `members[value eq "${value}"].display`, value: 'x' }))],
  ['replace all, half new, kept members in place', (size, list) => [{ op: 'replace', path: 'members', value: list(Array.from({ length: size }, (_, i) => (i % 2 === 0 ? member(i) : member(size + i)))) }]],
  ['replace all, half new, reversed', (size, list) => [{ op: 'replace', path: 'members', value: list(Array.from({ length: size }, (_, i) => (i % 2 === 0 ? member(i) : member(size + i))).reverse()) }]],
];

describe('member reads grow linearly with the group and the request', () => {
  it('a rename reads no member at all', () => {
    expect(run(50_000, CASES[0]![1])).toEqual({ stored: 0, request: 0 });
  });

  it.each(CASES.slice(1))('%s: at most 3 reads per member, and 10× the members costs at most 10× the reads', (_, operations) => {
    for (const summary of [false, true]) {
      const small = run(5_000, operations, summary);
      const large = run(50_000, operations, summary);
      expect(large.stored).toBeLessThanOrEqual(3 * 50_000);
      expect(large.request).toBeLessThanOrEqual(3 * 50_000);
      expect(large.stored + large.request).toBeLessThanOrEqual(10 * (small.stored + small.request) + 3000);
    }
  });
});
