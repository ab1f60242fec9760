/**
 * Freezes a value and everything reachable from it (own string and symbol keys, cycles
 * included), so any write by the library throws. The fuzz tests' deeply nested inputs use the
 * iterative version in test/fuzz/guarantee.ts instead.
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  Object.freeze(value);
  return value;
}
