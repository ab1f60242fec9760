/**
 * The tests of `scim-group-patch/postgres` that hold on every PostgreSQL: parity with
 * `applyGroupChanges` on generated requests, the version precondition, 404. Run on PGlite
 * (test/postgres-executor.test.ts) and on the real server (test/postgres/executor.test.ts).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  applyGroupChanges,
  normalizePatchRequest,
  ScimError,
  type Group,
  type GroupChange,
  type PatchOptions,
} from '../../src/index.js';
import { patchGroupInTransaction, postgresSchema, type PostgresTables, type Queryable } from '../../src/postgres/index.js';
import { groupArb, validRequestArb } from '../arbitraries/index.js';
import { fcParameters } from './env.js';

/** A database the suite can use: statements, and transactions on one connection. */
export interface ExecutorDatabase {
  /** Runs statements outside a transaction. */
  readonly client: Queryable;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T>;
}

type Outcome =
  | { readonly ok: true; readonly summary: unknown; readonly members: unknown; readonly displayName: string; readonly externalId: string | null }
  | { readonly ok: false; readonly status: number; readonly scimType: string | undefined; readonly detail: string };

function failure(error: unknown): Outcome {
  if (!(error instanceof ScimError)) throw error;
  return { ok: false, status: error.status, scimType: error.scimType, detail: error.detail };
}

const NOW = new Date('2030-01-01T00:00:00.000Z');

/** Creates the tables under a fresh schema and returns their names. */
export async function createTables(client: Queryable, schema: string): Promise<PostgresTables> {
  const tables = { groups: `${schema}.groups`, memberships: `${schema}.memberships`, positions: `${schema}.positions` };
  await client.query(`CREATE SCHEMA ${schema}`);
  for (const statement of postgresSchema(tables).split(';').map((text) => text.trim()).filter((text) => text !== '')) {
    await client.query(statement);
  }
  return tables;
}

/** Stores a group (members at positions 1, 2, 3…). */
export async function storeGroup(db: ExecutorDatabase, tables: PostgresTables, id: string, group: Group): Promise<void> {
  await db.client.query(`INSERT INTO ${tables.groups} (id, display_name, external_id) VALUES ($1, $2, $3)`, [id, group.displayName, group.externalId ?? null]);
  const members = group.members ?? [];
  if (members.length === 0) return;
  await db.client.query(
    `INSERT INTO ${tables.memberships} (group_id, value, display, type, ref, position)
     SELECT $1, u.value, u.display, u.type, u.ref, u.position
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS u(value, display, type, ref, position)`,
    [id, members.map((m) => m.value), members.map((m) => m.display ?? null), members.map((m) => m.type ?? null), members.map((m) => m.$ref ?? null), members.map((_, i) => i + 1)],
  );
  await db.client.query(`SELECT setval('${tables.positions}', GREATEST((SELECT max(position) FROM ${tables.memberships}), 1))`);
}

/** The group as stored: members in position order. */
export async function readGroup(db: ExecutorDatabase, tables: PostgresTables, id: string): Promise<{ displayName: string; externalId: string | null; version: number; members: Group['members'] }> {
  const { rows } = await db.client.query(`SELECT display_name, external_id, version FROM ${tables.groups} WHERE id = $1`, [id]);
  const group = rows[0] as { display_name: string; external_id: string | null; version: number | string };
  const members = await db.client.query(`SELECT value, display, type, ref FROM ${tables.memberships} WHERE group_id = $1 ORDER BY position`, [id]);
  return {
    displayName: group.display_name,
    externalId: group.external_id,
    version: Number(group.version),
    members: (members.rows as { value: string; display: string | null; type: string | null; ref: string | null }[]).map((row) => ({
      value: row.value,
      ...(row.display === null ? {} : { display: row.display }),
      ...(row.type === null ? {} : { type: row.type }),
      ...(row.ref === null ? {} : { $ref: row.ref }),
    })),
  };
}

/** Registers the suite's tests; `setup` gives the database and the tables (created once). */
export function executorSuite(setup: () => { readonly db: ExecutorDatabase; readonly tables: PostgresTables }, runs: number): void {
  let next = 0;
  const freshId = (): string => `g${String(next++)}`;

  it('gives what applyGroupChanges gives, request by request: summary, members in order, error, and the version bumped only on a change', async () => {
    const { db, tables } = setup();
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(groupArb, validRequestArb(5), fc.constantFrom<NonNullable<PatchOptions['externalIdMutability']>>('readWrite', 'immutable'), async (group, request, externalIdMutability) => {
        const options: PatchOptions = { externalIdMutability, now: () => NOW };
        let changes: GroupChange[];
        try {
          changes = normalizePatchRequest(request, options);
        } catch {
          return;
        }
        let expected: Outcome;
        try {
          const { group: result, summary } = applyGroupChanges(group, changes, options);
          expected = { ok: true, summary, members: result.members ?? [], displayName: result.displayName, externalId: result.externalId ?? null };
        } catch (error) {
          expected = failure(error);
        }
        const id = freshId();
        await storeGroup(db, tables, id, group);
        let actual: Outcome;
        try {
          const { summary, version } = await db.transaction((client) => patchGroupInTransaction(client, { groupId: id, changes, options, tables }));
          const stored = await readGroup(db, tables, id);
          expect(version).toBe(stored.version);
          expect(stored.version).toBe(summary.changed ? 2 : 1);
          actual = { ok: true, summary, members: stored.members, displayName: stored.displayName, externalId: stored.externalId };
        } catch (error) {
          actual = failure(error);
          // Rolled back: the group is as it was.
          const stored = await readGroup(db, tables, id);
          expect({ members: stored.members, version: stored.version }).toEqual({ members: group.members ?? [], version: 1 });
        }
        expect(actual).toEqual(expected);
        if (expected.ok) applied++;
      }),
      fcParameters(runs),
    );
    expect(applied).toBeGreaterThan(runs / 3);
  });

  it('checks the version precondition under the row lock: a stale If-Match is 412 and writes nothing', async () => {
    const { db, tables } = setup();
    const id = freshId();
    await storeGroup(db, tables, id, { id, displayName: 'G', members: [{ value: 'u1' }] });
    const add = (value: string): GroupChange[] =>
      normalizePatchRequest({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value }] }] });
    const first = await db.transaction((client) => patchGroupInTransaction(client, { groupId: id, changes: add('u2'), ifMatch: 1, tables }));
    expect(first.version).toBe(2);
    const stale = db.transaction((client) => patchGroupInTransaction(client, { groupId: id, changes: add('u3'), ifMatch: 1, tables }));
    await expect(stale).rejects.toMatchObject({ status: 412 });
    expect((await readGroup(db, tables, id)).members).toEqual([{ value: 'u1' }, { value: 'u2' }]);
    await expect(db.transaction((client) => patchGroupInTransaction(client, { groupId: 'nope', changes: add('u3'), tables }))).rejects.toMatchObject({ status: 404 });
  });
}
