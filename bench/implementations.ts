/**
 * The implementations under test, behind one interface. What each one's timed `call` covers:
 *
 * - library:    `applyGroupPatch(group, body, LIBRARY_OPTIONS)`: validate + normalize + apply; the
 *               stored group is shared by every call (the library never mutates it). Options are
 *               the defaults but one limit (bench/options.ts).
 * - baseline:   the scenario's hand-written function (bench/baseline.ts); the group is shared too.
 *               For S6 and S6r, baseline-kept-order is a second one that returns the library's
 *               member order.
 * - scim-patch: `patchBodyValidation(body)` then `scimPatch(group, body.Operations)`, its README's
 *               two calls. It mutates its input, so every call gets its own deep copy of the group
 *               (and of the body) made by `prepare()`, outside the timed region.
 * - scimmy:     `new PatchOp(body).apply(new Schemas.Group(group, 'out'))` awaited: wrapping the
 *               stored plain group in scimmy's schema class is part of what a request costs with
 *               scimmy (its own Resources.Group#patch does the same), just as the library's call
 *               includes checking the stored group. `apply` copies the instance before patching, so
 *               the stored group is shared.
 *
 * Every implementation gets the same plain-JSON group and body and must return the patched group.
 */
import SCIMMY from 'scimmy';
import {
  patchBodyValidation,
  scimPatch,
  type ScimPatch,
  type ScimResource,
} from 'scim-patch';
import { applyGroupPatch, type Group } from '../src/index.js';
import { BASELINES, KEPT_ORDER_BASELINES } from './baseline.js';
import { LIBRARY_OPTIONS } from './options.js';
import type { BenchBody, BenchCase, ResultView, ScenarioId } from './scenarios.js';

export type ImplementationId = 'library' | 'library-full' | 'baseline' | 'baseline-kept-order' | 'scim-patch' | 'scimmy';

/** One implementation, set up for one case. */
export interface Prepared<I = unknown> {
  /** Makes the input of one call (untimed). */
  prepare(): I;
  /** The timed call. */
  call(input: I): unknown;
  /** Whether `call` returns a promise to await (awaiting is timed). */
  readonly async: boolean;
  /** Whether each call needs its own `prepare()` (a mutating implementation). */
  readonly freshInputPerCall: boolean;
  /** Reads the patched group from what `call` returned. */
  view(result: unknown): ResultView;
}

export interface Implementation {
  readonly id: ImplementationId;
  /** Largest group size it runs on. */
  readonly maxSize: number;
  /** Whether a first call over the budget stops the cell (peers); this library and the baseline always finish. */
  readonly budgeted: boolean;
  /** Whether `npm run bench` runs it without being asked (BENCH_IMPLS). */
  readonly byDefault: boolean;
  /** The scenarios it has an answer for; all when absent. */
  readonly scenarios?: readonly ScenarioId[];
  setup(benchCase: BenchCase): Prepared;
}

/** Reads a plain patched group (library, baseline, scim-patch, and scimmy's instance). */
function plainView(result: unknown): ResultView {
  const group = result as { displayName?: unknown; members?: ResultView['members'] } | undefined;
  // scim-patch deletes an emptied `members`, scimmy sets it to undefined: both mean no members.
  return { displayName: group?.displayName, members: group?.members ?? [] };
}

/** A synchronous call on the stored group itself, the same object every call (never mutated). */
function onStoredGroup(group: Group, call: (group: Group) => unknown): Prepared {
  return {
    prepare: () => group,
    call: (input) => call(input as Group),
    async: false,
    freshInputPerCall: false,
    view: plainView,
  };
}

const library: Implementation = {
  id: 'library',
  maxSize: 1_000_000,
  budgeted: false,
  byDefault: true,
  setup: ({ group, body }) => onStoredGroup(group, (input) => applyGroupPatch(input, body, LIBRARY_OPTIONS)),
};

/**
 * Not run by default: the library with `storedGroupCheck: 'full'`, which also checks every stored
 * member for a repeated value (a hash set over the whole group) whenever members are touched.
 * BENCH_IMPLS=library,library-full,baseline adds its column to the table.
 */
const libraryFull: Implementation = {
  id: 'library-full',
  maxSize: 1_000_000,
  budgeted: false,
  byDefault: false,
  setup: ({ group, body }) => {
    const options = { ...LIBRARY_OPTIONS, storedGroupCheck: 'full' } as const;
    return onStoredGroup(group, (input) => applyGroupPatch(input, body, options));
  },
};

const baseline: Implementation = {
  id: 'baseline',
  maxSize: 1_000_000,
  budgeted: false,
  byDefault: true,
  setup: ({ group, body, scenario }) => onStoredGroup(group, (input) => BASELINES[scenario.id](input, body)),
};

/** The replace baseline that returns the library's member order (bench/baseline.ts), S6 and S6r only. */
const baselineKeptOrder: Implementation = {
  id: 'baseline-kept-order',
  maxSize: 1_000_000,
  budgeted: false,
  byDefault: true,
  scenarios: ['S6', 'S6r'],
  setup: ({ group, body, scenario }) => {
    const run = KEPT_ORDER_BASELINES[scenario.id];
    if (run === undefined) throw new Error(`no kept-order baseline for ${scenario.id}`);
    return onStoredGroup(group, (input) => run(input, body));
  },
};

/**
 * scim-patch's two calls on a deep copy of the resource and the body, made by `prepare()` outside
 * the timed call: scim-patch mutates its input. Groups and Users alike.
 */
export function scimPatchCall(resource: object, body: BenchBody): Omit<Prepared, 'view'> {
  return {
    prepare: () => ({ resource: structuredClone(resource), body: structuredClone(body) }),
    call: (input) => {
      const { resource: copy, body: request } = input as { resource: object; body: BenchBody };
      // scim-patch's types want `meta.created: Date` and ops spelled from a closed union; the
      // values are what it reads at run time either way (it never looks at meta for these paths).
      const patch = request as unknown as ScimPatch;
      patchBodyValidation(patch);
      return scimPatch(copy as unknown as ScimResource, patch.Operations);
    },
    async: false,
    freshInputPerCall: true,
  };
}

const scimPatchImplementation: Implementation = {
  id: 'scim-patch',
  maxSize: 100_000,
  budgeted: true,
  byDefault: true,
  setup: ({ group, body }) => ({ ...scimPatchCall(group, body), view: plainView }),
};

/** scimmy's constructor wants `op` in lower case in its types; it lower-cases at run time itself. */
type ScimmyPatchRequest = ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0];

const scimmy: Implementation = {
  id: 'scimmy',
  maxSize: 100_000,
  budgeted: true,
  byDefault: true,
  setup: ({ group, body }) => ({
    prepare: () => group,
    call: (input) =>
      new SCIMMY.Messages.PatchOp(body as unknown as ScimmyPatchRequest).apply(
        new SCIMMY.Schemas.Group(input, 'out'),
      ),
    async: true,
    freshInputPerCall: false,
    view: plainView,
  }),
};

export const IMPLEMENTATIONS: readonly Implementation[] = [
  library,
  libraryFull,
  baseline,
  baselineKeptOrder,
  scimPatchImplementation,
  scimmy,
];

export function implementationById(id: string): Implementation {
  const implementation = IMPLEMENTATIONS.find((i) => i.id === id);
  if (implementation === undefined) throw new Error(`unknown implementation '${id}'`);
  return implementation;
}
