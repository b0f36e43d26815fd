import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { RegistryContract } from './registry-contract';
import { TEST_CID, TestConsortium, type Person } from './testing/consortium';
import { MapStub } from './testing/stub';
import { collectionFor, signedMessage, type EnvelopeInput, type TransferRecord } from './transfer';
import { TransferContract } from './transfer-contract';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const CID = TEST_CID;
const HASH = createHash('sha256').update('ciphertext').digest('hex');
describe('TransferContract.Send', () => {
  const registry = new RegistryContract();
  const transfers = new TransferContract();
  let t: TestConsortium;
  let stub: MapStub;
  const person = (name: string): Person => t.person(name);

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      doctorA: [A, 'doctor'],
      patientA: [A, 'patient'],
      auditorA: [A, 'auditor'],
      patientB: [B, 'patient'],
      doctorB: [B, 'doctor'],
      auditorB: [B, 'auditor'],
      suspendedB: [B, 'patient'],
      unregisteredA: [A, 'doctor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub, ['unregisteredA']);
    await registry.SuspendUser(stub.begin(B, t.admin(B).pem), person('suspendedB').id);
  });

  /** An envelope signed with `key`, which need not be the sender's. */
  function envelope(
    key: KeyObject,
    recordId: string,
    recipientId: string,
    overrides: Partial<EnvelopeInput> = {},
  ): EnvelopeInput {
    const signature = sign('sha256', signedMessage(recordId, CID, HASH, recipientId), {
      key,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64');
    return {
      cid: CID,
      size: 1234,
      mediaType: 'application/dicom',
      wrappedKey: randomBytes(100).toString('base64'),
      signature,
      salt: randomBytes(16).toString('base64'),
      ...overrides,
    };
  }

  async function send(
    from: string,
    to: string,
    options: { recordId?: string; env?: Partial<EnvelopeInput> | null; hash?: string } = {},
  ): Promise<string> {
    const s = person(from);
    const r = to.length === 64 ? to : person(to).id;
    const recordId =
      options.recordId ?? `rec-${from}-${createHash('sha256').update(to).digest('hex').slice(0, 12)}`;
    const transient =
      options.env === null ? {} : { envelope: t.envelope(s, recordId, r, HASH, options.env ?? {}) };
    await transfers.Send(t.as(stub, from, { transient, attest: 'send' }), recordId, r, options.hash ?? HASH);
    return recordId;
  }

  const publicWrites = (): string =>
    stub.writes
      .filter(([k]) => !k.includes('/'))
      .map(([k, v]) => k + v)
      .join('\n');

  it('records a cross-organisation transfer: public audit fields, private envelope in the pair collection', async () => {
    const recordId = await send('tech', 'patientB');
    const transfer = JSON.parse(
      await transfers.GetTransfer(stub.begin(B, person('patientB').identity.pem), recordId),
    ) as TransferRecord;
    assert.equal(transfer.senderId, person('tech').id);
    assert.equal(transfer.recipientId, person('patientB').id);
    assert.equal(transfer.senderMspId, A);
    assert.equal(transfer.recipientMspId, B);
    assert.equal(transfer.contentHash, HASH);
    assert.equal(transfer.status, 'active');
    const privateRecords = stub.privateData.get(collectionFor(A, B));
    assert.equal(privateRecords?.size, 1);
    assert.match(Buffer.from([...privateRecords.values()][0] ?? []).toString(), new RegExp(CID));
  });

  it('keeps the CID, wrapped key, media type and salt off the public state', async () => {
    const env = envelope(person('tech').identity.privateKey, 'rec-private-check-1', person('patientB').id);
    await transfers.Send(
      t.as(stub, 'tech', { transient: { envelope: env }, attest: 'send' }),
      'rec-private-check-1',
      person('patientB').id,
      HASH,
    );
    const visible = publicWrites() + stub.events.map((e) => e.payload).join('');
    for (const secret of [CID, env.wrappedKey, env.salt, 'application/dicom', env.signature]) {
      assert.ok(!visible.includes(secret), `public state or events contain ${secret.slice(0, 20)}`);
    }
  });

  it('requires both organisations to endorse later changes to the record', async () => {
    const recordId = await send('tech', 'patientB');
    const policy = stub.validationParameters.get(stub.createCompositeKey('transfer', [recordId]));
    assert.ok(policy);
    const text = Buffer.from(policy).toString('latin1');
    assert.ok(text.includes(A) && text.includes(B));
  });

  it('uses the implicit organisation collection inside one organisation', async () => {
    await send('doctorA', 'patientA');
    assert.equal(stub.privateData.get(`_implicit_org_${A}`)?.size, 1);
  });

  it('lets technologists, doctors and patients send, and refuses auditors and admins', async () => {
    await send('tech', 'patientB');
    await send('doctorA', 'patientB');
    await send('patientA', 'doctorB');
    await assert.rejects(send('auditorA', 'patientB'), /ACCESS_DENIED: role auditor may not send/);
    const admin = t.admin(A);
    await assert.rejects(
      transfers.Send(stub.begin(A, admin.pem, 1, {}), 'rec-from-admin-000', person('patientB').id, HASH),
      /ACCESS_DENIED: the caller is not registered/,
    );
  });

  it('refuses unregistered senders and recipients that are unknown, suspended or cannot receive', async () => {
    await assert.rejects(send('unregisteredA', 'patientB'), /ACCESS_DENIED: the caller is not registered/);
    await assert.rejects(
      send('tech', 'f'.repeat(64)),
      /FAILED_PRECONDITION: recipient .* is not an active registered user/,
    );
    await assert.rejects(send('tech', 'suspendedB'), /FAILED_PRECONDITION/);
    await assert.rejects(send('tech', 'auditorB'), /FAILED_PRECONDITION: a auditor cannot receive records/);
    await assert.rejects(send('tech', 'tech'), /INVALID_ARGUMENT: the recipient must be another user/);
    assert.equal(publicWrites(), '');
  });

  it('rejects a signature by another key or over other content', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const recordId = 'rec-bad-signature-1';
    const forged = envelope(other, recordId, person('patientB').id).signature;
    await assert.rejects(
      send('tech', 'patientB', { recordId, env: { signature: forged } }),
      /INVALID_ARGUMENT: the signature is not the sender's/,
    );
    await assert.rejects(
      send('tech', 'patientB', { recordId, hash: 'a'.repeat(64) }),
      /INVALID_ARGUMENT: the signature/,
    );
    assert.equal(publicWrites(), '');
  });

  it('rejects malformed arguments and envelopes', async () => {
    await assert.rejects(send('tech', 'patientB', { recordId: 'short' }), /INVALID_ARGUMENT: recordId/);
    await assert.rejects(send('tech', 'patientB', { hash: 'XYZ' }), /INVALID_ARGUMENT: contentHash/);
    await assert.rejects(send('tech', 'patientB', { env: null }), /transient data must carry an "envelope"/);
    await assert.rejects(send('tech', 'patientB', { env: { cid: 'not-a-cid' } }), /envelope.cid/);
    await assert.rejects(
      send('tech', 'patientB', { env: { salt: randomBytes(8).toString('base64') } }),
      /envelope.salt must hold at least 16 bytes/,
    );
    await assert.rejects(send('tech', 'patientB', { env: { size: -1 } }), /envelope.size/);
    await assert.rejects(send('tech', 'patientB', { env: { mediaType: 'dicom' } }), /envelope.mediaType/);
    await assert.rejects(
      send('tech', 'patientB', { env: { metadata: { note: 'x'.repeat(300) } } }),
      /envelope.metadata.note/,
    );
    await assert.rejects(
      send('tech', 'patientB', { env: { extra: 1 } as Partial<EnvelopeInput> }),
      /envelope.extra is not a known field/,
    );
    assert.equal(publicWrites(), '');
  });

  it('refuses a duplicate record id', async () => {
    await send('tech', 'patientB', { recordId: 'rec-duplicate-0001' });
    await assert.rejects(send('doctorA', 'patientB', { recordId: 'rec-duplicate-0001' }), /ALREADY_EXISTS/);
  });

  it('lets only the parties and auditors read the public record', async () => {
    const recordId = await send('tech', 'patientB');
    await transfers.GetTransfer(stub.begin(A, person('tech').identity.pem), recordId);
    await transfers.GetTransfer(stub.begin(B, person('auditorB').identity.pem), recordId);
    await assert.rejects(
      transfers.GetTransfer(stub.begin(B, person('doctorB').identity.pem), recordId),
      /ACCESS_DENIED: only the parties and auditors/,
    );
  });

  it('writes identical bytes when the same proposal runs twice', async () => {
    const s = person('tech');
    const env = envelope(s.identity.privateKey, 'rec-determinism-01', person('patientB').id);
    const attestation = t.attest(stub, s, 'send');
    const runs: string[] = [];
    for (const copy of [stub.clone(), stub.clone()]) {
      await transfers.Send(
        copy.begin(A, s.identity.pem, 1, { envelope: env, attestation }),
        'rec-determinism-01',
        person('patientB').id,
        HASH,
      );
      runs.push(JSON.stringify([copy.writes, [...copy.validationParameters], copy.events]));
    }
    assert.equal(runs[0], runs[1]);
  });
});
