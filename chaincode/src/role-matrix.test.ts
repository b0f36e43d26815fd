import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Context } from 'fabric-contract-api';
import { AccessContract } from './access-contract';
import type { AttestedAction } from './attestation';
import { AttestationContract } from './attestation-contract';
import { AuditContract } from './audit-contract';
import { EmergencyContract } from './emergency-contract';
import { ErasureContract } from './erasure-contract';
import { EmergencyKeySetContract } from './emergency-keyset-contract';
import { RegistryContract } from './registry-contract';
import { StorageContract } from './storage-contract';
import { PERMISSIONS, ROLES, type Action, type Role } from './roles';
import { encryptionKey, keyBinding, TEST_STORAGE_EVIDENCE, TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import { TransferContract } from './transfer-contract';

const B = 'HospitalBMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const RECORD = 'rec-role-matrix-0001';
const HEX = createHash('sha256').update('text').digest('hex');

const registry = new RegistryContract();
const transfers = new TransferContract();
const access = new AccessContract();
const emergency = new EmergencyContract();
const audit = new AuditContract();
const storage = new StorageContract();
const attestation = new AttestationContract();
const erasure = new ErasureContract();
const keysets = new EmergencyKeySetContract();

/**
 * One call per action, made by `actor` (a registered user of role `role`;
 * `as` attaches a valid gateway attestation when given an action), or one per
 * transaction where an action takes several (a deposit, then the public
 * record). Each call passes the role gate for permitted roles, whatever else
 * it then decides; the test only looks at whether the role gate refused.
 */
type Call = (
  as: (name: string, attest?: AttestedAction) => Context,
  t: TestConsortium,
  role: Role,
  stub: MapStub,
) => Promise<unknown>;

const CALLS: Record<Action, Call | Call[]> = {
  setUserStatus: (as, t, role) => registry.SuspendUser(as(role), t.person('spare').id),
  rotateOwnKey: (as, t, role) => {
    const key = encryptionKey();
    return registry.RotateEncryptionKey(as(role), key, keyBinding(t.person(role), key, 2));
  },
  readRegistry: (as, t, role) => registry.GetUser(as(role), t.person('patient').id),
  send: [
    (_as, t, role, stub) => t.deposit(stub, role, 'doctor', `rec-matrix-${role}-00001`, HASH),
    (as, t, role) =>
      transfers.Send(as(role, 'send'), `rec-matrix-${role}-00001`, t.person('doctor').id, HASH, HEX),
  ],
  grant: [
    (as, t, role) => access.DepositGrantEnvelope(as(role), RECORD, t.person('doctor').id),
    (as, t, role) =>
      access.GrantAccess(as(role), RECORD, t.person('doctor').id, 'TREAT', '2026-02-01T00:00:00Z', HEX),
  ],
  revoke: (as, t, role) => access.RevokeGrant(as(role), RECORD, t.person('doctor').id),
  access: async (as, _t, role) => {
    const result = JSON.parse(await access.RecordAccess(as(role, 'access'), RECORD, 'TREAT')) as {
      reason: string;
    };
    // RecordAccess records a denial instead of failing; surface it as the role gate's error.
    if (result.reason.startsWith('role ') || result.reason === 'the caller is not registered')
      throw new Error(`ACCESS_DENIED: ${result.reason.replace('access records', 'access')}`);
    return result;
  },
  breakGlass: (as, _t, role) => emergency.BreakGlass(as(role, 'breakGlass'), RECORD, 'URGENT_CARE', HEX, 240),
  manageEmergencyKey: [
    (as, t, role) => emergency.ReadEmergencyEnvelope(as(role), RECORD, t.person('doctor').id),
    (as, t, role) => emergency.DepositKeyShare(as(role), RECORD, t.person('doctor').id),
    (as, t, role) => emergency.ContributeKeyShare(as(role), RECORD, t.person('doctor').id, 1, HEX),
    (as, _t, role) => emergency.PendingReleases(as(role), 10, ''),
    (as, _t, role) => emergency.SetOpeningLimit(as(role), 5),
    (as, t, role) =>
      keysets.ProposeKeySet(as(role), JSON.stringify([t.person('admin').id, t.person('spare').id]), 2),
    (as, _t, role) => keysets.ApproveKeySet(as(role), 1),
  ],
  closeReview: (as, _t, role) => emergency.CloseReview(as(role), HEX, 'justified', HEX),
  requestErasure: (as, _t, role) => erasure.RequestErasure(as(role), RECORD, HEX),
  erase: [
    (as, _t, role) => erasure.ConfirmErasure(as(role), RECORD),
    (as, _t, role) => erasure.PendingErasures(as(role), 10, ''),
  ],
  sweepErasures: [
    (as, _t, role) => erasure.ErasingContent(as(role), 10, ''),
    (as, _t, role) => erasure.CompleteErasure(as(role), RECORD, JSON.stringify(TEST_STORAGE_EVIDENCE)),
  ],
  audit: [
    (as, _t, role) => audit.RecordHistory(as(role), RECORD, 10, ''),
    (as, _t, role) => emergency.Alerts(as(role), 10, ''),
  ],
  readOwnActivity: (as, _t, role) =>
    audit.MyActivity(as(role), 'transfer', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 10, ''),
  reconcileStorage: (as, _t, role) => storage.StoredContent(as(role), B, 10, ''),
  // Everyone in the matrix is registered already, so a permitted role gets ALREADY_EXISTS.
  registerSelf: (as, t, role) => {
    const key = encryptionKey();
    return registry.RegisterSelf(as(role), key, keyBinding(t.person(role), key));
  },
  announceGateway: (as, _t, role) => attestation.AnnounceGateway(as(role)),
  pruneNonces: (as, _t, role) => attestation.PruneNonces(as(role), 10),
  recordRefusal: (as, t, role) =>
    attestation.RecordRefusal(
      as(role),
      t.person('patient').id,
      'access',
      RECORD,
      'DEVICE_UNHEALTHY',
      'device check failed',
      '',
    ),
};

describe('the gateway role', () => {
  it('may announce itself, record refusals, prune its used nonces and sweep erasures, and nothing else', () => {
    const actions = (Object.keys(PERMISSIONS) as Action[]).filter((a) => PERMISSIONS[a].includes('gateway'));
    assert.deepEqual(actions.sort(), ['announceGateway', 'pruneNonces', 'recordRefusal', 'sweepErasures']);
    assert.deepEqual(PERMISSIONS.announceGateway, ['gateway']);
    assert.deepEqual(PERMISSIONS.recordRefusal, ['gateway']);
  });
});

describe('registration', () => {
  it('lets every role but gateway register itself, and no role register anyone else', () => {
    assert.deepEqual(PERMISSIONS.registerSelf, ['admin', 'technologist', 'doctor', 'patient', 'auditor']);
    assert.ok(!Object.keys(PERMISSIONS).includes('registerUser'));
  });

  it('lets the roles that register themselves, and only those, set their own key', () => {
    assert.deepEqual(PERMISSIONS.rotateOwnKey, PERMISSIONS.registerSelf);
  });
});

describe('role-to-action table, enforced for every action and every role', () => {
  let t: TestConsortium;

  before(async () => {
    t = await TestConsortium.create({
      admin: [B, 'admin'],
      technologist: [B, 'technologist'],
      doctor: [B, 'doctor'],
      patient: [B, 'patient'],
      auditor: [B, 'auditor'],
      gateway: [B, 'gateway'],
      spare: [B, 'doctor'],
    });
  });

  for (const action of Object.keys(PERMISSIONS) as Action[]) {
    for (const role of ROLES) {
      const allowed = PERMISSIONS[action].includes(role);
      it(`${action} by ${role}: ${allowed ? 'allowed' : 'denied'}`, async () => {
        const stub = new MapStub();
        await t.registerAll(stub, ['spare']);
        await t.send(stub, 'technologist', 'patient', RECORD, HASH);
        const as = (name: string, attest?: AttestedAction): Context =>
          attest === undefined ? t.as(stub, name) : t.as(stub, name, { attest });
        const gate = new RegExp(`ACCESS_DENIED: role ${role} may not ${action}`);
        for (const [step, call] of [CALLS[action]].flat().entries()) {
          let error: unknown;
          try {
            await call(as, t, role, stub);
          } catch (e) {
            error = e;
          }
          // A gateway has no user entry, so functions that look up the caller's entry first refuse it there.
          const refusedByRole =
            error instanceof Error &&
            (gate.test(error.message) ||
              (role === 'gateway' && error.message.includes('ACCESS_DENIED: the caller is not registered')));
          const outcome = error instanceof Error ? error.message : 'no error';
          assert.equal(refusedByRole, !allowed, `call ${String(step + 1)}: ${outcome}`);
        }
      });
    }
  }
});

/** The actions of `role`, with the calls that make them. */
function callsOf(role: Role): [Action, Call][] {
  return (Object.keys(PERMISSIONS) as Action[])
    .filter((a) => PERMISSIONS[a].includes(role) && a !== 'registerSelf' && a !== 'announceGateway')
    .flatMap((a) => [CALLS[a]].flat().map((call): [Action, Call] => [a, call]));
}

describe('admins and gateways: registry entries that can be suspended', () => {
  let t: TestConsortium;

  before(async () => {
    t = await TestConsortium.create({
      admin: [B, 'admin'],
      colleague: [B, 'admin'],
      gateway: [B, 'gateway'],
      technologist: [B, 'technologist'],
      doctor: [B, 'doctor'],
      patient: [B, 'patient'],
      auditor: [B, 'auditor'],
      spare: [B, 'doctor'],
    });
  });

  /** A stub where everyone is registered and record RECORD exists; `ready` runs before the calls. */
  async function world(): Promise<{ stub: MapStub; as: Parameters<Call>[0] }> {
    const stub = new MapStub();
    await t.registerAll(stub);
    await t.send(stub, 'technologist', 'patient', RECORD, HASH);
    const as = (name: string, attest?: AttestedAction): Context =>
      attest === undefined ? t.as(stub, name) : t.as(stub, name, { attest });
    return { stub, as };
  }

  for (const [action, call] of callsOf('admin')) {
    it(`a suspended admin cannot ${action}`, async () => {
      const { stub, as } = await world();
      await registry.SuspendUser(t.as(stub, 'colleague'), t.person('admin').id);
      await assert.rejects(call(as, t, 'admin', stub), /ACCESS_DENIED: the caller is suspended/);
    });
  }

  for (const [action, call] of callsOf('gateway')) {
    it(`a suspended gateway cannot ${action}`, async () => {
      const { stub, as } = await world();
      await registry.SuspendUser(t.as(stub, 'admin'), t.person('gateway').id);
      await assert.rejects(call(as, t, 'gateway', stub), /ACCESS_DENIED: the calling gateway is suspended/);
    });
  }

  it('a suspended gateway cannot announce itself back, and its attestations are refused', async () => {
    const { stub } = await world();
    await registry.SuspendUser(t.as(stub, 'admin'), t.gateway(B).id);
    await assert.rejects(t.announceGateway(stub, B), /ACCESS_DENIED: the calling gateway is suspended/);
    await assert.rejects(
      t.send(stub, 'doctor', 'patient', 'rec-after-suspension-01', HASH),
      /ATTESTATION_INVALID: .*not active/,
    );
    await registry.ReactivateUser(t.as(stub, 'admin'), t.gateway(B).id);
    await t.send(stub, 'doctor', 'patient', 'rec-after-suspension-02', HASH);
  });

  it('an admin cannot change its own status, nor a suspended admin undo its suspension', async () => {
    const { stub } = await world();
    await assert.rejects(
      registry.SuspendUser(t.as(stub, 'admin'), t.person('admin').id),
      /ACCESS_DENIED: an admin cannot change its own status/,
    );
    await registry.SuspendUser(t.as(stub, 'colleague'), t.person('admin').id);
    await assert.rejects(
      registry.ReactivateUser(t.as(stub, 'admin'), t.person('admin').id),
      /ACCESS_DENIED: the caller is suspended/,
    );
    await assert.rejects(
      registry.SuspendUser(t.as(stub, 'admin'), t.person('colleague').id),
      /ACCESS_DENIED: the caller is suspended/,
    );
    await registry.ReactivateUser(t.as(stub, 'colleague'), t.person('admin').id);
    await registry.SuspendUser(t.as(stub, 'admin'), t.person('spare').id);
  });

  it('an admin that has not registered itself can do nothing', async () => {
    const stub = new MapStub();
    await t.registerAll(stub, ['admin']);
    await t.send(stub, 'technologist', 'patient', RECORD, HASH);
    const as = (name: string, attest?: AttestedAction): Context =>
      attest === undefined ? t.as(stub, name) : t.as(stub, name, { attest });
    for (const [action, call] of callsOf('admin')) {
      await assert.rejects(call(as, t, 'admin', stub), /ACCESS_DENIED: the caller is not registered/, action);
    }
  });
});

describe('an admin or gateway role without the powers attribute is no role', () => {
  it('refuses certificates claiming role=admin or role=gateway that an organisation registrar could issue', async () => {
    const t = await TestConsortium.create({
      technologist: [B, 'technologist'],
      patient: [B, 'patient'],
      doctor: [B, 'doctor'],
      spare: [B, 'doctor'],
    });
    const stub = new MapStub();
    await t.registerAll(stub);
    await t.send(stub, 'technologist', 'patient', RECORD, HASH);
    for (const role of ['admin', 'gateway'] as const) {
      const forged = await t.issueUnpowered(B, `u-self-made-${role}`, role);
      const as = (): Context => stub.begin(B, forged.pem);
      const key = encryptionKey();
      await assert.rejects(
        registry.RegisterSelf(as(), key, keyBinding(t.ownerOf(B, forged), key)),
        /ACCESS_DENIED: role \(none\) may not registerSelf/,
      );
      await assert.rejects(
        attestation.AnnounceGateway(as()),
        /ACCESS_DENIED: role \(none\) may not announceGateway/,
      );
      await assert.rejects(registry.SuspendUser(as(), t.person('spare').id), /ACCESS_DENIED/);
      await assert.rejects(keysets.ApproveKeySet(as(), 1), /ACCESS_DENIED/);
      await assert.rejects(erasure.ConfirmErasure(as(), RECORD), /ACCESS_DENIED/);
    }
  });
});
