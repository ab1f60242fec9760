/**
 * Regression records: fuzz counterexamples kept in `test/fuzz/regressions.json` (Group) and
 * `test/fuzz/regressions-resources.json` (any resource), replayed by `test/fuzz.test.ts` and
 * `test/fuzz-resources.test.ts`. `fuzz/run.ts` appends one for every family that fails. Records
 * are written with `encodeJson` (see `json.ts`), so any parsed body, however deep, round-trips
 * exactly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Group, PatchOptions } from '../../src/index.js';
import { decodeJson, encodeJson } from './json.js';
import type { ResourceFuzzOptions, SchemaSetName } from './resource-guarantee.js';

/** One kept counterexample. */
export interface RegressionRecord {
  /** What it shows (the violation, and who found it). */
  readonly comment: string;
  /** The fast-check seed of the run that found it. */
  readonly seed?: number;
  /** The fast-check counterexample path, to replay with `FC_SEED` + `FUZZ_PATH`. */
  readonly path?: string;
  /** The generator family. */
  readonly family?: string;
  /** The stored group. */
  readonly group: Group;
  /** The request body. */
  readonly body: unknown;
  /** The options, when not the defaults. */
  readonly options?: PatchOptions;
}

/** Where the records live. */
export const REGRESSIONS_FILE = fileURLToPath(new URL('./regressions.json', import.meta.url));

/** One kept counterexample of the resource campaign (`test/fuzz/resource-guarantee.ts`). */
export interface ResourceRegressionRecord {
  /** What it shows (the violation, and who found it). */
  readonly comment: string;
  /** The fast-check seed of the run that found it. */
  readonly seed?: number;
  /** The fast-check counterexample path, to replay with `FC_SEED` + `FUZZ_PATH`. */
  readonly path?: string;
  /** The generator family. */
  readonly family?: string;
  /** The schema set (`SCHEMA_SETS`). */
  readonly schemaSet: SchemaSetName;
  /** The stored resource. */
  readonly resource: Record<string, unknown>;
  /** The request body. */
  readonly body: unknown;
  /** The options, when not the defaults. */
  readonly options?: ResourceFuzzOptions;
}

/** Where the resource campaign's records live, replayed by `test/fuzz-resources.test.ts`. */
export const RESOURCE_REGRESSIONS_FILE = fileURLToPath(new URL('./regressions-resources.json', import.meta.url));

/** Reads the records (decoded); `R` is the record shape of the file (the resource campaign keeps its own). */
export function loadRegressions<R = RegressionRecord>(file = REGRESSIONS_FILE): R[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${file} must hold a JSON array`);
  return parsed.map((record) => decodeJson(record) as R);
}

/** Appends one record, keeping the file a readable JSON array (one record per block). */
export function appendRegression(record: object, file = REGRESSIONS_FILE): void {
  let existing: string[];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    existing = parsed.map((r) => encodeJson(r, 4));
  } catch {
    existing = [];
  }
  // Only the top level has line breaks (nested values are compact), so this indents the record.
  const entries = [...existing, encodeJson(record, 4)].map((text) => `  ${text.replace(/\n\}$/, '\n  }')}`);
  writeFileSync(file, `[\n${entries.join(',\n')}\n]\n`);
}
