import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SigningKey, toBeHex, Wallet } from 'ethers';
import { Child, freePorts, runToEnd } from './child';

/** What a proof-of-work genesis needs. */
export interface GenesisSpec {
  chainId: number;
  difficulty: bigint;
  gasLimit: number;
  /** Address -> balance (wei). */
  alloc: Map<string, bigint>;
}

/**
 * A pre-merge ethash genesis: every fork up to London (and the difficulty-bomb
 * delays of Arrow and Gray Glacier) at block 0, no terminal total difficulty.
 */
export function genesisJson(spec: GenesisSpec): unknown {
  const forks = [
    'homesteadBlock',
    'eip150Block',
    'eip155Block',
    'eip158Block',
    'byzantiumBlock',
    'constantinopleBlock',
    'petersburgBlock',
    'istanbulBlock',
    'muirGlacierBlock',
    'berlinBlock',
    'londonBlock',
    'arrowGlacierBlock',
    'grayGlacierBlock',
  ];
  return {
    config: { chainId: spec.chainId, ...Object.fromEntries(forks.map((f) => [f, 0])), ethash: {} },
    nonce: '0x0',
    // Now, so the first block's difficulty is not lowered for a parent decades old.
    timestamp: toBeHex(Math.floor(Date.now() / 1000)),
    extraData: '0x',
    gasLimit: toBeHex(spec.gasLimit),
    difficulty: toBeHex(spec.difficulty),
    alloc: Object.fromEntries([...spec.alloc].map(([address, wei]) => [address, { balance: toBeHex(wei) }])),
  };
}

/** One geth node's identity and ports, known before it starts (so peers can list it). */
export interface GethNodeSpec {
  name: string;
  role: 'geth-miner' | 'geth-node';
  nodeKey: string;
  p2pPort: number;
  /** HTTP and WebSocket JSON-RPC share this port. */
  rpcPort: number;
  authPort: number;
}

/** Picks free loopback ports for these nodes, all at once so no two share one. */
export async function planNodes(
  nodes: { name: string; role: GethNodeSpec['role']; nodeKey: string }[],
): Promise<GethNodeSpec[]> {
  const ports = await freePorts(3 * nodes.length);
  return nodes.map((node, i) => {
    const [p2pPort, rpcPort, authPort] = ports.slice(3 * i, 3 * i + 3);
    if (p2pPort === undefined || rpcPort === undefined || authPort === undefined) throw new Error('no ports');
    return { ...node, p2pPort, rpcPort, authPort };
  });
}

/** The node's enode URL on loopback. */
export function enodeOf(node: GethNodeSpec): string {
  return `enode://${new SigningKey(node.nodeKey).publicKey.slice(4)}@127.0.0.1:${node.p2pPort}`;
}

/**
 * The ethash dataset a chain mines and verifies over.
 * - `full`: the real one, a DAG of 1 GiB at epoch 0, generated once per machine.
 * - `test`: geth's test mode (`PowMode = 2`): the same hashimoto algorithm over a
 *   32 KiB dataset made from a 1 KiB cache, which each node generates in
 *   microseconds. Its files carry the real files' names, so it must never use the
 *   machine-wide DAG directory.
 */
export type EthashDataset = 'full' | 'test';

/** geth's `ethash.Mode` for a dataset (consensus/ethash/ethash.go: ModeNormal = 0, ModeTest = 2). */
const POW_MODE: Record<EthashDataset, number> = { full: 0, test: 2 };

/** Settings shared by every node of the chain. */
export interface GethCommon {
  gethBin: string;
  runDir: string;
  /** Where the nodes keep ethash caches and DAGs (for `test`, a directory of this run's own). */
  ethashDir: string;
  dataset: EthashDataset;
  chainId: number;
  genesis: unknown;
  gasLimit: number;
}

/** Transaction-pool limits far above geth's defaults (16 per account, 5,120 in all), so an open-loop burst is kept, not dropped. */
export const TXPOOL_LIMITS = {
  accountslots: 20_000,
  globalslots: 200_000,
  accountqueue: 20_000,
  globalqueue: 200_000,
};

/**
 * Initialises the node's datadir with the genesis and starts it: static peers on
 * loopback only, no discovery, no NAT, JSON-RPC on 127.0.0.1; the miner mines
 * with one thread.
 */
export async function startGethNode(
  common: GethCommon,
  node: GethNodeSpec,
  peers: GethNodeSpec[],
  mining?: { etherbaseKey: string },
): Promise<Child> {
  const dataDir = join(common.runDir, node.name);
  await mkdir(dataDir, { recursive: true });
  const genesisFile = join(dataDir, 'genesis.json');
  await writeFile(genesisFile, JSON.stringify(common.genesis, null, 2));
  const logFile = join(common.runDir, `${node.name}.log`);
  await runToEnd({
    name: `geth init (${node.name})`,
    command: common.gethBin,
    args: ['init', '--datadir', dataDir, genesisFile],
    logFile,
  });
  // The TOML config, because geth 1.11 ignores static-nodes.json and --port listens on every
  // interface, and has no flag for ethash's test mode.
  const config = join(dataDir, 'config.toml');
  await writeFile(
    config,
    [
      '[Eth.Ethash]',
      `PowMode = ${POW_MODE[common.dataset]}`,
      '',
      '[Node.P2P]',
      `ListenAddr = "127.0.0.1:${node.p2pPort}"`,
      `StaticNodes = [${peers.map((p) => JSON.stringify(enodeOf(p))).join(', ')}]`,
      '',
    ].join('\n'),
  );
  // prettier-ignore
  const args = [
    '--config', config,
    '--datadir', dataDir,
    '--networkid', String(common.chainId),
    '--syncmode', 'full',
    '--nodekeyhex', node.nodeKey.slice(2),
    '--nodiscover',
    '--nat', 'none',
    '--netrestrict', '127.0.0.0/8',
    '--ipcdisable',
    '--http', '--http.addr', '127.0.0.1', '--http.port', String(node.rpcPort), '--http.api', `eth,net,web3,txpool${mining ? ',ethash' : ''}`,
    '--ws', '--ws.addr', '127.0.0.1', '--ws.port', String(node.rpcPort), '--ws.api', 'eth,net,web3',
    '--authrpc.addr', '127.0.0.1', '--authrpc.port', String(node.authPort),
    '--ethash.dagdir', common.ethashDir,
    '--ethash.cachedir', common.ethashDir,
    '--txpool.nolocals',
    ...Object.entries(TXPOOL_LIMITS).flatMap(([k, v]) => [`--txpool.${k}`, String(v)]),
    // The benchmark's fee cap is far above the default 1-ether cap per transaction (see ethereum-system.ts).
    '--rpc.txfeecap', '0',
    '--verbosity', '3',
  ];
  if (mining) {
    // prettier-ignore
    args.push(
      '--mine',
      '--miner.threads', '1',
      '--miner.etherbase', new Wallet(mining.etherbaseKey).address,
      '--miner.gaslimit', String(common.gasLimit),
    );
  }
  return Child.start({ name: node.name, role: node.role, command: common.gethBin, args, logFile });
}

/** A JSON-RPC call over HTTP to a node on loopback, given up after `timeoutMs`. */
export async function rpc<T>(
  port: number,
  method: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
