import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

/** How to tell that a process is ready. */
export type Readiness =
  | { kind: 'healthz'; url: string; tls?: { ca: Buffer; cert: Buffer; key: Buffer } }
  | { kind: 'tcp'; port: number };

/** One readiness probe: /healthz answering 200, or a TCP port accepting connections. */
export function probe(readiness: Readiness, timeoutMs = 2000): Promise<boolean> {
  if (readiness.kind === 'tcp') {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: readiness.port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => {
        done(false);
      });
      socket.once('connect', () => {
        done(true);
      });
      socket.once('error', () => {
        done(false);
      });
    });
  }
  return new Promise((resolve) => {
    const url = new URL(readiness.url);
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...readiness.tls, timeout: timeoutMs })
        : httpRequest(url, { timeout: timeoutMs });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.once('error', () => {
      resolve(false);
    });
    req.end();
  });
}
