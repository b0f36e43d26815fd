import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bftStops, raftLeaderKill } from './faults';
import { FabricSystem } from './fabric/fabric-system';
import { emptyResult, measureSystem, type Log } from './measure';
import { bftFaultPlan, FABRIC_BATCH, measurePlan, raftFaultPlan, type Mode } from './plans';
import { writeReport } from './report/write-report';
import type { BenchResults, FaultResult, SystemResult } from './results';
import { createEthereumSystem } from './ethereum/systems';
import { now, type ChainSystem, type SystemId } from './system';
import { REPO_DIR } from '../../support/network';

const USAGE =
  'usage: npm run bench:consensus -- [--smoke] [--out DIR] [--systems fabric-raft,fabric-bft,eth-ganache,eth-pow] [--no-faults]';
const ALL: readonly SystemId[] = ['fabric-raft', 'fabric-bft', 'eth-ganache', 'eth-pow'];

/** The parsed command line. */
export interface BenchOptions {
  mode: Mode;
  out: string;
  systems: SystemId[];
  faults: boolean;
  /** Where a full run keeps the ethash DAGs (default: the machine-wide cache); a smoke run makes none. */
  ethashDir?: string;
}

/** Parses the command line; throws one line of usage on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      systems: { type: 'string' },
      'no-faults': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const systems = (values.systems ?? ALL.join(',')).split(',').map((s) => s.trim());
  const unknown = systems.filter((s) => !ALL.includes(s as SystemId));
  if (unknown.length > 0) throw new Error(`unknown system ${unknown.join(', ')}; ${USAGE}`);
  const mode: Mode = values.smoke ? 'smoke' : 'full';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    mode,
    out: values.out ?? join(REPO_DIR, 'bench-results', `consensus-${mode}-${stamp}`),
    systems: systems as SystemId[],
    faults: !values['no-faults'],
  };
}

async function createSystem(id: SystemId, options: BenchOptions, log: Log): Promise<ChainSystem> {
  switch (id) {
    case 'fabric-raft':
      return new FabricSystem({ consensus: 'raft', batch: FABRIC_BATCH });
    case 'fabric-bft':
      return new FabricSystem({ consensus: 'bft', batch: FABRIC_BATCH });
    case 'eth-ganache':
    case 'eth-pow':
      // The chains' logs go beside the report.
      return createEthereumSystem(
        id,
        options.mode,
        { parentDir: join(options.out, 'logs'), ethashDir: options.ethashDir },
        (line) => {
          log(`  ${line}`);
        },
      );
  }
}

/** The rate faults are injected under: half of what the system sustained, at least 5 tx/s. */
function faultRate(mode: Mode, saturation: number): number {
  if (mode === 'smoke') return 10;
  return Math.max(5, Math.round(saturation / 2));
}

/** Runs the benchmark and writes the report; returns the results. */
export async function runBenchmark(options: BenchOptions, log: Log): Promise<BenchResults> {
  const started = now();
  const startedAt = new Date().toISOString();
  const systems: SystemResult[] = [];
  const faults: FaultResult[] = [];
  const notes: string[] = [];
  for (const id of options.systems) {
    const plan = measurePlan(id, options.mode);
    let system: ChainSystem;
    try {
      system = await createSystem(id, options, log);
    } catch (error) {
      systems.push({
        ...emptyResult(id, id, { kind: 'deterministic' }),
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    const injectFaults =
      options.faults && system instanceof FabricSystem
        ? async ({ saturation, nextSeq }: { saturation: number; nextSeq: number }) => {
            const rate = faultRate(options.mode, saturation);
            try {
              if (id === 'fabric-raft') {
                faults.push(await raftLeaderKill(system, raftFaultPlan(options.mode, rate), nextSeq, log));
              } else {
                faults.push(...(await bftStops(system, bftFaultPlan(options.mode, rate), nextSeq, log)));
              }
            } catch (error) {
              notes.push(
                `${system.label}: the fault run failed: ${error instanceof Error ? error.message : String(error)}`,
              );
              log(`  fault run failed: ${String(error)}`);
            }
          }
        : undefined;
    systems.push(await measureSystem(system, plan, log, injectFaults));
  }
  const first = measurePlan(options.systems[0] ?? 'fabric-raft', options.mode);
  const results: BenchResults = {
    startedAt,
    durationSeconds: Math.round((now() - started) / 1000),
    mode: options.mode,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      kernel: release(),
      node: process.version,
    },
    workload: {
      senders: first.senders,
      receivers: first.receivers,
      rates: [...new Set(options.systems.flatMap((id) => measurePlan(id, options.mode).rates))].sort(
        (a, b) => a - b,
      ),
      stepSeconds: first.stepSeconds,
      accesses: first.accesses,
      driver:
        'open loop: transfers arrive at a fixed rate whatever the answers, and each latency runs from the time it was due (no coordinated omission)',
    },
    systems,
    faults,
    notes,
  };
  const files = await writeReport(results, options.out);
  log(`Report: ${files.find((f) => f.endsWith('.md')) ?? options.out}`);
  return results;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:consensus: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const results = await runBenchmark(options, (line) => process.stdout.write(`${line}\n`));
  const failed = results.systems.filter((s) => s.error);
  if (failed.length > 0) {
    process.stderr.write(`bench:consensus: ${failed.map((s) => `${s.id}: ${s.error ?? ''}`).join('; ')}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
