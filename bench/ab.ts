/**
 * A/B timing of two copies of the library on one scenario, for a change whose effect is smaller
 * than the machine's drift. Each measurement runs in a fresh process (one copy of the library,
 * nothing else in its heap), and the two copies alternate, so slow spells hit both alike:
 *
 *   mkdir -p /tmp/ab/ref && git archive HEAD src tsconfig.json | tar -x -C /tmp/ab/ref
 *   npx tsx bench/ab.ts /tmp/ab/ref/src/index.ts S6 100000 [pairs] [seconds] [other src/index.ts]
 *
 * A is the reference, B this checkout's src (or the last argument). Prints each process's median time per call, then
 * the median of the B / A ratios of the pairs.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LIBRARY_OPTIONS } from './options.js';
import { buildCase, checkResult, scenarioById } from './scenarios.js';
import { median } from './stats.js';

type Library = typeof import('../src/index.js');

/** In a child: times one copy of the library and prints its median time per call, in ms. */
async function child(modulePath: string, scenarioId: string, size: number, seconds: number): Promise<void> {
  const library = (await import(pathToFileURL(modulePath).href)) as Library;
  const benchCase = buildCase(scenarioById(scenarioId), size);
  const call = (): ReturnType<Library['applyGroupPatch']> =>
    library.applyGroupPatch(benchCase.group, benchCase.body, LIBRARY_OPTIONS);
  const first = call();
  const problem = checkResult({ displayName: first.displayName, members: first.members ?? [] }, benchCase.expected);
  if (problem !== undefined) throw new Error(`${modulePath}: wrong result: ${problem}`);
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  // Leave out the first quarter: the code is still being optimized.
  console.log(String(median(times.slice(Math.floor(times.length / 4)))));
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1]!, argv[2]!, Number(argv[3]), Number(argv[4]));
} else {
  const [referencePath, scenarioId = 'S6', sizeArg = '100000', pairsArg = '6', secondsArg = '2', otherPath] = argv;
  if (referencePath === undefined) throw new Error('usage: bench/ab.ts <reference src/index.ts> [scenario] [size] [pairs] [seconds] [other src/index.ts]');
  const self = fileURLToPath(import.meta.url);
  const current = otherPath === undefined ? resolve(self, '../../src/index.ts') : resolve(otherPath);
  const run = (modulePath: string): number =>
    Number(
      execFileSync(process.execPath, ['--import', 'tsx', self, '--child', resolve(modulePath), scenarioId, sizeArg, secondsArg], {
        encoding: 'utf8',
      }).trim(),
    );
  const ratios: number[] = [];
  for (let pair = 0; pair < Number(pairsArg); pair++) {
    // Alternate which copy goes first.
    let msA: number;
    let msB: number;
    if (pair % 2 === 0) {
      msA = run(referencePath);
      msB = run(current);
    } else {
      msB = run(current);
      msA = run(referencePath);
    }
    ratios.push(msB / msA);
    console.log(`pair ${String(pair + 1)}: A ${msA.toFixed(3)} ms, B ${msB.toFixed(3)} ms, B / A ${(msB / msA).toFixed(3)}`);
  }
  console.log(`${scenarioId} at ${sizeArg} members: median B / A ${median(ratios).toFixed(3)} over ${String(ratios.length)} pairs`);
}
