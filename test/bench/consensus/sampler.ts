import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { RoleUsage } from './results';
import { now, type NetworkProcess } from './system';

/** The kernel's clock ticks per second, the unit of CPU times in /proc/<pid>/stat. */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
const MIB = 1024 * 1024;

/**
 * The role of the benchmark's own process: sampled so the report can show what
 * the load generator cost, but never charged to the network under test.
 */
export const CLIENT_ROLE = 'client (load driver)';

/** CPU time (s) and resident memory (MiB) of one process now, or undefined if it is gone. */
async function readProcess(pid: number): Promise<{ cpu: number; rss: number } | undefined> {
  try {
    const [stat, statm] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/statm`, 'utf8'),
    ]);
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    const ticks = Number(fields[11]) + Number(fields[12]);
    const residentPages = Number(statm.split(' ')[1]);
    return { cpu: ticks / TICKS_PER_SECOND, rss: (residentPages * PAGE_BYTES) / MIB };
  } catch {
    return undefined;
  }
}

interface Sample {
  t: number;
  /** Cumulative CPU-seconds of every process seen so far, by role (a process that exits keeps its last reading). */
  cpu: Map<string, number>;
  /** Resident MiB of the processes alive at `t`, by role. */
  rss: Map<string, number>;
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/**
 * Samples the CPU time and resident memory of a network's processes a few
 * times a second, so that any window of the run can be charged: CPU-seconds
 * between two instants, and the peak of the summed memory. Processes that
 * come and go (a killed orderer, its restart) are counted for the time they ran.
 */
export class ResourceSampler {
  readonly #list: () => Promise<NetworkProcess[]>;
  readonly #intervalMs: number;
  readonly #samples: Sample[] = [];
  /** Latest CPU reading by `pid:starttime`-free key `pid`, with its role and name. */
  readonly #last = new Map<number, { role: string; name: string; cpu: number }>();
  #processes: NetworkProcess[] = [];
  #listedAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  /** `list` gives the network's processes; it is asked again every 2 s. */
  constructor(list: () => Promise<NetworkProcess[]>, intervalMs = 250) {
    this.#list = list;
    this.#intervalMs = intervalMs;
  }

  /** Starts sampling (and takes a first sample). */
  async start(): Promise<void> {
    await this.sample();
    this.#timer = setInterval(() => {
      if (!this.#busy) void this.sample();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops sampling after one last sample. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.sample();
  }

  /** Takes one sample now. */
  async sample(): Promise<void> {
    this.#busy = true;
    try {
      if (now() - this.#listedAt > 2000) {
        this.#processes = [
          ...(await this.#list()),
          { pid: process.pid, role: CLIENT_ROLE, name: 'benchmark harness' },
        ];
        this.#listedAt = now();
      }
      const readings = await Promise.all(
        this.#processes.map(async (p) => [p, await readProcess(p.pid)] as const),
      );
      const rss = new Map<string, number>();
      for (const [p, reading] of readings) {
        if (!reading) continue;
        this.#last.set(p.pid, { role: p.role, name: p.name, cpu: reading.cpu });
        rss.set(p.role, (rss.get(p.role) ?? 0) + reading.rss);
      }
      const cpu = new Map<string, number>();
      for (const { role, cpu: seconds } of this.#last.values()) cpu.set(role, (cpu.get(role) ?? 0) + seconds);
      this.#samples.push({ t: now(), cpu, rss });
    } finally {
      this.#busy = false;
    }
  }

  /** The sample nearest to `t` at or after it (or the last one). */
  #at(t: number): Sample | undefined {
    return this.#samples.find((s) => s.t >= t) ?? this.#samples.at(-1);
  }

  /** CPU-seconds of the whole network (not the client) between `from` and `to` (instants of {@link now}). */
  cpuSeconds(from: number, to: number): number {
    return sum(
      this.usage(from, to)
        .filter((u) => u.role !== CLIENT_ROLE)
        .map((u) => u.cpuSeconds),
    );
  }

  /** The highest summed resident memory (MiB) of the network (not the client) between `from` and `to`. */
  peakRssMiB(from: number, to: number): number {
    let peak = 0;
    for (const s of this.#samples) {
      if (s.t < from || s.t > to) continue;
      peak = Math.max(peak, sum([...s.rss].filter(([role]) => role !== CLIENT_ROLE).map(([, rss]) => rss)));
    }
    return peak;
  }

  /** CPU-seconds and peak memory by role between `from` and `to`. */
  usage(from: number, to: number): RoleUsage[] {
    const start = this.#at(from);
    const end = this.#at(to);
    if (!start || !end) return [];
    const roles = new Map<string, RoleUsage>();
    for (const [role, cpu] of end.cpu) {
      const processes = [...this.#last.values()].filter((p) => p.role === role).length;
      roles.set(role, { role, processes, cpuSeconds: cpu - (start.cpu.get(role) ?? 0), peakRssMiB: 0 });
    }
    for (const s of this.#samples) {
      if (s.t < from || s.t > to) continue;
      for (const [role, rss] of s.rss) {
        const usage = roles.get(role);
        if (usage) usage.peakRssMiB = Math.max(usage.peakRssMiB, rss);
      }
    }
    return [...roles.values()].sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  }
}
