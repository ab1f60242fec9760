/**
 * The work of `applyPatch` on long lists, counted without a clock. The engine reads every
 * attribute of a stored value by name through `Object.hasOwn` (a case-insensitive own-key lookup
 * that tries the exact spelling first), so wrapping `Object.hasOwn` counts the reads of each name.
 * A pass over a list per operation shows as one read per value per operation; a patch that reads
 * the list a bounded number of times does not. The expected results are worked out from RFC 7644
 * §3.5.2 and RFC 7643 §2.4 (at most one primary value).
 */
import { describe, expect, it } from 'vitest';
import { applyPatch, USER_SCHEMA, USER_SCHEMA_DEFINITION, type ResourcePatchOptions } from '../src/index.js';
import { patchBody, type Json } from './arbitraries/resources.js';
import { deepFreeze } from './support/freeze.js';
import { errorShapeOf } from './support/scim-error.js';

const OPTIONS: ResourcePatchOptions = { schema: USER_SCHEMA_DEFINITION, setLastModified: false };

const address = (i: number): string => `mail-${String(i)}@example.com`;

/** A User with `size` emails; email 0 is the primary one. */
function userWith(size: number): Json {
  const emails = Array.from({ length: size }, (_, i) => (i === 0 ? { value: address(0), type: 'work', primary: true } : { value: address(i), type: 'home' }));
  return deepFreeze({ schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen', emails });
}

/** Runs `work` with `Object.hasOwn` counting, by property name, the reads it answers. */
function countingReads<T>(work: () => T): { readonly result: T; readonly reads: (name: string) => number } {
  const original = Object.hasOwn;
  const counts = new Map<PropertyKey, number>();
  Object.hasOwn = (object: object, key: PropertyKey): boolean => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original(object, key);
  };
  try {
    const result = work();
    return { result, reads: (name) => counts.get(name) ?? 0 };
  } finally {
    Object.hasOwn = original;
  }
}

const emailsOf = (resource: Json): Json[] => resource.emails as Json[];

describe('applyPatch reads a list a bounded number of times', () => {
  const SIZE = 500;
  const OPERATIONS = 500;
  /** Operation k pins email k (and `display` is written on each). */
  const displays = Array.from({ length: OPERATIONS }, (_, k) => ({ op: 'replace', path: `emails[value eq "${address(k)}"].display`, value: `Mailbox ${String(k)}` }));

  it('emails[value eq "…"].display replaces: at most one read per email per operation, and no primary check per operation', () => {
    const { result, reads } = countingReads(() => applyPatch(userWith(SIZE), patchBody(displays), OPTIONS));
    const emails = emailsOf(result);
    expect(emails).toHaveLength(SIZE);
    expect(emails[0]).toEqual({ value: address(0), type: 'work', primary: true, display: 'Mailbox 0' });
    expect(emails[SIZE - 1]).toEqual({ value: address(SIZE - 1), type: 'home', display: `Mailbox ${String(SIZE - 1)}` });
    // The filter reads each email's `value` at most once per operation (and the request's
    // operations are read a few times each).
    expect(reads('value')).toBeGreaterThanOrEqual(OPERATIONS);
    expect(reads('value')).toBeLessThanOrEqual(SIZE * OPERATIONS + 10 * OPERATIONS);
    // No operation writes `primary`: the list's first check reads it of every email, and each
    // operation of the email it selects; there is no pass over the list per operation.
    expect(reads('primary')).toBeLessThanOrEqual(SIZE + OPERATIONS + 10);
  });

  it('a write of primary on a list checked before is checked again: the new primary wins', () => {
    const primaries = Array.from({ length: 20 }, (_, k) => ({ op: 'replace', path: `emails[value eq "${address(k * 7)}"].primary`, value: true }));
    const emails = emailsOf(applyPatch(userWith(200), patchBody([...displays.slice(0, 5), ...primaries]), OPTIONS));
    expect(emails.filter((email) => email.primary === true).map((email) => email.value)).toEqual([address(19 * 7)]);
    expect(emails.filter((email) => email.primary === false)).toHaveLength(20 - 1);
  });

  it('an add of a primary value to a list checked before makes it the only primary one', () => {
    const add = { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: true }] };
    const emails = emailsOf(applyPatch(userWith(50), patchBody([displays[1], add, displays[2]]), OPTIONS));
    expect(emails.filter((email) => email.primary === true).map((email) => email.value)).toEqual(['new@example.com']);
    expect(emails[0]).toEqual({ value: address(0), type: 'work', primary: false });
  });
});

describe('a stored list with two primary values (RFC 7643 §2.4 allows one)', () => {
  const stored = deepFreeze({
    schemas: [USER_SCHEMA],
    id: 'u1',
    userName: 'bjensen',
    emails: [
      { value: 'a@example.com', type: 'work', primary: true },
      { value: 'b@example.com', type: 'home', primary: true },
      { value: 'c@example.com', type: 'other' },
    ],
  });

  it('a write that selects neither primary value is 400 invalidValue, at its first or a later operation', () => {
    for (const operations of [
      [{ op: 'replace', path: 'emails[value eq "c@example.com"].display', value: 'C' }],
      [
        { op: 'remove', path: 'emails[value eq "nobody@example.com"]' },
        { op: 'replace', path: 'emails[value eq "c@example.com"].display', value: 'C' },
      ],
    ]) {
      expect(errorShapeOf(() => applyPatch(stored, patchBody(operations), OPTIONS))).toEqual({ status: 400, scimType: 'invalidValue' });
    }
  });

  it('a write on one primary value keeps it primary and clears the other; later writes see one primary', () => {
    const operations = [
      { op: 'replace', path: 'emails[value eq "b@example.com"].display', value: 'B' },
      { op: 'replace', path: 'emails[value eq "c@example.com"].display', value: 'C' },
    ];
    expect(emailsOf(applyPatch(stored, patchBody(operations), OPTIONS))).toEqual([
      { value: 'a@example.com', type: 'work', primary: false },
      { value: 'b@example.com', type: 'home', primary: true, display: 'B' },
      { value: 'c@example.com', type: 'other', display: 'C' },
    ]);
  });
});
