/**
 * The pipeline: validate → normalize → apply, behind the library's main entry points.
 *
 * @see RFC 7644 §3.5.2
 */
import { applyResolved, type ChangeSummary } from './apply.js';
import { ScimError } from './errors.js';
import { normalizeOperations, type GroupChange } from './normalize.js';
import { resolveOptions, type PatchOptions, type ResolvedOptions } from './options.js';
import type { Group, PatchRequest } from './types.js';
import { resolveGroupPath } from './group-path.js';
import { checkOperations, toPatchOperation } from './validate.js';

/** The result of `tryApplyGroupPatch`: the patched group and summary, or the error. */
export type PatchResult<G extends Group = Group> =
  | {
      /** The patch applied. */
      readonly ok: true;
      /** The patched group; the input itself when nothing changed. */
      readonly group: G;
      /** What changed. */
      readonly summary: ChangeSummary;
    }
  | {
      /** The patch was rejected; nothing was applied. */
      readonly ok: false;
      /** Why, ready to render with `error.toResponse()`. */
      readonly error: ScimError;
    };

/** validate → normalize: the changes a body asks for, every value checked. */
function changesOf(body: unknown, options: ResolvedOptions): GroupChange[] {
  return normalizeOperations(checkOperations(body, options, resolveGroupPath).operations, options);
}

/**
 * Validates a PATCH body and turns it into the list of changes it makes, without a group.
 *
 * @param body - the parsed JSON body, of unknown shape.
 * @param options - the options `applyGroupChanges` will get.
 * @returns the changes, in order.
 * @throws ScimError 400 when the request is invalid.
 * @example
 * ```ts
 * for (const change of normalizePatchRequest(body)) {
 *   if (change.kind === 'addMembers') await insertIfAbsent(groupId, change.members)
 * }
 * ```
 * @see RFC 7644 §3.5.2
 */
export function normalizePatchRequest(body: unknown, options?: PatchOptions): GroupChange[] {
  return changesOf(body, resolveOptions(options));
}

/**
 * Applies a SCIM PATCH request to a group: validates the whole request, then applies its
 * operations in order, all or nothing, without modifying the input.
 *
 * @param group - the stored group; never modified.
 * @param request - the PATCH body as parsed JSON (validated here), or a validated `PatchRequest`.
 * @param options - member identity, externalId mutability, clock and limits.
 * @returns the patched group, or the very same object when nothing changed.
 * @throws ScimError 400 with a `scimType` for a bad request (nothing applied); 500 when the
 * stored group is invalid.
 * @example
 * ```ts
 * const next = applyGroupPatch(group, {
 *   schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
 *   Operations: [{ op: 'add', path: 'members', value: [{ value: 'u42' }] }],
 * })
 * ```
 * @see RFC 7644 §3.5.2
 */
export function applyGroupPatch<G extends Group>(
  group: G,
  request: unknown,
  options?: PatchOptions,
): G {
  const resolved = resolveOptions(options);
  return applyResolved(group, changesOf(request, resolved), resolved).group;
}

/**
 * The non-throwing form of `applyGroupPatch`, with a change summary.
 *
 * @param group - the stored group; never modified.
 * @param request - the PATCH body as parsed JSON.
 * @param options - as for `applyGroupPatch`.
 * @returns `{ ok: true, group, summary }` or `{ ok: false, error }`.
 * @example
 * ```ts
 * const result = tryApplyGroupPatch(group, body)
 * if (!result.ok) return reply.code(result.error.status).send(result.error.toResponse())
 * if (result.summary.changed) await save(result.group)
 * ```
 * @see RFC 7644 §3.5.2
 */
export function tryApplyGroupPatch<G extends Group>(
  group: G,
  request: unknown,
  options?: PatchOptions,
): PatchResult<G> {
  try {
    const resolved = resolveOptions(options);
    const { group: next, summary } = applyResolved(group, changesOf(request, resolved), resolved);
    return { ok: true, group: next, summary };
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
}

/**
 * Validates an untrusted PATCH body: the envelope, every operation, every path and filter, and
 * every value, before anything is applied.
 *
 * @param body - the parsed JSON body, of unknown shape.
 * @param options - the same options `applyGroupPatch` will get (they decide, for example, whether
 * `externalId` may be written).
 * @returns the request with op names lower-cased and `schemas` filled in when it was missing.
 * @throws ScimError 400 with the `scimType` of the first problem, naming the operation.
 * @example
 * ```ts
 * const request = validatePatchRequest(JSON.parse(rawBody))
 * ```
 * @see RFC 7644 §3.5.2
 */
export function validatePatchRequest(body: unknown, options?: PatchOptions): PatchRequest {
  const resolved = resolveOptions(options);
  const { schemas, operations } = checkOperations(body, resolved, resolveGroupPath);
  // The normalizer reads every value: a request is valid only when it can be applied.
  normalizeOperations(operations, resolved);
  return { schemas, Operations: operations.map(toPatchOperation) };
}
