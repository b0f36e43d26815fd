import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestCa, issueDeviceCertificate, type TestCa, type TestDevice } from '../device/testing';
import { approveTrustUpdate, type AdminIdentity } from './approve';
import { trustBundleDigest, TrustBundleError, type TrustBundle } from './bundle';
import { testTrustBundle } from './testing';
import { approvalsNeeded, verifyTrustUpdate, type TrustUpdate } from './update';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const O = 'OrdererMSP';

function refusedWith(code: string, reason?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TrustBundleError, String(error));
    assert.equal(error.code, code);
    if (reason) assert.match(error.message, reason);
    return true;
  };
}

/**
 * A change to the pinned trust anchors, from the side of whoever wants a
 * device to trust a CA of theirs: the gateway that hands the update over, a
 * single organisation's admin, a rogue CA, a client posing as an admin.
 */
describe('verifyTrustUpdate', () => {
  const cas = new Map<string, TestCa>();
  const admins = new Map<string, TestDevice>();
  let rogueB: TestCa;
  let rogueAdminB: TestDevice;
  let clientB: TestDevice;
  let pinned: TrustBundle;
  let next: TrustBundle;

  const admin = (mspId: string, device = admins.get(mspId)): AdminIdentity => {
    assert.ok(device);
    return { mspId, certificatePem: device.certificatePem, privateKey: device.privateKey };
  };
  const update = (...approvers: AdminIdentity[]): TrustUpdate =>
    approvers.reduce<TrustUpdate>((u, a) => approveTrustUpdate(u, a), {
      v: 1,
      previous: trustBundleDigest(pinned),
      bundle: next,
      approvals: [],
    });

  before(async () => {
    for (const mspId of [A, B, C, O]) {
      const ca = await createTestCa(mspId.replace('MSP', ''));
      cas.set(mspId, ca);
      admins.set(mspId, await issueDeviceCertificate(ca, { cn: `admin.${mspId}`, ou: 'admin', attrs: null }));
    }
    rogueB = await createTestCa('HospitalB');
    rogueAdminB = await issueDeviceCertificate(rogueB, { cn: 'admin.b', ou: 'admin', attrs: null });
    clientB = await issueDeviceCertificate(cas.get(B) ?? assert.fail(), {
      cn: 'gateway.b',
      ou: 'client',
      attrs: null,
    });
    const org = (mspId: string, role: 'peer' | 'orderer' = 'peer') => ({
      mspId,
      role,
      ca: cas.get(mspId) ?? assert.fail(mspId),
    });
    pinned = testTrustBundle([org(A), org(B), org(C), org(O, 'orderer')]);
    // The imaging centre renews its CA.
    const renewed = await createTestCa('Imaging');
    next = {
      ...pinned,
      organisations: pinned.organisations.map((o) =>
        o.mspId === C ? { ...o, rootCertificates: [renewed.certificatePem] } : o,
      ),
    };
  });

  it('accepts a change approved by admins of a majority of the pinned peer organisations', async () => {
    assert.equal(approvalsNeeded(pinned), 2);
    assert.deepEqual(await verifyTrustUpdate(update(admin(A), admin(B)), pinned), next);
    // The organisation whose CA changes need not be among them.
    assert.deepEqual(await verifyTrustUpdate(update(admin(C), admin(A), admin(B)), pinned), next);
  });

  it('refuses a change one organisation alone approved, however often (TRUST_UPDATE_UNAPPROVED)', async () => {
    await assert.rejects(
      verifyTrustUpdate(update(admin(A)), pinned),
      refusedWith('TRUST_UPDATE_UNAPPROVED', /1 organisation\(s\) \(HospitalAMSP\); 2 are needed/),
    );
    const twice = update(admin(A));
    twice.approvals.push(...twice.approvals);
    await assert.rejects(verifyTrustUpdate(twice, pinned), refusedWith('TRUST_UPDATE_UNAPPROVED'));
  });

  it('does not count approvals the pinned anchors do not make an organisation admin’s', async () => {
    const cases: [string, AdminIdentity][] = [
      ['an admin of a CA the device never pinned, under B’s name', admin(B, rogueAdminB)],
      ['a client of B (the gateway’s own identity, say)', admin(B, clientB)],
      ['the orderer organisation’s admin', admin(O)],
      ['A’s admin claiming to be B', { ...admin(A), mspId: B }],
    ];
    for (const [what, second] of cases) {
      await assert.rejects(
        verifyTrustUpdate(update(admin(A), second), pinned),
        refusedWith('TRUST_UPDATE_UNAPPROVED'),
        what,
      );
    }
  });

  it('does not count a forged signature, or one for another change', async () => {
    const forged = update(admin(A), admin(B));
    const last = forged.approvals[1] ?? assert.fail();
    const bytes = Buffer.from(last.signature, 'base64');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    forged.approvals[1] = { ...last, signature: bytes.toString('base64') };
    await assert.rejects(verifyTrustUpdate(forged, pinned), refusedWith('TRUST_UPDATE_UNAPPROVED'));
    // B approved the renewal; the gateway swaps in a bundle with a CA root of its own for C.
    const swapped = update(admin(A), admin(B));
    swapped.bundle = {
      ...next,
      organisations: next.organisations.map((o) =>
        o.mspId === C ? { ...o, rootCertificates: [rogueB.certificatePem] } : o,
      ),
    };
    await assert.rejects(
      verifyTrustUpdate(swapped, pinned),
      refusedWith('TRUST_UPDATE_UNAPPROVED', /0 organisation/),
    );
  });

  it('refuses an update from another bundle than the pinned one, and a malformed one', async () => {
    const stale = { ...update(admin(A), admin(B)), previous: 'a'.repeat(64) };
    await assert.rejects(
      verifyTrustUpdate(stale, pinned),
      refusedWith('TRUST_BUNDLE_MISMATCH', /not the one this device pinned/),
    );
    await assert.rejects(verifyTrustUpdate({ v: 1 }, pinned), refusedWith('TRUST_BUNDLE_INVALID'));
    await assert.rejects(
      verifyTrustUpdate({ ...update(admin(A), admin(B)), bundle: { v: 1 } }, pinned),
      refusedWith('TRUST_BUNDLE_INVALID'),
    );
  });
});
