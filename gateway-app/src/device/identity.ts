import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { deviceIdOf, isP256, keyMatchesCertificate } from './certificate';
import { DeviceError } from './errors';

/** A device's identity as the agent keeps it in its key directory. */
export interface DeviceIdentity {
  keyDir: string;
  mspId: string;
  enrollmentId: string;
  /** The gateway the device enrolled through. */
  gatewayUrl: string;
  /** SHA-256 hex of the certificate's SubjectPublicKeyInfo DER. */
  deviceId: string;
  certificatePem: string;
  /** The organisation CA's certificate, as the gateway returned it at enrolment. */
  caCertificatePem: string;
  privateKey: KeyObject;
}

/** The files of a key directory. */
export const IDENTITY_FILES = {
  key: 'device-key.pem',
  certificate: 'device-cert.pem',
  ca: 'ca.pem',
  metadata: 'device.json',
} as const;

const metadataSchema = z.strictObject({
  mspId: z.string().min(1).max(64),
  enrollmentId: z.string().min(1).max(64),
  gatewayUrl: z.string().min(1).max(2048),
  deviceId: z.string().regex(/^[0-9a-f]{64}$/),
});

/** `${XDG_CONFIG_HOME:-~/.config}/medshare/device` (a relative XDG_CONFIG_HOME is ignored, as the XDG spec says). */
export function defaultKeyDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(config, 'medshare', 'device');
}

/** Whether the key directory already holds a device key. */
export async function hasDeviceKey(keyDir: string): Promise<boolean> {
  try {
    await stat(join(keyDir, IDENTITY_FILES.key));
    return true;
  } catch {
    return false;
  }
}

async function writeAtomically(path: string, data: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes an identity into its key directory (created with mode 0700 if missing): the private key as
 * PKCS#8 PEM with mode 0600, the certificates, and `device.json`. Each file is replaced atomically.
 */
export async function saveDeviceIdentity(identity: DeviceIdentity): Promise<void> {
  const dir = identity.keyDir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = identity.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const metadata = {
    mspId: identity.mspId,
    enrollmentId: identity.enrollmentId,
    gatewayUrl: identity.gatewayUrl,
    deviceId: identity.deviceId,
  };
  await writeAtomically(join(dir, IDENTITY_FILES.key), key.toString(), 0o600);
  await writeAtomically(join(dir, IDENTITY_FILES.certificate), identity.certificatePem, 0o644);
  await writeAtomically(join(dir, IDENTITY_FILES.ca), identity.caCertificatePem, 0o644);
  await writeAtomically(join(dir, IDENTITY_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`, 0o644);
}

async function readIdentityFile(keyDir: string, name: string): Promise<string> {
  try {
    return await readFile(join(keyDir, name), 'utf8');
  } catch (cause) {
    throw new DeviceError(
      'IDENTITY_INVALID',
      `${join(keyDir, name)} cannot be read; enrol the device first (medshare-device-agent enrol)`,
      { cause, details: { keyDir } },
    );
  }
}

/**
 * Reads the identity in `keyDir` and checks it: the key is P-256 and only its owner can read it, the
 * certificate certifies that key, and `device.json` names the same device. Throws {@link DeviceError}
 * IDENTITY_INVALID saying what is wrong.
 */
export async function loadDeviceIdentity(keyDir: string): Promise<DeviceIdentity> {
  const invalid = (message: string, cause?: unknown) =>
    new DeviceError('IDENTITY_INVALID', message, { cause, details: { keyDir } });
  const keyPath = join(keyDir, IDENTITY_FILES.key);
  const keyPem = await readIdentityFile(keyDir, IDENTITY_FILES.key);
  if (process.platform !== 'win32' && ((await stat(keyPath)).mode & 0o077) !== 0) {
    throw invalid(`${keyPath} can be read by other users; restrict it with chmod 600`);
  }
  const certificatePem = await readIdentityFile(keyDir, IDENTITY_FILES.certificate);
  const caCertificatePem = await readIdentityFile(keyDir, IDENTITY_FILES.ca);
  const metadataText = await readIdentityFile(keyDir, IDENTITY_FILES.metadata);
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(keyPem);
    certificate = new X509Certificate(certificatePem);
  } catch (cause) {
    throw invalid(`${keyDir}: the key or the certificate cannot be parsed`, cause);
  }
  if (!isP256(privateKey)) throw invalid(`${keyPath} is not a P-256 key`);
  if (!keyMatchesCertificate(privateKey, certificate)) {
    throw invalid(`${keyDir}: the certificate does not certify the device key; enrol again with --force`);
  }
  let metadata: z.infer<typeof metadataSchema>;
  try {
    metadata = metadataSchema.parse(JSON.parse(metadataText));
  } catch (cause) {
    throw invalid(`${join(keyDir, IDENTITY_FILES.metadata)} is malformed`, cause);
  }
  if (metadata.deviceId !== deviceIdOf(certificate)) {
    throw invalid(`${join(keyDir, IDENTITY_FILES.metadata)} names another device than the certificate`);
  }
  return { keyDir, ...metadata, certificatePem, caCertificatePem, privateKey };
}
