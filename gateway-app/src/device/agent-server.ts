import { X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { keyMatchesCertificate } from './certificate';
import { DeviceError } from './errors';
import type { PostureFacts } from './facts';
import { NONCE_PATTERN } from './nonces';
import { toOrigin } from './origin';
import { collectPosture } from './posture';
import { signReport } from './report';

/** The subset of a pino logger the agent server uses. */
export interface AgentLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link startAgentServer}. */
export interface AgentServerOptions {
  identity: { certificatePem: string; privateKey: KeyObject };
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Origins of the gateways (and their web apps) this agent signs for, e.g. `https://gateway.example`. */
  allowedOrigins: readonly string[];
  /** Collects the facts for each report (default {@link collectPosture}). */
  collect?: () => Promise<PostureFacts>;
  logger?: AgentLogger;
}

/** A running agent server. */
export interface AgentServer {
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops accepting connections, closes open ones and resolves once the server has stopped. */
  close(): Promise<void>;
}

/** The port the agent listens on unless told otherwise. */
export const DEFAULT_AGENT_PORT = 7391;
const MAX_BODY_BYTES = 4096;
const silent: AgentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const reportRequestSchema = z.strictObject({
  nonce: z.string().regex(NONCE_PATTERN, 'must be a nonce issued by the gateway'),
  audience: z.string().max(256),
});

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpFailure(413, 'BODY_TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new HttpFailure(413, 'BODY_TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * Starts the device agent's local HTTP server on 127.0.0.1. The gateway's web app asks it for a signed
 * posture report (`POST /v1/reports` with the gateway's nonce and origin) before each send and fetch.
 *
 * Browsers may call it only from `allowedOrigins` (CORS, including Chrome's Private Network Access
 * preflight), a request from any other origin is refused with 403, and a report is only signed for an
 * audience in `allowedOrigins`, so a web page elsewhere can neither obtain nor redirect reports. Requests
 * without an Origin (command-line clients on this machine) are served. The Host header must name the
 * loopback address, which stops DNS-rebinding pages.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const origins = new Set<string>();
  for (const value of options.allowedOrigins) {
    const origin = toOrigin(value);
    if (!origin) throw new DeviceError('INVALID_ARGUMENT', `${value} is not an http(s) origin`);
    origins.add(origin);
  }
  if (origins.size === 0) throw new DeviceError('INVALID_ARGUMENT', 'at least one allowed origin is needed');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(options.identity.certificatePem);
  } catch (cause) {
    throw new DeviceError('IDENTITY_INVALID', 'the device certificate cannot be parsed', { cause });
  }
  if (!keyMatchesCertificate(options.identity.privateKey, certificate)) {
    throw new DeviceError('IDENTITY_INVALID', 'the device certificate does not certify the device key');
  }
  const collect = options.collect ?? (() => collectPosture());
  const logger = options.logger ?? silent;
  let hosts = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    const cors: Record<string, string> = { vary: 'Origin' };
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        throw new HttpFailure(403, 'ORIGIN_NOT_ALLOWED', 'this origin may not use the agent');
      }
      cors['access-control-allow-origin'] = origin;
    }
    if (!hosts.has(req.headers.host ?? '')) {
      throw new HttpFailure(403, 'HOST_NOT_ALLOWED', 'the agent answers only on 127.0.0.1 and localhost');
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS' && path === '/v1/reports') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-allow-private-network': 'true',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (path === '/healthz') {
      if (req.method !== 'GET') throw new HttpFailure(405, 'METHOD_NOT_ALLOWED', 'use GET');
      send(res, 200, { status: 'ok' }, cors);
      return;
    }
    if (path !== '/v1/reports') throw new HttpFailure(404, 'NOT_FOUND', 'no such endpoint');
    if (req.method !== 'POST') throw new HttpFailure(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpFailure(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request as application/json');
    }
    const body = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpFailure(400, 'MALFORMED_JSON', 'the body is not valid JSON');
    }
    const request = reportRequestSchema.safeParse(json);
    if (!request.success) {
      const issue = request.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
      throw new HttpFailure(400, 'INVALID_REQUEST', `${field}: ${issue?.message ?? 'invalid'}`);
    }
    const audience = toOrigin(request.data.audience);
    if (audience === null || !origins.has(audience)) {
      throw new HttpFailure(403, 'AUDIENCE_NOT_ALLOWED', 'this agent does not sign reports for that gateway');
    }
    let facts: PostureFacts;
    const collectedAt = new Date();
    try {
      facts = await collect();
    } catch (error) {
      logger.error({ err: error }, 'posture collection failed');
      throw new HttpFailure(500, 'COLLECTION_FAILED', 'the device posture could not be collected');
    }
    const report = signReport({
      privateKey: options.identity.privateKey,
      certificatePem: options.identity.certificatePem,
      nonce: request.data.nonce,
      audience,
      facts,
      collectedAt,
    });
    logger.info({ audience, origin: origin ?? null }, 'signed a device report');
    send(res, 200, report, cors);
  }

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      let failure: HttpFailure;
      if (error instanceof HttpFailure) {
        failure = error;
        logger.warn({ code: failure.code, method: req.method, path: req.url }, failure.message);
      } else {
        failure = new HttpFailure(500, 'INTERNAL', 'the device agent failed');
        logger.error({ err: error }, 'request failed');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const origin = req.headers.origin;
      const headers: Record<string, string> = { vary: 'Origin' };
      if (origin !== undefined && origins.has(origin)) headers['access-control-allow-origin'] = origin;
      // The rest of an oversized body is not read: close the connection rather than drain it.
      if (failure.status === 413) headers.connection = 'close';
      send(res, failure.status, { error: { code: failure.code, message: failure.message } }, headers);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      reject(
        new DeviceError('INVALID_ARGUMENT', `cannot listen on 127.0.0.1:${options.port}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    server.listen(options.port, '127.0.0.1', () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  logger.info({ port, origins: [...origins] }, 'device agent listening');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
