/**
 * The error builder: `ScimError` and the `SCIMErrorResponse` bodies a Groups endpoint returns.
 *
 * This module imports nothing but types and constants, so a host that only renders errors does
 * not pull in the parser or the core.
 *
 * @see RFC 7644 §3.12
 */
import { clip } from './text.js';
import { ERROR_SCHEMA, type SCIMErrorResponse, type ScimType } from './types.js';

/** Every `scimType` of RFC 7644 §3.12, in the RFC's order. */
export const SCIM_TYPES: readonly ScimType[] = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
];

/** How to render an error body. */
export interface ErrorResponseOptions {
  /**
   * `'number'` (default) renders `"status": 400` as both seeds type it; `'string'` renders
   * `"status": "400"` as RFC 7644 §3.12's examples do.
   */
  readonly statusFormat?: 'number' | 'string';
  /** Adds a `timeStamp` field (Huawei Cloud's error bodies): an ISO 8601 string or a `Date`. */
  readonly timeStamp?: Date | string;
}

/** What a `ScimError` is made of. */
export interface ScimErrorInit {
  /** The HTTP status, 400 to 599. */
  readonly status: number;
  /** The RFC 7644 §3.12 error keyword; required in practice for 400 (defaults to `invalidSyntax`). */
  readonly scimType?: ScimType;
  /** A human-readable explanation, safe to send to the client. */
  readonly detail: string;
  /** The index in `Operations` of the operation that failed, when one did. */
  readonly operationIndex?: number;
}

/**
 * An error that maps to a SCIM error response. Everything the library throws on bad input is one.
 *
 * @example
 * ```ts
 * try { applyGroupPatch(group, body) } catch (e) {
 *   if (e instanceof ScimError) res.status(e.status).json(e.toResponse())
 * }
 * ```
 * @see RFC 7644 §3.12
 */
export class ScimError extends Error {
  /** The HTTP status code. */
  readonly status: number;
  /** The RFC 7644 §3.12 keyword; always set when `status` is 400. */
  readonly scimType?: ScimType;
  /** The explanation sent to the client. */
  readonly detail: string;
  /**
   * The index in the request's `Operations` of the operation that failed, as a number (the detail
   * names it too, as `Operations[2]`). Absent when no one operation is at fault: the envelope, a
   * limit on the whole request, or the stored resource. Not part of the response body.
   */
  readonly operationIndex?: number;

  /**
   * @param init - status, scimType and detail. A 400 without a scimType gets `invalidSyntax`.
   */
  constructor(init: ScimErrorInit) {
    super(init.detail);
    this.name = 'ScimError';
    this.status = init.status;
    this.detail = init.detail;
    const scimType = init.scimType ?? (init.status === 400 ? 'invalidSyntax' : undefined);
    if (scimType !== undefined) this.scimType = scimType;
    if (init.operationIndex !== undefined) this.operationIndex = init.operationIndex;
  }

  /**
   * Renders the `SCIMErrorResponse` body for this error.
   *
   * @param options - status format and optional `timeStamp`.
   * @returns the JSON body to send with `this.status`.
   */
  toResponse(options: ErrorResponseOptions = {}): SCIMErrorResponse {
    return buildErrorResponse(this, options);
  }

  /** The response body, so `JSON.stringify(error)` gives what the client should see. */
  toJSON(): SCIMErrorResponse {
    return this.toResponse();
  }
}

/**
 * Builds a `SCIMErrorResponse` body. Keys come in the order the seeds show them:
 * `schemas`, `scimType` (when set), `detail`, `status`, then `timeStamp` (when asked for).
 *
 * @param error - the status, detail and optional scimType.
 * @param options - status format and optional `timeStamp`.
 * @returns the body.
 * @example
 * ```ts
 * buildErrorResponse({ status: 401, detail: 'Unauthorized' })
 * // { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail: 'Unauthorized', status: 401 }
 * ```
 * @see RFC 7644 §3.12
 */
export function buildErrorResponse(
  error: ScimErrorInit,
  options: ErrorResponseOptions = {},
): SCIMErrorResponse {
  const status = options.statusFormat === 'string' ? String(error.status) : error.status;
  const timeStamp =
    options.timeStamp === undefined || typeof options.timeStamp === 'string'
      ? options.timeStamp
      : options.timeStamp.toISOString();
  return {
    schemas: [ERROR_SCHEMA],
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    detail: error.detail,
    status,
    ...(timeStamp === undefined ? {} : { timeStamp }),
  };
}

/**
 * What to throw when one operation's step failed with `error`: a `ScimError` (other than a 5xx)
 * gets the operation's index, the one place the index becomes data. A detail that does not name
 * the operation yet (a limit that this operation crossed) is prefixed with `Operations[i]: `, so
 * that the text and the data agree. Anything else is returned as it is.
 *
 * @param error - what the step threw.
 * @param operationIndex - the operation's index in `Operations`.
 * @returns the error to throw.
 */
export function atOperation(error: unknown, operationIndex: number): unknown {
  if (!(error instanceof ScimError) || error.operationIndex !== undefined || error.status >= 500) return error;
  const { status, scimType } = error;
  const named = `Operations[${String(operationIndex)}]`;
  const detail = error.detail.startsWith(`${named}.`) || error.detail.startsWith(`${named}:`) ? error.detail : `${named}: ${error.detail}`;
  return new ScimError({ status, detail, operationIndex, ...(scimType === undefined ? {} : { scimType }) });
}

/**
 * A 400 Bad Request with its RFC 7644 §3.12 keyword.
 *
 * @param scimType - the error keyword.
 * @param detail - what was wrong, naming the operation (`Operations[2].path: ...`).
 * @returns the error, to throw or render.
 */
export function badRequest(scimType: ScimType, detail: string): ScimError {
  return new ScimError({ status: 400, scimType, detail });
}

/**
 * A 401: no or bad credentials. The default detail gives the LightOn seed's exact body.
 *
 * @param detail - the explanation, `"Unauthorized"` by default.
 * @returns the error.
 */
export function unauthorized(detail = 'Unauthorized'): ScimError {
  return new ScimError({ status: 401, detail });
}

/**
 * A 403: authenticated, but not allowed here (for example a token of another tenant).
 *
 * @param detail - the explanation.
 * @returns the error.
 */
export function forbidden(detail = 'Forbidden'): ScimError {
  return new ScimError({ status: 403, detail });
}

/**
 * A 404 for a resource id, worded as the LightOn seed words it: `Resource 123 not found`.
 *
 * @param id - the id from the request URL.
 * @returns the error.
 */
export function resourceNotFound(id: string): ScimError {
  return new ScimError({ status: 404, detail: `Resource ${clip(id)} not found` });
}

/**
 * A 415: the request body is not `application/json` or `application/scim+json`.
 *
 * @param detail - the explanation.
 * @returns the error.
 */
export function unsupportedMediaType(
  detail = 'Content-Type must be application/scim+json or application/json',
): ScimError {
  return new ScimError({ status: 415, detail });
}

/**
 * A 405: the method is not offered (for example `PUT` when only `PATCH` is).
 *
 * @param detail - the explanation.
 * @returns the error.
 */
export function methodNotAllowed(detail = 'Method not allowed'): ScimError {
  return new ScimError({ status: 405, detail });
}

/**
 * A 409 with scimType `uniqueness`, for example a rename onto another group's `displayName`.
 *
 * @param detail - the explanation.
 * @returns the error.
 * @see RFC 7644 §3.3, §3.12
 */
export function conflict(detail: string): ScimError {
  return new ScimError({ status: 409, scimType: 'uniqueness', detail });
}

/**
 * A 412: the `If-Match` version is stale.
 *
 * @param detail - the explanation.
 * @returns the error.
 * @see RFC 7644 §3.14
 */
export function preconditionFailed(detail = 'Resource version does not match If-Match'): ScimError {
  return new ScimError({ status: 412, detail });
}

/**
 * A 413: the request is larger than the server accepts.
 *
 * @param detail - the explanation.
 * @returns the error.
 */
export function payloadTooLarge(detail = 'Request payload too large'): ScimError {
  return new ScimError({ status: 413, detail });
}

/**
 * A 500 whose detail reveals nothing of the server's internals.
 *
 * @param detail - the explanation, generic by default.
 * @returns the error.
 */
export function internalError(detail = 'Internal server error'): ScimError {
  return new ScimError({ status: 500, detail });
}

/**
 * A 501: the operation is not implemented.
 *
 * @param detail - the explanation.
 * @returns the error.
 */
export function notImplemented(detail = 'Not implemented'): ScimError {
  return new ScimError({ status: 501, detail });
}

/**
 * Turns anything a handler caught into a `ScimError`: a `ScimError` as it is, anything else as a
 * generic 500 that leaks no message or stack.
 *
 * @param error - what was thrown.
 * @returns a `ScimError` safe to render.
 */
export function toScimError(error: unknown): ScimError {
  return error instanceof ScimError ? error : internalError();
}
