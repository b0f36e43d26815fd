import { concatBytes, fromBase64, toBase64, utf8 } from './bytes';
import { type DataKey, dataKeyCryptoKey, dataKeyFromCryptoKey } from './data-key';
import { EnvelopeError } from './errors';
import type { WebCryptoKey, WebCryptoKeyPair } from './web-crypto';

const WRAP_VERSION = 0x01;
const POINT_SIZE = 65;
const WRAPPED_DATA_KEY_SIZE = 40;
/** Size of a decoded wrapped key: version, ephemeral public key, AES-KW output. */
export const WRAPPED_KEY_SIZE = 1 + POINT_SIZE + WRAPPED_DATA_KEY_SIZE;

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** A recipient's encryption key pair: the public half as registered on the chaincode, the private half. */
export interface EncryptionKeyPair {
  /** The public key as base64 SPKI DER, the form the chaincode's registry stores. */
  readonly publicKeySpki: string;
  /** The ECDH P-256 private key, usable for `deriveBits`. */
  readonly privateKey: WebCryptoKey;
}

/** Options of {@link generateEncryptionKeyPair}. */
export interface GenerateKeyPairOptions {
  /**
   * Whether the private key can be exported, to store it on the device as JWK or PKCS #8. False by
   * default, so that it can live only in a non-exportable key store such as IndexedDB.
   */
  extractable?: boolean;
}

/** Options of {@link wrapDataKey}. */
export interface WrapOptions {
  /** The ECDH P-256 ephemeral key pair. Only for test vectors: by default a fresh one is made per wrap. */
  ephemeralKeyPair?: WebCryptoKeyPair;
}

/** A fresh ECDH P-256 key pair for receiving wrapped data keys. */
export async function generateEncryptionKeyPair(
  options: GenerateKeyPairOptions = {},
): Promise<EncryptionKeyPair> {
  const pair = await crypto.subtle.generateKey(ECDH_P256, options.extractable ?? false, ['deriveBits']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { publicKeySpki: toBase64(spki), privateKey: pair.privateKey };
}

/**
 * Imports a recipient's public encryption key.
 *
 * @param spkiBase64 - an EC P-256 public key as base64 SPKI DER.
 * @throws {@link EnvelopeError} `BAD_PUBLIC_KEY` if it is not one.
 */
export async function importEncryptionPublicKey(spkiBase64: string): Promise<WebCryptoKey> {
  const der = fromBase64(spkiBase64);
  if (der === undefined) {
    throw new EnvelopeError('BAD_PUBLIC_KEY', 'the public key is not standard base64');
  }
  try {
    return await crypto.subtle.importKey('spki', der, ECDH_P256, true, []);
  } catch (cause) {
    throw new EnvelopeError('BAD_PUBLIC_KEY', 'the public key is not an EC P-256 key in SPKI DER', { cause });
  }
}

/**
 * Wraps a data key for one recipient: an ephemeral ECDH exchange with the recipient's public key, HKDF
 * bound to both public keys and the recipient id, then AES key wrap (RFC 3394).
 *
 * @param recipientSpkiBase64 - the recipient's public encryption key from the registry.
 * @param recipientId - the recipient's user id; the same id must be given to {@link unwrapDataKey}.
 * @returns base64 of 106 bytes: `0x01`, the ephemeral public key (65 bytes), the wrapped key (40 bytes).
 * @throws {@link EnvelopeError} `BAD_PUBLIC_KEY` if the recipient's key is not a P-256 SPKI key.
 */
export async function wrapDataKey(
  dataKey: DataKey,
  recipientSpkiBase64: string,
  recipientId: string,
  options: WrapOptions = {},
): Promise<string> {
  const recipientPublic = await importEncryptionPublicKey(recipientSpkiBase64);
  const ephemeral =
    options.ephemeralKeyPair ?? (await crypto.subtle.generateKey(ECDH_P256, false, ['deriveBits']));
  const ephemeralRaw = await rawPoint(ephemeral.publicKey);
  const kek = await deriveKeyEncryptionKey(
    ephemeral.privateKey,
    recipientPublic,
    ephemeralRaw,
    await rawPoint(recipientPublic),
    recipientId,
    'wrapKey',
  );
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey('raw', dataKeyCryptoKey(dataKey), kek, 'AES-KW'),
  );
  return toBase64(concatBytes([Uint8Array.of(WRAP_VERSION), ephemeralRaw, wrapped]));
}

/**
 * Unwraps a data key wrapped for this recipient by {@link wrapDataKey}.
 *
 * @param recipient - the recipient's key pair; the public half is part of the key derivation.
 * @param recipientId - the recipient's user id, as given when wrapping.
 * @throws {@link EnvelopeError} `WRONG_KEY` if the key pair or recipient id is not the one it was wrapped
 * for, `BAD_WRAPPED_KEY` if it is malformed, `UNSUPPORTED_VERSION` if it is of another version.
 */
export async function unwrapDataKey(
  wrappedBase64: string,
  recipient: EncryptionKeyPair,
  recipientId: string,
): Promise<DataKey> {
  const bytes = fromBase64(wrappedBase64);
  if (bytes === undefined) {
    throw new EnvelopeError('BAD_WRAPPED_KEY', 'the wrapped key is not standard base64');
  }
  if (bytes.length > 0 && bytes[0] !== WRAP_VERSION) {
    throw new EnvelopeError('UNSUPPORTED_VERSION', `wrapped key version ${bytes[0] ?? 0} is not supported`, {
      details: { version: bytes[0] ?? 0 },
    });
  }
  if (bytes.length !== WRAPPED_KEY_SIZE) {
    throw new EnvelopeError('BAD_WRAPPED_KEY', `the wrapped key must be ${WRAPPED_KEY_SIZE} bytes`, {
      details: { length: bytes.length },
    });
  }
  const ephemeralRaw = bytes.slice(1, 1 + POINT_SIZE);
  let ephemeralPublic: WebCryptoKey;
  try {
    ephemeralPublic = await crypto.subtle.importKey('raw', ephemeralRaw, ECDH_P256, true, []);
  } catch (cause) {
    throw new EnvelopeError('BAD_WRAPPED_KEY', 'the wrapped key does not hold a valid P-256 point', {
      cause,
    });
  }
  const recipientPublic = await importEncryptionPublicKey(recipient.publicKeySpki);
  let kek: WebCryptoKey;
  try {
    kek = await deriveKeyEncryptionKey(
      recipient.privateKey,
      ephemeralPublic,
      ephemeralRaw,
      await rawPoint(recipientPublic),
      recipientId,
      'unwrapKey',
    );
  } catch (cause) {
    throw new EnvelopeError('WRONG_KEY', 'the private key cannot be used to unwrap this key', { cause });
  }
  try {
    const key = await crypto.subtle.unwrapKey(
      'raw',
      bytes.slice(1 + POINT_SIZE),
      kek,
      'AES-KW',
      { name: 'AES-GCM' },
      true,
      ['encrypt', 'decrypt'],
    );
    return dataKeyFromCryptoKey(key);
  } catch (cause) {
    throw new EnvelopeError('WRONG_KEY', 'the key was not wrapped for this key pair and recipient id', {
      cause,
    });
  }
}

/** HKDF-SHA256 over the ECDH secret, salted with both public keys, bound to the recipient id. */
async function deriveKeyEncryptionKey(
  privateKey: WebCryptoKey,
  publicKey: WebCryptoKey,
  ephemeralRaw: Uint8Array,
  recipientRaw: Uint8Array,
  recipientId: string,
  usage: 'wrapKey' | 'unwrapKey',
): Promise<WebCryptoKey> {
  const shared = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256),
  );
  let ikm: WebCryptoKey;
  try {
    ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  } finally {
    shared.fill(0);
  }
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: concatBytes([ephemeralRaw, recipientRaw]),
      info: utf8(`medshare/wrap/v1\n${recipientId}`),
    },
    ikm,
    { name: 'AES-KW', length: 256 },
    false,
    [usage],
  );
}

async function rawPoint(publicKey: WebCryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
}
