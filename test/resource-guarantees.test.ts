/**
 * The Group API's guarantees on any resource, where a User can be as hostile as a group: bounded
 * work per request whatever the operation kind (counted, not timed), and stored data that holds a
 * `__proto__` key stays data.
 */
import { describe, expect, it } from 'vitest';
import { applyPatch, tryApplyPatch, USER_SCHEMA_DEFINITION, type ScimResource } from '../src/index.js';
import { counted } from './support/counted.js';
import { deepFreeze } from './support/freeze.js';

const OPTIONS = { schema: USER_SCHEMA_DEFINITION, now: () => new Date('2030-01-01T00:00:00.000Z') };
const EMAILS = 1_000;

function userWithEmails(reads: { count: number }): ScimResource {
  const emails = Array.from({ length: EMAILS }, (_, i) => ({ value: `u${String(i)}@example.com`, type: i === 0 ? 'work' : 'other' }));
  return { id: 'u1', userName: 'bjensen', emails: counted(deepFreeze(emails), reads) };
}

/** Every operation kind that passes over the whole `emails` list, as the i-th of a request. */
const PASSES: readonly (readonly [string, (i: number) => unknown])[] = [
  ['replace emails.display', (i) => ({ op: 'replace', path: 'emails.display', value: `d${String(i)}` })],
  ['remove emails.display', () => ({ op: 'remove', path: 'emails.display' })],
  ['replace emails[type eq "other"].display', (i) => ({ op: 'replace', path: 'emails[type eq "other"].display', value: `d${String(i)}` })],
  ['remove emails[display eq "x"]', () => ({ op: 'remove', path: 'emails[display eq "x"]' })],
  ['add one email', (i) => ({ op: 'add', path: 'emails', value: [{ value: `n${String(i)}@example.com` }] })],
  ['remove emails by a value list', (i) => ({ op: 'remove', path: 'emails', value: [{ value: `u${String(i)}@example.com` }] })],
];

describe('bounded work on a user with 1,000 emails, 1,000 operations of each kind', () => {
  it.each(PASSES)('%s: refused past maxScannedMembers, and the stored list is read a bounded number of times', (_name, operation) => {
    const budget = 50_000;
    const reads = { count: 0 };
    const result = tryApplyPatch(userWithEmails(reads), { Operations: Array.from({ length: 1_000 }, (_, i) => operation(i)) }, { ...OPTIONS, limits: { maxScannedMembers: budget } });
    // 1,000 passes over 1,000 values would be 1,000,000 values examined.
    expect(result.ok ? 'ok' : result.error.scimType).toBe('tooMany');
    // Every pass is charged before it runs: at most the budget, plus the copy and the final pass.
    expect(reads.count).toBeLessThanOrEqual(budget + 3 * EMAILS);
  });

  it.each(PASSES)('%s: the same request within the default budget is applied', (_name, operation) => {
    const result = tryApplyPatch(userWithEmails({ count: 0 }), { Operations: Array.from({ length: 1_000 }, (_, i) => operation(i)) }, OPTIONS);
    expect(result.ok).toBe(true);
  });
});

describe('stored data with a __proto__ key', () => {
  it('keeps it as an own data property of the result; the result keeps its prototype', () => {
    const stored = JSON.parse('{"id":"u1","userName":"bjensen","__proto__":{"polluted":true},"name":{"givenName":"Barbara"}}') as ScimResource;
    const next = applyPatch(deepFreeze(stored), { Operations: [{ op: 'replace', path: 'name.givenName', value: 'Babs' }] }, OPTIONS);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(Object.hasOwn(next, '__proto__')).toBe(true);
    expect((next as Record<string, unknown>).polluted).toBeUndefined();
    expect(next.name).toEqual({ givenName: 'Babs' });
  });
});
