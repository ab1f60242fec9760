// Size budget and tree-shaking of the ESM build: fails when the minified + brotli size of
// dist/index.js passes the budget, or when importing only the error builder pulls in the parser.
//   npm run build && node scripts/check-size.mjs
import { build } from 'esbuild';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

// Minified + brotli, whole library: about 22.7 kB. It was 20.8 kB before the speed work of
// "fast on a cold heap" (0.9 kB: the keyed list's passes of their own, the samples that keep
// V8's compiled code across full GCs, the reader of members[value eq "…"] paths; 0.7 kB: filters
// made into tests once and the equality index that spares applyPatch a pass per operation).
export const BUDGET_BYTES = 23.5 * 1024;
// applyGroupPatch alone: it runs on the engine every resource shares (the draft, the keyed list,
// the compiled Group schema), about 14.6 kB; it was 9.6 kB on a Group-only core, 13.4 kB before
// the speed work above.
export const GROUP_ONLY_BUDGET_BYTES = 15 * 1024;
export const ERRORS_ONLY_BUDGET_BYTES = 1024; // minified + brotli, error builder alone

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

async function bundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    treeShaking: true,
  });
  return result.outputFiles[0].contents;
}

function sizes(bytes) {
  return { minified: bytes.length, gzip: gzipSync(bytes).length, brotli: brotliCompressSync(bytes).length };
}

const whole = sizes(await bundle(`export * from ${JSON.stringify(dist)};`));
const errorsOnlyBytes = await bundle(
  `import { unauthorized } from ${JSON.stringify(dist)}; console.log(JSON.stringify(unauthorized().toResponse()));`,
);
const errorsOnly = sizes(errorsOnlyBytes);
// A Groups endpoint that never patches other resources pays for the engine it runs on, but not for
// applyPatch's value readers and change applier, its leniency presets, or the User definitions.
const groupOnlyBytes = await bundle(
  `import { tryApplyGroupPatch } from ${JSON.stringify(dist)}; console.log(tryApplyGroupPatch({ displayName: 'g' }, {}));`,
);
const groupOnly = sizes(groupOnlyBytes);
const groupOnlyText = new TextDecoder().decode(groupOnlyBytes);
const errorsOnlyText = new TextDecoder().decode(errorsOnlyBytes);

console.log(`whole library: ${whole.minified} B minified, ${whole.gzip} B gzip, ${whole.brotli} B brotli (budget ${BUDGET_BYTES} B brotli)`);
console.log(`applyGroupPatch only: ${groupOnly.minified} B minified, ${groupOnly.brotli} B brotli (budget ${GROUP_ONLY_BUDGET_BYTES} B brotli)`);
console.log(`error builder only: ${errorsOnly.minified} B minified, ${errorsOnly.brotli} B brotli (budget ${ERRORS_ONLY_BUDGET_BYTES} B brotli)`);

const problems = [];
if (whole.brotli > BUDGET_BYTES) problems.push(`the library is ${whole.brotli} B brotli, over the ${BUDGET_BYTES} B budget`);
if (groupOnly.brotli > GROUP_ONLY_BUDGET_BYTES) problems.push(`applyGroupPatch alone is ${groupOnly.brotli} B brotli, over ${GROUP_ONLY_BUDGET_BYTES} B`);
for (const marker of ['names the attributes of', 'createOnEqualityFilter', 'enterprise:2.0:User']) {
  if (groupOnlyText.includes(marker)) problems.push(`importing only applyGroupPatch pulled in code containing '${marker}'`);
}
if (errorsOnly.brotli > ERRORS_ONLY_BUDGET_BYTES) problems.push(`the error builder alone is ${errorsOnly.brotli} B brotli, over ${ERRORS_ONLY_BUDGET_BYTES} B`);
// Strings that only the parser and the core contain: tree-shaking must leave them out.
for (const marker of ['unterminated string', 'stored group is invalid', 'requires a path']) {
  if (errorsOnlyText.includes(marker)) problems.push(`importing only the error builder pulled in code containing '${marker}'`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`size check failed: ${problem}`);
  process.exit(1);
}
console.log('size check passed');
