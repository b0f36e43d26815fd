import { errorCounts, offerLoad, timeline, type LoadOutcome } from './driver';
import type { FabricSystem } from './fabric/fabric-system';
import type { Log } from './measure';
import { exactlyOnce } from './measure';
import type { FaultResult, TimelineBucket } from './results';
import { now } from './system';

/** How long a fault run lasts and when its faults happen, in seconds since the load started. */
export interface FaultPlan {
  rate: number;
  /** Raft: the leader is killed at `faultAt` and restarted at `repairAt`; the load lasts `duration`. */
  faultAt: number;
  repairAt: number;
  duration: number;
  drainSeconds: number;
  maxInFlight: number;
}

/** An action at a moment of a fault run, and the line it adds to the run's events. */
interface Scheduled {
  at: number;
  run: () => Promise<string>;
}

/** Offers load while running `actions` at their times; returns the outcome and the events, in seconds since start. */
async function underLoad(
  system: FabricSystem,
  plan: FaultPlan,
  firstSeq: number,
  actions: readonly Scheduled[],
  log: Log,
): Promise<{ outcome: LoadOutcome; events: { t: number; what: string }[] }> {
  const events: { t: number; what: string }[] = [];
  const began = now();
  const load = offerLoad(system, {
    rate: plan.rate,
    durationSeconds: plan.duration,
    firstSeq,
    maxInFlight: plan.maxInFlight,
    depths: [],
    drainSeconds: plan.drainSeconds,
  });
  const script = (async () => {
    for (const action of actions) {
      const wait = began + action.at * 1000 - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      let what: string;
      try {
        what = await action.run();
      } catch (error) {
        what = `failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      // When the action was done: a restart counts once the node is ready.
      const at = (now() - began) / 1000;
      events.push({ t: Math.round(at * 10) / 10, what });
      log(`    t=${at.toFixed(1)} s: ${what}`);
    }
  })();
  const [outcome] = await Promise.all([load, script]);
  const shift = (outcome.start - began) / 1000;
  return { outcome, events: events.map((e) => ({ t: Math.round((e.t - shift) * 10) / 10, what: e.what })) };
}

const mean = (values: readonly number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;

/**
 * Baseline (committed per second before `faultAt`, skipping the first
 * seconds), the dip (lowest whole second after the fault until recovery) and
 * the recovery time: seconds from `from` until 3 seconds running at 80% of the baseline.
 */
export function dipAndRecovery(
  buckets: readonly TimelineBucket[],
  faultAt: number,
  from: number,
  loadEnd: number,
): { baseline: number; dip: number; recovery?: number } {
  const before = buckets
    .filter((b) => b.t >= Math.min(3, faultAt / 2) && b.t < faultAt)
    .map((b) => b.committed);
  const baseline = mean(before);
  const threshold = 0.8 * baseline;
  let recoveredAt: number | undefined;
  for (let t = Math.ceil(from); t + 2 < loadEnd; t++) {
    const run = [t, t + 1, t + 2].map((s) => buckets.find((b) => b.t === s)?.committed ?? 0);
    if (run.every((c) => c >= threshold)) {
      recoveredAt = t;
      break;
    }
  }
  // The dip counts the seconds from the fault through the 3 seconds that show recovery.
  const window = buckets.filter((b) => b.t >= Math.floor(faultAt) && b.t < (recoveredAt ?? loadEnd) + 3);
  return {
    baseline: Math.round(baseline * 10) / 10,
    dip: window.length ? Math.min(...window.map((b) => b.committed)) : 0,
    ...(recoveredAt !== undefined ? { recovery: Math.max(0, recoveredAt - from) } : {}),
  };
}

function faultResult(
  id: FaultResult['id'],
  system: FabricSystem,
  label: string,
  plan: FaultPlan,
  run: { outcome: LoadOutcome; events: { t: number; what: string }[] },
  faultAt: number,
  recoverFrom: number,
  ledger: ReadonlyMap<number, number>,
): FaultResult {
  const buckets = timeline(run.outcome);
  const { baseline, dip, recovery } = dipAndRecovery(buckets, faultAt, recoverFrom, plan.duration);
  return {
    id,
    system: system.id,
    label,
    offeredRate: plan.rate,
    timeline: buckets,
    events: run.events,
    baselineThroughput: baseline,
    dipThroughput: dip,
    ...(recovery !== undefined ? { recoverySeconds: recovery } : {}),
    errors: errorCounts(run.outcome),
    exactlyOnce: exactlyOnce(run.outcome.arrivals, ledger),
  };
}

/** Kills the Raft leader (SIGKILL) under load and restarts it later. */
export async function raftLeaderKill(
  system: FabricSystem,
  plan: FaultPlan,
  firstSeq: number,
  log: Log,
): Promise<FaultResult> {
  let leader = '';
  log(`  fault: kill the Raft leader under ${String(plan.rate)} tx/s`);
  const run = await underLoad(
    system,
    plan,
    firstSeq,
    [
      {
        at: plan.faultAt,
        run: async () => {
          leader = await system.raftLeader();
          await system.killNode(leader);
          return `kill -9 ${leader} (the Raft leader)`;
        },
      },
      {
        at: plan.faultAt + 0.1,
        run: async () => `${await system.raftLeader(leader)} elected leader`,
      },
      {
        at: plan.repairAt,
        run: async () => {
          await system.startNode(leader);
          return `${leader} restarted and ready`;
        },
      },
    ],
    log,
  );
  const ledger = await system.committedTransfers();
  return faultResult(
    'raft-leader-kill',
    system,
    `kill -9 the Raft leader (${leader}) under load, restart it ${String(plan.repairAt - plan.faultAt)} s later`,
    plan,
    run,
    plan.faultAt,
    plan.faultAt,
    ledger,
  );
}

/**
 * Stops one SmartBFT orderer under load (3 of 4 keep a quorum), then a second
 * (2 of 4: no quorum, nothing can be ordered), then starts the second again
 * and finally the first. Returns one result per fault, over the same run.
 */
export async function bftStops(
  system: FabricSystem,
  plan: FaultPlan & { secondAt: number; secondRepairAt: number },
  firstSeq: number,
  log: Log,
): Promise<FaultResult[]> {
  const [first, second] = system.ordererNames().slice(-2).reverse();
  if (!first || !second) throw new Error('SmartBFT needs 4 orderers');
  log(`  fault: stop ${first}, then ${second}, under ${String(plan.rate)} tx/s`);
  const run = await underLoad(
    system,
    plan,
    firstSeq,
    [
      {
        at: plan.faultAt,
        run: () => system.stopNode(first).then(() => `stopped ${first} (3 of 4 left: quorum kept)`),
      },
      {
        at: plan.secondAt,
        run: () => system.stopNode(second).then(() => `stopped ${second} (2 of 4 left: no quorum)`),
      },
      {
        at: plan.secondRepairAt,
        run: () => system.startNode(second).then(() => `started ${second} again (quorum back)`),
      },
      { at: plan.repairAt, run: () => system.startNode(first).then(() => `started ${first} again`) },
    ],
    log,
  );
  const ledger = await system.committedTransfers();
  return [
    faultResult(
      'bft-stop-one',
      system,
      `stop one of 4 SmartBFT orderers (${first}) under load`,
      plan,
      run,
      plan.faultAt,
      plan.faultAt,
      ledger,
    ),
    faultResult(
      'bft-stop-two',
      system,
      `stop a second SmartBFT orderer (${second}): quorum lost, then start it again after ${String(plan.secondRepairAt - plan.secondAt)} s`,
      plan,
      run,
      plan.secondAt,
      plan.secondRepairAt,
      ledger,
    ),
  ];
}
