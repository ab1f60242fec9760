/**
 * Evaluating a parsed filter against a resource (RFC 7644 §3.4.2.2), any resource: a group
 * member, a User, a Group.
 *
 * Attribute names are matched case-insensitively (RFC 7643 §2.1) and only own properties are read,
 * so a filter can never reach `Object.prototype`. A multi-valued attribute matches when any of its
 * values matches. An unassigned attribute, `null` and an empty array are one state (RFC 7643 §2.5).
 * How a value compares depends on its type (RFC 7643 §2.3): `MatchOptions` says which attributes
 * are dateTimes and which strings are case-exact.
 *
 * @see RFC 7644 §3.4.2.2
 */
import type { AttributePath, CompareFilter, CompareOperator, Filter } from './path.js';
import { assertNever } from './never.js';
import { instantOf } from './datetime.js';
import { setOwn } from './json.js';

/**
 * The data types of RFC 7643 §2.3, spelled as an attribute definition's `type` (RFC 7643 §7).
 *
 * @see RFC 7643 §2.3
 */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

/**
 * What `matchesFilter` knows of the resource's schema. Both callbacks receive the attribute's full
 * path from the resource: inside `emails[type eq "work"]`, `type` is `{ name: 'emails',
 * subAttribute: 'type' }`. An RFC 7643 attribute definition feeds them directly: its `type` and
 * its `caseExact`.
 */
export interface MatchOptions {
  /**
   * Says whether string comparisons on an attribute are case-exact (RFC 7643 §2.2 `caseExact`).
   * Without it, only `reference` and `binary` attributes are (RFC 7643 §2.3.6, §2.3.7); every
   * other string compares case-insensitively, as `caseExact` defaults to false.
   */
  readonly isCaseExact?: (attribute: AttributePath) => boolean;
  /**
   * Says an attribute's type, or `undefined` when the caller does not know. Unknown attributes
   * compare by their JSON type, except `meta.created` and `meta.lastModified` (in any case, with
   * or without a schema URN), which are dateTimes unless this callback says otherwise. dateTimes
   * compare as instants: `eq`, `ne`, `gt`, `ge`, `lt`, `le` order them chronologically (RFC 7644
   * §3.4.2.2); `co`, `sw`, `ew` compare their text.
   */
  readonly attributeType?: (attribute: AttributePath) => AttributeType | undefined;
}

/** Reads an own property by case-insensitive name; never looks at the prototype chain. */
export function getOwnAttribute(resource: unknown, name: string): unknown {
  if (!isRecord(resource)) return undefined;
  const key = ownKeyOf(resource, name);
  return key === undefined ? undefined : resource[key];
}

/** The own key of `object` that spells `name` case-insensitively, preferring the exact spelling. */
export function ownKeyOf(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/**
 * Writes `name` in the spelling given (the schema's), replacing an own key that spells it in
 * another case, so that the object never holds the attribute twice. A `__proto__` name stays data.
 */
export function writeKey(object: Record<string, unknown>, name: string, value: unknown): void {
  const key = ownKeyOf(object, name);
  if (key !== undefined && key !== name) Reflect.deleteProperty(object, key);
  setOwn(object, name, value);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveAttribute(resource: unknown, attribute: AttributePath): unknown {
  let holder = resource;
  if (attribute.uri !== undefined) {
    // An extension attribute lives under its schema URN; a core one at the top level.
    const extension = getOwnAttribute(resource, attribute.uri);
    if (isRecord(extension)) holder = extension;
  }
  const value = getOwnAttribute(holder, attribute.name);
  const sub = attribute.subAttribute;
  if (sub === undefined) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => getOwnAttribute(item, sub));
  return getOwnAttribute(value, sub);
}

/**
 * SCIM nests values at most three levels deep (a multi-valued complex attribute whose
 * sub-attribute is multi-valued), so `pr` looks no deeper: resource data never drives deeper
 * recursion.
 */
const MAX_NESTING = 3;

/**
 * RFC 7644 §3.4.2.2 `pr`: a non-empty value, or a complex value with a non-empty node. Its
 * negation is the unassigned state of RFC 7643 §2.5 (unassigned, `null`, `[]`), which `eq null`
 * tests.
 */
function isPresent(value: unknown, depth = MAX_NESTING): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'object') return value !== '';
  return depth > 0 && (Array.isArray(value) ? value : Object.values(value)).some((v) => isPresent(v, depth - 1));
}

type Literal = string | number | boolean;

/** Whether `operator` holds between two values of the same JSON type. */
function holds(operator: CompareOperator, a: Literal, b: Literal): boolean {
  switch (operator) {
    case 'eq':
      return a === b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return (
        typeof a === 'string' &&
        typeof b === 'string' &&
        (operator === 'co' ? a.includes(b) : operator === 'sw' ? a.startsWith(b) : a.endsWith(b))
      );
  }
}

/**
 * One value against the literal, for every operator but `ne` (the negation of `eq`). Values of
 * different JSON types never match; a dateTime that is not one equals nothing and is in no order.
 */
function compareOne(
  actual: unknown,
  operator: CompareOperator,
  expected: Literal,
  type: AttributeType | undefined,
  caseExact: boolean,
): boolean {
  if (typeof actual !== typeof expected) return false;
  let a = actual as Literal;
  let b = expected;
  if (typeof a === 'string' && typeof b === 'string') {
    if (type === 'dateTime' && operator !== 'co' && operator !== 'sw' && operator !== 'ew') {
      const x = instantOf(a);
      const y = instantOf(b);
      if (x === undefined || y === undefined) return false;
      a = x;
      b = y;
    } else if (!caseExact) {
      a = a.toLowerCase();
      b = b.toLowerCase();
    }
  }
  return holds(operator, a, b);
}

/** `meta.created` and `meta.lastModified` are dateTimes on every resource (RFC 7643 §3.1). */
function builtInType(attribute: AttributePath): AttributeType | undefined {
  const sub = attribute.subAttribute;
  return sub !== undefined && /^meta\.(created|lastModified)$/i.test(`${attribute.name}.${sub}`) ? 'dateTime' : undefined;
}

function matchesCompare(resource: unknown, filter: CompareFilter, options: MatchOptions, path: AttributePath): boolean {
  const actual = resolveAttribute(resource, filter.attribute);
  const expected = filter.value;
  const negate = filter.operator === 'ne';
  // RFC 7643 §2.5: `eq null` asks whether the attribute is unassigned, `ne null` whether it is not.
  if (expected === null) return isPresent(actual) === negate;
  const type = options.attributeType?.(path) ?? builtInType(path);
  const caseExact =
    options.isCaseExact === undefined ? type === 'reference' || type === 'binary' : options.isCaseExact(path);
  const operator = negate ? 'eq' : filter.operator;
  if (!Array.isArray(actual)) return compareValue(actual, operator, expected, type, caseExact, negate) ?? negate;
  // Any value may match, `ne` included: each item of a multi-valued attribute (two levels of
  // arrays, as `emails.value` resolves on a multi-valued sub-attribute).
  let assigned = false;
  for (const item of actual.flat() as unknown[]) {
    const passed = compareValue(item, operator, expected, type, caseExact, negate);
    if (passed === true) return true;
    assigned ||= passed === false;
  }
  // An attribute without a value equals nothing, so it is `ne` every literal.
  return negate && !assigned;
}

/**
 * One value of an attribute against the literal (a complex value by its `value`, RFC 7644
 * §3.4.2.2's `emails co "example.com"`), or `undefined` when it is no value.
 */
function compareValue(
  item: unknown,
  operator: CompareOperator,
  expected: Literal,
  type: AttributeType | undefined,
  caseExact: boolean,
  negate: boolean,
): boolean | undefined {
  const value = isRecord(item) ? getOwnAttribute(item, 'value') : item;
  if (value === undefined || value === null || Array.isArray(value)) return undefined;
  return compareOne(value, operator, expected, type, caseExact) !== negate;
}

/** The full path of an attribute named inside `parent[...]`. */
function withinParent(parent: AttributePath | undefined, attribute: AttributePath): AttributePath {
  return parent === undefined || attribute.uri !== undefined || attribute.subAttribute !== undefined
    ? attribute
    : { ...parent, subAttribute: attribute.name };
}

function matches(filter: Filter, resource: unknown, options: MatchOptions, parent: AttributePath | undefined): boolean {
  switch (filter.kind) {
    case 'compare':
      return matchesCompare(resource, filter, options, withinParent(parent, filter.attribute));
    case 'present':
      return isPresent(resolveAttribute(resource, filter.attribute));
    case 'and':
      return filter.filters.every((f) => matches(f, resource, options, parent));
    case 'or':
      return filter.filters.some((f) => matches(f, resource, options, parent));
    case 'not':
      return !matches(filter.filter, resource, options, parent);
    case 'valuePath': {
      const values = resolveAttribute(resource, filter.attribute);
      const items: readonly unknown[] = Array.isArray(values) ? values : [values];
      const path = withinParent(parent, filter.attribute);
      return items.some((item) => isRecord(item) && matches(filter.filter, item, options, path));
    }
    default:
      return assertNever(filter);
  }
}

/**
 * Tells whether a resource (a group member, a User, a Group: any object) matches a filter, as a
 * server filters `GET /Users?filter=...` or a PATCH path selects values.
 *
 * - A multi-valued attribute matches when any of its values does, `ne` included: `emails.type ne
 *   "work"` matches a user with a work and a home address (`not (emails.type eq "work")` does not).
 *   A complex value compared without a sub-attribute compares its `value` (`emails co "@x.org"`).
 * - Unassigned, `null` and `[]` are one state (RFC 7643 §2.5). `pr` needs a non-empty value or
 *   node; `eq null` matches exactly when `pr` does not (so `""` and `[{}]` too), `ne null` exactly
 *   when it does. An attribute without a value equals no literal (`eq`, `co`, `gt`... fail, `ne`
 *   matches).
 * - Values compare by type: strings (case-insensitively unless case-exact), numbers, booleans
 *   (`eq`, `ne`), dateTimes as instants. Values of different JSON types are not equal. A dateTime
 *   or literal that is not a valid xsd:dateTime equals nothing (so `ne` matches) and is in no order.
 *
 * @param filter - a filter from `parseFilter` or from a parsed path.
 * @param resource - the object to test; only its own properties are read.
 * @param options - attribute types and case-exactness, by attribute path.
 * @returns true when the resource matches.
 * @example
 * ```ts
 * matchesFilter(parseFilter('value eq "u1"'), { value: 'u1', display: 'Ann' }) // true
 * matchesFilter(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"'),
 *   { meta: { lastModified: '2011-05-13T06:42:35+02:00' } }) // true: one second later
 * ```
 * @see RFC 7644 §3.4.2.2, RFC 7643 §2.3 and §2.5
 */
export function matchesFilter(filter: Filter, resource: unknown, options: MatchOptions = {}): boolean {
  return matches(filter, resource, options, undefined);
}
