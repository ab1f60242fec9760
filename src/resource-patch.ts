/**
 * PATCH on any resource (Users, the Enterprise User extension, custom schemas), driven by RFC 7643
 * schema definitions: validate → resolve against the schemas → apply.
 *
 * @see RFC 7644 §3.5.2
 */
import { ScimError } from './errors.js';
import { resolveOptions, type PatchOptions } from './options.js';
import type { ResourceChangeSummary, ScimResource } from './draft.js';
import { applyResourceChanges, type Leniency } from './resource-apply.js';
import { normalizeResourceOperations, type ResourceChange } from './resource-normalize.js';
import { resolveResourcePath, resourceSchemas } from './resource-path.js';
import { checkOperations } from './validate.js';

/** The named presets of leniencies. */
export type LeniencyPreset = 'lenient' | 'strict';

/**
 * The presets. `lenient` (the default) accepts what Microsoft Entra ID and Okta send where no data
 * can be lost; `strict` follows RFC 7644 to the letter.
 */
export const LENIENCY_PRESETS: Readonly<Record<LeniencyPreset, Readonly<Leniency>>> = /* @__PURE__ */ Object.freeze({
  lenient: /* @__PURE__ */ Object.freeze({
    stringBooleans: true,
    bareStringComplex: true,
    unqualifiedExtensionAttributes: true,
    createOnEqualityFilter: true,
  }),
  strict: /* @__PURE__ */ Object.freeze({
    stringBooleans: false,
    bareStringComplex: false,
    unqualifiedExtensionAttributes: false,
    createOnEqualityFilter: false,
  }),
});

/** Options of `applyPatch`: the resource's schemas, the leniencies, and the Group API's options. */
export interface ResourcePatchOptions extends Omit<PatchOptions, 'memberValueCaseExact' | 'externalIdMutability' | 'storedGroupCheck'> {
  /**
   * The resource's core schema: an RFC 7643 §7 schema representation, such as
   * `USER_SCHEMA_DEFINITION` or the JSON RFC 7643 §8.7.1 prints (accepted as is).
   */
  readonly schema: unknown;
  /** The extension schemas the resource may carry (`ENTERPRISE_USER_SCHEMA_DEFINITION`, custom ones). */
  readonly extensions?: readonly unknown[];
  /** The preset of leniencies. Default `'lenient'`. */
  readonly preset?: LeniencyPreset;
  /** Leniencies that differ from the preset. */
  readonly leniency?: Partial<Leniency>;
}

/** The result of `tryApplyPatch`: the patched resource and summary, or the error. */
export type ResourcePatchResult<R extends ScimResource = ScimResource> =
  | {
      /** The patch applied. */
      readonly ok: true;
      /** The patched resource; the input itself when nothing changed. */
      readonly resource: R;
      /** What changed. */
      readonly summary: ResourceChangeSummary;
    }
  | {
      /** The patch was rejected; nothing was applied. */
      readonly ok: false;
      /** Why, ready to render with `error.toResponse()`. */
      readonly error: ScimError;
    };

/** validate → normalize: the changes a body asks for, every value checked, with what applying needs. */
function changesOf(request: unknown, options: ResourcePatchOptions) {
  const resolved = resolveOptions(options);
  const schemas = resourceSchemas(options.schema, options.extensions);
  const leniency: Leniency = { ...LENIENCY_PRESETS[options.preset ?? 'lenient'], ...options.leniency };
  const { operations } = checkOperations(request, resolved, (parsed, label) => resolveResourcePath(schemas, parsed, label, leniency));
  const changes = normalizeResourceOperations(operations, { schemas, leniency, options: resolved });
  return { changes, schemas, leniency, resolved };
}

function run(resource: unknown, request: unknown, options: ResourcePatchOptions): { readonly resource: ScimResource; readonly summary: ResourceChangeSummary } {
  const { changes, schemas, leniency, resolved } = changesOf(request, options);
  return applyResourceChanges(resource, changes, schemas, leniency, resolved);
}

/**
 * Validates a PATCH body for a resource and turns it into the changes it makes, without the
 * resource: paths resolved against the schemas, names in the schema's spelling, pathless values
 * split per attribute, every value checked and read. A store can run them without loading the
 * resource where a change allows it (an add of values, a remove by value, a set).
 *
 * @param request - the PATCH body as parsed JSON.
 * @param options - as for `applyPatch`.
 * @returns the changes, in order.
 * @throws ScimError 400 when the request is invalid; 500 when a schema cannot be read.
 * @example
 * ```ts
 * for (const change of normalizePatch(body, { schema: USER_SCHEMA_DEFINITION })) {
 *   if (change.op === 'replace' && change.attribute === 'active') await setActive(id, change.value === true)
 * }
 * ```
 * @see RFC 7644 §3.5.2
 */
export function normalizePatch(request: unknown, options: ResourcePatchOptions): ResourceChange[] {
  return changesOf(request, options).changes;
}

/**
 * Applies a SCIM PATCH request to any resource, as its RFC 7643 schemas define it: validates the
 * whole request, then applies its operations in order, all or nothing, without modifying the input.
 *
 * @param resource - the stored resource; never modified.
 * @param request - the PATCH body as parsed JSON.
 * @param options - the schema and extensions, the leniencies, the clock and the limits.
 * @returns the patched resource, or the very same object when nothing changed.
 * @throws ScimError 400 with a `scimType` for a bad request (nothing applied); 500 when a schema
 * or the stored resource cannot be read.
 * @example
 * ```ts
 * const next = applyPatch(user, body, {
 *   schema: USER_SCHEMA_DEFINITION,
 *   extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION],
 * })
 * ```
 * @see RFC 7644 §3.5.2
 */
export function applyPatch<R extends ScimResource>(resource: R, request: unknown, options: ResourcePatchOptions): R {
  return run(resource, request, options).resource as R;
}

/**
 * The non-throwing form of `applyPatch`, with a change summary.
 *
 * @param resource - the stored resource; never modified.
 * @param request - the PATCH body as parsed JSON.
 * @param options - as for `applyPatch`.
 * @returns `{ ok: true, resource, summary }` or `{ ok: false, error }`.
 * @example
 * ```ts
 * const result = tryApplyPatch(user, body, { schema: USER_SCHEMA_DEFINITION })
 * if (!result.ok) return reply.code(result.error.status).send(result.error.toResponse())
 * if (result.summary.changed) await save(result.resource)
 * ```
 * @see RFC 7644 §3.5.2
 */
export function tryApplyPatch<R extends ScimResource>(resource: R, request: unknown, options: ResourcePatchOptions): ResourcePatchResult<R> {
  try {
    const { resource: next, summary } = run(resource, request, options);
    return { ok: true, resource: next as R, summary };
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
}
