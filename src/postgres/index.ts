/**
 * `scim-group-patch/postgres`: the database path on PostgreSQL. A Group PATCH runs as a few
 * statements inside one transaction, with the library's rules (`applyGroupChangesToStore`), on
 * any client that has `query(text, params)`: node-postgres `Pool` or `Client`, PGlite, or
 * postgres.js through a three-line adapter. No runtime dependency: the host brings the client.
 *
 * - The group row is locked first (`SELECT … FOR UPDATE`), so concurrent PATCHes of one group take
 *   turns, and the version precondition (`If-Match`) is checked under that lock, in the same
 *   transaction as the writes. Every PATCH locks the group row before any membership row, so two
 *   PATCHes never wait on each other in a cycle.
 * - Adds, removes by value and renames read no membership rows; a filter that pins `value` reads
 *   only those; other filters scan at most `maxScannedMembers` rows.
 * - A rename that collides with a unique index on the name is 409 `uniqueness`, never a 500.
 *
 * @see RFC 7644 §3.5.2, §3.14 (versions)
 */
import {
  applyGroupChangesToStore,
  applyPatch,
  conflict,
  preconditionFailed,
  resourceNotFound,
  type ChangeSummary,
  type ResourcePatchOptions,
  type ScimResource,
  type GroupChange,
  type MemberStore,
  type StoredMember,
  type StoreOptions,
} from 'scim-group-patch';

/** The result of a statement, as node-postgres and PGlite give it. */
export interface QueryResult {
  /** The rows the statement returned. */
  readonly rows: readonly unknown[];
}

/** What the executor needs of a client: node-postgres `Pool`/`Client` and PGlite have it as is. */
export interface Queryable {
  /** Runs one parameterised statement and resolves to its rows. */
  query(text: string, params?: unknown[]): Promise<QueryResult>;
}

/** A connection taken from a pool, given back with `release()`. */
export interface PooledConnection extends Queryable {
  /** Gives the connection back to its pool. */
  release(): void;
}

/** A node-postgres `Pool` (or anything that hands out a connection to run a transaction on). */
export interface ConnectionPool {
  /** A connection of its own, released when done. */
  connect(): Promise<PooledConnection>;
}

/** The tables the executor uses (names may be schema-qualified: `scim.groups`). */
export interface PostgresTables {
  /** Groups: `id`, `display_name`, `external_id`, `version`, `last_modified`, and the host's columns. */
  readonly groups: string;
  /** Memberships: `group_id`, `value`, `display`, `type`, `ref`, `position`. */
  readonly memberships: string;
  /** The sequence that orders members. */
  readonly positions: string;
}

/** The default table names. */
export const DEFAULT_TABLES: PostgresTables = /* @__PURE__ */ Object.freeze({ groups: 'scim_groups', memberships: 'scim_memberships', positions: 'scim_member_position' });

const IDENTIFIER = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?$/;

function checkTables(tables: PostgresTables): PostgresTables {
  for (const name of [tables.groups, tables.memberships, tables.positions]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`'${name}' is not a table name this executor accepts (lower-case letters, digits, _; one optional schema)`);
  }
  return tables;
}

/**
 * The `CREATE` statements for the tables, to run once (or to adapt: the executor needs only the
 * columns named here; the host may add its own, such as a tenant and a unique index on the name).
 *
 * @param tables - the table names; `DEFAULT_TABLES` when left out.
 * @returns the SQL text.
 */
export function postgresSchema(tables: PostgresTables = DEFAULT_TABLES): string {
  const { groups, memberships, positions } = checkTables(tables);
  return `
CREATE TABLE ${groups} (
  id            text PRIMARY KEY,
  display_name  text NOT NULL,
  external_id   text,
  version       bigint NOT NULL DEFAULT 1,
  last_modified timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE ${positions};
CREATE TABLE ${memberships} (
  group_id text NOT NULL REFERENCES ${groups} (id) ON DELETE CASCADE,
  value    text NOT NULL,
  display  text,
  type     text,
  ref      text,
  position bigint NOT NULL DEFAULT nextval('${positions}'),
  PRIMARY KEY (group_id, value)
);
CREATE INDEX ON ${memberships} (group_id, position);
`;
}

interface MemberRow {
  readonly value: string;
  readonly display: string | null;
  readonly type: string | null;
  readonly ref: string | null;
  readonly position: number | string;
}

const RETURNED = 'value, display, type, ref, position';

function toStored(row: MemberRow): StoredMember {
  return {
    value: row.value,
    ...(row.display === null ? {} : { display: row.display }),
    ...(row.type === null ? {} : { type: row.type }),
    ...(row.ref === null ? {} : { $ref: row.ref }),
    position: Number(row.position),
  };
}

/** One group's memberships on PostgreSQL: one statement per question or write. */
export class PostgresMemberStore implements MemberStore {
  private readonly tables: PostgresTables;

  /**
   * @param client - a connection inside the caller's transaction.
   * @param groupId - the group.
   * @param tables - the table names; `DEFAULT_TABLES` when left out.
   */
  constructor(
    private readonly client: Queryable,
    private readonly groupId: string,
    tables: PostgresTables = DEFAULT_TABLES,
  ) {
    this.tables = checkTables(tables);
  }

  private async rows(text: string, params: unknown[]): Promise<StoredMember[]> {
    const { rows } = await this.client.query(text, params);
    return (rows as readonly MemberRow[]).map(toStored);
  }

  membersByValue(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(`SELECT ${RETURNED} FROM ${this.tables.memberships} WHERE group_id = $1 AND value = ANY($2::text[])`, [this.groupId, [...values]]);
  }

  scanMembers(limit: number): Promise<StoredMember[]> {
    return this.rows(`SELECT ${RETURNED} FROM ${this.tables.memberships} WHERE group_id = $1 ORDER BY position LIMIT $2`, [this.groupId, limit]);
  }

  insertMembers(members: readonly StoredMember[], onConflict: 'keep' | 'overwrite'): Promise<StoredMember[]> {
    if (members.length === 0) return Promise.resolve([]);
    const table = this.tables.memberships;
    const action =
      onConflict === 'keep'
        ? 'DO NOTHING'
        : `DO UPDATE SET display = EXCLUDED.display, type = EXCLUDED.type, ref = EXCLUDED.ref
           WHERE (${table}.display, ${table}.type, ${table}.ref) IS DISTINCT FROM (EXCLUDED.display, EXCLUDED.type, EXCLUDED.ref)`;
    return this.rows(
      `INSERT INTO ${table} (group_id, value, display, type, ref, position)
       SELECT $1, u.value, u.display, u.type, u.ref, u.position
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS u(value, display, type, ref, position)
       ON CONFLICT (group_id, value) ${action}
       RETURNING ${RETURNED}`,
      [
        this.groupId,
        members.map((member) => member.value),
        members.map((member) => member.display ?? null),
        members.map((member) => member.type ?? null),
        members.map((member) => member.$ref ?? null),
        members.map((member) => member.position),
      ],
    );
  }

  deleteMembers(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(`DELETE FROM ${this.tables.memberships} WHERE group_id = $1 AND value = ANY($2::text[]) RETURNING ${RETURNED}`, [this.groupId, [...values]]);
  }

  deleteMembersExcept(values: readonly string[]): Promise<StoredMember[]> {
    return this.rows(
      `DELETE FROM ${this.tables.memberships} AS m WHERE m.group_id = $1
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS k(value) WHERE k.value = m.value)
       RETURNING ${RETURNED}`,
      [this.groupId, [...values]],
    );
  }

  updateMembers(members: readonly StoredMember[]): Promise<StoredMember[]> {
    return this.rows(
      `UPDATE ${this.tables.memberships} AS m SET display = u.display, type = u.type, ref = u.ref
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(value, display, type, ref)
       WHERE m.group_id = $1 AND m.value = u.value
       RETURNING m.value, m.display, m.type, m.ref, m.position`,
      [
        this.groupId,
        members.map((member) => member.value),
        members.map((member) => member.display ?? null),
        members.map((member) => member.type ?? null),
        members.map((member) => member.$ref ?? null),
      ],
    );
  }

  async nextPositions(count: number): Promise<number[]> {
    const { rows } = await this.client.query(`SELECT nextval('${this.tables.positions}') AS p FROM generate_series(1, $1::int)`, [count]);
    return (rows as readonly { p: number | string }[]).map((row) => Number(row.p)).sort((a, b) => a - b);
  }

  async countMembers(): Promise<number> {
    const { rows } = await this.client.query(`SELECT count(*) AS n FROM ${this.tables.memberships} WHERE group_id = $1`, [this.groupId]);
    return Number((rows[0] as { n?: number | string } | undefined)?.n ?? 0);
  }
}

/** One PATCH of one group. */
export interface PostgresGroupPatch {
  /** The group's id. */
  readonly groupId: string;
  /** The changes from `normalizePatchRequest(body, options)`. */
  readonly changes: readonly GroupChange[];
  /** The version the client read (`If-Match`); the PATCH is 412 when the group has another. */
  readonly ifMatch?: number;
  /** The options given to `normalizePatchRequest`, and `checkNewMembers`. */
  readonly options?: StoreOptions;
  /** The table names; `DEFAULT_TABLES` when left out. */
  readonly tables?: PostgresTables;
  /**
   * The group row as the caller already locked it in this transaction (`SELECT … FOR UPDATE`, with
   * its own checks, such as the tenant and `If-Match`): the executor then neither locks nor checks
   * `ifMatch` again.
   */
  readonly locked?: LockedGroupRow;
  /** The detail of the 409 when the new name collides with a unique index. */
  readonly describeConflict?: (displayName: string) => string;
}

/** A group row the caller has locked. */
export interface LockedGroupRow {
  /** The stored displayName. */
  readonly displayName: string;
  /** The stored externalId, or null. */
  readonly externalId: string | null;
  /** The stored version. */
  readonly version: number;
}

/** What a PATCH did. */
export interface PostgresPatchResult {
  /** As `applyGroupChanges` reports it. */
  readonly summary: ChangeSummary;
  /** The group's version after the PATCH (one more when `summary.changed`). */
  readonly version: number;
}

interface GroupRow {
  readonly display_name: string;
  readonly external_id: string | null;
  readonly version: number | string;
}

/** Locks the group row for this transaction and checks the version precondition. */
async function lockGroup(client: Queryable, tables: PostgresTables, groupId: string, ifMatch: number | undefined): Promise<LockedGroupRow> {
  const { rows } = await client.query(`SELECT display_name, external_id, version FROM ${tables.groups} WHERE id = $1 FOR UPDATE`, [groupId]);
  const row = rows[0] as GroupRow | undefined;
  if (row === undefined) throw resourceNotFound(groupId);
  const version = Number(row.version);
  if (ifMatch !== undefined && ifMatch !== version) throw preconditionFailed();
  return { displayName: row.display_name, externalId: row.external_id, version };
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/**
 * Runs one PATCH inside a transaction the caller opened on `client` (one connection): locks the
 * group row, checks `ifMatch`, carries out the changes, and writes the group row when something
 * changed. The caller commits, or rolls back when this throws.
 *
 * @param client - a connection inside a transaction (`BEGIN` already sent).
 * @param patch - the group, its changes, the version precondition and the options.
 * @returns the summary and the new version.
 * @throws ScimError 404 (no such group), 412 (stale `ifMatch`), 409 (the new name collides with a
 * unique index), or the 400 of a change that cannot apply.
 */
export async function patchGroupInTransaction(client: Queryable, patch: PostgresGroupPatch): Promise<PostgresPatchResult> {
  const tables = checkTables(patch.tables ?? DEFAULT_TABLES);
  const group = patch.locked ?? (await lockGroup(client, tables, patch.groupId, patch.ifMatch));
  const options = patch.options ?? {};
  const outcome = await applyGroupChangesToStore(
    new PostgresMemberStore(client, patch.groupId, tables),
    { displayName: group.displayName, externalId: group.externalId },
    patch.changes,
    options,
  );
  if (!outcome.summary.changed) return { summary: outcome.summary, version: group.version };
  const touchClock = options.setLastModified ?? true;
  const now = (options.now ?? (() => new Date()))();
  let rows: readonly unknown[];
  try {
    ({ rows } = await client.query(
      `UPDATE ${tables.groups} SET display_name = $2, external_id = $3, version = version + 1,
              last_modified = CASE WHEN $5::boolean THEN $4::timestamptz ELSE last_modified END
        WHERE id = $1 RETURNING version`,
      [patch.groupId, outcome.displayName, outcome.externalId, now, touchClock],
    ));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const describe = patch.describeConflict ?? ((name: string) => `displayName '${name.slice(0, 200)}' is already used by another group`);
    throw conflict(describe(outcome.displayName));
  }
  const written = rows[0] as { version: number | string } | undefined;
  // The row was locked in this transaction: it cannot have gone, unless the caller did not lock it.
  if (written === undefined) throw resourceNotFound(patch.groupId);
  return { summary: outcome.summary, version: Number(written.version) };
}

/**
 * Runs one PATCH in a transaction of its own on a connection of `pool` (a node-postgres `Pool`):
 * `BEGIN`, `patchGroupInTransaction`, `COMMIT`; `ROLLBACK` when anything throws.
 *
 * @param pool - hands out the connection.
 * @param patch - as for `patchGroupInTransaction`.
 * @returns the summary and the new version.
 * @example
 * ```ts
 * const { summary, version } = await patchGroup(pool, {
 *   groupId: req.params.id,
 *   changes: normalizePatchRequest(req.body),
 *   ifMatch: versionFromEtag(req.get('If-Match')),
 * })
 * ```
 */
export function patchGroup(pool: ConnectionPool, patch: PostgresGroupPatch): Promise<PostgresPatchResult> {
  return inTransaction(pool, (client) => patchGroupInTransaction(client, patch));
}

/**
 * Runs `work` in a transaction on a connection of its own: `BEGIN`, then `COMMIT` when `work`
 * resolves, `ROLLBACK` (and the error rethrown) when it throws; the connection goes back to the
 * pool either way.
 *
 * @param pool - hands out the connection (a node-postgres `Pool`).
 * @param work - the statements of the transaction, on that connection.
 * @returns what `work` resolves to.
 */
export async function inTransaction<T>(pool: ConnectionPool, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** One PATCH of a resource kept whole as a JSON document (a User, for example). */
export interface PostgresDocumentPatch {
  /** The table: `id text PRIMARY KEY, resource jsonb NOT NULL, version bigint NOT NULL`. */
  readonly table: string;
  /** The resource's id. */
  readonly id: string;
  /** The PATCH body as parsed JSON. */
  readonly request: unknown;
  /** The schema and extensions of the resource, and the other options of `applyPatch`. */
  readonly options: ResourcePatchOptions;
  /** The version the client read (`If-Match`). */
  readonly ifMatch?: number;
}

/** What a document PATCH did. */
export interface PostgresDocumentResult {
  /** The resource after the PATCH (the stored one when nothing changed). */
  readonly resource: ScimResource;
  /** Whether anything changed. */
  readonly changed: boolean;
  /** The resource's version after the PATCH. */
  readonly version: number;
}

/**
 * Runs one PATCH of a resource kept as one JSON document (`jsonb`), inside a transaction the
 * caller opened: locks the row, checks `ifMatch`, patches it in memory with `applyPatch` (every
 * rule of the schema-driven engine), and writes it back only when it changed. Groups keep their
 * members in a table (`patchGroupInTransaction`); a User, whose lists are short, is one document.
 *
 * @param client - a connection inside a transaction.
 * @param patch - the table, the id, the body, the options and the version precondition.
 * @returns the resource, whether it changed, and its version.
 * @throws ScimError 404, 412, or the 400 of a request that cannot apply.
 */
export async function patchDocumentInTransaction(client: Queryable, patch: PostgresDocumentPatch): Promise<PostgresDocumentResult> {
  if (!IDENTIFIER.test(patch.table)) throw new TypeError(`'${patch.table}' is not a table name this executor accepts`);
  const { rows } = await client.query(`SELECT resource, version FROM ${patch.table} WHERE id = $1 FOR UPDATE`, [patch.id]);
  const row = rows[0] as { resource: ScimResource; version: number | string } | undefined;
  if (row === undefined) throw resourceNotFound(patch.id);
  const version = Number(row.version);
  if (patch.ifMatch !== undefined && patch.ifMatch !== version) throw preconditionFailed();
  const next = applyPatch(row.resource, patch.request, patch.options);
  if (next === row.resource) return { resource: next, changed: false, version };
  await client.query(`UPDATE ${patch.table} SET resource = $2::jsonb, version = version + 1 WHERE id = $1`, [patch.id, JSON.stringify(next)]);
  return { resource: next, changed: true, version: version + 1 };
}
