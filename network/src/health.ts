import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

/** How to tell that a process is ready. */
export type Readiness =
  | { kind: 'healthz'; url: string; method?: 'GET' | 'POST'; tls?: { ca: Buffer; cert: Buffer; key: Buffer } }
  | { kind: 'tcp'; port: number };

/** One readiness probe: a health URL answering 2xx, or a TCP port accepting connections. */
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
        ? httpsRequest(url, { ...readiness.tls, method: readiness.method ?? 'GET', timeout: timeoutMs })
        : httpRequest(url, { method: readiness.method ?? 'GET', timeout: timeoutMs });
    req.once('response', (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 300);
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
