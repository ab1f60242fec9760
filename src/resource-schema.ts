/**
 * Schema definitions: an RFC 7643 §7 schema representation (the JSON a server serves at
 * `/Schemas`) read once into attribute definitions the engine can look up by name.
 *
 * The representation is accepted exactly as RFC 7643 §8.7.1 prints it for User, Group and the
 * Enterprise User extension, with these readings of the printed JSON's quirks (each follows the
 * RFC's prose where the printed JSON and the prose disagree):
 *
 * - User `addresses` gets a `primary` sub-attribute, a boolean (RFC 7643 §2.4 names `primary` among
 *   the default sub-attributes; §8.2 uses it on an address);
 * - Group `members` gets a `display` sub-attribute, a readWrite string (RFC 7643 §4.2, erratum 6011);
 * - Group `displayName` is required (RFC 7643 §4.2 says REQUIRED; §8.7.1 prints `required: false`).
 *
 * These three are read only in the schemas they belong to: other schemas, custom ones included,
 * get exactly the sub-attributes they list (Group `members` and User `groups` get no `primary`).
 * The built-in definitions (`schemas.ts`) carry the three fixes, so they compile to the same
 * definitions as the printed JSON.
 *
 * Anything the representation leaves out takes RFC 7643 §2.2's default: `required` false,
 * `caseExact` false, `mutability` readWrite, `returned` default, `uniqueness` none, `multiValued`
 * false, `type` string.
 *
 * @see RFC 7643 §2, §7, §8.7.1
 */
import { ScimError } from './errors.js';
import type { AttributeType } from './filter.js';
import { clip } from './text.js';

/** RFC 7643 §2.2 `mutability`. */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** RFC 7643 §2.2 `returned`. */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** RFC 7643 §2.2 `uniqueness`. */
export type Uniqueness = 'none' | 'server' | 'global';

const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'];
const MUTABILITIES: readonly Mutability[] = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED: readonly Returned[] = ['always', 'never', 'default', 'request'];
const UNIQUENESS: readonly Uniqueness[] = ['none', 'server', 'global'];

/** One attribute of a schema, with every characteristic of RFC 7643 §2.2 resolved. */
export interface AttributeDefinition {
  /** The name as the schema spells it; results use this spelling. */
  readonly name: string;
  /** The data type (RFC 7643 §2.3). */
  readonly type: AttributeType;
  /** Whether the attribute holds a list of values. */
  readonly multiValued: boolean;
  /** Whether the attribute must have a value. */
  readonly required: boolean;
  /** Whether string values compare case-exactly. */
  readonly caseExact: boolean;
  /** Who may change the attribute. */
  readonly mutability: Mutability;
  /** When the attribute is returned in a response (the host's concern; kept for it). */
  readonly returned: Returned;
  /** How unique a value must be (the host's concern; kept for it). */
  readonly uniqueness: Uniqueness;
  /** The values the service provider documents, if any (RFC 7643 §2.2 canonicalValues). */
  readonly canonicalValues: readonly string[];
  /** For references: the resource types it may point to. */
  readonly referenceTypes: readonly string[];
  /** The sub-attributes of a complex attribute, by lower-cased name, in schema order. */
  readonly subAttributes: ReadonlyMap<string, AttributeDefinition>;
  /** The URN of the schema that defines the attribute. */
  readonly schema: string;
  /** The attribute's path from the resource: `emails` or `emails.value`. */
  readonly path: string;
}

/** A schema representation read into definitions. */
export interface CompiledSchema {
  /** The schema URN, as the representation spells it. */
  readonly id: string;
  /** The top-level attributes, by lower-cased name, in schema order. */
  readonly attributes: ReadonlyMap<string, AttributeDefinition>;
}

/** A 500: the host passed a schema representation the library cannot read. */
export function invalidSchema(detail: string): ScimError {
  return new ScimError({ status: 500, detail: `schema is invalid: ${detail}` });
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, where: string): T {
  if (value === undefined || value === null) return fallback;
  const found = allowed.find((item) => item === value);
  if (found === undefined) throw invalidSchema(`${where} is ${shown(value)}, expected one of ${allowed.join(', ')}`);
  return found;
}

/** A value of the representation, quoted in a detail without calling anything on it. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `'${clip(value)}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : `a value of type ${typeof value}`;
}

function flag(value: unknown, fallback: boolean, where: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalidSchema(`${where} must be a boolean`);
  return value;
}

function strings(value: unknown, where: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidSchema(`${where} must be a list of strings`);
  }
  return Object.freeze(value.slice());
}

/** Names an attribute may have (RFC 7643 §2.1 ATTRNAME, plus `$ref`). */
const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][\w-]*)$/;
const PROTOTYPE_NAMES = /* @__PURE__ */ new Set(['__proto__', 'constructor', 'prototype']);

function readAttribute(raw: unknown, schema: string, parent: string | undefined, where: string): AttributeDefinition {
  if (!isObject(raw)) throw invalidSchema(`${where} is not an object`);
  const name = raw.name;
  if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name) || PROTOTYPE_NAMES.has(name.toLowerCase())) {
    throw invalidSchema(`${where}.name is not an attribute name`);
  }
  const at = `${where} (${name})`;
  const type = oneOf(raw.type, ATTRIBUTE_TYPES, 'string', `${at}.type`);
  const path = parent === undefined ? name : `${parent}.${name}`;
  const subAttributes = new Map<string, AttributeDefinition>();
  if (type === 'complex') {
    if (parent !== undefined) throw invalidSchema(`${at}: a sub-attribute cannot be complex (RFC 7643 §2.3.8)`);
    const list = raw.subAttributes ?? [];
    if (!Array.isArray(list)) throw invalidSchema(`${at}.subAttributes must be a list`);
    list.forEach((item: unknown, i) => {
      const sub = readAttribute(item, schema, name, `${at}.subAttributes[${String(i)}]`);
      const key = sub.name.toLowerCase();
      if (subAttributes.has(key)) throw invalidSchema(`${at} defines '${sub.name}' twice`);
      subAttributes.set(key, sub);
    });
  }
  return {
    name,
    type,
    multiValued: flag(raw.multiValued, false, `${at}.multiValued`),
    required: flag(raw.required, false, `${at}.required`),
    caseExact: flag(raw.caseExact, false, `${at}.caseExact`),
    mutability: oneOf(raw.mutability, MUTABILITIES, 'readWrite', `${at}.mutability`),
    returned: oneOf(raw.returned, RETURNED, 'default', `${at}.returned`),
    uniqueness: oneOf(raw.uniqueness, UNIQUENESS, 'none', `${at}.uniqueness`),
    canonicalValues: strings(raw.canonicalValues, `${at}.canonicalValues`),
    referenceTypes: strings(raw.referenceTypes, `${at}.referenceTypes`),
    subAttributes,
    schema,
    path,
  };
}

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:user';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:group';

/** RFC 7643 §2.2: the characteristics an attribute has when its definition does not say. */
export const DEFAULT_CHARACTERISTICS = /* @__PURE__ */ Object.freeze({
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
} as const);

/**
 * An attribute definition with RFC 7643 §2.2's defaults for every characteristic not given: for
 * the attributes a schema does not list (the common attributes of RFC 7643 §3.1, the printed
 * JSON's missing sub-attributes).
 */
export function definitionWithDefaults(
  name: string,
  type: AttributeType,
  schema: string,
  path: string,
  characteristics: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  return {
    ...DEFAULT_CHARACTERISTICS,
    name,
    type,
    canonicalValues: [],
    referenceTypes: [],
    subAttributes: new Map(),
    schema,
    path,
    ...characteristics,
  };
}

function implicitSubAttribute(parent: AttributeDefinition, name: string, type: AttributeType): AttributeDefinition {
  return definitionWithDefaults(name, type, parent.schema, `${parent.name}.${name}`, {
    mutability: parent.mutability === 'readOnly' ? 'readOnly' : 'readWrite',
  });
}

/** `attribute` with the sub-attribute `name` added when it is complex and does not list it. */
function withSubAttribute(attribute: AttributeDefinition, name: string, type: AttributeType): AttributeDefinition {
  if (attribute.type !== 'complex' || attribute.subAttributes.has(name)) return attribute;
  const subAttributes = new Map(attribute.subAttributes);
  subAttributes.set(name, implicitSubAttribute(attribute, name, type));
  return { ...attribute, subAttributes };
}

/** The readings of the printed JSON's quirks listed at the top of this file. */
function withQuirksRead(attribute: AttributeDefinition, schemaLower: string): AttributeDefinition {
  const lower = attribute.name.toLowerCase();
  if (schemaLower === USER_URN && lower === 'addresses') return withSubAttribute(attribute, 'primary', 'boolean');
  if (schemaLower === GROUP_URN && lower === 'members') return withSubAttribute(attribute, 'display', 'string');
  if (schemaLower === GROUP_URN && lower === 'displayname' && !attribute.required) return { ...attribute, required: true };
  return attribute;
}

const compiled = /* @__PURE__ */ new WeakMap<object, CompiledSchema>();

/**
 * Reads an RFC 7643 §7 schema representation. The result is cached per representation object, so
 * a host that passes the same object on every request reads it once.
 *
 * @param representation - the schema JSON, for example RFC 7643 §8.7.1's User schema.
 * @returns the schema URN and its attribute definitions.
 * @throws ScimError 500 when the representation cannot be read (no `id`, an unknown type, …).
 */
export function compileSchema(representation: unknown): CompiledSchema {
  if (!isObject(representation)) throw invalidSchema('the schema representation is not an object');
  const cached = compiled.get(representation);
  if (cached !== undefined) return cached;
  const id = representation.id;
  if (typeof id !== 'string' || !/^urn:[^:\s]+:[^\s]+$/i.test(id)) throw invalidSchema('id must be a schema URN');
  const list = representation.attributes;
  if (!Array.isArray(list)) throw invalidSchema(`${clip(id)}: attributes must be a list`);
  const lowerId = id.toLowerCase();
  const attributes = new Map<string, AttributeDefinition>();
  list.forEach((item: unknown, i) => {
    const attribute = withQuirksRead(readAttribute(item, id, undefined, `${clip(id)} attributes[${String(i)}]`), lowerId);
    const key = attribute.name.toLowerCase();
    if (attributes.has(key)) throw invalidSchema(`${clip(id)} defines '${attribute.name}' twice`);
    attributes.set(key, attribute);
  });
  const result: CompiledSchema = { id, attributes };
  compiled.set(representation, result);
  return result;
}

/**
 * The sub-attribute that identifies each value of a multi-valued complex attribute on its own,
 * when there is one: `value`, when it is immutable (Group `members`, a custom `owners`). Such an
 * attribute is a keyed list (`keyed-list.ts`): values are found by `value` in a Map, an added
 * value needs a non-empty string `value`, and a value is never created from a filter. An attribute
 * with a `primary` sub-attribute, or itself immutable, is not keyed: its values are told apart by
 * content (emails), and the primary rule needs every value.
 */
export function keyedIdentity(attribute: AttributeDefinition): AttributeDefinition | undefined {
  if (!attribute.multiValued || attribute.type !== 'complex' || attribute.mutability === 'immutable' || attribute.subAttributes.has('primary')) {
    return undefined;
  }
  const value = attribute.subAttributes.get('value');
  return value?.mutability === 'immutable' ? value : undefined;
}
