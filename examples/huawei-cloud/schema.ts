/**
 * Huawei Cloud's data: tenants, their API tokens, users and groups, and group memberships.
 * Every token, user and group belongs to exactly one tenant; a group's displayName is unique in
 * its tenant (case-insensitively), enforced by a unique index.
 */
import { Database, execScript, type Backend } from '../shared/database.js';
import { hashToken } from '../shared/http.js';
import { MEMBERSHIPS_SCHEMA } from '../shared/sql-group-patch.js';

/** The unique index behind 409 `uniqueness`. */
export const DISPLAY_NAME_INDEX = 'groups_tenant_display_name_key';

/** Tables, indexes and the position sequence; `memberships` is what `applyGroupChangesInSql` writes. */
export const SCHEMA = `
CREATE TABLE tenants (
  id   text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE api_tokens (
  token_sha256 text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  label        text NOT NULL
);

CREATE TABLE users (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_name    text NOT NULL,
  display_name text NOT NULL
);

CREATE TABLE groups (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  display_name  text NOT NULL,
  external_id   text,
  created       timestamptz NOT NULL,
  last_modified timestamptz NOT NULL,
  version       integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ${DISPLAY_NAME_INDEX} ON groups (tenant_id, lower(display_name));

${MEMBERSHIPS_SCHEMA}`;

/** Creates the tables. */
export async function createSchema(pg: Backend): Promise<void> {
  await execScript(pg, SCHEMA);
}

/** The demo data: two tenants; the ids of the seed's example request exist in the first. */
export const DEMO = {
  tenant: {
    id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    name: 'Example Corp',
    token: 'huawei-demo-tenant-K7vP2mQ9xR4s',
  },
  otherTenant: {
    id: 'f9e8d7c6b5a4938271605f4e3d2c1b0a',
    name: 'Other Corp',
    token: 'huawei-demo-other-Hn3Jd8Wc5Lz1',
  },
  /** The group of the seed's example request. */
  groupId: '0efaa0db-6aa4-7aaa-6aa5-c222aaaaf31a',
  /** A second group of the tenant, named "Finance". */
  financeId: '3d9f7b5a-1c2e-4f60-8a4b-6c8d0e2f4a6b',
  /** The other tenant's group. */
  otherGroupId: '5b7d9f1a-3c5e-4a70-9b2d-4f6a8c0e2b4d',
  users: {
    /** The seed's first member id. */
    first: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9',
    /** The seed's second member id. */
    second: '1bdaa75c-7aaf-3aa2-7aac-6a00aaaa335f',
    carol: '4e6a8c0e-2b4d-4f6a-9c1e-3a5b7d9f1c3e',
    dave: '6a8c0e2b-4d6f-4a8c-8e2b-5c7e9a1c3e5a',
    /** A user of the other tenant. */
    stranger: '9c1e3a5b-7d9f-4b1d-8f3a-7e9a1c3e5b7d',
  },
  created: new Date('2026-02-01T08:00:00.000Z'),
} as const;

/** Inserts the demo data into empty tables. */
export async function seedDemo(pg: Backend): Promise<void> {
  const sql = new Database(pg).sql;
  const { tenant, otherTenant, users } = DEMO;
  await sql.query(`INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)`, [tenant.id, tenant.name, otherTenant.id, otherTenant.name]);
  await sql.query(`INSERT INTO api_tokens (token_sha256, tenant_id, label) VALUES ($1, $2, 'IdP'), ($3, $4, 'IdP')`, [
    hashToken(tenant.token),
    tenant.id,
    hashToken(otherTenant.token),
    otherTenant.id,
  ]);
  await sql.query(
    `INSERT INTO users (id, tenant_id, user_name, display_name)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      [users.first, users.second, users.carol, users.dave, users.stranger],
      [tenant.id, tenant.id, tenant.id, tenant.id, otherTenant.id],
      ['alice', 'bruno', 'carol', 'dave', 'sam'],
      ['Alice Wang', 'Bruno Li', 'Carol Chen', 'Dave Zhou', 'Sam Other'],
    ],
  );
  await sql.query(
    `INSERT INTO groups (id, tenant_id, display_name, external_id, created, last_modified)
     VALUES ($1, $2, 'Developers', NULL, $6, $6),
            ($3, $2, 'Finance', NULL, $6, $6),
            ($4, $5, 'Developers', NULL, $6, $6)`,
    [DEMO.groupId, tenant.id, DEMO.financeId, DEMO.otherGroupId, otherTenant.id, DEMO.created],
  );
  await sql.query(`INSERT INTO memberships (group_id, value) VALUES ($1, $2), ($1, $3), ($4, $5)`, [
    DEMO.groupId,
    users.carol,
    users.dave,
    DEMO.otherGroupId,
    users.stranger,
  ]);
}

/** Empties every table and restarts the sequence (tests call this before each test). */
export async function resetDatabase(pg: Backend): Promise<void> {
  await execScript(pg, `TRUNCATE tenants, api_tokens, users, groups, memberships; ALTER SEQUENCE membership_position RESTART`);
}
