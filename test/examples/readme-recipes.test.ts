/**
 * README.md's "## Recipes" section shows examples/recipes/*.ts as they are:
 * scripts/readme-recipes.mjs copies them in, and `--check` fails when they differ.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/readme-recipes.mjs', import.meta.url));
const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'readme-recipes-'));

function run(...args: string[]): { status: number | null; stderr: string } {
  const { status, stderr } = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status, stderr };
}

/** A copy of the README with `from` replaced by `to` (which must occur once). */
function changedCopy(name: string, from: string, to: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  expect(readme.split(from)).toHaveLength(2);
  const path = join(work, name);
  writeFileSync(path, readme.replace(from, to));
  return path;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README recipes', () => {
  it('shows every recipe file as it is', () => {
    expect(run('--check')).toEqual({ status: 0, stderr: '' });
  });

  it('fails the check when a block differs from its file, and the rewrite mends it', () => {
    const path = changedCopy('edited.md', 'const jsonBodiesOnly: RequestHandler', 'const bodiesOnly: RequestHandler');
    const checked = run('--check', path);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('README shows another version of examples/recipes/express.ts');

    expect(run(path).status).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(readmePath, 'utf8'));
  });

  it('fails the check when a recipe file has no block', () => {
    const path = changedCopy('missing.md', '<!-- recipe: examples/recipes/hono.ts -->', '');
    const checked = run('--check', path);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('examples/recipes/hono.ts: no <!-- recipe: examples/recipes/hono.ts --> block');
  });

  it('fails the check when a block names a file that does not exist', () => {
    const path = changedCopy('unknown.md', 'recipe: examples/recipes/hono.ts', 'recipe: examples/recipes/koa.ts');
    const checked = run('--check', path);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('examples/recipes/koa.ts: no such file');
  });
});
