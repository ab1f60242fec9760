/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, highest first.
 *
 *   npx tsx bench/cpuprofile-top.ts <file.cpuprofile> [count] [--under=applyGroupPatch] [--lines]
 *
 * With --under=<name>, only samples taken inside a call of a function of that name count (so the
 * set-up of the profiled script stays out of the percentages; so does the garbage collector).
 * With --lines, also the hottest source lines (V8's positionTicks) with their text. Under tsx
 * every function is on line 1 of its transformed module, so profile an esbuild bundle for lines:
 *
 *   npx esbuild bench/profile.ts --bundle --platform=node --format=esm --outfile=/tmp/prof/profile.mjs
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof /tmp/prof/profile.mjs S6 100000
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  /** Samples per source line (1-based) while this node was on top. */
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (file === undefined) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [count] [--under=name]');
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
const under = args.find((a) => a.startsWith('--under='))?.slice('--under='.length);
const showLines = args.includes('--lines');

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Whether a node has an ancestor (or is itself) a function named `name`. */
const insideCache = new Map<number, boolean>();
function inside(id: number, name: string): boolean {
  const cached = insideCache.get(id);
  if (cached !== undefined) return cached;
  const node = byId.get(id);
  const up = parent.get(id);
  const result = node?.callFrame.functionName === name || (up !== undefined && inside(up, name));
  insideCache.set(id, result);
  return result;
}

function label(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const where = frame.url === '' ? '' : ` ${frame.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/')}:${String(frame.lineNumber + 1)}`;
  return `${name}${where}`;
}

const self = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const dt = profile.timeDeltas[i] ?? 0;
  if (under !== undefined && !inside(id, under)) continue;
  const node = byId.get(id);
  if (node === undefined) continue;
  const name = label(node.callFrame);
  self.set(name, (self.get(name) ?? 0) + dt);
  total += dt;
}

const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
console.log(`self time${under === undefined ? '' : ` under ${under}`}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('| self ms | self % | function |');
console.log('| ---: | ---: | --- |');
for (const [name, us] of rows) {
  console.log(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% | ${name} |`);
}

if (showLines) {
  const ticksByLine = new Map<string, { url: string; line: number; fn: string; ticks: number }>();
  let totalTicks = 0;
  for (const node of profile.nodes) {
    if (under !== undefined && !inside(node.id, under)) continue;
    for (const { line, ticks } of node.positionTicks ?? []) {
      const id = `${node.callFrame.url}:${String(line)}`;
      const entry = ticksByLine.get(id) ?? { url: node.callFrame.url, line, fn: node.callFrame.functionName, ticks: 0 };
      entry.ticks += ticks;
      ticksByLine.set(id, entry);
      totalTicks += ticks;
    }
  }
  const sourceCache = new Map<string, string[]>();
  const lineText = (url: string, line: number): string => {
    if (!url.startsWith('file:')) return '';
    let lines = sourceCache.get(url);
    if (lines === undefined) {
      const path = fileURLToPath(url);
      lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
      sourceCache.set(url, lines);
    }
    return (lines[line - 1] ?? '').trim().slice(0, 110);
  };
  console.log('');
  console.log(`hottest lines (${String(totalTicks)} ticks):`);
  console.log('| ticks % | function | line | code |');
  console.log('| ---: | --- | ---: | --- |');
  for (const entry of [...ticksByLine.values()].sort((a, b) => b.ticks - a.ticks).slice(0, count)) {
    const code = lineText(entry.url, entry.line).replaceAll('|', '\\|');
    console.log(`| ${((100 * entry.ticks) / totalTicks).toFixed(1)}% | ${entry.fn} | ${String(entry.line)} | \`${code}\` |`);
  }
}
