import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A long-running CLI command (`medshare dicom receive`), read line by line as it prints. */
export class CliProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<number>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(script: string, args: readonly string[], env: Record<string, string>, cwd: string) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('MEDSHARE_') && !k.startsWith('GATEWAY_')),
    );
    this.#child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.#child.stdout ?? process.stdin }).on('line', (line) => {
      this.lines.push(line);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.#exited = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        resolve(code ?? 1);
      }),
    );
  }

  /** The first line, printed or to come, that `test` accepts; rejects if the process exits or after `ms`. */
  waitFor(test: (line: string) => boolean, ms = 120_000): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no such line in ${String(ms)} ms: ${this.transcript()}`));
      }, ms);
      void this.#exited.then((code) => {
        reject(new Error(`the command exited ${String(code)} first: ${this.transcript()}`));
      });
      this.#waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  /** Everything it printed, for assertion messages. */
  transcript(): string {
    return `${this.lines.join('\n')}\n${this.stderr}`;
  }

  /** Asks it to stop (SIGTERM) and waits for its exit status. */
  async stop(): Promise<number> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    return this.#exited;
  }
}
