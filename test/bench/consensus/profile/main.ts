/**
 * `npm run bench:profile`: where a Fabric transfer's CPU goes. Brings up the
 * benchmark's Raft network, restarts each chaincode server with V8's sampling
 * profiler preloaded (cpu-profile-hook.ts), offers transfers at a fixed rate
 * below saturation (profiling slows the servers), and writes `profile.md` with
 * CPU per transfer by role and the chaincode servers' time by package and by
 * function, beside the raw `.cpuprofile` files.
 *
 * Peers and orderers are not sampled: Go's CPU profiler (CORE_PEER_PROFILE_ENABLED)
 * stalled the peer on this machine (0.2 s of samples in 30 s, and throughput
 * halved), so their share is given per role only.
 */
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_DIR } from '../../../support/network';
import { offerLoad, rateStep } from '../driver';
import { FabricSystem } from '../fabric/fabric-system';
import { FABRIC_BATCH } from '../plans';
import { CLIENT_ROLE, ResourceSampler } from '../sampler';
import { now } from '../system';
import { summarise, type CpuProfile, type ProfileEntry } from './cpu-profile';

const USAGE = 'usage: npm run bench:profile -- [--rate TX_PER_S] [--seconds N] [--out DIR]';

interface ProfileOptions {
  rate: number;
  seconds: number;
  out: string;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number; ${USAGE}`);
  return n;
}

/** Parses the command line; throws one line of usage on bad input. */
export function parseProfileOptions(argv: readonly string[]): ProfileOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { rate: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    rate: positive(values.rate, 30, 'rate'),
    seconds: positive(values.seconds, 40, 'seconds'),
    out: resolve(values.out ?? join(REPO_DIR, 'bench-results', `profile-${stamp}`)),
  };
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

const table = (entries: readonly ProfileEntry[]): string =>
  [
    '| where | ms | share of busy time |',
    '| --- | ---: | ---: |',
    ...entries.map((e) => `| \`${e.name}\` | ${String(e.ms)} | ${(e.share * 100).toFixed(1)}% |`),
  ].join('\n');

async function profile(options: ProfileOptions, log: (line: string) => void): Promise<string> {
  await mkdir(options.out, { recursive: true });
  const hook = join(__dirname, 'cpu-profile-hook.js');
  const system = new FabricSystem({ consensus: 'raft', batch: FABRIC_BATCH });
  const sampler = new ResourceSampler(() => system.processes());
  try {
    log('starting the Raft network');
    await system.start();
    const envDir = join(system.plan.runDir, 'env');
    const servers = (await readdir(envDir)).filter((f) => f.startsWith('ccaas.')).map((f) => f.slice(0, -4));
    for (const name of servers) {
      await appendFile(
        join(envDir, `${name}.env`),
        `export NODE_OPTIONS=${quote(`--require ${hook}`)}\n` +
          `export MEDSHARE_CPU_PROFILE_DIR=${quote(options.out)}\n` +
          `export MEDSHARE_CPU_PROFILE_NAME=${quote(name)}\n`,
      );
      await system.stopNode(name);
      await system.startNode(name);
    }
    log(`profiling ${servers.join(', ')}`);
    await system.registerUsers(6, 6);
    await sampler.start();
    const from = now();
    const outcome = await offerLoad(system, {
      rate: options.rate,
      durationSeconds: options.seconds,
      firstSeq: 0,
      maxInFlight: 5000,
      depths: [],
      drainSeconds: 90,
    });
    await sampler.sample();
    const to = now();
    const step = rateStep(outcome, sampler, options.seconds);
    for (const name of servers) await system.stopNode(name);
    await sampler.stop();

    const files = (await readdir(options.out)).filter((f) => f.endsWith('.cpuprofile'));
    const profiles = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(join(options.out, f), 'utf8')) as CpuProfile),
    );
    const summary = summarise(profiles, REPO_DIR);
    const perTransfer = (cpuSeconds: number): string =>
      step.committed > 0 ? ((cpuSeconds / step.committed) * 1000).toFixed(2) : '-';
    const roles = sampler.usage(from, to);
    const network = roles.filter((r) => r.role !== CLIENT_ROLE).reduce((s, r) => s + r.cpuSeconds, 0);
    const report = [
      "# Where a transfer's CPU goes (Fabric Raft, chaincode servers profiled)",
      '',
      `${String(options.rate)} transfers/s offered for ${String(options.seconds)} s: ${String(step.committed)} committed ` +
        `(${String(step.throughput)}/s), ${String(step.failed)} failed, commit p50 ${String(step.commit.p50)} s. ` +
        'The profiler slows the chaincode servers, so compare shares, not absolute figures, with the benchmark.',
      '',
      '## CPU per committed transfer, by role',
      '',
      '| role | processes | CPU-ms per transfer |',
      '| --- | ---: | ---: |',
      ...roles.map((r) => `| ${r.role} | ${String(r.processes)} | ${perTransfer(r.cpuSeconds)} |`),
      `| **network (without the client)** | | **${perTransfer(network)}** |`,
      '',
      `## Chaincode servers: ${String(summary.busyMs)} ms busy over ${String(files.length)} profiles`,
      '',
      'By package (self time):',
      '',
      table(summary.byPackage.slice(0, 15)),
      '',
      'By function (self time):',
      '',
      table(summary.byFunction),
      '',
      'The `.cpuprofile` files beside this report open in Chrome DevTools (Performance tab) for call trees.',
      '',
    ].join('\n');
    const file = join(options.out, 'profile.md');
    await writeFile(file, report);
    return file;
  } finally {
    await sampler.stop().catch(() => undefined);
    await system.stop();
  }
}

async function main(): Promise<void> {
  let options: ProfileOptions;
  try {
    options = parseProfileOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:profile: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const file = await profile(options, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`Profile: ${file}\n`);
}

if (require.main === module) void main();
