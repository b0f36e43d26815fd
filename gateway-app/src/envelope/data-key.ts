import { copyBytes } from './bytes';
import { EnvelopeError } from './errors';
import { DATA_KEY_SIZE } from './format';
import type { WebCryptoKey } from './web-crypto';

let keyOf: (dataKey: DataKey) => WebCryptoKey;
let create: (key: WebCryptoKey) => DataKey;

/**
 * The 32-byte secret that encrypts one file. It never leaves this module unwrapped: it is turned into
 * per-file keys with HKDF, and shared only wrapped for a recipient with {@link wrapDataKey}.
 */
export class DataKey {
  // Extractable only so that WebCrypto can wrap it and feed it to HKDF; there is no way to read it out.
  readonly #key: WebCryptoKey;

  private constructor(key: WebCryptoKey) {
    this.#key = key;
  }

  static {
    keyOf = (dataKey) => dataKey.#key;
    create = (key) => new DataKey(key);
  }

  /** A fresh data key of 32 random bytes. */
  static async generate(): Promise<DataKey> {
    const bytes = crypto.getRandomValues(new Uint8Array(DATA_KEY_SIZE));
    try {
      return await DataKey.fromBytes(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  /**
   * A data key from its 32 bytes, for test vectors and tests. Applications use {@link DataKey.generate}
   * and {@link unwrapDataKey}.
   */
  static async fromBytes(bytes: Uint8Array): Promise<DataKey> {
    if (bytes.length !== DATA_KEY_SIZE) {
      throw new EnvelopeError('INVALID_ARGUMENT', `a data key must be ${DATA_KEY_SIZE} bytes`);
    }
    const raw = copyBytes(bytes);
    try {
      return create(
        await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']),
      );
    } finally {
      raw.fill(0);
    }
  }
}

/** The WebCrypto key behind a data key, for the key schedule and key wrapping only. */
export function dataKeyCryptoKey(dataKey: DataKey): WebCryptoKey {
  return keyOf(dataKey);
}

/** A data key around an unwrapped AES-GCM key. */
export function dataKeyFromCryptoKey(key: WebCryptoKey): DataKey {
  return create(key);
}
