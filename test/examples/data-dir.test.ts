/**
 * The example servers keep their data: PGlite in `DATA_DIR` survives a restart (the second start
 * finds the tables and keeps them), and `DATA_DIR=memory` says loudly that nothing is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../examples/lighton-paradigm/schema.js';
import { startProgram } from './programs.js';

const MAIN = 'examples/lighton-paradigm/main.ts';
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const TIMEOUT = 120_000;

async function patch(url: string, operations: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/scim/v2/Groups/${DEMO.engineeringId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${DEMO.acme.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The output once it matches `pattern`, or after 200 polls of it. */
async function outputMatching(output: () => string, pattern: RegExp): Promise<string> {
  for (let poll = 0; poll < 200 && !pattern.test(output()); poll++) await new Promise((resolve) => setTimeout(resolve, 50));
  return output();
}

async function run<T>(env: Readonly<Record<string, string>>, work: (url: string, output: () => string) => Promise<T>): Promise<T> {
  const started = await startProgram(process.execPath, [TSX_CLI, MAIN], env);
  try {
    return await work(started.url, () => started.output());
  } finally {
    process.kill(started.pid, 'SIGTERM');
    await started.outputClosed;
  }
}

describe('where the example servers keep their data', () => {
  it('DATA_DIR: a rename survives a restart, and the second start keeps the tables it finds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-example-data-'));
    try {
      await run({ DATA_DIR: dir }, async (url, output) => {
        expect(output()).toContain(`PGlite in ${dir}`);
        const renamed = await patch(url, [{ op: 'replace', path: 'displayName', value: 'Kept Across Restarts' }]);
        expect(renamed.status).toBe(200);
        // One log line per request: method, path, status, time (the line reaches the pipe a little after the answer).
        const logged = new RegExp(`PATCH /scim/v2/Groups/${DEMO.engineeringId} 200 \\d+\\.\\d ms`);
        expect(await outputMatching(output, logged)).toMatch(logged);
      });
      await run({ DATA_DIR: dir }, async (url, output) => {
        expect(output()).toContain('using the tables and data already in');
        const read = await patch(url, []);
        expect(read.status).toBe(200);
        expect(read.body.displayName).toBe('Kept Across Restarts');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);

  it('DATA_DIR=memory: the banner warns that every change is lost when the server stops', () =>
    run({ DATA_DIR: 'memory' }, (_url, output) => {
      expect(output()).toContain('warning: the database lives in memory only');
      return Promise.resolve();
    }), TIMEOUT);
});
