import { fabricAttributesOf } from '../fabric-attributes';
import { issuedByAny } from '../trust/certificates';
import * as x509 from '../x509';

/** Roles a user's enrolment certificate may carry; `device` and `gateway` certificates are not people's. */
const USER_ROLES = ['admin', 'technologist', 'doctor', 'patient', 'auditor'];

/**
 * Raised when a certificate handed to the device is not the one its own enrolment
 * must yield: another key, another person, another role or an unknown issuer.
 * A gateway that saw the one-time secret could otherwise enrol a key of its own
 * and sign as the user, or hand back a certificate for a key it holds.
 */
export class CertificateMismatchError extends Error {
  override readonly name = 'CertificateMismatchError';
  readonly code = 'CERT_MISMATCH';
}

/** What the device knows, of itself, that its certificate must say. */
export interface ExpectedCertificate {
  /** The device's own signing public key, SubjectPublicKeyInfo DER. */
  publicKeySpki: Uint8Array;
  enrollmentId: string;
  /**
   * The organisation's CA root certificates (PEM) the device has pinned; the
   * certificate must be issued and signed by one of them. Absent until the
   * device has a pinned trust bundle (issue 19): then only the key, name and
   * role are checked.
   */
  caRoots?: readonly string[];
}

function mismatch(message: string): never {
  throw new CertificateMismatchError(`refusing the certificate: ${message}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Checks, before anything is saved, that `certificatePem` certifies the
 * device's own signing key for `enrollmentId` with a user role, is valid at
 * `at`, and (given pinned roots) was signed by the organisation's CA. Returns
 * the role the certificate carries. Works in the browser and in Node (WebCrypto).
 */
export async function verifyEnrolledCertificate(
  certificatePem: string,
  expected: ExpectedCertificate,
  at: Date = new Date(),
): Promise<string> {
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(certificatePem);
  } catch {
    mismatch('it is not a PEM-encoded X.509 certificate');
  }
  if (!sameBytes(new Uint8Array(certificate.publicKey.rawData), expected.publicKeySpki)) {
    mismatch('it certifies another key than this device made');
  }
  const commonName = certificate.subjectName.getField('CN');
  if (commonName.length !== 1 || commonName[0] !== expected.enrollmentId) {
    mismatch(`it names ${commonName.join(', ') || 'nobody'} instead of ${expected.enrollmentId}`);
  }
  const attrs = fabricAttributesOf(certificate) ?? {};
  if (attrs['hf.EnrollmentID'] !== expected.enrollmentId) {
    mismatch(`its enrolment id attribute is not ${expected.enrollmentId}`);
  }
  const role = attrs.role;
  if (typeof role !== 'string' || !USER_ROLES.includes(role)) {
    mismatch(`it carries no user role (${typeof role === 'string' ? role : 'none'})`);
  }
  if (at < certificate.notBefore || at > certificate.notAfter) mismatch('it is not valid now');
  if (expected.caRoots) await requireIssuedBy(certificate, expected.caRoots, at);
  return role;
}

async function requireIssuedBy(
  certificate: x509.X509Certificate,
  roots: readonly string[],
  at: Date,
): Promise<void> {
  if (!(await issuedByAny(certificate, roots, at))) {
    mismatch('it was not issued by the organisation’s pinned CA');
  }
}
