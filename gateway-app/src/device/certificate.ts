import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

export { FABRIC_ATTRIBUTES_OID, fabricAttributesOf, privilegedRoleOf } from '../fabric-attributes';

/** The value of the `role` attribute that makes an enrolment certificate a device certificate. */
export const DEVICE_ROLE = 'device';

/** One PEM certificate and nothing else. */
export const CERTIFICATE_PEM_PATTERN =
  /^-----BEGIN CERTIFICATE-----\r?\n(?:[A-Za-z0-9+/=]{1,76}\r?\n)+-----END CERTIFICATE-----\r?\n?$/;

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * A device's id: SHA-256 (lower-case hex) of its certificate's SubjectPublicKeyInfo DER. It names the
 * key pair, so it stays the same when the same key is certified again. Throws when `certificate` is
 * not a parsable certificate.
 */
export function deviceIdOf(certificate: X509Certificate | string): string {
  const cert = typeof certificate === 'string' ? new X509Certificate(certificate) : certificate;
  return createHash('sha256').update(spkiDer(cert.publicKey)).digest('hex');
}

/** Whether a key is an EC key on P-256, the only curve device keys use. */
export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** Whether `privateKey` is the private half of the key `certificate` certifies. */
export function keyMatchesCertificate(privateKey: KeyObject, certificate: X509Certificate): boolean {
  try {
    return spkiDer(createPublicKey(privateKey)).equals(spkiDer(certificate.publicKey));
  } catch {
    return false;
  }
}

/**
 * Whether `certificate` was issued and signed by `issuer`, a CA certificate, and both are within their
 * validity period at `at`. Chains are not followed: Fabric CA issues enrolment certificates from its root.
 */
export function issuedBy(certificate: X509Certificate, issuer: X509Certificate, at: Date): boolean {
  try {
    return (
      issuer.ca &&
      certificate.checkIssued(issuer) &&
      certificate.verify(issuer.publicKey) &&
      withinValidity(certificate, at) &&
      withinValidity(issuer, at)
    );
  } catch {
    return false;
  }
}

function withinValidity(certificate: X509Certificate, at: Date): boolean {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  const t = at.getTime();
  return Number.isFinite(from) && Number.isFinite(to) && from <= t && t <= to;
}
