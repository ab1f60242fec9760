/** Test settings read from the environment (`FC_NUM_RUNS`, `FC_SEED`, `FUZZ_RUNS`). */

/**
 * A whole number from the environment (`1_000_000` is read too), or `undefined` when unset.
 *
 * @throws Error when the variable is set to something that is not an integer, so a typo does not
 * silently run the default.
 */
export function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got '${raw}'`);
  return value;
}

/** fast-check parameters: `FC_NUM_RUNS` runs (or `defaultRuns`), and `FC_SEED` when set. */
export function fcParameters(defaultRuns: number): { readonly numRuns: number; readonly seed?: number } {
  const seed = intFromEnv('FC_SEED');
  return { numRuns: intFromEnv('FC_NUM_RUNS') ?? defaultRuns, ...(seed === undefined ? {} : { seed }) };
}
