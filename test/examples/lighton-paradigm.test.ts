/**
 * The LightOn Paradigm example server (Express 5 + PGlite), over real HTTP on 127.0.0.1.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyGroupPatch, ERROR_SCHEMA, GROUP_SCHEMA, type Group } from 'scim-group-patch';
import { createSchema, DEMO, resetDatabase, seedDemo } from '../../examples/lighton-paradigm/schema.js';
import { start, type GroupChangedEvent, type RunningServer } from '../../examples/lighton-paradigm/server.js';
import { runConcurrentPatches } from './concurrency.js';
import { call, loadGroup, patchOp, QueryCounter, valuesOf } from './support.js';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const { acme, globex, users } = DEMO;

let pg: PGlite;
let server: RunningServer;
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
  groupUrl = `${server.url}/scim/v2/Groups/${DEMO.engineeringId}`;
}, 60_000);

afterAll(async () => {
  await server.close();
  await pg.close();
});

beforeEach(async () => {
  await resetDatabase(pg);
  await seedDemo(pg);
  events.length = 0;
  logged.length = 0;
});

const UNAUTHORIZED = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Unauthorized","status":401}';

function expectScimJson(headers: Headers): void {
  expect(headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
}

describe('the seed', () => {
  it("RenameTheGroup, verbatim: 200 with the SCIMGroupCreateResponse body, ETag, and the row updated", async () => {
    const reply = await call(groupUrl, {
      token: acme.token,
      contentType: 'application/json',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
      },
    });
    expect(reply.status).toBe(200);
    expectScimJson(reply.headers);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.json).toEqual({
      schemas: [GROUP_SCHEMA],
      id: DEMO.engineeringId,
      externalId: 'entra-eng-0001',
      meta: { resourceType: 'Group', created: DEMO.created.toISOString(), lastModified: NOW.toISOString(), version: 'W/"2"' },
      displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
      // Bob was stored without a display: the response schema requires one, so the user's name is shown.
      members: [
        { value: users.ann, display: 'Ann Lee' },
        { value: users.bob, display: 'Bob Smith' },
      ],
    });
    expect(await loadGroup(pg, DEMO.engineeringId)).toMatchObject({
      displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
      version: 2,
      lastModified: NOW.toISOString(),
    });
    expect(events).toEqual([
      {
        companyId: acme.companyId,
        groupId: DEMO.engineeringId,
        version: 2,
        summary: { changed: true, attributesChanged: ['displayName'], membersAdded: [], membersRemoved: [], membersUpdated: [] },
      },
    ]);
  });

  it("401: the seed's exact body, for no token, a wrong token, another company's token hash, another scheme", async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: 'Bearer ' }, { authorization: `Token ${acme.token}` }]) {
      const reply = await call(groupUrl, { body: patchOp(), headers });
      expect(reply.status).toBe(401);
      expectScimJson(reply.headers);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.text).toBe(UNAUTHORIZED);
    }
  });

  it("404: the seed's body for a missing group, and the same for another company's group", async () => {
    for (const id of ['123', DEMO.globexGroupId]) {
      const reply = await call(`${server.url}/scim/v2/Groups/${id}`, {
        token: acme.token,
        body: patchOp({ op: 'replace', path: 'displayName', value: 'Mine now' }),
      });
      expect(reply.status).toBe(404);
      expectScimJson(reply.headers);
      expect(reply.text).toBe(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Resource ${id} not found","status":404}`);
    }
    expect((await loadGroup(pg, DEMO.globexGroupId)).displayName).toBe('Engineering');
    // Globex's own token reaches it.
    const own = await call(`${server.url}/scim/v2/Groups/${DEMO.globexGroupId}`, { token: globex.token, body: patchOp() });
    expect(own.status).toBe(200);
  });

  it('PUT (disabled, as in the seed) and other methods: 405 with Allow: GET, PATCH and a SCIM body', async () => {
    for (const method of ['PUT', 'DELETE', 'POST']) {
      const reply = await call(groupUrl, { method, token: acme.token, ...(method === 'DELETE' ? {} : { body: {} }) });
      expect(reply.status).toBe(405);
      expect(reply.headers.get('allow')).toBe('GET, PATCH');
      expectScimJson(reply.headers);
      expect(reply.json).toEqual({ schemas: [ERROR_SCHEMA], detail: 'Only GET and PATCH are supported on /scim/v2/Groups/{id}', status: 405 });
    }
  });

  it('projection of the PATCH answer (RFC 7644 §3.9): attributes keeps those plus id and schemas; excludedAttributes drops those; both is 400', async () => {
    const rename = patchOp({ op: 'replace', path: 'displayName', value: 'Projected' });
    const only = await call(`${groupUrl}?attributes=displayName`, { token: acme.token, body: rename });
    expect(only.status).toBe(200);
    expect(only.json).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: DEMO.engineeringId, displayName: 'Projected' });
    const without = await call(`${groupUrl}?excludedAttributes=members,urn:ietf:params:scim:schemas:core:2.0:Group:meta`, { token: acme.token, body: patchOp() });
    expect(without.status).toBe(200);
    expect(Object.keys(without.json as object).sort()).toEqual(['displayName', 'externalId', 'id', 'schemas']);
    const both = await call(`${groupUrl}?attributes=displayName&excludedAttributes=members`, { token: acme.token, body: patchOp() });
    expect(both.status).toBe(400);
  });

  it('Prefer: return=minimal: 204 with the new ETag and no body (RFC 7644 §3.5.2 allows it)', async () => {
    const reply = await call(groupUrl, {
      token: acme.token,
      headers: { prefer: 'return=minimal' },
      body: patchOp({ op: 'replace', path: 'displayName', value: 'Minimal' }),
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.headers.get('preference-applied')).toBe('return=minimal');
    expect((await loadGroup(pg, DEMO.engineeringId)).displayName).toBe('Minimal');
  });

  it('GET (not in the seed, to check a PATCH): the group as the PATCH answers it, with the same ETag; 404 for another company, 401 without a token', async () => {
    const patched = await call(groupUrl, { token: acme.token, body: patchOp({ op: 'replace', path: 'displayName', value: 'Checked by GET' }) });
    expect(patched.status).toBe(200);
    const read = await call(groupUrl, { method: 'GET', token: acme.token });
    expect(read.status).toBe(200);
    expectScimJson(read.headers);
    expect(read.headers.get('etag')).toBe(patched.headers.get('etag'));
    expect(read.json).toEqual(patched.json);
    expect((await call(groupUrl, { method: 'GET', token: DEMO.globex.token })).status).toBe(404);
    expect((await call(groupUrl, { method: 'GET' })).status).toBe(401);
    const withoutMembers = await call(`${groupUrl}?excludedAttributes=members`, { method: 'GET', token: acme.token });
    expect(withoutMembers.json).not.toHaveProperty('members');
  });
});

describe('client request shapes', () => {
  it('Entra ID: capitalized ops, "$ref": null, remove by a value array', async () => {
    const reply = await call(groupUrl, {
      token: acme.token,
      body: patchOp(
        { op: 'Add', path: 'members', value: [{ $ref: null, value: users.eve }] },
        { op: 'Remove', path: 'members', value: [{ value: users.bob }] },
      ),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      members: [
        { value: users.ann, display: 'Ann Lee' },
        { value: users.eve, display: 'Eve Adams' },
      ],
      meta: { version: 'W/"2"' },
    });
    expect((await loadGroup(pg, DEMO.engineeringId)).members).toEqual([{ value: users.ann, display: 'Ann Lee' }, { value: users.eve }]);
  });

  it('Okta group push: pathless replace with id, add with display, filter remove, full replace', async () => {
    const okta = (...operations: object[]) => call(groupUrl, { token: acme.token, body: patchOp(...operations) });
    await okta({ op: 'replace', value: { id: DEMO.engineeringId, displayName: 'Engineering (Okta)' } });
    await okta({ op: 'add', path: 'members', value: [{ value: users.joe, display: 'joe.park' }] });
    const removed = await okta({ op: 'remove', path: `members[value eq "${users.ann}"]` });
    expect(removed.json).toMatchObject({
      displayName: 'Engineering (Okta)',
      members: [
        { value: users.bob, display: 'Bob Smith' },
        { value: users.joe, display: 'joe.park' },
      ],
    });
    const push = await okta({
      op: 'replace',
      path: 'members',
      value: [{ value: users.zoe, display: 'zoe.kim' }, { value: users.joe, display: 'joe.park' }],
    });
    expect(push.status).toBe(200);
    expect(push.headers.get('etag')).toBe('W/"5"');
    expect((await loadGroup(pg, DEMO.engineeringId)).members).toEqual([
      { value: users.joe, display: 'joe.park' },
      { value: users.zoe, display: 'zoe.kim' },
    ]);
  });

  it('the database ends as applyGroupPatch says, for the seed, Entra and Okta requests in a row', async () => {
    const requests = [
      patchOp({ op: 'replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }),
      patchOp(
        { op: 'Add', path: 'members', value: [{ $ref: null, value: users.eve, display: 'Eve' }, { value: users.joe }] },
        { op: 'Remove', path: 'members', value: [{ value: users.bob }] },
      ),
      patchOp(
        { op: 'replace', value: { id: DEMO.engineeringId, displayName: 'Eng', externalId: 'ignored (readOnly)' } },
        { op: 'remove', path: `members[value eq "${users.ann}"]` },
        { op: 'add', path: 'members', value: [{ value: users.ann, display: 'Ann again' }] },
      ),
      patchOp({ op: 'replace', path: 'members', value: [{ value: users.zoe }, { value: users.ann, display: 'Ann again' }] }),
      patchOp({ op: 'replace', path: `members[value eq "${users.zoe}"].display`, value: 'Zoe' }),
    ];
    for (const body of requests) {
      const before = await loadGroup(pg, DEMO.engineeringId);
      const expected: Group = applyGroupPatch(before, body, { externalIdMutability: 'readOnly', now: () => NOW });
      const reply = await call(groupUrl, { token: acme.token, body });
      expect(reply.status).toBe(200);
      const after = await loadGroup(pg, DEMO.engineeringId);
      expect({ displayName: after.displayName, externalId: after.externalId, members: after.members }).toEqual({
        displayName: expected.displayName,
        externalId: expected.externalId,
        members: expected.members,
      });
      expect(after.version).toBe(before.version + (expected === before ? 0 : 1));
    }
  });

  it('application/json, application/scim+json; charset=utf-8: accepted; text/plain: 415; invalid JSON: 400; too large: 413', async () => {
    const body = patchOp({ op: 'replace', path: 'displayName', value: 'Eng' });
    expect((await call(groupUrl, { token: acme.token, body, contentType: 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await call(groupUrl, { token: acme.token, body, contentType: 'application/scim+json; charset=utf-8' })).status).toBe(200);

    const plain = await call(groupUrl, { token: acme.token, body, contentType: 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.json).toMatchObject({ schemas: [ERROR_SCHEMA], status: 415 });

    const broken = await call(groupUrl, { token: acme.token, body: '{"Operations": [' });
    expect(broken.status).toBe(400);
    expectScimJson(broken.headers);
    expect(broken.json).toEqual({ schemas: [ERROR_SCHEMA], scimType: 'invalidSyntax', detail: 'request body is not valid JSON', status: 400 });

    const values = Array.from({ length: 2000 }, (_, i) => ({ value: `user-${String(i).padStart(40, '0')}` }));
    const large = await call(groupUrl, { token: acme.token, body: patchOp({ op: 'add', path: 'members', value: values }) });
    expect(large.status).toBe(413);
    expect(large.json).toEqual({ schemas: [ERROR_SCHEMA], detail: 'Request payload too large', status: 413 });
  });

  it('a body from a stranger is never parsed: 401 comes before 400 and 413', async () => {
    expect((await call(groupUrl, { body: '{not json' })).text).toBe(UNAUTHORIZED);
    expect((await call(groupUrl, { body: 'x'.repeat(100_000) })).text).toBe(UNAUTHORIZED);
  });
});

describe('errors and versions', () => {
  it('externalId is readOnly: a path to it is 400 mutability; in a pathless value it is ignored', async () => {
    const byPath = await call(groupUrl, { token: acme.token, body: patchOp({ op: 'replace', path: 'externalId', value: 'x' }) });
    expect(byPath.status).toBe(400);
    expect(byPath.json).toEqual({
      schemas: [ERROR_SCHEMA],
      scimType: 'mutability',
      detail: 'Operations[0].path: externalId is readOnly on this server',
      status: 400,
    });
    const pathless = await call(groupUrl, { token: acme.token, body: patchOp({ op: 'replace', value: { externalId: 'x' } }) });
    expect(pathless.status).toBe(200);
    expect(pathless.json).toMatchObject({ externalId: 'entra-eng-0001', meta: { version: 'W/"1"' } });
  });

  it("members must be users of the company: another company's user or an unknown id is 400 invalidValue", async () => {
    const reply = await call(groupUrl, {
      token: acme.token,
      body: patchOp({ op: 'add', path: 'members', value: [{ value: users.eve }, { value: users.globexUser }] }),
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      schemas: [ERROR_SCHEMA],
      scimType: 'invalidValue',
      detail: `Operations[0].value: '${users.globexUser}' is not a user of this company`,
      status: 400,
    });
    expect(valuesOf(await loadGroup(pg, DEMO.engineeringId))).toEqual([users.ann, users.bob]);
  });

  it('If-Match: the current version applies, a stale one is 412; a no-op keeps version and lastModified', async () => {
    const noop = await call(groupUrl, {
      token: acme.token,
      body: patchOp({ op: 'add', path: 'members', value: [{ value: users.ann, display: 'Someone else' }] }),
    });
    expect(noop.status).toBe(200);
    expect(noop.headers.get('etag')).toBe('W/"1"');
    expect(noop.json).toMatchObject({ meta: { lastModified: DEMO.created.toISOString(), version: 'W/"1"' } });
    expect(events).toEqual([]);

    const rename = (value: string, ifMatch: string) =>
      call(groupUrl, { token: acme.token, body: patchOp({ op: 'replace', path: 'displayName', value }), headers: { 'if-match': ifMatch } });
    expect((await rename('A', 'W/"1"')).headers.get('etag')).toBe('W/"2"');
    const stale = await rename('B', 'W/"1"');
    expect(stale.status).toBe(412);
    expectScimJson(stale.headers);
    expect(stale.json).toEqual({ schemas: [ERROR_SCHEMA], detail: 'Resource version does not match If-Match', status: 412 });
    expect(await loadGroup(pg, DEMO.engineeringId)).toMatchObject({ displayName: 'A', version: 2 });
  });

  it('excludedAttributes=members: the response omits members and no membership row is read', async () => {
    const reply = await counter.during(() =>
      call(`${groupUrl}?excludedAttributes=members`, {
        token: acme.token,
        body: patchOp({ op: 'Add', path: 'members', value: [{ value: users.zoe }] }),
      }),
    );
    expect(reply.status).toBe(200);
    expect(reply.json).not.toHaveProperty('members');
    expect(reply.json).toMatchObject({ displayName: 'Engineering', meta: { version: 'W/"2"' } });
    // token, lock, users check, position, insert, version bump, read back the group row
    expect(counter.statements.map((statement) => statement.rows)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('an unexpected failure is a 500 that leaks nothing', async () => {
    await pg.exec('ALTER TABLE memberships RENAME COLUMN display TO display_gone');
    try {
      const reply = await call(groupUrl, { token: acme.token, body: patchOp({ op: 'add', path: 'members', value: [{ value: users.eve }] }) });
      expect(reply.status).toBe(500);
      expect(reply.text).toBe('{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Internal server error","status":500}');
      expect(logged).toHaveLength(1);
    } finally {
      await pg.exec('ALTER TABLE memberships RENAME COLUMN display_gone TO display');
    }
  });

  it('100 concurrent PATCHes: every 2xx change is in the final state, nothing else, no 5xx', async () => {
    const outcome = await runConcurrentPatches({
      pg,
      groupId: DEMO.engineeringId,
      scopeColumn: 'company_id',
      scopeId: acme.companyId,
      send: async (body, ifMatch) => {
        const reply = await call(groupUrl, { token: acme.token, body, ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }) });
        // The body and the ETag header agree.
        if (reply.status === 200) expect(reply.json).toMatchObject({ meta: { version: reply.headers.get('etag') } });
        return { status: reply.status, etag: reply.headers.get('etag') };
      },
    });
    expect(outcome.statuses.get(200)).toBeGreaterThan(50);
    expect(outcome.statuses.get(412)).toBeGreaterThan(0);
    // The read-then-write clients got through with If-Match.
    expect(outcome.conditionalSuccesses).toBeGreaterThanOrEqual(11);
  }, 30_000);
});
