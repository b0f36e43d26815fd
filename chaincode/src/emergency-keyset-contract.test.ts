import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { EmergencyContract } from './emergency-contract';
import type { EmergencyKeySetRecord, KeySetAlertRecord } from './emergency-keyset';
import { EmergencyKeySetContract } from './emergency-keyset-contract';
import { RegistryContract } from './registry-contract';
import { TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';

describe('emergency key sets: shares held by operators, in force only with two admins’ approval', () => {
  const keysets = new EmergencyKeySetContract();
  let t: TestConsortium;
  let stub: MapStub;

  before(async () => {
    t = await TestConsortium.create({
      op1: [A, 'admin'],
      op2: [A, 'admin'],
      op3: [A, 'admin'],
      opB: [B, 'admin'],
      doctor: [A, 'doctor'],
      auditor: [B, 'auditor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub);
  });

  const ids = (...names: string[]) => JSON.stringify(names.map((n) => t.person(n).id));
  const propose = async (by = 'op1', holders = ids('op1', 'op2', 'op3'), threshold = 2) =>
    JSON.parse(await keysets.ProposeKeySet(t.as(stub, by), holders, threshold)) as EmergencyKeySetRecord;
  const active = async (msp = A) =>
    JSON.parse(await keysets.GetKeySet(t.as(stub, 'doctor'), msp, 0)) as EmergencyKeySetRecord;

  it('takes effect only when a second admin approves, and tells auditors', async () => {
    const proposal = await propose();
    assert.deepEqual([proposal.status, proposal.version, proposal.threshold], ['proposed', 1, 2]);
    // Each share is for the holder's own registered key, as the registry holds it.
    for (const [i, name] of ['op1', 'op2', 'op3'].entries()) {
      const user = JSON.parse(
        await new RegistryContract().GetUser(t.as(stub, 'doctor'), t.person(name).id),
      ) as {
        encryptionKey: { fingerprint: string; spki: string };
      };
      assert.deepEqual(
        [proposal.holders[i]?.fingerprint, proposal.holders[i]?.spki],
        [user.encryptionKey.fingerprint, user.encryptionKey.spki],
      );
    }
    await assert.rejects(active(), /NOT_FOUND/);
    await assert.rejects(
      keysets.ApproveKeySet(t.as(stub, 'op1'), 1),
      /ALREADY_EXISTS: you approved this key set/,
    );
    await assert.rejects(keysets.ApproveKeySet(t.as(stub, 'opB'), 1), /NOT_FOUND/);
    await assert.rejects(keysets.ApproveKeySet(t.as(stub, 'doctor'), 1), /ACCESS_DENIED: role doctor/);
    await assert.rejects(
      keysets.ApproveKeySet(t.as(stub, 'op2'), 2),
      /FAILED_PRECONDITION: .*version 1, not 2/,
    );
    const approved = JSON.parse(await keysets.ApproveKeySet(t.as(stub, 'op2'), 1)) as EmergencyKeySetRecord;
    assert.equal(approved.status, 'active');
    assert.equal(stub.events.at(-1)?.name, 'EmergencyKeySetReplaced');
    assert.deepEqual(
      approved.approvals.map((a) => a.adminId),
      [t.person('op1').id, t.person('op2').id],
    );
    assert.deepEqual(await active(), approved);
    const alerts = JSON.parse(await new EmergencyContract().Alerts(t.as(stub, 'auditor'), 10, '')) as {
      records: KeySetAlertRecord[];
    };
    assert.deepEqual(
      alerts.records.map((a) => [a.kind, a.mspId, a.version, a.approvedBy.length]),
      [['emergencyKeySet', A, 1, 2]],
    );
  });

  it('replaces the set with a new version, keeping the earlier one for records split for it', async () => {
    await propose();
    await keysets.ApproveKeySet(t.as(stub, 'op2'), 1);
    const next = await propose('op3', ids('op2', 'op3'));
    assert.equal(next.version, 2);
    assert.equal((await active()).version, 1, 'a proposal changes nothing');
    await keysets.ApproveKeySet(t.as(stub, 'op1'), 2);
    assert.equal((await active()).version, 2);
    const first = JSON.parse(await keysets.GetKeySet(t.as(stub, 'doctor'), A, 1)) as EmergencyKeySetRecord;
    assert.equal(first.holders.length, 3);
  });

  it('holds only active admins of the proposer’s own organisation, in a set it can split', async () => {
    await assert.rejects(
      propose('op1', ids('op1', 'opB')),
      /FAILED_PRECONDITION: holder .* is not an active admin of HospitalAMSP/,
    );
    await assert.rejects(propose('op1', ids('op1', 'doctor')), /FAILED_PRECONDITION/);
    await assert.rejects(propose('op1', ids('op1')), /INVALID_ARGUMENT: a key set has 2 to 7 holders/);
    await assert.rejects(propose('op1', ids('op1', 'op2'), 3), /INVALID_ARGUMENT: the threshold/);
    await assert.rejects(propose('op1', ids('op1', 'op1')), /INVALID_ARGUMENT: .*distinct/);
    await assert.rejects(propose('doctor'), /ACCESS_DENIED: role doctor may not manageEmergencyKey/);
  });

  it('refuses the approval when a holder was suspended since the proposal', async () => {
    await propose();
    await new RegistryContract().SuspendUser(t.as(stub, 'op1'), t.person('op3').id);
    await assert.rejects(
      keysets.ApproveKeySet(t.as(stub, 'op2'), 1),
      /FAILED_PRECONDITION: holder .* suspended or changed their key/,
    );
  });

  it('shows a proposal only to its organisation’s admins', async () => {
    await propose();
    const seen = JSON.parse(await keysets.GetKeySet(t.as(stub, 'op2'), A, -1)) as EmergencyKeySetRecord;
    assert.equal(seen.status, 'proposed');
    await assert.rejects(keysets.GetKeySet(t.as(stub, 'opB'), A, -1), /ACCESS_DENIED/);
    await assert.rejects(keysets.GetKeySet(t.as(stub, 'doctor'), A, -1), /ACCESS_DENIED/);
  });
});
