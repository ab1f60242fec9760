// Packs the package as npm would publish it from a fresh clone, installs the tarball into a fresh
// project, and runs a patch through require, import, and TypeScript with moduleResolution node16
// and bundler.
//
// The pack starts from a copy of the repository's files (tracked and untracked, as `git` sees
// them, without anything .gitignore'd: no dist/, no node_modules/), so the tarball holds dist/
// only if `npm pack` builds it (the prepack script). Outside a git checkout it copies every file
// but the generated ones. node_modules is linked from this checkout.
//   node scripts/smoke-pack.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'scim-group-patch-smoke-'));
const run = (command, args, cwd = work) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** The tree's files as git sees them; outside a git checkout, every file but the generated ones. */
function filesOfTree() {
  try {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter((path) => path !== '');
  } catch {
    const skipped = new Set(['.git', 'node_modules', 'dist', 'coverage', 'docs', '.fuzz']);
    const files = [];
    const walk = (directory) => {
      for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
        const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
        if (entry.isDirectory() && !skipped.has(entry.name)) walk(path);
        else if (entry.isFile() && !entry.name.endsWith('.tgz')) files.push(path);
      }
    };
    walk('');
    return files;
  }
}

// A clean tree: the files a clone would have once the working tree is committed.
const tree = join(work, 'tree');
const generated = /^(dist|node_modules)(\/|$)/; // never copied, even when linked or not ignored
const listed = filesOfTree().filter((path) => !generated.test(path));
let copied = 0;
for (const path of listed) {
  const from = join(root, path);
  if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted in the working tree, or a submodule
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  cpSync(from, join(tree, path), { verbatimSymlinks: true });
  copied++;
}
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'junction');
console.log(`clean tree: ${copied} files, no dist/`);

const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], tree));
const tarball = join(work, packed.filename);
const paths = new Set(packed.files.map((f) => f.path));
console.log(`packed ${packed.filename}: ${packed.files.length} files, ${packed.size} B`);

// Every entry point package.json names, and the four builds, must be in the tarball.
const manifest = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8'));
const targets = (value) =>
  typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(targets) : [];
const entryPoints = [manifest.main, manifest.module, manifest.types, ...targets(manifest.exports)]
  .filter((target) => typeof target === 'string')
  .map((target) => target.replace(/^\.\//, ''));
const required = new Set([
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/postgres.js',
  'dist/postgres.cjs',
  'dist/postgres.d.ts',
  'dist/postgres.d.cts',
  // For resolvers without `exports` (node10): scim-group-patch/postgres.
  'postgres/package.json',
  ...entryPoints,
]);
const missing = [...required].filter((path) => !paths.has(path));
if (missing.length > 0) {
  throw new Error(`the tarball packed from a clean tree lacks ${missing.join(', ')} (does prepack build?); it has ${[...paths].join(', ')}`);
}
console.log(`entry points in the tarball: ${[...required].join(', ')}`);

const unexpected = [...paths].filter((path) => !/^(dist\/|postgres\/package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(path));
if (unexpected.length > 0) throw new Error(`unexpected files in the package: ${unexpected.join(', ')}`);

writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'smoke', private: true, version: '0.0.0' }));
run('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball]);

const installed = JSON.parse(readFileSync(join(work, 'node_modules', 'scim-group-patch', 'package.json'), 'utf8'));
if (Object.keys(installed.dependencies ?? {}).length > 0) throw new Error('the packed package has runtime dependencies');

const body = JSON.stringify({ Operations: [{ op: 'Add', path: 'members', value: [{ value: 'u2', $ref: null }] }] });
const group = JSON.stringify({ id: 'g', displayName: 'Eng', members: [{ value: 'u1' }] });
const check = `if (next.members.length !== 2 || next.members[1].value !== 'u2') throw new Error('wrong result');
try { lib.applyGroupPatch(${group}, { Operations: [{ op: 'remove' }] }); throw new Error('no error'); }
catch (e) { if (!(e instanceof lib.ScimError) || e.scimType !== 'noTarget') throw e; }
console.log('ok', next.members.map((m) => m.value).join(','));`;
writeFileSync(join(work, 'cjs.cjs'), `const lib = require('scim-group-patch');\nconst next = lib.applyGroupPatch(${group}, ${body});\n${check}\n`);
writeFileSync(join(work, 'esm.mjs'), `import * as lib from 'scim-group-patch';\nconst next = lib.applyGroupPatch(${group}, ${body});\n${check}\n`);
console.log('require:', run('node', ['cjs.cjs']).trim());
console.log('import: ', run('node', ['esm.mjs']).trim());

// scim-group-patch/postgres loads both ways and throws the main entry's ScimError (one class, not
// a copy per entry): a group that is not there is a 404.
const postgresCheck = `const client = { query: async () => ({ rows: [] }) };
postgres.patchGroupInTransaction(client, { groupId: 'missing', changes: [] }).then(
  () => { throw new Error('no error'); },
  (e) => { if (!(e instanceof lib.ScimError) || e.status !== 404) throw e; console.log('ok', e.status); },
);`;
writeFileSync(join(work, 'postgres.cjs'), `const lib = require('scim-group-patch');\nconst postgres = require('scim-group-patch/postgres');\n${postgresCheck}\n`);
writeFileSync(join(work, 'postgres.mjs'), `import * as lib from 'scim-group-patch';\nimport * as postgres from 'scim-group-patch/postgres';\n${postgresCheck}\n`);
console.log('postgres require:', run('node', ['postgres.cjs']).trim());
console.log('postgres import: ', run('node', ['postgres.mjs']).trim());

const source = `import { applyGroupPatch, tryApplyGroupPatch, type Group } from 'scim-group-patch';
const group: Group = ${group};
const next: Group = applyGroupPatch(group, ${body});
const result = tryApplyGroupPatch(group, ${body});
if (result.ok) { const changed: boolean = result.summary.changed; void changed; } else { const status: number = result.error.status; void status; }
void next;
`;
writeFileSync(join(work, 'index.ts'), source);
writeFileSync(join(work, 'index.cts'), source);
writeFileSync(join(work, 'index.mts'), source);
for (const [module, moduleResolution, files] of [
  ['node16', 'node16', ['index.ts', 'index.cts', 'index.mts']],
  ['esnext', 'bundler', ['index.ts']],
]) {
  run('node', [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', module, '--moduleResolution', moduleResolution, '--target', 'es2022', ...files]);
  console.log(`typescript (module ${module}, moduleResolution ${moduleResolution}): ok`);
}
rmSync(work, { recursive: true, force: true }); // kept when a step fails, for a look
console.log('smoke test passed');
