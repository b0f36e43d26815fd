import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { commitRate, committedOf, errorCounts, offerLoad, stableMessage, timeline } from './driver';
import { dipAndRecovery } from './faults';
import { summarise } from './latency';
import { exactlyOnce, nearestHalfLoad } from './measure';
import type { RateStep } from './results';
import { now, type ChainSystem, type Committed } from './system';

/** A system whose every transfer takes `serviceMs` and which serves one at a time: a queue. */
function queueSystem(serviceMs: number, failEvery = 0): ChainSystem {
  let free = now();
  const system: Partial<ChainSystem> = {
    async send(seq: number): Promise<Committed> {
      free = Math.max(free, now()) + serviceMs;
      await sleep(free - now());
      if (failEvery && seq % failEvery === failEvery - 1) throw new Error(`refused tx ${'ab'.repeat(16)}`);
      return { ref: String(seq), block: seq, committedAt: now() };
    },
    finalAt: (tx: Committed, depth: number) => Promise.resolve(tx.committedAt + depth),
  };
  return system as ChainSystem;
}

describe('open-loop driver', () => {
  it('sends on schedule whatever the answers, and times each transfer from when it was due', async () => {
    // 50/s offered to a system that serves 25/s: the queue grows, and so must the latencies.
    const outcome = await offerLoad(queueSystem(40), {
      rate: 50,
      durationSeconds: 1,
      firstSeq: 100,
      maxInFlight: 1000,
      depths: [],
      drainSeconds: 10,
    });
    assert.equal(outcome.arrivals.length, 50);
    assert.deepEqual(
      outcome.arrivals.map((a) => a.seq),
      Array.from({ length: 50 }, (_, i) => 100 + i),
    );
    const committed = committedOf(outcome.arrivals);
    assert.equal(committed.length, 50);
    const first = committed[0];
    const last = committed.at(-1);
    assert.ok(first && last);
    // The last one waited behind 49 others (about 2 s of service) although it was sent 1 s in.
    assert.ok(
      last.committed.committedAt - last.scheduled > 10 * (first.committed.committedAt - first.scheduled),
    );
  });

  it('does not send past the in-flight cap, records failures with a stable message, and waits for finality', async () => {
    const outcome = await offerLoad(queueSystem(30, 5), {
      rate: 100,
      durationSeconds: 0.5,
      firstSeq: 0,
      maxInFlight: 10,
      depths: [6, 12],
      drainSeconds: 10,
    });
    assert.ok(
      outcome.arrivals.some((a) => !a.issued),
      'some arrivals found the cap reached',
    );
    const failed = outcome.arrivals.filter((a) => a.issued && !a.committed);
    assert.ok(failed.length > 0);
    assert.deepEqual(errorCounts(outcome), [{ message: 'refused tx <id>', count: failed.length }]);
    for (const a of committedOf(outcome.arrivals)) assert.deepEqual([...a.finalAt.keys()], [6, 12]);
  });

  it('buckets commits and failures per second, without trailing empty seconds', () => {
    const start = 1000;
    const arrival = (at: number, ok: boolean) => ({
      seq: at,
      scheduled: start,
      issued: true,
      finalAt: new Map<number, number>(),
      ...(ok ? { committed: { ref: 'x', block: 1, committedAt: start + at } } : { failedAt: start + at }),
    });
    const buckets = timeline({
      rate: 1,
      start,
      end: start + 9000,
      arrivals: [arrival(100, true), arrival(900, true), arrival(1500, false), arrival(2100, true)],
    });
    assert.deepEqual(buckets, [
      { t: 0, committed: 2, failed: 0 },
      { t: 1, committed: 0, failed: 1 },
      { t: 2, committed: 1, failed: 0 },
    ]);
  });

  it('keeps ids and times out of error messages so that equal errors count together', () => {
    assert.equal(
      stableMessage(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded after 60.001s\nstack')),
      '4 DEADLINE_EXCEEDED: Deadline exceeded after <time>',
    );
  });
});

describe('measurements', () => {
  it('summarises latencies in seconds with nearest-rank percentiles', () => {
    const ms = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    assert.deepEqual(summarise(ms), { count: 100, mean: 0.505, p50: 0.5, p95: 0.95, p99: 0.99, max: 1 });
    assert.deepEqual(summarise([]), { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('checks exactly-once: missing, duplicated, and committed although refused', () => {
    const arrival = (seq: number, ok: boolean) => ({
      seq,
      scheduled: 0,
      issued: true,
      finalAt: new Map<number, number>(),
      ...(ok ? { committed: { ref: String(seq), block: 1, committedAt: 1 } } : {}),
    });
    const ledger = new Map([
      [1, 1],
      [2, 2],
      [4, 1],
    ]);
    assert.deepEqual(
      exactlyOnce([arrival(1, true), arrival(2, true), arrival(3, true), arrival(4, false)], ledger),
      {
        acknowledged: 3,
        once: 1,
        missing: 1,
        duplicated: 1,
        unacknowledgedButCommitted: 1,
      },
    );
  });

  it('takes the unsaturated step nearest half the saturation throughput when no half-load step was run', () => {
    const step = (throughput: number, saturated: boolean): RateStep =>
      ({ throughput, saturated, committed: 10 }) as RateStep;
    const steps = [step(1.5, true), step(4.9, false), step(6.9, true), step(15.3, true)];
    assert.equal(nearestHalfLoad(steps, 15.3)?.throughput, 4.9);
    assert.equal(nearestHalfLoad([step(3, true)], 3), undefined);
  });

  it('rates commits over whole block intervals, so slow blocks are not charged as a backlog', () => {
    // Sends every `every` ms until `sendEnd`; a block at each time in `blockTimes` takes all sent since
    // the block before it, up to `capacity`.
    const chain = (
      every: number,
      sendEnd: number,
      blockTimes: number[],
      capacity = Infinity,
    ): Committed[] => {
      const out: Committed[] = [];
      let next = 0;
      blockTimes.forEach((at, b) => {
        for (let n = 0; n < capacity && next <= Math.min(at, sendEnd); n++, next += every)
          out.push({ ref: String(next), block: 100 + b, committedAt: at });
      });
      return out;
    };
    // 2/s for 90 s into 13 s blocks: the last block, 12 s after the load, holds only its last second.
    const pow = chain(500, 90_000, [11_000, 24_000, 37_000, 50_000, 63_000, 76_000, 89_000, 102_000]);
    assert.equal(commitRate(pow, 0), 2);
    // A backlog still counts: 20/s offered for 10 s, served at 10/s in blocks of one.
    const blocks = Array.from({ length: 200 }, (_, i) => (i + 1) * 100);
    assert.equal(commitRate(chain(50, 9_950, blocks, 1), 0), 10);
    // A backlog served after the load.
    assert.equal(commitRate(chain(100, 1_100, [1_000, 2_000, 3_000, 4_000, 5_000, 6_000], 2), 0), 2);
    // One block at all: from the start.
    assert.equal(commitRate(chain(200, 3_800, [4_000]), 0), 5);
    assert.equal(commitRate([], 0), 0);
  });

  it('finds the dip and the recovery after a fault', () => {
    const committed = [10, 10, 10, 10, 10, 0, 0, 3, 9, 10, 10, 10];
    const buckets = committed.map((c, t) => ({ t, committed: c, failed: 0 }));
    assert.deepEqual(dipAndRecovery(buckets, 5, 5, 12), { baseline: 10, dip: 0, recovery: 3 });
    const never = committed.map((_, t) => ({ t, committed: t < 5 ? 10 : 0, failed: 1 }));
    assert.deepEqual(dipAndRecovery(never, 5, 5, 12), { baseline: 10, dip: 0 });
  });
});
