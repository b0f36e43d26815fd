import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './env';

/** A long-running process of the network (CA, orderer, peer, chaincode server). */
export interface ProcessSpec {
  name: string;
  /** Script that sources the env file and execs the binary in the foreground. */
  script: string;
  /** Written to the env file before start; absent to restart from the env file already there. */
  env?: Env;
  files: { env: string; log: string; pid: string };
  cwd: string;
}

/** What a pid file records: the pid and the kernel start time, so a reused pid is never mistaken for ours. */
interface PidRecord {
  pid: number;
  startTime: string;
}

/** Renders an env file of `export KEY='value'` lines. */
export function renderEnvFile(env: Env): string {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  return (
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${quote(v)}`)
      .join('\n') + '\n'
  );
}

async function startTimeOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; start time is field 22 overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

async function readPidFile(file: string): Promise<PidRecord | undefined> {
  try {
    const [pid, startTime] = (await readFile(file, 'utf8')).trim().split(' ');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 && startTime ? { pid: n, startTime } : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of the process recorded in `pidFile` if that very process is still running. */
export async function runningPid(pidFile: string): Promise<number | undefined> {
  const record = await readPidFile(pidFile);
  if (!record) return undefined;
  return (await startTimeOf(record.pid)) === record.startTime ? record.pid : undefined;
}

/** Starts a process detached from this one (it outlives the CLI), logging to its log file. */
export async function startProcess(spec: ProcessSpec): Promise<number> {
  for (const f of Object.values(spec.files)) {
    await mkdir(dirname(f), { recursive: true });
  }
  if (spec.env) {
    await writeFile(spec.files.env, renderEnvFile(spec.env), { mode: 0o600 });
  }
  const log = openSync(spec.files.log, 'a');
  try {
    const child = spawn('bash', [spec.script, spec.files.env], {
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      throw new Error(`could not start ${spec.name}`);
    }
    const startTime = await startTimeOf(pid);
    await writeFile(spec.files.pid, `${pid} ${startTime ?? '?'}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Stops the process recorded in `pidFile` (SIGTERM, then SIGKILL after
 * `graceMs`) and removes the pid file. Returns whether a process was stopped.
 */
export async function stopProcess(pidFile: string, graceMs = 10_000): Promise<boolean> {
  const pid = await runningPid(pidFile);
  if (pid === undefined) {
    await rm(pidFile, { force: true });
    return false;
  }
  const signal = (s: NodeJS.Signals): void => {
    try {
      // The process leads its own group (it was started detached); signal the group.
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((await runningPid(pidFile)) !== undefined) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await sleep(200);
      break;
    }
    await sleep(100);
  }
  await rm(pidFile, { force: true });
  return true;
}

/** The last `lines` lines of a log file, for error reports. */
export async function logTail(file: string, lines = 15): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines);
  } catch {
    return [`(no log at ${file})`];
  }
}
