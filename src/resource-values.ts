/**
 * Values on any resource: a request's value checked and read against an attribute definition
 * (RFC 7643 §2.3 types, §2.4 multi-valued attributes, §2.5 unassigned).
 *
 * - Wrong types are 400 invalidValue, naming where the value was and what was expected.
 * - Inside a complex value, an unknown sub-attribute is dropped, a `null` one is unassigned, and a
 *   readOnly one is ignored (as RFC 7644 §3.5.1 treats read-only values in a PUT). Prototype
 *   names are refused.
 * - Leniencies, each a named switch: the strings `"True"`/`"False"` as booleans (Entra's default
 *   job), and a bare string or a one-element list for a single-valued complex attribute with a
 *   `value` sub-attribute (Entra's `manager`).
 *
 * @see RFC 7643 §2.3, §2.4, §2.5
 */
import { instantOf } from './datetime.js';
import { badRequest, payloadTooLarge, type ScimError } from './errors.js';
import type { AttributeDefinition } from './resource-schema.js';
import { describe, isObject, rejectPrototypeKey, setOwn } from './json.js';
import { clip } from './text.js';

/** A JSON object read from a request (sub-attributes in the schema's spelling). */
export type ComplexValue = Record<string, unknown>;

/** The value leniencies. */
export interface ValueLeniency {
  /** Read the strings `"True"`/`"False"` (any case) as booleans. */
  readonly stringBooleans: boolean;
  /** Read a bare string (or a one-element list) as `{value}` for a single-valued complex attribute. */
  readonly bareStringComplex: boolean;
}

function invalidValue(label: string, detail: string): ScimError {
  return badRequest('invalidValue', `${label}: ${detail}`);
}

/** RFC 4648 base64, padded or not. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Reads the strings `"true"`/`"false"` in any case, when the leniency allows it. */
export function readBoolean(value: unknown, leniency: ValueLeniency): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && leniency.stringBooleans) {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** Reads one simple value of `definition`'s type. */
function readSimple(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency): unknown {
  switch (definition.type) {
    case 'string':
    case 'reference':
      if (typeof value !== 'string') throw invalidValue(label, `${definition.name} must be a string, got ${describe(value)}`);
      if (value === '' && definition.required) throw invalidValue(label, `${definition.name} is required and cannot be empty`);
      return value;
    case 'boolean': {
      const read = readBoolean(value, leniency);
      if (read === undefined) throw invalidValue(label, `${definition.name} must be a boolean, got ${describe(value)}`);
      return read;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidValue(label, `${definition.name} must be an integer, got ${describe(value)}`);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(label, `${definition.name} must be a number, got ${describe(value)}`);
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || instantOf(value) === undefined) throw invalidValue(label, `${definition.name} must be an xsd:dateTime such as 2011-05-13T04:42:34Z, got ${describe(value)}`);
      return value;
    case 'binary':
      if (typeof value !== 'string' || !BASE64.test(value)) throw invalidValue(label, `${definition.name} must be base64, got ${describe(value)}`);
      return value;
    case 'complex':
      throw invalidValue(label, `${definition.name} is complex`);
  }
}

/**
 * Reads a complex value: sub-attributes in the schema's spelling; unknown ones dropped; readOnly
 * ones ignored; `null` kept as `null` (the caller unassigns it).
 */
export function readComplex(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency): ComplexValue {
  if (!isObject(value)) throw invalidValue(label, `${definition.name} must be an object of sub-attributes, got ${describe(value)}`);
  const result: ComplexValue = {};
  for (const key of Object.keys(value)) {
    rejectPrototypeKey(key, label, 'invalidValue');
    const sub = definition.subAttributes.get(key.toLowerCase());
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    const item = value[key];
    result[sub.name] = item === null ? null : readSimple(sub, item, `${label}.${clip(key)}`, leniency);
  }
  return result;
}

/**
 * A single-valued complex attribute with a `value` sub-attribute given as a bare string, a
 * one-element list, or `{value: ""}`: read as Entra means it. `null` means unassign.
 */
function readLenientComplex(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency): ComplexValue | null {
  let item = value;
  if (leniency.bareStringComplex && definition.subAttributes.has('value')) {
    if (Array.isArray(item)) {
      if (item.length > 1) throw invalidValue(label, `${definition.name} has a single value, got a list of ${String(item.length)}`);
      item = item.length === 0 ? null : item[0];
    }
    if (typeof item === 'string') item = { value: item };
  }
  if (item === null) return null;
  const read = readComplex(definition, item, label, leniency);
  const valueName = definition.subAttributes.get('value')?.name;
  if (leniency.bareStringComplex && valueName !== undefined && read[valueName] === '') return null;
  return read;
}

/** Reads a value for a single-valued attribute: a simple value, or a complex one; `null` unassigns. */
export function readSingle(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency): unknown {
  if (value === null) return null;
  if (definition.type === 'complex') return readLenientComplex(definition, value, label, leniency);
  if (Array.isArray(value)) throw invalidValue(label, `${definition.name} has a single value, got a list`);
  return readSimple(definition, value, label, leniency);
}

/** Reads one value of a multi-valued attribute. */
export function readItem(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency): unknown {
  if (definition.type !== 'complex') return readSimple(definition, value, label, leniency);
  const read = readComplex(definition, value, label, leniency);
  for (const key of Object.keys(read)) if (read[key] === null) Reflect.deleteProperty(read, key);
  for (const sub of definition.subAttributes.values()) {
    if (sub.required && sub.mutability !== 'readOnly' && read[sub.name] === undefined) {
      throw invalidValue(label, `each value of ${definition.name} needs ${sub.name} (required)`);
    }
  }
  return read;
}

/**
 * Reads the values for a multi-valued attribute: a list, or one value standing for a list of one.
 * `null` is the empty list (RFC 7643 §2.5).
 */
export function readList(definition: AttributeDefinition, value: unknown, label: string, leniency: ValueLeniency, maxValues: number): unknown[] {
  if (value === null) return [];
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (list.length > maxValues) {
    throw payloadTooLarge(`${label}: ${String(list.length)} values exceed this server's limit of ${String(maxValues)}`);
  }
  // Array.from visits a hole as undefined (map would skip it and keep the hole): a host's parser
  // other than JSON.parse may make one, and it is refused like any missing value.
  return Array.from(list, (item, i) => readItem(definition, item, Array.isArray(value) ? `${label}[${String(i)}]` : label, leniency));
}

/** A copy of a JSON value, made of fresh arrays and plain objects, safe to change. */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(copy, key, cloneJson(value[key]));
    return copy;
  }
  return value;
}

/** Deep equality of JSON values (object key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return false;
}
