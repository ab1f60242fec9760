/**
 * A/B timing of two copies of the library in one process, interleaved, to compare a change
 * against a reference on a noisy machine:
 *
 *   git archive HEAD src | tar -x -C /tmp/ab/old
 *   node --expose-gc --import tsx bench/ab.ts /tmp/ab/old/src/index.ts S6 100000 [rounds]
 *
 * Each round times a batch of calls of A (the reference), of B (this checkout's src) and of the
 * baseline, in a rotating order; it prints the median per call of each and B / A.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import * as current from '../src/index.js';
import { BASELINES } from './baseline.js';
import { LIBRARY_OPTIONS } from './options.js';
import { buildCase, checkResult, scenarioById } from './scenarios.js';

const [referencePath, scenarioId = 'S6', sizeArg = '100000', roundsArg = '15'] = process.argv.slice(2);
if (referencePath === undefined) throw new Error('usage: bench/ab.ts <reference src/index.ts> [scenario] [size] [rounds]');
const reference = (await import(pathToFileURL(resolve(referencePath)).href)) as typeof current;
const scenario = scenarioById(scenarioId);
const size = Number(sizeArg);
const rounds = Number(roundsArg);
const benchCase = buildCase(scenario, size);

type Call = () => { displayName: unknown; members?: readonly { value?: unknown }[] | null };
const calls: Record<string, Call> = {
  A: () => reference.applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS),
  B: () => current.applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS),
  baseline: () => BASELINES[scenario.id](benchCase.group, benchCase.body),
};
for (const [name, call] of Object.entries(calls)) {
  const result = call();
  const problem = checkResult({ displayName: result.displayName, members: result.members ?? [] }, benchCase.expected);
  if (problem !== undefined) throw new Error(`${name}: wrong result: ${problem}`);
}

/** Calls per batch so a batch lasts about 50 ms. */
function batchSize(call: Call): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 50) { call(); n++; }
  return Math.max(1, n);
}
const names = Object.keys(calls);
const batches = Object.fromEntries(names.map((name) => [name, batchSize(calls[name]!)]));
const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    const call = calls[name]!;
    const n = batches[name]!;
    const start = performance.now();
    for (let i = 0; i < n; i++) call();
    samples[name]!.push((performance.now() - start) / n);
  }
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const m = Object.fromEntries(names.map((name) => [name, median(samples[name]!)]));
for (const name of names) console.log(`${name.padEnd(9)} ${m[name]!.toFixed(3)} ms  (${String(batches[name])} calls per batch)`);
console.log(`B / A ${(m.B! / m.A!).toFixed(3)}   A / baseline ${(m.A! / m.baseline!).toFixed(2)}   B / baseline ${(m.B! / m.baseline!).toFixed(2)}`);
