import { setTimeout as sleep } from 'node:timers/promises';
import { committedOf, offerLoad, rateStep, type Arrival } from './driver';
import { summarise } from './latency';
import type { ExactlyOnce, RateStep, SystemResult } from './results';
import { CLIENT_ROLE, ResourceSampler } from './sampler';
import { now, type ChainSystem, type Finality, type SystemId } from './system';

/** How hard and how long to push one system. */
export interface MeasurePlan {
  senders: number;
  receivers: number;
  /** Offered rates, tried in order until the system saturates twice in a row (unless `everyRate`). */
  rates: readonly number[];
  /**
   * Run every rate, saturated or not: proof of work's blocks come at random
   * intervals, so a step of a few blocks can fall short of its rate by chance.
   */
  everyRate?: boolean;
  stepSeconds: number;
  /** How long to wait for answers (and finality) after a step's last arrival. */
  drainSeconds: number;
  maxInFlight: number;
  /** Whether to run an extra step at half the saturation throughput. */
  halfLoad: boolean;
  /** Records opened after the transfers. */
  accesses: number;
  /** Seconds of no load, to charge the network's idle CPU (a miner keeps mining). */
  idleSeconds: number;
}

/** Progress lines for the operator running the benchmark. */
export type Log = (line: string) => void;

/**
 * Without a step run at half load (proof of work: each step takes minutes), the
 * unsaturated step whose throughput is nearest half the saturation throughput.
 */
export function nearestHalfLoad(steps: readonly RateStep[], saturation: number): RateStep | undefined {
  return steps
    .filter((s) => !s.saturated && s.committed > 0)
    .reduce<RateStep | undefined>(
      (a, b) =>
        a === undefined || Math.abs(b.throughput - saturation / 2) < Math.abs(a.throughput - saturation / 2)
          ? b
          : a,
      undefined,
    );
}

/** The longest wait for a previous step's backlog to clear before the next step starts. */
const QUIESCE_MS = 600_000;

/** The result of a system before anything is measured (or of one that could not be set up). */
export function emptyResult(id: SystemId, label: string, finality: Finality): SystemResult {
  return {
    id,
    label,
    settings: {},
    finality,
    registration: { users: 0, seconds: 0 },
    steps: [],
    saturation: { throughput: 0, offeredRate: 0 },
    access: { kind: id.startsWith('fabric') ? 'transaction' : 'call', latency: summarise([]), failed: 0 },
    resources: { cpuSecondsPer1000Tx: 0, peakRssMiB: 0, idleCpuSecondsPerMinute: 0, byRole: [] },
    exactlyOnce: { acknowledged: 0, once: 0, missing: 0, duplicated: 0, unacknowledgedButCommitted: 0 },
  };
}

/** Compares what the client saw committed with what the ledger holds. */
export function exactlyOnce(arrivals: readonly Arrival[], ledger: ReadonlyMap<number, number>): ExactlyOnce {
  const result: ExactlyOnce = {
    acknowledged: 0,
    once: 0,
    missing: 0,
    duplicated: 0,
    unacknowledgedButCommitted: 0,
  };
  for (const a of arrivals) {
    const count = ledger.get(a.seq) ?? 0;
    if (count > 1) result.duplicated++;
    if (a.committed) {
      result.acknowledged++;
      if (count === 1) result.once++;
      else if (count === 0) result.missing++;
    } else if (count > 0) {
      result.unacknowledgedButCommitted++;
    }
  }
  return result;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Opens `count` records, 8 at a time, timing each from its call to its answer. */
async function openRecords(system: ChainSystem, seqs: readonly number[]) {
  const latencies: number[] = [];
  let failed = 0;
  const queue = [...seqs];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let seq = queue.shift(); seq !== undefined; seq = queue.shift()) {
        const started = now();
        try {
          const answer = await system.access(seq);
          latencies.push(answer.committedAt - started);
        } catch {
          failed++;
        }
      }
    }),
  );
  return { latency: summarise(latencies), failed };
}

/**
 * Runs the whole measurement of one system: start, register users, idle CPU,
 * rising offered rates to saturation (and half of it), record openings, the
 * exactly-once check. `afterSteps` runs with the network still up (fault
 * injection). The system is always stopped; a failure is recorded in `error`.
 */
export async function measureSystem(
  system: ChainSystem,
  plan: MeasurePlan,
  log: Log,
  afterSteps?: (context: { system: ChainSystem; saturation: number; nextSeq: number }) => Promise<void>,
): Promise<SystemResult> {
  const result: SystemResult = {
    ...emptyResult(system.id, system.label, system.finality),
    settings: system.settings(),
    registration: { users: plan.senders + plan.receivers, seconds: 0 },
  };
  const sampler = new ResourceSampler(() => system.processes());
  const depths = system.finality.kind === 'probabilistic' ? system.finality.confirmations : [];
  const arrivals: Arrival[] = [];
  try {
    log(`${system.label}: starting`);
    await system.start();
    result.settings = system.settings();
    await sampler.start();
    const registering = now();
    await system.registerUsers(plan.senders, plan.receivers);
    result.registration.seconds = round((now() - registering) / 1000);
    log(
      `  registered ${String(plan.senders + plan.receivers)} users in ${String(result.registration.seconds)} s`,
    );

    const idleFrom = now();
    await sleep(plan.idleSeconds * 1000);
    await sampler.sample();
    result.resources.idleCpuSecondsPerMinute = round(
      (sampler.cpuSeconds(idleFrom, now()) / ((now() - idleFrom) / 1000)) * 60,
    );

    let seq = 0;
    let saturatedRun = 0;
    const loadFrom = now();
    const runStep = async (rate: number): Promise<RateStep> => {
      await system.quiesce?.(QUIESCE_MS);
      const outcome = await offerLoad(system, {
        rate,
        durationSeconds: plan.stepSeconds,
        firstSeq: seq,
        maxInFlight: plan.maxInFlight,
        depths,
        drainSeconds: plan.drainSeconds,
      });
      seq += outcome.arrivals.length;
      arrivals.push(...outcome.arrivals);
      await sampler.sample();
      const step = rateStep(outcome, sampler, plan.stepSeconds);
      log(
        `  ${String(rate)} tx/s offered: ${String(step.throughput)} committed/s, p50 ${String(step.commit.p50)} s, ` +
          `p99 ${String(step.commit.p99)} s, ${String(step.failed)} failed, ${String(step.notIssued)} not sent` +
          (step.saturated ? ' (saturated)' : '') +
          (step.errors[0] ? `; most frequent error: ${step.errors[0].message}` : ''),
      );
      return step;
    };
    for (const rate of plan.rates) {
      const step = await runStep(rate);
      result.steps.push(step);
      saturatedRun = step.saturated ? saturatedRun + 1 : 0;
      if (saturatedRun >= 2 && !plan.everyRate) break;
    }
    const best = result.steps.reduce<RateStep | undefined>(
      (a, b) => (a === undefined || b.throughput > a.throughput ? b : a),
      undefined,
    );
    if (best) result.saturation = { throughput: best.throughput, offeredRate: best.offeredRate };
    if (plan.halfLoad && result.saturation.throughput >= 2) {
      result.halfLoad = await runStep(Math.round(result.saturation.throughput / 2));
    } else {
      result.halfLoad = nearestHalfLoad(result.steps, result.saturation.throughput);
    }
    const loadTo = now();

    const opened = committedOf(arrivals)
      .slice(0, plan.accesses)
      .map((a) => a.seq);
    log(`  opening ${String(opened.length)} records`);
    const access = await openRecords(system, opened);
    result.access = { ...result.access, ...access };

    await sampler.sample();
    const committed = arrivals.filter((a) => a.committed).length;
    const cpu = sampler.cpuSeconds(loadFrom, loadTo);
    const usage = sampler.usage(loadFrom, loadTo).map((u) => ({
      ...u,
      cpuSeconds: round(u.cpuSeconds),
      peakRssMiB: Math.round(u.peakRssMiB),
    }));
    const byRole = usage.filter((u) => u.role !== CLIENT_ROLE);
    const client = usage.find((u) => u.role === CLIENT_ROLE);
    const mining = byRole.find((u) => u.role === 'geth-miner');
    result.resources = {
      ...result.resources,
      cpuSecondsPer1000Tx: committed ? round((cpu / committed) * 1000) : 0,
      peakRssMiB: Math.round(sampler.peakRssMiB(-Infinity, Infinity)),
      byRole,
      ...(client ? { client } : {}),
      ...(mining && committed
        ? { miningCpuSecondsPer1000Tx: round((mining.cpuSeconds / committed) * 1000) }
        : {}),
    };

    if (afterSteps)
      await afterSteps({ system, saturation: result.saturation.throughput, nextSeq: seq + 1_000_000 });
    result.exactlyOnce = exactlyOnce(arrivals, await system.committedTransfers());
    // Again at the end: some settings (gas per transaction, block interval) are only known by now.
    result.settings = system.settings();
    log(
      `  exactly once: ${String(result.exactlyOnce.once)} of ${String(result.exactlyOnce.acknowledged)} acknowledged` +
        (result.exactlyOnce.missing || result.exactlyOnce.duplicated
          ? `, ${String(result.exactlyOnce.missing)} missing, ${String(result.exactlyOnce.duplicated)} duplicated`
          : ''),
    );
  } catch (error) {
    result.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`  failed: ${result.error ?? ''}`);
  } finally {
    await sampler.stop().catch(() => undefined);
    await system.stop().catch((error: unknown) => {
      log(`  stopping ${system.label} failed: ${String(error)}`);
    });
  }
  return result;
}
