/**
 * Starting an example program as a user would, for the tests: the real main.ts, its output
 * polled until it listens.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A started example: its output so far, and promises for its exit and for its output closing. */
export interface Started {
  /** The process signalled: npm, tsx or node. */
  readonly pid: number;
  /** The node process that runs the server (it prints its pid). */
  readonly serverPid: number;
  readonly url: string;
  output(): string;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Resolves when every process that held the output pipe (npm, sh, node) has exited. */
  readonly outputClosed: Promise<void>;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

export async function startProgram(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Started> {
  // In memory unless a test says otherwise: no data directory is left behind, and no DATABASE_URL
  // server of the environment is reached.
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: 'memory', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });
  const outputClosed = new Promise<void>((resolve) => child.stdout.on('close', () => resolve()));
  let url: string | undefined;
  let serverPid: string | undefined;
  while (url === undefined || serverPid === undefined) {
    if (hasExited) throw new Error(`the example exited before listening:\n${output}`);
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    serverPid = /`kill (\d+)`/.exec(output)?.[1];
    if (url === undefined || serverPid === undefined) await pause();
  }
  if (child.pid === undefined) throw new Error('no pid');
  return { pid: child.pid, serverPid: Number(serverPid), url, output: () => output, exited, outputClosed };
}

