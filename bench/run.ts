/**
 * `npm run bench`: this library, a hand-written baseline, scim-patch and scimmy side by side on
 * six PATCH scenarios and group sizes from 1,000 to 1,000,000 members, then the library's memory
 * on a 1,000,000-member add.
 *
 * Each cell (implementation × scenario × size) runs in its own child process (bench/worker.ts).
 * For the peers (scim-patch, scimmy) the runner starts a budget clock when the cell is ready and
 * kills the child when its first call has not returned within BENCH_BUDGET_MS; this library and
 * the baseline always run to the end. Cells run one after the other, never in parallel.
 *
 * Environment:
 *   BENCH_BUDGET_MS=2000        a peer's budget for one call (the first, cold one) before its cell is killed
 *   BENCH_QUICK=1               sizes up to 100,000, shorter sampling, one round (2–3 minutes)
 *   BENCH_ROUNDS=3              rounds of this library's and the baselines' cells (default 3, 1
 *                               with BENCH_QUICK); the peers run once
 *   BENCH_SCENARIOS=S2,S4       only these scenarios
 *   BENCH_IMPLS=library,scimmy  only these implementations; add library-full for a column
 *                               with the library's storedGroupCheck: 'full'
 *   BENCH_SIZES=1000,10000      only these sizes
 *   BENCH_MEMORY=0              skip the memory measurement
 *   BENCH_JSON=path             also write every outcome as JSON
 *   BENCH_QUIET_WAIT_MS=120000  total time the run may spend waiting for other processes to stop
 *                               using the CPU before a cell (at most 15 s per cell); cells that
 *                               still ran under load are marked ⚠
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPLEMENTATIONS, type ImplementationId } from './implementations.js';
import type { MemoryReport } from './memory.js';
import type { CellOutcome, CellTask, WorkerMessage } from './protocol.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';
import { median } from './stats.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
/** Each child runs TypeScript through tsx, with a callable gc(). */
const CHILD_EXEC_ARGV = ['--expose-gc', '--import', 'tsx'];
/** A cell that is still running this long after it started is killed, whatever it is doing. */
const CELL_GUARD_MS = 240_000;

function envList(name: string): string[] | undefined {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.split(',').map((s) => s.trim());
}

const QUICK = process.env.BENCH_QUICK === '1';
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 2000);
if (!Number.isFinite(BUDGET_MS) || BUDGET_MS <= 0) throw new Error('BENCH_BUDGET_MS must be a positive number');
const SIZES = (envList('BENCH_SIZES')?.map(Number) ?? (QUICK ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000]));
const SCENARIO_FILTER = envList('BENCH_SCENARIOS');
const IMPL_FILTER = envList('BENCH_IMPLS');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be a positive integer');
const SAMPLING = QUICK
  ? { targetMs: 300, minSamples: 3, maxSamples: 15 }
  : { targetMs: 1500, minSamples: 5, maxSamples: 50 };

const scenarios = SCENARIOS.filter((s) => SCENARIO_FILTER === undefined || SCENARIO_FILTER.includes(s.id));
const implementations = IMPLEMENTATIONS.filter((i) => (IMPL_FILTER === undefined ? i.byDefault : IMPL_FILTER.includes(i.id)));
const withFull = implementations.some((i) => i.id === 'library-full');

/**
 * Runs one cell in a child process and turns what it says into an outcome. With a budget, the
 * child is killed when its first call has not returned `budgetMs` after it said 'ready'.
 */
function runCell(task: CellTask, budgetMs: number | undefined): Promise<CellOutcome> {
  return new Promise((resolve) => {
    const child = fork(join(BENCH_DIR, 'worker.ts'), [JSON.stringify(task)], {
      cwd: ROOT,
      execArgv: CHILD_EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    let budgetTimer: NodeJS.Timeout | undefined;
    let firstMs = 0;
    const finish = (outcome: CellOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(budgetTimer);
      clearTimeout(guardTimer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(outcome);
    };
    const guardTimer = setTimeout(
      () => finish({ kind: 'error', detail: `still running after ${String(CELL_GUARD_MS)} ms` }),
      CELL_GUARD_MS,
    );
    child.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          if (budgetMs !== undefined) {
            budgetTimer = setTimeout(() => finish({ kind: 'over-budget', budgetMs }), budgetMs);
          }
          return;
        case 'first':
          clearTimeout(budgetTimer);
          firstMs = message.ms;
          if (budgetMs !== undefined && message.ms > budgetMs) finish({ kind: 'over-budget', budgetMs });
          return;
        case 'wrong':
          finish({ kind: 'wrong', detail: message.detail });
          return;
        case 'error':
          finish({ kind: 'error', detail: message.detail });
          return;
        case 'result': {
          const { medianMs, minMs, maxMs, samples, batch } = message;
          finish({ kind: 'time', medianMs, minMs, maxMs, samples, batch, firstMs });
          return;
        }
      }
    });
    child.on('error', (error) => finish({ kind: 'error', detail: error.message }));
    child.on('exit', (code, signal) =>
      finish({ kind: 'error', detail: `worker exited early (${String(code ?? signal)})` }),
    );
  });
}

/** Forks bench/memory.ts once with extra node flags and returns its report. */
function runMemoryOnce(
  implementation: 'library' | 'baseline',
  size: number,
  flags: readonly string[],
): Promise<MemoryReport | string> {
  return new Promise((resolve) => {
    const child = fork(join(BENCH_DIR, 'memory.ts'), [implementation, String(size)], {
      cwd: ROOT,
      execArgv: [...CHILD_EXEC_ARGV, ...flags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: MemoryReport | string = 'no report';
    child.on('message', (message: MemoryReport | { error: string }) => {
      report = 'error' in message ? message.error : message;
    });
    child.on('exit', () => resolve(report));
  });
}

/**
 * Two runs: with V8's default flags (peak RSS growth, retained heap, time), and with a young
 * generation large enough that no GC runs during the patch (heap allocated by the patch).
 */
async function runMemory(implementation: 'library' | 'baseline', size: number): Promise<MemoryReport | string> {
  const normal = await runMemoryOnce(implementation, size, []);
  const noGc = await runMemoryOnce(implementation, size, ['--max-semi-space-size=1024']);
  if (typeof normal === 'string') return normal;
  if (typeof noGc === 'string') return noGc;
  return { ...normal, allocatedHeapBytes: noGc.allocatedHeapBytes, gcsDuringPatch: noGc.gcsDuringPatch };
}

// ---------------------------------------------------------------------------------------------
// Other load on the machine: timings are only comparable when nothing else competes for the cores.

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function cpuTimes(): CpuTimes {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Average number of busy cores between two readings. */
const busyCores = (from: CpuTimes, to: CpuTimes): number =>
  to.total === from.total ? 0 : ((to.busy - from.busy) / (to.total - from.total)) * os.availableParallelism();

/** Busy cores over a short quiet moment, when nothing of the benchmark runs: other processes. */
async function otherLoad(ms = 300): Promise<number> {
  const from = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyCores(from, cpuTimes());
}

/** Above these, a cell is marked as measured while other processes competed for the CPU. */
const OTHER_LOAD_LIMIT = 0.3;
const CELL_LOAD_LIMIT = 1.6;

/** How long the whole run may wait, in total and per cell, for other processes to go quiet. */
const QUIET_WAIT_TOTAL_MS = Number(process.env.BENCH_QUIET_WAIT_MS ?? 120_000);
const QUIET_WAIT_CELL_MS = 15_000;
let quietWaitLeft = QUIET_WAIT_TOTAL_MS;

/** Other processes' load just before a cell, after waiting a little for it to drop. */
async function loadBeforeCell(): Promise<number> {
  const started = Date.now();
  let load = await otherLoad();
  while (load > OTHER_LOAD_LIMIT && quietWaitLeft > 0 && Date.now() - started < QUIET_WAIT_CELL_MS) {
    const polled = Date.now();
    load = await otherLoad(1000);
    quietWaitLeft -= Date.now() - polled;
  }
  return load;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function formatMs(ms: number): string {
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

function formatRatio(ratio: number): string {
  if (ratio >= 10_000 || ratio < 0.01) return `${ratio.toExponential(1)}×`;
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}

function formatOutcome(outcome: CellOutcome | undefined): string {
  switch (outcome?.kind) {
    case undefined:
    case 'skipped':
      return '—';
    case 'time':
      return formatMs(outcome.medianMs);
    case 'over-budget':
      return `> budget (${formatMs(outcome.budgetMs)})`;
    case 'wrong':
      return 'wrong';
    case 'error':
      return 'error';
  }
}

const MiB = 1024 * 1024;
const formatBytes = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

type Results = Map<string, CellOutcome>;
/** Every round's outcome of each cell, in round order (a cell skipped in a round has none). */
const rounds = new Map<string, (CellOutcome | undefined)[]>();
/** Cells measured while other processes were busy in more than half of their rounds. */
const contended = new Set<string>();
/** How many rounds of each cell ran while other processes were busy. */
const contendedRounds = new Map<string, number>();
const key = (implementation: ImplementationId, scenario: ScenarioId, size: number): string =>
  `${implementation}/${scenario}/${String(size)}`;

const timeOf = (outcome: CellOutcome | undefined): number | undefined =>
  outcome?.kind === 'time' ? outcome.medianMs : undefined;

/** One outcome per cell: a failure if any round failed, else the median of the rounds' medians. */
function combine(outcomes: readonly (CellOutcome | undefined)[]): CellOutcome | undefined {
  const present = outcomes.filter((o): o is CellOutcome => o !== undefined);
  const failure = present.find((o) => o.kind !== 'time');
  if (failure !== undefined) return failure;
  const times = present.filter((o): o is Extract<CellOutcome, { kind: 'time' }> => o.kind === 'time');
  if (times.length === 0) return undefined;
  return {
    kind: 'time',
    medianMs: median(times.map((t) => t.medianMs)),
    minMs: Math.min(...times.map((t) => t.minMs)),
    maxMs: Math.max(...times.map((t) => t.maxMs)),
    samples: times.reduce((sum, t) => sum + t.samples, 0),
    batch: times[0]!.batch,
    firstMs: median(times.map((t) => t.firstMs)),
  };
}

/**
 * a / b as the median of the rounds' ratios: each round measures a and b a few seconds apart, so
 * a slow spell of the machine weighs on both sides of a ratio rather than on one.
 */
function pairedRatio(a: ImplementationId, b: ImplementationId, scenario: ScenarioId, size: number): number | undefined {
  const as = rounds.get(key(a, scenario, size)) ?? [];
  const bs = rounds.get(key(b, scenario, size)) ?? [];
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(as.length, bs.length); r++) {
    const ta = timeOf(as[r]);
    const tb = timeOf(bs[r]);
    if (ta !== undefined && tb !== undefined) ratios.push(ta / tb);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

const showRatio = (ratio: number | undefined): string => (ratio === undefined ? '—' : formatRatio(ratio));

/** Best peer / library: a lower bound (">") when the best peer ran out of budget. */
function peerRatio(results: Results, scenario: ScenarioId, size: number, library: number | undefined): string {
  if (library === undefined) return '—';
  const peers = (['scim-patch', 'scimmy'] as const).map((p) => results.get(key(p, scenario, size)));
  const times = peers.map(timeOf).filter((t): t is number => t !== undefined);
  if (times.length > 0) return formatRatio(Math.min(...times) / library);
  if (peers.some((p) => p?.kind === 'over-budget')) return `> ${formatRatio(BUDGET_MS / library)}`;
  return '—';
}

function table(results: Results): string {
  const header = [
    'scenario',
    'members',
    'library',
    ...(withFull ? ["library (storedGroupCheck 'full')"] : []),
    'baseline',
    'scim-patch',
    'scimmy',
    'library / baseline',
    'best peer / library',
    'library growth',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const scenario of scenarios) {
    let previous: { size: number; time: number | undefined } | undefined;
    for (const size of SIZES) {
      const get = (implementation: ImplementationId): CellOutcome | undefined =>
        results.get(key(implementation, scenario.id, size));
      const show = (implementation: ImplementationId): string =>
        formatOutcome(get(implementation)) +
        (contended.has(key(implementation, scenario.id, size)) && get(implementation)?.kind === 'time' ? ' ⚠' : '');
      const library = timeOf(get('library'));
      const growth =
        previous !== undefined && previous.time !== undefined && library !== undefined
          ? `${formatRatio(library / previous.time)} (${String(size / previous.size)}× members)`
          : '—';
      lines.push(
        `| ${[
          `${scenario.id} ${scenario.title}`,
          size.toLocaleString('en-US'),
          show('library'),
          ...(withFull ? [show('library-full')] : []),
          show('baseline'),
          show('scim-patch'),
          show('scimmy'),
          showRatio(pairedRatio('library', 'baseline', scenario.id, size)),
          peerRatio(results, scenario.id, size, library),
          growth,
        ].join(' | ')} |`,
      );
      previous = { size, time: library };
    }
  }
  return lines.join('\n');
}

/**
 * S6 and S6r against both baselines: the plain one (the list in request order) and the one that
 * returns what the library returns (stored members in their places, then the new ones).
 */
function keptOrderTable(results: Results): string | undefined {
  const lines = [
    '### Replace all: the two baselines',
    '',
    '| scenario | members | library | baseline (request order) | baseline (library\'s order) | library / baseline | library / baseline with library\'s order |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of scenarios) {
    for (const size of SIZES) {
      const get = (implementation: ImplementationId): CellOutcome | undefined =>
        results.get(key(implementation, scenario.id, size));
      if (get('baseline-kept-order') === undefined) continue;
      const ratio = (implementation: ImplementationId): string =>
        showRatio(pairedRatio('library', implementation, scenario.id, size));
      lines.push(
        `| ${[
          scenario.id,
          size.toLocaleString('en-US'),
          formatOutcome(get('library')),
          formatOutcome(get('baseline')),
          formatOutcome(get('baseline-kept-order')),
          ratio('baseline'),
          ratio('baseline-kept-order'),
        ].join(' | ')} |`,
      );
    }
  }
  return lines.length > 4 ? lines.join('\n') : undefined;
}

function problems(results: Results): string[] {
  const out: string[] = [];
  for (const [cell, outcome] of results) {
    if (outcome.kind === 'wrong' || outcome.kind === 'error') out.push(`- ${cell}: ${outcome.kind}: ${outcome.detail}`);
  }
  return out;
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

function machine(): string[] {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const dirty = git('status', '--porcelain', '--', 'src') === '' ? '' : ' (src/ has uncommitted changes)';
  return [
    `- library: commit ${git('rev-parse', '--short', 'HEAD')}${dirty}; scim-patch 0.8.3, scimmy 1.3.5`,
    `- date: ${new Date().toISOString()}`,
    `- node ${process.version}, ${String(os.availableParallelism())} cores (nproc), CPU: ${cpu}, memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
    `- command: ${QUICK ? 'BENCH_QUICK=1 ' : ''}npm run bench (budget ${String(BUDGET_MS)} ms per call; sampling ${JSON.stringify(SAMPLING)}; ${String(ROUNDS)} rounds of the library and baselines, ratios are medians of per-round ratios)`,
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  for (const scenario of scenarios) {
    for (const size of SIZES) {
      for (let round = 0; round < ROUNDS; round++) {
        const cells = implementations.filter(
          (implementation) =>
            size <= implementation.maxSize &&
            (implementation.scenarios === undefined || implementation.scenarios.includes(scenario.id)) &&
            // The peers are hundreds of times slower: one round says all there is to say.
            (round === 0 || !implementation.budgeted),
        );
        // Each round starts with a different implementation, so none always runs first.
        const order = cells.map((_, i) => cells[(i + round) % cells.length]!);
        for (const implementation of order) {
          const task: CellTask = { implementation: implementation.id, scenario: scenario.id, size, ...SAMPLING };
          const before = await loadBeforeCell();
          const start = cpuTimes();
          const outcome = await runCell(task, implementation.budgeted ? BUDGET_MS : undefined);
          const during = busyCores(start, cpuTimes());
          const cell = key(implementation.id, scenario.id, size);
          const list = rounds.get(cell) ?? [];
          list[round] = outcome;
          rounds.set(cell, list);
          if (before > OTHER_LOAD_LIMIT || during > CELL_LOAD_LIMIT) {
            contendedRounds.set(cell, (contendedRounds.get(cell) ?? 0) + 1);
          }
          const extra = outcome.kind === 'time' ? ` (${String(outcome.samples)}×${String(outcome.batch)} calls, first ${formatMs(outcome.firstMs)})` : outcome.kind === 'wrong' || outcome.kind === 'error' ? `: ${outcome.detail}` : '';
          const load = ` [load: ${before.toFixed(2)} cores before, ${during.toFixed(2)} during]`;
          process.stderr.write(`${scenario.id.padEnd(3)} ${size.toLocaleString('en-US').padStart(9)} ${implementation.id.padEnd(19)} round ${String(round + 1)} ${formatOutcome(outcome)}${extra}${load}\n`);
        }
      }
    }
  }
  const results: Results = new Map();
  for (const [cell, outcomes] of rounds) {
    const combined = combine(outcomes);
    if (combined !== undefined) results.set(cell, combined);
    const ranRounds = outcomes.filter((o) => o !== undefined).length;
    if ((contendedRounds.get(cell) ?? 0) * 2 > ranRounds) contended.add(cell);
  }

  const output: string[] = ['## Time per request (median)', '', ...machine(), '', table(results), ''];
  const keptOrder = keptOrderTable(results);
  if (keptOrder !== undefined) output.push(keptOrder, '');
  if (contended.size > 0) {
    output.push(
      `⚠ ${String(contended.size)} cells ran while other processes used the CPU (more than ${String(OTHER_LOAD_LIMIT)} busy cores before the cell, or more than ${String(CELL_LOAD_LIMIT)} during it) in more than half of their rounds; their times may be inflated.`,
      '',
    );
  }
  const issues = problems(results);
  if (issues.length > 0) output.push('Wrong results and errors:', '', ...issues, '');

  if (process.env.BENCH_MEMORY !== '0') {
    const size = 1_000_000;
    output.push(`## Memory: S2 (add 1,000 members) on ${size.toLocaleString('en-US')} members`, '');
    output.push('| implementation | group alone (heap) | heap allocated by the patch | retained by the result | peak RSS growth during the patch | patch time (one cold call) |');
    output.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const implementation of ['library', 'baseline'] as const) {
      const report = await runMemory(implementation, size);
      if (typeof report === 'string') {
        output.push(`| ${implementation} | error: ${report} | | | | |`);
        continue;
      }
      output.push(
        `| ${implementation} | ${formatBytes(report.groupHeapBytes)} | ${formatBytes(report.allocatedHeapBytes)}${report.gcsDuringPatch > 0 ? ` (${String(report.gcsDuringPatch)} GCs ran)` : ''} | ${formatBytes(report.retainedHeapBytes)} | ${report.peakRssGrowthBytes === undefined ? 'n/a' : formatBytes(report.peakRssGrowthBytes)} | ${formatMs(report.patchMs)} |`,
      );
    }
    output.push('');
  }
  output.push(`Total run time: ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const text = output.join('\n');
  console.log(text);
  const jsonPath = process.env.BENCH_JSON;
  if (jsonPath !== undefined && jsonPath !== '') {
    writeFileSync(jsonPath, JSON.stringify(Object.fromEntries(rounds), null, 2));
  }
}

await main();
