/**
 * Runs the library on one scenario in a loop, for a CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts S6 100000 [seconds]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts U2 1000 [seconds]
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/*.cpuprofile
 *
 * The resource and the request are built first (that part shows in the profile too, under
 * buildCase; the summary script leaves it out when told to only look under applyGroupPatch or
 * applyPatch).
 */
import { applyGroupPatch, applyPatch } from '../src/index.js';
import { LIBRARY_OPTIONS } from './options.js';
import { buildCase, checkResult, scenarioById } from './scenarios.js';
import { USER_OPTIONS } from './user-implementations.js';
import { buildUserCase } from './user-scenarios.js';

const id = process.argv[2] ?? 'S6';
const size = Number(process.argv[3] ?? 100_000);
const seconds = Number(process.argv[4] ?? 5);

function setUp(): () => unknown {
  if (id.startsWith('U')) {
    const userCase = buildUserCase(id, size);
    const problem = userCase.check(applyPatch(userCase.user, userCase.body, USER_OPTIONS));
    if (problem !== undefined) throw new Error(`wrong result: ${problem}`);
    return () => applyPatch(userCase.user, userCase.body, USER_OPTIONS);
  }
  const benchCase = buildCase(scenarioById(id), size);
  const first = applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS);
  const problem = checkResult({ displayName: first.displayName, members: first.members ?? [] }, benchCase.expected);
  if (problem !== undefined) throw new Error(`wrong result: ${problem}`);
  return () => applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS);
}

const call = setUp();
let calls = 0;
const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() < end) {
  call();
  calls++;
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`${id} ${String(size)}: ${String(calls)} calls, ${(ms / calls).toFixed(3)} ms per call`);
