/**
 * The options the benchmark passes to the library: its defaults, except that
 * `limits.maxValuesPerOperation` is raised from 100,000 to 1,000,000 so that S6 (one value per
 * member) runs at 1,000,000 members at all. By default the library answers that request with a
 * 413, by design; no other scenario comes near any limit (S4 sends exactly the default 1,000
 * operations).
 */
import type { PatchOptions } from '../src/index.js';

export const LIBRARY_OPTIONS: PatchOptions = { limits: { maxValuesPerOperation: 1_000_000 } };
