/**
 * Hostile requests against both example servers, over real loopback HTTP (raw sockets where fetch
 * would refuse to send the request). One table, run against each server: a client's mistake is
 * always a SCIM error body (`application/scim+json`, the Error URN, an integer status equal to the
 * HTTP status) with the status the shared rules give (examples/shared/README.md), never a
 * framework's body, an empty body, a dropped connection, a stack trace or a call to `logError`;
 * and nothing is written.
 */
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, type ScimType } from 'scim-group-patch';
import * as huawei from '../../examples/huawei-cloud/schema.js';
import { start as startHuawei } from '../../examples/huawei-cloud/server.js';
import * as lighton from '../../examples/lighton-paradigm/schema.js';
import { start as startLightOn } from '../../examples/lighton-paradigm/server.js';
import type { RunningServer } from '../../examples/shared/server.js';
import { MAX_DISPLAY_NAME_LENGTH } from '../../examples/shared/text.js';
import { call, loadGroup, patchOp, rawRequest, requestBytes, type RawReply, type RawRequestInit } from './support.js';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const BODY_LIMIT = 64 * 1024;
/** Generous: each test starts or queries PGlite, and the machine may be busy. */
const TIMEOUT = 60_000;

/** One example server, as the table needs it. */
interface Target {
  readonly name: string;
  readonly pg: PGlite;
  readonly server: RunningServer;
  /** `/scim/v2` or `/<tenant>/scim/v2`. */
  readonly base: string;
  readonly groupId: string;
  readonly token: string;
  /** A member of the group. */
  readonly memberId: string;
  /** 200 (LightOn) or 204 (Huawei). */
  readonly success: number;
  /** Huawei's error bodies carry `timeStamp`. */
  readonly timeStamp: boolean;
  readonly logged: unknown[];
}

const targets: Target[] = [];

beforeAll(async () => {
  const lightonPg = await PGlite.create();
  await lighton.createSchema(lightonPg);
  const lightonLogged: unknown[] = [];
  targets.push({
    name: 'LightOn Paradigm (Express)',
    pg: lightonPg,
    server: await startLightOn({ db: lightonPg, now: () => NOW, bodyLimit: BODY_LIMIT, logError: (error) => lightonLogged.push(error) }),
    base: '/scim/v2',
    groupId: lighton.DEMO.engineeringId,
    token: lighton.DEMO.acme.token,
    memberId: lighton.DEMO.users.ann,
    success: 200,
    timeStamp: false,
    logged: lightonLogged,
  });
  const huaweiPg = await PGlite.create();
  await huawei.createSchema(huaweiPg);
  const huaweiLogged: unknown[] = [];
  targets.push({
    name: 'Huawei Cloud (Fastify)',
    pg: huaweiPg,
    server: await startHuawei({ db: huaweiPg, now: () => NOW, bodyLimit: BODY_LIMIT, logError: (error) => huaweiLogged.push(error) }),
    base: `/${huawei.DEMO.tenant.id}/scim/v2`,
    groupId: huawei.DEMO.groupId,
    token: huawei.DEMO.tenant.token,
    memberId: huawei.DEMO.users.carol,
    success: 204,
    timeStamp: true,
    logged: huaweiLogged,
  });
}, TIMEOUT);

afterAll(async () => {
  for (const target of targets) {
    await target.server.close();
    await target.pg.close();
  }
});

beforeEach(async () => {
  await lighton.resetDatabase(targets[0]?.pg ?? fail('no LightOn target'));
  await lighton.seedDemo(targets[0]?.pg ?? fail('no LightOn target'));
  await huawei.resetDatabase(targets[1]?.pg ?? fail('no Huawei target'));
  await huawei.seedDemo(targets[1]?.pg ?? fail('no Huawei target'));
  for (const target of targets) target.logged.length = 0;
}, TIMEOUT);

function fail(message: string): never {
  throw new Error(message);
}

const groupPath = (t: Target, id: string = t.groupId): string => `${t.base}/Groups/${id}`;
const EMPTY_PATCH = JSON.stringify(patchOp());

/** A PATCH of the demo group with the token and a SCIM content type, unless `init` says otherwise. */
function authorized(t: Target, init: Partial<RawRequestInit> & { readonly contentType?: string | null } = {}): Buffer {
  const { contentType = 'application/scim+json', ...rest } = init;
  return requestBytes({
    target: groupPath(t),
    body: EMPTY_PATCH,
    ...rest,
    headers: {
      Authorization: `Bearer ${t.token}`,
      ...(contentType === null ? {} : { 'Content-Type': contentType }),
      ...init.headers,
    },
  });
}

/** One hostile request and what both servers must answer. */
interface HostileCase {
  readonly name: string;
  readonly request: (t: Target) => Buffer | string;
  readonly status: number;
  readonly scimType?: ScimType;
  /** The `Allow` header a 405 carries. */
  readonly allow?: string;
  /** HEAD: the answer has headers only. */
  readonly noBody?: boolean;
  /** More checks on the answer. */
  readonly check?: (reply: RawReply, t: Target) => void;
}

const notGzip = 'this is not compressed data';

const HOSTILE: readonly HostileCase[] = [
  // The request line: checked before routing and authentication.
  {
    name: 'a malformed percent-escape in the id, without a token',
    request: (t) => requestBytes({ target: groupPath(t, '%zz'), body: EMPTY_PATCH, headers: { 'Content-Type': 'application/scim+json' } }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  { name: 'a malformed percent-escape in the id', request: (t) => authorized(t, { target: groupPath(t, 'ab%2') }), status: 400, scimType: 'invalidSyntax' },
  {
    name: 'a malformed percent-escape in the query',
    request: (t) => authorized(t, { target: `${groupPath(t)}?excludedAttributes=%zz` }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  { name: 'percent-escapes that are not UTF-8', request: (t) => authorized(t, { target: groupPath(t, '%C3%28') }), status: 400, scimType: 'invalidSyntax' },
  { name: 'an escaped NUL in the id', request: (t) => authorized(t, { target: groupPath(t, 'a%00b') }), status: 400, scimType: 'invalidSyntax' },
  { name: 'an escaped line feed in the id', request: (t) => authorized(t, { target: groupPath(t, 'a%0Ab') }), status: 400, scimType: 'invalidSyntax' },
  {
    name: 'an id of 255 characters: 404 like any unknown id, the id clipped',
    request: (t) => authorized(t, { target: groupPath(t, 'i'.repeat(255)) }),
    status: 404,
    check: (reply) => expect(detailOf(reply)).toBe(`Resource ${'i'.repeat(80)}… (255 characters) not found`),
  },
  { name: 'an id of 256 characters', request: (t) => authorized(t, { target: groupPath(t, 'i'.repeat(256)) }), status: 414 },
  {
    name: 'a 15 KB path: 414, and the answer does not echo it',
    request: (t) => authorized(t, { target: `${t.base}/${'x/'.repeat(7500)}` }),
    status: 414,
  },
  {
    name: 'an unknown 1,500-character path: 404 whose detail clips the path',
    request: (t) => authorized(t, { target: `${t.base}/${'x/'.repeat(750)}` }),
    status: 404,
    check: (reply) => expect(detailOf(reply).length).toBeLessThan(160),
  },
  // Methods and paths the seeds do not specify: one answer on both servers.
  ...['PUT', 'POST', 'DELETE', 'OPTIONS', 'TRACE'].map(
    (method): HostileCase => ({
      name: `${method} on a group: 405, Allow: GET, PATCH`,
      request: (t) => authorized(t, { method, ...(method === 'TRACE' ? { body: undefined } : {}) }),
      status: 405,
      allow: 'GET, PATCH',
    }),
  ),
  {
    name: 'PUT on a group with a body no reader accepts: still 405 (the body is not read)',
    request: (t) => authorized(t, { method: 'PUT', contentType: 'text/plain', body: 'x'.repeat(2 * BODY_LIMIT) }),
    status: 405,
    allow: 'GET, PATCH',
  },
  { name: 'a method no route knows (PROPFIND)', request: (t) => authorized(t, { method: 'PROPFIND' }), status: 501 },
  {
    name: 'CONNECT',
    request: () => 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n',
    status: 501,
  },
  { name: 'a trailing slash', request: (t) => authorized(t, { target: `${groupPath(t)}/` }), status: 404 },
  { name: '/groups in lower case', request: (t) => authorized(t, { target: groupPath(t).replace('/Groups/', '/groups/') }), status: 404 },
  // HTTP Node cannot parse: answered on the socket.
  { name: 'not HTTP at all', request: () => 'GARBAGE\r\n\r\n', status: 400, scimType: 'invalidSyntax' },
  { name: 'a header over 16 KB', request: (t) => authorized(t, { headers: { 'X-Padding': 'p'.repeat(20_000) } }), status: 431 },
  {
    name: 'Content-Length and Transfer-Encoding together',
    request: (t) => authorized(t, { headers: { 'Transfer-Encoding': 'chunked' } }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  {
    name: 'a Content-Length that is not a number',
    request: (t) => authorized(t, { noContentLength: true, headers: { 'Content-Length': 'twelve' } }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  { name: 'Expect: something other than 100-continue', request: (t) => authorized(t, { headers: { Expect: 'teapot' } }), status: 417 },
  // Authentication comes before the body.
  { name: 'no token', request: (t) => requestBytes({ target: groupPath(t), body: '{not json', headers: { 'Content-Type': 'text/plain' } }), status: 401 },
  // The body: media type, charset, coding, size, bytes.
  { name: 'no body', request: (t) => authorized(t, { body: undefined, contentType: null }), status: 400, scimType: 'invalidSyntax' },
  { name: 'an empty body', request: (t) => authorized(t, { body: '' }), status: 400, scimType: 'invalidSyntax' },
  {
    name: 'an empty chunked body',
    request: (t) => Buffer.concat([authorized(t, { body: '', noContentLength: true, headers: { 'Transfer-Encoding': 'chunked' } }), Buffer.from('0\r\n\r\n')]),
    status: 400,
    scimType: 'invalidSyntax',
  },
  { name: 'a body without Content-Type', request: (t) => authorized(t, { contentType: null }), status: 415 },
  { name: 'Content-Type text/plain', request: (t) => authorized(t, { contentType: 'text/plain' }), status: 415 },
  {
    name: 'a malformed Content-Type (the shared reader answers, not Fastify)',
    request: (t) => authorized(t, { contentType: 'application/' }),
    status: 415,
    check: (reply) => expect(detailOf(reply)).toMatch(/^Content-Type 'application\/' is malformed/),
  },
  { name: 'charset=latin1', request: (t) => authorized(t, { contentType: 'application/scim+json; charset=latin1' }), status: 415 },
  { name: 'charset=utf-16', request: (t) => authorized(t, { contentType: 'application/json; charset=utf-16' }), status: 415 },
  { name: 'Content-Encoding: zstd', request: (t) => authorized(t, { headers: { 'Content-Encoding': 'zstd' } }), status: 415 },
  { name: 'two content codings', request: (t) => authorized(t, { headers: { 'Content-Encoding': 'gzip, br' } }), status: 415 },
  ...(['gzip', 'deflate', 'br'] as const).map(
    (coding): HostileCase => ({
      name: `Content-Encoding: ${coding} on bytes that are not ${coding}`,
      request: (t) => authorized(t, { body: notGzip, headers: { 'Content-Encoding': coding } }),
      status: 400,
      scimType: 'invalidSyntax',
    }),
  ),
  {
    name: 'a truncated gzip body',
    request: (t) => authorized(t, { body: gzipSync(EMPTY_PATCH).subarray(0, 12), headers: { 'Content-Encoding': 'gzip' } }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  {
    name: 'a small gzip body that inflates past the limit',
    request: (t) => authorized(t, { body: gzipSync(Buffer.alloc(8 * BODY_LIMIT, 0x20)), headers: { 'Content-Encoding': 'gzip' } }),
    status: 413,
  },
  { name: 'a body over the limit', request: (t) => authorized(t, { body: ' '.repeat(BODY_LIMIT + 1) }), status: 413 },
  {
    name: 'a Content-Length over the limit (the body is never sent)',
    request: (t) => authorized(t, { body: '', noContentLength: true, headers: { 'Content-Length': String(100 * BODY_LIMIT) } }),
    status: 413,
  },
  {
    name: 'bytes that are not UTF-8',
    request: (t) => authorized(t, { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }),
    status: 400,
    scimType: 'invalidSyntax',
  },
  { name: 'text that is not JSON', request: (t) => authorized(t, { body: '{"Operations": [' }), status: 400, scimType: 'invalidSyntax' },
];

function detailOf(reply: RawReply): string {
  const json = JSON.parse(reply.body) as { detail?: unknown };
  return typeof json.detail === 'string' ? json.detail : '';
}

async function versionOf(t: Target): Promise<number> {
  return (await loadGroup(t.pg, t.groupId)).version;
}

/** A SCIM error body with `status`, nothing leaked, nothing logged. */
function expectScimError(reply: RawReply, t: Target, expected: Omit<HostileCase, 'name' | 'request'>): void {
  expect(reply.status).toBe(expected.status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json(;|$)/);
  if (expected.allow !== undefined) expect(reply.headers.get('allow')).toBe(expected.allow);
  if (expected.noBody === true) {
    expect(reply.body).toBe('');
  } else {
    expect(JSON.parse(reply.body)).toEqual({
      schemas: [ERROR_SCHEMA],
      ...(expected.scimType === undefined ? {} : { scimType: expected.scimType }),
      detail: expect.any(String) as unknown,
      status: expected.status,
      ...(t.timeStamp ? { timeStamp: NOW.toISOString() } : {}),
    });
    // No stack trace, no file names, and a client's text is not echoed at length.
    expect(reply.body).not.toMatch(/\n\s*at |node:internal|\.[cm]?[jt]s:\d+/);
    expect(reply.body.length).toBeLessThan(1024);
  }
  expect(t.logged).toEqual([]);
}

describe.each([0, 1])('hostile requests (server %i: 0 LightOn, 1 Huawei)', (index) => {
  const target = (): Target => targets[index] ?? fail(`no target ${String(index)}`);

  for (const hostile of HOSTILE) {
    it(hostile.name, async () => {
      const t = target();
      const reply = await rawRequest(t.server.url, hostile.request(t));
      expectScimError(reply, t, hostile);
      hostile.check?.(reply, t);
      expect(await versionOf(t)).toBe(1);
    }, TIMEOUT);
  }

  it('the controls: the same body sent plainly, in gzip, deflate and br, with charset=utf-8, is applied', async () => {
    const t = target();
    const body = JSON.stringify(patchOp({ op: 'add', path: 'members', value: [{ value: t.memberId }] }));
    const encoded = { gzip: gzipSync(body), deflate: deflateSync(body), br: brotliCompressSync(body) };
    for (const [coding, bytes] of Object.entries(encoded)) {
      const reply = await rawRequest(t.server.url, authorized(t, { body: bytes, headers: { 'Content-Encoding': coding } }));
      expect(reply.status, coding).toBe(t.success);
    }
    const reply = await rawRequest(t.server.url, authorized(t, { body, contentType: 'application/scim+json; charset="UTF-8"' }));
    expect(reply.status).toBe(t.success);
    // `%47roups` is `Groups` (RFC 3986 §6.2.2.2) on both servers.
    const escaped = await rawRequest(t.server.url, authorized(t, { target: groupPath(t).replace('/Groups/', '/%47roups/') }));
    expect(escaped.status).toBe(t.success);
    expect(t.logged).toEqual([]);
  }, TIMEOUT);
});

/** Text PostgreSQL cannot store as sent, in every string a request can make the store write or compare. */
function unstorableBodies(t: Target): [string, object][] {
  const nul = 'a\u0000b';
  const lone = 'a\ud800b';
  const member = t.memberId;
  return [
    ['displayName (path)', patchOp({ op: 'replace', path: 'displayName', value: nul })],
    ['displayName (pathless)', patchOp({ op: 'replace', value: { displayName: nul } })],
    ['displayName with an unpaired surrogate', patchOp({ op: 'replace', path: 'displayName', value: lone })],
    ['an added member value', patchOp({ op: 'add', path: 'members', value: [{ value: nul }] })],
    ['an added member display', patchOp({ op: 'add', path: 'members', value: [{ value: member, display: nul }] })],
    ['an added member display with an unpaired surrogate', patchOp({ op: 'add', path: 'members', value: [{ value: member, display: lone }] })],
    ['an added member type', patchOp({ op: 'add', path: 'members', value: [{ value: member, type: nul }] })],
    ['an added member $ref', patchOp({ op: 'add', path: 'members', value: [{ value: member, $ref: nul }] })],
    ['a member value in a full replace', patchOp({ op: 'replace', path: 'members', value: [{ value: member }, { value: nul }] })],
    ['a member value in a remove by value', patchOp({ op: 'remove', path: 'members', value: [{ value: nul }] })],
    ['a filter value on value', patchOp({ op: 'remove', path: 'members[value eq "a\\u0000b"]' })],
    ['a filter value on display', patchOp({ op: 'remove', path: 'members[display eq "a\\u0000b"]' })],
    ['a filter value nested in not (...)', patchOp({ op: 'remove', path: 'members[not (type eq "a\\u0000b")]' })],
    ['a sub-attribute update value', patchOp({ op: 'replace', path: `members[value eq "${member}"].display`, value: nul })],
    ['a sub-attribute update filter', patchOp({ op: 'replace', path: 'members[display eq "a\\u0000b"].display', value: 'x' })],
    ['an update of every member', patchOp({ op: 'replace', path: 'members.type', value: nul })],
  ];
}

describe.each([0, 1])('text the database cannot store (server %i: 0 LightOn, 1 Huawei)', (index) => {
  const target = (): Target => targets[index] ?? fail(`no target ${String(index)}`);

  it('NUL or an unpaired surrogate in any string field or filter value: 400 invalidValue, nothing written', async () => {
    const t = target();
    for (const [field, body] of unstorableBodies(t)) {
      const reply = await call(`${t.server.url}${groupPath(t)}`, { token: t.token, body });
      expect({ field, status: reply.status }).toEqual({ field, status: 400 });
      expect(reply.json, field).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: 'invalidValue', status: 400 });
      expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    }
    expect(t.logged).toEqual([]);
    expect(await versionOf(t)).toBe(1);
  }, TIMEOUT);

  it(`displayName: ${String(MAX_DISPLAY_NAME_LENGTH)} code points are stored, one more is 400 invalidValue`, async () => {
    const t = target();
    // Astral characters: 256 code points are 512 UTF-16 units and 1,024 bytes of UTF-8.
    const longest = '😀'.repeat(MAX_DISPLAY_NAME_LENGTH);
    const url = `${t.server.url}${groupPath(t)}`;
    const tooLong = await call(url, { token: t.token, body: patchOp({ op: 'replace', path: 'displayName', value: `${longest}x` }) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toMatchObject({
      scimType: 'invalidValue',
      detail: `Operations[0].value: displayName is ${String(MAX_DISPLAY_NAME_LENGTH + 1)} characters long; this server stores at most ${String(MAX_DISPLAY_NAME_LENGTH)}`,
    });
    // Random text does not compress: far past the limit, this is what broke the unique index.
    const random = Array.from({ length: 9000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20_000))).join('');
    const huge = await call(url, { token: t.token, body: patchOp({ op: 'replace', path: 'displayName', value: random }) });
    expect(huge.status).toBe(400);
    expect(huge.json).toMatchObject({ scimType: 'invalidValue' });
    expect(await versionOf(t)).toBe(1);

    const fits = await call(url, { token: t.token, body: patchOp({ op: 'replace', path: 'displayName', value: longest }) });
    expect(fits.status).toBe(t.success);
    expect((await loadGroup(t.pg, t.groupId)).displayName).toBe(longest);
    expect(t.logged).toEqual([]);
  }, TIMEOUT);
});
