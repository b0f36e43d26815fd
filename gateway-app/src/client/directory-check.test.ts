import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestCa, issueFromCsr, type TestCa } from '../device/testing';
import type { TrustBundle } from '../trust/bundle';
import { testTrustBundle } from '../trust/testing';
import type { DirectoryEntry } from './api-client';
import { createCsr } from './csr';
import { verifyDirectoryEntry, type RegistryEntry } from './directory-check';
import { UnverifiedAnswerError } from './endorsement-check';
import { generateSigningKeyPair } from './signer';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';

/**
 * A directory entry is the gateway's word for whom a ledger id belongs to;
 * the device checks it against the verified registry entry and the user's
 * certificate. From the side of a gateway that points a name elsewhere.
 */
describe('verifyDirectoryEntry', () => {
  let caA: TestCa;
  let caB: TestCa;
  let rogueA: TestCa;
  let bundle: TrustBundle;
  let aliceSpki: string;
  let aliceCsr: string;
  let bobSpki: string;

  before(async () => {
    [caA, caB, rogueA] = await Promise.all([
      createTestCa('HospitalA'),
      createTestCa('HospitalB'),
      createTestCa('HospitalA'),
    ]);
    bundle = testTrustBundle([
      { mspId: A, ca: caA },
      { mspId: B, ca: caB },
    ]);
    const alice = await generateSigningKeyPair(true);
    const bob = await generateSigningKeyPair(true);
    aliceSpki = Buffer.from(await crypto.subtle.exportKey('spki', alice.publicKey)).toString('base64');
    bobSpki = Buffer.from(await crypto.subtle.exportKey('spki', bob.publicKey)).toString('base64');
    aliceCsr = await createCsr(alice, 'alice');
  });

  const attrs = (role: string, id = 'alice') => ({ role, 'hf.EnrollmentID': id, 'hf.Type': 'client' });
  const entry = async (
    ca = caA,
    role = 'patient',
    over: Partial<DirectoryEntry> = {},
  ): Promise<DirectoryEntry> => ({
    userId: 'u-alice',
    mspId: A,
    enrollmentId: 'alice',
    role,
    certificatePem: await issueFromCsr(ca, aliceCsr, { attrs: attrs(role) }),
    ...over,
  });
  const record = (over: Partial<RegistryEntry> = {}): RegistryEntry => ({
    userId: 'u-alice',
    mspId: A,
    role: 'patient',
    signingKey: { spki: aliceSpki, fingerprint: 'f' },
    ...over,
  });

  async function refused(e: DirectoryEntry, r: RegistryEntry, reason: RegExp): Promise<void> {
    await assert.rejects(verifyDirectoryEntry(e, r, bundle), (error: unknown) => {
      assert.ok(error instanceof UnverifiedAnswerError, String(error));
      assert.equal(error.code, 'ANSWER_UNVERIFIED');
      assert.match(error.message, /^refusing the directory entry for alice: /);
      assert.match(error.message, reason);
      return true;
    });
  }

  it('accepts a name whose certificate, from the pinned CA, holds the registry key of that id', async () => {
    await verifyDirectoryEntry(await entry(), record(), bundle);
  });

  it('refuses a name pointed at another user’s id, organisation or role', async () => {
    await refused(await entry(), record({ userId: 'u-bob' }), /another user’s/);
    await refused(await entry(), record({ mspId: B }), /places them in HospitalBMSP/);
    await refused(await entry(), record({ role: 'doctor' }), /role doctor, not patient/);
    // The registry's key for the id is someone else's: the certificate does not certify it.
    await refused(await entry(), record({ signingKey: { spki: bobSpki, fingerprint: 'f' } }), /another key/);
  });

  it('refuses a certificate from a CA the device did not pin, or from another organisation', async () => {
    await refused(await entry(rogueA), record(), /pinned CA/);
    await refused(await entry(caB), record(), /pinned CA/);
  });

  it('refuses a certificate that names someone else or another role', async () => {
    const otherName = { ...(await entry()), enrollmentId: 'mallory' };
    await assert.rejects(verifyDirectoryEntry(otherName, record(), bundle), /mallory/);
    await refused(await entry(caA, 'doctor', { role: 'patient' }), record(), /role doctor, not patient/);
  });
});
