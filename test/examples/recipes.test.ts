/**
 * The README's recipes (examples/recipes/), each started on 127.0.0.1 and called with fetch. One
 * table of requests runs against every recipe: what an identity provider sends must work, and
 * every mistake a client can make must come back as a SCIM error body with the right status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, type Group, type ScimType } from 'scim-group-patch';
import { createExpressApp } from '../../examples/recipes/express.js';
import { createFastifyApp } from '../../examples/recipes/fastify.js';
import { createHonoApp } from '../../examples/recipes/hono.js';
import { createNestApp } from '../../examples/recipes/nestjs.js';
import { MemoryGroupStore, type GroupStore } from '../../examples/recipes/store.js';

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

function listening(server: Server): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${String(port)}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const recipes: readonly { readonly name: string; start(store: GroupStore): Promise<Running> }[] = [
  { name: 'Express 5', start: (store) => listening(createServer(createExpressApp(store))) },
  {
    name: 'Fastify 5',
    async start(store) {
      const app = createFastifyApp(store);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      return { url, close: () => app.close() };
    },
  },
  {
    name: 'Hono',
    start(store) {
      const listener = getRequestListener(createHonoApp(store).fetch);
      return listening(createServer((req, res) => void listener(req, res)));
    },
  },
  {
    name: 'NestJS',
    async start(store) {
      const app = await createNestApp(store, { logger: false });
      await app.listen(0, '127.0.0.1');
      return { url: await app.getUrl(), close: () => app.close() };
    },
  },
];

const MEGABYTE = 1_048_576;

/** The stored group every case starts from (each case has its own copy under its own id). */
function storedGroup(id: string): Group {
  return {
    schemas: [GROUP_SCHEMA],
    id,
    displayName: 'Engineering',
    members: [
      { value: 'u-1', display: 'Ada' },
      { value: 'u-2', display: 'Grace' },
    ],
  };
}

/** What Microsoft Entra ID sends: capitalized ops, a member add, a member remove by value list, a rename. */
const entraPatch = JSON.stringify({
  schemas: [PATCH_OP_SCHEMA],
  Operations: [
    { op: 'Add', path: 'members', value: [{ value: 'u-3' }] },
    { op: 'Remove', path: 'members', value: [{ value: 'u-1' }] },
    { op: 'Replace', path: 'displayName', value: 'Platform' },
  ],
});

/** RFC 7644 §3.5.2: the rename applied, u-1 removed, u-3 appended; meta.lastModified set by the patch. */
function patchedGroup(id: string): object {
  return {
    schemas: [GROUP_SCHEMA],
    id,
    displayName: 'Platform',
    members: [{ value: 'u-2', display: 'Grace' }, { value: 'u-3' }],
    meta: { lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown },
  };
}

interface Case {
  readonly name: string;
  readonly method?: string;
  /** Defaults to `/scim/v2/Groups/<the case's group>`. */
  readonly path?: string;
  /** Omitted: no Content-Type header at all. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as bytes, so fetch adds no Content-Type of its own. Omitted: no body. */
  readonly body?: string | Uint8Array;
  /** 200 with the patched group, or the error statuses allowed (more than one where frameworks may differ). */
  readonly expect: { readonly patched: true } | { readonly status: readonly number[]; readonly scimType?: ScimType; readonly detail?: RegExp };
}

const cases: readonly Case[] = [
  { name: 'an Entra ID PATCH as application/scim+json', contentType: 'application/scim+json', body: entraPatch, expect: { patched: true } },
  { name: 'application/json; charset=utf-8', contentType: 'application/json; charset=utf-8', body: entraPatch, expect: { patched: true } },
  { name: 'application/scim+json; charset=UTF-8', contentType: 'application/scim+json; charset=UTF-8', body: entraPatch, expect: { patched: true } },
  { name: 'text/plain', contentType: 'text/plain', body: entraPatch, expect: { status: [415] } },
  { name: 'application/x-www-form-urlencoded', contentType: 'application/x-www-form-urlencoded', body: 'a=b', expect: { status: [415] } },
  { name: 'a body without a Content-Type', body: entraPatch, expect: { status: [415] } },
  { name: 'a charset other than UTF-8', contentType: 'application/scim+json; charset=iso-8859-1', body: entraPatch, expect: { status: [415] } },
  { name: 'malformed JSON', contentType: 'application/scim+json', body: '{"Operations": [', expect: { status: [400], scimType: 'invalidSyntax' } },
  {
    name: 'a body over the 1 MiB limit',
    contentType: 'application/scim+json',
    body: JSON.stringify({ Operations: [], padding: 'x'.repeat(MEGABYTE) }),
    expect: { status: [413] },
  },
  {
    name: 'an unknown group',
    path: '/scim/v2/Groups/no-such-group',
    contentType: 'application/scim+json',
    body: entraPatch,
    expect: { status: [404], detail: /^Resource no-such-group not found$/ },
  },
  {
    name: 'an operation the library refuses (remove without path)',
    contentType: 'application/scim+json',
    body: '{"Operations":[{"op":"remove"}]}',
    expect: { status: [400], scimType: 'noTarget' },
  },
  {
    name: 'no body at all',
    expect: { status: [400], scimType: 'invalidSyntax', detail: /^request body is missing: / },
  },
  { name: 'JSON null', contentType: 'application/scim+json', body: 'null', expect: { status: [400], scimType: 'invalidSyntax' } },
  { name: 'an empty JSON body', contentType: 'application/json', body: '', expect: { status: [400], scimType: 'invalidSyntax' } },
  {
    name: 'a gzip Content-Encoding over bytes that are not gzip',
    contentType: 'application/scim+json',
    headers: { 'Content-Encoding': 'gzip' },
    body: entraPatch,
    expect: { status: [400, 415] },
  },
  { name: 'an unknown route', path: '/scim/v2/Nothing', contentType: 'application/scim+json', body: entraPatch, expect: { status: [404] } },
  // Frameworks differ: a router that decodes the id refuses it (400), one that keeps it raw finds no group (404).
  { name: 'an id with a bad URL escape', path: '/scim/v2/Groups/%zz', contentType: 'application/scim+json', body: entraPatch, expect: { status: [400, 404] } },
];

describe.each(recipes)('recipe: $name', (recipe) => {
  const ids = cases.map((_c, i) => `group-${String(i)}`);
  const store = new MemoryGroupStore(ids.map(storedGroup));
  let server: Running;

  beforeAll(async () => {
    server = await recipe.start(store);
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(cases.map((c, i) => ({ ...c, id: ids[i] ?? '' })))('$name', async ({ id, method, path, contentType, headers, body, expect: expected }) => {
    const requestHeaders: Record<string, string> = { ...headers };
    if (contentType !== undefined) requestHeaders['Content-Type'] = contentType;
    const response = await fetch(server.url + (path ?? `/scim/v2/Groups/${id}`), {
      method: method ?? 'PATCH',
      headers: requestHeaders,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? new TextEncoder().encode(body) : body }),
    });
    const text = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json(;|$)/);
    const json: unknown = JSON.parse(text);
    if ('patched' in expected) {
      expect(response.status).toBe(200);
      expect(json).toEqual(patchedGroup(id));
      expect(await store.findGroup(id)).toEqual(json);
      return;
    }
    expect(expected.status).toContain(response.status);
    expect(json).toMatchObject({ schemas: [ERROR_SCHEMA], status: response.status });
    const error = json as { scimType?: unknown; detail?: unknown };
    expect(typeof error.detail).toBe('string');
    if (expected.scimType !== undefined) expect(error.scimType).toBe(expected.scimType);
    if (response.status === 400) expect(error.scimType).toEqual(expect.any(String));
    if (expected.detail !== undefined) expect(error.detail).toMatch(expected.detail);
    // A refused request changes nothing.
    expect(await store.findGroup(id)).toEqual(storedGroup(id));
  });
});
