/**
 * The options every entry point takes, and their defaults.
 */
import { identityKey } from './json.js';

/**
 * How a host treats `externalId` (RFC 7643 §2.2 mutability):
 * `readWrite` (the RFC's default), `immutable` (set once, then fixed) or `readOnly` (never written
 * by a patch; LightOn Paradigm's choice).
 */
export type ExternalIdMutability = 'readWrite' | 'immutable' | 'readOnly';

/** Options for validating, normalizing and applying a PATCH request. */
export interface PatchOptions {
  /**
   * Whether member `value`s (ids) compare case-exactly, for identity and in filters. Default
   * `true`: ids are case-exact in practice. `false` follows RFC 7643 §8.7.1 (`caseExact: false`).
   */
  readonly memberValueCaseExact?: boolean;
  /** The mutability of `externalId`. Default `'readWrite'`. */
  readonly externalIdMutability?: ExternalIdMutability;
  /** The clock for `meta.lastModified`. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Whether a patch that changes the group sets `meta.lastModified`. Default `true`. */
  readonly setLastModified?: boolean;
  /**
   * How much of the stored group is checked when a patch touches its members. Every stored member
   * the patch reads must be an object with a non-empty string `value` (else 500). `'touched'`
   * (default) reports a `value` stored twice where the patch would otherwise merge the two (an add
   * or re-add of that value) and passes other repeats through untouched, neither merged nor
   * dropped. `'full'` reports any repeat, at the cost of a hash set over the whole group (about
   * 3x the time of a patch on a large group).
   */
  readonly storedGroupCheck?: 'full' | 'touched';
  /** Bounds on the work one request may ask for; see `PatchLimits` for the defaults. */
  readonly limits?: PatchLimits;
}

/**
 * Bounds on the work one request may ask for. The defaults are far above what Entra ID, Okta and
 * AWS-style clients send (at most a few hundred operations and values per request).
 */
export interface PatchLimits {
  /** Most operations in one request. Default 1,000. Over it: 413. */
  readonly maxOperations?: number;
  /** Most member values in one operation's value. Default 100,000. Over it: 413. */
  readonly maxValuesPerOperation?: number;
  /** Longest `path`, in characters. Default 4,096. Over it: 400 invalidPath. */
  readonly maxPathLength?: number;
  /**
   * Deepest nesting of `(`, `not (` in a filter. Default 32, at most 256 (a higher setting is read
   * as 256, so no setting lets a client exhaust the stack). Over it: 400 invalidFilter.
   */
  readonly maxFilterDepth?: number;
  /**
   * Most members a patch may leave in a group it grows. Default: no limit. Over it: 400 tooMany.
   * A patch that does not grow the group is never refused by this limit.
   */
  readonly maxMembers?: number;
  /**
   * Most members that passes over the whole group may visit in one request. Charged, before each
   * pass: a filter that does not pin `value` (`members[display eq "x"]`), an update of every member
   * that needs their content, and a pending update of every member applied before an operation
   * that reads or adds members. Default 2,000,000. Over it: 400 tooMany. Updates of every member
   * in a row (`members.display`) fold into the final pass and are not charged; filters on `value`
   * (`members[value eq "x"]`, Okta's) look members up by key, one visit per value, bounded by the
   * request's size.
   */
  readonly maxScannedMembers?: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Required<PatchLimits>> = Object.freeze({
  maxOperations: 1_000,
  maxValuesPerOperation: 100_000,
  maxPathLength: 4_096,
  maxFilterDepth: 32,
  maxMembers: Number.POSITIVE_INFINITY,
  maxScannedMembers: 2_000_000,
});

/** `PatchOptions` with every default filled in. */
export interface ResolvedOptions {
  readonly memberValueCaseExact: boolean;
  readonly externalIdMutability: ExternalIdMutability;
  readonly now: () => Date;
  readonly setLastModified: boolean;
  readonly storedGroupCheck: 'full' | 'touched';
  readonly limits: Readonly<Required<PatchLimits>>;
}

const systemClock = (): Date => new Date();

/** Fills in the defaults. */
export function resolveOptions(options: PatchOptions = {}): ResolvedOptions {
  return {
    memberValueCaseExact: options.memberValueCaseExact ?? true,
    externalIdMutability: options.externalIdMutability ?? 'readWrite',
    now: options.now ?? systemClock,
    setLastModified: options.setLastModified ?? true,
    storedGroupCheck: options.storedGroupCheck ?? 'touched',
    limits: { ...DEFAULT_LIMITS, ...definedLimits(options.limits) },
  };
}

/** Drops `undefined` entries so they do not hide a default. */
function definedLimits(limits: PatchLimits | undefined): PatchLimits {
  const result: Record<string, number> = {};
  if (limits === undefined) return result;
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof PatchLimits)[]) {
    const value = limits[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

const lowerCase = (value: string): string => value.toLowerCase();

/** The identity key of a member `value` under the options' case rule. */
export function memberKeyFunction(options: ResolvedOptions): (value: string) => string {
  return options.memberValueCaseExact ? identityKey : lowerCase;
}
