import { scryptAsync } from '@noble/hashes/scrypt';
import { z } from 'zod';
import { fromBase64, toBase64, utf8 } from '../envelope/bytes';
import { parseTrustBundle, type TrustBundle } from '../trust/bundle';

/**
 * What a backup holds: the device's two private keys (PKCS#8), the certificate
 * and the trust bundle pinned at enrolment. Sealed under the user's
 * passphrase, the bundle comes back as the device pinned it: a gateway that
 * stores the backup cannot swap in anchors of its own.
 */
export interface BackedUpKeys {
  signingKeyPkcs8: Uint8Array;
  encryptionKeyPkcs8: Uint8Array;
  certificatePem: string;
  /** Absent only in backups made before devices pinned a bundle. */
  trustBundle?: TrustBundle;
}

/** scrypt cost: 64 MiB of memory per guess, so that a stolen backup resists offline guessing. */
const KDF = { N: 2 ** 16, r: 8, p: 1 } as const;
const FORMAT = 'medshare/key-backup/v1';

/** A passphrase-wrapped backup, as stored by the gateway (which cannot open it). */
export interface KeyBackup {
  v: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  ciphertext: string;
}

// Bounded so that a forged backup cannot make the device derive keys for minutes.
const backupSchema = z.object({
  v: z.literal(1),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(2)
      .max(2 ** 20),
    r: z.number().int().min(1).max(16),
    p: z.number().int().min(1).max(4),
    salt: z.string(),
  }),
  iv: z.string(),
  ciphertext: z.string(),
});

/** Thrown when a backup cannot be opened: wrong passphrase, another account's backup, or damage. */
export class KeyBackupError extends Error {
  override readonly name = 'KeyBackupError';
  readonly code = 'KEY_BACKUP_UNREADABLE';
}

async function deriveKey(passphrase: string, salt: Uint8Array, kdf: { N: number; r: number; p: number }) {
  const bytes = await scryptAsync(utf8(passphrase.normalize('NFKC')), salt, { ...kdf, dkLen: 32 });
  return crypto.subtle.importKey('raw', new Uint8Array(bytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * Wraps the keys under a key derived from the passphrase with scrypt, bound to
 * the account (`account` is additional data, so a backup cannot be swapped in
 * for another account's).
 */
export async function createKeyBackup(
  keys: BackedUpKeys,
  passphrase: string,
  account: string,
  options: { cost?: number } = {},
): Promise<string> {
  const kdf = { ...KDF, N: options.cost ?? KDF.N };
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = utf8(
    JSON.stringify({
      signingKey: toBase64(keys.signingKeyPkcs8),
      encryptionKey: toBase64(keys.encryptionKeyPkcs8),
      certificate: keys.certificatePem,
      ...(keys.trustBundle ? { trustBundle: keys.trustBundle } : {}),
    }),
  );
  const key = await deriveKey(passphrase, salt, kdf);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(`${FORMAT}\n${account}`) },
    key,
    plain,
  );
  const backup: KeyBackup = {
    v: 1,
    kdf: { name: 'scrypt', ...kdf, salt: toBase64(salt) },
    iv: toBase64(iv),
    ciphertext: toBase64(new Uint8Array(sealed)),
  };
  return JSON.stringify(backup);
}

/** Opens a backup made by {@link createKeyBackup}; throws {@link KeyBackupError} on any failure. */
export async function openKeyBackup(
  blob: string,
  passphrase: string,
  account: string,
): Promise<BackedUpKeys> {
  try {
    const parsed = backupSchema.safeParse(JSON.parse(blob));
    if (!parsed.success) throw new KeyBackupError('not a MedShare key backup');
    const backup = parsed.data;
    const salt = fromBase64(backup.kdf.salt);
    const iv = fromBase64(backup.iv);
    const ciphertext = fromBase64(backup.ciphertext);
    if (!salt || !iv || !ciphertext) throw new KeyBackupError('the backup is not base64');
    const { N, r, p } = backup.kdf;
    const key = await deriveKey(passphrase, salt, { N, r, p });
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(`${FORMAT}\n${account}`) },
      key,
      ciphertext,
    );
    const keys = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
    const signingKey = typeof keys.signingKey === 'string' ? fromBase64(keys.signingKey) : undefined;
    const encryptionKey = typeof keys.encryptionKey === 'string' ? fromBase64(keys.encryptionKey) : undefined;
    if (!signingKey || !encryptionKey || typeof keys.certificate !== 'string') {
      throw new KeyBackupError('the backup is incomplete');
    }
    let trustBundle: TrustBundle | undefined;
    try {
      trustBundle = keys.trustBundle === undefined ? undefined : parseTrustBundle(keys.trustBundle);
    } catch (error) {
      throw new KeyBackupError('the backup’s trust bundle is malformed', { cause: error });
    }
    return {
      signingKeyPkcs8: signingKey,
      encryptionKeyPkcs8: encryptionKey,
      certificatePem: keys.certificate,
      ...(trustBundle ? { trustBundle } : {}),
    };
  } catch (error) {
    if (error instanceof KeyBackupError) throw error;
    throw new KeyBackupError('wrong passphrase, or the backup belongs to another account or is damaged', {
      cause: error,
    });
  }
}
