/**
 * What the runner and its per-cell worker processes say to each other (over the fork IPC channel).
 */
import type { ImplementationId } from './implementations.js';
import type { ScenarioId } from './scenarios.js';

/** What one worker measures: one implementation on one scenario at one size. */
export interface CellTask {
  readonly implementation: ImplementationId;
  readonly scenario: ScenarioId;
  readonly size: number;
  /** Wall time the measured samples should take together, roughly. */
  readonly targetMs: number;
  /** Fewest and most measured samples. */
  readonly minSamples: number;
  readonly maxSamples: number;
}

export type WorkerMessage =
  /** The case is built and the first call's input prepared: the budget starts now. */
  | { readonly type: 'ready' }
  /** The first call (cold, timed) finished. */
  | { readonly type: 'first'; readonly ms: number }
  /** The result is wrong (or the stored group was modified): not timed further. */
  | { readonly type: 'wrong'; readonly detail: string }
  /** The call threw. */
  | { readonly type: 'error'; readonly detail: string }
  /** The measurement. */
  | {
      readonly type: 'result';
      /** Median time per request over the samples, in ms. */
      readonly medianMs: number;
      readonly minMs: number;
      readonly maxMs: number;
      /** Number of measured samples and calls per sample. */
      readonly samples: number;
      readonly batch: number;
      readonly firstMs: number;
    };

export type CellOutcome =
  | { readonly kind: 'time'; readonly medianMs: number; readonly minMs: number; readonly maxMs: number; readonly samples: number; readonly batch: number; readonly firstMs: number }
  | { readonly kind: 'over-budget'; readonly budgetMs: number }
  | { readonly kind: 'wrong'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string }
  | { readonly kind: 'skipped' };
