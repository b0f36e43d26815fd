import { importSigningKey } from '../../../src/client/signer';
import type { TrustBundle } from '../../../src/trust/bundle';
import { accountKey, saveIdentity, type StoredIdentity } from '../app/keystore';

/** The private keys of an account as bytes, on their way into this browser's key store. */
export interface DeviceIdentityBytes {
  mspId: string;
  enrollmentId: string;
  /** The ledger user id (from the certificate). */
  userId: string;
  certificatePem: string;
  /** ECDSA P-256 signing key, PKCS#8 DER. */
  signingPkcs8: Uint8Array;
  /** ECDH P-256 encryption key, PKCS#8 DER. */
  encryptionPkcs8: Uint8Array;
  /** The encryption public key as base64 SPKI DER, as registered on the ledger. */
  encryptionPublicKeySpki: string;
  /** The trust bundle pinned with these keys (see `StoredIdentity.trustBundle`). */
  trustBundle?: TrustBundle;
}

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

async function importEncryptionKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  const copy = new Uint8Array(pkcs8);
  try {
    return await crypto.subtle.importKey('pkcs8', copy, ECDH_P256, false, ['deriveBits']);
  } finally {
    copy.fill(0);
  }
}

/**
 * Imports an account's keys as non-extractable CryptoKeys: from then on the
 * page can sign and unwrap with them, but no script can read them out. The
 * caller still owns (and should zero) the byte arrays it passed in.
 */
export async function importDeviceIdentity(bytes: DeviceIdentityBytes): Promise<StoredIdentity> {
  return {
    account: accountKey(bytes.mspId, bytes.enrollmentId),
    mspId: bytes.mspId,
    userId: bytes.userId,
    certificatePem: bytes.certificatePem,
    signingKey: await importSigningKey(bytes.signingPkcs8, false),
    encryption: {
      publicKeySpki: bytes.encryptionPublicKeySpki,
      privateKey: await importEncryptionKey(bytes.encryptionPkcs8),
    },
    ...(bytes.trustBundle ? { trustBundle: bytes.trustBundle } : {}),
    savedAt: new Date().toISOString(),
  };
}

/** Keeps an identity in this browser's key store, refusing any private key that could be read out. */
export async function saveDeviceIdentity(identity: StoredIdentity): Promise<void> {
  const keys = [identity.signingKey, identity.encryption.privateKey];
  if (keys.some((key) => key.extractable)) {
    throw new Error('refusing to store an extractable private key in this browser');
  }
  await saveIdentity(identity);
}
