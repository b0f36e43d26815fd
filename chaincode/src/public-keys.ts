import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Parsed public keys, remembered by their encoding. Importing an EC key
 * validates its point, which cost as much as the signature check itself (a
 * chaincode profile at saturation put `createPublicKey` at 13% of the server's
 * CPU). The same few senders' certificates and gateways' keys come back on
 * every transfer. The cache only memoises a pure function of its input, so an
 * endorsement does not depend on what the server saw before.
 */
const MAX_ENTRIES = 1024;
const cache = new Map<string, KeyObject>();

function remembered(id: string, parse: () => KeyObject): KeyObject {
  const hit = cache.get(id);
  if (hit) return hit;
  const key = parse();
  // Bounded without bookkeeping: when full, start over (a cold cache is only slower).
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(id, key);
  return key;
}

/** The public key of a PEM certificate; throws as `createPublicKey` does if it is not one. */
export function certificatePublicKey(certificatePem: string): KeyObject {
  return remembered(`pem:${certificatePem}`, () => createPublicKey(certificatePem));
}

/** A public key from base64 SPKI DER; throws as `createPublicKey` does if it is not one. */
export function spkiPublicKey(spkiBase64: string): KeyObject {
  return remembered(`spki:${spkiBase64}`, () =>
    createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' }),
  );
}

/** How many keys are remembered (for tests). */
export function cachedKeyCount(): number {
  return cache.size;
}
