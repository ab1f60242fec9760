/**
 * Property-based tests of the schema-driven engine (`applyPatch`, `tryApplyPatch`) over the
 * built-in User and Enterprise User schemas and a custom User extension: the laws every patch must
 * obey, whatever it contains. The stored users and requests come from `arbitraries/resources.ts`.
 *
 * The summary and the result are checked against this file's own comparison of the input and the
 * result (never against the engine's helpers).
 *
 * Runs: `FC_NUM_RUNS` (default 200) per property; `FC_SEED` replays a run.
 *
 *   FC_NUM_RUNS=2000 npx vitest run test/resource-properties.test.ts
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, ScimError, tryApplyPatch, type ResourceChangeSummary, type ResourcePatchOptions } from '../src/index.js';
import {
  addPresentAndFreshArb,
  EXTENSION_URNS,
  hostileUserBodyArb,
  invalidOperationArb,
  MULTI_VALUED_PATHS,
  noopOperationArb,
  patchBody,
  PRIMARY_LISTS,
  storedList,
  TEST_URN,
  USER_OPTIONS,
  userArb,
  userRequestArb,
  type Json,
} from './arbitraries/resources.js';
import { fcParameters } from './support/env.js';
import { deepFreeze } from './support/freeze.js';

const PARAMETERS = fcParameters(200);
const TIMEOUT = 120_000;
const NOW = new Date('2030-01-01T00:00:00.000Z');
/** The laws that compare `meta` too run without `meta.lastModified`. */
const QUIET: ResourcePatchOptions = { ...USER_OPTIONS, setLastModified: false };

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether an attribute holds a value (RFC 7643 §2.5: null and [] are unassigned). */
function assigned(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/**
 * The attributes whose JSON differs between `before` and `after`, by the summary's paths:
 * top-level keys, and `urn:…:name` inside an extension object.
 */
function differingAttributes(before: Json, after: Json): Set<string> {
  const paths = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (isDeepStrictEqual(before[key], after[key])) continue;
    if ((EXTENSION_URNS as readonly string[]).includes(key)) {
      const old = isJsonObject(before[key]) ? before[key] : {};
      const now = isJsonObject(after[key]) ? after[key] : {};
      for (const name of new Set([...Object.keys(old), ...Object.keys(now)])) {
        if (!isDeepStrictEqual(old[name], now[name])) paths.add(`${key}:${name}`);
      }
      continue;
    }
    paths.add(key);
  }
  return paths;
}

/** The value at a summary path. */
function valueAt(resource: Json, path: string): unknown {
  for (const urn of EXTENSION_URNS) {
    if (path.startsWith(`${urn}:`)) {
      const object = resource[urn];
      return isJsonObject(object) ? object[path.slice(urn.length + 1)] : undefined;
    }
  }
  return resource[path];
}

/** The values of `a` that `b` lacks, by deep equality, counting repeats (a multiset difference). */
function listMinus(a: unknown, b: unknown): unknown[] {
  const left = Array.isArray(a) ? (a as unknown[]) : [];
  const unmatched = Array.isArray(b) ? [...(b as unknown[])] : [];
  const missing: unknown[] = [];
  for (const item of left) {
    const at = unmatched.findIndex((other) => isDeepStrictEqual(item, other));
    if (at < 0) missing.push(item);
    else unmatched.splice(at, 1);
  }
  return missing;
}

/** The summary this file expects for `before` → `after`. */
function expectedSummary(before: Json, after: Json): ResourceChangeSummary {
  const changed = [...differingAttributes(before, after)];
  const valuesAdded: Record<string, unknown[]> = {};
  const valuesRemoved: Record<string, unknown[]> = {};
  for (const path of changed) {
    if (!MULTI_VALUED_PATHS.has(path)) continue;
    const gained = listMinus(valueAt(after, path), valueAt(before, path));
    const lost = listMinus(valueAt(before, path), valueAt(after, path));
    if (gained.length > 0) valuesAdded[path] = gained;
    if (lost.length > 0) valuesRemoved[path] = lost;
  }
  return { changed: changed.length > 0, attributesChanged: changed, valuesAdded, valuesRemoved };
}

function primaryCount(list: readonly Json[]): number {
  return list.filter((record) => record.primary === true).length;
}

/** Whether `schemas` lists an extension exactly when the resource holds one of its attributes. */
function extensionInStep(resource: Json, urn: string): boolean {
  const object = resource[urn];
  const holds = isJsonObject(object) && Object.values(object).some(assigned);
  const schemas = Array.isArray(resource.schemas) ? (resource.schemas as unknown[]) : [];
  return holds === schemas.includes(urn);
}

/** Runs a request on frozen copies, checks nothing but that it returned, and gives the outcome. */
function run(user: Json, operations: readonly unknown[], options: ResourcePatchOptions = QUIET): ReturnType<typeof tryApplyPatch<Json>> {
  return tryApplyPatch(deepFreeze(user), deepFreeze(patchBody(operations)), options);
}

describe('resource engine laws (User + Enterprise User + a custom extension)', () => {
  it(
    'never mutates its inputs: deep-frozen inputs, and a structural snapshot equal after',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const body = patchBody(operations);
          const snapshot = structuredClone({ user, body });
          deepFreeze(user);
          deepFreeze(body);
          const result = tryApplyPatch(user, body, USER_OPTIONS);
          expect({ user, body }).toStrictEqual(snapshot);
          if (result.ok) expect(result.resource === user || !Object.isFrozen(result.resource)).toBe(true);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'throws only ScimError, 400 or 413, on hostile requests (tryApplyPatch never throws)',
    () => {
      fc.assert(
        fc.property(userArb, hostileUserBodyArb, (user, body) => {
          deepFreeze(user);
          const snapshot = structuredClone(user);
          const options = { ...USER_OPTIONS, now: () => NOW };
          const result = tryApplyPatch(user, body, options);
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(ScimError);
            expect([400, 413]).toContain(result.error.status);
            if (result.error.status === 400) expect(result.error.scimType).toBeDefined();
            expect(() => applyPatch(user, body, options)).toThrow(ScimError);
          } else {
            expect(applyPatch(user, body, options)).toEqual(result.resource);
          }
          expect(user).toStrictEqual(snapshot);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'no-op identity: summary.changed is false exactly when the very same object comes back',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const result = run(user, operations, { ...USER_OPTIONS, now: () => NOW });
          if (!result.ok) return;
          expect(result.summary.changed).toBe(result.resource !== user);
          if (!result.summary.changed) expect(result.summary.attributesChanged).toEqual([]);
          // meta.lastModified is set exactly when something changed.
          const meta = result.resource.meta;
          if (result.summary.changed) expect(isJsonObject(meta) ? meta.lastModified : undefined).toBe(NOW.toISOString());
          // Everything but meta.lastModified differs exactly when the summary says so.
          const strip = (resource: Json): Json => {
            const { meta: m, ...rest } = resource;
            if (!isJsonObject(m)) return rest;
            const { lastModified: _lastModified, ...others } = m;
            return { ...rest, meta: others };
          };
          expect(!isDeepStrictEqual(strip(result.resource), strip(user))).toBe(result.summary.changed);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    're-stating what is stored is no change: replace with the current value, add of present values, the Okta echo',
    () => {
      fc.assert(
        fc.property(
          userArb.chain((user) => fc.tuple(fc.constant(user), fc.array(noopOperationArb(user), { minLength: 1, maxLength: 3 }))),
          ([user, operations]) => {
            const result = run(user, operations, USER_OPTIONS);
            expect(result.ok && result.summary).toEqual({ changed: false, attributesChanged: [], valuesAdded: {}, valuesRemoved: {} });
            expect(result.ok && result.resource).toBe(user);
          },
        ),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'an add never duplicates a value already present: the list grows by exactly the new values',
    () => {
      fc.assert(
        fc.property(
          userArb.chain((user) => fc.tuple(fc.constant(user), addPresentAndFreshArb(user))),
          ([user, { operation, holder, name, fresh }]) => {
            const result = run(user, [operation]);
            expect(result.ok).toBe(true);
            if (!result.ok) return;
            const before = storedList(user, name, holder);
            const after = storedList(result.resource, name, holder);
            expect(after.length).toBe(before.length + fresh);
            expect(result.resource === user).toBe(fresh === 0);
            // The stored values are kept as they were, in order, and the new ones follow.
            expect(after.slice(0, before.length)).toEqual(before);
          },
        ),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'the summary matches the result: the attributes that differ, and each list\'s added and removed values',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const result = run(user, operations);
          if (!result.ok) return;
          const expected = expectedSummary(user, result.resource);
          expect(new Set(result.summary.attributesChanged).size).toBe(result.summary.attributesChanged.length);
          expect({ ...result.summary, attributesChanged: [...result.summary.attributesChanged].sort() }).toEqual({
            ...expected,
            attributesChanged: [...expected.attributesChanged].sort(),
          });
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'unchanged attributes are shared with the input by reference, in extension objects too',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const result = run(user, operations);
          if (!result.ok) return;
          const next = result.resource;
          for (const key of Object.keys(user)) {
            if (isDeepStrictEqual(user[key], next[key])) {
              expect(next[key], key).toBe(user[key]);
              continue;
            }
            const old = user[key];
            const now = next[key];
            if (!isJsonObject(old) || !isJsonObject(now) || !(EXTENSION_URNS as readonly string[]).includes(key)) continue;
            for (const name of Object.keys(old)) {
              if (isDeepStrictEqual(old[name], now[name])) expect(now[name], `${key}:${name}`).toBe(old[name]);
            }
          }
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'multi-valued: at most one primary value per attribute after any successful patch',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const result = run(user, operations);
          if (!result.ok) return;
          for (const { holder, name } of PRIMARY_LISTS) {
            expect(primaryCount(storedList(user, name, holder))).toBeLessThanOrEqual(1);
            expect(primaryCount(storedList(result.resource, name, holder)), name).toBeLessThanOrEqual(1);
          }
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'all or nothing: a failing operation appended to a request that applies fails the whole request, with its own error',
    () => {
      fc.assert(
        fc.property(userRequestArb(), invalidOperationArb, ({ user, operations }, invalid) => {
          const first = run(user, operations);
          if (!first.ok) return;
          // The failing operation alone, on what the request made, fails with the expected error.
          const alone = run(first.resource, [invalid.operation]);
          expect(alone.ok ? 'applied' : alone.error.scimType).toBe(invalid.scimType);
          const whole = run(user, [...operations, invalid.operation]);
          expect(whole.ok ? 'applied' : { status: whole.error.status, scimType: whole.error.scimType }).toEqual({ status: 400, scimType: invalid.scimType });
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    '`schemas` lists an extension URN exactly when the result holds one of its attributes',
    () => {
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          for (const urn of EXTENSION_URNS) expect(extensionInStep(user, urn)).toBe(true);
          const result = run(user, operations);
          if (!result.ok) return;
          for (const urn of EXTENSION_URNS) {
            expect(extensionInStep(result.resource, urn), urn).toBe(true);
            // An extension object is never left empty.
            const object = result.resource[urn];
            if (object !== undefined) expect(isJsonObject(object) && Object.values(object).some(assigned), urn).toBe(true);
          }
        }),
        PARAMETERS,
      );
    },
    TIMEOUT,
  );

  it(
    'most generated requests apply (the laws above are not vacuous)',
    () => {
      let applied = 0;
      let total = 0;
      let changed = 0;
      let touchedExtension = 0;
      fc.assert(
        fc.property(userRequestArb(), ({ user, operations }) => {
          const result = run(user, operations);
          total++;
          if (!result.ok) return;
          applied++;
          if (result.summary.changed) changed++;
          if (result.summary.attributesChanged.some((path) => path.startsWith(`${TEST_URN}:`) || path.startsWith('urn:ietf:params:scim:schemas:extension:enterprise'))) touchedExtension++;
        }),
        PARAMETERS,
      );
      const share = applied / total;
      console.info(
        `resource-properties: ${String(applied)}/${String(total)} requests applied (${(share * 100).toFixed(0)}%), ${String(changed)} changed the user, ${String(touchedExtension)} changed an extension attribute`,
      );
      expect(share).toBeGreaterThan(0.5);
      expect(changed / total).toBeGreaterThan(0.3);
      expect(touchedExtension / total).toBeGreaterThan(0.1);
    },
    TIMEOUT,
  );
});
