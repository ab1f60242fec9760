/**
 * What both `main.ts` files do: create an in-memory database, fill it, listen, print the banner,
 * and stop cleanly.
 *
 * Stopping: `npm run example:…` is npm → sh → node. npm passes SIGTERM and SIGINT on to sh,
 * and sh dies of them without passing them on to node. So the server stops on SIGTERM and SIGINT
 * (whether node receives them itself, from a terminal's Ctrl-C or `kill`), and also when the
 * process that started it is gone (its parent process id changes). Either way it closes the server
 * (every connection) and the database, prints one line and exits 0.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { tableExists, type Backend } from './database.js';
import type { RunningServer } from './server.js';

/** One example program. */
export interface ExampleProgram {
  /** Printed when it stops: `LightOn Paradigm example`. */
  readonly name: string;
  /** The default data directory's name under `.data/`: `lighton-paradigm`. */
  readonly slug: string;
  /** A table the schema creates: when it exists already, the schema and demo data are kept. */
  readonly marker: string;
  /** The port when `PORT` is not set. */
  readonly defaultPort: number;
  /** Creates the tables and the demo data. */
  prepare(db: Backend): Promise<void>;
  /** Starts the server on `127.0.0.1:port`. */
  start(db: Backend, port: number): Promise<RunningServer>;
  /** What to print once it listens: the URL, tokens and curl calls. */
  banner(url: string): string;
}

/** How often the parent process id is read. */
const PARENT_CHECK_MS = 500;

function portFrom(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
}

/** The database an example runs on, and how to close it. */
interface OpenedDatabase {
  readonly db: Backend;
  /** Where the data lives, for the banner. */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * `DATABASE_URL` selects a PostgreSQL server (a node-postgres pool); otherwise PGlite keeps the
 * data in `DATA_DIR` (default `.data/<example>`), so that it survives a restart, or in memory when
 * `DATA_DIR=memory`, with a warning.
 */
async function openDatabase(program: ExampleProgram): Promise<OpenedDatabase> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const host = new URL(url).host;
    return { db: pool, where: `PostgreSQL at ${host}`, close: () => pool.end() };
  }
  const dir = process.env.DATA_DIR ?? `.data/${program.slug}`;
  if (dir === 'memory') {
    const memory = await PGlite.create();
    return { db: memory, where: 'memory only (DATA_DIR=memory): the data is gone when the server stops', close: () => memory.close() };
  }
  const stored = await PGlite.create(dir);
  return { db: stored, where: `PGlite in ${dir} (kept across restarts; DATA_DIR=memory for none)`, close: () => stored.close() };
}

/** Runs an example until a signal or the end of its parent. */
export async function runExample(program: ExampleProgram): Promise<void> {
  const port = portFrom(process.env.PORT, program.defaultPort);
  if (port === undefined) {
    console.error(`PORT must be a port number (0 to 65535), got '${process.env.PORT ?? ''}'`);
    process.exitCode = 1;
    return;
  }
  const database = await openDatabase(program);
  if (await tableExists(database.db, program.marker)) {
    console.log(`${program.name}: using the tables and data already in ${database.where}`);
  } else {
    await program.prepare(database.db);
  }
  let server: RunningServer;
  try {
    server = await program.start(database.db, port);
  } catch (error) {
    console.error(`${program.name} cannot listen on 127.0.0.1:${String(port)}: ${error instanceof Error ? error.message : String(error)}`);
    await database.close();
    process.exitCode = 1;
    return;
  }
  console.log(program.banner(server.url));
  console.log(`\nDatabase: ${database.where}.`);
  if (database.where.startsWith('memory')) console.warn('warning: the database lives in memory only; every change is lost when the server stops');
  console.log(`Ctrl-C or \`kill ${String(process.pid)}\` stops the server.`);

  const parent = process.ppid;
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(parentCheck);
    void server
      .close()
      .then(() => database.close())
      .then(
        () => {
          console.log(`${program.name} stopped (${reason}): server and database closed`);
          process.exit(0);
        },
        (error: unknown) => {
          console.error(`${program.name} did not stop cleanly:`, error);
          process.exit(1);
        },
      );
  };
  const parentCheck = setInterval(() => {
    if (process.ppid !== parent) stop('its parent process exited');
  }, PARENT_CHECK_MS);
  parentCheck.unref();
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
