import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AuthError } from './errors';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Bound into every seal, so a box cannot be taken for another format or another use of the same key.
const CONTEXT = 'medshare/secret-box/v1\0';

/**
 * Decodes the server's secret-box key from its configured base64 form.
 *
 * @throws {@link AuthError} `INVALID_ARGUMENT` unless it is exactly 32 bytes of base64.
 */
export function secretBoxKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64.trim()) || key.length !== KEY_BYTES) {
    throw new AuthError('INVALID_ARGUMENT', 'the secret-box key must be 32 bytes in base64');
  }
  return key;
}

/**
 * Seals a small secret (a TOTP secret) for storage with AES-256-GCM under the server key and a fresh
 * 96-bit nonce. `aad` (the account id) is authenticated but not stored: the box opens only for the
 * same `aad`, so a sealed secret copied onto another account's row is refused.
 *
 * @returns `v1.<base64url of nonce, ciphertext and tag>`.
 */
export function seal(plain: string, key: Uint8Array, aad: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(CONTEXT + aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/**
 * Opens what {@link seal} sealed.
 *
 * @throws {@link AuthError} `SEALED_SECRET_INVALID` when the box is malformed, altered, sealed under
 *   another key or for another `aad`.
 */
export function open(sealed: string, key: Uint8Array, aad: string): string {
  assertKey(key);
  const dot = sealed.indexOf('.');
  const bytes = Buffer.from(sealed.slice(dot + 1), 'base64url');
  if (sealed.slice(0, dot) !== VERSION || !/^[A-Za-z0-9_-]+$/.test(sealed.slice(dot + 1))) {
    throw invalid('the sealed secret is not in a known format');
  }
  if (bytes.length < IV_BYTES + TAG_BYTES) throw invalid('the sealed secret is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(CONTEXT + aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch (error) {
    throw invalid('the sealed secret does not open: altered, or sealed for another account or key', error);
  }
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) {
    throw new AuthError('INVALID_ARGUMENT', 'the secret-box key must be 32 bytes', {
      details: { length: key.length },
    });
  }
}

function invalid(message: string, cause?: unknown): AuthError {
  return new AuthError('SEALED_SECRET_INVALID', message, { cause });
}
