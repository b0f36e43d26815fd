import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { RegistryContract } from './registry-contract';
import { envelopeRecord, TEST_CID, TestConsortium, type Person } from './testing/consortium';
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

  /**
   * `from` deposits an envelope signed over HASH for `to` (a name, or a
   * 64-hex id) that names `hash` as its content hash, then records the
   * transfer; `env: null` deposits no envelope.
   */
  async function send(
    from: string,
    to: string,
    options: { recordId?: string; env?: Partial<EnvelopeInput> | null; hash?: string; label?: string } = {},
  ): Promise<string> {
    const s = person(from);
    const r = to.length === 64 ? to : person(to).id;
    const recordId =
      options.recordId ?? `rec-${from}-${createHash('sha256').update(to).digest('hex').slice(0, 12)}`;
    const contentHash = options.hash ?? HASH;
    const deposit = envelopeRecord(envelope(s.identity.privateKey, recordId, r, options.env ?? {}), {
      recordId,
      readerId: r,
      senderId: s.id,
      contentHash,
      depositorId: s.id,
    });
    const transient = options.env === null ? {} : { envelope: deposit.envelope };
    await transfers.DepositEnvelope(t.as(stub, from, { transient }), recordId, r);
    const ctx = t.as(stub, from, { attest: 'send' });
    if (options.label === undefined) await transfers.Send(ctx, recordId, r, contentHash, deposit.hash);
    else await transfers.SendLabelled(ctx, recordId, r, contentHash, options.label, deposit.hash);
    return recordId;
  }

  const publicWrites = (): string =>
    stub
      .publicWrites()
      .map(([k, v]) => k + v)
      .join('\n');
  /** Nothing was written to world state or private data since registration. */
  const nothingRecorded = (): void => {
    assert.equal(publicWrites(), '');
    assert.deepEqual([...stub.privateData.keys()], []);
  };

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
    const envelopes = stub.envelopesIn(collectionFor(A, B));
    assert.equal(envelopes.length, 1);
    assert.match(Buffer.from(envelopes[0] ?? []).toString(), new RegExp(CID));
  });

  it('keeps the CID, wrapped key, media type and salt off the public state, in the deposit and the record', async () => {
    const recordId = 'rec-private-check-1';
    const { envelope: env, hash } = await t.deposit(stub, 'tech', 'patientB', recordId, HASH);
    let visible = publicWrites() + stub.events.map((e) => e.payload).join('');
    await transfers.Send(t.as(stub, 'tech', { attest: 'send' }), recordId, person('patientB').id, HASH, hash);
    visible += publicWrites() + stub.events.map((e) => e.payload).join('');
    for (const secret of [CID, env.wrappedKey ?? 'none', env.salt, 'application/dicom', env.signature]) {
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

  it("uses the organisation's own collection (org-<MSP>) inside one organisation", async () => {
    await send('doctorA', 'patientA');
    assert.equal(collectionFor(A, A), `org-${A}`);
    assert.deepEqual([...stub.privateData.keys()], [`org-${A}`]);
    assert.equal(stub.envelopesIn(`org-${A}`).length, 1);
  });

  it('lets technologists, doctors and patients send, and refuses auditors and admins', async () => {
    await send('tech', 'patientB');
    await send('doctorA', 'patientB');
    await send('patientA', 'doctorB');
    await assert.rejects(send('auditorA', 'patientB'), /ACCESS_DENIED: role auditor may not send/);
    const admin = t.admin(A);
    const recipientId = person('patientB').id;
    await assert.rejects(
      transfers.DepositEnvelope(stub.begin(A, admin.pem), 'rec-from-admin-000', recipientId),
      /ACCESS_DENIED: role admin may not send/,
    );
    await assert.rejects(
      transfers.Send(stub.begin(A, admin.pem), 'rec-from-admin-000', recipientId, HASH, HASH),
      /ACCESS_DENIED: role admin may not send/,
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
    nothingRecorded();
  });

  it('refuses a deposit signed by another key or over other content, depositing nothing', async () => {
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
    nothingRecorded();
  });

  it('refuses malformed arguments and envelopes at the deposit, depositing nothing', async () => {
    await assert.rejects(send('tech', 'patientB', { recordId: 'short' }), /INVALID_ARGUMENT: recordId/);
    await assert.rejects(send('tech', 'patientB', { hash: 'XYZ' }), /INVALID_ARGUMENT: contentHash/);
    // Reported as a malformed content hash: DepositEnvelope reads the envelope's contentHash before the rest.
    await assert.rejects(send('tech', 'patientB', { env: null }), /INVALID_ARGUMENT: /);
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
    nothingRecorded();
  });

  it('keeps a sealed label on the transfer as given, and refuses one of another shape, recording nothing', async () => {
    const b64 = (n: number) => randomBytes(n).toString('base64');
    const label = JSON.stringify({
      v: 1,
      iv: b64(12),
      ct: b64(40),
      keys: { [person('patientB').id]: b64(106) },
    });
    const recordId = await send('tech', 'patientB', { recordId: 'rec-labelled-00001', label });
    const transfer = JSON.parse(
      await transfers.GetTransfer(stub.begin(B, person('patientB').identity.pem), recordId),
    ) as TransferRecord;
    assert.equal(transfer.label, label);
    for (const [bad, why] of [
      ['{"v":1', /must be JSON/],
      [JSON.stringify({ v: 2, iv: b64(12), ct: b64(4), keys: { [person('patientB').id]: b64(9) } }), /v: 1/],
      [
        JSON.stringify({
          v: 1,
          iv: b64(12),
          ct: b64(4),
          keys: { [person('patientB').id]: b64(9) },
          name: 'x',
        }),
        /v: 1/,
      ],
      [
        JSON.stringify({ v: 1, iv: 'not base64!', ct: b64(4), keys: { [person('patientB').id]: b64(9) } }),
        /base64/,
      ],
      [JSON.stringify({ v: 1, iv: b64(12), ct: b64(4), keys: {} }), /one to four readers/],
      [JSON.stringify({ v: 1, iv: b64(12), ct: b64(4), keys: { alice: b64(9) } }), /user ids/],
      [
        JSON.stringify({ v: 1, iv: b64(12), ct: b64(3000), keys: { [person('patientB').id]: b64(9) } }),
        /4096/,
      ],
    ] as const) {
      stub = new MapStub();
      await t.registerAll(stub, ['unregisteredA']);
      await assert.rejects(send('tech', 'patientB', { recordId: 'rec-labelled-00002', label: bad }), why);
      assert.equal(
        stub.publicWrites().filter(([k]) => k.includes('rec-labelled-00002')).length,
        0,
        'no transfer recorded',
      );
    }
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

  it('writes identical bytes when the same deposit and record proposals run twice', async () => {
    const s = person('tech');
    const recipientId = person('patientB').id;
    const recordId = 'rec-determinism-01';
    const { envelope: env, hash } = t.transferEnvelope('tech', 'patientB', recordId, HASH);
    const attestation = t.attest(stub, s, 'send');
    const runs: string[] = [];
    for (const copy of [stub.clone(), stub.clone()]) {
      await transfers.DepositEnvelope(
        copy.begin(A, s.identity.pem, 1, { envelope: env }),
        recordId,
        recipientId,
      );
      const deposited = [...copy.writes];
      await transfers.Send(
        copy.begin(A, s.identity.pem, 1, { attestation }),
        recordId,
        recipientId,
        HASH,
        hash,
      );
      runs.push(JSON.stringify([deposited, copy.writes, [...copy.validationParameters], copy.events]));
    }
    assert.equal(runs[0], runs[1]);
  });
});
