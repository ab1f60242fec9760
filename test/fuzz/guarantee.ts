/**
 * The security guarantee of README "Security", as one executable check.
 *
 * For any JSON body and any well-formed stored group, `applyGroupPatch`
 *
 * - returns a well-formed group (members unique by a non-empty string `value` under the identity
 *   the options define, `displayName` a non-empty string, `id` unchanged), or
 * - throws a `ScimError` with an integer status 400..599 and, for a 400, an RFC 7644 §3.12
 *   `scimType`;
 * - never throws anything else (`TypeError`, `RangeError`, a stack overflow), never writes to its
 *   inputs, and never adds or changes a property of `Object.prototype`, `Array.prototype` or
 *   `Function.prototype`.
 *
 * `checkGuarantee` runs every entry point on deep-frozen inputs (`applyGroupPatch`,
 * `tryApplyGroupPatch`, `validatePatchRequest` + `normalizePatchRequest` + `applyGroupChanges`, and
 * `applyGroupPatch` again on the validated request), checks that they agree, and throws a
 * descriptive `Error` on the first violation, so that fast-check can shrink the input.
 *
 * Two checks go slightly beyond the README's sentence, both documented contracts:
 * - a 500 for a group that passes the well-formedness precondition is a violation (README: a
 *   500 means "stored group is invalid");
 * - the result has no own property that neither the group nor the Group schema has, and a
 *   result member no key outside `value`, `display`, `type`, `$ref` and its stored member's keys
 *   (README: "the library never assigns a property whose name came from the request").
 *
 * Bodies may be nested far deeper than `structuredClone`, `util.isDeepStrictEqual` and
 * `JSON.stringify` can recurse (a 10,000-deep array overflows all three), so those are used for
 * inputs up to `RECURSION_SAFE_DEPTH` levels and iterative equivalents beyond.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  applyGroupChanges,
  applyGroupPatch,
  normalizePatchRequest,
  SCIM_TYPES,
  ScimError,
  tryApplyGroupPatch,
  validatePatchRequest,
  type Group,
  type PatchOptions,
} from '../../src/index.js';

/** The fixed clock injected when the options have none, so that the entry points can be compared. */
export const FUZZ_NOW_ISO = '2030-01-01T00:00:00.000Z';

/** Nesting up to which `structuredClone` and `isDeepStrictEqual` are safe to call. */
export const RECURSION_SAFE_DEPTH = 200;

/** What one call came to, for statistics. */
export type GuaranteeOutcome =
  | { readonly kind: 'ok'; readonly changed: boolean }
  | { readonly kind: 'error'; readonly status: number; readonly scimType: string | undefined };

/** A violation of the guarantee. Its message says which part failed and how. */
export class GuaranteeViolation extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GuaranteeViolation';
  }
}

// ---------------------------------------------------------------------------------------------
// Iterative helpers: freeze, measure, clone, compare
// ---------------------------------------------------------------------------------------------

/** Freezes a value and everything reachable through own properties (string and symbol keys), without recursion. */
export function deepFreezeIterative<T>(value: T): T {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if ((typeof item !== 'object' && typeof item !== 'function') || item === null || seen.has(item)) continue;
    seen.add(item);
    for (const key of Reflect.ownKeys(item)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(item, key);
      if (descriptor !== undefined && 'value' in descriptor) stack.push(descriptor.value);
    }
    Object.freeze(item);
  }
  return value;
}

/** How deep `value` nests (a primitive is 0), and whether it holds anything `structuredClone` would not keep as is. */
export function measure(value: unknown, stopAt = Number.POSITIVE_INFINITY): { depth: number; exotic: boolean } {
  let depth = 0;
  let exotic = false;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    const here = level + 1;
    if (here > depth) depth = here;
    if (depth > stopAt) return { depth, exotic };
    const proto = Object.getPrototypeOf(item) as unknown;
    if (Array.isArray(item)) {
      if (proto !== Array.prototype) exotic = true;
      for (let i = 0; i < item.length; i++) {
        if (!Object.hasOwn(item, i)) exotic = true;
        else stack.push([item[i], here]);
      }
    } else {
      if (proto !== Object.prototype) exotic = true;
      for (const key of Object.keys(item)) stack.push([(item as Record<string, unknown>)[key], here]);
    }
  }
  return { depth, exotic };
}

function defineOwn(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Clones plain data (objects with `Object.prototype` or `null` prototype, arrays with holes kept,
 * primitives) without recursion. Own `__proto__` keys stay own keys.
 */
export function cloneIterative<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const copies = new Map<object, object>();
  const makeShell = (source: object): object => {
    if (Array.isArray(source)) return new Array<unknown>(source.length);
    return Object.create(Object.getPrototypeOf(source) as object | null) as object;
  };
  const root = makeShell(value);
  copies.set(value, root);
  const stack: [object, object][] = [[value, root]];
  while (stack.length > 0) {
    const [source, target] = stack.pop() as [object, object];
    for (const key of Object.keys(source)) {
      const item = (source as Record<string, unknown>)[key];
      if (typeof item !== 'object' || item === null) {
        defineOwn(target, key, item);
        continue;
      }
      let copy = copies.get(item);
      if (copy === undefined) {
        copy = makeShell(item);
        copies.set(item, copy);
        stack.push([item, copy]);
      }
      defineOwn(target, key, copy);
    }
  }
  return root as T;
}

/**
 * Strict structural equality of plain data without recursion: same prototypes, same own
 * enumerable keys, same array holes, primitives compared with `Object.is`.
 */
export function equalIterative(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  const seen = new Map<object, object>();
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [unknown, unknown];
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (seen.get(x) === y) continue;
    seen.set(x, y);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) && x.length !== (y as unknown[]).length) return false;
    const xKeys = Object.keys(x);
    const yKeys = Object.keys(y);
    if (xKeys.length !== yKeys.length) return false;
    for (const key of xKeys) {
      if (!Object.hasOwn(y, key)) return false;
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

/** A copy to compare against later: `structuredClone` when that is faithful and safe, else `cloneIterative`. */
export function snapshotOf<T>(value: T): T {
  const { depth, exotic } = measure(value, RECURSION_SAFE_DEPTH);
  return depth <= RECURSION_SAFE_DEPTH && !exotic ? structuredClone(value) : cloneIterative(value);
}

/** `isDeepStrictEqual` when both sides are shallow enough, `equalIterative` otherwise. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const shallow =
    measure(a, RECURSION_SAFE_DEPTH).depth <= RECURSION_SAFE_DEPTH &&
    measure(b, RECURSION_SAFE_DEPTH).depth <= RECURSION_SAFE_DEPTH;
  return shallow ? isDeepStrictEqual(a, b) : equalIterative(a, b);
}

// ---------------------------------------------------------------------------------------------
// Prototype snapshot
// ---------------------------------------------------------------------------------------------

const WATCHED_PROTOTYPES: readonly (readonly [string, object])[] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
];

/** Own property names and descriptors (plus prototype and extensibility) of the watched prototypes. */
export interface PrototypeSnapshot {
  readonly entries: readonly {
    readonly name: string;
    readonly target: object;
    readonly proto: unknown;
    readonly extensible: boolean;
    readonly properties: ReadonlyMap<PropertyKey, PropertyDescriptor>;
  }[];
}

/** Takes a snapshot of `Object.prototype`, `Array.prototype` and `Function.prototype`. */
export function snapshotPrototypes(): PrototypeSnapshot {
  return {
    entries: WATCHED_PROTOTYPES.map(([name, target]) => {
      const properties = new Map<PropertyKey, PropertyDescriptor>();
      for (const key of Reflect.ownKeys(target)) {
        properties.set(key, Reflect.getOwnPropertyDescriptor(target, key) as PropertyDescriptor);
      }
      const proto: unknown = Object.getPrototypeOf(target);
      return { name, target, proto, extensible: Object.isExtensible(target), properties };
    }),
  };
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

/** The differences between a snapshot and the prototypes now; empty when nothing changed. */
export function diffPrototypes(before: PrototypeSnapshot): string[] {
  const problems: string[] = [];
  const after = snapshotPrototypes();
  before.entries.forEach((old, i) => {
    const now = after.entries[i];
    if (now === undefined) return;
    if (now.proto !== old.proto) problems.push(`${old.name}: its prototype changed`);
    if (now.extensible !== old.extensible) problems.push(`${old.name}: extensibility changed`);
    for (const [key, descriptor] of now.properties) {
      const was = old.properties.get(key);
      if (was === undefined) problems.push(`${old.name}: new property ${String(key)}`);
      else if (!sameDescriptor(was, descriptor)) problems.push(`${old.name}: property ${String(key)} changed`);
    }
    for (const key of old.properties.keys()) {
      if (!now.properties.has(key)) problems.push(`${old.name}: property ${String(key)} deleted`);
    }
  });
  return problems;
}

/** Throws when the prototypes differ from `before`. */
export function assertPrototypesUnchanged(before: PrototypeSnapshot, context = 'after the call'): void {
  const problems = diffPrototypes(before);
  if (problems.length > 0) throw new GuaranteeViolation(`prototype pollution ${context}: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// Well-formedness
// ---------------------------------------------------------------------------------------------

const KNOWN_GROUP_KEYS = ['displayName', 'externalId', 'members', 'meta'] as const;
const MEMBER_SUB_ATTRIBUTES = ['value', 'display', 'type', '$ref'] as const;

/** A non-null object that is not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The member identity the options define. */
export function memberKeyOf(options: PatchOptions | undefined): (value: string) => string {
  return options?.memberValueCaseExact === false ? (v) => v.toLowerCase() : (v) => v;
}

/**
 * The problems that keep `group` from being a well-formed stored group (README: an object, `id`
 * a string, `displayName` a non-empty string, `members` absent, null or an array of objects with a
 * non-empty string `value` unique under `keyOf`, `meta` absent, null or an object).
 */
export function wellFormedProblems(group: unknown, keyOf: (value: string) => string): string[] {
  if (!isPlainObject(group)) return ['the group is not an object'];
  const problems: string[] = [];
  if (typeof group.id !== 'string') problems.push('id is not a string');
  if (typeof group.displayName !== 'string' || group.displayName.length === 0) {
    problems.push(`displayName is not a non-empty string (${typeof group.displayName})`);
  }
  if (group.meta != null && !isPlainObject(group.meta)) problems.push('meta is not an object');
  const members = group.members;
  if (members != null) {
    if (!Array.isArray(members)) {
      problems.push('members is not an array');
    } else {
      const seen = new Map<string, number>();
      members.forEach((member: unknown, i) => {
        if (!isPlainObject(member) || typeof member.value !== 'string' || member.value.length === 0) {
          problems.push(`members[${String(i)}] has no non-empty string value`);
          return;
        }
        const key = keyOf(member.value);
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push(`members[${String(i)}] repeats the value of members[${String(first)}] (${JSON.stringify(member.value).slice(0, 80)})`);
        } else {
          seen.set(key, i);
        }
      });
    }
  }
  return problems;
}

/** Checks a result against the group it came from. */
function resultProblems(group: Group, result: unknown, keyOf: (value: string) => string): string[] {
  const problems = wellFormedProblems(result, keyOf);
  if (!isPlainObject(result)) return problems;
  if (!Object.is(result.id, group.id)) problems.push(`id changed from ${String(group.id)} to ${String(result.id)}`);
  if (Object.getPrototypeOf(result) !== Object.getPrototypeOf(group)) problems.push('the result has another prototype');
  const groupKeys = new Set(Object.keys(group));
  for (const key of Object.keys(result)) {
    if (!groupKeys.has(key) && !(KNOWN_GROUP_KEYS as readonly string[]).includes(key)) {
      problems.push(`the result has a new property ${JSON.stringify(key)}`);
    }
  }
  if ('externalId' in result && result.externalId !== group.externalId) {
    if (typeof result.externalId !== 'string' || result.externalId.length === 0) {
      problems.push('externalId is not a non-empty string');
    }
  }
  if (Array.isArray(result.members)) {
    const stored = new Map<string, Record<string, unknown>>();
    for (const member of group.members ?? []) stored.set(keyOf(member.value), member as unknown as Record<string, unknown>);
    result.members.forEach((member: unknown, i) => {
      if (!isPlainObject(member) || typeof member.value !== 'string') return; // reported above
      if (Object.getPrototypeOf(member) !== Object.prototype) problems.push(`members[${String(i)}] has another prototype`);
      const before = stored.get(keyOf(member.value));
      if (before === member) return;
      for (const key of Object.keys(member)) {
        const known = (MEMBER_SUB_ATTRIBUTES as readonly string[]).includes(key);
        if (!known && (before === undefined || !Object.hasOwn(before, key))) {
          problems.push(`members[${String(i)}] has a new property ${JSON.stringify(key)}`);
        }
        if (known && key !== 'value') {
          const item = member[key];
          if (typeof item !== 'string' && !(before !== undefined && Object.is(before[key], item))) {
            problems.push(`members[${String(i)}].${key} is a ${typeof item}`);
          }
        }
      }
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running the entry points
// ---------------------------------------------------------------------------------------------

/** What running an entry point came to: its value, or what it threw. */
export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Runs `run`, catching anything it throws. */
export function attempt<T>(run: () => T): Attempt<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A short description of anything thrown, for a violation's message. */
export function describeThrown(error: unknown): string {
  if (error instanceof ScimError) {
    return `ScimError ${String(error.status)}${error.scimType === undefined ? '' : ` ${error.scimType}`}: ${error.detail.slice(0, 300)}`;
  }
  if (error instanceof Error) {
    const frame = (error.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ');
    return `${error.constructor.name}: ${error.message.slice(0, 300)}${frame === '' ? '' : ` [${frame}]`}`;
  }
  return `a thrown ${typeof error}: ${String(error).slice(0, 200)}`;
}

/**
 * Throws unless `error` is a ScimError the guarantee allows: status 400..599, a §3.12 scimType on a
 * 400, no 500 when the stored data is well-formed, and a body `toResponse()` renders.
 */
export function checkThrown(error: unknown, entryPoint: string, groupWellFormed: boolean, stored = 'group'): ScimError {
  if (!(error instanceof ScimError)) {
    throw new GuaranteeViolation(`${entryPoint} threw something other than a ScimError: ${describeThrown(error)}`, {
      cause: error,
    });
  }
  const { status, scimType } = error;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new GuaranteeViolation(`${entryPoint} threw a ScimError with status ${String(status)}`);
  }
  if (status === 400 && (scimType === undefined || !SCIM_TYPES.includes(scimType))) {
    throw new GuaranteeViolation(`${entryPoint} threw a 400 without an RFC 7644 §3.12 scimType (${String(scimType)})`);
  }
  if (status === 500 && groupWellFormed) {
    throw new GuaranteeViolation(`${entryPoint} answered 500 for a well-formed ${stored}: ${describeThrown(error)}`);
  }
  const body = error.toResponse();
  if (body.status !== status || typeof body.detail !== 'string') {
    throw new GuaranteeViolation(`${entryPoint}: toResponse() does not render the error (${String(body.status)})`);
  }
  return error;
}

/** Whether two ScimErrors say the same: status, scimType and detail. */
export function sameError(a: ScimError, b: ScimError): boolean {
  return a.status === b.status && a.scimType === b.scimType && a.detail === b.detail;
}

/**
 * Checks the guarantee for one group, body and options. Inputs are deep-frozen (they may be frozen
 * already). Returns what the call came to; throws a `GuaranteeViolation` describing the first
 * problem otherwise.
 *
 * @param group - a well-formed stored group (checked: a malformed one is a generator bug).
 * @param body - anything, as a parsed JSON body.
 * @param options - the host's options; a fixed clock is added when they have none.
 */
export function checkGuarantee(group: Group, body: unknown, options?: PatchOptions): GuaranteeOutcome {
  const prototypes = snapshotPrototypes();
  const opts: PatchOptions = options?.now === undefined ? { ...options, now: () => new Date(FUZZ_NOW_ISO) } : options;
  const keyOf = memberKeyOf(opts);

  const precondition = wellFormedProblems(group, keyOf);
  if (precondition.length > 0) {
    throw new Error(`precondition: the generated group is not well-formed: ${precondition.join('; ')}`);
  }

  const groupBefore = snapshotOf(group);
  const bodyBefore = snapshotOf(body);
  const optionsBefore = snapshotOf({ ...opts, now: undefined });
  deepFreezeIterative(group);
  deepFreezeIterative(body);
  deepFreezeIterative(opts);

  // 1. applyGroupPatch
  const direct = attempt(() => applyGroupPatch(group, body, opts));
  // 2. tryApplyGroupPatch: never throws a ScimError.
  const tried = attempt(() => tryApplyGroupPatch(group, body, opts));
  // 3. validate, normalize, apply the changes.
  const validated = attempt(() => validatePatchRequest(body, opts));
  const staged = attempt(() => {
    normalizePatchRequest(body, opts); // throws exactly when validation does
    return applyGroupChanges(group, normalizePatchRequest(body, opts), opts);
  });
  // 4. applyGroupPatch on the validated request: a validated request is a valid body.
  const revalidated: Attempt<Group> | undefined = validated.ok
    ? attempt(() => applyGroupPatch(group, validated.value, opts))
    : undefined;

  assertPrototypesUnchanged(prototypes);
  if (!deepEqual(group, groupBefore)) throw new GuaranteeViolation('the group was modified');
  if (!deepEqual(body, bodyBefore)) throw new GuaranteeViolation('the body was modified');
  if (!deepEqual({ ...opts, now: undefined }, optionsBefore)) throw new GuaranteeViolation('the options were modified');

  if (!tried.ok) {
    throw new GuaranteeViolation(`tryApplyGroupPatch threw: ${describeThrown(tried.error)}`, { cause: tried.error });
  }
  const tryResult = tried.value;

  if (!direct.ok) {
    const error = checkThrown(direct.error, 'applyGroupPatch', true);
    if (tryResult.ok) throw new GuaranteeViolation(`applyGroupPatch threw (${describeThrown(error)}) but tryApplyGroupPatch succeeded`);
    if (!sameError(error, tryResult.error)) {
      throw new GuaranteeViolation(`tryApplyGroupPatch reports ${describeThrown(tryResult.error)}, applyGroupPatch ${describeThrown(error)}`);
    }
    if (staged.ok) throw new GuaranteeViolation(`applyGroupPatch threw (${describeThrown(error)}) but normalize + applyGroupChanges succeeded`);
    const stagedError = checkThrown(staged.error, 'normalizePatchRequest/applyGroupChanges', true);
    if (!sameError(error, stagedError)) {
      throw new GuaranteeViolation(`normalize + applyGroupChanges threw ${describeThrown(stagedError)}, applyGroupPatch ${describeThrown(error)}`);
    }
    if (validated.ok) {
      // Valid request, failed on this group: the validated request must fail the same way.
      if (revalidated === undefined || revalidated.ok) {
        throw new GuaranteeViolation(`the validated request applies, but the body failed with ${describeThrown(error)}`);
      }
      const again = checkThrown(revalidated.error, 'applyGroupPatch(validated request)', true);
      if (!sameError(error, again)) {
        throw new GuaranteeViolation(`the validated request fails with ${describeThrown(again)}, the body with ${describeThrown(error)}`);
      }
    } else {
      const validationError = checkThrown(validated.error, 'validatePatchRequest', true);
      if (!sameError(error, validationError)) {
        throw new GuaranteeViolation(`validatePatchRequest threw ${describeThrown(validationError)}, applyGroupPatch ${describeThrown(error)}`);
      }
    }
    assertPrototypesUnchanged(prototypes, 'after rendering errors');
    return { kind: 'error', status: error.status, scimType: error.scimType };
  }

  const result = direct.value;
  const problems = resultProblems(group, result, keyOf);
  if (problems.length > 0) throw new GuaranteeViolation(`the result is not well-formed: ${problems.join('; ')}`);
  if (!tryResult.ok) {
    throw new GuaranteeViolation(`applyGroupPatch succeeded but tryApplyGroupPatch failed: ${describeThrown(tryResult.error)}`);
  }
  if (!deepEqual(tryResult.group, result)) throw new GuaranteeViolation('tryApplyGroupPatch and applyGroupPatch return different groups');
  if (tryResult.summary.changed !== (result !== group)) {
    throw new GuaranteeViolation(`summary.changed is ${String(tryResult.summary.changed)} but the ${result === group ? 'same' : 'a new'} group came back`);
  }
  if (!validated.ok) {
    throw new GuaranteeViolation(`applyGroupPatch succeeded but validatePatchRequest threw: ${describeThrown(validated.error)}`);
  }
  if (!staged.ok) {
    throw new GuaranteeViolation(`applyGroupPatch succeeded but normalize + applyGroupChanges threw: ${describeThrown(staged.error)}`);
  }
  if (!deepEqual(staged.value.group, result)) {
    throw new GuaranteeViolation('normalize + applyGroupChanges and applyGroupPatch return different groups');
  }
  if (revalidated === undefined || !revalidated.ok) {
    throw new GuaranteeViolation(
      `the body applies but the validated request does not: ${revalidated === undefined ? 'not run' : describeThrown(revalidated.error)}`,
    );
  }
  if (!deepEqual(revalidated.value, result)) {
    throw new GuaranteeViolation('applying the validated request gives another group than applying the body');
  }
  return { kind: 'ok', changed: result !== group };
}
