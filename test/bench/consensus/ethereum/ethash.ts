import { stat, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { keccak256, ZeroHash } from 'ethers';
import type { ProgressLog } from './chain';
import { Child } from './child';
import { EthBenchError } from './errors';

/** Blocks per ethash epoch: each epoch has its own DAG (1 GiB at epoch 0, growing 8 MiB per epoch). */
export const EPOCH_LENGTH = 30_000;

/**
 * The machine-wide directory of ethash DAGs and caches, outside the clone so they
 * are generated once per machine: `${MEDSHARE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medshare}/ethash`.
 */
export function defaultEthashDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.MEDSHARE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'medshare');
  return join(cache, 'ethash');
}

/** The file name geth gives an epoch's DAG (`full`) or verification cache (`cache`), algorithm revision 23. */
export function ethashFileName(kind: 'full' | 'cache', epoch: number): string {
  let seed = ZeroHash;
  for (let i = 0; i < epoch; i++) seed = keccak256(seed);
  return `${kind}-R23-${seed.slice(2, 18)}`;
}

/** What {@link prepareEthash} generated (empty when everything was already there). */
export interface EthashGeneration {
  file: string;
  seconds: number;
}

/**
 * Makes sure the DAGs and caches of epochs 0 and 1 are in `dir`, generating
 * missing ones with `geth makedag` / `geth makecache` (a progress line every
 * 10%). Epoch 1 is needed too: when geth mines or verifies a block of epoch 0
 * it prepares epoch 1's in the background, which would otherwise take both
 * cores for minutes in the middle of a run.
 * `onChild` receives each generator process, so that a caller stopping half-way can end it.
 */
export async function prepareEthash(
  gethBin: string,
  dir: string,
  log: ProgressLog,
  onChild: (child: Child | undefined) => void,
): Promise<EthashGeneration[]> {
  await mkdir(dir, { recursive: true });
  const generated: EthashGeneration[] = [];
  for (const kind of ['cache', 'full'] as const) {
    for (const epoch of [0, 1]) {
      const name = ethashFileName(kind, epoch);
      if (await exists(join(dir, name))) continue;
      const started = Date.now();
      await generate(gethBin, dir, kind, epoch, log, onChild);
      const seconds = (Date.now() - started) / 1000;
      log(`ethash: ${name} generated in ${seconds.toFixed(0)} s (kept in ${dir})`);
      generated.push({ file: name, seconds });
    }
  }
  return generated;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function generate(
  gethBin: string,
  dir: string,
  kind: 'full' | 'cache',
  epoch: number,
  log: ProgressLog,
  onChild: (child: Child | undefined) => void,
): Promise<void> {
  const name = ethashFileName(kind, epoch);
  // Generated in a private directory and renamed, so an interrupted run leaves no
  // half-written gigabyte behind and two runs never see each other's partial file.
  const tmp = join(dir, `.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  const logFile = join(tmp, 'generate.log');
  const what =
    kind === 'full' ? `the DAG of epoch ${epoch} (about 1 GiB)` : `the cache of epoch ${epoch} (16 MiB)`;
  try {
    log(`ethash: generating ${what} in ${dir}, once per machine...`);
    const child = await Child.start({
      name: `geth make${kind === 'full' ? 'dag' : 'cache'}`,
      role: 'setup',
      command: gethBin,
      args: [kind === 'full' ? 'makedag' : 'makecache', String(epoch * EPOCH_LENGTH), tmp],
      logFile,
    });
    onChild(child);
    let reported = 0;
    const progress = setInterval(() => {
      void lastPercentage(logFile).then((pct) => {
        if (pct !== undefined && pct >= reported + 10) {
          reported = pct - (pct % 10);
          log(`ethash: generating ${what}: ${pct}%`);
        }
      });
    }, 2_000);
    const code = await child.exited.finally(() => {
      clearInterval(progress);
      onChild(undefined);
    });
    if (code !== 0 || !(await exists(join(tmp, name)))) {
      throw new EthBenchError(
        'START_FAILED',
        `geth could not generate ${what} (exit ${code}); see ${logFile}`,
      );
    }
    await rename(join(tmp, name), join(dir, name));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function lastPercentage(logFile: string): Promise<number | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const matches = [...text.matchAll(/percentage=(\d+)/g)];
  const last = matches.at(-1)?.[1];
  return last === undefined ? undefined : Number(last);
}

/** The smoothing factor of geth's one-minute hash-rate meter (an EWMA ticked every 5 s). */
const METER_ALPHA = 1 - Math.exp(-5 / 60);

/**
 * The hash rate over the meter ticks between two readings of `eth_hashrate`.
 * Geth reports a one-minute moving average that starts from zero, so a short
 * run reads far below the true rate; inverting the average over `ticks` ticks
 * (r1 = r0·β^n + h·(1 − β^n), β = 1 − α) gives the rate of those ticks exactly.
 */
export function hashRateBetween(r0: number, r1: number, ticks: number): number {
  const decay = Math.pow(1 - METER_ALPHA, ticks);
  return (r1 - r0 * decay) / (1 - decay);
}
