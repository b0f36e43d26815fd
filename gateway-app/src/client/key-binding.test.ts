import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { UserView } from '../api/ledger-rows';
import { createTestCa, issueFromCsr, type TestCa } from '../device/testing';
import { generateEncryptionKeyPair, type WebCryptoKeyPair } from '../envelope';
import type { TrustBundle } from '../trust/bundle';
import { testTrustBundle } from '../trust/testing';
import { createCsr } from './csr';
import { KeyBindingError, signKeyBinding, verifyKeyBinding } from './key-binding';
import { generateSigningKeyPair } from './signer';

const A = 'HospitalAMSP';
const USER = 'a'.repeat(64);

/**
 * A sender's device wraps a data key only for an encryption key its owner
 * bound with their own signing key; from the side of whoever would slip in a
 * key of theirs: a gateway, an admin, an operator with a CA of their own.
 */
describe('verifyKeyBinding', () => {
  let ca: TestCa;
  let rogue: TestCa;
  let bundle: TrustBundle;
  let owner: WebCryptoKeyPair;
  let other: WebCryptoKeyPair;
  let certificatePem: string;
  let ownerSpki: string;
  let spki: string;
  let fingerprint: string;

  before(async () => {
    [ca, rogue] = await Promise.all([createTestCa('HospitalA'), createTestCa('HospitalA')]);
    bundle = testTrustBundle([{ mspId: A, ca }]);
    [owner, other] = await Promise.all([generateSigningKeyPair(true), generateSigningKeyPair(true)]);
    certificatePem = await issueFromCsr(ca, await createCsr(owner, 'alice'));
    ownerSpki = Buffer.from(await crypto.subtle.exportKey('spki', owner.publicKey)).toString('base64');
    spki = (await generateEncryptionKeyPair()).publicKeySpki;
    const der = Buffer.from(spki, 'base64');
    fingerprint = Buffer.from(await crypto.subtle.digest('SHA-256', der)).toString('hex');
  });

  const entry = async (over: Partial<UserView> = {}, signer = owner, version = 1): Promise<UserView> => ({
    userId: USER,
    mspId: A,
    role: 'patient',
    status: 'active',
    encryptionKey: {
      spki,
      fingerprint,
      version,
      binding: await signKeyBinding(signer.privateKey, { userId: USER, mspId: A, spki, version }),
    },
    signingKey: { spki: ownerSpki, fingerprint: 'f' },
    ...over,
  });

  const refused = (reason: RegExp) => (error: unknown) => {
    assert.ok(error instanceof KeyBindingError, String(error));
    assert.equal(error.code, 'KEY_BINDING_INVALID');
    assert.match(error.message, reason);
    return true;
  };

  it('accepts a key its owner bound with their registered signing key, with or without their certificate at hand', async () => {
    await verifyKeyBinding(await entry(), bundle);
    await verifyKeyBinding(await entry(), bundle, certificatePem);
  });

  it('refuses a key bound by anyone else, or with no binding at all', async () => {
    await assert.rejects(
      verifyKeyBinding(await entry({}, other), bundle),
      refused(/not its owner’s signature/),
    );
    const unbound = await entry();
    unbound.encryptionKey = { spki, fingerprint };
    await assert.rejects(verifyKeyBinding(unbound, bundle), refused(/never signed it/));
  });

  it('refuses a binding of another key, user, organisation or version than the entry states', async () => {
    const swapped = await entry();
    swapped.encryptionKey.spki = (await generateEncryptionKeyPair()).publicKeySpki;
    await assert.rejects(verifyKeyBinding(swapped, bundle), refused(/fingerprint/));
    await assert.rejects(
      verifyKeyBinding({ ...(await entry()), userId: 'b'.repeat(64) }, bundle),
      refused(/signature/),
    );
    const older = await entry();
    older.encryptionKey.version = 2;
    await assert.rejects(verifyKeyBinding(older, bundle), refused(/signature/));
  });

  it('refuses a certificate from a CA the device never pinned, or one that does not certify the registry key', async () => {
    const forged = await issueFromCsr(rogue, await createCsr(owner, 'alice'));
    await assert.rejects(
      verifyKeyBinding(await entry(), bundle, forged),
      refused(/not issued by the pinned CA of HospitalAMSP/),
    );
    const otherCertificate = await issueFromCsr(ca, await createCsr(other, 'alice'));
    await assert.rejects(
      verifyKeyBinding(await entry(), bundle, otherCertificate),
      refused(/does not certify the registry signing key/),
    );
  });
});
