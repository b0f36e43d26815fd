import { p256 } from '@noble/curves/nist';
import type { WebCryptoKey, WebCryptoKeyPair } from '../envelope';

/**
 * Signs on the user's device. Fabric peers, orderers and the Fabric CA accept
 * only DER-encoded ECDSA signatures with a low S value, so every signature
 * leaving the device goes through {@link toLowSDer}.
 */
export interface DeviceSigner {
  /** The signer's enrolment certificate (PEM), issued by its organisation's CA. */
  readonly certificatePem: string;
  /** The private key, for the transfer signature the chaincode checks (ECDSA P-256, SHA-256). */
  readonly privateKey: WebCryptoKey;
  /** Signs `message` (hashed with SHA-256 here), returning a low-S DER signature. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Converts a WebCrypto (IEEE P1363, r‖s) P-256 signature to DER with S normalised to the low half. */
export function toLowSDer(p1363: Uint8Array): Uint8Array {
  if (p1363.length !== 64) {
    throw new RangeError(`expected a 64-byte P-256 signature, got ${p1363.length} bytes`);
  }
  const signature = p256.Signature.fromBytes(p1363, 'compact');
  const n = p256.Point.Fn.ORDER;
  return (signature.hasHighS() ? new p256.Signature(signature.r, n - signature.s) : signature).toBytes('der');
}

/** A {@link DeviceSigner} over a WebCrypto ECDSA P-256 private key, which may be non-extractable. */
export function webCryptoSigner(privateKey: WebCryptoKey, certificatePem: string): DeviceSigner {
  return {
    certificatePem,
    privateKey,
    async sign(message: Uint8Array): Promise<Uint8Array> {
      const signature = await crypto.subtle.sign(ECDSA_SHA256, privateKey, copy(message));
      return toLowSDer(new Uint8Array(signature));
    },
  };
}

/** Generates a P-256 signing key pair on the device. */
export async function generateSigningKeyPair(extractable: boolean): Promise<WebCryptoKeyPair> {
  return crypto.subtle.generateKey(ECDSA_P256, extractable, ['sign', 'verify']);
}

/** Imports a PKCS#8 P-256 signing key, non-extractable unless asked. */
export async function importSigningKey(pkcs8: Uint8Array, extractable = false): Promise<WebCryptoKey> {
  return crypto.subtle.importKey('pkcs8', copy(pkcs8), ECDSA_P256, extractable, ['sign']);
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
