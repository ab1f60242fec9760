import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter, keyHash } from '../src/keyfilter.js';

describe('KeyFilter', () => {
  it('never says no to a key it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 300 }), (keys) => {
        const filter = new KeyFilter(keys.length);
        for (const key of keys) filter.add(key);
        for (const key of keys) expect(filter.mayHave(key)).toBe(true);
      }),
    );
  });

  it.each([
    ['numbered ids', (i: number) => `user-${String(i)}`],
    ['e-mail addresses', (i: number) => `person.${String(i)}@example.com`],
    ['UUID-shaped ids', (i: number) => `${(Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0')}-4f1c-4b7e-9a61-${String(i).padStart(12, '0')}`],
  ])('rules out nearly every key it was not given: %s', (_, id) => {
    const filter = new KeyFilter(10_000);
    for (let i = 0; i < 10_000; i++) filter.add(id(i));
    let maybe = 0;
    for (let i = 10_000; i < 20_000; i++) if (filter.mayHave(id(i))) maybe++;
    // Sized for about 1.4% false positives; 5% leaves room for an unlucky key set.
    expect(maybe).toBeLessThan(500);
  });

  it('hashes the ends of a long key and its length, so only the middle may differ unseen', () => {
    const a = 'aaaaaaaa-middle-one-zzzzzzzz';
    const b = 'aaaaaaaa-middle-two-zzzzzzzz';
    expect(keyHash(a)).toBe(keyHash(b));
    expect(keyHash(a)).not.toBe(keyHash(`${a}x`));
    expect(keyHash('user-1')).not.toBe(keyHash('user-2'));
    const filter = new KeyFilter(1);
    filter.add(a);
    expect(filter.mayHave(b)).toBe(true); // a false positive: the caller's Map lookup settles it
  });
});
