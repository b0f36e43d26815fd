import type { BatchSettings } from './fabric/fabric-system';
import type { FaultPlan } from './faults';
import type { MeasurePlan } from './measure';
import type { SystemId } from './system';

/** A full run (to saturation) or a smoke run (a few transactions each, to check the harness). */
export type Mode = 'full' | 'smoke';

/**
 * Fabric's block cutting for the benchmark: blocks are cut every 250 ms or at
 * 500 transactions, whichever comes first (Fabric's sample default is 2 s and
 * 10), so a block holds about a quarter second of load at any rate up to 2,000 tx/s.
 */
export const FABRIC_BATCH: BatchSettings = {
  timeout: '250ms',
  maxMessageCount: 500,
  preferredMaxBytes: '4 MB',
  absoluteMaxBytes: '10 MB',
};

const USERS = { senders: 6, receivers: 6 };

/** The load plan of each system in each mode. */
export function measurePlan(id: SystemId, mode: Mode): MeasurePlan {
  if (mode === 'smoke') {
    const rate = id === 'eth-pow' ? 2 : 10;
    return {
      ...USERS,
      rates: [rate],
      stepSeconds: 5,
      drainSeconds: id === 'eth-pow' ? 240 : 60,
      maxInFlight: 1000,
      halfLoad: false,
      accesses: 5,
      idleSeconds: 2,
    };
  }
  const common = { ...USERS, maxInFlight: 5000, halfLoad: true, accesses: 200, idleSeconds: 10 };
  switch (id) {
    case 'fabric-raft':
    case 'fabric-bft':
      return {
        ...common,
        rates: [25, 50, 75, 100, 150, 200, 300, 400, 500],
        stepSeconds: 30,
        drainSeconds: 90,
      };
    case 'eth-ganache':
      return { ...common, rates: [25, 50, 100, 200, 400], stepSeconds: 30, drainSeconds: 90 };
    case 'eth-pow':
      // Blocks every ~13 s: each step spans several blocks, and the drain covers 12 confirmations.
      // Two unlucky steps in a row stopped full runs at 5 and 10 tx/s, below the gas-bound ~14 tx/s.
      return {
        ...common,
        rates: [2, 5, 10, 20, 40],
        everyRate: true,
        stepSeconds: 90,
        drainSeconds: 600,
        halfLoad: false,
      };
  }
}

/** The Raft fault run: kill the leader at 20 s, restart it at 40 s, 60 s of load. */
export function raftFaultPlan(mode: Mode, rate: number): FaultPlan {
  return mode === 'smoke'
    ? { rate, faultAt: 5, repairAt: 12, duration: 18, drainSeconds: 60, maxInFlight: 1000 }
    : { rate, faultAt: 20, repairAt: 40, duration: 60, drainSeconds: 90, maxInFlight: 5000 };
}

/** The SmartBFT fault run: stop one orderer, then a second, start the second, then the first. */
export function bftFaultPlan(
  mode: Mode,
  rate: number,
): FaultPlan & { secondAt: number; secondRepairAt: number } {
  return mode === 'smoke'
    ? {
        rate,
        faultAt: 4,
        secondAt: 9,
        secondRepairAt: 16,
        repairAt: 20,
        // SmartBFT takes a view change (about 20 s) to order again once its quorum is back.
        duration: 50,
        drainSeconds: 90,
        maxInFlight: 1000,
      }
    : {
        rate,
        faultAt: 20,
        secondAt: 40,
        secondRepairAt: 60,
        repairAt: 75,
        // The view change after the quorum is back took 32-36 s in full runs: 70 s of load see it through.
        duration: 130,
        drainSeconds: 150,
        maxInFlight: 5000,
      };
}
