import { createPrivateKey } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { generateEncryptionKeyPair, type EncryptionKeyPair } from '../envelope';
import type { PendingEnrolment } from '../client/enrolment';
import { fabricAttributesOf } from '../device/certificate';
import { importSigningKey, webCryptoSigner } from '../client/signer';
import type { DeviceKeys } from '../client/flows';
import { TrustBundleError, type TrustBundle } from '../trust/bundle';

/**
 * A user's keys on a workstation, as the CLI keeps them (mode 0600): the
 * Fabric signing key and certificate, and the encryption key pair. The
 * gateway never sees this file.
 */
export interface KeyFile {
  v: 1;
  gatewayUrl: string;
  mspId: string;
  enrollmentId: string;
  userId: string;
  role: string;
  certificatePem: string;
  /** PKCS#8 PEM. */
  signingKey: string;
  /** PKCS#8 PEM (ECDH P-256). */
  encryptionKey: string;
  /** base64 SPKI DER. */
  encryptionPublicKey: string;
  /**
   * The consortium's trust anchors this device pinned: an operator's from the
   * network's own files on the gateway host, a user's at enrolment against the
   * digest in their invitation. Proposals are signed only for its channel and
   * chaincode, and an operator's invitations carry its digest.
   */
  trustBundle?: TrustBundle;
}

/** Writes a key file atomically with mode 0600. */
export async function saveKeyFile(path: string, file: KeyFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Reads a key file; one clear line if it is missing or malformed. */
export async function loadKeyFile(path: string): Promise<KeyFile> {
  let file: KeyFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
  } catch (error) {
    throw new Error(`cannot read key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!file.signingKey || !file.encryptionKey || !file.certificatePem) {
    throw new Error(`${path} is not a MedShare key file`);
  }
  return file;
}

/** A PKCS#8 PEM private key as DER bytes. */
export const pkcs8Der = (pem: string): Uint8Array =>
  new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));

/** PKCS#8 DER bytes as PEM. */
export const pkcs8Pem = (der: Uint8Array): string =>
  createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();

/** An ECDH P-256 key pair from a PKCS#8 PEM private key, imported non-extractable. */
export async function importEncryptionKeyPair(
  privatePem: string,
  publicSpki: string,
): Promise<EncryptionKeyPair> {
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    pkcs8Der(privatePem),
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  return { publicKeySpki: publicSpki, privateKey };
}

/** The device keys of a key file, imported as non-extractable WebCrypto keys. */
export async function deviceKeysOf(file: KeyFile): Promise<DeviceKeys> {
  return {
    mspId: file.mspId,
    userId: file.userId,
    signer: webCryptoSigner(await importSigningKey(pkcs8Der(file.signingKey)), file.certificatePem),
    encryption: await importEncryptionKeyPair(file.encryptionKey, file.encryptionPublicKey),
    trust:
      file.trustBundle ??
      ((): never => {
        throw new TrustBundleError(
          'TRUST_BUNDLE_MISSING',
          'this key file has no pinned trust bundle: enrol again with the trust code from your invitation',
        );
      })(),
  };
}

/** The key file of a user whose enrolment has started: their keys, certificate and ledger id. */
export function keyFileOfEnrolment(
  pending: PendingEnrolment,
  where: { gatewayUrl: string; enrollmentId: string },
): KeyFile {
  return {
    v: 1,
    gatewayUrl: where.gatewayUrl,
    mspId: pending.keys.mspId,
    enrollmentId: where.enrollmentId,
    userId: pending.keys.userId,
    role: fabricAttributesOf(pending.certificatePem)?.role ?? 'unknown',
    certificatePem: pending.certificatePem,
    signingKey: pkcs8Pem(pending.signingKeyPkcs8),
    encryptionKey: pkcs8Pem(pending.encryptionKeyPkcs8),
    encryptionPublicKey: pending.keys.encryption.publicKeySpki,
    trustBundle: pending.trustBundle,
  };
}

/** A fresh ECDH P-256 pair as PKCS#8 PEM and base64 SPKI. */
export async function newEncryptionKeyPem(): Promise<{ privatePem: string; publicSpki: string }> {
  const pair = await generateEncryptionKeyPair({ extractable: true });
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return {
    privatePem: pkcs8Pem(der),
    publicSpki: pair.publicKeySpki,
  };
}
