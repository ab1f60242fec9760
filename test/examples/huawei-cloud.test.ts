/**
 * The Huawei Cloud example server (Fastify 5 + PGlite), over real HTTP on 127.0.0.1, and the SQL
 * executor against `applyGroupPatch` (parity.ts), on one PGlite instance.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, normalizePatchRequest, type ExternalIdMutability } from 'scim-group-patch';
import { Database } from '../../examples/shared/database.js';
import { applyGroupChangesInSql } from '../../examples/shared/sql-group-patch.js';
import { createSchema, DEMO, resetDatabase, seedDemo } from '../../examples/huawei-cloud/schema.js';
import { start, type GroupChangedEvent, type RunningServer } from '../../examples/huawei-cloud/server.js';
import { call, loadGroup, patchOp, QueryCounter, valuesOf } from './support.js';
import { runConcurrentPatches } from './concurrency.js';
import { describeParity, MODES } from './parity.js';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const { tenant, otherTenant, users } = DEMO;

let pg: PGlite;
let server: RunningServer;
/** The same server with each externalId mutability (the main one is readOnly, Huawei's). */
const servers = new Map<ExternalIdMutability, RunningServer>();
let groupUrl: string;
const counter = new QueryCounter();
const events: GroupChangedEvent[] = [];
const logged: unknown[] = [];

beforeAll(async () => {
  pg = await PGlite.create();
  await createSchema(pg);
  server = await start({
    db: pg,
    now: () => NOW,
    onQuery: counter.observe,
    onGroupChanged: (event) => events.push(event),
    logError: (error) => logged.push(error),
    bodyLimit: 64 * 1024,
  });
  groupUrl = `${server.url}/${tenant.id}/scim/v2/Groups/${DEMO.groupId}`;
  for (const mode of MODES) {
    servers.set(
      mode,
      mode === 'readOnly'
        ? server
        : await start({ db: pg, externalIdMutability: mode, now: () => NOW, onGroupChanged: (event) => events.push(event) }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const running of new Set([server, ...servers.values()])) await running.close();
  await pg.close();
});

beforeEach(async () => {
  await resetDatabase(pg);
  await seedDemo(pg);
  events.length = 0;
  logged.length = 0;
});

/** Every error body: schemas, detail, status, timeStamp (and scimType when the status is 400 or 409). */
function expectErrorBody(json: unknown, status: number, detail: string | RegExp, scimType?: string): void {
  const detailMatcher: unknown = typeof detail === 'string' ? detail : expect.stringMatching(detail);
  expect(json).toEqual({
    schemas: [ERROR_SCHEMA],
    ...(scimType === undefined ? {} : { scimType }),
    detail: detailMatcher,
    status,
    timeStamp: NOW.toISOString(),
  });
}

describe('the seed', () => {
  it("the seed's four-operation request, verbatim: 204, renamed, members empty, one version bump", async () => {
    const reply = await call(groupUrl, {
      token: tenant.token,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', value: { id: '0efaa0db-6aa4-7aaa-6aa5-c222aaaaf31a', displayName: 'Update display name' } },
          { op: 'add', path: 'members', value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }] },
          {
            op: 'replace',
            path: 'members',
            value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }, { value: '1bdaa75c-7aaf-3aa2-7aac-6a00aaaa335f' }],
          },
          {
            op: 'remove',
            path: 'members',
            value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }, { value: '1bdaa75c-7aaf-3aa2-7aac-6a00aaaa335f' }],
          },
        ],
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(reply.headers.get('etag')).toBe('W/"2"');
    const group = await loadGroup(pg, DEMO.groupId);
    expect(group).toMatchObject({ displayName: 'Update display name', members: [], version: 2, lastModified: NOW.toISOString() });
    // The group had Carol and Dave: the replace removed them, the remove removed the two new ones.
    expect(events).toHaveLength(1);
    expect(events[0]?.summary).toMatchObject({
      attributesChanged: ['displayName', 'members'],
      membersAdded: [],
      membersRemoved: [{ value: users.carol }, { value: users.dave }],
    });
  });
});

describe('authentication and tenants', () => {
  const empty = patchOp();

  it('no token, a wrong token, another scheme: 401 with WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${tenant.token}` }]) {
      const reply = await call(groupUrl, { body: empty, headers });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expectErrorBody(reply.json, 401, 'Unauthorized');
    }
  });

  it("a token of another tenant: 403, and the group is untouched", async () => {
    const reply = await call(groupUrl, {
      token: otherTenant.token,
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Hijacked' }),
    });
    expect(reply.status).toBe(403);
    expectErrorBody(reply.json, 403, 'This token is not valid for this tenant');
    expect((await loadGroup(pg, DEMO.groupId)).displayName).toBe('Developers');
  });

  it("an unknown group, and another tenant's group under this tenant's URL: the same 404", async () => {
    for (const id of ['no-such-group', DEMO.otherGroupId]) {
      const reply = await call(`${server.url}/${tenant.id}/scim/v2/Groups/${id}`, { token: tenant.token, body: empty });
      expect(reply.status).toBe(404);
      expectErrorBody(reply.json, 404, `Resource ${id} not found`);
    }
  });
});

describe('GET of a group (not in the seed: it lets a client check a 204)', () => {
  it('shows what the 204 did, with the ETag the PATCH answered; 404 in another tenant, 403 with its token, 401 without one', async () => {
    const patched = await call(groupUrl, {
      token: tenant.token,
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Checked by GET' }, { op: 'add', path: 'members', value: [{ value: users.first, display: 'alice' }] }),
    });
    expect(patched.status).toBe(204);
    const read = await call(groupUrl, { method: 'GET', token: tenant.token });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(patched.headers.get('etag'));
    expect(read.json).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id: DEMO.groupId,
      displayName: 'Checked by GET',
      members: [{ value: users.carol }, { value: users.dave }, { value: users.first, display: 'alice' }],
      meta: { resourceType: 'Group', version: 'W/"2"' },
    });
    expect((await call(`${server.url}/${tenant.id}/scim/v2/Groups/${DEMO.otherGroupId}`, { method: 'GET', token: tenant.token })).status).toBe(404);
    expect((await call(`${server.url}/${otherTenant.id}/scim/v2/Groups/${DEMO.otherGroupId}`, { method: 'GET', token: tenant.token })).status).toBe(403);
    expect((await call(groupUrl, { method: 'GET' })).status).toBe(401);
  });
});

describe('client request shapes', () => {
  it('Entra ID: capitalized ops, "$ref": null, remove by a value array', async () => {
    const reply = await call(groupUrl, {
      token: tenant.token,
      body: patchOp(
        { op: 'Add', path: 'members', value: [{ $ref: null, value: users.first }] },
        { op: 'Remove', path: 'members', value: [{ value: users.dave }] },
      ),
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(valuesOf(await loadGroup(pg, DEMO.groupId))).toEqual([users.carol, users.first]);
  });

  it('Okta group push: pathless replace with id, add with display, filter remove, full replace', async () => {
    const okta = (...operations: object[]) => call(groupUrl, { token: tenant.token, body: patchOp(...operations) });
    expect((await okta({ op: 'replace', value: { id: DEMO.groupId, displayName: 'Developers (Okta)' } })).status).toBe(204);
    expect((await okta({ op: 'add', path: 'members', value: [{ value: users.first, display: 'alice' }] })).status).toBe(204);
    expect((await okta({ op: 'remove', path: `members[value eq "${users.carol}"]` })).status).toBe(204);
    let group = await loadGroup(pg, DEMO.groupId);
    expect(group).toMatchObject({
      displayName: 'Developers (Okta)',
      members: [{ value: users.dave }, { value: users.first, display: 'alice' }],
      version: 4,
    });
    const push = await okta({
      op: 'replace',
      path: 'members',
      value: [{ value: users.second, display: 'bruno' }, { value: users.first, display: 'alice' }],
    });
    expect(push.status).toBe(204);
    group = await loadGroup(pg, DEMO.groupId);
    // The kept member keeps its place; the new one goes last.
    expect(group.members).toEqual([
      { value: users.first, display: 'alice' },
      { value: users.second, display: 'bruno' },
    ]);
    expect(push.headers.get('etag')).toBe('W/"5"');
  });

  it('application/json and application/scim+json; charset=utf-8 are accepted; text/plain is 415', async () => {
    const body = patchOp({ op: 'replace', path: 'displayName', value: 'Devs' });
    expect((await call(groupUrl, { token: tenant.token, body, contentType: 'application/json' })).status).toBe(204);
    expect((await call(groupUrl, { token: tenant.token, body, contentType: 'application/scim+json; charset=utf-8' })).status).toBe(204);
    const plain = await call(groupUrl, { token: tenant.token, body, contentType: 'text/plain' });
    expect(plain.status).toBe(415);
    expectErrorBody(plain.json, 415, /application\/scim\+json/);
  });

  it('a request that changes nothing: 204 with the same ETag, no version bump, no event', async () => {
    const reply = await call(groupUrl, {
      token: tenant.token,
      body: patchOp(
        { op: 'add', path: 'members', value: [{ value: users.carol, display: 'other display' }] },
        { op: 'replace', path: 'displayName', value: 'Developers' },
        { op: 'remove', path: 'members', value: [{ value: users.first }] },
      ),
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(await loadGroup(pg, DEMO.groupId)).toMatchObject({ version: 1, lastModified: DEMO.created.toISOString() });
    expect(events).toEqual([]);
  });

  it('1,000 updates of every member in one request run as one pass: a handful of statements, not 1,000 UPDATEs', async () => {
    const body = patchOp(...Array.from({ length: 1_000 }, (_, i) => ({ op: 'replace', path: 'members.display', value: `d${String(i)}` })));
    const reply = await counter.during(() => call(groupUrl, { token: tenant.token, body }));
    expect(reply.status).toBe(204);
    // token, lock, the members (once), one UPDATE of the changed rows, version bump
    expect(counter.queries).toBeLessThanOrEqual(6);
    expect(counter.statements.filter((statement) => /^\s*UPDATE memberships/i.test(statement.text))).toHaveLength(1);
    const members = (await loadGroup(pg, DEMO.groupId)).members ?? [];
    expect(members.length).toBeGreaterThan(0);
    expect(members.map((member) => member.display)).toEqual(members.map(() => 'd999'));
  });
});

describe('errors', () => {
  it('a rename onto a name the tenant already uses (in any case): 409 uniqueness, nothing applied', async () => {
    for (const name of ['Finance', 'FINANCE']) {
      const reply = await call(groupUrl, {
        token: tenant.token,
        body: patchOp(
          { op: 'add', path: 'members', value: [{ value: users.first }] },
          { op: 'replace', path: 'displayName', value: name },
        ),
      });
      expect(reply.status).toBe(409);
      expectErrorBody(reply.json, 409, `displayName '${name}' is already used by another group of this tenant`, 'uniqueness');
    }
    const group = await loadGroup(pg, DEMO.groupId);
    expect(group).toMatchObject({ displayName: 'Developers', members: [{ value: users.carol }, { value: users.dave }], version: 1 });
    // The other tenant's "Developers" does not collide with this tenant's names.
    const reply = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'replace', path: 'displayName', value: 'developers' }) });
    expect(reply.status).toBe(204);
  });

  it('invalid JSON, an empty body, a bad op, a bad path: 400 with scimType and timeStamp', async () => {
    const broken = await call(groupUrl, { token: tenant.token, body: '{"Operations": [' });
    expect(broken.status).toBe(400);
    expectErrorBody(broken.json, 400, 'request body is not valid JSON', 'invalidSyntax');
    const empty = await call(groupUrl, { token: tenant.token, body: '' , contentType: 'application/json' });
    expect(empty.status).toBe(400);
    const badOp = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'move', path: 'members' }) });
    expect(badOp.status).toBe(400);
    expect(badOp.json).toMatchObject({ scimType: 'invalidSyntax', status: 400, timeStamp: NOW.toISOString() });
    const badPath = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'remove', path: 'members[value eq]' }) });
    expect(badPath.json).toMatchObject({ scimType: 'invalidFilter', status: 400 });
    const proto = await call(groupUrl, { token: tenant.token, body: '{"__proto__":{"x":1},"Operations":[]}' });
    expect(proto.status).toBe(400);
  });

  it('externalId is readOnly (Huawei: only displayName and members can be modified)', async () => {
    const byPath = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'replace', path: 'externalId', value: 'x' }) });
    expect(byPath.json).toMatchObject({ scimType: 'mutability', status: 400 });
    const pathless = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'replace', value: { externalId: 'x' } }) });
    expect(pathless.status).toBe(204);
    expect((await loadGroup(pg, DEMO.groupId)).externalId).toBeUndefined();
  });

  it('members must be users of the tenant: 400 invalidValue naming the unknown ids, nothing applied', async () => {
    const reply = await call(groupUrl, {
      token: tenant.token,
      body: patchOp(
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'add', path: 'members', value: [{ value: users.first }, { value: users.stranger }, { value: 'ghost' }] },
      ),
    });
    expect(reply.status).toBe(400);
    expectErrorBody(
      reply.json,
      400,
      `Operations[1].value: '${users.stranger}', 'ghost' are not users of this tenant`,
      'invalidValue',
    );
    expect(await loadGroup(pg, DEMO.groupId)).toMatchObject({ displayName: 'Developers', version: 1 });
  });

  it('noTarget and mutability from filtered member updates roll back earlier operations', async () => {
    const noTarget = await call(groupUrl, {
      token: tenant.token,
      body: patchOp(
        { op: 'remove', path: 'members', value: [{ value: users.carol }] },
        { op: 'replace', path: 'members[value eq "nobody"].display', value: 'x' },
      ),
    });
    expectErrorBody(noTarget.json, 400, 'Operations[1].path: the filter matches no member', 'noTarget');
    const mutability = await call(groupUrl, {
      token: tenant.token,
      body: patchOp({ op: 'replace', path: `members[value eq "${users.carol}"].value`, value: users.dave }),
    });
    expect(mutability.json).toMatchObject({ scimType: 'mutability', status: 400 });
    expect(valuesOf(await loadGroup(pg, DEMO.groupId))).toEqual([users.carol, users.dave]);
  });

  it('a body over the limit: 413', async () => {
    const values = Array.from({ length: 2000 }, (_, i) => ({ value: `user-${String(i).padStart(40, '0')}` }));
    const reply = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'add', path: 'members', value: values }) });
    expect(reply.status).toBe(413);
    expectErrorBody(reply.json, 413, 'Request payload too large');
  });

  it('an unexpected failure: 500 whose body leaks nothing, the error is logged', async () => {
    await pg.exec('ALTER TABLE memberships RENAME TO memberships_gone');
    try {
      const reply = await call(groupUrl, { token: tenant.token, body: patchOp({ op: 'add', path: 'members', value: [{ value: users.first }] }) });
      expect(reply.status).toBe(500);
      expectErrorBody(reply.json, 500, 'Internal server error');
      expect(reply.text).not.toMatch(/memberships|relation|select|insert|at /i);
      expect(logged).toHaveLength(1);
    } finally {
      await pg.exec('ALTER TABLE memberships_gone RENAME TO memberships');
    }
    expect((await loadGroup(pg, DEMO.groupId)).version).toBe(1);
  });

  it('an unknown route: 404 SCIM body', async () => {
    const reply = await call(`${server.url}/${tenant.id}/scim/v2/Users/x`, { token: tenant.token, body: patchOp() });
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ schemas: [ERROR_SCHEMA], status: 404 });
  });
});

describe('versions', () => {
  it('ETag and If-Match: the current version (weak or strong tag, or *) applies, a stale one is 412', async () => {
    const rename = (value: string, ifMatch?: string) =>
      call(groupUrl, {
        token: tenant.token,
        body: patchOp({ op: 'replace', path: 'displayName', value }),
        ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
      });
    expect((await rename('A', 'W/"1"')).headers.get('etag')).toBe('W/"2"');
    expect((await rename('B', '"2"')).headers.get('etag')).toBe('W/"3"');
    expect((await rename('C', 'W/"1", W/"3"')).headers.get('etag')).toBe('W/"4"');
    expect((await rename('D', '*')).headers.get('etag')).toBe('W/"5"');
    const stale = await rename('E', 'W/"4"');
    expect(stale.status).toBe(412);
    expectErrorBody(stale.json, 412, 'Resource version does not match If-Match');
    expect(await loadGroup(pg, DEMO.groupId)).toMatchObject({ displayName: 'D', version: 5 });
  });

  it('100 concurrent PATCHes: every 2xx change is in the final state, nothing else, no 5xx', async () => {
    const outcome = await runConcurrentPatches({
      pg,
      groupId: DEMO.groupId,
      scopeColumn: 'tenant_id',
      scopeId: tenant.id,
      send: async (body, ifMatch) => {
        const reply = await call(groupUrl, { token: tenant.token, body, ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }) });
        return { status: reply.status, etag: reply.headers.get('etag') };
      },
    });
    expect(outcome.statuses.get(204)).toBeGreaterThan(50);
    expect(outcome.statuses.get(412)).toBeGreaterThan(0);
    // The read-then-write clients got through with If-Match.
    expect(outcome.conditionalSuccesses).toBeGreaterThanOrEqual(11);
    expect([...outcome.statuses.keys()].every((status) => status === 204 || status === 412)).toBe(true);
  }, 30_000);
});

describe('a 100,000-member group', () => {
  const bigId = 'big-group';

  beforeEach(async () => {
    await pg.query(
      `INSERT INTO users (id, tenant_id, user_name, display_name)
       SELECT 'big-' || i, $1, 'big' || i, 'Big ' || i FROM generate_series(1, 100001) AS i`,
      [tenant.id],
    );
    await pg.query(`INSERT INTO groups (id, tenant_id, display_name, created, last_modified) VALUES ($1, $2, 'Everyone', $3, $3)`, [
      bigId,
      tenant.id,
      DEMO.created,
    ]);
    // A bulk load of rows known to be valid: skip the foreign-key triggers, as pg_restore does.
    await pg.exec('SET session_replication_role = replica');
    await pg.query(
      `INSERT INTO memberships (group_id, value) SELECT $1, 'big-' || i FROM generate_series(1, 100000) AS i`,
      [bigId],
    );
    await pg.exec('RESET session_replication_role');
    await pg.exec('ANALYZE');
  }, 60_000);

  it('adding one member, removing one by value and renaming never read the member list', async () => {
    // In PostgreSQL itself, rolled back: no sequential scan, a few index entries fetched.
    const db = new Database(pg);
    const rollback = new Error('roll back: this test only measures');
    let stats: { seq_scan: number; idx_tup_fetch: number; n_tup_ins: number; n_tup_del: number } | undefined;
    const measured = db.transaction(async (sql) => {
      const [group] = await sql.query<{ version: number }>(`SELECT version FROM groups WHERE id = $1 FOR UPDATE`, [bigId]);
      const changes = normalizePatchRequest(
        patchOp(
          { op: 'add', path: 'members', value: [{ value: 'big-100001' }] },
          { op: 'remove', path: 'members', value: [{ value: 'big-5' }] },
          { op: 'remove', path: 'members[value eq "big-6"]' },
          { op: 'replace', path: 'displayName', value: 'Everybody' },
        ),
      );
      const outcome = await applyGroupChangesInSql(sql, {
        group: { id: bigId, displayName: 'Everyone', externalId: null, version: group?.version ?? 0 },
        changes,
        scopeName: 'tenant',
        findUnknownUsers: () => Promise.resolve([]),
      });
      expect(outcome.summary).toMatchObject({ changed: true, membersAdded: [{ value: 'big-100001' }] });
      expect(outcome.summary.membersRemoved).toHaveLength(2);
      // This transaction's own counters: sequential scans, index entries fetched, rows written.
      [stats] = await sql.query<NonNullable<typeof stats>>(
        `SELECT seq_scan::int, idx_tup_fetch::int, n_tup_ins::int, n_tup_del::int
           FROM pg_stat_xact_user_tables WHERE relname = 'memberships'`,
      );
      throw rollback;
    });
    await expect(measured).rejects.toBe(rollback);
    expect(stats).toMatchObject({ seq_scan: 0, n_tup_ins: 1, n_tup_del: 2 });
    expect(stats?.idx_tup_fetch).toBeLessThanOrEqual(5);
    const name = await pg.query<{ display_name: string }>(`SELECT display_name FROM groups WHERE id = $1`, [bigId]);
    expect(name.rows[0]?.display_name).toBe('Everyone');

    // Over HTTP, committed: a handful of statements, each returning a row or two.
    const url = `${server.url}/${tenant.id}/scim/v2/Groups/${bigId}`;
    const reply = await counter.during(() =>
      call(url, { token: tenant.token, body: patchOp({ op: 'Add', path: 'members', value: [{ value: 'big-100001' }] }) }),
    );
    expect(reply.status).toBe(204);
    // token, lock, users check, position, insert, version bump
    expect(counter.queries).toBeLessThanOrEqual(6);
    expect(counter.rows).toBeLessThanOrEqual(6);
    const count = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM memberships WHERE group_id = $1`, [bigId]);
    expect(count.rows[0]?.n).toBe(100_001);
  });
});

describeParity(() => ({
  pg,
  now: NOW,
  events,
  serverFor: (mode) => {
    const running = servers.get(mode);
    if (running === undefined) throw new Error(`no server for ${mode}`);
    return running.url;
  },
}));
