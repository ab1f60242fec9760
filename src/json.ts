/**
 * JSON values from a client or a store, handled safely: what a value is, how to name it in a
 * detail, and keys that could reach a prototype (refused when a client names them, defined rather
 * than assigned when stored data holds them).
 */
import { badRequest } from './errors.js';
import { clip } from './text.js';

/** Names that reach an object's prototype in JavaScript; refused wherever a client names a key. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses `__proto__`, `constructor` and `prototype` (in any case) as a key, path segment or
 * sub-attribute. The library never uses client names as property keys, so they could do no harm;
 * they are refused anyway so that a probe gets a clear answer instead of a silent skip.
 *
 * @throws ScimError 400 with the given scimType.
 */
export function rejectPrototypeKey(
  key: string,
  label: string,
  scimType: 'invalidSyntax' | 'invalidPath' | 'invalidValue' | 'invalidFilter',
): void {
  if (PROTOTYPE_KEYS.has(key.toLowerCase())) {
    throw badRequest(scimType, `${label}: '${clip(key)}' is not allowed as an attribute name`);
  }
}

/** A short, safe description of a JSON value for error details. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Sets an own data property, also one named `__proto__` (stored data may hold such a key): that
 * one is defined, never assigned, so it cannot set the target's prototype.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The identity key of a value compared case-exactly: the value itself (one function, so lists can tell it from others). */
export const identityKey = (value: string): string => value;
