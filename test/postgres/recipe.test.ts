/**
 * The README's PostgreSQL recipe (examples/recipes/postgres.ts) on the real server of the test
 * run, in a schema of its own: a Group PATCH through the members table, a User PATCH as a jsonb
 * document (Entra ID's shapes), If-Match, and the postgres.js adapter.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimError } from '../../src/index.js';
import { createTables, fromPostgresJs, patchGroupRequest, patchUserRequest } from '../../examples/recipes/postgres.js';
import { testPostgres } from '../support/postgres.js';

const server = testPostgres();
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe.skipIf(server.skip)(`the PostgreSQL recipe (${server.description})`, () => {
  const schema = `recipe_${randomBytes(6).toString('hex')}`;
  let admin: pg.Pool;
  let pool: pg.Pool;

  beforeAll(async () => {
    admin = server.createPool({ max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    pool = server.createPool({ max: 4, options: `-c search_path=${schema}` });
    await createTables(pool);
    await pool.query(`INSERT INTO scim_groups (id, display_name) VALUES ('g1', 'Engineering')`);
    await pool.query(`INSERT INTO scim_users (id, resource) VALUES ('u1', $1::jsonb)`, [
      JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u1', userName: 'bjensen@example.com', active: true }),
    ]);
  });

  afterAll(async () => {
    await pool?.end();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('PATCHes a group through its members table, with If-Match', async () => {
    const added = await patchGroupRequest(pool, 'g1', { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: 'u1' }] }] }, 'W/"1"');
    expect(added.version).toBe(2);
    expect(added.summary.membersAdded).toEqual([{ value: 'u1' }]);
    const stale = patchGroupRequest(pool, 'g1', { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }] }, 'W/"1"');
    await expect(stale).rejects.toMatchObject({ status: 412 });
    const { rows } = await pool.query<{ value: string }>('SELECT value FROM scim_memberships WHERE group_id = $1', ['g1']);
    expect(rows).toEqual([{ value: 'u1' }]);
  });

  it("PATCHes a user document: Entra ID's string boolean and URN-keyed enterprise attribute", async () => {
    const result = await patchUserRequest(pool, 'u1', {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: '701984' },
      ],
    });
    expect(result).toMatchObject({ changed: true, version: 2 });
    const { rows } = await pool.query<{ resource: Record<string, unknown> }>('SELECT resource FROM scim_users WHERE id = $1', ['u1']);
    expect(rows[0]?.resource).toMatchObject({ active: false, [ENTERPRISE]: { employeeNumber: '701984' } });
    expect(rows[0]?.resource.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
    const error = await patchUserRequest(pool, 'u1', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('mutability');
  });

  it('the postgres.js adapter gives the executor what node-postgres gives it', async () => {
    const sql = { unsafe: async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows as readonly unknown[] };
    const client = fromPostgresJs(sql);
    const { rows } = await client.query('SELECT $1::int + 1 AS n', [41]);
    expect(rows).toEqual([{ n: 42 }]);
  });
});
