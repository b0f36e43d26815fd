#!/usr/bin/env node
import { Command } from 'commander';
import { createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NetworkPlan } from 'medshare-network';
import { toString as qrToString } from 'qrcode';
import { ConfigError, loadConfig } from '../config';
import { parseEnrollmentId, parseGatewayUrl, parseMspId, parseTrustDigest } from './medshare/args';
import { describeFailure, failureLine, UsageError } from './medshare/errors';
import { emit, stdoutSink } from './medshare/output';
import { configureTree } from './medshare/common';
import { processTerminal, readSecret } from './medshare/prompt';
import { bootstrapOperatorKeyFile } from './operator-key-file';
import { trustBundleDigest } from '../trust/bundle';
import { trustBundleOf } from '../trust/from-plan';
import { approveTrustUpdate } from '../trust/approve';
import { parseTrustUpdate, type TrustUpdate } from '../trust/update';

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
  const config = gatewayConfig();
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

interface ProposeOptions {
  previous: string;
  out: string;
  json: boolean;
}

/** Reads the gateway's settings from its environment, or fails with one usage line. */
function gatewayConfig(): ReturnType<typeof loadConfig> {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(
        `run this with the gateway's environment: ${error.problems.join('; ')}`,
        'INVALID_CONFIG',
      );
    }
    throw error;
  }
}

async function propose(options: ProposeOptions): Promise<void> {
  const config = gatewayConfig();
  const plan = JSON.parse(await readFile(config.networkPlanFile, 'utf8')) as NetworkPlan;
  const update: TrustUpdate = {
    v: 1,
    previous: options.previous,
    bundle: await trustBundleOf(plan),
    approvals: [],
  };
  await writeFile(resolve(options.out), `${JSON.stringify(update, null, 2)}\n`, { flag: 'wx' });
  const next = trustBundleDigest(update.bundle);
  emit(
    stdoutSink,
    options.json,
    { previous: options.previous, trustDigest: next, file: resolve(options.out) },
    [
      `trust update ${options.previous} -> ${next} written to ${resolve(options.out)}`,
      'each organisation admin approves it: medshare-gateway-admin trust-update approve --file FILE --msp MSP --admin-msp-dir DIR',
    ],
  );
}

interface ApproveOptions {
  file: string;
  msp: string;
  adminMspDir: string;
  json: boolean;
}

async function approve(options: ApproveOptions): Promise<void> {
  const path = resolve(options.file);
  const update = parseTrustUpdate(JSON.parse(await readFile(path, 'utf8')));
  const [certificatePem, keyPem] = await Promise.all([
    readFile(join(options.adminMspDir, 'signcerts', 'cert.pem'), 'utf8'),
    readFile(join(options.adminMspDir, 'keystore', 'key.pem'), 'utf8'),
  ]);
  const approved = approveTrustUpdate(update, {
    mspId: options.msp,
    certificatePem,
    privateKey: createPrivateKey(keyPem),
  });
  await writeFile(path, `${JSON.stringify(approved, null, 2)}\n`);
  const approvers = approved.approvals.map((a) => a.mspId);
  emit(stdoutSink, options.json, { file: path, approvals: approvers }, [
    `approved by ${options.msp}; approvals now: ${approvers.join(', ')}`,
  ]);
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
  const trustUpdate = new Command('trust-update').description(
    'change the consortium trust bundle devices pinned: propose it, then each organisation admin approves',
  );
  trustUpdate.addCommand(
    new Command('propose')
      .description(
        'write a trust update from the pinned bundle to the one the network\u2019s files describe now',
      )
      .requiredOption('--previous <code>', 'the trust code devices pinned (64 hex digits)', parseTrustDigest)
      .requiredOption('--out <file>', 'where to write the update (must not exist)')
      .option('--json', 'print one JSON object on stdout', false)
      .action((options: ProposeOptions) => propose(options)),
  );
  trustUpdate.addCommand(
    new Command('approve')
      .description('sign a trust update as an organisation admin (with the admin identity\u2019s key)')
      .requiredOption('--file <file>', 'the trust update, changed in place')
      .requiredOption('--msp <id>', 'the admin\u2019s organisation', parseMspId)
      .requiredOption(
        '--admin-msp-dir <dir>',
        'the admin identity\u2019s MSP directory (signcerts/, keystore/)',
      )
      .option('--json', 'print one JSON object on stdout', false)
      .action((options: ApproveOptions) => approve(options)),
  );
  cli.addCommand(trustUpdate);
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
