/**
 * `scim-group-patch/postgres` on PGlite (one connection, in-process): the suite of
 * test/support/executor-suite.ts. The same suite runs on a real server in test/postgres/.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe } from 'vitest';
import type { PostgresTables, Queryable } from '../src/postgres/index.js';
import { createTables, executorSuite, type ExecutorDatabase } from './support/executor-suite.js';

describe('scim-group-patch/postgres on PGlite', () => {
  let pg: PGlite;
  let db: ExecutorDatabase;
  let tables: PostgresTables;

  beforeAll(async () => {
    pg = new PGlite();
    db = {
      client: pg,
      transaction: (work) => pg.transaction((tx) => work(tx as unknown as Queryable)),
    };
    tables = await createTables(db.client, 'pglite_executor');
  });

  afterAll(async () => {
    await pg.close();
  });

  executorSuite(() => ({ db, tables }), 150);
});
