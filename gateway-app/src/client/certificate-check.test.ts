import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestCa, issueFromCsr, type TestCa } from '../device/testing';
import { CertificateMismatchError, verifyEnrolledCertificate } from './certificate-check';
import { createCsr } from './csr';
import { generateSigningKeyPair } from './signer';

const DAY_MS = 86_400_000;

/**
 * The device's check of the certificate the gateway hands back at enrolment,
 * from the side of a gateway that saw the one-time secret: a certificate for a
 * key of its own, for someone else, with another role, expired, or from a CA the
 * device has not pinned. Each is refused with CERT_MISMATCH.
 */
describe('verifyEnrolledCertificate', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let csr: string;
  let ownSpki: Uint8Array;
  let otherKeyCsr: string;

  before(async () => {
    ca = await createTestCa('HospitalA');
    otherCa = await createTestCa('HospitalA');
    const own = await generateSigningKeyPair(true);
    ownSpki = new Uint8Array(await crypto.subtle.exportKey('spki', own.publicKey));
    csr = await createCsr(own, 'alice');
    otherKeyCsr = await createCsr(await generateSigningKeyPair(true), 'alice');
  });

  const attrs = (role: string, id = 'alice') => ({ role, 'hf.EnrollmentID': id, 'hf.Type': 'client' });
  const expected = () => ({ publicKeySpki: ownSpki, enrollmentId: 'alice', caRoots: [ca.certificatePem] });

  async function assertRefused(certificatePem: string, reason: RegExp, roots = [ca.certificatePem]) {
    await assert.rejects(
      verifyEnrolledCertificate(certificatePem, { ...expected(), caRoots: roots }),
      (error: unknown) => {
        assert.ok(error instanceof CertificateMismatchError, String(error));
        assert.equal(error.code, 'CERT_MISMATCH');
        assert.match(error.message, /^refusing the certificate: /);
        assert.match(error.message, reason);
        return true;
      },
    );
  }

  it('accepts the certificate of its own key, name and role, issued by the pinned CA', async () => {
    const pem = await issueFromCsr(ca, csr, { attrs: attrs('patient') });
    assert.equal(await verifyEnrolledCertificate(pem, expected()), 'patient');
    // Among several pinned roots, and before a trust bundle is pinned (no roots): key, name and role only.
    assert.equal(
      await verifyEnrolledCertificate(pem, {
        ...expected(),
        caRoots: [otherCa.certificatePem, ca.certificatePem],
      }),
      'patient',
    );
    assert.equal(
      await verifyEnrolledCertificate(pem, { publicKeySpki: ownSpki, enrollmentId: 'alice' }),
      'patient',
    );
  });

  it('refuses a certificate for a key the device did not make', async () => {
    await assertRefused(
      await issueFromCsr(ca, otherKeyCsr, { attrs: attrs('patient') }),
      /another key than this device made/,
    );
  });

  it('refuses a certificate naming someone else', async () => {
    await assertRefused(
      await issueFromCsr(ca, csr, { cn: 'mallory', attrs: attrs('patient', 'mallory') }),
      /names mallory instead of alice/,
    );
    await assertRefused(
      await issueFromCsr(ca, csr, { attrs: attrs('patient', 'mallory') }),
      /enrolment id attribute is not alice/,
    );
  });

  it('refuses a certificate without a user role: none, a device, a gateway', async () => {
    await assertRefused(await issueFromCsr(ca, csr, { attrs: null }), /enrolment id attribute is not alice/);
    await assertRefused(
      await issueFromCsr(ca, csr, { attrs: { 'hf.EnrollmentID': 'alice' } }),
      /no user role \(none\)/,
    );
    await assertRefused(await issueFromCsr(ca, csr, { attrs: attrs('device') }), /no user role \(device\)/);
    await assertRefused(await issueFromCsr(ca, csr, { attrs: attrs('gateway') }), /no user role \(gateway\)/);
  });

  it('refuses an expired or not yet valid certificate', async () => {
    const past = { notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) };
    await assertRefused(await issueFromCsr(ca, csr, { ...past, attrs: attrs('patient') }), /not valid now/);
    const future = { notBefore: new Date(Date.now() + DAY_MS), notAfter: new Date(Date.now() + 10 * DAY_MS) };
    await assertRefused(await issueFromCsr(ca, csr, { ...future, attrs: attrs('patient') }), /not valid now/);
  });

  it('refuses a certificate from another CA than the pinned one, even with the same name', async () => {
    await assertRefused(
      await issueFromCsr(otherCa, csr, { attrs: attrs('patient') }),
      /not issued by the organisation’s pinned CA/,
    );
    // A pinned root that is not a certificate does not stand for any CA.
    await assertRefused(await issueFromCsr(ca, csr, { attrs: attrs('patient') }), /pinned CA/, ['junk']);
  });

  it('refuses what is not a certificate', async () => {
    await assertRefused('', /not a PEM-encoded X\.509 certificate/);
    await assertRefused('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /not a PEM/);
  });
});
