import { p256 } from '@noble/curves/nist';
import type { WebCryptoKey } from '../envelope';
import * as x509 from '../x509';

/**
 * Whether `certificate` was issued and signed by one of `roots` (PEM) and is
 * valid at `at`. The one chain check of every certificate a device meets:
 * its own at enrolment, peers' in endorsements, admins' in trust updates,
 * users' in directory entries. Browser and Node alike (WebCrypto).
 */
export async function issuedByAny(
  certificate: x509.X509Certificate,
  roots: readonly string[],
  at: Date,
): Promise<boolean> {
  for (const pem of roots) {
    try {
      const root = new x509.X509Certificate(pem);
      if (
        root.subject === certificate.issuer &&
        (await certificate.verify({ publicKey: root.publicKey, date: at, signatureOnly: false }, crypto))
      ) {
        return true;
      }
    } catch {
      /* a root that does not parse or verify: try the next */
    }
  }
  return false;
}

/** A certificate's P-256 public key, for {@link verifyDerSignature}. */
export function verificationKeyOf(certificate: x509.X509Certificate): Promise<WebCryptoKey> {
  return crypto.subtle.importKey(
    'spki',
    new Uint8Array(certificate.publicKey.rawData),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  );
}

/**
 * Verifies a DER-encoded ECDSA P-256 signature over SHA-256 of `data`, as
 * Fabric peers, Fabric CA identities and Node's `crypto.sign` make them.
 * False for a signature that is not DER at all.
 */
export async function verifyDerSignature(
  key: WebCryptoKey,
  der: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = new Uint8Array(p256.Signature.fromBytes(der, 'der').toBytes('compact'));
  } catch {
    return false;
  }
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, new Uint8Array(data));
}
