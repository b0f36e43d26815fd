#!/usr/bin/env node
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { NetworkPlan } from 'medshare-network';
import { toString as qrToString } from 'qrcode';
import { ConfigError, loadConfig } from '../config';
import { parseEnrollmentId, parseGatewayUrl, parseMspId } from './medshare/args';
import { describeFailure, failureLine, UsageError } from './medshare/errors';
import { emit, stdoutSink } from './medshare/output';
import { configureTree } from './medshare/common';
import { processTerminal, readSecret } from './medshare/prompt';
import { bootstrapOperatorKeyFile } from './operator-key-file';
import { trustBundleDigest } from '../trust/bundle';
import { trustBundleOf } from '../trust/from-plan';

const NAME = 'medshare-gateway-admin';

interface BootstrapOptions {
  msp: string;
  name: string;
  adminMspDir: string;
  keyFile: string;
  gateway?: string;
  passwordFile?: string;
  json: boolean;
}

async function bootstrap(options: BootstrapOptions): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(
        `run this with the gateway's environment: ${error.problems.join('; ')}`,
        'INVALID_CONFIG',
      );
    }
    throw error;
  }
  const password = await readSecret(
    {
      what: 'operator password',
      fileOption: '--password-file',
      file: options.passwordFile,
      envVar: 'MEDSHARE_PASSWORD',
      confirm: true,
    },
    process.env,
    processTerminal(),
  );
  const gatewayUrl = options.gateway ?? config.publicOrigin;
  const keyFile = resolve(options.keyFile);
  // The network's own files on this host: the trust the operator's key file pins.
  const trustBundle = await trustBundleOf(
    JSON.parse(await readFile(config.networkPlanFile, 'utf8')) as NetworkPlan,
  );
  const made = await bootstrapOperatorKeyFile({
    trustBundle,
    database: config.databaseFile,
    totpKey: config.totpKey,
    gatewayUrl,
    mspId: options.msp,
    enrollmentId: options.name,
    adminMspDir: options.adminMspDir,
    keyFile,
    password,
  });
  const qr = options.json ? '' : await qrToString(made.totpUri, { type: 'terminal', small: true });
  emit(
    stdoutSink,
    options.json,
    {
      accountId: made.accountId,
      userId: made.userId,
      mspId: options.msp,
      enrollmentId: options.name,
      gatewayUrl,
      keyFile,
      trustDigest: trustBundleDigest(trustBundle),
      totp: { secret: made.totpSecret, uri: made.totpUri },
    },
    [
      `operator ${options.name} of ${options.msp} created (account ${made.accountId}, ledger id ${made.userId})`,
      `key file: ${keyFile} (the admin's private key: give it to the operator only)`,
      `trust code: ${trustBundleDigest(trustBundle)} (the consortium's trust bundle, pinned in the key file)`,
      'Add the account to the operator\u2019s authenticator app; the secret is shown only now:',
      `  secret: ${made.totpSecret}`,
      `  uri:    ${made.totpUri}`,
      qr.trimEnd(),
      `Then: medshare login --key-file ${keyFile}`,
    ],
  );
}

function program(): Command {
  const cli = new Command(NAME).description('MedShare gateway administration, run on the gateway host');
  cli.addCommand(
    new Command('bootstrap-operator')
      .description(
        'create an organisation\u2019s first operator from its network admin identity and write their key file',
      )
      .requiredOption('--msp <id>', 'the organisation\u2019s MSP ID', parseMspId)
      .requiredOption('--name <id>', 'the operator\u2019s login name', parseEnrollmentId)
      .requiredOption(
        '--admin-msp-dir <dir>',
        'the admin identity\u2019s MSP directory (signcerts/, keystore/)',
      )
      .requiredOption('--key-file <file>', 'where to write the operator\u2019s key file (must not exist)')
      .option(
        '--gateway <url>',
        'the gateway URL for the key file (default GATEWAY_PUBLIC_ORIGIN)',
        parseGatewayUrl,
      )
      .option('--password-file <file>', 'file holding the password (else $MEDSHARE_PASSWORD or a prompt)')
      .option('--json', 'print one JSON object on stdout', false)
      .action((options: BootstrapOptions) => bootstrap(options)),
  );
  configureTree(cli);
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const failure = describeFailure(error);
    if (failure.exitCode !== 0) process.stderr.write(failureLine(NAME, failure));
    process.exitCode = failure.exitCode;
  });
