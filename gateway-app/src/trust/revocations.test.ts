import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  createTestCa,
  issueCrl,
  issueDeviceCertificate,
  serialOf,
  type TestCa,
  type TestDevice,
} from '../device/testing';
import { RevocationList } from './revocations';

describe('RevocationList', () => {
  let ca: TestCa;
  let impostor: TestCa;
  let revoked: TestDevice;
  let kept: TestDevice;

  before(async () => {
    [ca, impostor] = await Promise.all([createTestCa('HospitalA'), createTestCa('HospitalA')]);
    revoked = await issueDeviceCertificate(ca, { cn: 'revoked' });
    kept = await issueDeviceCertificate(ca, { cn: 'kept' });
  });

  it('revokes what a CRL signed by the organisation root lists, and nothing else', async () => {
    const list = await RevocationList.of([
      {
        mspId: 'HospitalAMSP',
        rootCertificates: [ca.certificatePem],
        crls: [await issueCrl(ca, [serialOf(revoked.certificatePem)])],
      },
    ]);
    assert.equal(list.size, 1);
    assert.deepEqual(list.ignored, []);
    assert.equal(list.isRevoked(revoked.certificatePem), true);
    assert.equal(list.isRevoked(kept.certificatePem), false);
  });

  it('matches serial numbers whatever their leading zeros', async () => {
    const serial = serialOf(kept.certificatePem);
    const list = await RevocationList.of([
      {
        mspId: 'HospitalAMSP',
        rootCertificates: [ca.certificatePem],
        crls: [await issueCrl(ca, [`00${serial}`])],
      },
    ]);
    assert.equal(list.isRevoked(kept.certificatePem), true);
  });

  it('ignores a CRL that another key signed under the same CA name: whoever relays CRLs cannot make one up', async () => {
    const forged = await issueCrl(impostor, [serialOf(kept.certificatePem)]);
    const list = await RevocationList.of([
      { mspId: 'HospitalAMSP', rootCertificates: [ca.certificatePem], crls: [forged, 'not a CRL'] },
    ]);
    assert.equal(list.isRevoked(kept.certificatePem), false);
    assert.equal(list.size, 0);
    assert.deepEqual(
      list.ignored.map((i) => i.reason),
      [
        'the CRL of C=US, O=HospitalA, CN=ca.HospitalA is not signed by a root of HospitalAMSP',
        'the CRL does not parse',
      ],
    );
  });

  it('treats a certificate that does not parse as revoked, and an empty list as revoking nothing', () => {
    assert.equal(RevocationList.empty().isRevoked('garbage'), true);
    assert.equal(RevocationList.empty().isRevoked(kept.certificatePem), false);
  });
});
