/**
 * RFC 7644 §3.9 projection of a Group answer: `attributes` (only these, plus what is always
 * returned) or `excludedAttributes` (all but these). Names are top-level attributes, in any case,
 * with or without the core Group URN prefix; `id` and `schemas` are always returned (RFC 7643
 * `returned: always`). A sub-attribute name (`members.value`) selects or excludes its attribute
 * whole. `Prefer: return=minimal` (RFC 7240) asks for no body: a 204, which RFC 7644 §3.5.2 allows.
 */
import { badRequest, GROUP_SCHEMA } from 'scim-group-patch';

const ALWAYS = new Set(['id', 'schemas']);

/** What a request asked to see. */
export interface Projection {
  /** Whether the answer lists `name` (lower-case, no URN). */
  includes(name: string): boolean;
  /** Applies the projection to an answer. */
  apply<T extends object>(resource: T): Partial<T>;
}

function names(value: unknown, parameter: string): Set<string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('invalidValue', `${parameter} must be one comma-separated list`);
  const prefix = `${GROUP_SCHEMA.toLowerCase()}:`;
  return new Set(
    value
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '')
      .map((name) => (name.startsWith(prefix) ? name.slice(prefix.length) : name))
      .map((name) => name.split('.')[0] ?? name),
  );
}

/**
 * Reads `attributes` and `excludedAttributes` from a query string object.
 *
 * @throws ScimError 400 when both are given (RFC 7644 §3.9 allows one or the other).
 */
export function projectionOf(query: Readonly<Record<string, unknown>>): Projection {
  const only = names(query.attributes, 'attributes');
  const excluded = names(query.excludedAttributes, 'excludedAttributes');
  if (only !== undefined && excluded !== undefined) throw badRequest('invalidValue', 'attributes and excludedAttributes cannot both be given');
  const includes = (name: string): boolean => {
    const lower = name.toLowerCase();
    if (ALWAYS.has(lower)) return true;
    if (only !== undefined) return only.has(lower);
    return excluded === undefined || !excluded.has(lower);
  };
  return {
    includes,
    apply<T extends object>(resource: T): Partial<T> {
      return Object.fromEntries(Object.entries(resource).filter(([key]) => includes(key))) as Partial<T>;
    },
  };
}

/** Whether the client asked for no body (`Prefer: return=minimal`, RFC 7240). */
export function prefersMinimal(prefer: string | undefined): boolean {
  return prefer !== undefined && prefer.split(',').some((token) => token.trim().toLowerCase() === 'return=minimal');
}
