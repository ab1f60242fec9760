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
import { isObject, setOwn } from './json.js';

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
  if (!isObject(resource)) return undefined;
  const key = ownKeyOf(resource, name);
  return key === undefined ? undefined : resource[key];
}

/** The own key of `object` that spells `name` case-insensitively, preferring the exact spelling. */
export function ownKeyOf(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  let lower: string | undefined;
  // `for…in` with an own-key check visits the own keys in Object.keys order without making an
  // array; inherited enumerable keys (a polluted prototype) are skipped. Lower-casing never
  // shortens a string, so a key longer than `name` cannot spell it.
  for (const key in object) {
    if (key.length > name.length || !Object.hasOwn(object, key)) continue;
    lower ??= name.toLowerCase();
    if (key.toLowerCase() === lower) return key;
  }
  return undefined;
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

/** `meta.created` and `meta.lastModified` are dateTimes on every resource (RFC 7643 §3.1). */
function builtInType(attribute: AttributePath): AttributeType | undefined {
  const sub = attribute.subAttribute;
  return sub !== undefined && /^meta\.(created|lastModified)$/i.test(`${attribute.name}.${sub}`) ? 'dateTime' : undefined;
}

/** A filter made into a test of one resource. */
type Test = (resource: unknown) => boolean;

const lowerCase = (text: string): string => text.toLowerCase();

/**
 * One value against the literal, for every operator but `ne` (the negation of `eq`), or
 * `undefined` when it is no value (a complex value by its `value`, RFC 7644 §3.4.2.2's `emails co
 * "example.com"`). Values of different JSON types never match; a dateTime that is not one equals
 * nothing and is in no order. The literal is read once, when the test is made.
 */
function valueTest(operator: CompareOperator, expected: Literal, negate: boolean, type: AttributeType | undefined, caseExact: boolean): (item: unknown) => boolean | undefined {
  // How both strings are read: as instants (dateTimes), lower-cased (not caseExact), or as they are.
  const fold =
    typeof expected !== 'string' ? undefined : type === 'dateTime' && operator !== 'co' && operator !== 'sw' && operator !== 'ew' ? instantOf : caseExact ? undefined : lowerCase;
  const literal = fold === undefined ? expected : fold(expected as string);
  return (item) => {
    const actual = isObject(item) ? getOwnAttribute(item, 'value') : item;
    if (actual === undefined || actual === null || Array.isArray(actual)) return undefined;
    if (typeof actual !== typeof expected) return negate;
    const folded = fold === undefined ? (actual as Literal) : fold(actual as string);
    return (folded !== undefined && literal !== undefined && holds(operator, folded, literal)) !== negate;
  };
}

/** Reads an attribute of a resource: at the top level, or under its schema URN for an extension. */
function attributeReader({ uri, name, subAttribute: sub }: AttributePath): (resource: unknown) => unknown {
  return (resource) => {
    let holder = resource;
    if (uri !== undefined) {
      // An extension attribute lives under its schema URN; a core one at the top level.
      const extension = getOwnAttribute(resource, uri);
      if (isObject(extension)) holder = extension;
    }
    const value = getOwnAttribute(holder, name);
    if (sub === undefined) return value;
    if (Array.isArray(value)) return value.map((item: unknown) => getOwnAttribute(item, sub));
    return getOwnAttribute(value, sub);
  };
}

/**
 * `attr op value`. The attribute's type and case-exactness depend on its path alone: they are
 * asked of `options` when the test first compares a value, and kept for every later resource.
 */
function compareTest(filter: CompareFilter, options: MatchOptions, path: AttributePath): Test {
  const read = attributeReader(filter.attribute);
  const expected = filter.value;
  const negate = filter.operator === 'ne';
  // RFC 7643 §2.5: `eq null` asks whether the attribute is unassigned, `ne null` whether it is not.
  if (expected === null) return (resource) => isPresent(read(resource)) === negate;
  let test: ((item: unknown) => boolean | undefined) | undefined;
  return (resource) => {
    const actual = read(resource);
    if (test === undefined) {
      const type = options.attributeType?.(path) ?? builtInType(path);
      const caseExact = options.isCaseExact === undefined ? type === 'reference' || type === 'binary' : options.isCaseExact(path);
      test = valueTest(negate ? 'eq' : filter.operator, expected, negate, type, caseExact);
    }
    if (!Array.isArray(actual)) return test(actual) ?? negate;
    // Any value may match, `ne` included: each item of a multi-valued attribute (two levels of
    // arrays, as `emails.value` resolves on a multi-valued sub-attribute).
    let assigned = false;
    for (const item of actual.flat() as unknown[]) {
      const passed = test(item);
      if (passed === true) return true;
      assigned ||= passed === false;
    }
    // An attribute without a value equals nothing, so it is `ne` every literal.
    return negate && !assigned;
  };
}

/** The full path of an attribute named inside `parent[...]`. */
function withinParent(parent: AttributePath | undefined, attribute: AttributePath): AttributePath {
  if (parent === undefined || attribute.uri !== undefined || attribute.subAttribute !== undefined) return attribute;
  return { ...parent, subAttribute: attribute.name };
}

/**
 * A filter made once into a test of many resources (a pass over a list), with the answers of
 * `options` for each attribute path asked once: `filterTest(filter, options)(resource)` is
 * `matchesFilter(filter, resource, options)`. `parent` is the attribute of an enclosing value filter.
 */
export function filterTest(filter: Filter, options: MatchOptions, parent?: AttributePath): Test {
  const compile = (inner: Filter, within = parent): Test => filterTest(inner, options, within);
  switch (filter.kind) {
    case 'compare':
      return compareTest(filter, options, withinParent(parent, filter.attribute));
    case 'present': {
      const read = attributeReader(filter.attribute);
      return (resource) => isPresent(read(resource));
    }
    case 'and':
    case 'or': {
      const tests = filter.filters.map((f) => compile(f));
      return filter.kind === 'and' ? (resource) => tests.every((test) => test(resource)) : (resource) => tests.some((test) => test(resource));
    }
    case 'not': {
      const test = compile(filter.filter);
      return (resource) => !test(resource);
    }
    case 'valuePath': {
      const read = attributeReader(filter.attribute);
      const test = compile(filter.filter, withinParent(parent, filter.attribute));
      return (resource) => {
        const values = read(resource);
        const items: readonly unknown[] = Array.isArray(values) ? values : [values];
        return items.some((item) => isObject(item) && test(item));
      };
    }
    default:
      return assertNever(filter);
  }
}

const NO_OPTIONS: MatchOptions = {};
/** The test `matchesFilter` made last: a pass calls it with one filter and options for every value. */
let last: { readonly filter: Filter; readonly options: MatchOptions; readonly test: Test } | undefined;

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
export function matchesFilter(filter: Filter, resource: unknown, options: MatchOptions = NO_OPTIONS): boolean {
  if (last?.filter !== filter || last.options !== options) last = { filter, options, test: filterTest(filter, options) };
  return last.test(resource);
}
