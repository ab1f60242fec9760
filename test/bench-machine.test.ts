/**
 * The benchmark's machine probe (bench/machine.ts): it describes any machine without /proc, reads
 * /proc/cpuinfo only on Linux and only when `os.cpus()` has no model, and counts busy cores from
 * `os.cpus()` times.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { busyCores, cpuTimes, describeMachine, formatMachine, type CpuTimes, type OsProbe } from '../bench/machine.js';

type CpuInfo = ReturnType<OsProbe['cpus']>[number];

const cpu = (model: string, times: Partial<CpuInfo['times']> = {}): CpuInfo => ({
  model,
  speed: 0,
  times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0, ...times },
});

/** A stand-in for `node:os` on the given platform. */
function fakeOs(platform: NodeJS.Platform, cpus: () => CpuInfo[]): OsProbe {
  return {
    cpus,
    availableParallelism: () => 4,
    totalmem: () => 8 * 1024 ** 3,
    platform: () => platform,
    release: () => '23.4.0',
  };
}

/** A file reader that fails like a missing /proc, counting its calls. */
function missingProc(): { readonly readFile: (path: string) => string; readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readFile: (path) => {
      calls.push(path);
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
  };
}

describe('describeMachine', () => {
  it('describes this machine, even with /proc missing', () => {
    const proc = missingProc();
    const machine = describeMachine({ readFile: proc.readFile });
    expect(machine.node).toBe(process.version);
    expect(machine.cores).toBe(os.availableParallelism());
    expect(machine.cores).toBeGreaterThanOrEqual(1);
    expect(machine.memoryGiB).toBeCloseTo(os.totalmem() / 1024 ** 3, 6);
    expect(machine.os).toBe(`${os.platform()} ${os.release()}`);
    expect(machine.cpu).not.toBe('');
  });

  it('on macOS with no CPU model, reads no file and says the CPU is unknown', () => {
    const proc = missingProc();
    const machine = describeMachine({ os: fakeOs('darwin', () => []), readFile: proc.readFile, nodeVersion: 'v20.0.0' });
    expect(machine).toEqual({ node: 'v20.0.0', cores: 4, cpu: 'unknown', memoryGiB: 8, os: 'darwin 23.4.0' });
    expect(proc.calls).toEqual([]);
  });

  it('on Windows, takes the model from os.cpus() and survives os.cpus() throwing', () => {
    const proc = missingProc();
    expect(describeMachine({ os: fakeOs('win32', () => [cpu(' Intel Core i7 ')]), readFile: proc.readFile }).cpu).toBe('Intel Core i7');
    const throwing = fakeOs('win32', () => {
      throw new Error('uv_cpu_info');
    });
    expect(describeMachine({ os: throwing, readFile: proc.readFile }).cpu).toBe('unknown');
    expect(proc.calls).toEqual([]);
  });

  it('on Linux, reads /proc/cpuinfo only when os.cpus() names no model, and survives its absence', () => {
    const proc = missingProc();
    expect(describeMachine({ os: fakeOs('linux', () => [cpu('AMD EPYC 7763')]), readFile: proc.readFile }).cpu).toBe('AMD EPYC 7763');
    expect(proc.calls).toEqual([]);

    expect(describeMachine({ os: fakeOs('linux', () => [cpu('unknown')]), readFile: proc.readFile }).cpu).toBe('unknown');
    expect(describeMachine({ os: fakeOs('linux', () => []), readFile: proc.readFile }).cpu).toBe('unknown');
    expect(proc.calls).toEqual(['/proc/cpuinfo', '/proc/cpuinfo']);
  });

  it('on Linux, takes the model from /proc/cpuinfo (x86 "model name", ARM "Hardware")', () => {
    const x86 = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n';
    const arm = 'processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nRevision\t: c03111\n';
    const oldArm = 'Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\nHardware\t: BCM2709\n';
    const linux = fakeOs('linux', () => [cpu('')]);
    expect(describeMachine({ os: linux, readFile: () => x86 }).cpu).toBe('Intel(R) Xeon(R) CPU @ 2.20GHz');
    expect(describeMachine({ os: linux, readFile: () => arm }).cpu).toBe('BCM2835');
    expect(describeMachine({ os: linux, readFile: () => oldArm }).cpu).toBe('ARMv7 Processor rev 4 (v7l)');
    expect(describeMachine({ os: linux, readFile: () => 'processor\t: 0\n' }).cpu).toBe('unknown');
  });

  it('formatMachine writes the report line', () => {
    expect(
      formatMachine({ node: 'v20.19.0', cores: 2, cpu: 'AMD EPYC', memoryGiB: 7.75, os: 'linux 6.8.0' }),
    ).toBe('node v20.19.0, 2 cores (nproc), CPU: AMD EPYC, memory: 7.8 GiB, linux 6.8.0');
  });
});

describe('cpuTimes and busyCores', () => {
  it('sums user, nice, sys and irq as busy, plus idle for the total, over all cores', () => {
    const cpus = [cpu('a', { user: 1, nice: 2, sys: 3, irq: 4, idle: 10 }), cpu('a', { user: 5, idle: 5 })];
    expect(cpuTimes(fakeOs('darwin', () => cpus))).toEqual({ busy: 15, total: 30, cores: 2 });
    expect(cpuTimes(fakeOs('win32', () => []))).toEqual({ busy: 0, total: 0, cores: 0 });
  });

  it('busyCores is the busy share of the time between two readings times the cores', () => {
    const from: CpuTimes = { busy: 100, total: 400, cores: 2 };
    expect(busyCores(from, { busy: 300, total: 800, cores: 2 })).toBe(1);
    expect(busyCores(from, { busy: 100, total: 800, cores: 2 })).toBe(0);
    expect(busyCores(from, { busy: 500, total: 800, cores: 2 })).toBe(2);
    expect(busyCores(from, { busy: 250, total: 1000, cores: 4 })).toBe(1);
    expect(busyCores(from, from)).toBe(0);
  });

  it('between two readings of this machine, lies between 0 and the core count', () => {
    const from = cpuTimes();
    expect(from.cores).toBe(os.cpus().length);
    expect(from.busy).toBeGreaterThan(0);
    expect(from.total).toBeGreaterThan(from.busy);
    // Keep a core busy until the counters move (they tick every 10 ms or so), bounded by a count.
    let to: CpuTimes;
    let sink = 0;
    let round = 0;
    do {
      for (let i = 0; i < 100_000; i++) sink += i % 7;
      to = cpuTimes();
    } while (to.total === from.total && ++round < 10_000);
    expect(sink).toBeGreaterThan(0);
    expect(to.total).toBeGreaterThan(from.total);
    const busy = busyCores(from, to);
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(to.cores);
  });
});
