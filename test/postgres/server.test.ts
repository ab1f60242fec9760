/**
 * The real PostgreSQL server of the test run (test/support/postgres.ts) works as the executor
 * tests need it: a pool of several connections whose transactions run at the same time, and row
 * locks that make two read-modify-write transactions on one row take turns.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgres } from '../support/postgres.js';

const server = testPostgres();
const POOL_SIZE = 4;
/** Polls of pg_locks before giving up on seeing a transaction wait (a hang, not a timing). */
const WAIT_POLLS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(server.skip)(`a real PostgreSQL server (${server.description})`, () => {
  // A schema of its own, so that a shared DATABASE_URL server is left as it was found.
  const schema = `server_test_${randomBytes(6).toString('hex')}`;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = server.createPool({ max: POOL_SIZE });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.counter (id int PRIMARY KEY, value int NOT NULL)`);
    await pool.query(`CREATE TABLE ${schema}.item (n int PRIMARY KEY, backend int NOT NULL)`);
    await pool.query(`INSERT INTO ${schema}.counter VALUES (1, 0)`);
  });

  afterAll(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it('is a PostgreSQL server, and says which', async () => {
    const { rows } = await pool.query<{ version: string; number: string }>(
      "SELECT version() AS version, current_setting('server_version_num') AS number",
    );
    const row = rows[0];
    console.log(`PostgreSQL server: ${String(row?.version)}`);
    expect(row?.version).toMatch(/^PostgreSQL \d+/);
    expect(Number(row?.number)).toBeGreaterThanOrEqual(140000);
  });

  it('makes two transactions that lock one row with SELECT ... FOR UPDATE take turns', async () => {
    const first = await pool.connect();
    const second = await pool.connect();
    try {
      const [firstPid, secondPid] = await Promise.all(
        [first, second].map(async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
      );
      expect(firstPid).not.toBe(secondPid);

      await first.query('BEGIN');
      await second.query('BEGIN');
      const firstRead = await first.query<{ value: number }>(`SELECT value FROM ${schema}.counter WHERE id = 1 FOR UPDATE`);
      let secondReturned = false;
      const secondRead = second
        .query<{ value: number }>(`SELECT value FROM ${schema}.counter WHERE id = 1 FOR UPDATE`)
        .then((result) => {
          secondReturned = true;
          return result;
        });

      // The second transaction waits on the first one's row lock, as the server reports it.
      let blockers: number[] = [];
      for (let poll = 0; poll < WAIT_POLLS && !blockers.includes(firstPid ?? -1); poll++) {
        await sleep(5);
        const { rows } = await pool.query<{ blockers: number[] }>('SELECT pg_blocking_pids($1) AS blockers', [secondPid]);
        blockers = rows[0]?.blockers ?? [];
      }
      expect(blockers).toEqual([firstPid]);
      expect(secondReturned).toBe(false);

      // Read-modify-write in the application, as an executor does: value + 1 twice is 2.
      await first.query(`UPDATE ${schema}.counter SET value = $1 WHERE id = 1`, [(firstRead.rows[0]?.value ?? NaN) + 1]);
      await first.query('COMMIT');
      const seen = (await secondRead).rows[0]?.value ?? NaN;
      expect(seen).toBe(1); // the first transaction's committed write, not the value before it
      await second.query(`UPDATE ${schema}.counter SET value = $1 WHERE id = 1`, [seen + 1]);
      await second.query('COMMIT');
    } finally {
      // Closed rather than returned: after a failure they may still be inside a transaction.
      first.release(true);
      second.release(true);
    }
    const { rows } = await pool.query<{ value: number }>(`SELECT value FROM ${schema}.counter WHERE id = 1`);
    expect(rows[0]?.value).toBe(2);
  });

  it('runs 50 inserting transactions at once over every connection of the pool', async () => {
    const count = 50;
    await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(`INSERT INTO ${schema}.item (n, backend) VALUES ($1, pg_backend_pid())`, [n]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    const { rows } = await pool.query<{ rows: string; distinct: string; backends: string }>(
      `SELECT count(*) AS rows, count(DISTINCT n) AS distinct, count(DISTINCT backend) AS backends FROM ${schema}.item`,
    );
    expect(rows[0]?.rows).toBe(String(count));
    expect(rows[0]?.distinct).toBe(String(count));
    // All 50 asked for a connection at once, so the pool opened all of its connections.
    expect(rows[0]?.backends).toBe(String(POOL_SIZE));
  });
});
