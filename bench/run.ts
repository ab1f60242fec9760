/**
 * `npm run bench`: this library, a hand-written baseline, scim-patch and scimmy side by side on
 * Group PATCH scenarios (S1–S7, S6r; 1,000 to 1,000,000 members) and User PATCH scenarios (U1–U3;
 * 100 to 10,000 emails), then the memory one patch allocates at 1,000,000 members. Writes the
 * tables into bench/RESULTS.md (between the `bench:run` markers) and the chart bench/RESULTS.svg.
 *
 * Each cell (implementation × scenario × size) runs in its own child process (bench/worker.ts),
 * which reports three times per request:
 *   - warm: samples of many calls in a row (the code compiled, the heap warm);
 *   - after a full GC: calls timed one by one, each right after `gc()` (the code compiled, the
 *     heap just collected: a server that did other work since its last PATCH);
 *   - first call: the first call of a fresh process, right after a full GC (nothing compiled).
 * For the peers (scim-patch, scimmy) the runner starts a budget clock when the cell is ready and
 * kills the child when its first call has not returned within BENCH_BUDGET_MS; this library and
 * the baseline always run to the end. Cells run one after the other, never in parallel.
 *
 * Environment:
 *   BENCH_BUDGET_MS=2000        a peer's budget for its first call before its cell is killed
 *   BENCH_QUICK=1               sizes up to 100,000 (Users: up to 1,000), shorter sampling, one round
 *   BENCH_ROUNDS=3              rounds (processes) of this library's and the baselines' cells (default
 *                               3, 1 with BENCH_QUICK); the peers run once
 *   BENCH_SCENARIOS=S2,S4,U1    only these scenarios
 *   BENCH_IMPLS=library,scimmy  only these implementations; add library-full for a column
 *                               with the library's storedGroupCheck: 'full'
 *   BENCH_SIZES=1000,10000      only these Group sizes; BENCH_USER_SIZES=100,1000 the same for Users
 *   BENCH_MEMORY=0              skip the memory measurement
 *   BENCH_WRITE=1|0             write bench/RESULTS.md and bench/RESULTS.svg (default: only for a
 *                               full run, no BENCH_QUICK and no filter)
 *   BENCH_JSON=path             also write every outcome as JSON
 *   BENCH_QUIET_WAIT_MS=120000  total time the run may spend waiting for other processes to stop
 *                               using the CPU before a cell (at most 15 s per cell); cells that
 *                               still ran under load are marked ⚠
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { panelsFromMeasurements, renderChart, type ChartMeasurement } from './chart.js';
import { IMPLEMENTATIONS, type ImplementationId } from './implementations.js';
import { busyCores, cpuTimes, describeMachine, formatMachine } from './machine.js';
import type { MemoryReport } from './memory.js';
import type { CellOutcome, CellTask, Spread, WorkerMessage } from './protocol.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';
import { median } from './stats.js';
import { USER_IMPLEMENTATIONS } from './user-implementations.js';
import { USER_SCENARIOS, type UserScenarioId } from './user-scenarios.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const RESULTS_MD = join(BENCH_DIR, 'RESULTS.md');
const RESULTS_SVG = join(BENCH_DIR, 'RESULTS.svg');
/** Each child runs TypeScript through tsx, with a callable gc(). */
const CHILD_EXEC_ARGV = ['--expose-gc', '--import', 'tsx'];
/** A cell that is still running this long after it started is killed, whatever it is doing. */
const CELL_GUARD_MS = 300_000;

function envList(name: string): string[] | undefined {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.split(',').map((s) => s.trim());
}

const QUICK = process.env.BENCH_QUICK === '1';
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 2000);
if (!Number.isFinite(BUDGET_MS) || BUDGET_MS <= 0) throw new Error('BENCH_BUDGET_MS must be a positive number');
const GROUP_SIZES = envList('BENCH_SIZES')?.map(Number) ?? (QUICK ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000]);
const USER_SIZES = envList('BENCH_USER_SIZES')?.map(Number) ?? (QUICK ? [100, 1_000] : [100, 1_000, 10_000]);
const SCENARIO_FILTER = envList('BENCH_SCENARIOS');
const IMPL_FILTER = envList('BENCH_IMPLS');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be a positive integer');
const SAMPLING = QUICK
  ? { targetMs: 300, minSamples: 3, maxSamples: 15, afterGcCalls: 3 }
  : { targetMs: 1500, minSamples: 5, maxSamples: 50, afterGcCalls: 7 };
const FILTERED = SCENARIO_FILTER !== undefined || IMPL_FILTER !== undefined || envList('BENCH_SIZES') !== undefined || envList('BENCH_USER_SIZES') !== undefined || process.env.BENCH_ROUNDS !== undefined;
const WRITE = process.env.BENCH_WRITE === '1' || (process.env.BENCH_WRITE !== '0' && !QUICK && !FILTERED);

type AnyScenarioId = ScenarioId | UserScenarioId;

/** One scenario as the runner sees it: its sizes and the implementations that run it. */
interface PlannedScenario {
  readonly id: AnyScenarioId;
  readonly title: string;
  readonly kind: 'group' | 'user';
  readonly sizes: readonly number[];
}

interface PlannedImplementation {
  readonly id: ImplementationId;
  readonly budgeted: boolean;
  readonly maxSize: number;
  readonly scenarios?: readonly string[];
}

const scenarios: PlannedScenario[] = [
  ...SCENARIOS.map((s) => ({ id: s.id, title: s.title, kind: 'group' as const, sizes: GROUP_SIZES })),
  ...USER_SCENARIOS.map((s) => ({ id: s.id, title: s.title, kind: 'user' as const, sizes: USER_SIZES })),
].filter((s) => SCENARIO_FILTER === undefined || SCENARIO_FILTER.includes(s.id));

const wanted = (id: ImplementationId, byDefault: boolean): boolean => (IMPL_FILTER === undefined ? byDefault : IMPL_FILTER.includes(id));
const groupImplementations: PlannedImplementation[] = IMPLEMENTATIONS.filter((i) => wanted(i.id, i.byDefault));
const userImplementations: PlannedImplementation[] = USER_IMPLEMENTATIONS.filter((i) => wanted(i.id, true)).map((i) => ({
  id: i.id,
  budgeted: i.budgeted,
  maxSize: Number.POSITIVE_INFINITY,
}));
const withFull = groupImplementations.some((i) => i.id === 'library-full');

interface PlannedCell {
  readonly scenario: PlannedScenario;
  readonly size: number;
  readonly round: number;
  readonly implementation: PlannedImplementation;
}

/** Every cell of the run, in the order they run. */
function plan(): PlannedCell[] {
  const cells: PlannedCell[] = [];
  for (const scenario of scenarios) {
    const implementations = scenario.kind === 'group' ? groupImplementations : userImplementations;
    for (const size of scenario.sizes) {
      for (let round = 0; round < ROUNDS; round++) {
        const here = implementations.filter(
          (implementation) =>
            size <= implementation.maxSize &&
            (implementation.scenarios === undefined || implementation.scenarios.includes(scenario.id)) &&
            // The peers are hundreds of times slower: one round says all there is to say.
            (round === 0 || !implementation.budgeted),
        );
        // Each round starts with a different implementation, so none always runs first.
        for (let i = 0; i < here.length; i++) {
          cells.push({ scenario, size, round, implementation: here[(i + round) % here.length] as PlannedImplementation });
        }
      }
    }
  }
  return cells;
}

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
        case 'result':
          finish({ kind: 'time', warm: message.warm, batch: message.batch, afterGc: message.afterGc, firstMs });
          return;
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
  scenario: ScenarioId,
  size: number,
  flags: readonly string[],
): Promise<MemoryReport | string> {
  return new Promise((resolve) => {
    const child = fork(join(BENCH_DIR, 'memory.ts'), [implementation, String(size), scenario], {
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
async function runMemory(implementation: 'library' | 'baseline', scenario: ScenarioId, size: number): Promise<MemoryReport | string> {
  const normal = await runMemoryOnce(implementation, scenario, size, []);
  const noGc = await runMemoryOnce(implementation, scenario, size, ['--max-semi-space-size=1024']);
  if (typeof normal === 'string') return normal;
  if (typeof noGc === 'string') return noGc;
  return { ...normal, allocatedHeapBytes: noGc.allocatedHeapBytes, gcsDuringPatch: noGc.gcsDuringPatch };
}

// ---------------------------------------------------------------------------------------------
// Other load on the machine: timings are only comparable when nothing else competes for the cores.

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

/** A time with the range it comes from, when there is one: `7.00 ms (6.81–7.32)`. */
function formatSpread(spread: Spread | undefined): string {
  if (spread === undefined) return '—';
  const main = formatMs(spread.medianMs);
  if (spread.samples < 2 || spread.maxMs === spread.minMs) return main;
  const unit = main.replace(/^[\d.]+ /, '');
  const scale = unit === 'ns' ? 1e6 : unit === 'µs' ? 1000 : unit === 's' ? 1 / 1000 : 1;
  const short = (ms: number): string => (ms * scale).toPrecision(3);
  return `${main} (${short(spread.minMs)}–${short(spread.maxMs)})`;
}

function formatRatio(ratio: number): string {
  if (ratio >= 10_000 || ratio < 0.01) return `${ratio.toExponential(1)}×`;
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}

const showRatio = (ratio: number | undefined): string => (ratio === undefined ? '—' : formatRatio(ratio));

function formatFailure(outcome: CellOutcome | undefined): string {
  switch (outcome?.kind) {
    case 'over-budget':
      return `> budget (${formatMs(outcome.budgetMs)})`;
    case 'wrong':
      return 'wrong';
    case 'error':
      return 'error';
    default:
      return '—';
  }
}

const MiB = 1024 * 1024;
const formatBytes = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------------
// Results

/** The three measurements of a cell. */
type Measure = 'warm' | 'afterGc' | 'first';
const MEASURES: readonly Measure[] = ['warm', 'afterGc', 'first'];
const MEASURE_NAMES: Readonly<Record<Measure, string>> = { warm: 'warm', afterGc: 'after a full GC', first: 'first call' };

/** Every round's outcome of each cell, in round order (a cell skipped in a round has none). */
const rounds = new Map<string, (CellOutcome | undefined)[]>();
/** How many rounds of each cell ran while other processes were busy. */
const contendedRounds = new Map<string, number>();
const key = (implementation: ImplementationId, scenario: AnyScenarioId, size: number): string =>
  `${implementation}/${scenario}/${String(size)}`;


/** A round's time per request for one measure. */
function roundTime(outcome: CellOutcome | undefined, measure: Measure): number | undefined {
  if (outcome?.kind !== 'time') return undefined;
  return measure === 'warm' ? outcome.warm.medianMs : measure === 'afterGc' ? outcome.afterGc.medianMs : outcome.firstMs;
}

function outcomesOf(implementation: ImplementationId, scenario: AnyScenarioId, size: number): (CellOutcome | undefined)[] {
  return rounds.get(key(implementation, scenario, size)) ?? [];
}

/** A failure of any round, if there was one. */
function failureOf(implementation: ImplementationId, scenario: AnyScenarioId, size: number): CellOutcome | undefined {
  return outcomesOf(implementation, scenario, size).find((o) => o !== undefined && o.kind !== 'time');
}

/** The median of the rounds' times for one measure, with their range; undefined when none ran or one failed. */
function spreadOf(implementation: ImplementationId, scenario: AnyScenarioId, size: number, measure: Measure): Spread | undefined {
  if (failureOf(implementation, scenario, size) !== undefined) return undefined;
  const times = outcomesOf(implementation, scenario, size)
    .map((o) => roundTime(o, measure))
    .filter((t): t is number => t !== undefined);
  if (times.length === 0) return undefined;
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), samples: times.length };
}

const timeOf = (implementation: ImplementationId, scenario: AnyScenarioId, size: number, measure: Measure): number | undefined =>
  spreadOf(implementation, scenario, size, measure)?.medianMs;

/** A cell's time for one measure, or why there is none; ⚠ when it ran under load in most rounds. */
function show(implementation: ImplementationId, scenario: AnyScenarioId, size: number, measure: Measure): string {
  const failure = failureOf(implementation, scenario, size);
  if (failure !== undefined) return formatFailure(failure);
  const spread = spreadOf(implementation, scenario, size, measure);
  if (spread === undefined) return '—';
  const cell = key(implementation, scenario, size);
  const ran = outcomesOf(implementation, scenario, size).filter((o) => o !== undefined).length;
  return formatSpread(spread) + ((contendedRounds.get(cell) ?? 0) * 2 > ran ? ' ⚠' : '');
}

/**
 * a / b as the median of the rounds' ratios: each round measures a and b a few seconds apart, so
 * a slow spell of the machine weighs on both sides of a ratio rather than on one.
 */
function pairedRatio(a: ImplementationId, b: ImplementationId, scenario: AnyScenarioId, size: number, measure: Measure): number | undefined {
  const as = outcomesOf(a, scenario, size);
  const bs = outcomesOf(b, scenario, size);
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(as.length, bs.length); r++) {
    const ta = roundTime(as[r], measure);
    const tb = roundTime(bs[r], measure);
    if (ta !== undefined && tb !== undefined) ratios.push(ta / tb);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

/** Best peer / library (warm): a lower bound (">") when the best peer ran out of budget. */
function peerRatio(scenario: AnyScenarioId, size: number): string {
  const library = timeOf('library', scenario, size, 'warm');
  if (library === undefined) return '—';
  const peers = (['scim-patch', 'scimmy'] as const).map((p) => ({ time: timeOf(p, scenario, size, 'warm'), failure: failureOf(p, scenario, size) }));
  const times = peers.map((p) => p.time).filter((t): t is number => t !== undefined);
  if (times.length > 0) return formatRatio(Math.min(...times) / library);
  if (peers.some((p) => p.failure?.kind === 'over-budget')) return `> ${formatRatio(BUDGET_MS / library)}`;
  return '—';
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 2): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < leftColumns ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const sizeLabel = (size: number): string => size.toLocaleString('en-US');

/** Library and baseline side by side: warm, after a full GC, first call, each with its ratio. */
function speedTable(kind: 'group' | 'user'): string | undefined {
  const rows: string[][] = [];
  for (const scenario of scenarios.filter((s) => s.kind === kind)) {
    for (const size of scenario.sizes) {
      if (outcomesOf('library', scenario.id, size).length === 0 && outcomesOf('baseline', scenario.id, size).length === 0) continue;
      const row = [`${scenario.id} ${scenario.title}`, sizeLabel(size)];
      for (const measure of MEASURES) {
        row.push(show('library', scenario.id, size, measure), show('baseline', scenario.id, size, measure), showRatio(pairedRatio('library', 'baseline', scenario.id, size, measure)));
      }
      rows.push(row);
    }
  }
  if (rows.length === 0) return undefined;
  const header = [
    'scenario',
    kind === 'group' ? 'members' : 'emails',
    ...MEASURES.flatMap((m) => [`library ${MEASURE_NAMES[m]}`, `baseline ${MEASURE_NAMES[m]}`, `library / baseline ${MEASURE_NAMES[m]}`]),
  ];
  return markdownTable(header, rows);
}

/** The peers (warm), the best peer's ratio, and how the library grows with the size. */
function peerTable(kind: 'group' | 'user'): string | undefined {
  const rows: string[][] = [];
  for (const scenario of scenarios.filter((s) => s.kind === kind)) {
    let previous: { size: number; warm?: number; afterGc?: number } | undefined;
    for (const size of scenario.sizes) {
      const warm = timeOf('library', scenario.id, size, 'warm');
      const afterGc = timeOf('library', scenario.id, size, 'afterGc');
      const growth = (now: number | undefined, before: number | undefined): string =>
        previous === undefined || now === undefined || before === undefined ? '—' : formatRatio(now / before);
      rows.push([
        `${scenario.id} ${scenario.title}`,
        sizeLabel(size),
        show('library', scenario.id, size, 'warm'),
        ...(withFull && kind === 'group' ? [show('library-full', scenario.id, size, 'warm')] : []),
        show('scim-patch', scenario.id, size, 'warm'),
        show('scimmy', scenario.id, size, 'warm'),
        peerRatio(scenario.id, size),
        growth(warm, previous?.warm),
        growth(afterGc, previous?.afterGc),
      ]);
      previous = { size, ...(warm === undefined ? {} : { warm }), ...(afterGc === undefined ? {} : { afterGc }) };
    }
  }
  if (rows.length === 0) return undefined;
  return markdownTable(
    [
      'scenario',
      kind === 'group' ? 'members' : 'emails',
      'library',
      ...(withFull && kind === 'group' ? ["library (storedGroupCheck 'full')"] : []),
      'scim-patch',
      'scimmy',
      'best peer / library',
      'library growth (10× the size), warm',
      'after a full GC',
    ],
    rows,
  );
}

/** S6 and S6r against the baseline that returns the library's member order. */
function keptOrderTable(): string | undefined {
  const rows: string[][] = [];
  for (const scenario of scenarios.filter((s) => s.id === 'S6' || s.id === 'S6r')) {
    for (const size of scenario.sizes) {
      if (outcomesOf('baseline-kept-order', scenario.id, size).length === 0) continue;
      rows.push([
        scenario.id,
        sizeLabel(size),
        show('library', scenario.id, size, 'warm'),
        show('baseline', scenario.id, size, 'warm'),
        show('baseline-kept-order', scenario.id, size, 'warm'),
        showRatio(pairedRatio('library', 'baseline', scenario.id, size, 'warm')),
        showRatio(pairedRatio('library', 'baseline-kept-order', scenario.id, size, 'warm')),
        showRatio(pairedRatio('library', 'baseline-kept-order', scenario.id, size, 'afterGc')),
      ]);
    }
  }
  if (rows.length === 0) return undefined;
  return markdownTable(
    ['scenario', 'members', 'library', 'baseline (request order)', "baseline (library's order)", 'library / baseline', "library / baseline with library's order, warm", 'after a full GC'],
    rows,
  );
}

/** The issue's targets at 100,000 members (S2–S6) and the growth to 1,000,000, checked. */
function targetTable(): string | undefined {
  const rows: string[][] = [];
  const mark = (ratio: number | undefined, limit: number, stretch?: number): string =>
    ratio === undefined ? '—' : `${formatRatio(ratio)} ${stretch !== undefined && ratio <= stretch ? '✓✓' : ratio <= limit ? '✓' : '✗'}`;
  for (const id of ['S2', 'S3', 'S4', 'S5', 'S6'] as const) {
    if (!scenarios.some((s) => s.id === id)) continue;
    const big = timeOf('library', id, 1_000_000, 'warm');
    const base = timeOf('library', id, 100_000, 'warm');
    rows.push([
      id,
      ...MEASURES.map((m) => mark(pairedRatio('library', 'baseline', id, 100_000, m), 2, 1.5)),
      big === undefined || base === undefined ? '—' : mark(big / base, 12),
    ]);
  }
  if (rows.length === 0) return undefined;
  return markdownTable(
    ['scenario', 'library / baseline at 100,000, warm', 'after a full GC', 'first call', 'growth 100,000 → 1,000,000 (warm)'],
    rows,
    1,
  );
}

function problems(): string[] {
  const out: string[] = [];
  for (const [cell, outcomes] of rounds) {
    for (const outcome of outcomes) {
      if (outcome?.kind === 'wrong' || outcome?.kind === 'error') out.push(`- ${cell}: ${outcome.kind}: ${outcome.detail}`);
    }
  }
  return [...new Set(out)];
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

function command(): string {
  const knobs = ['BENCH_QUICK', 'BENCH_ROUNDS', 'BENCH_SCENARIOS', 'BENCH_IMPLS', 'BENCH_SIZES', 'BENCH_USER_SIZES', 'BENCH_BUDGET_MS']
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name] ?? ''} `)
    .join('');
  return `${knobs}npm run bench`;
}

function runHeader(started: Date): string[] {
  const dirty = git('status', '--porcelain', '--', 'src') === '' ? '' : ' (src/ has uncommitted changes)';
  return [
    `- library: commit ${git('rev-parse', '--short', 'HEAD')}${dirty}; scim-patch 0.8.3, scimmy 1.3.5`,
    `- ${formatMachine(describeMachine())}`,
    `- \`${command()}\`, ${started.toISOString().slice(0, 16).replace('T', ' ')}–${new Date().toISOString().slice(11, 16)} UTC: ${String(ROUNDS)} rounds (processes) of the library's and the baselines' cells, the peers once; warm sampling ${JSON.stringify({ targetMs: SAMPLING.targetMs, minSamples: SAMPLING.minSamples, maxSamples: SAMPLING.maxSamples })}; ${String(SAMPLING.afterGcCalls)} calls after a full GC per round; a peer's budget ${formatMs(BUDGET_MS)} per first call`,
  ];
}

// ---------------------------------------------------------------------------------------------
// The chart

function chartRows(): ChartMeasurement[] {
  const rows: ChartMeasurement[] = [];
  for (const scenario of scenarios) {
    // A panel is about 370 px wide: a long title is cut.
    const title = scenario.title.length > 34 ? `${scenario.title.slice(0, 33).trimEnd()}…` : scenario.title;
    const panel = `${scenario.id} ${title}`;
    for (const size of scenario.sizes) {
      for (const implementation of ['library', 'baseline', 'scim-patch', 'scimmy'] as const) {
        if (outcomesOf(implementation, scenario.id, size).length === 0) continue;
        rows.push({ panel, series: implementation, x: size, y: timeOf(implementation, scenario.id, size, 'warm') });
        if (implementation === 'library' || implementation === 'baseline') {
          rows.push({ panel, series: `${implementation} (after a full GC)`, x: size, y: timeOf(implementation, scenario.id, size, 'afterGc'), dashed: true });
        }
      }
    }
  }
  return rows;
}

function writeChart(): void {
  const svg = renderChart({
    title: 'scim-group-patch: time per PATCH request against the size of the resource',
    subtitle: `${formatMachine(describeMachine())}\nsolid: warm; dashed: after a full GC; a missing point: over the budget, wrong, or not run (peers stop at 100,000 members)`,
    xLabel: 'members of the group (S1–S7) or emails of the user (U1–U3)',
    yLabel: 'time per request',
    panels: panelsFromMeasurements(chartRows()),
  });
  writeFileSync(RESULTS_SVG, svg);
}

/** Replaces the text between the `bench:run` markers of RESULTS.md. */
function writeResults(text: string): void {
  const begin = '<!-- bench:run begin -->';
  const end = '<!-- bench:run end -->';
  const current = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '';
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const block = `${begin}\n${text}\n${end}`;
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current}\n${block}\n`;
  writeFileSync(RESULTS_MD, next);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const cells = plan();
  let done = 0;
  for (const { scenario, size, round, implementation } of cells) {
    done++;
    const label = `cell ${String(done)}/${String(cells.length)}, ${scenario.id} ${size >= 1000 ? `${String(size / 1000)}k` : String(size)} ${implementation.id}${ROUNDS > 1 ? ` round ${String(round + 1)}` : ''}`;
    process.stderr.write(`${label} …`);
    const task: CellTask = { implementation: implementation.id, scenario: scenario.id, size, ...SAMPLING };
    const before = await loadBeforeCell();
    const start = cpuTimes();
    const outcome = await runCell(task, implementation.budgeted ? BUDGET_MS : undefined);
    const during = busyCores(start, cpuTimes());
    const cell = key(implementation.id, scenario.id, size);
    const list = rounds.get(cell) ?? [];
    list[round] = outcome;
    rounds.set(cell, list);
    if (before > OTHER_LOAD_LIMIT || during > CELL_LOAD_LIMIT) contendedRounds.set(cell, (contendedRounds.get(cell) ?? 0) + 1);
    const result =
      outcome.kind === 'time'
        ? `warm ${formatMs(outcome.warm.medianMs)} (${String(outcome.warm.samples)}×${String(outcome.batch)} calls), after a full GC ${formatMs(outcome.afterGc.medianMs)}, first call ${formatMs(outcome.firstMs)}`
        : `${formatFailure(outcome)}${outcome.kind === 'wrong' || outcome.kind === 'error' ? `: ${outcome.detail}` : ''}`;
    process.stderr.write(` ${result} [load: ${before.toFixed(2)} cores before, ${during.toFixed(2)} during]\n`);
  }

  const output: string[] = ['## Run', '', ...runHeader(started), ''];
  const targets = targetTable();
  if (targets !== undefined) output.push('### Targets (S2–S6 within 2× the baseline ✓, within 1.5× ✓✓; growth at most 12× ✓)', '', targets, '');
  const groupSpeed = speedTable('group');
  if (groupSpeed !== undefined) output.push('### Groups: the library and the baseline (median of the rounds, and their range)', '', groupSpeed, '');
  const groupPeers = peerTable('group');
  if (groupPeers !== undefined) output.push('### Groups: the peers (warm)', '', groupPeers, '');
  const keptOrder = keptOrderTable();
  if (keptOrder !== undefined) output.push('### Replace all: the two baselines', '', keptOrder, '');
  const userSpeed = speedTable('user');
  if (userSpeed !== undefined) output.push('### Users: the library and the baseline', '', userSpeed, '');
  const userPeers = peerTable('user');
  if (userPeers !== undefined) output.push('### Users: the peers (warm)', '', userPeers, '');
  const contended = [...contendedRounds.entries()].filter(([cell, n]) => n * 2 > (rounds.get(cell) ?? []).filter((o) => o !== undefined).length);
  if (contended.length > 0) {
    output.push(
      `⚠ ${String(contended.length)} cells ran while other processes used the CPU (more than ${String(OTHER_LOAD_LIMIT)} busy cores before the cell, or more than ${String(CELL_LOAD_LIMIT)} during it) in more than half of their rounds; their times may be inflated.`,
      '',
    );
  }
  const issues = problems();
  if (issues.length > 0) output.push('Wrong results and errors:', '', ...issues, '');

  if (process.env.BENCH_MEMORY !== '0') {
    const size = 1_000_000;
    const memoryScenarios = (['S2', 'S3', 'S4', 'S5', 'S6', 'S7'] as const).filter((id) => SCENARIO_FILTER === undefined || SCENARIO_FILTER.includes(id));
    const rows: string[][] = [];
    for (const id of memoryScenarios) {
      for (const implementation of ['library', 'baseline'] as const) {
        process.stderr.write(`memory: ${id} 1M ${implementation} …\n`);
        const report = await runMemory(implementation, id, size);
        if (typeof report === 'string') {
          rows.push([id, implementation, `error: ${report}`, '', '', '', '', '']);
          continue;
        }
        rows.push([
          id,
          implementation,
          formatBytes(report.groupHeapBytes),
          `${formatBytes(report.allocatedHeapBytes)}${report.gcsDuringPatch > 0 ? ` (${String(report.gcsDuringPatch)} GCs ran)` : ''}`,
          formatBytes(report.retainedHeapBytes),
          report.peakRssGrowthBytes === undefined ? 'n/a' : formatBytes(report.peakRssGrowthBytes),
          formatMs(report.patchMs),
        ]);
      }
    }
    if (rows.length > 0) {
      output.push(
        `### Memory of one patch on ${sizeLabel(size)} members`,
        '',
        markdownTable(['scenario', 'implementation', 'group alone (heap)', 'heap allocated by the patch', 'retained by the result', 'peak RSS growth during the patch', 'time (first call)'], rows),
        '',
      );
    }
  }
  output.push(`Total run time: ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);

  const text = output.join('\n');
  console.log(text);
  if (WRITE) {
    writeResults(text);
    writeChart();
    process.stderr.write(`wrote ${RESULTS_MD} and ${RESULTS_SVG}\n`);
  }
  const jsonPath = process.env.BENCH_JSON;
  if (jsonPath !== undefined && jsonPath !== '') writeFileSync(jsonPath, JSON.stringify(Object.fromEntries(rounds), null, 2));
}

await main();
