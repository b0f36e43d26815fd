import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkProcess } from '../system';
import { EthBenchError } from './errors';

/** What to start: one OS process whose output goes to a log file. */
export interface ChildSpec {
  name: string;
  role: string;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
}

/** A child process of the harness, stopped with SIGTERM then SIGKILL. */
export class Child {
  readonly exited: Promise<number | null>;
  private running = true;

  private constructor(
    readonly spec: ChildSpec,
    private readonly proc: ChildProcess,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code) => {
        this.running = false;
        resolve(code);
      });
    });
  }

  /** Starts `spec`, resolving once the OS has started it. */
  static async start(spec: ChildSpec): Promise<Child> {
    const log = openSync(spec.logFile, 'a');
    try {
      const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', log, log] });
      await new Promise<void>((resolve, reject) => {
        proc.once('spawn', resolve);
        proc.once('error', (err) => {
          reject(
            new EthBenchError('START_FAILED', `could not start ${spec.name}: ${err.message}`, { cause: err }),
          );
        });
      });
      if (proc.pid === undefined) throw new EthBenchError('START_FAILED', `could not start ${spec.name}`);
      return new Child(spec, proc, proc.pid);
    } finally {
      closeSync(log);
    }
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.running;
  }

  /** As the benchmark accounts for it. */
  get info(): NetworkProcess {
    return { pid: this.pid, role: this.spec.role, name: this.spec.name };
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Rejects with START_FAILED (and the log's tail) if the process exits before `until` settles. */
  async whileAlive<T>(until: Promise<T>): Promise<T> {
    const died = this.exited.then(async (code) => {
      throw new EthBenchError(
        'START_FAILED',
        `${this.spec.name} exited (code ${code}) while starting; log ${this.spec.logFile}:\n${await logTail(this.spec.logFile)}`,
      );
    });
    return Promise.race([until, died]);
  }
}

/** Runs a command to completion, logging to `logFile`; rejects unless it exits 0. */
export async function runToEnd(spec: Omit<ChildSpec, 'role'>): Promise<void> {
  const child = await Child.start({ ...spec, role: 'setup' });
  const code = await child.exited;
  if (code !== 0) {
    throw new EthBenchError(
      'START_FAILED',
      `${spec.name} failed (code ${code}); log ${spec.logFile}:\n${await logTail(spec.logFile)}`,
    );
  }
}

/** The last lines of a log file. */
export async function logTail(file: string, lines = 10): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** `count` distinct free TCP ports on 127.0.0.1 (held open together so none repeats). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Polls `probe` every `intervalMs` until it returns a value, or rejects after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      /* not ready yet */
    }
    if (Date.now() > deadline) throw new EthBenchError('START_FAILED', `timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
