/**
 * Runs the library on one scenario in a loop, for a CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts S6 100000 [seconds]
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/*.cpuprofile
 *
 * The group and the request are built first (that part shows in the profile too, under
 * buildCase; the summary script leaves it out when told to only look under applyGroupPatch).
 */
import { applyGroupPatch } from '../src/index.js';
import { LIBRARY_OPTIONS } from './options.js';
import { buildCase, checkResult, scenarioById } from './scenarios.js';

const scenario = scenarioById(process.argv[2] ?? 'S6');
const size = Number(process.argv[3] ?? 100_000);
const seconds = Number(process.argv[4] ?? 5);

const benchCase = buildCase(scenario, size);
const first = applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS);
const problem = checkResult({ displayName: first.displayName, members: first.members ?? [] }, benchCase.expected);
if (problem !== undefined) throw new Error(`wrong result: ${problem}`);

let calls = 0;
const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
let last = first;
while (process.hrtime.bigint() < end) {
  last = applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS);
  calls++;
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`${scenario.id} ${String(size)} members: ${String(calls)} calls, ${(ms / calls).toFixed(3)} ms per call (last: ${String(last.members?.length)} members)`);
