import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NetworkProcess } from '../system';
import type { ChainLauncher, RunningChain } from './chain';
import { Child, freePorts, pollUntil } from './child';
import { FUNDED_BALANCE_WEI } from './accounts';

/** Options of {@link GanacheLauncher}. */
export interface GanacheOptions {
  /** Where the log goes. */
  runDir: string;
  chainId?: number;
  /** Block gas limit (default 30,000,000, as the proof-of-work chain). */
  blockGasLimit?: number;
}

const HARDFORK = 'london';

function ganacheCli(): string {
  return join(dirname(require.resolve('ganache')), 'cli.js');
}

function ganacheVersion(): string {
  const file = join(dirname(require.resolve('ganache')), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Ganache from npm as a child process, as the paper ran it: instant mining
 * (a block for each transaction as it arrives), in-memory state, prefunded accounts.
 */
export class GanacheLauncher implements ChainLauncher {
  readonly label = `Ganache ${ganacheVersion()} (instant mining)`;
  private child: Child | undefined;
  private readonly chainId: number;
  private readonly gasLimit: number;

  constructor(private readonly options: GanacheOptions) {
    this.chainId = options.chainId ?? 1337;
    this.gasLimit = options.blockGasLimit ?? 30_000_000;
  }

  async start(fundedKeys: string[]): Promise<RunningChain> {
    await mkdir(this.options.runDir, { recursive: true });
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no port');
    const args = [
      ganacheCli(),
      '--server.host=127.0.0.1',
      `--server.port=${port}`,
      `--chain.chainId=${this.chainId}`,
      `--chain.hardfork=${HARDFORK}`,
      `--miner.blockGasLimit=${this.gasLimit}`,
      '--miner.blockTime=0',
      '--miner.instamine=eager',
      '--logging.quiet',
      ...fundedKeys.map((key) => `--wallet.accounts=${key},${FUNDED_BALANCE_WEI}`),
    ];
    this.child = await Child.start({
      name: 'ganache',
      role: 'ganache',
      command: process.execPath,
      args,
      logFile: join(this.options.runDir, 'ganache.log'),
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await this.child.whileAlive(pollUntil('Ganache to answer', () => chainIdAt(url), 60_000));
    } catch (err) {
      await this.stop();
      throw err;
    }
    return { wsUrl: `ws://127.0.0.1:${port}`, chainId: this.chainId };
  }

  processes(): NetworkProcess[] {
    return this.child?.alive ? [this.child.info] : [];
  }

  settings(): Record<string, string> {
    return {
      client: `Ganache ${ganacheVersion()} (one process, in-memory state)`,
      hardfork: HARDFORK,
      'block gas limit': this.gasLimit.toLocaleString('en-US'),
      mining:
        'instant ("instamine", eager): a block for each transaction as it arrives, no proof of work; no blocks without transactions',
      'chain id': String(this.chainId),
    };
  }

  async stop(): Promise<void> {
    await this.child?.stop();
  }
}

/** eth_chainId of the node at `url`, over HTTP. */
export async function chainIdAt(url: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== 'string') throw new Error('no chain id');
  return Number(body.result);
}
