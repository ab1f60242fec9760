/**
 * One way for tests to catch a `ScimError`: run the action, and fail the test unless it throws a
 * `ScimError` (anything else thrown, or nothing thrown, is a failure that names what happened).
 */
import { ScimError } from '../../src/index.js';

/** What a test usually checks of an error: its status and `scimType`. */
export interface ErrorShape {
  readonly status: number;
  readonly scimType: string | undefined;
}

/**
 * The `ScimError` that `action` throws.
 *
 * @throws Error when `action` returns, or throws anything but a `ScimError`.
 */
export function scimErrorOf(action: () => unknown): ScimError {
  let returned: unknown;
  try {
    returned = action();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a ScimError, but the action returned ${JSON.stringify(returned)?.slice(0, 300) ?? 'undefined'}`);
}

/** `{status, scimType}` of the `ScimError` that `action` throws, for `toEqual`. */
export function errorShapeOf(action: () => unknown): ErrorShape {
  const error = scimErrorOf(action);
  return { status: error.status, scimType: error.scimType };
}

/**
 * The operation index a detail names in its text (`Operations[2].path: …`), or undefined when it
 * names none. `ScimError.operationIndex` carries the same index as data, set by another route
 * (the pipeline stamps it per operation), so comparing the two checks both.
 */
export function operationIndexNamedBy(detail: string): number | undefined {
  const match = /^Operations\[(\d+)\]/.exec(detail);
  return match === null ? undefined : Number(match[1]);
}
