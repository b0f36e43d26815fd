import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exchange the hostile gateway saw, as it passed it on. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
}

/**
 * What the attacker does: given a request's method, path and body, the body to
 * pass on (or `undefined` to pass it unchanged); likewise for the answer.
 */
export interface Tampering {
  request?: (method: string, path: string, body: Buffer) => Buffer | undefined;
  response?: (method: string, path: string, status: number, body: Buffer) => Buffer | undefined;
  /**
   * Answers a request itself, without passing it on (`undefined`: pass it on):
   * a gateway that claims what never happened.
   */
  intercept?: (method: string, path: string, body: Buffer) => { status: number; body: Buffer } | undefined;
}

/** A running hostile gateway: its address, what passed through it, and how to stop it. */
export interface HostileGateway {
  url: string;
  seen: Exchange[];
  close(): Promise<void>;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

function withoutLength(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const rest = { ...headers };
  delete rest['content-length'];
  delete rest['transfer-encoding'];
  return rest;
}

/**
 * A compromised gateway in front of the real one, on loopback: it passes every
 * request and answer through, and `tampering` rewrites the ones it picks, as a
 * gateway that holds TLS and sees every message could. Bodies are buffered
 * whole, so it suits API calls, not large uploads.
 */
export async function startHostileGateway(target: string, tampering: Tampering): Promise<HostileGateway> {
  const upstream = new URL(target);
  const seen: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const original = await readAll(req);
      const body = tampering.request?.(method, path, original) ?? original;
      const invented = tampering.intercept?.(method, path, body);
      if (invented) {
        seen.push({ method, path, status: invented.status });
        res.writeHead(invented.status, {
          'content-type': 'application/json',
          'content-length': invented.body.length,
        });
        res.end(invented.body);
        return;
      }
      const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
        (resolve, reject) => {
          const forwarded = request(
            {
              host: upstream.hostname,
              port: upstream.port,
              method,
              path,
              headers: { ...withoutLength(req.headers), host: upstream.host, 'content-length': body.length },
            },
            (response) => {
              readAll(response).then((data) => {
                resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data });
              }, reject);
            },
          );
          forwarded.on('error', reject);
          forwarded.end(body);
        },
      );
      const out = tampering.response?.(method, path, answer.status, answer.body) ?? answer.body;
      seen.push({ method, path, status: answer.status });
      res.writeHead(answer.status, { ...withoutLength(answer.headers), 'content-length': out.length });
      res.end(out);
    })().catch(() => {
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
