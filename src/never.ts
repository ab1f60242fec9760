/**
 * Marks the end of an exhaustive `switch` over a closed union: adding a member to the union
 * without handling it is a compile error, and reaching it at run time is a bug.
 */
export function assertNever(value: never): never {
  throw new TypeError(`unhandled case ${JSON.stringify(value)}`);
}
