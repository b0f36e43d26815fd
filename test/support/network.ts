import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  loadDescription,
  locateBinaries,
  planFile,
  planNetwork,
  portsFree,
  portsOf,
  type Binaries,
  type Consensus,
  type NetworkPlan,
} from 'medshare-network';

/** The repository root. */
export const REPO_DIR = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO_DIR, 'network', 'dist', 'cli.js');
const DESCRIPTION = join(REPO_DIR, 'network', 'consortium.yaml');

/** Result of running the network CLI. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `network/dist/cli.js` with the given arguments, as an operator would. */
export function networkCli(args: string[]): Promise<CliResult> {
  return runNodeScript(CLI, args);
}

/** Runs a Node.js command-line script of the repository and collects its exit code and output. */
export async function runNodeScript(script: string, args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], {
      cwd: REPO_DIR,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 300_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * A base port whose whole block of ports is free for the network `descriptionFile`
 * describes. MEDSHARE_TEST_BASE_PORT pins it; otherwise a random block is
 * tried, so two test runs can share a machine. Blocks stay below Linux's
 * ephemeral range (32768 and up), where a client connection could take a port
 * between this check and the node's start.
 */
export async function freeBasePort(consensus: Consensus, descriptionFile = DESCRIPTION): Promise<number> {
  const description = await loadDescription(descriptionFile);
  const pinned = process.env.MEDSHARE_TEST_BASE_PORT;
  const candidates = pinned
    ? [Number(pinned)]
    : Array.from({ length: 20 }, () => 20_000 + 1000 * Math.floor(Math.random() * 12));
  for (const basePort of candidates) {
    if (await portsFree(portsOf(planNetwork(description, { repoDir: REPO_DIR, basePort, consensus })))) {
      return basePort;
    }
  }
  throw new Error('no free block of ports for a test network');
}

/** A network brought up for a test, in its own state directory. */
export interface TestNetwork {
  plan: NetworkPlan;
  bin: Binaries;
  args: string[];
  up: CliResult;
  /** `network down --clean`; safe to call twice. */
  down(): Promise<CliResult>;
}

/** Brings a fresh network up through the CLI on a free base port and a temporary state directory. */
export async function startTestNetwork(
  consensus: Consensus,
  options: { peersPerOrg?: number } = {},
): Promise<TestNetwork> {
  const runDir = await mkdtemp(join(tmpdir(), `medshare-${consensus}-`));
  let description = DESCRIPTION;
  if (options.peersPerOrg !== undefined) {
    // The same description with another peer count, as an operator would edit it.
    description = join(runDir, 'consortium.yaml');
    const text = await readFile(DESCRIPTION, 'utf8');
    await writeFile(description, text.replace(/^(\s+peers:) \d+$/gm, `$1 ${String(options.peersPerOrg)}`));
  }
  const basePort = await freeBasePort(consensus, description);
  const args = ['--base-port', String(basePort), '--consensus', consensus, '--run-dir', runDir];
  if (description !== DESCRIPTION) args.push('--description', description);
  const up = await networkCli(['up', ...args]);
  if (up.code !== 0) {
    await networkCli(['down', '--clean', ...args]);
    throw new Error(`network up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }
  const plan = JSON.parse(await readFile(planFile(runDir), 'utf8')) as NetworkPlan;
  return {
    plan,
    bin: await locateBinaries(REPO_DIR),
    args,
    up,
    down: () => networkCli(['down', '--clean', ...args]),
  };
}

/**
 * Processes, other than zombies, whose environment mentions `runDir`: every
 * process the network starts has its state directory in its environment.
 * (Zombies are dead; this machine's init does not reap orphans.)
 */
export async function processesMentioning(runDir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (environ.includes(runDir) || cmdline.includes(runDir)) found.push(pid);
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return found;
}
