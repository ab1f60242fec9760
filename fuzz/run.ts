/**
 * The long fuzz campaign: `npm run fuzz`.
 *
 * Runs the security guarantee over every generator family with `fc.check`: the Group guarantee
 * (`test/fuzz/guarantee.ts`) over the families of `test/arbitraries/hostile.ts`, then the
 * guarantee on any resource (`test/fuzz/resource-guarantee.ts`: Users, the Enterprise User
 * extension, custom extensions) over the `res-*` families of
 * `test/arbitraries/hostile-resources.ts`. 1,000,000 cases by default, split across the families
 * by their share, and across `FUZZ_JOBS` worker processes (default: 2, or 1 on a single CPU). On a
 * failure fast-check shrinks the case; the shrunk counterexample is printed, appended to
 * `test/fuzz/regressions.json` (Group) or `test/fuzz/regressions-resources.json` (the CI tests
 * replay both) with its seed and path, and the process exits non-zero once every family has run.
 * A resource case that violates the guarantee the way a finding pending a fix in src/ does
 * (`PENDING_FINDINGS`) is counted as `pending <id>`, not as a failure.
 *
 * Environment:
 *   FUZZ_RUNS=1000000     total cases across the families
 *   FC_SEED=123           replay a campaign (the seed is printed at the start; worker j > 0 of
 *                         FUZZ_JOBS runs with a seed derived from it, printed too)
 *   FUZZ_JOBS=2           worker processes; replaying a campaign needs the same FUZZ_JOBS
 *   FUZZ_FAMILY=a,b       only these families; `group` stands for every Group family (the Group
 *                         campaign as it was before the resource families), `resources` for every
 *                         `res-*` family
 *   FUZZ_PATH=0:1:2       with FC_SEED and one FUZZ_FAMILY: replay one counterexample
 *                         (the failure report prints the exact command)
 *   FUZZ_PROGRESS=50000   print progress every this many cases
 *   FUZZ_RECORD=0         do not append failures to the regressions file
 *   FUZZ_PENDING=fail     fail on the pending findings too (to check a fix in src/)
 *
 *   npm run fuzz
 *   FUZZ_RUNS=20000 FC_SEED=42 FUZZ_JOBS=1 npm run fuzz
 *   FUZZ_RUNS=200000 FUZZ_FAMILY=resources FUZZ_JOBS=1 npm run fuzz
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { FUZZ_FAMILIES, type FuzzCase } from '../test/arbitraries/hostile.js';
import { RESOURCE_FUZZ_FAMILIES } from '../test/arbitraries/hostile-resources.js';
import { checkGuarantee, diffPrototypes, snapshotPrototypes } from '../test/fuzz/guarantee.js';
import { decodeJson, encodeJson } from '../test/fuzz/json.js';
import {
  appendRegression,
  REGRESSIONS_FILE,
  RESOURCE_REGRESSIONS_FILE,
  type RegressionRecord,
  type ResourceRegressionRecord,
} from '../test/fuzz/regressions.js';
import { checkResourceGuarantee, type ResourceFuzzCase, type ResourceOutcome } from '../test/fuzz/resource-guarantee.js';
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

const PENDING = process.env.FUZZ_PENDING === 'fail' ? 'fail' : 'tolerate';

// ---------------------------------------------------------------------------------------------
// The families: the Group ones, then the resource ones, behind one interface
// ---------------------------------------------------------------------------------------------

/** A generator family with what the campaign does with its cases. */
interface CampaignFamily {
  readonly name: string;
  readonly description: string;
  readonly share: number;
  /** `group` or `resources`, for `FUZZ_FAMILY`. */
  readonly kind: 'group' | 'resources';
  readonly arbitrary: fc.Arbitrary<unknown>;
  /** Checks one case (throws on a violation) and names its outcome. */
  readonly check: (fuzzCase: unknown) => string;
  /** The regression record of a counterexample, given what identifies the run. */
  readonly record: (fuzzCase: unknown, run: { comment: string; seed: number; path?: string; family: string }) => object;
  /** The parts of a record to print. */
  readonly show: (record: Record<string, unknown>) => readonly (readonly [string, unknown])[];
  /** Where its regressions go. */
  readonly file: string;
}

function outcomeLabel(outcome: ResourceOutcome): string {
  if (outcome.kind === 'ok') return outcome.changed ? 'ok (changed)' : 'ok (unchanged)';
  if (outcome.kind === 'pending') return `pending ${outcome.id}`;
  return `${String(outcome.status)}${outcome.scimType === undefined ? '' : ` ${outcome.scimType}`}`;
}

const ALL_FAMILIES: readonly CampaignFamily[] = [
  ...FUZZ_FAMILIES.map(
    (family): CampaignFamily => ({
      ...family,
      kind: 'group',
      arbitrary: family.arbitrary,
      check: (c) => {
        const { group, body, options } = c as FuzzCase;
        return outcomeLabel(checkGuarantee(group, body, options));
      },
      record: (c, run): RegressionRecord => {
        const { group, body, options } = c as FuzzCase;
        return { ...run, group, body, ...(options === undefined ? {} : { options }) };
      },
      show: (record) => [['group', record.group], ['body', record.body], ['options', record.options ?? null]],
      file: REGRESSIONS_FILE,
    }),
  ),
  ...RESOURCE_FUZZ_FAMILIES.map(
    (family): CampaignFamily => ({
      ...family,
      kind: 'resources',
      arbitrary: family.arbitrary,
      check: (c) => outcomeLabel(checkResourceGuarantee(c as ResourceFuzzCase, { pending: PENDING })),
      record: (c, run): ResourceRegressionRecord => {
        const { schemaSet, resource, body, options } = c as ResourceFuzzCase;
        return { ...run, schemaSet, resource, body, ...(options === undefined ? {} : { options }) };
      },
      show: (record) => [['schemas', record.schemaSet], ['resource', record.resource], ['body', record.body], ['options', record.options ?? null]],
      file: RESOURCE_REGRESSIONS_FILE,
    }),
  ),
];

const families: CampaignFamily[] =
  ONLY === undefined ? [...ALL_FAMILIES] : ALL_FAMILIES.filter((f) => ONLY.includes(f.name) || ONLY.includes(f.kind));

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
    const property = fc.property(family.arbitrary, (fuzzCase: unknown) => {
      let label: string;
      try {
        label = family.check(fuzzCase);
      } catch (error) {
        if (!failing) {
          failing = true;
          console.log(`[w${String(j)} ${family.name}] failure after ${String(executed + 1)} cases, shrinking: ${(error as Error).message.slice(0, 300)}`);
        }
        throw error;
      }
      if (failing) return;
      executed++;
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
      const record: object | undefined =
        counterexample === undefined
          ? undefined
          : family.record(counterexample, {
              comment: `${family.name}: ${message.split('\n')[0] ?? ''} (fuzz/run.ts, ${new Date().toISOString().slice(0, 10)})`,
              seed: details.seed,
              ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
              family: family.name,
            });
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
    console.error(`no family matches FUZZ_FAMILY=${String(process.env.FUZZ_FAMILY)}; families: group, resources, ${ALL_FAMILIES.map((f) => f.name).join(', ')}`);
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
  for (const { family, runs } of plan) console.log(`  ${family.name.padEnd(10)} ${fmt(runs).padStart(10)}  ${family.description}`);
  console.log('');

  let done = 0;
  let nextProgress = PROGRESS_EVERY;
  let failures = 0;
  let finishedWorkers = 0;
  const current = new Map<number, string>();
  const perFamily = new Map<string, { reports: number; executed: number; elapsedMs: number; outcomes: Map<string, number>; failed: boolean }>();

  const finish = (): void => {
    const total = performance.now() - started;
    const pending = new Map<string, number>();
    for (const entry of perFamily.values()) {
      for (const [label, count] of entry.outcomes) if (label.startsWith('pending ')) pending.set(label.slice(8), (pending.get(label.slice(8)) ?? 0) + count);
    }
    if (pending.size > 0) {
      console.log(`pending findings (known defects awaiting a fix in src/, see PENDING_FINDINGS): ${[...pending].map(([id, count]) => `${id} ${fmt(count)}`).join(', ')}`);
    }
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
          const family = ALL_FAMILIES.find((f) => f.name === message.family);
          if (failure.recordText !== undefined && family !== undefined) {
            const record = decodeJson(JSON.parse(failure.recordText)) as Record<string, unknown>;
            for (const [label, value] of family.show(record)) console.log(`${tag} ${`${label}:`.padEnd(9)} ${preview(encodeJson(value))}`);
            console.log(
              `${tag} replay:  FC_SEED=${String(failure.seed)} FUZZ_FAMILY=${message.family} FUZZ_PATH='${failure.path ?? ''}' npm run fuzz`,
            );
            if (RECORD && REPLAY_PATH === undefined) {
              appendRegression(record, family.file);
              console.log(`${tag} appended to ${family.file}`);
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
