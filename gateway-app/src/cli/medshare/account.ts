import { Command } from 'commander';
import { open, rm } from 'node:fs/promises';
import { toString as qrToString } from 'qrcode';
import { ApiError, GatewayClient } from '../../client/api-client';
import { finishEnrolment, startEnrolment } from '../../client/enrolment';
import { getUser, type UserView } from '../../client/flows';
import { registerOwnKey } from '../../client/key-binding';
import { validatePasswordPolicy } from '../../auth/password';
import { keyFileOfEnrolment, pkcs8Der, saveKeyFile } from '../key-file';
import { nodeUploader } from '../node-uploader';
import { accountSummary } from './operator';
import { parseCode, parseEnrollmentId, parseGatewayUrl, parseMspId, parseTrustDigest } from './args';
import { withCommonOptions } from './common';
import { CliError, UsageError } from './errors';
import { emit, table } from './output';
import { readCode, readSecret, readValueFile } from './prompt';
import { FileCookieJar, sessionPathOf, writeSessionFile } from './session-file';
import { keyFilePathOf, withWorkstation, Workstation, type CommonOptions, type Runtime } from './workstation';

function passwordSource(file: string | undefined, confirm = false) {
  return { what: 'password', fileOption: '--password-file', file, envVar: 'MEDSHARE_PASSWORD', confirm };
}

/** The invitation's one-time secret: from exactly one of `--secret-file` and `--secret-env`. */
export async function invitationSecret(
  options: { secretFile?: string; secretEnv?: string },
  env: Runtime['env'],
): Promise<string> {
  if ((options.secretFile === undefined) === (options.secretEnv === undefined)) {
    throw new UsageError(
      'give the invitation secret with exactly one of --secret-file FILE and --secret-env VAR',
    );
  }
  if (options.secretFile !== undefined) return readValueFile(options.secretFile, 'secret');
  const secret = env[options.secretEnv ?? ''];
  if (!secret) throw new UsageError(`environment variable ${options.secretEnv ?? ''} is not set or empty`);
  return secret;
}

/**
 * Creates the key file empty and exclusively, so that an existing one is
 * never overwritten and the directory is known writable before the one-time
 * secret is spent.
 */
async function reserveKeyFile(path: string): Promise<void> {
  try {
    await (await open(path, 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${path} exists already; give another --key-file`, 'KEY_FILE_EXISTS');
    }
    throw new UsageError(`cannot create the key file ${path}: ${(error as Error).message}`);
  }
}

interface EnrolOptions extends CommonOptions {
  gateway: string;
  msp: string;
  name: string;
  trust: string;
  secretFile?: string;
  secretEnv?: string;
  passwordFile?: string;
}

async function enrol(options: EnrolOptions, runtime: Runtime): Promise<void> {
  const path = keyFilePathOf(options.keyFile, runtime.env);
  const secret = await invitationSecret(options, runtime.env);
  const password = await readSecret(
    passwordSource(options.passwordFile, true),
    runtime.env,
    runtime.terminal,
  );
  await reserveKeyFile(path);
  let saved = false;
  try {
    const jar = new FileCookieJar();
    const client = new GatewayClient(options.gateway, { cookieJar: jar, uploader: nodeUploader });
    const pending = await startEnrolment(client, {
      mspId: options.msp,
      enrollmentId: options.name,
      secret,
      password,
      trustDigest: options.trust,
    });
    const keyFile = keyFileOfEnrolment(pending, { gatewayUrl: options.gateway, enrollmentId: options.name });
    await saveKeyFile(path, keyFile);
    saved = true;
    await writeSessionFile(sessionPathOf(path), {
      v: 1,
      gatewayUrl: options.gateway,
      cookies: jar.toRecord(),
    });
    const { secret: totpSecret, uri } = pending.totp;
    const qr = options.json ? '' : await qrToString(uri, { type: 'terminal', small: true });
    emit(
      runtime.out,
      options.json === true,
      {
        userId: keyFile.userId,
        mspId: keyFile.mspId,
        enrollmentId: keyFile.enrollmentId,
        role: keyFile.role,
        keyFile: path,
        totp: { secret: totpSecret, uri },
        next: 'medshare activate --code CODE',
      },
      [
        `enrolled ${keyFile.enrollmentId} (${keyFile.mspId}, ${keyFile.role}) as user ${keyFile.userId}`,
        `key file: ${path} (your private keys: keep it to yourself)`,
        'Add this account to your authenticator app; the secret is shown only now:',
        `  secret: ${totpSecret}`,
        `  uri:    ${uri}`,
        qr.trimEnd(),
        'Then run: medshare activate --code CODE (with your backup passphrase)',
      ],
    );
  } catch (error) {
    if (!saved) await rm(path, { force: true });
    throw error;
  }
}

interface ActivateOptions extends CommonOptions {
  code: string;
  passphraseFile?: string;
  passwordFile?: string;
}

async function activate(options: ActivateOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'any', async (station) => {
    const file = station.keyFile;
    const passphrase = await readSecret(
      {
        what: 'backup passphrase',
        fileOption: '--passphrase-file',
        file: options.passphraseFile,
        envVar: 'MEDSHARE_PASSPHRASE',
        confirm: true,
      },
      runtime.env,
      runtime.terminal,
    );
    const problems = validatePasswordPolicy(passphrase, { contextWords: [file.enrollmentId] });
    if (problems.length > 0) {
      throw new UsageError(
        `the backup passphrase is weak: ${problems.map((p) => p.message).join(' ')}`,
        'WEAK_PASSPHRASE',
      );
    }
    const session = await station.client.session();
    if (session.state === 'signed-in') {
      throw new CliError(
        'ALREADY_SIGNED_IN',
        'this key file is signed in already; run medshare logout, then medshare activate again',
      );
    }
    if (session.state !== 'totp-required') {
      // The enrolment's session expired: the password opens a new one.
      const password = await readSecret(passwordSource(options.passwordFile), runtime.env, runtime.terminal);
      await station.client.login(file.mspId, file.enrollmentId, password);
    }
    const keys = await station.keys();
    const done = await finishEnrolment(
      station.client,
      {
        keys,
        trustBundle: keys.trust,
        signingKeyPkcs8: pkcs8Der(file.signingKey),
        encryptionKeyPkcs8: pkcs8Der(file.encryptionKey),
        certificatePem: file.certificatePem,
      },
      { code: options.code, backupPassphrase: passphrase },
    );
    emit(runtime.out, options.json === true, { ...done, state: 'signed-in' }, [
      `activated: registered on the ledger as ${done.userId} (${done.registrationTxId ? `tx ${done.registrationTxId}` : 'with this key already'})`,
      'key backup stored with the gateway (it cannot open it); you are signed in',
    ]);
  });
}

interface LoginOptions extends CommonOptions {
  code?: string;
  passwordFile?: string;
}

async function login(options: LoginOptions, runtime: Runtime): Promise<void> {
  const station = await Workstation.open(options, runtime, 'any');
  await station.run(async () => {
    const file = station.keyFile;
    const password = await readSecret(passwordSource(options.passwordFile), runtime.env, runtime.terminal);
    if (options.code === undefined && !runtime.terminal.interactive) {
      throw new UsageError('give the code from your authenticator with --code CODE');
    }
    await station.client.login(file.mspId, file.enrollmentId, password);
    const code = await readCode(options.code, runtime.terminal);
    const { account } = await station.client.confirmTotp(code);
    // An admin acts only through its registry entry, which its own device registers, at its first sign-in.
    const registered =
      account.role === 'admin' ? await registerOwnKey(station.client, await station.keys()) : undefined;
    emit(
      runtime.out,
      options.json === true,
      {
        state: 'signed-in',
        gatewayUrl: file.gatewayUrl,
        account: {
          accountId: account.accountId,
          mspId: account.mspId,
          enrollmentId: account.enrollmentId,
          role: account.role,
          userId: account.userId,
        },
      },
      [
        `signed in to ${file.gatewayUrl} as ${account.enrollmentId} (${account.mspId}, ${account.role})`,
        ...(registered
          ? [`registered your admin entry and encryption key on the ledger (tx ${registered})`]
          : []),
      ],
    );
  });
}

async function logout(options: CommonOptions, runtime: Runtime): Promise<void> {
  const station = await Workstation.open(options, runtime, 'any');
  if (!station.hasSession) {
    emit(runtime.out, options.json === true, { state: 'signed-out' }, ['not signed in']);
    return;
  }
  try {
    await station.client.session();
    await station.client.logout();
  } finally {
    await station.forget();
  }
  emit(runtime.out, options.json === true, { state: 'signed-out' }, ['signed out']);
}

async function whoami(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const account = await station.client.me();
    let ledger: UserView | null = null;
    if (account.userId) {
      ledger = await getUser(station.client, await station.keys(), account.userId).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      });
    }
    emit(
      runtime.out,
      options.json === true,
      { account: accountSummary(account), ledger, gatewayUrl: station.keyFile.gatewayUrl },
      table([
        ['account', account.accountId],
        ['login', `${account.mspId}/${account.enrollmentId}`],
        ['role', account.role],
        ['status', account.status],
        ['user id', account.userId ?? '(none)'],
        [
          'ledger',
          ledger
            ? `${ledger.status} ${ledger.role}, encryption key ${ledger.encryptionKey.fingerprint}`
            : 'not registered',
        ],
        ['gateway', station.keyFile.gatewayUrl],
      ]),
    );
  });
}

/** `enrol`, `activate`, `login`, `logout`, `whoami`. */
export function accountCommands(runtime: Runtime): Command[] {
  const enrolCommand = withCommonOptions(
    new Command('enrol')
      .description(
        'enrol with your operator\u2019s invitation: keys are made here, the certificate by your CA',
      )
      .requiredOption('--gateway <url>', 'your organisation\u2019s gateway', parseGatewayUrl)
      .requiredOption('--msp <id>', 'your organisation\u2019s MSP ID, e.g. HospitalAMSP', parseMspId)
      .requiredOption('--name <id>', 'the enrolment id your operator invited', parseEnrollmentId)
      .requiredOption(
        '--trust <code>',
        'the trust code of your invitation: the consortium\u2019s trust bundle this device pins',
        parseTrustDigest,
      )
      .option('--secret-file <file>', 'file holding the invitation\u2019s one-time secret')
      .option('--secret-env <var>', 'environment variable holding the invitation\u2019s one-time secret')
      .option(
        '--password-file <file>',
        'file holding your new password (else $MEDSHARE_PASSWORD or a prompt)',
      ),
  ).action((options: EnrolOptions) => enrol(options, runtime));

  const activateCommand = withCommonOptions(
    new Command('activate')
      .description('confirm your authenticator, store your key backup, and register on the ledger')
      .requiredOption('--code <code>', 'the code your authenticator shows now', parseCode)
      .option(
        '--passphrase-file <file>',
        'file holding the backup passphrase (else $MEDSHARE_PASSPHRASE or a prompt)',
      )
      .option('--password-file <file>', 'your password, if the enrolment session expired'),
  ).action((options: ActivateOptions) => activate(options, runtime));

  const loginCommand = withCommonOptions(
    new Command('login')
      .description('sign in: password, then the code from your authenticator')
      .option('--code <code>', 'the code your authenticator shows now (else a prompt)', parseCode)
      .option('--password-file <file>', 'file holding your password (else $MEDSHARE_PASSWORD or a prompt)'),
  ).action((options: LoginOptions) => login(options, runtime));

  const logoutCommand = withCommonOptions(
    new Command('logout').description('sign out: the session ends on the gateway and its file is deleted'),
  ).action((options: CommonOptions) => logout(options, runtime));

  const whoamiCommand = withCommonOptions(
    new Command('whoami').description('your account on the gateway and your entry on the ledger'),
  ).action((options: CommonOptions) => whoami(options, runtime));

  return [enrolCommand, activateCommand, loginCommand, logoutCommand, whoamiCommand];
}
