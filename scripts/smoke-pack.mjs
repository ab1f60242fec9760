// Packs the package as npm would publish it, installs the tarball into a fresh project, and runs
// a patch through require, import, and TypeScript with moduleResolution node16 and bundler.
//   npm run build && node scripts/smoke-pack.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'scim-group-patch-smoke-'));
const run = (command, args, cwd = work) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
const tarball = join(work, packed.filename);
console.log(`packed ${packed.filename}: ${packed.files.length} files, ${packed.size} B`);

const unexpected = packed.files.map((f) => f.path).filter((path) => !/^(dist\/|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(path));
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
console.log('smoke test passed');
