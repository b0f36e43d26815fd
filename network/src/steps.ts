import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './env';
import { NetworkError } from './errors';

/** Options of {@link runStep}. */
export interface StepOptions {
  /** Retry until this many milliseconds have passed (ordering service still electing, for example). */
  retryForMs?: number;
  cwd?: string;
}

/** Directory of the per-step shell scripts. */
export function scriptPath(repoDir: string, script: string): string {
  return join(repoDir, 'network', 'scripts', script);
}

/**
 * Runs one step script with exactly `env` (plus PATH and HOME) and returns its
 * standard output. Failure raises STEP_FAILED with the script's last lines.
 */
export async function runStep(
  description: string,
  script: string,
  env: Env,
  options: StepOptions = {},
): Promise<string> {
  const deadline = Date.now() + (options.retryForMs ?? 0);
  for (;;) {
    try {
      return await new Promise<string>((resolve, reject) => {
        execFile(
          'bash',
          [script],
          {
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
            cwd: options.cwd,
            maxBuffer: 16 * 1024 * 1024,
            timeout: 120_000,
          },
          (error, stdout, stderr) => {
            if (error) {
              const lines = `${stderr}\n${stdout}`.trim().split('\n').filter(Boolean).slice(-8);
              reject(
                new NetworkError('STEP_FAILED', `${description} failed: ${lines.at(-1) ?? error.message}`, {
                  cause: error,
                  details: lines,
                }),
              );
            } else {
              resolve(stdout);
            }
          },
        );
      });
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(1000);
    }
  }
}
