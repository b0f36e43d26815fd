import { createServer } from 'node:net';
import { NetworkError } from './errors';
import type { PortUse } from './topology';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

async function firstInUse(uses: PortUse[]): Promise<PortUse | undefined> {
  for (const use of uses) {
    if (!(await isFree(use.port))) return use;
  }
  return undefined;
}

/** Throws PORT_IN_USE naming the first port of `uses` that something already listens on. */
export async function assertPortsFree(uses: PortUse[]): Promise<void> {
  const use = await firstInUse(uses);
  if (use) {
    throw new NetworkError(
      'PORT_IN_USE',
      `port ${use.port} (${use.owner} ${use.purpose}) is in use; nothing was started (choose another --base-port)`,
    );
  }
}

/** True when none of the ports is in use. */
export async function portsFree(uses: PortUse[]): Promise<boolean> {
  return (await firstInUse(uses)) === undefined;
}
