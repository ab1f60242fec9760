// Types of scripts/check-engines.mjs, for test/engines.test.ts.

/** The oldest Node 20 the development tools accept. */
export declare const DEVELOPMENT_NODE: string;

/** `[major, minor, patch]` of a full version such as `20.19.0` or `v22.1.0`. */
export declare function parseVersion(text: string): [number, number, number];

/** Whether `version` is in `range` (an `engines.node` value). Throws on a form it does not know. */
export declare function satisfies(version: string, range: string): boolean;

/** A package whose `engines.node` refuses one of the versions checked. */
export interface EngineFinding {
  readonly name: string;
  readonly version: string | undefined;
  readonly range: string;
  readonly refused: string[];
}

/** A package-lock.json (lockfileVersion 2 or 3), as far as the check reads it. */
export interface Lock {
  readonly packages?: Record<string, { readonly version?: string; readonly optional?: boolean; readonly engines?: { readonly node?: string } }>;
}

/** The lock's packages that refuse one of `versions`: failures, and optional packages npm skips. */
export declare function checkLock(lock: Lock, versions: readonly string[]): { failures: EngineFinding[]; skipped: EngineFinding[] };
