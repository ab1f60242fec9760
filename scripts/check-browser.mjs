// The library must run anywhere JavaScript runs: bundle src/index.ts for the browser and fail on
// any Node built-in (or any other import from outside src/).
//   node scripts/check-browser.mjs
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  metafile: true,
  logLevel: 'silent',
}).catch((error) => {
  console.error('browser bundle failed:', error.message);
  process.exit(1);
});

const inputs = Object.keys(result.metafile.inputs);
const outside = inputs.filter((file) => !file.startsWith('src/'));
const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
const builtins = imports.filter((path) => path.startsWith('node:') || !path.startsWith('src/'));
if (outside.length > 0 || builtins.length > 0) {
  console.error('src/ reaches outside itself:', [...outside, ...builtins].join(', '));
  process.exit(1);
}
console.log(`browser bundle: ${inputs.length} modules, all from src/, no Node built-ins`);
