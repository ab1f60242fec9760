/**
 * The example programs stop cleanly whichever process of the chain gets the signal: `npm run
 * example:…` is npm → sh → node, `tsx main.ts` is tsx → node. Each test starts the real
 * main.ts, waits for it to listen (polling its output), signals the top process, and checks that
 * every process holding its output has exited, that it said it closed the server and the
 * database, and that the port refuses connections. Nothing here measures time.
 */
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startProgram, type Started } from './programs.js';

const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
/** Starting node, tsx and PGlite on a busy machine can take a while; nothing is asserted on time. */
const TIMEOUT = 120_000;

interface Program {
  readonly script: string;
  readonly main: string;
}

const LIGHTON: Program = { script: 'example:lighton', main: 'examples/lighton-paradigm/main.ts' };
const HUAWEI: Program = { script: 'example:huawei', main: 'examples/huawei-cloud/main.ts' };

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a program, runs `check`, and never leaves the server behind, even when `check` fails. */
async function withProgram(command: string, args: readonly string[], check: (started: Started) => Promise<void>): Promise<void> {
  const started = await startProgram(command, args);
  try {
    await check(started);
  } finally {
    for (const pid of [started.pid, started.serverPid]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** Whether something accepts connections at `url`. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** While it runs, the server answers with a SCIM body. */
async function expectServing(url: string): Promise<void> {
  const response = await fetch(`${url}/nowhere`);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
}

async function expectStoppedCleanly(started: Started): Promise<void> {
  // The pipe closes when the last process holding it exits (an orphaned node is a zombie until
  // reaped, so its pid cannot tell).
  await started.outputClosed;
  expect(started.output()).toMatch(/example stopped \([^)]+\): server and database closed/);
  expect(await accepts(started.url)).toBe(false);
}

describe('the example programs stop on SIGTERM and SIGINT', () => {
  for (const program of [LIGHTON, HUAWEI]) {
    it(`npm run ${program.script}, SIGTERM to npm: the node process closes the server and the database`, () =>
      withProgram('npm', ['run', '--silent', program.script], async (started) => {
        await expectServing(started.url);
        process.kill(started.pid, 'SIGTERM');
        await started.exited;
        await expectStoppedCleanly(started);
      }), TIMEOUT);
  }

  it('tsx main.ts, SIGTERM to tsx: passed on to node, which exits 0', () =>
    withProgram(process.execPath, [TSX_CLI, LIGHTON.main], async (started) => {
      await expectServing(started.url);
      process.kill(started.pid, 'SIGTERM');
      expect(await started.exited).toEqual({ code: 0, signal: null });
      await expectStoppedCleanly(started);
      expect(started.output()).toContain('stopped (SIGTERM)');
    }), TIMEOUT);

  it('node --import tsx main.ts, SIGINT (Ctrl-C) to node: exits 0', () =>
    withProgram(process.execPath, ['--import', 'tsx', HUAWEI.main], async (started) => {
      expect(started.serverPid).toBe(started.pid);
      await expectServing(started.url);
      process.kill(started.pid, 'SIGINT');
      expect(await started.exited).toEqual({ code: 0, signal: null });
      await expectStoppedCleanly(started);
      expect(started.output()).toContain('stopped (SIGINT)');
    }), TIMEOUT);
});
