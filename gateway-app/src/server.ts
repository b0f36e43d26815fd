#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { NetworkPlan } from 'medshare-network';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config';
import { buildGateway } from './gateway';

const VERSION = '0.1.0';

/** Fields that must never reach a log line, wherever they appear. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.secret',
  '*.code',
  '*.keyBackup',
  '*.signature',
];

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, redact: REDACT, base: { service: 'medshare-gateway' } });
  const plan = JSON.parse(await readFile(config.networkPlanFile, 'utf8')) as NetworkPlan;
  const gateway = await buildGateway(config, plan, logger, VERSION);
  await gateway.announce();
  const server = gateway.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.requestTimeout = 0; // Uploads of large studies stream for as long as they need.
  server.headersTimeout = 30_000;
  const { port } = server.address() as AddressInfo;
  logger.info({ port, origin: config.publicOrigin }, 'gateway listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      gateway.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`medshare-gateway: ${message}\n`);
  process.exit(1);
});
