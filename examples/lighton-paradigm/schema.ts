/**
 * LightOn Paradigm's data: companies, their API tokens, users and groups, and group memberships.
 * Every token, user and group belongs to exactly one company.
 */
import { Database, execScript, type Backend } from '../shared/database.js';
import { hashToken } from '../shared/http.js';
import { MEMBERSHIPS_SCHEMA } from '../shared/sql-group-patch.js';

/** Tables, indexes and the position sequence; `memberships` is what `applyGroupChangesInSql` writes. */
export const SCHEMA = `
CREATE TABLE companies (
  id   text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE api_tokens (
  token_sha256 text PRIMARY KEY,
  company_id   text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  label        text NOT NULL
);

CREATE TABLE users (
  id           text PRIMARY KEY,
  company_id   text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  user_name    text NOT NULL,
  display_name text NOT NULL
);

CREATE TABLE groups (
  id            text PRIMARY KEY,
  company_id    text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  display_name  text NOT NULL,
  external_id   text,
  created       timestamptz NOT NULL,
  last_modified timestamptz NOT NULL,
  version       integer NOT NULL DEFAULT 1
);
CREATE INDEX groups_company ON groups (company_id);

${MEMBERSHIPS_SCHEMA}`;

/** Creates the tables. */
export async function createSchema(pg: Backend): Promise<void> {
  await execScript(pg, SCHEMA);
}

/** The demo data: two companies, so that filtering by company shows. */
export const DEMO = {
  acme: {
    companyId: '5f1d8a52-3c1e-4a57-9d0e-6b9a8f1c2d3e',
    name: 'Acme',
    token: 'lighton-demo-acme-3q9Zk2Lw8Rx4',
  },
  globex: {
    companyId: '8b2e4c61-7d3f-4e28-a1b9-0c5d6e7f8a9b',
    name: 'Globex',
    token: 'lighton-demo-globex-Vb7Np1Qs6Ty0',
  },
  /** Acme's group; the seed's rename example names this id. */
  engineeringId: '1879db59-3bdf-4490-ad68-ab880a269474',
  /** Acme's second group. */
  salesId: '2a4c6e80-1b3d-4f5a-8c7e-9d0f1a2b3c4d',
  /** Globex's group: invisible to Acme's token. */
  globexGroupId: '7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928',
  users: {
    ann: '2819c223-7f76-453a-919d-413861904646',
    bob: '902c246b-6245-4190-8e05-00816be7344a',
    eve: '6c8e3b4a-1f2d-4e5f-9a8b-7c6d5e4f3a2b',
    joe: 'c3a1e5f7-9b2d-4c6e-8a0f-1d3b5c7e9f2a',
    zoe: 'a8f6d4b2-0e9c-4a7b-8d5f-3e1c9b7a5d2f',
    /** A Globex user. */
    globexUser: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  },
  created: new Date('2026-01-05T09:00:00.000Z'),
} as const;

/** Inserts the demo data into empty tables. */
export async function seedDemo(pg: Backend): Promise<void> {
  const sql = new Database(pg).sql;
  const { acme, globex, users } = DEMO;
  await sql.query(`INSERT INTO companies (id, name) VALUES ($1, $2), ($3, $4)`, [acme.companyId, acme.name, globex.companyId, globex.name]);
  await sql.query(`INSERT INTO api_tokens (token_sha256, company_id, label) VALUES ($1, $2, 'Entra ID'), ($3, $4, 'Okta')`, [
    hashToken(acme.token),
    acme.companyId,
    hashToken(globex.token),
    globex.companyId,
  ]);
  await sql.query(
    `INSERT INTO users (id, company_id, user_name, display_name)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      [users.ann, users.bob, users.eve, users.joe, users.zoe, users.globexUser],
      [acme.companyId, acme.companyId, acme.companyId, acme.companyId, acme.companyId, globex.companyId],
      ['ann@acme.example', 'bob@acme.example', 'eve@acme.example', 'joe@acme.example', 'zoe@acme.example', 'gus@globex.example'],
      ['Ann Lee', 'Bob Smith', 'Eve Adams', 'Joe Park', 'Zoe Kim', 'Gus Fring'],
    ],
  );
  await sql.query(
    `INSERT INTO groups (id, company_id, display_name, external_id, created, last_modified)
     VALUES ($1, $2, 'Engineering', 'entra-eng-0001', $6, $6),
            ($3, $2, 'Sales', 'entra-sales-0002', $6, $6),
            ($4, $5, 'Engineering', 'okta-eng-0001', $6, $6)`,
    [DEMO.engineeringId, acme.companyId, DEMO.salesId, DEMO.globexGroupId, globex.companyId, DEMO.created],
  );
  // Engineering: Ann (with the display Entra sent) and Bob (no display: the user's name is shown).
  await sql.query(
    `INSERT INTO memberships (group_id, value, display) VALUES ($1, $2, 'Ann Lee'), ($1, $3, NULL), ($4, $5, 'Gus Fring')`,
    [DEMO.engineeringId, users.ann, users.bob, DEMO.globexGroupId, users.globexUser],
  );
}

/** Empties every table and restarts the sequence (tests call this before each test). */
export async function resetDatabase(pg: Backend): Promise<void> {
  await execScript(pg, `TRUNCATE companies, api_tokens, users, groups, memberships; ALTER SEQUENCE membership_position RESTART`);
}
