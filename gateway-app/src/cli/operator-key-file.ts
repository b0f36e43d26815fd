import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountStore, TotpService, validatePasswordPolicy } from '../auth';
import { openDatabase, type Database } from '../db';
import { privilegedRoleOf } from '../device/certificate';
import { bootstrapOperator } from '../operator-bootstrap';
import type { TrustBundle } from '../trust/bundle';
import { newEncryptionKeyPem, saveKeyFile, type KeyFile } from './key-file';

/**
 * Stable codes of {@link OperatorKeyFileError}.
 *
 * - `KEY_FILE_EXISTS`: the key file to write exists already; nothing was done.
 * - `ADMIN_MSP_INVALID`: the admin MSP directory has no readable certificate or private key.
 * - `KEY_MISMATCH`: the private key is not the certificate's.
 * - `NOT_ADMIN`: the certificate does not carry `role=admin` with `powers=admin`.
 * - `WEAK_PASSWORD`: the password fails the gateway's password policy.
 */
export type OperatorKeyFileErrorCode =
  'KEY_FILE_EXISTS' | 'ADMIN_MSP_INVALID' | 'KEY_MISMATCH' | 'NOT_ADMIN' | 'WEAK_PASSWORD';

/** A refusal of {@link bootstrapOperatorKeyFile}, found before the gateway's database was touched. */
export class OperatorKeyFileError extends Error {
  override readonly name = 'OperatorKeyFileError';
  readonly code: OperatorKeyFileErrorCode;

  constructor(code: OperatorKeyFileErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Options of {@link bootstrapOperatorKeyFile}. */
export interface OperatorKeyFileOptions {
  /** The gateway's SQLite database: its path (opened and closed here), or an open connection (left open). */
  database: string | Database;
  /** The gateway's key sealing TOTP secrets at rest (`GATEWAY_TOTP_KEY`, 32 bytes). */
  totpKey: Buffer;
  /** The gateway URL the operator's CLI will use (written into the key file). */
  gatewayUrl: string;
  mspId: string;
  /** The operator's login name on the gateway. */
  enrollmentId: string;
  /**
   * The admin identity's MSP directory, as the network wrote it: `signcerts/*.pem` (the
   * certificate, with `role=admin`) and `keystore/*` (its private key; the first file is used).
   */
  adminMspDir: string;
  /** Where to write the operator's key file (mode 0600); it must not exist. */
  keyFile: string;
  /** The operator's gateway password (the gateway's password policy applies). */
  password: string;
  /**
   * The consortium's trust bundle, read from the network's files on this host
   * (`trustBundleOf`): pinned in the key file, and its digest goes into every
   * invitation the operator makes.
   */
  trustBundle: TrustBundle;
}

/** What {@link bootstrapOperatorKeyFile} made. */
export interface OperatorKeyFileResult {
  accountId: string;
  /** The operator's ledger id, derived from the certificate. */
  userId: string;
  keyFile: string;
  /** The TOTP secret (base32) for the operator's authenticator: shown once, sealed in the database. */
  totpSecret: string;
  /** The same as an `otpauth://` URI. */
  totpUri: string;
}

async function firstFile(directory: string, filter: (name: string) => boolean): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(directory, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && filter(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    throw new OperatorKeyFileError('ADMIN_MSP_INVALID', `cannot read ${directory}`);
  }
  const first = names[0];
  if (first === undefined) throw new OperatorKeyFileError('ADMIN_MSP_INVALID', `${directory} holds no file`);
  return join(directory, first);
}

/**
 * Reads an admin identity from its MSP directory: the certificate from
 * `signcerts/*.pem` and the private key (as PKCS#8 PEM) from `keystore/*`,
 * checked to be a pair and the certificate to carry `role=admin`.
 */
export async function readAdminMsp(adminMspDir: string): Promise<{ certificatePem: string; keyPem: string }> {
  const certificatePem = await readFile(
    await firstFile(join(adminMspDir, 'signcerts'), (n) => n.endsWith('.pem')),
    'utf8',
  );
  const keyText = await readFile(await firstFile(join(adminMspDir, 'keystore'), () => true), 'utf8');
  let certificate: X509Certificate;
  let keyPem: string;
  try {
    certificate = new X509Certificate(certificatePem);
    keyPem = createPrivateKey(keyText).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new OperatorKeyFileError(
      'ADMIN_MSP_INVALID',
      `${adminMspDir} holds no readable certificate and key`,
    );
  }
  const spki = (pem: string | X509Certificate) =>
    (typeof pem === 'string' ? createPublicKey(pem) : pem.publicKey).export({ type: 'spki', format: 'der' });
  if (!spki(keyPem).equals(spki(certificate))) {
    throw new OperatorKeyFileError('KEY_MISMATCH', 'the keystore\u2019s key is not the certificate\u2019s');
  }
  if (privilegedRoleOf(certificatePem) !== 'admin') {
    throw new OperatorKeyFileError(
      'NOT_ADMIN',
      'the certificate does not carry role=admin with the powers only the CA\u2019s bootstrap registrar issues (network identity add)',
    );
  }
  return { certificatePem, keyPem };
}

/**
 * Creates an organisation's first operator on the gateway host, from the
 * admin identity the network enrolled, and writes the operator's CLI key file
 * (the admin's signing key and certificate, and a new encryption key pair).
 * The account's TOTP is confirmed at the operator's first `medshare login`.
 * Nothing is written to the database if the key file exists, the MSP
 * directory is unusable or the password is weak.
 *
 * @throws {@link OperatorKeyFileError} for those; the errors of `bootstrapOperator` and the account
 *   store (`ALREADY_EXISTS` when the organisation has that operator already).
 */
export async function bootstrapOperatorKeyFile(
  options: OperatorKeyFileOptions,
): Promise<OperatorKeyFileResult> {
  const problems = validatePasswordPolicy(options.password, { contextWords: [options.enrollmentId] });
  if (problems.length > 0) {
    throw new OperatorKeyFileError('WEAK_PASSWORD', problems.map((p) => p.message).join(' '));
  }
  const admin = await readAdminMsp(options.adminMspDir);
  const { userId } = identityOfCertificate(options.mspId, admin.certificatePem);
  try {
    await (await open(options.keyFile, 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new OperatorKeyFileError('KEY_FILE_EXISTS', `${options.keyFile} exists already`);
    }
    throw error;
  }
  let written = false;
  const db = typeof options.database === 'string' ? openDatabase(options.database) : options.database;
  try {
    const encryption = await newEncryptionKeyPem();
    const totp = new TotpService();
    const { accountId, totpSecret } = await bootstrapOperator(new AccountStore(db), totp, options.totpKey, {
      mspId: options.mspId,
      enrollmentId: options.enrollmentId,
      certificatePem: admin.certificatePem,
      encryptionPublicKey: encryption.publicSpki,
      password: options.password,
    });
    const keyFile: KeyFile = {
      v: 1,
      gatewayUrl: options.gatewayUrl,
      mspId: options.mspId,
      enrollmentId: options.enrollmentId,
      userId,
      role: 'admin',
      certificatePem: admin.certificatePem,
      signingKey: admin.keyPem,
      encryptionKey: encryption.privatePem,
      encryptionPublicKey: encryption.publicSpki,
      trustBundle: options.trustBundle,
    };
    await saveKeyFile(options.keyFile, keyFile);
    written = true;
    const { uri } = await totp.enrolment(totpSecret, `${options.mspId}/${options.enrollmentId}`);
    return { accountId, userId, keyFile: options.keyFile, totpSecret, totpUri: uri };
  } finally {
    if (!written) await rm(options.keyFile, { force: true });
    if (typeof options.database === 'string') db.close();
  }
}
