import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { access, constants, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { id, Wallet } from 'ethers';
import type { NetworkProcess } from '../system';
import { accountKey, FUNDED_BALANCE_WEI } from './accounts';
import type { ChainLauncher, ProgressLog, RunningChain } from './chain';
import { pollUntil, type Child } from './child';
import { EthBenchError } from './errors';
import { ethashFileName, hashRateBetween, prepareEthash, type EthashGeneration } from './ethash';
import {
  genesisJson,
  planNodes,
  rpc,
  startGethNode,
  TXPOOL_LIMITS,
  type EthashDataset,
  type GethCommon,
  type GethNodeSpec,
} from './geth-node';

/** Options of {@link GethLauncher}. */
export interface GethOptions {
  /** The geth binary (v1.11.6, see {@link locateGeth}). */
  gethBin: string;
  /** Where datadirs and logs go. */
  runDir: string;
  /** Machine-wide DAG and cache directory (see `defaultEthashDir`), used with the `full` dataset. */
  ethashDir: string;
  /**
   * `full` (default): the real 1 GiB DAG, as a full run needs. `test`: geth's test
   * mode, the same algorithm over a 32 KiB dataset the nodes make at start, so a
   * smoke run neither waits minutes for DAGs nor depends on a machine's cache.
   */
  dataset?: EthashDataset;
  /** Target mean block interval (default 13 s, as mainnet before the merge). */
  blockTimeSeconds?: number;
  /** Hash rate of one miner thread (H/s); measured before the run when absent. */
  hashRate?: number;
  chainId?: number;
  /** Non-mining nodes that verify and relay blocks (default 2). */
  verifyingNodes?: number;
  log?: ProgressLog;
}

const GAS_LIMIT = 30_000_000;
/** Below this geth never lets the difficulty fall (params.MinimumDifficulty). */
const MIN_DIFFICULTY = 131_072n;
/** Meter ticks (5 s each) averaged by the calibration. */
const CALIBRATION_TICKS = 6;

/** What the calibration measured. */
export interface Calibration {
  hashRate: number;
  measured: boolean;
  difficulty: bigint;
}

/**
 * A private proof-of-work chain of go-ethereum 1.11.6 (its last release that
 * mines with ethash): one miner with one CPU thread and non-mining nodes that
 * verify and relay, as static peers on loopback. The genesis difficulty is the
 * miner's measured hash rate times the target interval, so blocks come at about
 * that interval from the first (ethash itself retargets only by 1/2048 a block).
 */
export class GethLauncher implements ChainLauncher {
  label = 'go-ethereum 1.11.6, ethash proof of work';
  private readonly children: Child[] = [];
  private setupChild: Child | undefined;
  private version = '';
  private generated: EthashGeneration[] = [];
  private calibration: Calibration | undefined;
  private readonly blockTime: number;
  private readonly chainId: number;
  private readonly verifying: number;
  private readonly dataset: EthashDataset;
  private readonly log: ProgressLog;

  constructor(private readonly options: GethOptions) {
    this.blockTime = options.blockTimeSeconds ?? 13;
    this.chainId = options.chainId ?? 256_020;
    this.verifying = options.verifyingNodes ?? 2;
    this.dataset = options.dataset ?? 'full';
    this.log = options.log ?? (() => undefined);
    const dag = this.dataset === 'test' ? ', 32 KiB test DAG' : '';
    this.label = `go-ethereum 1.11.6, ethash proof of work (1 miner thread + ${this.verifying} verifying nodes, ${this.blockTime} s blocks${dag})`;
  }

  async start(fundedKeys: string[]): Promise<RunningChain> {
    try {
      this.version = await gethVersion(this.options.gethBin);
      await mkdir(this.options.runDir, { recursive: true });
      if (this.dataset === 'full') {
        this.generated = await prepareEthash(this.options.gethBin, this.options.ethashDir, this.log, (c) => {
          this.setupChild = c;
        });
        await warmDag(join(this.options.ethashDir, ethashFileName('full', 0)));
      }
      const measured = this.options.hashRate === undefined;
      const hashRate = this.options.hashRate ?? (await this.measureHashRate());
      const target = BigInt(Math.round(hashRate * this.blockTime));
      const difficulty = target > MIN_DIFFICULTY ? target : MIN_DIFFICULTY;
      this.calibration = { hashRate, measured, difficulty };
      this.log(
        `geth: hash rate ${(hashRate / 1000).toFixed(1)} kH/s (1 thread${measured ? ', measured' : ''}); genesis difficulty ${difficulty} for ${this.blockTime} s blocks`,
      );
      const alloc = new Map(fundedKeys.map((k) => [new Wallet(k).address, FUNDED_BALANCE_WEI]));
      const common = this.common(
        genesisJson({ chainId: this.chainId, difficulty, gasLimit: GAS_LIMIT, alloc }),
      );
      const nodes = await planNodes([
        { name: 'geth-miner', role: 'geth-miner', nodeKey: nodeKey('geth-miner') },
        ...Array.from({ length: this.verifying }, (_, i) => ({
          name: `geth-node-${i + 1}`,
          role: 'geth-node' as const,
          nodeKey: nodeKey(`geth-node-${i + 1}`),
        })),
      ]);
      const started: Promise<void>[] = [];
      for (const node of nodes) {
        const peers = nodes.filter((p) => p !== node);
        const mining = node.role === 'geth-miner' ? { etherbaseKey: accountKey('miner') } : undefined;
        const child = await startGethNode(common, node, peers, mining);
        this.children.push(child);
        const ready = child.whileAlive(connected(node, peers.length));
        ready.catch(() => undefined); // awaited below, unless a later node fails to start first
        started.push(ready);
      }
      await Promise.all(started);
      const client = nodes[1] ?? nodes[0];
      if (!client) throw new Error('no node');
      return { wsUrl: `ws://127.0.0.1:${client.rpcPort}`, chainId: this.chainId };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  processes(): NetworkProcess[] {
    return this.children.filter((c) => c.alive).map((c) => c.info);
  }

  settings(): Record<string, string> {
    const c = this.calibration;
    const dag = this.generated.find((g) => g.file.startsWith('full'));
    return {
      client: this.version,
      consensus:
        'ethash proof of work, pre-merge: every fork up to London at block 0, difficulty bomb delayed (Gray Glacier)',
      nodes: `1 miner (1 CPU thread) + ${this.verifying} non-mining nodes that verify and relay; static peers on loopback; the client talks to geth-node-1`,
      'block gas limit': GAS_LIMIT.toLocaleString('en-US'),
      'target block interval': `${this.blockTime} s (ethash retargets by 1/2048 a block)`,
      'miner hash rate': c
        ? `${(c.hashRate / 1000).toFixed(1)} kH/s (1 thread, ${c.measured ? `measured over ${CALIBRATION_TICKS * 5} s before the run` : 'given'})`
        : 'not started',
      'genesis difficulty': c
        ? `${c.difficulty} (${c.difficulty === MIN_DIFFICULTY ? "geth's minimum: the target interval is below what this hash rate allows" : 'hash rate x target interval'})`
        : 'not started',
      'ethash DAG':
        this.dataset === 'test'
          ? "geth's test mode: a 32 KiB dataset from a 1 KiB cache, made by each node at start (a full run mines over the 1 GiB DAG of epoch 0)"
          : dag
            ? `epoch 0 (1 GiB), generated for this run in ${dag.seconds.toFixed(0)} s`
            : 'epoch 0 (1 GiB), generated earlier on this machine',
      txpool: Object.entries(TXPOOL_LIMITS)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      'chain id': String(this.chainId),
    };
  }

  async stop(): Promise<void> {
    await this.setupChild?.stop();
    // The miner last, so the others do not log a lost peer in their last moments.
    await Promise.all(this.children.slice(1).map((c) => c.stop()));
    await this.children[0]?.stop();
    for (const child of this.children) {
      await rm(join(this.options.runDir, child.spec.name), { recursive: true, force: true });
    }
    if (this.dataset === 'test') await rm(this.common(null).ethashDir, { recursive: true, force: true });
  }

  private common(genesis: unknown): GethCommon {
    return {
      gethBin: this.options.gethBin,
      runDir: this.options.runDir,
      // Test-mode files carry the real files' names: they stay in this run's directory.
      ethashDir: this.dataset === 'test' ? join(this.options.runDir, 'ethash-test') : this.options.ethashDir,
      dataset: this.dataset,
      chainId: this.chainId,
      genesis,
      gasLimit: GAS_LIMIT,
    };
  }

  /**
   * Mines alone at a difficulty no block will meet, and reads geth's hash-rate
   * meter over {@link CALIBRATION_TICKS} ticks after the first that counted hashes.
   */
  private async measureHashRate(): Promise<number> {
    this.log(`geth: measuring the hash rate of one miner thread (about ${CALIBRATION_TICKS * 5 + 10} s)...`);
    const genesis = genesisJson({
      chainId: this.chainId,
      difficulty: 1n << 48n,
      gasLimit: GAS_LIMIT,
      alloc: new Map(),
    });
    const common = { ...this.common(genesis), runDir: join(this.options.runDir, 'calibration') };
    const [node] = await planNodes([
      { name: 'geth-calibration', role: 'geth-miner', nodeKey: nodeKey('geth-calibration') },
    ]);
    if (!node) throw new Error('no node');
    const child = await startGethNode(common, node, [], { etherbaseKey: accountKey('miner') });
    this.setupChild = child;
    try {
      return await child.whileAlive(readHashRate(node.rpcPort));
    } finally {
      await child.stop();
      this.setupChild = undefined;
      await rm(join(common.runDir, node.name), { recursive: true, force: true });
    }
  }
}

function nodeKey(name: string): string {
  return id(`medshare-bench/nodekey/${name}`);
}

/**
 * Reads geth's hash-rate meter until it has ticked {@link CALIBRATION_TICKS}
 * times. A reading that does not answer within a second counts as no change, so
 * a node that stops answering cannot stall the calibration: after 60 s it uses
 * the ticks it saw (the inversion is exact for any number), or, with fewer than
 * two, fails with what it saw.
 */
async function readHashRate(port: number): Promise<number> {
  // eth_hashrate answers 0 in geth 1.11 (the engine is wrapped for the merge); the ethash API does not.
  const read = async (): Promise<number> => Number(await rpc<string>(port, 'ethash_getHashrate', [], 1_000));
  const r0 = await pollUntil(
    'the miner to count hashes',
    async () => {
      const r = await read();
      return r > 0 ? r : undefined;
    },
    120_000,
  );
  const t0 = Date.now();
  let last = r0;
  let changes = 0;
  let unanswered = 0;
  let tLast = t0;
  while (changes < CALIBRATION_TICKS && Date.now() - t0 < 60_000) {
    await sleep(250);
    const r = await read().catch(() => undefined);
    if (r === undefined) unanswered++;
    else if (r !== last) {
      last = r;
      tLast = Date.now();
      changes++;
    }
  }
  if (changes < 2) {
    throw new EthBenchError(
      'START_FAILED',
      `the miner's hash-rate meter changed ${changes} times in 60 s (it ticks every 5 s; ${unanswered} readings unanswered; first ${r0} H/s, last ${last} H/s)`,
    );
  }
  // Changes are the meter's ticks, 5 s apart; if a poll ever missed one, time tells.
  const ticks = Math.max(changes, Math.round((tLast - t0) / 5000));
  return hashRateBetween(r0, last, ticks);
}

/** Waits until the node answers and has `peers` peers. */
async function connected(node: GethNodeSpec, peers: number): Promise<void> {
  await pollUntil(
    `${node.name} to connect to its ${peers} peers`,
    async () => (Number(await rpc<string>(node.rpcPort, 'net_peerCount')) >= peers ? true : undefined),
    120_000,
  );
}

/** Reads the DAG once so its pages are in memory before the miner is timed. */
async function warmDag(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 }))
    bytes += (chunk as Buffer).length;
  return bytes;
}

/** `geth version`, for example "geth 1.11.6-stable (go1.26.8)". */
async function gethVersion(gethBin: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(gethBin, ['version']);
    const version = /^Version: (.+)$/m.exec(stdout)?.[1] ?? '?';
    const go = /^Go Version: (.+)$/m.exec(stdout)?.[1] ?? '?';
    return `geth ${version} (${go})`;
  } catch (err) {
    throw new EthBenchError('BINARY_MISSING', `cannot run ${gethBin}: ${String(err)}`, { cause: err });
  }
}

/**
 * The geth binary scripts/install-binaries.sh builds (`MEDSHARE_ONLY=geth`):
 * asks the script where it is, and checks it is there.
 */
export async function locateGeth(repoDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [
    join(repoDir, 'scripts', 'install-binaries.sh'),
    '--paths',
  ]);
  const dir = /^GETH_BIN=(.+)$/m.exec(stdout)?.[1];
  const bin = dir === undefined ? undefined : join(dir, 'geth');
  try {
    if (bin === undefined) throw new Error('GETH_BIN not reported');
    await access(bin, constants.X_OK);
    return bin;
  } catch {
    throw new EthBenchError(
      'BINARY_MISSING',
      `geth is not built${bin ? ` (${bin})` : ''}: run MEDSHARE_ONLY=geth bash scripts/install-binaries.sh`,
    );
  }
}
