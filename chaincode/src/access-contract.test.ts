import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import type { AccessEvent, GrantRecord } from './access';
import { READ_WINDOW_MS } from './access';
import { AccessContract } from './access-contract';
import type { AttestedAction } from './attestation';
import { RegistryContract } from './registry-contract';
import { TEST_CID, TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import { collectionFor, type EnvelopeInput } from './transfer';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const RECORD = 'rec-access-tests-01';

interface Outcome {
  outcome: 'granted' | 'denied';
  reason: string;
  txId: string;
}

describe('AccessContract', () => {
  const access = new AccessContract();
  let t: TestConsortium;
  let stub: MapStub;
  let txCounter = 0;

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      patient: [B, 'patient'],
      doctorC: [C, 'doctor'],
      doctorB: [B, 'doctor'],
      otherPatient: [B, 'patient'],
      auditor: [C, 'auditor'],
      stranger: [C, 'doctor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub, ['stranger']);
    await t.send(stub, 'tech', 'patient', RECORD, HASH);
  });

  /** Begins a transaction with a 64-hex transaction id, as Fabric's are; `attest` adds an attestation. */
  const begin = (
    name: string,
    secondsLater = 1,
    transient: Record<string, unknown> = {},
    attest?: AttestedAction,
  ) => {
    const ctx = t.as(stub, name, { secondsLater, transient, ...(attest ? { attest } : {}) });
    stub.txId = createHash('sha256').update(String(++txCounter)).digest('hex');
    return ctx;
  };

  const recordAccess = async (name: string, purpose = 'TREAT', recordId = RECORD): Promise<Outcome> =>
    JSON.parse(await access.RecordAccess(begin(name, 1, {}, 'access'), recordId, purpose)) as Outcome;

  const grant = (to: string, expiresInDays = 30) =>
    t.grant(stub, 'patient', to, 'tech', RECORD, HASH, expiresInDays);
  const depositFor = (grantee: string, overrides: Partial<EnvelopeInput> = {}) =>
    t.depositGrant(stub, 'patient', grantee, 'tech', RECORD, HASH, overrides);

  it('grants the recipient and returns their envelope, without the salt', async () => {
    const result = await recordAccess('patient', 'PATRQT');
    assert.deepEqual([result.outcome, result.reason], ['granted', 'recipient']);
    const envelope = JSON.parse(await access.ReadEnvelope(begin('patient'), RECORD, result.txId)) as Record<
      string,
      unknown
    >;
    assert.equal(envelope.cid, TEST_CID);
    assert.equal(envelope.readerId, t.person('patient').id);
    assert.equal(envelope.salt, undefined);
  });

  it('commits a denial instead of failing, and refuses the envelope for it', async () => {
    const result = await recordAccess('doctorC');
    assert.deepEqual([result.outcome, result.reason], ['denied', 'no grant for the caller']);
    const event = JSON.parse(
      Buffer.from(stub.state.get(stub.createCompositeKey('access', [RECORD, result.txId])) ?? []).toString(),
    ) as AccessEvent;
    assert.equal(event.outcome, 'denied');
    assert.equal(event.userId, t.person('doctorC').id);
    assert.equal(event.purpose, 'TREAT');
    assert.equal(stub.events[0]?.name, 'RecordAccessed');
    await assert.rejects(
      access.ReadEnvelope(begin('doctorC'), RECORD, result.txId),
      /ACCESS_DENIED: no granted access/,
    );
  });

  it('records denials for unregistered, suspended and wrong-role callers, and for unknown records', async () => {
    assert.equal((await recordAccess('stranger')).reason, 'the caller is not registered');
    assert.equal((await recordAccess('auditor')).reason, 'role auditor may not access records');
    assert.equal((await recordAccess('tech')).reason, 'no grant for the caller');
    assert.equal((await recordAccess('patient', 'TREAT', 'rec-does-not-exist')).reason, 'no such record');
    await new RegistryContract().SuspendUser(stub.begin(B, t.admin(B).pem), t.person('patient').id);
    assert.equal((await recordAccess('patient')).reason, 'the caller is suspended');
  });

  it('lets the recipient grant a doctor at another organisation, whose envelope goes to their shared collection', async () => {
    await grant('doctorC');
    assert.equal(stub.envelopesIn(collectionFor(B, C)).length, 1);
    const result = await recordAccess('doctorC');
    assert.equal(result.outcome, 'granted');
    assert.match(result.reason, /^grant for TREAT until /);
    const envelope = JSON.parse(await access.ReadEnvelope(begin('doctorC'), RECORD, result.txId)) as Record<
      string,
      unknown
    >;
    assert.equal(envelope.readerId, t.person('doctorC').id);
    assert.equal(envelope.recipientId, t.person('patient').id, 'whom the sender signed for');
    assert.equal(envelope.contentHash, HASH);
  });

  it('checks the grant at the time of the read: an expired grant ends reads of an earlier granted access', async () => {
    // A grant for three minutes; reads a minute, then four minutes, after the access event.
    await t.grant(stub, 'patient', 'doctorC', 'tech', RECORD, HASH, 3 / 1440);
    const result = await recordAccess('doctorC');
    assert.equal(result.outcome, 'granted');
    await access.ReadEnvelope(begin('doctorC', 60), RECORD, result.txId);
    await assert.rejects(
      access.ReadEnvelope(begin('doctorC', 180), RECORD, result.txId),
      /ACCESS_DENIED: the grant has expired/,
    );
  });

  it('refuses a read that leans on an access event older than the read window: each read has its own event', async () => {
    await grant('doctorC');
    const result = await recordAccess('doctorC');
    await access.ReadEnvelope(begin('doctorC', READ_WINDOW_MS / 1000 - 2), RECORD, result.txId);
    await assert.rejects(
      access.ReadEnvelope(begin('doctorC', 5), RECORD, result.txId),
      /ACCESS_DENIED: the access event .* is not from the last 5 minutes: record the access again/,
    );
    const again = await recordAccess('doctorC');
    await access.ReadEnvelope(begin('doctorC'), RECORD, again.txId);
  });

  it('ends access at once on revocation, even for an earlier granted access', async () => {
    await grant('doctorC');
    const before = await recordAccess('doctorC');
    await access.RevokeGrant(begin('patient'), RECORD, t.person('doctorC').id);
    await assert.rejects(
      access.ReadEnvelope(begin('doctorC'), RECORD, before.txId),
      /ACCESS_DENIED: the grant was revoked/,
    );
    assert.equal((await recordAccess('doctorC')).reason, 'the grant was revoked');
    assert.equal(stub.privateData.get(collectionFor(B, C))?.size, 0);
    await assert.rejects(
      access.RevokeGrant(begin('patient'), RECORD, t.person('doctorC').id),
      /FAILED_PRECONDITION/,
    );
  });

  it('denies access after a grant expires', async () => {
    await grant('doctorC', 1);
    const result = await access.RecordAccess(begin('doctorC', 2 * 86400, {}, 'access'), RECORD, 'TREAT');
    assert.equal((JSON.parse(result) as Outcome).reason, 'the grant has expired');
  });

  it('lets only the recipient patient deposit and grant, only to active doctors, with a valid expiry', async () => {
    const { envelope, hash } = await depositFor('doctorC');
    const future = new Date((stub.seconds + 86400) * 1000).toISOString();
    const doctorC = t.person('doctorC').id;
    const refusals: [string, string, RegExp][] = [
      ['otherPatient', doctorC, /ACCESS_DENIED: only the recipient/],
      ['doctorB', doctorC, /ACCESS_DENIED: role doctor may not grant/],
      ['patient', t.person('otherPatient').id, /FAILED_PRECONDITION: access can be granted to doctors only/],
      [
        'patient',
        t.person('stranger').id,
        /FAILED_PRECONDITION: grantee .* is not an active registered user/,
      ],
    ];
    for (const [caller, granteeId, refusal] of refusals) {
      await assert.rejects(
        access.DepositGrantEnvelope(begin(caller, 1, { envelope }), RECORD, granteeId),
        refusal,
      );
      await assert.rejects(
        access.GrantAccess(begin(caller), RECORD, granteeId, 'TREAT', future, hash),
        refusal,
      );
    }
    const grantToC = (expiresAt: string, purpose = 'TREAT') =>
      access.GrantAccess(begin('patient'), RECORD, doctorC, purpose, expiresAt, hash);
    await assert.rejects(
      grantToC('2020-01-01T00:00:00Z'),
      /INVALID_ARGUMENT: expiresAt must be in the future/,
    );
    await assert.rejects(grantToC('tomorrow'), /INVALID_ARGUMENT: expiresAt must be an ISO 8601/);
    await assert.rejects(grantToC(future, 'FUN'), /INVALID_ARGUMENT: purpose must be one of/);
    await assert.rejects(
      access.GrantAccess(begin('patient'), RECORD, t.person('doctorB').id, 'TREAT', future, hash),
      /FAILED_PRECONDITION: no envelope of record .* is deposited/,
    );
    assert.equal(stub.state.get(stub.createCompositeKey('grant', [RECORD, doctorC])), undefined);
  });

  it('keeps the grantee envelope off the public state and names both organisations for later changes', async () => {
    const { envelope, hash } = await depositFor('doctorC', {
      wrappedKey: randomBytes(90).toString('base64'),
    });
    assert.deepEqual(stub.publicWrites(), [], 'the deposit writes no public state');
    const expiresAt = new Date((stub.seconds + 86400) * 1000).toISOString();
    await access.GrantAccess(begin('patient'), RECORD, t.person('doctorC').id, 'TREAT', expiresAt, hash);
    const publicWrites = stub
      .publicWrites()
      .map(([, v]) => v)
      .join('');
    assert.ok(!publicWrites.includes(envelope.wrappedKey ?? 'none') && !publicWrites.includes(TEST_CID));
    const policy = stub.validationParameters.get(
      stub.createCompositeKey('grant', [RECORD, t.person('doctorC').id]),
    );
    assert.ok(
      policy &&
        Buffer.from(policy).toString('latin1').includes(B) &&
        Buffer.from(policy).toString('latin1').includes(C),
    );
  });

  it('lists grants for the recipient and auditors only', async () => {
    await grant('doctorC');
    const page = JSON.parse(await access.ListGrants(begin('auditor'), RECORD, 10, '')) as {
      records: GrantRecord[];
    };
    assert.deepEqual(
      page.records.map((g) => g.granteeId),
      [t.person('doctorC').id],
    );
    await access.ListGrants(begin('patient'), RECORD, 10, '');
    await assert.rejects(access.ListGrants(begin('doctorC'), RECORD, 10, ''), /ACCESS_DENIED/);
  });

  it('rejects malformed ids and purposes without writing anything', async () => {
    stub.writes = [];
    await assert.rejects(
      access.RecordAccess(begin('patient', 1, {}, 'access'), 'bad id', 'TREAT'),
      /INVALID_ARGUMENT: recordId/,
    );
    await assert.rejects(
      access.RecordAccess(begin('patient', 1, {}, 'access'), RECORD, 'treat'),
      /INVALID_ARGUMENT: purpose/,
    );
    await assert.rejects(
      access.ReadEnvelope(begin('patient'), RECORD, 'nope'),
      /INVALID_ARGUMENT: accessTxId/,
    );
    assert.deepEqual(stub.writes, []);
  });

  it('writes identical bytes when the same access proposal runs twice', async () => {
    const runs: string[] = [];
    const attestation = t.attest(stub, 'doctorC', 'access');
    for (const copy of [stub.clone(), stub.clone()]) {
      const p = t.person('doctorC');
      const ctx = copy.begin(p.msp, p.identity.pem, 1, { attestation });
      copy.txId = 'a'.repeat(64);
      await access.RecordAccess(ctx, RECORD, 'TREAT');
      runs.push(JSON.stringify([copy.writes, copy.events]));
    }
    assert.equal(runs[0], runs[1]);
  });
});
