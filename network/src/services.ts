import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './env';
import { NetworkError } from './errors';
import { probe, type Readiness } from './health';
import { processFiles } from './layout';
import { logTail, runningPid, startProcess, type ProcessSpec } from './processes';
import { scriptPath } from './steps';
import type { NetworkPlan } from './topology';

/** A process of the plan with how to start it and how to tell it is ready. */
export interface Service {
  spec: ProcessSpec;
  readiness: Readiness;
}

const READY_TIMEOUT_MS = 60_000;

/** A service run by one of network/scripts, with its env, log and pid files under the run directory. */
export function service(
  plan: NetworkPlan,
  name: string,
  script: string,
  env: Env,
  readiness: Readiness,
  repoDir: string,
): Service {
  return {
    spec: {
      name,
      script: scriptPath(repoDir, script),
      env,
      files: processFiles(plan, name),
      cwd: plan.runDir,
    },
    readiness,
  };
}

/** Starts the services not running yet, then waits until every one is ready or one has failed. */
export async function startAndWait(services: Service[], report: (line: string) => void): Promise<void> {
  for (const s of services) {
    if ((await runningPid(s.spec.files.pid)) === undefined) {
      await startProcess(s.spec);
    }
  }
  await Promise.all(
    services.map(async (s) => {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if ((await runningPid(s.spec.files.pid)) === undefined) {
          throw new NetworkError(
            'NODE_FAILED',
            `${s.spec.name} exited during start-up (log: ${s.spec.files.log})`,
            {
              details: await logTail(s.spec.files.log),
            },
          );
        }
        if (await probe(s.readiness)) break;
        if (Date.now() > deadline) {
          throw new NetworkError(
            'NODE_FAILED',
            `${s.spec.name} was not ready after ${READY_TIMEOUT_MS / 1000} s`,
            {
              details: await logTail(s.spec.files.log),
            },
          );
        }
        await sleep(250);
      }
      report(`  ${s.spec.name} ready`);
    }),
  );
}
