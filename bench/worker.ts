/**
 * Measures one cell (implementation × scenario × size) in its own process, so the runner can kill
 * it when the first call overruns the budget (a synchronous call cannot be interrupted otherwise).
 *
 *   1. build the stored resource and the request, prepare the first call's input, run a full GC;
 *      say 'ready'
 *   2. time the first call (nothing compiled yet, a heap just collected); say 'first'
 *   3. check its result once (untimed): wrong → say 'wrong' and stop
 *   4. warm: warm up, then time samples of `batch` calls in a row each
 *   5. after a full GC: time `afterGcCalls` calls one by one, each right after `gc()`; the code is
 *      compiled by then, the heap is not warm: the state of a server that did other work since
 *      its last PATCH
 *   6. say 'result'
 *
 * Inputs are prepared before the clock starts, so copies are never timed. GC is left to V8 while
 * timing warm samples, as in a server: garbage an implementation makes is collected on its clock.
 *
 * Run by run.ts: node --expose-gc --import tsx bench/worker.ts '<CellTask JSON>'
 */
import { implementationById, type Prepared } from './implementations.js';
import type { CellTask, Spread, WorkerMessage } from './protocol.js';
import { buildCase, checkResult, memberValue, ORIGINAL_NAME, scenarioById } from './scenarios.js';
import type { Group } from '../src/index.js';
import { median } from './stats.js';
import { userImplementationById } from './user-implementations.js';
import { buildUserCase } from './user-scenarios.js';

/** Shortest a sample should be, so the clock's resolution and overhead do not matter. */
const MIN_SAMPLE_MS = 2;
/** Most group copies prepared ahead of a sample (members × calls), for mutating implementations. */
const MAX_PREPARED_MEMBERS = 200_000;
const WARMUP_MS = 250;

const gc = (): void => {
  if (typeof globalThis.gc === 'function') void globalThis.gc();
};

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      console.log(JSON.stringify(message));
      resolve();
    } else {
      process.send(message, () => resolve());
    }
  });
}

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Keeps the last result of a sample reachable until the sample is timed. */
let _sink: unknown;

async function callOnce(prepared: Omit<Prepared, 'view'>, input: unknown): Promise<unknown> {
  return prepared.async ? await prepared.call(input) : prepared.call(input);
}

/** Times one sample of `batch` calls; returns ms per call. */
async function sample(prepared: Omit<Prepared, 'view'>, batch: number): Promise<number> {
  const shared = prepared.freshInputPerCall ? undefined : prepared.prepare();
  const inputs = new Array<unknown>(batch);
  for (let k = 0; k < batch; k++) inputs[k] = shared ?? prepared.prepare();
  let last: unknown;
  const start = process.hrtime.bigint();
  if (prepared.async) {
    for (let k = 0; k < batch; k++) last = await prepared.call(inputs[k]);
  } else {
    for (let k = 0; k < batch; k++) last = prepared.call(inputs[k]);
  }
  const ms = elapsedMs(start);
  _sink = last;
  return ms / batch;
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/** The stored group must come out as it went in (only mutating scim-patch works on copies). */
function storedGroupProblem(group: Group, size: number): string | undefined {
  const members = group.members ?? [];
  if (group.displayName !== ORIGINAL_NAME) return 'the stored group was modified (displayName)';
  if (members.length !== size) return 'the stored group was modified (member count)';
  for (let i = 0; i < size; i++) {
    if (members[i]?.value !== memberValue(i)) return `the stored group was modified (members[${String(i)}])`;
  }
  return undefined;
}

/** An implementation set up on one case, with the check of its result. */
interface Cell {
  readonly prepared: Omit<Prepared, 'view'>;
  readonly check: (result: unknown) => string | undefined;
}

function setUp(task: CellTask): Cell {
  if (task.scenario.startsWith('U')) {
    const userCase = buildUserCase(task.scenario, task.size);
    const prepared = userImplementationById(task.implementation).setup(userCase);
    return { prepared, check: (result) => userCase.check(prepared.view(result)) };
  }
  const benchCase = buildCase(scenarioById(task.scenario), task.size);
  const prepared = implementationById(task.implementation).setup(benchCase);
  return {
    prepared,
    check: (result) => checkResult(prepared.view(result), benchCase.expected) ?? storedGroupProblem(benchCase.group, task.size),
  };
}

const spreadOf = (times: readonly number[]): Spread => ({
  medianMs: median(times),
  minMs: Math.min(...times),
  maxMs: Math.max(...times),
  samples: times.length,
});

/** After this long, the calls after a full GC stop at three (a slow peer, 1,000,000 members). */
const AFTER_GC_BUDGET_MS = 5000;

/** Times calls one by one, each right after a full GC, with its input prepared before the GC. */
async function afterGc(prepared: Omit<Prepared, 'view'>, calls: number): Promise<number[]> {
  const times: number[] = [];
  const started = process.hrtime.bigint();
  for (let k = 0; k < calls && (k < 3 || elapsedMs(started) < AFTER_GC_BUDGET_MS); k++) {
    const input = prepared.prepare();
    gc();
    const start = process.hrtime.bigint();
    _sink = await callOnce(prepared, input);
    times.push(elapsedMs(start));
  }
  return times;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as CellTask;
  const { prepared, check } = setUp(task);

  const firstInput = prepared.prepare();
  gc();
  await send({ type: 'ready' });

  let result: unknown;
  const start = process.hrtime.bigint();
  try {
    result = await callOnce(prepared, firstInput);
  } catch (error) {
    await send({ type: 'error', detail: error instanceof Error ? error.message : String(error) });
    return;
  }
  const firstMs = elapsedMs(start);
  await send({ type: 'first', ms: firstMs });

  const problem = check(result);
  if (problem !== undefined) {
    await send({ type: 'wrong', detail: problem });
    return;
  }
  // Drop the checked result before collecting, so it does not weigh on the samples.
  // eslint-disable-next-line no-useless-assignment
  result = undefined;
  gc();

  const maxBatch = prepared.freshInputPerCall
    ? Math.max(1, Math.floor(MAX_PREPARED_MEMBERS / Math.max(1, task.size)))
    : 100_000;
  const batchFor = (estimateMs: number): number =>
    clamp(Math.ceil(MIN_SAMPLE_MS / Math.max(estimateMs, 1e-6)), 1, maxBatch);

  // Warm up: at least one sample, then until WARMUP_MS has passed (at most 20 samples).
  let estimate = firstMs;
  const warmup: number[] = [];
  const warmupStart = process.hrtime.bigint();
  do {
    warmup.push(await sample(prepared, batchFor(estimate)));
    estimate = median(warmup);
  } while (elapsedMs(warmupStart) < WARMUP_MS && warmup.length < 20);

  const batch = batchFor(estimate);
  const samples = clamp(Math.round(task.targetMs / (estimate * batch)), task.minSamples, task.maxSamples);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) times.push(await sample(prepared, batch));
  const coldTimes = await afterGc(prepared, task.afterGcCalls);

  await send({ type: 'result', warm: spreadOf(times), batch, afterGc: spreadOf(coldTimes), firstMs });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ type: 'error', detail: `worker failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
    process.exit(1);
  },
);
