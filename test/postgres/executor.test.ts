/**
 * `scim-group-patch/postgres` on the real PostgreSQL server of the test run, over a pool whose
 * transactions run at the same time: the suite of test/support/executor-suite.ts, then
 * concurrency. 200 concurrent PATCHes of one group, with and without If-Match: the final state is
 * exactly what the successful answers say, with no deadlock and no 5xx. Concurrent renames that
 * collide on a unique name: one succeeds, the others are 409.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePatchRequest, ScimError, type GroupChange } from '../../src/index.js';
import { inTransaction, patchGroup, type PostgresTables } from '../../src/postgres/index.js';
import { createTables, executorSuite, readGroup, storeGroup, type ExecutorDatabase } from '../support/executor-suite.js';
import { testPostgres } from '../support/postgres.js';

const server = testPostgres();
const POOL_SIZE = 10;
const CONCURRENT = 200;

const body = (operations: unknown[]): unknown => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
const addMember = (value: string): GroupChange[] => normalizePatchRequest(body([{ op: 'add', path: 'members', value: [{ value }] }]));

/** The status a PATCH answered: 200 on success, the ScimError's otherwise (anything else rethrown). */
async function statusOf(patch: Promise<unknown>): Promise<number> {
  try {
    await patch;
    return 200;
  } catch (error) {
    if (error instanceof ScimError) return error.status;
    throw error;
  }
}

describe.skipIf(server.skip)(`scim-group-patch/postgres on a real server (${server.description})`, () => {
  const schema = `executor_${randomBytes(6).toString('hex')}`;
  let pool: pg.Pool;
  let db: ExecutorDatabase;
  let tables: PostgresTables;

  beforeAll(async () => {
    pool = server.createPool({ max: POOL_SIZE });
    db = { client: pool, transaction: (work) => inTransaction(pool, work) };
    tables = await createTables(pool, schema);
  });

  afterAll(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  executorSuite(() => ({ db, tables }), 100);

  it(`${String(CONCURRENT)} concurrent PATCHes of one group without If-Match: every one applies, none is lost`, async () => {
    await storeGroup(db, tables, 'busy', { id: 'busy', displayName: 'Busy', members: [{ value: 'u0' }] });
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => statusOf(patchGroup(pool, { groupId: 'busy', changes: addMember(`c${String(i)}`), tables }))),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const stored = await readGroup(db, tables, 'busy');
    expect(stored.members).toHaveLength(CONCURRENT + 1);
    expect(new Set(stored.members?.map((member) => member.value))).toEqual(new Set(['u0', ...Array.from({ length: CONCURRENT }, (_, i) => `c${String(i)}`)]));
    expect(stored.version).toBe(1 + CONCURRENT);
  });

  it(`${String(CONCURRENT)} concurrent PATCHes with If-Match: each is 200 or 412, and the group holds exactly the 200s`, async () => {
    await storeGroup(db, tables, 'guarded', { id: 'guarded', displayName: 'Guarded', members: [] });
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        // Read the version as a client would (GET), then PATCH with it as If-Match.
        const { version } = await readGroup(db, tables, 'guarded');
        return { version, status: await statusOf(patchGroup(pool, { groupId: 'guarded', changes: addMember(`m${String(i)}`), ifMatch: version, tables })) };
      }),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.every((status) => status === 200 || status === 412)).toBe(true);
    expect(statuses).toContain(412);
    const applied = statuses.flatMap((status, i) => (status === 200 ? [`m${String(i)}`] : []));
    expect(applied.length).toBeGreaterThan(0);
    // A version admits one PATCH: two successes from the same If-Match would be a lost update.
    const admitted = results.filter((result) => result.status === 200).map((result) => result.version);
    expect(new Set(admitted).size).toBe(admitted.length);
    const stored = await readGroup(db, tables, 'guarded');
    expect(new Set(stored.members?.map((member) => member.value))).toEqual(new Set(applied));
    expect(stored.version).toBe(1 + applied.length);
  });

  it('concurrent renames that collide on a unique name: one succeeds, the others are 409 uniqueness, never a 500', async () => {
    // Tables of their own, with a unique index on the name as a host would have.
    const named = await createTables(pool, `${schema}_named`);
    await pool.query(`CREATE UNIQUE INDEX ON ${named.groups} (lower(display_name))`);
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `r${String(i)}`);
      for (const id of ids) await storeGroup(db, named, id, { id, displayName: `Team ${id}` });
      const rename = normalizePatchRequest(body([{ op: 'replace', path: 'displayName', value: 'Same Name' }]));
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          try {
            await patchGroup(pool, { groupId: id, changes: rename, tables: named });
            return 'ok';
          } catch (error) {
            if (error instanceof ScimError) return `${String(error.status)} ${error.scimType ?? ''}`;
            throw error;
          }
        }),
      );
      expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === '409 uniqueness')).toHaveLength(ids.length - 1);
      const names = await pool.query(`SELECT display_name FROM ${named.groups} WHERE display_name = 'Same Name'`);
      expect(names.rows).toHaveLength(1);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema}_named CASCADE`);
    }
  });
});
