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

/** What every store function needs: run one statement, get its rows. */
export interface Sql {
  query<Row extends object>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Sees each statement after it ran: its text and how many rows it returned. */
export type QueryObserver = (event: { readonly text: string; readonly rows: number }) => void;

/** PGlite or one of its transactions: both run a query the same way. */
type Runner = Pick<PGlite | Transaction, 'query'>;

function wrap(runner: Runner, observer: QueryObserver | undefined): Sql {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await runner.query<Row>(text, [...params]);
      observer?.({ text, rows: result.rows.length });
      return result.rows;
    },
  };
}

/** A PGlite database with observed queries and atomic transactions. */
export class Database {
  /** Statements outside a transaction (authentication lookups). */
  readonly sql: Sql;

  constructor(
    readonly pg: PGlite,
    private readonly observer?: QueryObserver,
  ) {
    this.sql = wrap(pg, observer);
  }

  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is
   * rethrown). Never call `this.sql` inside `work`: PGlite would wait for the transaction to end.
   */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => work(wrap(tx, this.observer)));
  }
}
