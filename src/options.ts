/**
 * The options every entry point takes, and their defaults.
 */
import type { ParseLimits } from './path.js';

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
  /** Limits on path and filter size. */
  readonly parseLimits?: ParseLimits;
}

/** `PatchOptions` with every default filled in. */
export interface ResolvedOptions {
  readonly memberValueCaseExact: boolean;
  readonly externalIdMutability: ExternalIdMutability;
  readonly now: () => Date;
  readonly setLastModified: boolean;
  readonly parseLimits: ParseLimits;
}

const systemClock = (): Date => new Date();

/** Fills in the defaults. */
export function resolveOptions(options: PatchOptions = {}): ResolvedOptions {
  return {
    memberValueCaseExact: options.memberValueCaseExact ?? true,
    externalIdMutability: options.externalIdMutability ?? 'readWrite',
    now: options.now ?? systemClock,
    setLastModified: options.setLastModified ?? true,
    parseLimits: options.parseLimits ?? {},
  };
}

const identity = (value: string): string => value;
const lowerCase = (value: string): string => value.toLowerCase();

/** The identity key of a member `value` under the options' case rule. */
export function memberKeyFunction(options: ResolvedOptions): (value: string) => string {
  return options.memberValueCaseExact ? identity : lowerCase;
}
