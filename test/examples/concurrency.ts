/**
 * 100 concurrent PATCH requests against one group, and an exact check of the final state.
 *
 * The workload makes the expected state computable from the responses alone:
 * - 40 adds, each of its own user who is not a member; 30 removes, each of its own member (Okta's
 *   filter shape); adds and removes never share a user, so no two requests can cancel out;
 * - 30 renames, each to its own name;
 * - so every 2xx request changed the group and bumped its version by exactly one. The versions the
 *   2xx responses carry must then be exactly v0+1 … v0+n (a serial order), the final version v0+n,
 *   the final name the one of the rename with the highest version, and the final members: the
 *   members not removed (in their order), then the users added, in version order;
 * - some requests carry `If-Match`: the initial version (at most one of those can succeed), `*`
 *   (always succeeds), some later version (succeeds only if the group is at exactly that version
 *   when the request runs), or the version the client just read (optimistic concurrency: read the
 *   ETag with an empty PATCH, send with `If-Match`, retry on 412 until it succeeds). A 2xx with
 *   `If-Match: W/"k"` must come back as version k+1; a 412 changed nothing (its user is absent,
 *   its name never appears).
 */
import type { PGlite } from '@electric-sql/pglite';
import { expect } from 'vitest';
import { loadGroup, patchOp, valuesOf, versionOf } from './support.js';

type Kind = 'add' | 'remove' | 'rename';

interface Planned {
  readonly kind: Kind;
  /** The user added or removed, or the new name. */
  readonly target: string;
  /** The `If-Match` header to send. */
  readonly ifMatch: string | undefined;
  /** A read-then-write client: sends the version it just read, retries on 412. */
  readonly readThenWrite: boolean;
}

interface Result {
  readonly kind: Kind;
  readonly target: string;
  /** The `If-Match` header of the request that gave `status`. */
  readonly ifMatch: string | undefined;
  readonly status: number;
  readonly version: number | undefined;
  /** How many times the client sent its change (a read-then-write client retries on 412). */
  readonly attempts: number;
  readonly readThenWrite: boolean;
}

/** What the caller provides: how to send one PATCH, and where the group and its tenant are. */
export interface ConcurrencyInput {
  readonly pg: PGlite;
  readonly groupId: string;
  readonly scopeColumn: 'tenant_id' | 'company_id';
  readonly scopeId: string;
  readonly send: (body: object, ifMatch: string | undefined) => Promise<{ status: number; etag: string | null }>;
}

/** How many responses had each status, and how many 2xx had an `If-Match` with a version. */
export interface ConcurrencyOutcome {
  readonly statuses: ReadonlyMap<number, number>;
  readonly conditionalSuccesses: number;
}

/** A deterministic shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Runs the workload and checks the final state; returns the status counts. */
export async function runConcurrentPatches(input: ConcurrencyInput): Promise<ConcurrencyOutcome> {
  const { pg, groupId } = input;
  const adds = Array.from({ length: 40 }, (_, i) => `cc-add-${pad(i)}`);
  const removes = Array.from({ length: 30 }, (_, i) => `cc-rm-${pad(i)}`);
  // Column names come from a closed union: safe to interpolate.
  await pg.query(
    `INSERT INTO users (id, ${input.scopeColumn}, user_name, display_name)
     SELECT id, $2, id, id FROM unnest($1::text[]) AS id`,
    [[...adds, ...removes], input.scopeId],
  );
  await pg.query(`DELETE FROM memberships WHERE group_id = $1`, [groupId]);
  await pg.query(`INSERT INTO memberships (group_id, value) SELECT $1, id FROM unnest($2::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`, [
    groupId,
    removes,
  ]);
  const start = await loadGroup(pg, groupId);
  const v0 = start.version;

  const planned: Planned[] = [
    ...adds.map((target, i): Planned => ({
      kind: 'add',
      target,
      ifMatch: i % 8 === 0 ? `W/"${String(v0)}"` : i % 8 === 4 ? '*' : undefined,
      readThenWrite: i % 8 === 2,
    })),
    ...removes.map((target, i): Planned => ({
      kind: 'remove',
      target,
      ifMatch: i % 6 === 0 ? `W/"${String(v0 + 20 + i)}"` : undefined,
      readThenWrite: false,
    })),
    ...Array.from({ length: 30 }, (_, i): Planned => ({
      kind: 'rename',
      target: `Team ${pad(i)}`,
      ifMatch: i % 5 === 0 ? `W/"${String(v0)}"` : i % 5 === 1 ? `"${String(v0 + 40 + i)}"` : undefined,
      readThenWrite: i % 5 === 2,
    })),
  ];
  const bodyOf = (request: Planned): object => {
    switch (request.kind) {
      case 'add':
        return patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: request.target }] });
      case 'remove':
        return patchOp({ op: 'remove', path: `members[value eq "${request.target}"]` });
      case 'rename':
        return patchOp({ op: 'replace', value: { id: groupId, displayName: request.target } });
    }
  };

  const sendOnce = async (request: Planned, ifMatch: string | undefined, attempts: number): Promise<Result> => {
    const { status, etag } = await input.send(bodyOf(request), ifMatch);
    return {
      kind: request.kind,
      target: request.target,
      ifMatch,
      status,
      version: status < 300 ? versionOf(etag) : undefined,
      attempts,
      readThenWrite: request.readThenWrite,
    };
  };
  /** Read the ETag (an empty PATCH changes nothing and answers it), write with If-Match, retry on 412. */
  const readThenWrite = async (request: Planned): Promise<Result> => {
    for (let attempt = 1; ; attempt++) {
      const read = await input.send(patchOp(), undefined);
      expect(read.status).toBeLessThan(300);
      const result = await sendOnce(request, read.etag ?? undefined, attempt);
      if (result.status !== 412 || attempt === 200) return result;
    }
  };
  const results: Result[] = await Promise.all(
    shuffle(planned, 20_261_122).map((request) =>
      request.readThenWrite ? readThenWrite(request) : sendOnce(request, request.ifMatch, 1),
    ),
  );

  const statuses = new Map<number, number>();
  for (const result of results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  expect(results.filter((r) => r.status >= 500)).toEqual([]);
  expect(results.filter((r) => !(r.status < 300 || r.status === 412))).toEqual([]);
  // Without If-Match (or with *) a request applies to whatever the current state is; a client
  // that reads the version and retries gets through.
  const mustSucceed = (r: Result): boolean => r.ifMatch === undefined || r.ifMatch === '*' || r.readThenWrite;
  expect(results.filter((r) => mustSucceed(r) && r.status >= 300)).toEqual([]);

  const succeeded = results.filter((r) => r.status < 300).sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  // A serial order: each success bumped the version once.
  expect(succeeded.map((r) => r.version)).toEqual(succeeded.map((_, i) => v0 + 1 + i));
  for (const r of succeeded) {
    const match = r.ifMatch === undefined ? null : /^(?:W\/)?"(\d+)"$/.exec(r.ifMatch);
    if (match?.[1] !== undefined) expect(r.version).toBe(Number(match[1]) + 1);
  }

  const final = await loadGroup(pg, groupId);
  const removed = new Set(succeeded.filter((r) => r.kind === 'remove').map((r) => r.target));
  expect(final.version).toBe(v0 + succeeded.length);
  expect(valuesOf(final)).toEqual([
    ...removes.filter((value) => !removed.has(value)),
    ...succeeded.filter((r) => r.kind === 'add').map((r) => r.target),
  ]);
  const renames = succeeded.filter((r) => r.kind === 'rename');
  expect(final.displayName).toBe(renames.at(-1)?.target ?? start.displayName);
  return { statuses, conditionalSuccesses: succeeded.filter((r) => r.ifMatch !== undefined && r.ifMatch !== '*').length };
}
