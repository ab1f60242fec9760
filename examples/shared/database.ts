/**
 * A thin layer over PGlite: one `Sql` interface for queries, transactions that are atomic, and an
 * optional observer that sees every query (tests use it to count queries and rows).
 *
 * PGlite is one PostgreSQL backend behind one connection. Its `transaction()` holds an exclusive
 * lock for the whole callback, and every query outside a transaction waits for that lock, so a
 * transaction's read-check-write can never interleave with another request. The SQL in these
 * examples also takes `SELECT ... FOR UPDATE` on the group row first, so it stays correct on a
 * pooled PostgreSQL server (node-postgres, postgres.js) where transactions do run concurrently.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { inTransaction } from 'scim-group-patch/postgres';

/** What every store function needs: run one statement, get its rows. */
export interface Sql {
  query<Row extends object>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Sees each statement after it ran: its text and how many rows it returned. */
export type QueryObserver = (event: { readonly text: string; readonly rows: number }) => void;

/**
 * The database of an example server: PGlite (in memory or in a data directory), or a PostgreSQL
 * server through a node-postgres `Pool` (`DATABASE_URL`).
 */
export type Backend = PGlite | pg.Pool;

/** What runs one statement: PGlite, one of its transactions, a pool, or a pooled connection. */
interface Runner {
  query(text: string, params?: unknown[]): Promise<{ readonly rows: readonly unknown[] }>;
}

function isPGlite(backend: Backend): backend is PGlite {
  return 'exec' in backend;
}

function wrap(runner: Runner, observer: QueryObserver | undefined): Sql {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await runner.query(text, [...params]);
      observer?.({ text, rows: result.rows.length });
      return result.rows as Row[];
    },
  };
}

/** Runs a script of several statements (a schema): PGlite's `exec`, or one simple query on a server. */
export async function execScript(backend: Backend, script: string): Promise<void> {
  if (isPGlite(backend)) await backend.exec(script);
  else await backend.query(script);
}

/** Whether a table exists: a data directory or a server that already holds the example's tables. */
export async function tableExists(backend: Backend, table: string): Promise<boolean> {
  const { rows } = await (backend as Runner).query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  return (rows[0] as { present?: boolean } | undefined)?.present === true;
}

/** A database with observed queries and atomic transactions. */
export class Database {
  /** Statements outside a transaction (authentication lookups). */
  readonly sql: Sql;

  constructor(
    readonly backend: Backend,
    private readonly observer?: QueryObserver,
  ) {
    this.sql = wrap(backend, observer);
  }

  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is
   * rethrown). Never call `this.sql` inside `work`: PGlite would wait for the transaction to end.
   * On a server, the transaction has a pooled connection of its own, so requests run side by side.
   */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const backend = this.backend;
    if (isPGlite(backend)) return backend.transaction((tx: Transaction) => work(wrap(tx as Runner, this.observer)));
    return inTransaction(backend, (client) => work(wrap(client, this.observer)));
  }
}
