import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_DIR } from '../../../support/network';
import type { Mode } from '../plans';
import type { ChainSystem, SystemId } from '../system';
import { ethereumSystem } from './ethereum-system';
import { locateGeth } from './geth';
import type { EthashDataset } from './geth-node';
import type { ProgressLog } from './chain';

/**
 * Mean block interval of the proof-of-work chain: mainnet's before the merge for
 * a full run; 3 s for a smoke run, which must reach 12 confirmations quickly.
 */
const POW_BLOCK_SECONDS: Record<Mode, number> = { full: 13, smoke: 3 };

/**
 * The ethash dataset: the real 1 GiB DAG for a full run; geth's 32 KiB test
 * dataset for a smoke run, which checks the harness and would otherwise spend
 * five minutes of a fresh machine generating two DAGs it barely uses.
 */
const POW_DATASET: Record<Mode, EthashDataset> = { full: 'full', smoke: 'test' };

/**
 * The Ethereum system of `id` for a run in `mode`, with its logs (and, while it runs, its chain data)
 * in a fresh directory under `parentDir`; `ethashDir` overrides the machine-wide DAG directory of a
 * full run.
 */
export async function createEthereumSystem(
  id: Extract<SystemId, 'eth-ganache' | 'eth-pow'>,
  mode: Mode,
  dirs: { parentDir: string; ethashDir?: string | undefined },
  log: ProgressLog,
): Promise<ChainSystem> {
  await mkdir(dirs.parentDir, { recursive: true });
  const runDir = await mkdtemp(join(dirs.parentDir, `${id}-`));
  const ethashDir = dirs.ethashDir;
  if (id === 'eth-ganache') return ethereumSystem({ chain: 'ganache', runDir, log });
  return ethereumSystem({
    chain: 'pow',
    runDir,
    log,
    gethBin: await locateGeth(REPO_DIR),
    blockTimeSeconds: POW_BLOCK_SECONDS[mode],
    dataset: POW_DATASET[mode],
    ethashDir,
  });
}
