/**
 * What the runner and its per-cell worker processes say to each other (over the fork IPC channel).
 */
import type { ImplementationId } from './implementations.js';
import type { ScenarioId } from './scenarios.js';
import type { UserScenarioId } from './user-scenarios.js';

/** What one worker measures: one implementation on one scenario (Group S*, User U*) at one size. */
export interface CellTask {
  readonly implementation: ImplementationId;
  readonly scenario: ScenarioId | UserScenarioId;
  readonly size: number;
  /** Wall time the measured warm samples should take together, roughly. */
  readonly targetMs: number;
  /** Fewest and most measured warm samples. */
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Calls timed one by one, each right after a full GC (after the warm samples). */
  readonly afterGcCalls: number;
}

/** A median with the range it comes from. */
export interface Spread {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samples: number;
}

export type WorkerMessage =
  /** The case is built and the first call's input prepared: the budget starts now. */
  | { readonly type: 'ready' }
  /** The first call (a fresh process, right after a full GC) finished. */
  | { readonly type: 'first'; readonly ms: number }
  /** The result is wrong (or the stored input was modified): not timed further. */
  | { readonly type: 'wrong'; readonly detail: string }
  /** The call threw. */
  | { readonly type: 'error'; readonly detail: string }
  /** The measurement. */
  | {
      readonly type: 'result';
      /** Warm: median time per request over samples of `batch` calls in a row, in ms. */
      readonly warm: Spread;
      readonly batch: number;
      /** After a full GC: calls timed one by one, each right after `gc()`, code already compiled. */
      readonly afterGc: Spread;
      readonly firstMs: number;
    };

export type CellOutcome =
  | { readonly kind: 'time'; readonly warm: Spread; readonly batch: number; readonly afterGc: Spread; readonly firstMs: number }
  | { readonly kind: 'over-budget'; readonly budgetMs: number }
  | { readonly kind: 'wrong'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string }
  | { readonly kind: 'skipped' };
