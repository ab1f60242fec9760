/**
 * Evaluating a parsed filter against a resource (RFC 7644 §3.4.2.2).
 *
 * Attribute names are matched case-insensitively (RFC 7643 §2.1) and only own properties are read,
 * so a filter can never reach `Object.prototype`. A multi-valued attribute matches when any of its
 * values matches.
 *
 * @see RFC 7644 §3.4.2.2
 */
import type { AttributePath, CompareFilter, Filter } from './path.js';
import { assertNever } from './never.js';

/** How `matchesFilter` compares strings. */
export interface MatchOptions {
  /**
   * Says whether string comparisons on an attribute are case-exact. By default none are: RFC 7643
   * §2.2 makes `caseExact` false unless a schema says otherwise.
   */
  readonly isCaseExact?: (attribute: AttributePath) => boolean;
}

const NEVER_CASE_EXACT = (): boolean => false;

/** Reads an own property by case-insensitive name; never looks at the prototype chain. */
export function getOwnAttribute(resource: unknown, name: string): unknown {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return undefined;
  }
  if (Object.hasOwn(resource, name)) return (resource as Record<string, unknown>)[name];
  const wanted = name.toLowerCase();
  for (const key of Object.keys(resource)) {
    if (key.toLowerCase() === wanted) return (resource as Record<string, unknown>)[key];
  }
  return undefined;
}

function resolveAttribute(resource: unknown, attribute: AttributePath): unknown {
  let holder = resource;
  if (attribute.uri !== undefined) {
    // An extension attribute lives under its schema URN; a core one at the top level.
    const extension = getOwnAttribute(resource, attribute.uri);
    if (typeof extension === 'object' && extension !== null) holder = extension;
  }
  const value = getOwnAttribute(holder, attribute.name);
  if (attribute.subAttribute === undefined) return value;
  const sub = attribute.subAttribute;
  if (Array.isArray(value)) return value.map((item: unknown) => getOwnAttribute(item, sub));
  return getOwnAttribute(value, sub);
}

/** RFC 7644 §3.4.2.2 `pr`: a non-empty value, or a complex value with a non-empty node. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}

function compareOne(actual: unknown, filter: CompareFilter, caseExact: boolean): boolean {
  const expected = filter.value;
  if (expected === null) return actual === undefined || actual === null;
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = caseExact ? actual : actual.toLowerCase();
    const b = caseExact ? expected : expected.toLowerCase();
    switch (filter.operator) {
      case 'eq':
      case 'ne':
        return a === b;
      case 'co':
        return a.includes(b);
      case 'sw':
        return a.startsWith(b);
      case 'ew':
        return a.endsWith(b);
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
      case 'lt':
        return a < b;
      case 'le':
        return a <= b;
    }
  }
  if (typeof actual === 'number' && typeof expected === 'number') {
    switch (filter.operator) {
      case 'gt':
        return actual > expected;
      case 'ge':
        return actual >= expected;
      case 'lt':
        return actual < expected;
      case 'le':
        return actual <= expected;
      default:
        return actual === expected;
    }
  }
  return typeof actual === 'boolean' && actual === expected;
}

function matchesCompare(resource: unknown, filter: CompareFilter, options: MatchOptions): boolean {
  const actual = resolveAttribute(resource, filter.attribute);
  const caseExact = (options.isCaseExact ?? NEVER_CASE_EXACT)(filter.attribute);
  // `ne` is the negation of `eq`, so a missing attribute is "not equal" to any value.
  const eqFilter: CompareFilter =
    filter.operator === 'ne' ? { ...filter, operator: 'eq' } : filter;
  const found = Array.isArray(actual)
    ? actual.some((item: unknown) => compareOne(item, eqFilter, caseExact))
    : compareOne(actual, eqFilter, caseExact);
  return filter.operator === 'ne' ? !found : found;
}

/**
 * Tells whether a resource (for example one group member) matches a filter.
 *
 * @param filter - a filter from `parseFilter` or from a parsed path.
 * @param resource - the object to test; only its own properties are read.
 * @param options - which attributes compare case-exactly.
 * @returns true when the resource matches.
 * @example
 * ```ts
 * matchesFilter(parseFilter('value eq "u1"'), { value: 'u1', display: 'Ann' }) // true
 * ```
 * @see RFC 7644 §3.4.2.2
 */
export function matchesFilter(filter: Filter, resource: unknown, options: MatchOptions = {}): boolean {
  switch (filter.kind) {
    case 'compare':
      return matchesCompare(resource, filter, options);
    case 'present':
      return isPresent(resolveAttribute(resource, filter.attribute));
    case 'and':
      return filter.filters.every((f) => matchesFilter(f, resource, options));
    case 'or':
      return filter.filters.some((f) => matchesFilter(f, resource, options));
    case 'not':
      return !matchesFilter(filter.filter, resource, options);
    case 'valuePath': {
      const values = resolveAttribute(resource, filter.attribute);
      const items: readonly unknown[] = Array.isArray(values) ? values : [values];
      return items.some(
        (item) => typeof item === 'object' && item !== null && matchesFilter(filter.filter, item, options),
      );
    }
    default:
      return assertNever(filter);
  }
}

