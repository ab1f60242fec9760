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

  it('emails[value eq "…"].display replaces: each email read a few times, not once per operation; no primary check per operation', () => {
    const { result, reads } = countingReads(() => applyPatch(userWith(SIZE), patchBody(displays), OPTIONS));
    const emails = emailsOf(result);
    expect(emails).toHaveLength(SIZE);
    expect(emails[0]).toEqual({ value: address(0), type: 'work', primary: true, display: 'Mailbox 0' });
    expect(emails[SIZE - 1]).toEqual({ value: address(SIZE - 1), type: 'home', display: `Mailbox ${String(SIZE - 1)}` });
    // A pass per operation would read each email's `value` once per operation (250,000 reads);
    // the request's operations are read a few times each too.
    expect(reads('value')).toBeGreaterThanOrEqual(OPERATIONS);
    expect(reads('value')).toBeLessThanOrEqual(3 * SIZE + 10 * OPERATIONS);
    // No operation writes `primary`: the list's first check reads it of every email, and each
    // operation of the email it selects.
    expect(reads('primary')).toBeLessThanOrEqual(SIZE + OPERATIONS + 10);
  });

  it('an add of 500 emails then 499 removes by emails[value eq "…"]: each email read a few times', () => {
    const added = Array.from({ length: OPERATIONS }, (_, k) => ({ value: address(SIZE + k), type: 'other' }));
    // Every other email, stored and added, but email 0 (the primary one).
    const removes = Array.from({ length: OPERATIONS - 1 }, (_, r) => ({ op: 'remove', path: `emails[value eq "${address(2 * r + 1)}"]` }));
    const { result, reads } = countingReads(() => applyPatch(userWith(SIZE), patchBody([{ op: 'add', path: 'emails', value: added }, ...removes]), OPTIONS));
    const values = emailsOf(result).map((email) => email.value);
    expect(values).toHaveLength(SIZE + OPERATIONS - (OPERATIONS - 1));
    expect(values.slice(0, 3)).toEqual([address(0), address(2), address(4)]);
    expect(values).toContain(address(SIZE + OPERATIONS - 1));
    expect(values).not.toContain(address(2 * (OPERATIONS - 2) + 1));
    expect(reads('value')).toBeLessThanOrEqual(10 * (SIZE + OPERATIONS));
  });

  it('emails[type eq "work"].value replaces (Entra): the list is read a few times, not once per operation', () => {
    const replaces = Array.from({ length: OPERATIONS }, (_, k) => ({ op: 'replace', path: 'emails[type eq "work"].value', value: `babs-${String(k)}@example.com` }));
    const { result, reads } = countingReads(() => applyPatch(userWith(SIZE), patchBody(replaces), OPTIONS));
    expect(emailsOf(result)[0]).toEqual({ value: `babs-${String(OPERATIONS - 1)}@example.com`, type: 'work', primary: true });
    expect(reads('type')).toBeLessThanOrEqual(3 * SIZE + 10 * OPERATIONS);
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

describe('a list filtered again and again by one sub-attribute finds what a pass would', () => {
  const stored = deepFreeze({
    schemas: [USER_SCHEMA],
    id: 'u1',
    userName: 'bjensen',
    emails: [
      { value: 'a@example.com', type: 'work', primary: true },
      { value: 'b@example.com', type: 'home' },
      { Value: 'C@Example.com', TYPE: 'home' },
    ],
  });
  /** With a value stored as an object, compared by its own `value`. */
  const odd = deepFreeze({ ...stored, emails: [...stored.emails, { value: { value: 'd@example.com' }, type: 'other' }] });
  const display = (filter: string, value: string): Json => ({ op: 'replace', path: `emails[${filter}].display`, value });

  it('a value whose sub-attribute a later operation writes is found by its new value', () => {
    const operations = [
      display('type eq "work"', 'W1'),
      display('type eq "home"', 'H'),
      { op: 'replace', path: 'emails[value eq "b@example.com"].type', value: 'work' },
      display('type eq "work"', 'W2'),
    ];
    expect(emailsOf(applyPatch(stored, patchBody(operations), OPTIONS)).map((email) => email.display)).toEqual(['W2', 'W2', 'H']);
  });

  it('a value added, or created from a filter, is found by a later filter; a removed one is not', () => {
    const operations = [
      display('value eq "a@example.com"', 'A'),
      display('value eq "b@example.com"', 'B'),
      { op: 'add', path: 'emails', value: [{ value: 'e@example.com', type: 'other' }] },
      display('value eq "E@EXAMPLE.COM"', 'E'),
      { op: 'remove', path: 'emails[value eq "b@example.com"]' },
      display('type eq "home"', 'C'),
      display('type eq "work"', 'W'),
      { op: 'add', path: 'emails[type eq "pager"].value', value: 'p@example.com' },
      display('type eq "pager"', 'P'),
    ];
    expect(emailsOf(applyPatch(stored, patchBody(operations), OPTIONS))).toEqual([
      { value: 'a@example.com', type: 'work', primary: true, display: 'W' },
      { Value: 'C@Example.com', TYPE: 'home', display: 'C' },
      { value: 'e@example.com', type: 'other', display: 'E' },
      { type: 'pager', value: 'p@example.com', display: 'P' },
    ]);
    const again = [display('value eq "a@example.com"', 'A'), { op: 'remove', path: 'emails[value eq "b@example.com"]' }, display('value eq "b@example.com"', 'B')];
    expect(errorShapeOf(() => applyPatch(stored, patchBody(again), OPTIONS))).toEqual({ status: 400, scimType: 'noTarget' });
  });

  it('keys stored in another case, and a value compared by its own value, are found as by a pass (RFC 7644 §3.4.2.2)', () => {
    const operations = [
      display('value eq "a@example.com"', 'A'),
      display('value eq "c@example.com"', 'C'),
      display('value eq "d@example.com"', 'D'),
      display('VALUE eq "C@EXAMPLE.COM"', 'C2'),
    ];
    expect(emailsOf(applyPatch(odd, patchBody(operations), OPTIONS)).map((email) => email.display)).toEqual(['A', undefined, 'C2', 'D']);
  });
});
