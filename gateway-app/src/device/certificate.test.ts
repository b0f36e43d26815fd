import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import {
  deviceIdOf,
  fabricAttributesOf,
  isP256,
  issuedBy,
  keyMatchesCertificate,
  CERTIFICATE_PEM_PATTERN,
} from './certificate';
import { createTestCa, issueDeviceCertificate, type TestCa, type TestDevice } from './testing';

const DAY_MS = 86_400_000;

describe('device certificates', () => {
  let ca: TestCa;
  let device: TestDevice;
  before(async () => {
    ca = await createTestCa();
    device = await issueDeviceCertificate(ca, { cn: 'dev1' });
  });

  it('names a device by the SHA-256 of its SubjectPublicKeyInfo', () => {
    const spki = new X509Certificate(device.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(deviceIdOf(device.certificatePem), createHash('sha256').update(spki).digest('hex'));
    assert.equal(device.deviceId, deviceIdOf(device.certificatePem));
  });

  it("reads Fabric CA's attribute extension", () => {
    assert.deepEqual(fabricAttributesOf(device.certificatePem), {
      role: 'device',
      'hf.EnrollmentID': 'dev1',
      'hf.Type': 'client',
    });
    assert.equal(fabricAttributesOf(ca.certificatePem), null, 'no extension');
    assert.equal(fabricAttributesOf('not a certificate'), null);
  });

  it('checks issuer, signature and validity', async () => {
    const cert = new X509Certificate(device.certificatePem);
    const root = new X509Certificate(ca.certificatePem);
    assert.equal(issuedBy(cert, root, new Date()), true);
    assert.equal(issuedBy(cert, root, new Date(Date.now() + 400 * DAY_MS)), false, 'expired');
    assert.equal(issuedBy(cert, root, new Date(Date.now() - 2 * DAY_MS)), false, 'not yet valid');
    const other = new X509Certificate((await createTestCa()).certificatePem);
    assert.equal(issuedBy(cert, other, new Date()), false, 'same name, other key');
    assert.equal(issuedBy(cert, cert, new Date()), false, 'not a CA');
  });

  it('matches keys to certificates and recognises P-256', () => {
    const cert = new X509Certificate(device.certificatePem);
    assert.equal(keyMatchesCertificate(device.privateKey, cert), true);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assert.equal(keyMatchesCertificate(other.privateKey, cert), false);
    assert.equal(isP256(other.privateKey), true);
    assert.equal(isP256(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), false);
    assert.equal(isP256(generateKeyPairSync('ed25519').privateKey), false);
  });

  it('accepts exactly one PEM certificate', () => {
    assert.match(device.certificatePem, CERTIFICATE_PEM_PATTERN);
    assert.doesNotMatch(device.certificatePem + device.certificatePem, CERTIFICATE_PEM_PATTERN);
    assert.doesNotMatch(device.certificatePem.replace('CERTIFICATE', 'PRIVATE KEY'), CERTIFICATE_PEM_PATTERN);
  });
});
