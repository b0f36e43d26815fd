#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import {
  DEFAULT_AGENT_PORT,
  collectPosture,
  defaultKeyDir,
  enrolDevice,
  loadDeviceIdentity,
  signReport,
  startAgentServer,
} from '../device';
import { toOrigin } from '../device/origin';

const NAME = 'medshare-device-agent';

class UsageError extends Error {}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  }
  return port;
}

function parseOrigin(value: string, previous: string[] = []): string[] {
  const origin = toOrigin(value);
  if (!origin) throw new InvalidArgumentError('must be an http(s) origin such as https://gateway.example');
  return [...previous, origin];
}

async function readSecret(options: { secretFile?: string; secretEnv?: string }): Promise<string> {
  if ((options.secretFile === undefined) === (options.secretEnv === undefined)) {
    throw new UsageError(
      'give the enrolment secret with exactly one of --secret-file FILE and --secret-env VAR',
    );
  }
  if (options.secretEnv !== undefined) {
    const secret = process.env[options.secretEnv];
    if (!secret) throw new UsageError(`environment variable ${options.secretEnv} is not set or empty`);
    return secret;
  }
  let text: string;
  try {
    text = await readFile(options.secretFile ?? '', 'utf8');
  } catch {
    throw new UsageError(`cannot read the secret file ${options.secretFile ?? ''}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new UsageError(`the secret file ${options.secretFile ?? ''} is empty`);
  return secret;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function program(): Command {
  const cli = new Command(NAME)
    .description('MedShare device agent: enrols this device and signs its security posture for the gateway')
    .showHelpAfterError(false);

  cli
    .command('enrol')
    .description('generate this device key and have it certified through the gateway (role=device)')
    .requiredOption('--gateway <url>', 'the gateway, e.g. https://gateway.hospital-a.example')
    .requiredOption('--msp <id>', 'MSP ID of your organisation, e.g. HospitalAMSP')
    .requiredOption('--id <name>', 'the enrolment id your operator registered for this device')
    .option('--secret-file <file>', 'file holding the enrolment secret')
    .option('--secret-env <var>', 'environment variable holding the enrolment secret')
    .option('--key-dir <dir>', 'where the device identity is kept', defaultKeyDir())
    .option('--force', 'replace an existing device key', false)
    .action(
      async (options: {
        gateway: string;
        msp: string;
        id: string;
        secretFile?: string;
        secretEnv?: string;
        keyDir: string;
        force: boolean;
      }) => {
        const identity = await enrolDevice({
          gatewayUrl: options.gateway,
          mspId: options.msp,
          enrollmentId: options.id,
          secret: await readSecret(options),
          keyDir: options.keyDir,
          force: options.force,
        });
        process.stdout.write(
          `enrolled device ${identity.deviceId} (${identity.mspId}, ${identity.enrollmentId}) in ${identity.keyDir}\n`,
        );
      },
    );

  cli
    .command('serve')
    .description('serve signed posture reports to the gateway web app on 127.0.0.1 until interrupted')
    .option('--key-dir <dir>', 'where the device identity is kept', defaultKeyDir())
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', parsePort, DEFAULT_AGENT_PORT)
    .requiredOption('--allow-origin <url...>', 'origins of the gateways this agent signs for', parseOrigin)
    .option('--log-level <level>', 'log level on stderr (info, warn, error, silent)', 'warn')
    .action(async (options: { keyDir: string; port: number; allowOrigin: string[]; logLevel: string }) => {
      if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(options.logLevel)) {
        throw new UsageError('--log-level must be one of trace, debug, info, warn, error, fatal, silent');
      }
      const identity = await loadDeviceIdentity(options.keyDir);
      const logger = pino({ name: NAME, level: options.logLevel }, pino.destination({ dest: 2, sync: true }));
      const server = await startAgentServer({
        identity,
        port: options.port,
        allowedOrigins: options.allowOrigin,
        logger,
      });
      process.stderr.write(`device agent listening on ${server.url}\n`);
      const signal = await untilSignal();
      logger.info({ signal }, 'shutting down');
      await server.close();
    });

  cli
    .command('report')
    .description('print a signed posture report for a gateway challenge (for command-line clients)')
    .option('--key-dir <dir>', 'where the device identity is kept', defaultKeyDir())
    .requiredOption('--nonce <nonce>', 'the nonce the gateway issued')
    .requiredOption('--audience <url>', 'origin of the gateway the report is for')
    .action(async (options: { keyDir: string; nonce: string; audience: string }) => {
      const audience = toOrigin(options.audience);
      if (!audience)
        throw new UsageError('--audience must be an http(s) origin such as https://gateway.example');
      const identity = await loadDeviceIdentity(options.keyDir);
      const collectedAt = new Date();
      const facts = await collectPosture();
      const report = signReport({
        privateKey: identity.privateKey,
        certificatePem: identity.certificatePem,
        nonce: options.nonce,
        audience,
        facts,
        collectedAt,
      });
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });

  cli
    .command('posture')
    .description("print this machine's posture facts as the agent reports them")
    .action(async () => {
      process.stdout.write(`${JSON.stringify(await collectPosture(), null, 2)}\n`);
    });

  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${NAME}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 1;
  });
