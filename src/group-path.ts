/**
 * Paths on a Group (RFC 7643 §4.2, §8.7.1), for the Group API: which attributes a path and a
 * pathless key name, and which filters on `members` are valid.
 *
 * Names are compared case-insensitively (RFC 7643 §2.1) and looked up in closed tables, never used
 * as property keys, so no input can name `__proto__` or `constructor` into an object.
 */
import { badRequest, type ScimError } from './errors.js';
import { rejectPrototypeKey } from './json.js';
import type { Filter, ParsedPath } from './path.js';
import { GROUP_SCHEMA } from './types.js';
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

/** The sub-attributes of `members`, by lower-cased name. */
export const MEMBER_SUB_ATTRIBUTES: ReadonlyMap<string, MemberSubAttribute> = new Map([
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

/** A pathless value's key, resolved. */
export type ValueKey = 'displayName' | 'externalId' | 'members' | 'readOnly' | 'groupSchema';

function invalidPath(label: string, message: string): ScimError {
  return badRequest('invalidPath', `${label}: ${message}`);
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
  // Object literals, not spreads: their maps outlive the request (see shapes.ts).
  const attribute = 'members';
  if (filter === undefined) return subAttribute === undefined ? { attribute } : { attribute, subAttribute };
  return subAttribute === undefined ? { attribute, filter } : { attribute, filter, subAttribute };
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
