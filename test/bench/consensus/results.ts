import type { Finality, SystemId } from './system';

/**
 * Everything one run of the consensus benchmark measured: written as
 * `results.json` beside the report, and the only input of the report.
 * Times are in seconds, rates in transactions per second, memory in MiB.
 */
export interface BenchResults {
  /** When the run started (ISO 8601). */
  startedAt: string;
  /** Wall time of the whole run. */
  durationSeconds: number;
  /** `full`: rising rates to saturation; `smoke`: a few transactions per system, to check the harness. */
  mode: 'full' | 'smoke';
  machine: MachineInfo;
  /** The workload, as stated in the report. */
  workload: WorkloadInfo;
  systems: SystemResult[];
  faults: FaultResult[];
  /** Anything the report should say that is not a number: skipped systems, shortfalls, caveats. */
  notes: string[];
}

/** The machine the run was on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
}

/** What each system was asked to do. */
export interface WorkloadInfo {
  senders: number;
  receivers: number;
  /** The offered rates tried, in order (tx/s). */
  rates: number[];
  /** How long each rate was offered. */
  stepSeconds: number;
  /** Records opened after the transfers. */
  accesses: number;
  /** How the load was driven, for example "open loop, fixed arrival rate, latency from the scheduled time". */
  driver: string;
}

/** Latency percentiles, in seconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One offered rate on one system. */
export interface RateStep {
  offeredRate: number;
  durationSeconds: number;
  /** Transfers the schedule called for. */
  offered: number;
  /** Transfers committed. */
  committed: number;
  /** Transfers refused or not committed. */
  failed: number;
  /** Transfers never submitted because too many were already in flight (the system was saturated). */
  notIssued: number;
  /**
   * Committed transfers per second over the step's whole block intervals: the transfers of every block
   * but the first and the last, over the time between them (see `commitRate`).
   */
  throughput: number;
  /** Scheduled send to commit (coordinated-omission safe: from the time it should have been sent). */
  commit: LatencySummary;
  /** Scheduled send to finality, by confirmation depth ("6", "12"); empty for deterministic finality. */
  finality: Record<string, LatencySummary>;
  /** CPU-seconds of the whole network during the step. */
  cpuSeconds: number;
  /** Highest sum of the network's resident memory during the step. */
  peakRssMiB: number;
  /** Whether this rate was past what the system could sustain (committed < 90% of offered, or a backlog). */
  saturated: boolean;
  /** The errors clients saw, by stable message, most frequent first (at most 5). */
  errors: { message: string; count: number }[];
}

/** The CPU time and memory of one role of processes (all peers, all orderers, the miner...). */
export interface RoleUsage {
  role: string;
  processes: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** The results of one system. */
export interface SystemResult {
  id: SystemId;
  label: string;
  settings: Record<string, string>;
  finality: Finality;
  /** Set when the system could not be run or failed part-way; the other fields hold what was measured. */
  error?: string;
  registration: { users: number; seconds: number };
  steps: RateStep[];
  /** The highest committed throughput of any step. */
  saturation: { throughput: number; offeredRate: number };
  /** The step whose offered rate was closest to half the saturation throughput, if one was run. */
  halfLoad?: RateStep;
  /** Opening records after the transfers: a committed transaction on Fabric, a call on Ethereum. */
  access: { kind: 'transaction' | 'call'; latency: LatencySummary; failed: number };
  resources: {
    /** CPU-seconds of the whole network per 1,000 committed transfers, over all steps. */
    cpuSecondsPer1000Tx: number;
    /** The highest sum of resident memory of the network's processes over the run. */
    peakRssMiB: number;
    /** CPU-seconds per minute with no load (a proof-of-work miner keeps mining). */
    idleCpuSecondsPerMinute: number;
    byRole: RoleUsage[];
    /** The load driver's own CPU and memory: shown, never charged to the network. */
    client?: RoleUsage;
    /** Proof of work only: CPU-seconds the miner spent per 1,000 committed transfers. */
    miningCpuSecondsPer1000Tx?: number;
  };
  exactlyOnce: ExactlyOnce;
}

/** Whether every acknowledged transfer is on the ledger exactly once. */
export interface ExactlyOnce {
  /** Transfers the client saw committed. */
  acknowledged: number;
  /** Of those, on the ledger exactly once. */
  once: number;
  /** Acknowledged but not on the ledger. */
  missing: number;
  /** On the ledger more than once. */
  duplicated: number;
  /** On the ledger although the client saw it fail (allowed: a timeout is not a refusal). */
  unacknowledgedButCommitted: number;
}

/** Committed and failed transfers in one second of a fault run. */
export interface TimelineBucket {
  /** Seconds since the load started. */
  t: number;
  committed: number;
  failed: number;
}

/** One fault injected under load. */
export interface FaultResult {
  id: 'raft-leader-kill' | 'bft-stop-one' | 'bft-stop-two';
  system: SystemId;
  /** For example "kill -9 the Raft leader (orderer2.orderer), restart it 20 s later". */
  label: string;
  offeredRate: number;
  timeline: TimelineBucket[];
  /** What happened when, in seconds since the load started. */
  events: { t: number; what: string }[];
  /** Committed per second before the fault. */
  baselineThroughput: number;
  /** The lowest committed per second in a whole second after the fault, until recovery. */
  dipThroughput: number;
  /**
   * Seconds from the fault (or, for a lost quorum, from its repair) until
   * committed throughput was back to 80% of the baseline for 3 seconds running;
   * undefined if it never was.
   */
  recoverySeconds?: number;
  /** The errors clients saw, by stable message, with counts. */
  errors: { message: string; count: number }[];
  exactlyOnce: ExactlyOnce;
}
