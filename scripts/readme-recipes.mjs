// Copies each recipe file into README.md, so the README shows the code that the tests compile and
// run. Anywhere in the README, a line `<!-- recipe: examples/recipes/x.ts -->` is followed by a
// fenced ```ts block, whose content is the file.
//
//   node scripts/readme-recipes.mjs            rewrite the blocks from the files
//   node scripts/readme-recipes.mjs --check    exit 1 when a block differs from its file
//
// An optional path names another README (the tests use a copy); recipe paths are always read
// from the repository root. Every file of examples/recipes/ except store.ts must have a block.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const readmePath = args.find((a) => !a.startsWith('--')) ?? `${root}README.md`;

const MARKER = /^<!-- recipe: (\S+) -->$/;
const FENCE_OPEN = '```ts';
const FENCE_CLOSE = '```';

/** The recipe files the README must show: every .ts file of examples/recipes/ but the store. */
function expectedRecipes() {
  return readdirSync(`${root}examples/recipes`)
    .filter((name) => name.endsWith('.ts') && name !== 'store.ts')
    .map((name) => `examples/recipes/${name}`)
    .sort();
}

/**
 * The README with each recipe block replaced by its file, and the problems found.
 * @param {string} readme
 */
function rewrite(readme) {
  const lines = readme.split('\n');
  const problems = [];
  const start = -1;
  const end = lines.length;

  const out = lines.slice(0, start + 1);
  const seen = [];
  const differs = [];
  for (let i = start + 1; i < end; i++) {
    const line = lines[i] ?? '';
    out.push(line);
    const marker = MARKER.exec(line);
    if (marker === null) continue;
    const file = marker[1] ?? '';
    seen.push(file);
    let open = i + 1;
    while (open < end && lines[open] === '') out.push(lines[open++] ?? '');
    if (lines[open] !== FENCE_OPEN) {
      problems.push(`${file}: the marker is not followed by a ${FENCE_OPEN} block`);
      continue;
    }
    const close = lines.findIndex((l, j) => j > open && l === FENCE_CLOSE);
    if (close === -1 || close >= end) {
      problems.push(`${file}: its ${FENCE_OPEN} block is not closed`);
      continue;
    }
    let code;
    try {
      code = readFileSync(`${root}${file}`, 'utf8').replace(/\n+$/, '');
    } catch {
      problems.push(`${file}: no such file`);
      continue;
    }
    if (lines.slice(open + 1, close).join('\n') !== code) differs.push(file);
    out.push(FENCE_OPEN, code, FENCE_CLOSE);
    i = close;
  }
  for (const file of expectedRecipes()) {
    if (!seen.includes(file)) problems.push(`${file}: no <!-- recipe: ${file} --> block in the README`);
  }
  out.push(...lines.slice(end));
  return { text: out.join('\n'), problems, differs };
}

const readme = readFileSync(readmePath, 'utf8');
const { text, problems, differs } = rewrite(readme);
for (const problem of problems) console.error(`readme-recipes: ${problem}`);
if (check) {
  for (const file of differs) console.error(`readme-recipes: README shows another version of ${file}`);
  if (differs.length > 0) console.error('readme-recipes: run `npm run readme:recipes` to copy the files into README.md');
  process.exit(problems.length > 0 || differs.length > 0 ? 1 : 0);
}
if (problems.length > 0) process.exit(1);
if (text !== readme) writeFileSync(readmePath, text);
console.log(`readme-recipes: ${differs.length === 0 ? 'README already shows every recipe' : `updated ${differs.join(', ')}`}`);
