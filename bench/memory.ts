/**
 * Memory of one patch (S2 by default: add 1,000 new members) on a large group, in a process of its own.
 *
 *   node --expose-gc --import tsx bench/memory.ts <library|baseline> <size> [scenario]
 *
 * - group alone: heap used after a GC with the group built, minus before it was built.
 * - peak RSS growth: Linux's peak RSS (VmHWM) is reset just before the patch
 *   (echo 5 > /proc/self/clear_refs), so VmHWM after it minus VmRSS before it is how much the
 *   process grew while patching. Elsewhere (no /proc) it is not reported.
 * - heap allocated: heap used right after the patch minus just before, garbage included. It is
 *   everything the patch allocated only when no GC ran in between: run.ts runs this script a
 *   second time with --max-semi-space-size large for that number, and reports the GCs counted.
 * - retained: heap used after a GC while the result is kept alive, minus before the patch.
 *
 * run.ts merges the two runs; run alone, this prints its JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { BASELINES } from './baseline.js';
import { LIBRARY_OPTIONS } from './options.js';
import { applyGroupPatch, type Group } from '../src/index.js';
import { buildGroup, checkResult, scenarioById, type ScenarioId } from './scenarios.js';

export interface MemoryReport {
  readonly implementation: string;
  readonly size: number;
  readonly groupHeapBytes: number;
  /** alloc mode: heap allocated by the patch (no GC ran when gcsDuringPatch is 0). */
  readonly allocatedHeapBytes: number;
  readonly gcsDuringPatch: number;
  /** Heap still used after GC while the result is kept (the new member list, the new objects). */
  readonly retainedHeapBytes: number;
  /** peak mode: peak RSS during the patch minus RSS before it; undefined when Linux refuses the reset. */
  readonly peakRssGrowthBytes: number | undefined;
  /** One cold call. */
  readonly patchMs: number;
}

function gc(): void {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
}

const heapUsed = (): number => process.memoryUsage().heapUsed;

/** A field of /proc/self/status, in bytes. */
function procStatus(field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export async function measure(implementation: 'library' | 'baseline', size: number, scenarioId: ScenarioId = 'S2'): Promise<MemoryReport> {
  const scenario = scenarioById(scenarioId);
  const apply = (group: Group, body: unknown): Group =>
    implementation === 'library'
      ? applyGroupPatch(group, body, LIBRARY_OPTIONS)
      : BASELINES[scenario.id](group, body as Parameters<(typeof BASELINES)['S2']>[1]);

  gc();
  const beforeGroup = heapUsed();
  const group = buildGroup(size);
  gc();
  const groupHeapBytes = heapUsed() - beforeGroup;
  const { body, expected } = scenario.request(size);
  gc();

  const gcTimes: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcTimes.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });

  const canReset = resetPeakRss();
  const rssBefore = procStatus('VmRSS');
  const heapBefore = heapUsed();
  const start = performance.now();
  const result = apply(group, body);
  const end = performance.now();
  const heapAfter = heapUsed();
  const peak = procStatus('VmHWM');

  const problem = checkResult({ displayName: result.displayName, members: result.members ?? [] }, expected);
  if (problem !== undefined) throw new Error(`wrong result: ${problem}`);
  gc();
  const retainedHeapBytes = heapUsed() - heapBefore;
  await new Promise((resolve) => setTimeout(resolve, 50)); // let GC entries arrive
  observer.disconnect();
  if (result.members === group.members) throw new Error('unexpected: members shared');

  return {
    implementation,
    size,
    groupHeapBytes,
    allocatedHeapBytes: heapAfter - heapBefore,
    gcsDuringPatch: gcTimes.filter((t) => t >= start && t <= end).length,
    retainedHeapBytes,
    peakRssGrowthBytes: canReset && peak !== undefined && rssBefore !== undefined ? peak - rssBefore : undefined,
    patchMs: end - start,
  };
}

const implementation = process.argv[2] === 'baseline' ? 'baseline' : 'library';
const size = Number(process.argv[3] ?? 1_000_000);
measure(implementation, size, scenarioById(process.argv[4] ?? 'S2').id).then(
  (report) => {
    if (process.send !== undefined) process.send(report);
    else console.log(JSON.stringify(report, null, 2));
  },
  (error: unknown) => {
    const message = { error: error instanceof Error ? error.message : String(error) };
    if (process.send !== undefined) process.send(message);
    else console.error(message.error);
    process.exitCode = 1;
  },
);
