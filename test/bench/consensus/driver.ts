import { setTimeout as sleep } from 'node:timers/promises';
import { summarise } from './latency';
import type { RateStep, TimelineBucket } from './results';
import type { ResourceSampler } from './sampler';
import { now, type ChainSystem, type Committed } from './system';

/** How a load is offered. */
export interface LoadOptions {
  /** Arrivals per second, at fixed intervals. */
  rate: number;
  durationSeconds: number;
  /** The transfer number of the first arrival. */
  firstSeq: number;
  /** Arrivals while this many transfers are unanswered are not sent (and counted as not issued). */
  maxInFlight: number;
  /** Confirmation depths to wait for (probabilistic finality); empty for deterministic systems. */
  depths: readonly number[];
  /** How long to wait, after the last arrival, for answers and finality. */
  drainSeconds: number;
}

/** One arrival of the schedule and what became of it. */
export interface Arrival {
  seq: number;
  /** When the schedule said to send it ({@link now}). */
  scheduled: number;
  issued: boolean;
  committed?: Committed;
  /** When the client learnt it failed. */
  failedAt?: number;
  error?: string;
  /** When it reached each confirmation depth. */
  finalAt: Map<number, number>;
}

/** What an offered load did. */
export interface LoadOutcome {
  rate: number;
  /** The first arrival's scheduled time. */
  start: number;
  /** The last answer (or the end of the drain). */
  end: number;
  arrivals: Arrival[];
}

/** The first line of an error's message, without the ids that make every message different. */
export function stableMessage(error: unknown): string {
  const e = error as { message?: unknown; details?: { message?: string }[] };
  const detail = e.details?.find((d) => d.message)?.message;
  const text = `${typeof e.message === 'string' ? e.message : String(error)}${detail ? `: ${detail}` : ''}`;
  return (text.split('\n')[0] ?? '')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<time>')
    .slice(0, 160);
}

/**
 * Offers transfers to `system` open-loop: arrival i is due at start + i/rate,
 * whether or not earlier ones were answered, and every latency is measured
 * from when it was due, so a slow system cannot hide its queue (no
 * coordinated omission). Resolves once every sent transfer is answered and
 * final, or the drain time is up.
 */
export async function offerLoad(system: ChainSystem, options: LoadOptions): Promise<LoadOutcome> {
  const count = Math.max(1, Math.round(options.rate * options.durationSeconds));
  const interval = 1000 / options.rate;
  const arrivals: Arrival[] = [];
  const pending = new Set<Promise<void>>();
  let inFlight = 0;
  const start = now() + 50;

  const track = async (arrival: Arrival): Promise<void> => {
    try {
      const committed = await system.send(arrival.seq);
      arrival.committed = committed;
    } catch (error) {
      arrival.failedAt = now();
      arrival.error = stableMessage(error);
      return;
    } finally {
      inFlight--;
    }
    await Promise.all(
      options.depths.map(async (depth) => {
        if (!arrival.committed) return;
        arrival.finalAt.set(depth, await system.finalAt(arrival.committed, depth));
      }),
    );
  };

  for (let i = 0; i < count; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - now();
    if (wait > 1) await sleep(wait);
    const arrival: Arrival = { seq: options.firstSeq + i, scheduled, issued: false, finalAt: new Map() };
    arrivals.push(arrival);
    if (inFlight >= options.maxInFlight) continue;
    arrival.issued = true;
    inFlight++;
    const p = track(arrival).catch(() => undefined);
    pending.add(p);
    void p.then(() => pending.delete(p));
  }

  const drained = Promise.all([...pending]).then(() => 'drained' as const);
  const gaveUp = sleep(options.drainSeconds * 1000, 'timeout' as const, { ref: false });
  if ((await Promise.race([drained, gaveUp])) === 'timeout') {
    const at = now();
    for (const a of arrivals) {
      if (a.issued && !a.committed && a.failedAt === undefined) {
        a.failedAt = at;
        a.error = `no answer within ${String(options.drainSeconds)} s of the last arrival`;
      }
    }
  }
  let end = start;
  for (const a of arrivals) {
    end = Math.max(end, a.committed?.committedAt ?? 0, a.failedAt ?? 0);
    for (const t of a.finalAt.values()) end = Math.max(end, t);
  }
  return { rate: options.rate, start, end, arrivals };
}

/** The committed transfers among `arrivals`. */
export function committedOf(arrivals: readonly Arrival[]): (Arrival & { committed: Committed })[] {
  return arrivals.filter((a): a is Arrival & { committed: Committed } => a.committed !== undefined);
}

/**
 * Committed transfers per second over whole block intervals: the transfers of
 * every block but the first and the last, over the time from the first block
 * to the last but one. Each block between holds what was sent, or what the
 * system could serve of its backlog, while it was made, so slow blocks are not
 * charged as a backlog. The first block's transfers were sent before the span
 * began; the last block holds only the tail of the sends and, with random block
 * times, comes a whole mean interval after the load ends. Ending the span
 * earlier, at the last arrival, would not do: a Fabric client at its gateway's
 * concurrency limit learns of commits in a burst after the load. With two
 * blocks, the second over their interval; with one, from `start`.
 */
export function commitRate(committed: readonly Committed[], start: number): number {
  const blocks = new Map<number, { first: number; last: number; count: number }>();
  for (const c of committed) {
    const b = blocks.get(c.block);
    if (!b) blocks.set(c.block, { first: c.committedAt, last: c.committedAt, count: 1 });
    else {
      b.first = Math.min(b.first, c.committedAt);
      b.last = Math.max(b.last, c.committedAt);
      b.count++;
    }
  }
  const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
  const [first] = ordered;
  if (!first) return 0;
  const between = ordered.length > 2 ? ordered.slice(1, -1) : ordered.slice(1);
  const counted = between.reduce((n, b) => n + b.count, 0);
  const end = Math.max(0, ...between.map((b) => b.last));
  if (counted === 0 || end <= first.first) {
    return committed.length / Math.max(0.001, (Math.max(...ordered.map((b) => b.last)) - start) / 1000);
  }
  return counted / ((end - first.first) / 1000);
}

/** The measurements of one offered rate, with the network's CPU and memory over it. */
export function rateStep(outcome: LoadOutcome, sampler: ResourceSampler, durationSeconds: number): RateStep {
  const committed = committedOf(outcome.arrivals);
  const throughput = commitRate(
    committed.map((a) => a.committed),
    outcome.start,
  );
  const depths = new Set(committed.flatMap((a) => [...a.finalAt.keys()]));
  const finality: Record<string, ReturnType<typeof summarise>> = {};
  for (const depth of [...depths].sort((a, b) => a - b)) {
    finality[String(depth)] = summarise(
      committed.flatMap((a) => {
        const t = a.finalAt.get(depth);
        return t === undefined ? [] : [t - a.scheduled];
      }),
    );
  }
  const notIssued = outcome.arrivals.filter((a) => !a.issued).length;
  const failed = outcome.arrivals.filter((a) => a.issued && !a.committed).length;
  return {
    offeredRate: outcome.rate,
    durationSeconds,
    offered: outcome.arrivals.length,
    committed: committed.length,
    failed,
    notIssued,
    throughput: Math.round(throughput * 10) / 10,
    commit: summarise(committed.map((a) => a.committed.committedAt - a.scheduled)),
    finality,
    cpuSeconds: Math.round(sampler.cpuSeconds(outcome.start, outcome.end) * 100) / 100,
    peakRssMiB: Math.round(sampler.peakRssMiB(outcome.start, outcome.end)),
    saturated: notIssued > 0 || failed > 0 || throughput < 0.9 * outcome.rate,
    errors: errorCounts(outcome).slice(0, 5),
  };
}

/** Committed and failed transfers per second since the load started. */
export function timeline(outcome: LoadOutcome): TimelineBucket[] {
  const seconds = Math.ceil((outcome.end - outcome.start) / 1000);
  const buckets: TimelineBucket[] = Array.from({ length: Math.max(1, seconds) }, (_, t) => ({
    t,
    committed: 0,
    failed: 0,
  }));
  const bucket = (at: number) =>
    buckets[Math.min(buckets.length - 1, Math.max(0, Math.floor((at - outcome.start) / 1000)))];
  for (const a of outcome.arrivals) {
    if (a.committed) {
      const b = bucket(a.committed.committedAt);
      if (b) b.committed++;
    } else if (a.failedAt !== undefined) {
      const b = bucket(a.failedAt);
      if (b) b.failed++;
    }
  }
  while (buckets.length > 1 && buckets.at(-1)?.committed === 0 && buckets.at(-1)?.failed === 0) buckets.pop();
  return buckets;
}

/** The errors of an outcome by stable message, most frequent first. */
export function errorCounts(outcome: LoadOutcome): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const a of outcome.arrivals) if (a.error) counts.set(a.error, (counts.get(a.error) ?? 0) + 1);
  return [...counts].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
}
