/**
 * Compiled code survives a full GC. V8 holds the maps that optimized code was compiled against
 * weakly; a map that only a request's own objects had dies in a full GC and takes the compiled code
 * with it, so the next request runs interpreted (src/shapes.ts). This runs the Group API's request
 * shapes (the benchmark's S1–S6, updates of every member and of filtered members) in a child
 * process until V8 compiles them, forces full GCs between further runs, and fails when V8 reports
 * library code "marked for deoptimization, reason: weak objects".
 *
 * It counts V8's own reports; it measures no time.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CHILD = join(ROOT, 'test/support/cold-heap-child.ts');
const WARM_MARKER = '=== warm: forcing full GCs now';

/** Names of the functions and methods written in src/, to tell library code from Node's own. */
function libraryFunctionNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/\b(?:function\s+|class\s+)?([A-Za-z_$][\w$]*)\s*(?:<[^>()]*>)?\(/g)) {
          names.add(match[1] as string);
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  return names;
}

/** Functions whose compiled code a full GC discarded, after the warm-up, as the child's V8 reports them. */
async function deoptimizedByGc(only: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--trace-deopt', '--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, ONLY: only },
    maxBuffer: 256 * 1024 * 1024,
  });
  const after = stdout.slice(stdout.indexOf(WARM_MARKER));
  expect(after.startsWith(WARM_MARKER), 'the child ran to its warm-up marker').toBe(true);
  expect(after).toContain('=== done');
  const library = libraryFunctionNames();
  const found: string[] = [];
  for (const match of after.matchAll(/SharedFunctionInfo ([^>]+)>.*reason: weak objects/g)) {
    const name = match[1] as string;
    if (library.has(name)) found.push(name);
  }
  return found;
}

describe('compiled code survives a full GC (no maps of a request die with it)', () => {
  it('Group API: S1–S6 shapes and member updates', async () => {
    expect(await deoptimizedByGc('group')).toEqual([]);
  });
});
