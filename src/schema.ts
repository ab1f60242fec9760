/**
 * What the library knows of the Group schema (RFC 7643 §4.2, §8.7.1): which attributes exist,
 * how paths and pathless keys name them, and what a valid value of each looks like.
 *
 * Names are compared case-insensitively (RFC 7643 §2.1) and looked up in closed tables, never used
 * as property keys, so no input can name `__proto__` or `constructor` into an object.
 */
import { badRequest, payloadTooLarge, type ScimError } from './errors.js';
import type { Filter, ParsedPath } from './path.js';
import { GROUP_SCHEMA, type GroupMember } from './types.js';
import { assertNever } from './never.js';
import { clip } from './text.js';

/** A sub-attribute of `members`. */
export type MemberSubAttribute = 'value' | 'display' | 'type' | '$ref';

/** What a path designates on a Group, after resolution. */
export type GroupTarget =
  | { readonly attribute: 'displayName' }
  | { readonly attribute: 'externalId' }
  | {
      readonly attribute: 'members';
      readonly filter?: Filter;
      readonly subAttribute?: MemberSubAttribute;
    };

/** Sub-attributes a member update may set; `null` removes the sub-attribute. */
// A type alias (not an interface) so that it is assignable to a keyed list's record of updates.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type MemberAttributeUpdate = {
  /** New display name, or null to remove it. */
  readonly display?: string | null;
  /** New type, or null to remove it. */
  readonly type?: string | null;
  /** New `$ref`, or null to remove it. */
  readonly $ref?: string | null;
};

const MEMBER_SUB_ATTRIBUTES: ReadonlyMap<string, MemberSubAttribute> = new Map([
  ['value', 'value'],
  ['display', 'display'],
  ['type', 'type'],
  ['$ref', '$ref'],
]);

const READ_ONLY_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['id', 'id'],
  ['meta', 'meta'],
  ['schemas', 'schemas'],
]);

const GROUP_SCHEMA_LOWER = GROUP_SCHEMA.toLowerCase();

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

/** A pathless value's key, resolved. */
export type ValueKey = 'displayName' | 'externalId' | 'members' | 'readOnly' | 'groupSchema';

function invalidPath(label: string, message: string): ScimError {
  return badRequest('invalidPath', `${label}: ${message}`);
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

/**
 * Resolves a parsed path to the Group attribute it targets.
 *
 * @throws ScimError `invalidPath` for unknown schemas, attributes and sub-attributes, `mutability`
 * for `id`, `meta` and `schemas`, `invalidFilter` for filters on unknown member sub-attributes.
 */
export function resolveGroupPath(parsed: ParsedPath, label: string): GroupTarget {
  if (parsed.uri !== undefined && parsed.uri.toLowerCase() !== GROUP_SCHEMA_LOWER) {
    throw invalidPath(label, unknownSchema(parsed.uri, parsed.attribute));
  }
  rejectPrototypeKey(parsed.attribute, label, 'invalidPath');
  if (parsed.subAttribute !== undefined) rejectPrototypeKey(parsed.subAttribute, label, 'invalidPath');
  const name = parsed.attribute.toLowerCase();
  const readOnly = READ_ONLY_ATTRIBUTES.get(name);
  if (readOnly !== undefined) {
    throw badRequest('mutability', `${label}: attribute '${readOnly}' is readOnly and cannot be patched`);
  }
  if (name === 'displayname' || name === 'externalid') {
    const attribute = name === 'displayname' ? 'displayName' : 'externalId';
    if (parsed.filter !== undefined) {
      throw invalidPath(label, `'${attribute}' is single-valued and takes no filter`);
    }
    if (parsed.subAttribute !== undefined) {
      throw invalidPath(label, `'${attribute}' has no sub-attribute '${clip(parsed.subAttribute)}'`);
    }
    return { attribute };
  }
  if (name !== 'members') {
    throw invalidPath(label, `unknown attribute '${clip(parsed.attribute)}'; a Group has displayName, externalId and members`);
  }
  let subAttribute: MemberSubAttribute | undefined;
  if (parsed.subAttribute !== undefined) {
    subAttribute = MEMBER_SUB_ATTRIBUTES.get(parsed.subAttribute.toLowerCase());
    if (subAttribute === undefined) {
      throw invalidPath(label, `members have no sub-attribute '${clip(parsed.subAttribute)}'`);
    }
  }
  const filter = parsed.filter === undefined ? undefined : memberFilter(parsed.filter, label);
  return {
    attribute: 'members',
    ...(filter === undefined ? {} : { filter }),
    ...(subAttribute === undefined ? {} : { subAttribute }),
  };
}

/**
 * Why a path's schema URN is refused. A path that is a schema URN alone parses as URN + name
 * (`urn:ietf:params:scim:schemas:core:2.0` + `Group`), so the detail names the whole URN: SCIM
 * schema URNs end in a name after a version (`2.0:Group`), and a URN part that ends in a version
 * is read as the start of one.
 */
function unknownSchema(uri: string, attribute: string): string {
  return /:\d[\d.]*$/.test(uri)
    ? `'${clip(`${uri}:${attribute}`)}' is a schema URN, not an attribute: name one after it, as in '${GROUP_SCHEMA}:members'`
    : `unknown schema '${clip(uri)}'; only ${GROUP_SCHEMA} attributes can be patched`;
}

/** Rewrites a filter on members so that every attribute is a canonical member sub-attribute. */
function memberFilter(filter: Filter, label: string): Filter {
  switch (filter.kind) {
    case 'compare':
    case 'present': {
      const attribute = filter.attribute;
      rejectPrototypeKey(attribute.name, label, 'invalidFilter');
      if (attribute.subAttribute !== undefined) rejectPrototypeKey(attribute.subAttribute, label, 'invalidFilter');
      const name =
        attribute.uri === undefined && attribute.subAttribute === undefined
          ? MEMBER_SUB_ATTRIBUTES.get(attribute.name.toLowerCase())
          : undefined;
      if (name === undefined) {
        const spelled = `${attribute.uri === undefined ? '' : `${attribute.uri}:`}${attribute.name}${
          attribute.subAttribute === undefined ? '' : `.${attribute.subAttribute}`
        }`;
        throw badRequest(
          'invalidFilter',
          `${label}: members have no sub-attribute '${clip(spelled)}' to filter on (value, display, type, $ref)`,
        );
      }
      return { ...filter, attribute: { name } };
    }
    case 'and':
    case 'or':
      return { kind: filter.kind, filters: filter.filters.map((f) => memberFilter(f, label)) };
    case 'not':
      return { kind: 'not', filter: memberFilter(filter.filter, label) };
    case 'valuePath':
      throw badRequest('invalidFilter', `${label}: a member filter cannot nest '[...]'`);
    default:
      return assertNever(filter);
  }
}

/** What a member filter says about `value`: the only values it can match. */
export interface ValueConstraint {
  /** A member can match only if its value is one of these. */
  readonly values: readonly string[];
  /** True when having one of these values is all the filter asks (`value eq "a" or value eq "b"`). */
  readonly exact: boolean;
}

/**
 * The member values a member filter can match, when it pins `value` by equality: `value eq "x"`,
 * an `or` of such, or an `and` with such an operand. Lets a remove become a delete by value and
 * lets a filtered update look members up by key instead of scanning the group; a database host
 * can do the same with the filters of `removeMembersWhere` and `updateMembers` changes.
 *
 * @param filter - a filter over member sub-attributes, as found in normalized changes.
 * @returns the values and whether matching one of them is all the filter asks, or `undefined`
 * when the filter does not pin `value` (the whole group must be examined).
 * @example
 * ```ts
 * valueConstraintOf(parseFilter('value eq "u1" and display pr')) // { values: ['u1'], exact: false }
 * ```
 * @see RFC 7644 §3.4.2.2
 */
export function valueConstraintOf(filter: Filter): ValueConstraint | undefined {
  switch (filter.kind) {
    case 'compare':
      return filter.operator === 'eq' && filter.attribute.name === 'value' && typeof filter.value === 'string'
        ? { values: [filter.value], exact: true }
        : undefined;
    case 'or': {
      const values: string[] = [];
      let exact = true;
      for (const operand of filter.filters) {
        const constraint = valueConstraintOf(operand);
        if (constraint === undefined) return undefined;
        values.push(...constraint.values);
        exact &&= constraint.exact;
      }
      return { values, exact };
    }
    case 'and':
      for (const operand of filter.filters) {
        const constraint = valueConstraintOf(operand);
        if (constraint !== undefined) return { values: constraint.values, exact: false };
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Resolves a key of a pathless `add`/`replace` value: case-insensitive, with or without the core
 * Group URN prefix. The bare Group URN names an object holding core attributes.
 *
 * @throws ScimError `invalidPath` for keys that name no Group attribute.
 */
export function resolveValueKey(key: string, label: string): ValueKey {
  rejectPrototypeKey(key, label, 'invalidPath');
  let name = key.toLowerCase();
  if (name === GROUP_SCHEMA_LOWER) return 'groupSchema';
  if (name.startsWith(`${GROUP_SCHEMA_LOWER}:`)) name = name.slice(GROUP_SCHEMA_LOWER.length + 1);
  switch (name) {
    case 'displayname':
      return 'displayName';
    case 'externalid':
      return 'externalId';
    case 'members':
      return 'members';
    default:
      if (READ_ONLY_ATTRIBUTES.has(name)) return 'readOnly';
      throw invalidPath(label, `unknown attribute '${clip(key)}'; a Group has displayName, externalId and members`);
  }
}

/**
 * Reads a `displayName` value: a non-empty string.
 *
 * @throws ScimError `mutability` for null (the attribute is required), `invalidValue` otherwise.
 */
export function readDisplayName(value: unknown, label: string): string {
  if (value === null) {
    throw badRequest('mutability', `${label}: displayName is required and cannot be set to null`);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}: displayName must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/**
 * Reads an `externalId` value: a non-empty string, or null (unassign) where `allowNull` says so.
 *
 * @throws ScimError `invalidValue`.
 */
export function readExternalId(value: unknown, label: string, allowNull: boolean): string | null {
  if (value === null && allowNull) return null;
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}: externalId must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function readOptionalString(value: unknown, label: string): string | undefined | null {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') {
    throw badRequest('invalidValue', `${label} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** Builds a clean member: only the four known sub-attributes, nulls dropped (Entra's `"$ref": null`). */
function buildMember(
  value: string,
  display: string | null | undefined,
  type: string | null | undefined,
  ref: string | null | undefined,
): GroupMember {
  // The two shapes clients send most are built whole, not grown a property at a time.
  if (type == null && ref == null) return typeof display === 'string' ? { value, display } : { value };
  const member: { value: string; display?: string; type?: string; $ref?: string } = { value };
  if (typeof display === 'string') member.display = display;
  if (typeof type === 'string') member.type = type;
  if (typeof ref === 'string') member.$ref = ref;
  return member;
}

/** The label of a member in error details: `label`, or `label[index]` for an item of a list. */
function memberLabel(label: string, index: number | undefined): string {
  return index === undefined ? label : `${label}[${String(index)}]`;
}

/**
 * Reads one member object `{value, display?, type?, $ref?}`. Unknown sub-attributes are ignored.
 * `index` is the member's place in its list, for error details (built only when one is thrown:
 * a list of 100,000 members would otherwise build 100,000 labels nobody reads).
 *
 * @throws ScimError `invalidValue` when it is not an object or `value` is not a non-empty string.
 */
export function readMember(raw: unknown, label: string, index?: number): GroupMember {
  if (!isObject(raw)) {
    throw badRequest(
      'invalidValue',
      `${memberLabel(label, index)}: a member must be an object with a string "value", got ${describe(raw)}`,
    );
  }
  let value: unknown;
  let display: string | null | undefined;
  let type: string | null | undefined;
  let ref: string | null | undefined;
  for (const key of Object.keys(raw)) {
    // Keys spelled as the schema spells them (what every client sends) skip the case folding.
    let name: string = key;
    if (key !== 'value' && key !== 'display' && key !== 'type' && key !== '$ref') {
      rejectPrototypeKey(key, memberLabel(label, index), 'invalidValue');
      name = key.toLowerCase();
    }
    switch (name) {
      case 'value':
        value = raw[key];
        break;
      case 'display':
        display = memberString(raw[key], label, index, 'display');
        break;
      case 'type':
        type = memberString(raw[key], label, index, 'type');
        break;
      case '$ref':
        ref = memberString(raw[key], label, index, '$ref');
        break;
      default:
        break;
    }
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest(
      'invalidValue',
      `${memberLabel(label, index)}.value must be a non-empty string, got ${describe(value)}`,
    );
  }
  return buildMember(value, display, type, ref);
}

/** A member sub-attribute: a string, or null/absent for unassigned (RFC 7643 §2.5). */
function memberString(
  item: unknown,
  label: string,
  index: number | undefined,
  name: string,
): string | null | undefined {
  if (item === undefined || item === null || typeof item === 'string') return item;
  return readOptionalString(item, `${memberLabel(label, index)}.${name}`);
}

/** The `members` list inside a `{ "members": [...] }` wrapper, when `raw` is one. */
function unwrapMembers(
  raw: Readonly<Record<string, unknown>>,
  label: string,
): { list: unknown } | undefined {
  let list: { list: unknown } | undefined;
  for (const key of Object.keys(raw)) {
    rejectPrototypeKey(key, label, 'invalidValue');
    const name = key.toLowerCase();
    if (name === 'value') return undefined;
    if (name === 'members') list = { list: raw[key] };
  }
  return list;
}

/**
 * Reads a list of members: an array of member objects, one member object, or `{members: [...]}`.
 *
 * @throws ScimError `invalidValue` for anything else or any malformed member.
 */
export function readMemberList(raw: unknown, label: string, maxValues: number): GroupMember[] {
  let list = raw;
  let listLabel = label;
  if (isObject(raw)) {
    const wrapped = unwrapMembers(raw, label);
    if (wrapped === undefined) return [readMember(raw, label)];
    list = wrapped.list;
    listLabel = `${label}.members`;
  }
  if (!Array.isArray(list)) {
    throw badRequest('invalidValue', `${listLabel}: expected an array of members, got ${describe(list)}`);
  }
  if (list.length > maxValues) {
    throw payloadTooLarge(
      `${listLabel}: ${String(list.length)} members exceed this server's limit of ${String(maxValues)} per operation`,
    );
  }
  const members: GroupMember[] = new Array<GroupMember>(list.length);
  for (let i = 0; i < list.length; i++) members[i] = readMember(list[i], listLabel, i);
  return members;
}

/**
 * Reads the value of an update on matching members: an object of sub-attributes (unknown ones
 * ignored, null meaning "remove"), or, for a path ending in a sub-attribute, that sub-attribute's
 * value. A `value` is returned apart: it may only repeat the member's own value.
 *
 * @throws ScimError `invalidValue`.
 */
export function readMemberUpdate(
  raw: unknown,
  subAttribute: MemberSubAttribute | undefined,
  label: string,
): { readonly update: MemberAttributeUpdate; readonly value?: string } {
  if (subAttribute !== undefined) {
    if (subAttribute === 'value') {
      if (typeof raw !== 'string' || raw.length === 0) {
        throw badRequest('invalidValue', `${label}: a member value must be a non-empty string, got ${describe(raw)}`);
      }
      return { update: {}, value: raw };
    }
    const item = readOptionalString(raw, label);
    return { update: { [subAttribute]: item ?? null } };
  }
  if (!isObject(raw)) {
    throw badRequest('invalidValue', `${label}: expected an object of member sub-attributes, got ${describe(raw)}`);
  }
  const update: { display?: string | null; type?: string | null; $ref?: string | null } = {};
  let value: unknown;
  for (const key of Object.keys(raw)) {
    rejectPrototypeKey(key, label, 'invalidValue');
    const item = raw[key];
    const name = MEMBER_SUB_ATTRIBUTES.get(key.toLowerCase());
    if (name === 'value') value = item;
    else if (name !== undefined) update[name] = readOptionalString(item, `${label}.${name}`) ?? null;
  }
  if (value === undefined || value === null) return { update };
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}.value must be a non-empty string, got ${describe(value)}`);
  }
  return { update, value };
}

