/**
 * `DATABASE_URL` runs an example server on a real PostgreSQL server: the program creates its
 * tables there (in a schema of its own here, through the connection's search_path), answers a
 * PATCH, and the change is in the server's tables.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../examples/lighton-paradigm/schema.js';
import { startProgram } from '../examples/programs.js';
import { testPostgres } from '../support/postgres.js';

const server = testPostgres();
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

describe.skipIf(server.skip)(`an example server on DATABASE_URL (${server.description})`, () => {
  const schema = `example_${randomBytes(6).toString('hex')}`;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = server.createPool({ max: 2 });
    await pool.query(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it('creates its tables, answers a PATCH, and the change is stored on the server', async () => {
    const url = new URL(server.connectionString());
    url.searchParams.set('options', `-c search_path=${schema}`);
    const started = await startProgram(process.execPath, [TSX_CLI, 'examples/lighton-paradigm/main.ts'], { DATABASE_URL: url.toString() });
    try {
      expect(started.output()).toContain('Database: PostgreSQL at');
      const response = await fetch(`${started.url}/scim/v2/Groups/${DEMO.engineeringId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${DEMO.acme.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'displayName', value: 'On PostgreSQL' }],
        }),
      });
      expect(response.status).toBe(200);
    } finally {
      process.kill(started.pid, 'SIGTERM');
      await started.outputClosed;
    }
    const { rows } = await pool.query<{ display_name: string; version: number }>(`SELECT display_name, version FROM ${schema}.groups WHERE id = $1`, [DEMO.engineeringId]);
    expect(rows).toEqual([{ display_name: 'On PostgreSQL', version: 2 }]);
  }, 120_000);
});
