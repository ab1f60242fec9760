/**
 * vitest globalSetup of the `postgres` project (vitest.config.ts): one PostgreSQL server for the
 * whole run, started before the first test file of `test/postgres/` and stopped after the last
 * one, whatever the tests' outcome. Test files read it with `test/support/postgres.ts`.
 *
 * - `DATABASE_URL` set: that server is used, nothing is started.
 * - Otherwise a server is started (`test/support/postgres-server.ts`).
 * - No server: one line says why; the tests are skipped, or fail when `CI` is set.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';

/** What the globalSetup provides: a server, or why there is none. */
export type PostgresAvailability =
  | { readonly url: string; readonly source: string }
  | { readonly unavailable: string; readonly required: boolean };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresAvailability;
  }
}

/** Whether this is a CI run (`CI` set to anything but empty, `0` or `false`), where nothing may be skipped. */
export function isCi(): boolean {
  const value = process.env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Provides `postgres` (a {@link PostgresAvailability}) to the test files; returns the teardown. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const provide = (value: PostgresAvailability): void => project.provide('postgres', value);
  const fromEnvironment = process.env.DATABASE_URL;
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    provide({ url: fromEnvironment, source: 'DATABASE_URL' });
    console.log('PostgreSQL tests: using the server of DATABASE_URL');
    return undefined;
  }
  const began = performance.now();
  try {
    const server = await startPostgres();
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    const user = server.createdUser ? ', the postgres system user created for it' : '';
    provide({ url: server.url, source: server.source });
    console.log(`PostgreSQL tests: ${server.version.split(' on ')[0] ?? server.version} (${server.source}) started in ${seconds} s${user}`);
    return () => server.stop();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const required = isCi();
    provide({ unavailable: reason, required });
    const outcome = required ? 'FAIL (CI is set, so they may not be skipped)' : 'SKIPPED';
    console.log(`PostgreSQL tests ${outcome}: no server could be started. ${reason}`);
    console.log('Set DATABASE_URL to use a running server instead.');
    return undefined;
  }
}
