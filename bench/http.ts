/**
 * PATCH over HTTP: `npm run bench:http`.
 *
 * The LightOn Paradigm example server (Express 5, `scim-group-patch/postgres`) on loopback, on a
 * real PostgreSQL server (`DATABASE_URL`, or one started from the test launcher) and on PGlite,
 * with groups of 1,000 and 100,000 members. 20 clients send PATCHes back to back for a few
 * seconds per cell: Entra ID's add of a new member, then its remove by value, with
 * `excludedAttributes=members` (so the answer does not list the group); on the 1,000-member group
 * also with the full member list in the answer. Prints a progress line per cell and the table,
 * and writes it between the markers of `bench/RESULTS.md`.
 *
 * Environment:
 *   BENCH_HTTP_SECONDS=5      seconds per cell
 *   BENCH_HTTP_CLIENTS=20     concurrent clients
 *   BENCH_HTTP_SIZES=1000,100000
 *   BENCH_HTTP_BACKENDS=postgres,pglite
 *   BENCH_HTTP_WRITE=0        print only, do not touch bench/RESULTS.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { execScript, type Backend } from '../examples/shared/database.js';
import { createSchema, DEMO, seedDemo } from '../examples/lighton-paradigm/schema.js';
import { start } from '../examples/lighton-paradigm/server.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { intFromEnv } from '../test/support/env.js';

const SECONDS = intFromEnv('BENCH_HTTP_SECONDS') ?? 5;
const CLIENTS = intFromEnv('BENCH_HTTP_CLIENTS') ?? 20;
const SIZES = (process.env.BENCH_HTTP_SIZES ?? '1000,100000').split(',').map(Number);
const BACKENDS = (process.env.BENCH_HTTP_BACKENDS ?? 'postgres,pglite').split(',').map((name) => name.trim());
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const BEGIN = '<!-- bench:http begin -->';
const END = '<!-- bench:http end -->';

interface Cell {
  readonly backend: string;
  readonly members: number;
  readonly response: 'excludedAttributes=members' | 'full group';
  readonly requests: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Gives the demo company `members` more users, all members of its Engineering group. */
async function growGroup(db: Backend, members: number): Promise<void> {
  await execScript(
    db,
    `INSERT INTO users (id, company_id, user_name, display_name)
       SELECT 'bench-' || i, '${DEMO.acme.companyId}', 'bench' || i, 'Bench ' || i FROM generate_series(1, ${String(members)}) AS i;
     INSERT INTO users (id, company_id, user_name, display_name)
       SELECT 'client-' || i, '${DEMO.acme.companyId}', 'client' || i, 'Client ' || i FROM generate_series(1, ${String(CLIENTS)}) AS i;
     DELETE FROM memberships WHERE group_id = '${DEMO.engineeringId}';
     INSERT INTO memberships (group_id, value) SELECT '${DEMO.engineeringId}', 'bench-' || i FROM generate_series(1, ${String(members)}) AS i;
     ANALYZE;`,
  );
}

/** One client: add its own member, then remove it by value, back to back until `end`. */
async function client(url: string, index: number, end: number, query: string, latencies: number[]): Promise<number> {
  const member = `client-${String(index + 1)}`;
  const bodies = [
    { op: 'Add', path: 'members', value: [{ $ref: null, value: member }] },
    { op: 'Remove', path: 'members', value: [{ value: member }] },
  ].map((operation) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [operation] }));
  let failed = 0;
  for (let i = 0; performance.now() < end; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/scim/v2/Groups/${DEMO.engineeringId}${query}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEMO.acme.token}`, 'content-type': 'application/scim+json' },
      body: bodies[i % 2] ?? '',
    });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    if (response.status !== 200) failed++;
  }
  return failed;
}

async function measure(backendName: string, db: Backend, members: number, response: Cell['response'], label: string): Promise<Cell> {
  const server = await start({ db, port: 0 });
  try {
    const query = response === 'full group' ? '' : '?excludedAttributes=members';
    // A short warm-up, not measured.
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(server.url, i, performance.now() + 500, query, [])));
    const latencies: number[] = [];
    const startedAt = performance.now();
    const end = startedAt + SECONDS * 1000;
    const failures = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(server.url, i, end, query, latencies)));
    const elapsed = (performance.now() - startedAt) / 1000;
    const sorted = latencies.slice().sort((a, b) => a - b);
    const cell: Cell = {
      backend: backendName,
      members,
      response,
      requests: latencies.length,
      failed: failures.reduce((sum, n) => sum + n, 0),
      perSecond: latencies.length / elapsed,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
    console.log(`${label} ${backendName}, ${members.toLocaleString('en-US')} members, ${response}: ${cell.perSecond.toFixed(0)} req/s, p50 ${cell.p50.toFixed(1)} ms, p99 ${cell.p99.toFixed(1)} ms, ${String(cell.failed)} failed`);
    return cell;
  } finally {
    await server.close();
  }
}

interface OpenBackend {
  readonly name: string;
  open(): Promise<{ readonly db: Backend; close(): Promise<void> }>;
}

function backends(): OpenBackend[] {
  const list: OpenBackend[] = [];
  for (const name of BACKENDS) {
    if (name === 'pglite') {
      list.push({
        name: 'PGlite (in process)',
        async open() {
          const db = await PGlite.create();
          return { db, close: () => db.close() };
        },
      });
    } else if (name === 'postgres') {
      list.push({
        name: 'PostgreSQL (loopback)',
        async open() {
          // A fresh database per cell: the server of DATABASE_URL, or one started for the run.
          const external = process.env.DATABASE_URL;
          const server = external === undefined || external === '' ? await startPostgres() : undefined;
          const url = external !== undefined && external !== '' ? external : (server as { url: string }).url;
          const admin = new pg.Pool({ connectionString: url, max: 1 });
          const database = `bench_http_${String(process.pid)}_${String(Date.now())}`;
          await admin.query(`CREATE DATABASE ${database}`);
          const target = new URL(url);
          target.pathname = `/${database}`;
          const pool = new pg.Pool({ connectionString: target.toString(), max: CLIENTS });
          return {
            db: pool,
            async close() {
              await pool.end();
              await admin.query(`DROP DATABASE IF EXISTS ${database}`);
              await admin.end();
              await server?.stop();
            },
          };
        },
      });
    } else {
      throw new Error(`BENCH_HTTP_BACKENDS: unknown backend '${name}' (postgres, pglite)`);
    }
  }
  return list;
}

function table(cells: readonly Cell[]): string {
  const rows = cells.map(
    (cell) =>
      `| ${cell.backend} | ${cell.members.toLocaleString('en-US')} | ${cell.response} | ${cell.perSecond.toFixed(0)} | ${cell.p50.toFixed(1)} | ${cell.p99.toFixed(1)} | ${String(cell.requests)} | ${String(cell.failed)} |`,
  );
  return [
    `PATCH over loopback, ${String(CLIENTS)} concurrent clients, ${String(SECONDS)} s per cell: each client adds a member, then removes it by value (Entra ID's shapes), on the LightOn example server.`,
    `Machine: node ${process.version}, ${String(availableParallelism())} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${new Date().toISOString().slice(0, 16)} UTC.`,
    '',
    '| database | members | response | req/s | p50 ms | p99 ms | requests | non-200 |',
    '|---|--:|---|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

const cells: Cell[] = [];
const plan = backends().flatMap((backend) => SIZES.flatMap((members) => (members <= 1000 ? (['excludedAttributes=members', 'full group'] as const) : (['excludedAttributes=members'] as const)).map((response) => ({ backend, members, response }))));
let index = 0;
for (const { backend, members, response } of plan) {
  index++;
  const opened = await backend.open();
  const db = opened.db;
  try {
    await createSchema(db);
    await seedDemo(db);
    await growGroup(db, members);
    cells.push(await measure(backend.name, db, members, response, `cell ${String(index)}/${String(plan.length)}:`));
  } finally {
    await opened.close();
  }
}
const text = table(cells);
console.log(`\n${text}`);
if (process.env.BENCH_HTTP_WRITE !== '0') {
  const results = readFileSync(RESULTS, 'utf8');
  const section = `${BEGIN}\n${text}\n${END}`;
  const next = results.includes(BEGIN)
    ? results.replace(new RegExp(`${BEGIN}[\\s\\S]*?${END}`), section)
    : `${results.trimEnd()}\n\n## HTTP: \`npm run bench:http\`\n\n${section}\n`;
  writeFileSync(RESULTS, next);
  console.log(`\nwritten to ${RESULTS}`);
}
