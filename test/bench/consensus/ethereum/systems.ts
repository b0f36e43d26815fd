import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../../support/network';
import type { Mode } from '../plans';
import type { ChainSystem, SystemId } from '../system';
import { ethereumSystem } from './ethereum-system';
import { locateGeth } from './geth';
import type { ProgressLog } from './chain';

/**
 * Mean block interval of the proof-of-work chain: mainnet's before the merge for
 * a full run; 3 s for a smoke run, which must reach 12 confirmations quickly.
 */
const POW_BLOCK_SECONDS: Record<Mode, number> = { full: 13, smoke: 3 };

/** The Ethereum system of `id` for a run in `mode`, with its state in a fresh temporary directory. */
export async function createEthereumSystem(
  id: Extract<SystemId, 'eth-ganache' | 'eth-pow'>,
  mode: Mode,
  log: ProgressLog,
): Promise<ChainSystem> {
  const runDir = await mkdtemp(join(tmpdir(), `medshare-bench-${id}-`));
  if (id === 'eth-ganache') return ethereumSystem({ chain: 'ganache', runDir, log });
  return ethereumSystem({
    chain: 'pow',
    runDir,
    log,
    gethBin: await locateGeth(REPO_DIR),
    blockTimeSeconds: POW_BLOCK_SECONDS[mode],
  });
}
