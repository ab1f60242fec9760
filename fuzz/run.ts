/**
 * The long fuzz campaign: `npm run fuzz`.
 *
 * Runs the security guarantee (`test/fuzz/guarantee.ts`) over every generator family of
 * `test/arbitraries/hostile.ts` with `fc.check`: 1,000,000 cases by default, split across the
 * families by their share, and across `FUZZ_JOBS` worker processes (default: 2, or 1 on a single
 * CPU). On a failure fast-check shrinks the case; the shrunk counterexample is printed, appended
 * to `test/fuzz/regressions.json` (which the CI test replays) with its seed and path, and the
 * process exits non-zero once every family has run.
 *
 * Environment:
 *   FUZZ_RUNS=1000000     total cases across the families
 *   FC_SEED=123           replay a campaign (the seed is printed at the start; worker j > 0 of
 *                         FUZZ_JOBS runs with a seed derived from it, printed too)
 *   FUZZ_JOBS=2           worker processes; replaying a campaign needs the same FUZZ_JOBS
 *   FUZZ_FAMILY=a,b       only these families
 *   FUZZ_PATH=0:1:2       with FC_SEED and one FUZZ_FAMILY: replay one counterexample
 *                         (the failure report prints the exact command)
 *   FUZZ_PROGRESS=50000   print progress every this many cases
 *   FUZZ_RECORD=0         do not append failures to the regressions file
 *
 *   npm run fuzz
 *   FUZZ_RUNS=20000 FC_SEED=42 FUZZ_JOBS=1 npm run fuzz
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { FUZZ_FAMILIES, type FuzzCase, type FuzzFamily } from '../test/arbitraries/hostile.js';
import { checkGuarantee, diffPrototypes, snapshotPrototypes, type GuaranteeOutcome } from '../test/fuzz/guarantee.js';
import { decodeJson, encodeJson } from '../test/fuzz/json.js';
import { appendRegression, REGRESSIONS_FILE, type RegressionRecord } from '../test/fuzz/regressions.js';
import { intFromEnv } from '../test/support/env.js';

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------


const TOTAL = intFromEnv('FUZZ_RUNS') ?? 1_000_000;
const SEED = intFromEnv('FC_SEED') ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
const PROGRESS_EVERY = intFromEnv('FUZZ_PROGRESS') ?? 50_000;
const REPLAY_PATH = process.env.FUZZ_PATH?.trim() || undefined;
const RECORD = process.env.FUZZ_RECORD !== '0';
const ONLY = process.env.FUZZ_FAMILY?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const WORKER = intFromEnv('FUZZ_WORKER');
const JOBS = REPLAY_PATH === undefined ? Math.max(1, intFromEnv('FUZZ_JOBS') ?? Math.min(2, availableParallelism())) : 1;

const families: FuzzFamily[] =
  ONLY === undefined ? [...FUZZ_FAMILIES] : FUZZ_FAMILIES.filter((f) => ONLY.includes(f.name));

const totalShare = families.reduce((sum, f) => sum + f.share, 0);
const plan = families.map((family) => ({ family, runs: Math.max(1, Math.round((TOTAL * family.share) / totalShare)) }));
const planned = plan.reduce((sum, p) => sum + p.runs, 0);

/** The seed of worker `j`: the campaign seed for worker 0, a fixed derivation of it for the others. */
function workerSeed(j: number): number {
  return j === 0 ? SEED : (SEED + Math.imul(j, 0x9e3779b1)) | 0;
}

/** Worker `j`'s part of `runs`. */
function workerRuns(runs: number, j: number): number {
  return Math.floor(runs / JOBS) + (j < runs % JOBS ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Messages from a worker
// ---------------------------------------------------------------------------------------------

interface FailureReport {
  readonly seed: number;
  readonly path: string | null;
  readonly numShrinks: number;
  readonly message: string;
  /** The regression record, as `encodeJson` text (any depth survives the IPC channel). */
  readonly recordText: string | undefined;
}

type WorkerMessage =
  | { readonly type: 'start'; readonly worker: number; readonly family: string }
  | { readonly type: 'progress'; readonly worker: number; readonly cases: number }
  | {
      readonly type: 'family';
      readonly worker: number;
      readonly family: string;
      readonly executed: number;
      readonly elapsedMs: number;
      readonly outcomes: readonly (readonly [string, number])[];
      readonly failure: FailureReport | undefined;
    }
  | { readonly type: 'done'; readonly worker: number; readonly pollution: readonly string[] };

function outcomeLabel(outcome: GuaranteeOutcome): string {
  if (outcome.kind === 'ok') return outcome.changed ? 'ok (changed)' : 'ok (unchanged)';
  return `${String(outcome.status)}${outcome.scimType === undefined ? '' : ` ${outcome.scimType}`}`;
}

const PROGRESS_CHUNK = 500;

/** Runs worker `j`'s part of every family, reporting through `send`. */
function runWorker(j: number, send: (message: WorkerMessage) => void): void {
  const prototypesAtStart = snapshotPrototypes();
  const seed = workerSeed(j);
  for (const { family, runs } of plan) {
    const numRuns = REPLAY_PATH === undefined ? workerRuns(runs, j) : runs;
    if (numRuns === 0) continue;
    send({ type: 'start', worker: j, family: family.name });
    const outcomes = new Map<string, number>();
    let executed = 0;
    let unreported = 0;
    let failing = false;
    const started = performance.now();
    const property = fc.property(family.arbitrary, (fuzzCase: FuzzCase) => {
      let outcome: GuaranteeOutcome;
      try {
        outcome = checkGuarantee(fuzzCase.group, fuzzCase.body, fuzzCase.options);
      } catch (error) {
        if (!failing) {
          failing = true;
          console.log(`[w${String(j)} ${family.name}] failure after ${String(executed + 1)} cases, shrinking: ${(error as Error).message.slice(0, 300)}`);
        }
        throw error;
      }
      if (failing) return;
      executed++;
      const label = outcomeLabel(outcome);
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      if (++unreported === PROGRESS_CHUNK) {
        send({ type: 'progress', worker: j, cases: unreported });
        unreported = 0;
      }
    });
    const details = fc.check(property, {
      numRuns,
      seed,
      ...(REPLAY_PATH === undefined ? {} : { path: REPLAY_PATH }),
      endOnFailure: false,
    });
    if (unreported > 0) send({ type: 'progress', worker: j, cases: unreported });
    let failure: FailureReport | undefined;
    if (details.failed) {
      const counterexample = details.counterexample?.[0];
      const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const record: RegressionRecord | undefined =
        counterexample === undefined
          ? undefined
          : {
              comment: `${family.name}: ${message.split('\n')[0] ?? ''} (fuzz/run.ts, ${new Date().toISOString().slice(0, 10)})`,
              seed: details.seed,
              ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
              family: family.name,
              group: counterexample.group,
              body: counterexample.body,
              ...(counterexample.options === undefined ? {} : { options: counterexample.options }),
            };
      failure = {
        seed: details.seed,
        path: details.counterexamplePath,
        numShrinks: details.numShrinks,
        message,
        recordText: record === undefined ? undefined : encodeJson(record),
      };
    }
    send({
      type: 'family',
      worker: j,
      family: family.name,
      executed,
      elapsedMs: performance.now() - started,
      outcomes: [...outcomes.entries()],
      failure,
    });
  }
  send({ type: 'done', worker: j, pollution: diffPrototypes(prototypesAtStart) });
}

// ---------------------------------------------------------------------------------------------
// The coordinator
// ---------------------------------------------------------------------------------------------

const fmt = (n: number): string => n.toLocaleString('en-US');

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${String(s)}s` : `${String(Math.floor(s / 60))}m${String(s % 60).padStart(2, '0')}s`;
}

function preview(text: string, max = 4_000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${fmt(text.length)} characters)`;
}

function coordinate(): void {
  if (families.length === 0) {
    console.error(`no family matches FUZZ_FAMILY=${String(process.env.FUZZ_FAMILY)}; families: ${FUZZ_FAMILIES.map((f) => f.name).join(', ')}`);
    process.exit(2);
  }
  if (REPLAY_PATH !== undefined && (families.length !== 1 || process.env.FC_SEED === undefined)) {
    console.error('FUZZ_PATH needs FC_SEED and exactly one FUZZ_FAMILY');
    process.exit(2);
  }
  const started = performance.now();
  console.log('scim-group-patch fuzz campaign');
  console.log(`seed: ${String(SEED)}   (replay: FC_SEED=${String(SEED)} FUZZ_JOBS=${String(JOBS)} FUZZ_RUNS=${String(TOTAL)} npm run fuzz)`);
  console.log(`jobs: ${String(JOBS)}${JOBS > 1 ? ` (worker seeds: ${Array.from({ length: JOBS }, (_, j) => String(workerSeed(j))).join(', ')})` : ''}`);
  console.log(`cases: ${fmt(planned)} across ${String(plan.length)} families:`);
  for (const { family, runs } of plan) console.log(`  ${family.name.padEnd(9)} ${fmt(runs).padStart(10)}  ${family.description}`);
  console.log('');

  let done = 0;
  let nextProgress = PROGRESS_EVERY;
  let failures = 0;
  let finishedWorkers = 0;
  const current = new Map<number, string>();
  const perFamily = new Map<string, { reports: number; executed: number; elapsedMs: number; outcomes: Map<string, number>; failed: boolean }>();

  const finish = (): void => {
    const total = performance.now() - started;
    console.log(
      `done: ${fmt(done)} cases, ${String(failures)} failure${failures === 1 ? '' : 's'}, seed ${String(SEED)}, ${String(JOBS)} job${JOBS === 1 ? '' : 's'}, total time ${duration(total)} (${fmt(Math.round((done * 1000) / total))} cases/s)`,
    );
    process.exit(failures > 0 ? 1 : 0);
  };

  const handle = (message: WorkerMessage): void => {
    switch (message.type) {
      case 'start':
        current.set(message.worker, message.family);
        return;
      case 'progress': {
        done += message.cases;
        while (done >= nextProgress) {
          const elapsed = performance.now() - started;
          const where = [...current.entries()].map(([w, f]) => (JOBS > 1 ? `w${String(w)}: ${f}` : f)).join(', ');
          console.log(
            `[progress] ${fmt(nextProgress)} / ${fmt(planned)} cases, ${fmt(Math.round((done * 1000) / elapsed))} cases/s, ${duration(elapsed)} (${where})`,
          );
          nextProgress += PROGRESS_EVERY;
        }
        return;
      }
      case 'family': {
        const entry = perFamily.get(message.family) ?? { reports: 0, executed: 0, elapsedMs: 0, outcomes: new Map<string, number>(), failed: false };
        perFamily.set(message.family, entry);
        entry.reports++;
        entry.executed += message.executed;
        entry.elapsedMs = Math.max(entry.elapsedMs, message.elapsedMs);
        for (const [label, count] of message.outcomes) entry.outcomes.set(label, (entry.outcomes.get(label) ?? 0) + count);
        const failure = message.failure;
        if (failure !== undefined) {
          failures++;
          entry.failed = true;
          const tag = `[${message.family}${JOBS > 1 ? ` w${String(message.worker)}` : ''}]`;
          console.log(`${tag} FAILED, shrunk after ${fmt(failure.numShrinks)} shrinks; seed ${String(failure.seed)}, path "${failure.path ?? ''}"`);
          console.log(`${tag} violation: ${failure.message}`);
          if (failure.recordText !== undefined) {
            const record = decodeJson(JSON.parse(failure.recordText)) as RegressionRecord;
            console.log(`${tag} group:   ${preview(encodeJson(record.group))}`);
            console.log(`${tag} body:    ${preview(encodeJson(record.body))}`);
            console.log(`${tag} options: ${preview(encodeJson(record.options ?? null))}`);
            console.log(
              `${tag} replay:  FC_SEED=${String(failure.seed)} FUZZ_FAMILY=${message.family} FUZZ_PATH='${failure.path ?? ''}' npm run fuzz`,
            );
            if (RECORD && REPLAY_PATH === undefined) {
              appendRegression(record);
              console.log(`${tag} appended to ${REGRESSIONS_FILE}`);
            }
          }
        }
        const expected = REPLAY_PATH === undefined ? JOBS : 1;
        const runs = plan.find((p) => p.family.name === message.family)?.runs ?? 0;
        if (entry.reports === Math.min(expected, runs)) {
          const mix = [...entry.outcomes.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([label, count]) => `${label} ${((100 * count) / Math.max(1, entry.executed)).toFixed(1)}%`)
            .join(', ');
          console.log(
            `[${message.family}] ${fmt(entry.executed)} cases in ${duration(entry.elapsedMs)} (${fmt(Math.round((entry.executed * 1000) / Math.max(1, entry.elapsedMs)))}/s): ${entry.failed ? 'FAILED' : 'ok'}`,
          );
          console.log(`[${message.family}] outcomes: ${mix}`);
        }
        return;
      }
      case 'done':
        current.delete(message.worker);
        if (message.pollution.length > 0) {
          failures++;
          console.log(`prototypes changed in worker ${String(message.worker)}: ${message.pollution.join('; ')}`);
        }
        if (++finishedWorkers === JOBS) finish();
        return;
    }
  };

  if (JOBS === 1) {
    runWorker(0, handle);
    return;
  }
  const script = fileURLToPath(import.meta.url);
  const children: ReturnType<typeof fork>[] = [];
  for (let j = 0; j < JOBS; j++) {
    const child = fork(script, [], { env: { ...process.env, FUZZ_WORKER: String(j), FC_SEED: String(SEED), FUZZ_JOBS: String(JOBS) } });
    children.push(child);
    child.on('message', (message) => handle(message as WorkerMessage));
    child.on('exit', (code) => {
      if (code !== 0) {
        // A crash outside the property (a generator bug, out of memory): stop the other workers too.
        console.error(`worker ${String(j)} exited with code ${String(code)} after ${fmt(done)} cases`);
        for (const other of children) if (other !== child && other.exitCode === null) other.kill();
        process.exit(1);
      }
    });
  }
}

if (WORKER === undefined) {
  coordinate();
} else {
  const j = WORKER;
  runWorker(j, (message) => {
    // Messages are sent as they come; the last one exits once it is flushed.
    process.send?.(message, () => {
      if (message.type === 'done') process.exit(0);
    });
  });
}
