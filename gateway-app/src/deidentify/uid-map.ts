import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';

const encoder = new TextEncoder();

/**
 * Replaces UIDs consistently within one set of instances (PS3.15 E.1, action `U`): the same UID always
 * gives the same replacement under one key, so a study's instances still name the same study, series and
 * frame of reference; another key (another send) gives unrelated UIDs, so two de-identified copies of a
 * study cannot be linked by them. A replacement is `2.25.` and a version-8 UUID taken from
 * HMAC-SHA-256(key, UID), written as one decimal integer (PS3.5 B.2).
 */
export class UidMap {
  readonly #key: Uint8Array;
  readonly #cache = new Map<string, string>();

  /** @param key - at least 16 random bytes; a fresh one for each set of instances. */
  constructor(key: Uint8Array = crypto.getRandomValues(new Uint8Array(32))) {
    if (key.length < 16) throw new RangeError('a UID map key has at least 16 bytes');
    this.#key = key.slice();
  }

  /** The replacement of `uid`. */
  map(uid: string): string {
    const known = this.#cache.get(uid);
    if (known !== undefined) return known;
    const digest = hmac(sha256, this.#key, encoder.encode(uid));
    let value = 0n;
    for (const byte of digest.subarray(0, 16)) value = (value << 8n) | BigInt(byte);
    value = (value & ~(0xfn << 76n)) | (0x8n << 76n);
    value = (value & ~(0x3n << 62n)) | (0x2n << 62n);
    const mapped = `2.25.${value.toString()}`;
    this.#cache.set(uid, mapped);
    return mapped;
  }
}
