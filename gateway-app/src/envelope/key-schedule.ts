import { utf8 } from './bytes';
import { type DataKey, dataKeyCryptoKey } from './data-key';
import type { WebCryptoKey } from './web-crypto';

const COMMITMENT_INFO = utf8('medshare/envelope/v1 commitment');
const SEGMENT_KEY_INFO = utf8('medshare/envelope/v1 segment-key');

/** The keys of one file, derived from its data key and salt. */
export interface FileKeys {
  /** The non-extractable AES-256-GCM key of every segment. */
  readonly segmentKey: WebCryptoKey;
  /** 32 bytes in the header that bind the ciphertext to exactly one data key. */
  readonly commitment: Uint8Array<ArrayBuffer>;
}

/** Derives a file's segment key and key commitment with HKDF-SHA256 under the file's salt. */
export async function deriveFileKeys(dataKey: DataKey, salt: Uint8Array<ArrayBuffer>): Promise<FileKeys> {
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', dataKeyCryptoKey(dataKey)));
  let ikm: WebCryptoKey;
  try {
    ikm = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey', 'deriveBits']);
  } finally {
    raw.fill(0);
  }
  const [segmentKey, commitment] = await Promise.all([
    crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt, info: SEGMENT_KEY_INFO },
      ikm,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    ),
    crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: COMMITMENT_INFO }, ikm, 256),
  ]);
  return { segmentKey, commitment: new Uint8Array(commitment) };
}
