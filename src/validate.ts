/**
 * The validator: untrusted JSON in, checked operations out, or a `ScimError`.
 *
 * It checks the envelope and every operation's shape, and parses and resolves every path up front,
 * so a bad operation anywhere rejects the whole request before anything is applied. Operation
 * values are checked by the normalizer, which `validatePatchRequest` (in patch.ts) runs too.
 *
 * @see RFC 7644 §3.5.2
 */
import { atOperation, badRequest, payloadTooLarge, ScimError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { parsePath, type ParsedPath } from './path.js';
import type { GroupTarget } from './group-path.js';
import { describe, isObject, rejectPrototypeKey } from './json.js';
import { PATCH_OP_SCHEMA, type PatchOperation, type PatchOpName } from './types.js';
import { clip } from './text.js';

/**
 * An operation whose envelope and path are checked; its value is not yet interpreted. `T` is what
 * a path designates for the resource at hand (`GroupTarget` for the Group API).
 */
export interface CheckedOperation<T = GroupTarget> {
  /** Position in `Operations`, for error details. */
  readonly index: number;
  /** The operation, lower-cased. */
  readonly op: PatchOpName;
  /** The path as sent, when there is one. */
  readonly path?: string;
  /** What the path designates; absent for a pathless operation. */
  readonly target?: T;
  /** Whether the operation carries a `value` member (a `null` value counts). */
  readonly hasValue: boolean;
  /** The value as sent. */
  readonly value: unknown;
}

const PATCH_OP_SCHEMA_LOWER = PATCH_OP_SCHEMA.toLowerCase();

/** A member of a JSON object as it was sent: its key in the sender's spelling, and its value. */
interface Found {
  readonly key: string;
  readonly value: unknown;
}

/**
 * Reads the members of `object` named (case-insensitively) in `names`, rejecting a name given
 * twice in different spellings. Attribute names are case-insensitive (RFC 7643 §2.1). The result
 * is indexed like `names` (an array, not an object grown key by key, so that no per-request map
 * is made: see shapes.ts).
 */
function readMembers(object: Readonly<Record<string, unknown>>, names: readonly string[], label: string): (Found | undefined)[] {
  const found = new Array<Found | undefined>(names.length).fill(undefined);
  for (const key of Object.keys(object)) {
    rejectPrototypeKey(key, label, 'invalidSyntax');
    const lower = key.toLowerCase();
    const at = names.indexOf(lower);
    if (at < 0) continue;
    const seen = found[at];
    if (seen !== undefined) {
      throw badRequest('invalidSyntax', `${label}: '${clip(seen.key)}' and '${clip(key)}' name the same member`);
    }
    found[at] = { key, value: object[key] };
  }
  return found;
}

/** The members of an operation and of a request body, lower-cased. */
const OPERATION_MEMBERS = ['op', 'path', 'value'];
const BODY_MEMBERS = ['schemas', 'operations'];

function checkSchemas(schemas: unknown): readonly string[] {
  if (
    !Array.isArray(schemas) ||
    !schemas.every((s): s is string => typeof s === 'string') ||
    !schemas.some((s) => s.toLowerCase() === PATCH_OP_SCHEMA_LOWER)
  ) {
    throw badRequest('invalidSyntax', `schemas: must be an array containing "${PATCH_OP_SCHEMA}"`);
  }
  return schemas;
}

function checkOp(op: unknown, label: string): PatchOpName {
  if (typeof op !== 'string') {
    throw badRequest('invalidSyntax', `${label}.op: must be "add", "remove" or "replace", got ${describe(op)}`);
  }
  const lower = op.toLowerCase();
  if (lower !== 'add' && lower !== 'remove' && lower !== 'replace') {
    throw badRequest('invalidSyntax', `${label}.op: unknown operation '${clip(op)}'; expected add, remove or replace`);
  }
  return lower;
}

/** Resolves a parsed path against the resource's attributes, or throws `invalidPath` naming `label`. */
export type PathResolver<T> = (parsed: ParsedPath, label: string) => T;

function checkOperation<T>(raw: unknown, index: number, options: ResolvedOptions, resolve: PathResolver<T>): CheckedOperation<T> {
  const label = `Operations[${String(index)}]`;
  if (!isObject(raw)) {
    throw badRequest('invalidSyntax', `${label}: an operation must be an object, got ${describe(raw)}`);
  }
  const [opField, pathField, valueField] = readMembers(raw, OPERATION_MEMBERS, label);
  const op = checkOp(opField?.value, label);
  const rawPath = pathField?.value;
  // A null path is the same as none: RFC 7643 §2.5 treats null as unassigned.
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw badRequest('invalidPath', `${label}.path: must be a string, got ${describe(rawPath)}`);
  }
  const hasValue = valueField !== undefined;
  if ((op === 'add' || op === 'replace') && !hasValue) {
    throw badRequest('invalidValue', `${label}: '${op}' requires a value`);
  }
  if (typeof rawPath !== 'string') {
    if (op === 'remove') {
      throw badRequest('noTarget', `${label}: 'remove' requires a path`);
    }
    return { index, op, hasValue, value: valueField?.value };
  }
  const pathLabel = `${label}.path`;
  let parsed: ParsedPath;
  try {
    parsed = parsePath(rawPath, {
      maxLength: options.limits.maxPathLength,
      maxDepth: options.limits.maxFilterDepth,
    });
  } catch (error) {
    // The parser speaks of the path alone; say which operation it belongs to.
    if (!(error instanceof ScimError)) throw error;
    throw badRequest(error.scimType ?? 'invalidPath', `${pathLabel}: ${error.detail}`);
  }
  const target = resolve(parsed, pathLabel);
  return { index, op, path: rawPath, target, hasValue, value: valueField?.value };
}

/**
 * The detail for a request without a body. JSON `null` parses to `null`, so `undefined` means the
 * host handed over no parsed body: most often its framework left a body of type
 * `application/scim+json` unparsed, which is what SCIM clients send.
 */
const MISSING_BODY =
  'request body is missing: the server received no parsed body. If the client sent one, the framework did not ' +
  'parse it; register a JSON body parser for application/scim+json (RFC 7644 §3.1)';

/**
 * Checks the envelope and every operation's op and path. Values are left for the normalizer.
 *
 * @throws ScimError 400 for the first problem found.
 */
export function checkOperations<T = GroupTarget>(
  body: unknown,
  options: ResolvedOptions,
  resolve: PathResolver<T>,
): { readonly schemas: readonly string[]; readonly operations: readonly CheckedOperation<T>[] } {
  if (body === undefined) throw badRequest('invalidSyntax', MISSING_BODY);
  if (!isObject(body)) {
    throw badRequest('invalidSyntax', `request body must be a PatchOp JSON object, got ${describe(body)}`);
  }
  const [schemasField, operationsField] = readMembers(body, BODY_MEMBERS, 'request body');
  // Both seeds mark `schemas` optional: a body without it is read as a PatchOp.
  const schemas = schemasField === undefined ? [PATCH_OP_SCHEMA] : checkSchemas(schemasField.value);
  const list = operationsField?.value;
  if (!Array.isArray(list)) {
    throw badRequest('invalidSyntax', `Operations: must be an array of operations, got ${describe(list)}`);
  }
  if (list.length > options.limits.maxOperations) {
    throw payloadTooLarge(
      `Operations: ${String(list.length)} operations exceed this server's limit of ${String(options.limits.maxOperations)}`,
    );
  }
  const operations: CheckedOperation<T>[] = new Array<CheckedOperation<T>>(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      operations[i] = checkOperation(list[i], i, options, resolve);
    } catch (error) {
      throw atOperation(error, i);
    }
  }
  return { schemas, operations };
}

/** The public shape of a checked operation. */
export function toPatchOperation(operation: CheckedOperation<unknown>): PatchOperation {
  return {
    op: operation.op,
    ...(operation.path === undefined ? {} : { path: operation.path }),
    ...(operation.hasValue ? { value: operation.value } : {}),
  };
}
