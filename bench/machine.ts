/**
 * The machine a benchmark ran on, and how busy its cores are, on any platform Node runs on.
 *
 * Everything comes from `node:os`; on Linux, /proc/cpuinfo is read only when `os.cpus()` gives no
 * CPU model (some ARM boards and containers), and a failed read is ignored. Nothing here throws
 * on macOS or Windows, or on a Linux without /proc.
 */
import { readFileSync } from 'node:fs';
import nodeOs from 'node:os';

/** What the benchmark's report says about the machine. */
export interface MachineDescription {
  /** Node's version, e.g. "v20.19.0". */
  readonly node: string;
  /** Cores the process may use (`os.availableParallelism()`, as `nproc` counts them). */
  readonly cores: number;
  /** The CPU model, or "unknown". */
  readonly cpu: string;
  /** Total memory in GiB (2^30 bytes), unrounded. */
  readonly memoryGiB: number;
  /** Platform and kernel release, e.g. "linux 6.8.0", "darwin 23.4.0", "win32 10.0.22631". */
  readonly os: string;
}

/** The part of `node:os` the probe uses; a test passes its own. */
export type OsProbe = Pick<typeof nodeOs, 'cpus' | 'availableParallelism' | 'totalmem' | 'platform' | 'release'>;

/** Where the probe reads from; every field defaults to the real machine. */
export interface MachineSources {
  /** `node:os` or a stand-in. */
  readonly os?: OsProbe;
  /** Reads a text file (only /proc/cpuinfo, only on Linux); may throw. */
  readonly readFile?: (path: string) => string;
  /** Node's version string. */
  readonly nodeVersion?: string;
}

const readText = (path: string): string => readFileSync(path, 'utf8');

/**
 * Describes the machine: Node version, usable cores, CPU model, memory and OS.
 *
 * @param sources - stand-ins for `node:os`, the file reader and Node's version (tests).
 * @returns the description; the CPU is "unknown" when neither `os.cpus()` nor /proc/cpuinfo names it.
 * @example
 * ```ts
 * formatMachine(describeMachine()); // "node v20.19.0, 2 cores (nproc), CPU: …, memory: 7.8 GiB, linux 6.8.0"
 * ```
 */
export function describeMachine(sources: MachineSources = {}): MachineDescription {
  const os = sources.os ?? nodeOs;
  const platform = os.platform();
  return {
    node: sources.nodeVersion ?? process.version,
    cores: os.availableParallelism(),
    cpu: cpuModel(os, platform, sources.readFile ?? readText),
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${platform} ${os.release()}`,
  };
}

/**
 * The one-line machine description of the benchmark's report.
 *
 * @param machine - from {@link describeMachine}.
 * @returns e.g. "node v20.19.0, 2 cores (nproc), CPU: AMD EPYC 7763, memory: 7.8 GiB, linux 6.8.0".
 */
export function formatMachine(machine: MachineDescription): string {
  return `node ${machine.node}, ${String(machine.cores)} cores (nproc), CPU: ${machine.cpu}, memory: ${machine.memoryGiB.toFixed(1)} GiB, ${machine.os}`;
}

function cpuModel(os: OsProbe, platform: string, readFile: (path: string) => string): string {
  // libuv says "unknown" (or nothing) where it cannot name the CPU.
  const fromOs = cpusOf(os)[0]?.model.trim();
  if (fromOs !== undefined && fromOs !== '' && fromOs !== 'unknown') return fromOs;
  if (platform === 'linux') {
    let cpuinfo = '';
    try {
      cpuinfo = readFile('/proc/cpuinfo');
    } catch {
      // No /proc (a sandbox, a container without it): the model stays unknown.
    }
    // x86 says "model name"; MIPS "cpu model"; older ARM kernels "Processor" (capitalised: every
    // core's "processor : 0" line is lowercase) or only the board's "Hardware".
    for (const key of ['model name', 'cpu model', 'Processor', 'Hardware']) {
      const named = new RegExp(`^${key}\\s*:\\s*(\\S.*)$`, 'm').exec(cpuinfo)?.[1]?.trim();
      if (named !== undefined && named !== '') return named;
    }
  }
  return 'unknown';
}

/** `os.cpus()`, or none when it throws (it does not on supported platforms; the probe must not either). */
function cpusOf(os: Pick<OsProbe, 'cpus'>): ReturnType<OsProbe['cpus']> {
  try {
    return os.cpus();
  } catch {
    return [];
  }
}

/** CPU time of all cores since boot (ms), from `os.cpus()`: compare two readings with {@link busyCores}. */
export interface CpuTimes {
  /** Time spent in user, nice, system and interrupt code, summed over cores. */
  readonly busy: number;
  /** `busy` plus idle time, summed over cores. */
  readonly total: number;
  /** How many cores the reading covers. */
  readonly cores: number;
}

/**
 * Reads the CPU time spent so far by all cores, on every platform (`os.cpus()`, no /proc).
 *
 * @param os - `node:os` or a stand-in (tests).
 * @returns busy and total time summed over cores, and the core count.
 */
export function cpuTimes(os: Pick<OsProbe, 'cpus'> = nodeOs): CpuTimes {
  let busy = 0;
  let idle = 0;
  const cpus = cpusOf(os);
  for (const { times } of cpus) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, total: busy + idle, cores: cpus.length };
}

/**
 * The average number of busy cores between two readings: 0 when idle, the core count when every
 * core was busy all the time, whatever ran (this process, its children, other processes).
 *
 * @param from - the earlier reading of {@link cpuTimes}.
 * @param to - the later reading.
 * @returns busy cores, clamped to 0..`to.cores`; 0 when no time passed between the readings.
 */
export function busyCores(from: CpuTimes, to: CpuTimes): number {
  const total = to.total - from.total;
  if (!(total > 0)) return 0;
  const share = (to.busy - from.busy) / total;
  return Math.min(1, Math.max(0, share)) * to.cores;
}
