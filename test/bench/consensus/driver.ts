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
 * Committed transfers per second while the load was offered: from the first
 * block with a transfer to the last block committed by `sendEnd` (the last
 * arrival), the first block's transfers not counted (they were sent before the
 * span began). Each later block then holds what was sent, or what the system
 * could serve of its backlog, while it was made, so slow blocks are not charged
 * as a backlog; nor is the last block after the load, which holds only the
 * tail of the sends (with random block times it comes a whole mean interval
 * after the load ends). With fewer than two blocks by `sendEnd`, over every
 * block; with fewer than two blocks at all, from `start` to the last commit.
 */
export function commitRate(committed: readonly Committed[], start: number, sendEnd: number): number {
  const during = committed.filter((c) => c.committedAt <= sendEnd);
  return spanRate(new Set(during.map((c) => c.block)).size >= 2 ? during : committed, start);
}

function spanRate(committed: readonly Committed[], start: number): number {
  let first: Committed | undefined;
  let last: Committed | undefined;
  for (const c of committed) {
    if (!first || c.block < first.block || (c.block === first.block && c.committedAt < first.committedAt))
      first = c;
    if (!last || c.committedAt > last.committedAt) last = c;
  }
  if (!first || !last) return 0;
  const firstBlock = first.block;
  const counted = committed.filter((c) => c.block !== firstBlock).length;
  if (counted === 0 || last.committedAt <= first.committedAt) {
    return committed.length / Math.max(0.001, (last.committedAt - start) / 1000);
  }
  return counted / ((last.committedAt - first.committedAt) / 1000);
}

/** The measurements of one offered rate, with the network's CPU and memory over it. */
export function rateStep(outcome: LoadOutcome, sampler: ResourceSampler, durationSeconds: number): RateStep {
  const committed = committedOf(outcome.arrivals);
  const sendEnd = outcome.arrivals.reduce((end, a) => Math.max(end, a.scheduled), outcome.start);
  const throughput = commitRate(
    committed.map((a) => a.committed),
    outcome.start,
    sendEnd,
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
