/**
 * Reproduction: member operations whose filter is not a plain `value eq "…"` (or an `or` of them)
 * scan the whole group once per operation, so one request costs O(members × operations).
 *
 *   npx tsx bench/repro-filter-scan.ts [members=100000] [operations=100]
 *
 * `remove members[value eq "x"]` is turned into a delete by key (fast). These are not:
 *   - remove  members[value eq "x" and display pr]
 *   - remove  members[display eq "User 7"]
 *   - replace members[value eq "x"].display   (an update of one member, by id)
 * With the default limits (1,000 operations per request) a single request on a 100,000-member
 * group runs for about 10 s.
 */
import { applyGroupPatch, ScimError } from '../src/index.js';
import { buildGroup, memberValue, PATCH_OP_URN } from './scenarios.js';

const size = Number(process.argv[2] ?? 100_000);
const operations = Number(process.argv[3] ?? 100);
const group = buildGroup(size);
const values = Array.from({ length: operations }, (_, k) => memberValue(Math.floor((k * size) / operations)));

const shapes: Record<string, (value: string) => object> = {
  'remove members[value eq "x"]            (key lookup)': (v) => ({ op: 'remove', path: `members[value eq "${v}"]` }),
  'remove members[value eq "x" and display pr]': (v) => ({ op: 'remove', path: `members[value eq "${v}" and display pr]` }),
  'remove members[display eq "User n"]': (v) => ({ op: 'remove', path: `members[display eq "${v.replace('user-', 'User ')}"]` }),
  'replace members[value eq "x"].display': (v) => ({ op: 'replace', path: `members[value eq "${v}"].display`, value: 'Renamed' }),
};

console.log(`${String(operations)} operations on ${size.toLocaleString('en-US')} members:`);
for (const [label, operation] of Object.entries(shapes)) {
  const body = { schemas: [PATCH_OP_URN], Operations: values.map(operation) };
  applyGroupPatch(buildGroup(1000), { schemas: [PATCH_OP_URN], Operations: [] }); // load the code
  const start = process.hrtime.bigint();
  let outcome: string;
  try {
    outcome = `${String(applyGroupPatch(group, body).members?.length)} members after`;
  } catch (error) {
    outcome = error instanceof ScimError ? `${String(error.status)} ${String(error.scimType)}: ${error.detail}` : String(error);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`  ${label.padEnd(52)} ${ms.toFixed(1).padStart(9)} ms  (${outcome})`);
}
