import type {
  BenchResults,
  ExactlyOnce,
  FaultResult,
  LatencySummary,
  RateStep,
  RoleUsage,
  SystemResult,
  TimelineBucket,
} from '../results';
import type { Finality, SystemId } from '../system';

/**
 * A realistic, made-up set of results for the report's tests and preview: four
 * systems (Fabric Raft short of its throughput target, Fabric SmartBFT,
 * Ganache that failed to start, proof-of-work geth) and three faults (the
 * second SmartBFT stop never recovers). Generated from simple formulas, so the
 * same every time.
 */

const RATES = [5, 10, 25, 50, 100, 150, 200, 300, 400];
const STEP_SECONDS = 60;

const round = (value: number, decimals = 3): number => Number(value.toFixed(decimals));

/** A small, repeatable wobble in [-1, 1] for sample `i`. */
const wobble = (i: number): number => (((i * 37 + 11) % 23) - 11) / 11;

function summary(count: number, p50: number, tail: number): LatencySummary {
  return {
    count,
    mean: round(p50 * (1 + tail * 0.15)),
    p50: round(p50),
    p95: round(p50 * (1 + tail)),
    p99: round(p50 * (1 + tail * 1.8)),
    max: round(p50 * (1 + tail * 3.1)),
  };
}

/** How a made-up system behaves under load. */
interface Model {
  /** Committed transfers per second it can sustain. */
  capacity: number;
  /** p50 commit latency with no queueing, in seconds. */
  latency: number;
  /** CPU-seconds of the whole network per committed transfer. */
  cpuPerTx: number;
  /** CPU-seconds per second with no load. */
  idleCpu: number;
  rssBase: number;
  rssPerTps: number;
  /** Proof of work: seconds per block, and the depths finality is measured at. */
  blockSeconds?: number;
  depths?: number[];
}

function step(model: Model, offeredRate: number, index: number): RateStep {
  const offered = offeredRate * STEP_SECONDS;
  const load = offeredRate / model.capacity;
  const saturated = load > 0.95;
  const throughput = saturated
    ? model.capacity * (1 - 0.04 * (load - 1)) * (1 + wobble(index) * 0.004)
    : offeredRate * (0.998 + wobble(index) * 0.001);
  const committed = Math.round(throughput * STEP_SECONDS);
  const failed = saturated ? Math.round(offered * 0.004) : index % 3 === 0 ? 1 : 0;
  const notIssued = Math.max(0, offered - committed - failed - (saturated ? Math.round(offered * 0.02) : 0));
  const queueing = saturated ? 6 + 4 * (load - 1) : 1 + (0.9 * load) / (1 - Math.min(load, 0.9));
  const commitP50 = model.latency * queueing * (1 + wobble(index + 3) * 0.03);
  const finality: Record<string, LatencySummary> = {};
  for (const depth of model.depths ?? []) {
    const extra = (depth - 1) * (model.blockSeconds ?? 0);
    finality[String(depth)] = summary(committed, commitP50 + extra, 0.35 + 1.2 / depth);
  }
  return {
    offeredRate,
    durationSeconds: round(STEP_SECONDS + commitP50, 2),
    offered,
    committed,
    failed,
    notIssued: saturated ? notIssued : 0,
    throughput: round(throughput, 2),
    commit: summary(committed, commitP50, saturated ? 0.9 : 0.6),
    finality,
    cpuSeconds: round(model.idleCpu * STEP_SECONDS + model.cpuPerTx * committed, 2),
    peakRssMiB: round(model.rssBase + model.rssPerTps * Math.min(offeredRate, model.capacity), 1),
    errors: failed > 0 ? [{ message: '4 DEADLINE_EXCEEDED: Deadline exceeded', count: failed }] : [],
    saturated,
  };
}

/** Steps at rising rates up to and including the first saturated one. */
function steps(model: Model): RateStep[] {
  const out: RateStep[] = [];
  for (const [i, rate] of RATES.entries()) {
    const s = step(model, rate, i);
    out.push(s);
    if (s.saturated) break;
  }
  return out;
}

function once(acknowledged: number, unacknowledgedButCommitted = 0): ExactlyOnce {
  return { acknowledged, once: acknowledged, missing: 0, duplicated: 0, unacknowledgedButCommitted };
}

interface SystemSpec {
  id: SystemId;
  label: string;
  finality: Finality;
  settings: Record<string, string>;
  model: Model;
  /** Share of CPU and peak RSS by role: [role, processes, cpu share, RSS MiB]. */
  roles: [string, number, number, number][];
  access: SystemResult['access'];
  /** Share of the CPU the miner spent mining (proof of work only). */
  miningShare?: number;
}

function system(spec: SystemSpec): SystemResult {
  const run = steps(spec.model);
  const committed = run.reduce((sum, s) => sum + s.committed, 0);
  const cpuSeconds = run.reduce((sum, s) => sum + s.cpuSeconds, 0);
  const best = run.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const half = best.throughput / 2;
  const halfLoad = run.reduce((a, b) =>
    Math.abs(b.offeredRate - half) < Math.abs(a.offeredRate - half) ? b : a,
  );
  const cpuPer1000 = (cpuSeconds / committed) * 1000;
  // The role totals include registration and the record accesses, hence a little more than the steps.
  const byRole: RoleUsage[] = spec.roles.map(([role, processes, share, rss]) => ({
    role,
    processes,
    cpuSeconds: round(cpuSeconds * 1.04 * share, 2),
    peakRssMiB: rss,
  }));
  return {
    id: spec.id,
    label: spec.label,
    settings: spec.settings,
    finality: spec.finality,
    registration: { users: 16, seconds: round(spec.model.latency * 9, 2) },
    steps: run,
    saturation: { throughput: best.throughput, offeredRate: best.offeredRate },
    halfLoad,
    access: spec.access,
    resources: {
      cpuSecondsPer1000Tx: round(cpuPer1000, 3),
      peakRssMiB: Math.max(...run.map((s) => s.peakRssMiB)),
      idleCpuSecondsPerMinute: round(spec.model.idleCpu * 60, 2),
      byRole,
      ...(spec.miningShare === undefined
        ? {}
        : { miningCpuSecondsPer1000Tx: round(cpuPer1000 * spec.miningShare, 3) }),
    },
    exactlyOnce: once(committed, spec.id === 'eth-pow' ? 0 : 3),
  };
}

function erroredGanache(): SystemResult {
  const nothing: LatencySummary = { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    id: 'eth-ganache',
    label: 'Ethereum, Ganache 7.9.2 (instamine)',
    settings: {
      client: 'ganache 7.9.2',
      mining: 'instamine (one block per transaction)',
      'gas limit': '30,000,000',
    },
    finality: { kind: 'deterministic' },
    error:
      'ganache exited with code 1 before it answered: Error: listen EADDRINUSE: address already in use 127.0.0.1:8545',
    registration: { users: 0, seconds: 0 },
    steps: [],
    saturation: { throughput: 0, offeredRate: 0 },
    access: { kind: 'call', latency: nothing, failed: 0 },
    resources: { cpuSecondsPer1000Tx: 0, peakRssMiB: 0, idleCpuSecondsPerMinute: 0, byRole: [] },
    exactlyOnce: { acknowledged: 0, once: 0, missing: 0, duplicated: 0, unacknowledgedButCommitted: 0 },
  };
}

interface FaultPhase {
  /** First second of the phase. */
  from: number;
  committed: (t: number) => number;
  failed: (t: number) => number;
}

function timeline(seconds: number, phases: FaultPhase[]): TimelineBucket[] {
  const out: TimelineBucket[] = [];
  for (let t = 0; t < seconds; t++) {
    const phase = phases.filter((p) => p.from <= t).at(-1);
    if (phase === undefined) continue;
    out.push({
      t,
      committed: Math.max(0, Math.round(phase.committed(t))),
      failed: Math.max(0, Math.round(phase.failed(t))),
    });
  }
  return out;
}

function fault(
  base: Omit<FaultResult, 'exactlyOnce' | 'dipThroughput' | 'baselineThroughput'>,
  faultAt: number,
  unacknowledgedButCommitted: number,
): FaultResult {
  const before = base.timeline.filter((b) => b.t >= 5 && b.t < faultAt);
  const until = faultAt + Math.max(3, base.recoverySeconds ?? Infinity);
  const after = base.timeline.filter((b) => b.t >= faultAt && b.t < until);
  const committed = base.timeline.reduce((sum, b) => sum + b.committed, 0);
  return {
    ...base,
    baselineThroughput: round(
      before.reduce((sum, b) => sum + b.committed, 0) / Math.max(1, before.length),
      1,
    ),
    dipThroughput: Math.min(...after.map((b) => b.committed)),
    exactlyOnce: once(committed, unacknowledgedButCommitted),
  };
}

function faults(): FaultResult[] {
  const raftKill = fault(
    {
      id: 'raft-leader-kill',
      system: 'fabric-raft',
      label: 'kill -9 the Raft leader (orderer2.orderer), restart it 20 s later',
      offeredRate: 150,
      timeline: timeline(90, [
        { from: 0, committed: (t) => 149 + wobble(t) * 3, failed: () => 0 },
        { from: 30, committed: () => 61, failed: () => 0 },
        { from: 31, committed: () => 0, failed: (t) => (t === 31 ? 41 : 55) },
        { from: 33, committed: () => 38, failed: () => 20 },
        { from: 34, committed: (t) => (t === 34 ? 212 : 171), failed: () => 0 },
        { from: 36, committed: (t) => 149 + wobble(t) * 3, failed: () => 0 },
      ]),
      events: [
        { t: 30, what: 'leader orderer2 killed' },
        { t: 32.6, what: 'orderer1 elected leader' },
        { t: 50, what: 'orderer2 restarted' },
      ],
      recoverySeconds: 4,
      errors: [
        { message: 'ABORTED: failed to send transaction to the orderer: no Raft leader', count: 96 },
        { message: 'commit status: DEADLINE_EXCEEDED after 10 s', count: 20 },
      ],
    },
    30,
    7,
  );
  const bftOne = fault(
    {
      id: 'bft-stop-one',
      system: 'fabric-bft',
      label: 'stop one SmartBFT orderer (orderer4.orderer, a follower), start it 30 s later',
      offeredRate: 90,
      timeline: timeline(90, [
        { from: 0, committed: (t) => 89.5 + wobble(t) * 2, failed: () => 0 },
        { from: 30, committed: (t) => (t === 30 ? 84 : 86), failed: () => 0 },
        { from: 32, committed: (t) => 89.5 + wobble(t) * 2, failed: () => 0 },
      ]),
      events: [
        { t: 30, what: 'orderer4 stopped' },
        { t: 60, what: 'orderer4 started' },
      ],
      recoverySeconds: 0,
      errors: [],
    },
    30,
    0,
  );
  const bftTwo = fault(
    {
      id: 'bft-stop-two',
      system: 'fabric-bft',
      label:
        'stop a second SmartBFT orderer (orderer3.orderer) 15 s after the first: quorum lost; start it 30 s later',
      offeredRate: 90,
      timeline: timeline(120, [
        { from: 0, committed: (t) => 89.5 + wobble(t) * 2, failed: () => 0 },
        { from: 30, committed: (t) => 87 + wobble(t) * 2, failed: () => 0 },
        { from: 45, committed: () => 22, failed: () => 61 },
        { from: 46, committed: () => 0, failed: (t) => 86 + wobble(t) * 3 },
        {
          from: 76,
          committed: (t) => (t % 7 < 3 ? 18 + wobble(t) * 6 : 0),
          failed: (t) => 40 + wobble(t) * 20,
        },
      ]),
      events: [
        { t: 30, what: 'orderer4 stopped' },
        { t: 45, what: 'orderer3 stopped: quorum lost' },
        { t: 75, what: 'orderer3 started' },
      ],
      errors: [
        { message: 'ABORTED: SmartBFT quorum not reached: 2 of 4 orderers reachable, 3 needed', count: 2538 },
        { message: 'UNAVAILABLE: view change in progress', count: 977 },
        { message: 'commit status: DEADLINE_EXCEEDED after 10 s', count: 412 },
      ],
    },
    45,
    23,
  );
  return [raftKill, bftOne, bftTwo];
}

/** A full run's results: four systems (Ganache errored) and three faults (one never recovered). */
export function fixtureResults(): BenchResults {
  const raft = system({
    id: 'fabric-raft',
    label: 'Fabric 3.1.1, Raft (3 orderers)',
    finality: { kind: 'deterministic' },
    settings: {
      orderers: '3, Raft',
      peers: '2 (one per organisation)',
      'batch timeout': '250 ms',
      'max message count': '100',
      'endorsement policy': 'MAJORITY Endorsement',
    },
    model: { capacity: 270, latency: 0.105, cpuPerTx: 0.0068, idleCpu: 0.05, rssBase: 760, rssPerTps: 0.3 },
    roles: [
      ['peer', 2, 0.44, 392],
      ['chaincode', 2, 0.27, 141],
      ['orderer', 3, 0.21, 268],
      ['ca', 2, 0.08, 61],
    ],
    access: { kind: 'transaction', latency: summary(200, 0.176, 0.5), failed: 0 },
  });
  const bft = system({
    id: 'fabric-bft',
    label: 'Fabric 3.1.1, SmartBFT (4 orderers)',
    finality: { kind: 'deterministic' },
    settings: {
      orderers: '4, SmartBFT (f = 1)',
      peers: '2 (one per organisation)',
      'batch timeout': '250 ms',
      'request batch max count': '100',
      'endorsement policy': 'MAJORITY Endorsement',
    },
    model: { capacity: 182, latency: 0.15, cpuPerTx: 0.0097, idleCpu: 0.08, rssBase: 850, rssPerTps: 0.4 },
    roles: [
      ['peer', 2, 0.36, 398],
      ['orderer', 4, 0.35, 372],
      ['chaincode', 2, 0.22, 139],
      ['ca', 2, 0.07, 60],
    ],
    access: { kind: 'transaction', latency: summary(200, 0.231, 0.5), failed: 0 },
  });
  const pow = system({
    id: 'eth-pow',
    label: 'Ethereum proof of work, geth 1.11.6 (1 miner)',
    finality: { kind: 'probabilistic', confirmations: [6, 12] },
    settings: {
      client: 'geth 1.11.6 (ethash)',
      miners: '1, one thread',
      'block time': '≈ 4 s (difficulty adjusting)',
      'gas limit': '30,000,000',
      'gas per transfer': '≈ 129,000',
    },
    model: {
      capacity: 21,
      latency: 2.4,
      cpuPerTx: 0.004,
      idleCpu: 1.06,
      rssBase: 1560,
      rssPerTps: 3,
      blockSeconds: 4.1,
      depths: [6, 12],
    },
    roles: [
      ['geth-miner', 1, 0.92, 1318],
      ['geth-node', 1, 0.08, 297],
    ],
    access: { kind: 'call', latency: summary(200, 0.0041, 0.6), failed: 0 },
    miningShare: 0.86,
  });
  return {
    startedAt: '2025-03-14T09:26:53.000Z',
    durationSeconds: 4187.4,
    mode: 'full',
    machine: {
      cpus: 2,
      cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
      memoryGiB: 23.5,
      kernel: 'Linux 6.8.0-1019-gcp',
      node: 'v20.20.2',
    },
    workload: {
      senders: 8,
      receivers: 8,
      rates: RATES,
      stepSeconds: STEP_SECONDS,
      accesses: 200,
      driver: 'open loop, fixed arrival rate, latency from the scheduled send time; at most 2,000 in flight',
    },
    systems: [raft, bft, erroredGanache(), pow],
    faults: faults(),
    notes: [
      'Ethereum on Ganache was not measured: its process exited before it answered (see the error above).',
      'Fabric Raft stayed short of 300 tx/s: the two cores are shared by 9 processes of the network and the load driver.',
      'Proof of work runs geth 1.11.6, the last release that mines; difficulty was left to adjust to about 4 s blocks.',
    ],
  };
}

/** The same results from a smoke run: a few transactions per system. */
export function smokeFixtureResults(): BenchResults {
  const results = fixtureResults();
  return {
    ...results,
    mode: 'smoke',
    durationSeconds: 212.8,
    systems: results.systems.map((s) => {
      const first = s.steps[0];
      return first === undefined
        ? s
        : {
            ...s,
            steps: [first],
            halfLoad: first,
            saturation: { throughput: first.throughput, offeredRate: first.offeredRate },
          };
    }),
  };
}
