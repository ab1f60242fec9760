/**
 * A Bloom filter over member keys, for large member lists: `mayHave(key)` is false only for a
 * key that was never added, so a `false` saves a Map lookup and a `true` costs one as before.
 *
 * It pays off where a Map lookup misses out of cache: finding which of 100,000 stored members a
 * 100,000-member replace leaves out. A Map lookup that misses walks a bucket chain and reads
 * each key string it meets from memory; the filter reads two bits from a table 16 bits per key
 * wide (200 KB for 100,000 keys) after hashing at most 17 characters of a string the caller has
 * just read. Keys chosen to collide only make the filter answer `true` more often: results never
 * depend on it, and the cost falls back to the Map's.
 */
import { keepShapeOnce } from './shapes.js';

export class KeyFilter {
  private readonly words: Int32Array;
  private readonly mask: number;

  /** A filter sized for `expected` keys: 16 bits each, a false positive rate near 1.4%. */
  constructor(expected: number) {
    let bits = 1024;
    while (bits < expected * 16) bits *= 2;
    this.words = new Int32Array(bits >>> 5);
    this.mask = bits - 1;
    keepShapeOnce(KeyFilter, () => new KeyFilter(0));
  }

  add(key: string): void {
    const h = keyHash(key);
    this.set(h & this.mask);
    this.set(remix(h) & this.mask);
  }

  mayHave(key: string): boolean {
    const h = keyHash(key);
    return this.has(h & this.mask) && this.has(remix(h) & this.mask);
  }

  private set(bit: number): void {
    const word = bit >>> 5;
    this.words[word] = (this.words[word] as number) | (1 << (bit & 31));
  }

  private has(bit: number): boolean {
    return ((this.words[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }
}

/**
 * FNV-1a over the UTF-16 units of a short key, or of the first 8 and last 8 units and the length
 * of a longer one: identifiers differ at the start (e-mail addresses), at the end (numbered ids)
 * or all along (UUIDs).
 */
export function keyHash(key: string): number {
  const length = key.length;
  let h = 0x811c9dc5;
  if (length <= 16) {
    for (let i = 0; i < length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < 8; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    for (let i = length - 8; i < length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ length, 0x01000193);
  }
  return h;
}

/** A second bit position from the same hash (the finalizer of MurmurHash3). */
function remix(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}
