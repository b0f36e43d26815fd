import type { BenchResults, ExactlyOnce, LatencySummary, SystemResult } from '../results';
import type { SystemId } from '../system';
import { count, latency, percent, rate } from './format';

/**
 * What the report concludes from the numbers: the targets, the ratios
 * of each Fabric system to proof-of-work Ethereum, and the exactly-once check.
 * These are goals the benchmark shows, not assertions: a target not met is a
 * result like any other.
 */

/** Issue 7: Fabric Raft sustains at least this many committed transfers per second. */
export const RAFT_MIN_THROUGHPUT = 300;
/** Issue 7: Fabric Raft's p50 commit latency at half load is under this many seconds. */
export const RAFT_MAX_P50_SECONDS = 0.5;
/** Issue 7: Fabric SmartBFT reaches at least this share of Raft's throughput. */
export const BFT_MIN_SHARE_OF_RAFT = 0.6;

/** A system with something to report, or why there is nothing. */
export type Measured = { ok: true; system: SystemResult } | { ok: false; reason: string };

/** Whether `id` was measured: it ran at least one rate step. */
export function measured(results: BenchResults, id: SystemId): Measured {
  const system = results.systems.find((s) => s.id === id);
  if (system === undefined) return { ok: false, reason: 'not in this run' };
  if (system.steps.length === 0) return { ok: false, reason: system.error ?? 'no rate step was run' };
  return { ok: true, system };
}

/** The verdict on one target. */
export interface TargetCheck {
  /** The target as the issue states it. */
  target: string;
  status: 'met' | 'not met' | 'not measured';
  /** The measured value, in the target's unit (tx/s, s, or a share of Raft). */
  value?: number;
  /** What was measured, or why nothing was. */
  detail: string;
}

/** The step of a system at half its saturation throughput, if it was run and committed anything. */
function halfLoadCommit(system: SystemResult): LatencySummary | undefined {
  const step = system.halfLoad;
  return step !== undefined && step.commit.count > 0 ? step.commit : undefined;
}

/** Checks the three targets of issue 7. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const raft = measured(results, 'fabric-raft');
  const bft = measured(results, 'fabric-bft');
  const checks: TargetCheck[] = [];

  const throughputTarget = `Fabric Raft sustains ≥ ${String(RAFT_MIN_THROUGHPUT)} committed transfers/s`;
  if (raft.ok) {
    const value = raft.system.saturation.throughput;
    checks.push({
      target: throughputTarget,
      status: value >= RAFT_MIN_THROUGHPUT ? 'met' : 'not met',
      value,
      detail: `${rate(value)} tx/s at saturation (offered ${rate(raft.system.saturation.offeredRate)} tx/s)`,
    });
  } else {
    checks.push({ target: throughputTarget, status: 'not measured', detail: `not measured: ${raft.reason}` });
  }

  const latencyTarget = `Fabric Raft p50 commit latency < ${String(RAFT_MAX_P50_SECONDS)} s at half load`;
  const commit = raft.ok ? halfLoadCommit(raft.system) : undefined;
  if (raft.ok && commit !== undefined) {
    const offered = raft.system.halfLoad?.offeredRate ?? NaN;
    checks.push({
      target: latencyTarget,
      status: commit.p50 < RAFT_MAX_P50_SECONDS ? 'met' : 'not met',
      value: commit.p50,
      detail: `p50 ${latency(commit.p50)} at ${rate(offered)} tx/s offered`,
    });
  } else {
    const reason = raft.ok ? 'no step near half load committed anything' : raft.reason;
    checks.push({ target: latencyTarget, status: 'not measured', detail: `not measured: ${reason}` });
  }

  const shareTarget = `Fabric SmartBFT reaches ≥ ${String(BFT_MIN_SHARE_OF_RAFT * 100)}% of Raft's throughput`;
  if (raft.ok && bft.ok && raft.system.saturation.throughput > 0) {
    const value = bft.system.saturation.throughput / raft.system.saturation.throughput;
    checks.push({
      target: shareTarget,
      status: value >= BFT_MIN_SHARE_OF_RAFT ? 'met' : 'not met',
      value,
      detail: `${percent(value)} (${rate(bft.system.saturation.throughput)} ÷ ${rate(raft.system.saturation.throughput)} tx/s)`,
    });
  } else {
    const reason = !raft.ok
      ? `Fabric Raft: ${raft.reason}`
      : !bft.ok
        ? `Fabric SmartBFT: ${bft.reason}`
        : 'Fabric Raft committed nothing';
    checks.push({ target: shareTarget, status: 'not measured', detail: `not measured: ${reason}` });
  }
  return checks;
}

/** How one Fabric system compares with proof-of-work Ethereum; every ratio is "how many times better Fabric is". */
export interface PowRatio {
  system: SystemId;
  label: string;
  /** Why there are no ratios (the Fabric system or proof of work was not measured). */
  notMeasured?: string;
  /** Fabric's saturation throughput ÷ proof of work's. */
  throughput?: number;
  /** Proof of work's p50 time to finality at each depth ÷ Fabric's p50 commit latency, both at half load. */
  finality: { depth: string; ratio?: number }[];
  /** Proof of work's CPU-seconds per 1,000 transfers ÷ Fabric's. */
  cpuPerTx?: number;
}

/** The confirmation depths a system's finality is measured at (none for deterministic finality). */
export function depths(system: SystemResult): string[] {
  return system.finality.kind === 'probabilistic' ? system.finality.confirmations.map((c) => String(c)) : [];
}

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined) return undefined;
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) return undefined;
  return numerator / denominator;
}

/** The ratios of each Fabric system of the run to proof-of-work Ethereum. */
export function powRatios(results: BenchResults): { depths: string[]; rows: PowRatio[] } {
  const pow = measured(results, 'eth-pow');
  const powDepths = pow.ok ? depths(pow.system) : [];
  const rows = results.systems
    .filter((s) => s.id.startsWith('fabric-'))
    .map((system): PowRatio => {
      const base = { system: system.id, label: system.label };
      const fabric = measured(results, system.id);
      if (!fabric.ok) return { ...base, notMeasured: fabric.reason, finality: [] };
      if (!pow.ok) return { ...base, notMeasured: `proof-of-work Ethereum: ${pow.reason}`, finality: [] };
      const fabricCommit = halfLoadCommit(system)?.p50;
      return {
        ...base,
        throughput: ratio(system.saturation.throughput, pow.system.saturation.throughput),
        finality: powDepths.map((depth) => ({
          depth,
          ratio: ratio(pow.system.halfLoad?.finality[depth]?.p50, fabricCommit),
        })),
        cpuPerTx: ratio(pow.system.resources.cpuSecondsPer1000Tx, system.resources.cpuSecondsPer1000Tx),
      };
    });
  return { depths: powDepths, rows };
}

/** The exactly-once check of a run, in words. */
export interface ExactlyOnceVerdict {
  /** `undefined` when nothing was acknowledged, so there was nothing to check. */
  ok?: boolean;
  text: string;
}

/** Whether every acknowledged transfer is on the ledger exactly once. */
export function exactlyOnceVerdict(e: ExactlyOnce): ExactlyOnceVerdict {
  const n = count;
  const late =
    e.unacknowledgedButCommitted > 0
      ? `; ${n(e.unacknowledgedButCommitted)} committed although the client saw a failure (allowed)`
      : '';
  if (e.acknowledged === 0 && e.missing === 0 && e.duplicated === 0) {
    return { text: `not checked: nothing acknowledged${late}` };
  }
  if (e.missing === 0 && e.duplicated === 0 && e.once === e.acknowledged) {
    return { ok: true, text: `yes (${n(e.once)} of ${n(e.acknowledged)})${late}` };
  }
  const problems: string[] = [];
  if (e.missing > 0) problems.push(`${n(e.missing)} missing`);
  if (e.duplicated > 0) problems.push(`${n(e.duplicated)} duplicated`);
  if (problems.length === 0) problems.push(`${n(e.acknowledged - e.once)} not found exactly once`);
  return { ok: false, text: `NO: ${problems.join(', ')} (of ${n(e.acknowledged)} acknowledged)${late}` };
}
