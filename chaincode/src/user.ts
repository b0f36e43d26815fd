import { createHash, createPublicKey } from 'node:crypto';
import { ChaincodeError } from './errors';
import { keyBindingText, type KeyBindingStatement } from './key-binding';
import type { Role } from './roles';

/** Key agreement algorithms accepted for users' encryption keys. */
export type KeyAlgorithm = 'P-256' | 'X25519';

/** A user's public encryption key (SubjectPublicKeyInfo, DER, base64). */
export interface EncryptionKey {
  spki: string;
  algorithm: KeyAlgorithm;
  /** SHA-256 of the DER bytes, hex: what people compare out of band. */
  fingerprint: string;
  since: string;
  retiredAt?: string;
  /** 1 for the key registered first, one more at each rotation; absent only on keys registered before bindings. */
  version?: number;
  /**
   * The owner's ECDSA P-256 signature (IEEE P1363, base64) over
   * {@link keyBindingMessage}: made with the signing key of the certificate
   * the user registered with, so no admin, gateway or operator can bind a key
   * of theirs to the user.
   */
  binding?: string;
}

/** A user's public signing key (their certificate's, SubjectPublicKeyInfo DER, base64). */
export interface SigningKey {
  spki: string;
  /** SHA-256 of the DER bytes, hex. */
  fingerprint: string;
}

/** Whether a user may act. */
export type UserStatus = 'active' | 'suspended';

/** A registry entry. It holds no name or other personal identifier: only ids, role and keys. */
export interface UserRecord {
  docType: 'user';
  userId: string;
  mspId: string;
  role: Role;
  status: UserStatus;
  encryptionKey: EncryptionKey;
  keyHistory: EncryptionKey[];
  /**
   * The public key of the certificate the user registered with: receivers
   * check a sender's transfer signature against it without trusting anyone
   * who relays the record.
   */
  signingKey: SigningKey;
  registeredAt: string;
  registeredBy: string;
  updatedAt: string;
}

const MAX_KEY_LENGTH = 512;

/**
 * Validates a public encryption key given as base64 SPKI DER: an EC P-256 or
 * X25519 public key, nothing else. Deterministic: parsing only.
 */
export function parseEncryptionKey(spki: string, since: string): EncryptionKey {
  if (spki.length === 0 || spki.length > MAX_KEY_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(spki)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `encryption key must be base64 SPKI of at most ${MAX_KEY_LENGTH} characters`,
    );
  }
  const der = Buffer.from(spki, 'base64');
  let algorithm: KeyAlgorithm;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'x25519') {
      algorithm = 'X25519';
    } else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
      algorithm = 'P-256';
    } else {
      throw new Error('unsupported');
    }
  } catch {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'encryption key must be an EC P-256 or X25519 public key (SPKI)',
    );
  }
  return {
    spki: der.toString('base64'),
    algorithm,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    since,
  };
}

const HEX_ID = /^[0-9a-f]{64}$/;

/** Validates a user id argument (64 lower-case hex characters). */
export function validateUserId(userId: string): string {
  if (!HEX_ID.test(userId)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'userId must be 64 lower-case hexadecimal characters');
  }
  return userId;
}

/** The P-256 public key of a PEM certificate, as a {@link SigningKey}. Deterministic: parsing only. */
export function signingKeyOfCertificate(certificatePem: string): SigningKey {
  let der: Buffer;
  try {
    const key = createPublicKey(certificatePem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('unsupported');
    }
    der = key.export({ type: 'spki', format: 'der' });
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the certificate must carry an EC P-256 public key');
  }
  return { spki: der.toString('base64'), fingerprint: createHash('sha256').update(der).digest('hex') };
}

/** The bytes of {@link keyBindingText}: what the chaincode verifies a key binding over. */
export function keyBindingMessage(s: KeyBindingStatement): Buffer {
  return Buffer.from(keyBindingText(s), 'utf8');
}
