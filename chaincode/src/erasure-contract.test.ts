import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import type { Context } from 'fabric-contract-api';
import { AccessContract } from './access-contract';
import { AuditContract } from './audit-contract';
import type { ErasureRecord } from './erasure';
import { ErasureContract, type ErasingContent } from './erasure-contract';
import type { RecordEvent } from './record-events';
import { TEST_STORAGE_EVIDENCE, TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import { collectionFor } from './transfer';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const REASON = createHash('sha256').update('please erase my study').digest('hex');
const RECORD = 'rec-erasure-tests-0001';
const EVIDENCE = JSON.stringify(TEST_STORAGE_EVIDENCE);

describe('erasure: asked by the recipient, confirmed by each holding organisation, completed by the storage sweep', () => {
  const erasure = new ErasureContract();
  const access = new AccessContract();
  const audit = new AuditContract();
  let t: TestConsortium;
  let stub: MapStub;

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      patient: [B, 'patient'],
      doctorC: [C, 'doctor'],
      auditor: [C, 'auditor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub);
    await t.send(stub, 'tech', 'patient', RECORD, HASH);
    await t.grant(stub, 'patient', 'doctorC', 'tech', RECORD, HASH);
  });

  const as = (name: string): Context => t.as(stub, name);
  const asAdmin = (msp: string): Context => stub.begin(msp, t.admin(msp).pem);
  const asGateway = (msp: string): Context => stub.begin(msp, t.gateway(msp).identity.pem);
  const request = async () =>
    JSON.parse(await erasure.RequestErasure(as('patient'), RECORD, REASON)) as ErasureRecord;
  const approve = async () => {
    await request();
    await erasure.ConfirmErasure(asAdmin(A), RECORD);
    return JSON.parse(await erasure.ConfirmErasure(asAdmin(B), RECORD)) as ErasureRecord;
  };
  const reason = async (name: string) =>
    (
      JSON.parse(await access.RecordAccess(t.as(stub, name, { attest: 'access' }), RECORD, 'TREAT')) as {
        reason: string;
      }
    ).reason;

  it('lets only the recipient ask, once, and names the organisations that must confirm', async () => {
    await assert.rejects(
      erasure.RequestErasure(as('tech'), RECORD, REASON),
      /ACCESS_DENIED: only the recipient/,
    );
    await assert.rejects(
      erasure.RequestErasure(as('doctorC'), RECORD, REASON),
      /ACCESS_DENIED: only the recipient/,
    );
    await assert.rejects(
      erasure.RequestErasure(asAdmin(B), RECORD, REASON),
      /ACCESS_DENIED: role admin may not requestErasure/,
    );
    await assert.rejects(
      erasure.RequestErasure(as('patient'), RECORD, 'reason'),
      /INVALID_ARGUMENT: reasonHash/,
    );
    const asked = await request();
    assert.deepEqual([asked.status, asked.required, asked.contentHash], ['requested', [A, B], HASH]);
    await assert.rejects(request(), /ALREADY_EXISTS/);
    // Asking alone changes nothing: the grantee still reads.
    assert.match(await reason('doctorC'), /^grant for TREAT/);
  });

  it('needs an admin of the sender’s and of the recipient’s organisation, each once; no one else confirms', async () => {
    await request();
    await assert.rejects(
      erasure.ConfirmErasure(asAdmin(C), RECORD),
      /ACCESS_DENIED: only admins of HospitalAMSP and HospitalBMSP/,
    );
    await assert.rejects(
      erasure.ConfirmErasure(as('patient'), RECORD),
      /ACCESS_DENIED: role patient may not erase/,
    );
    const pendingA = JSON.parse(await erasure.PendingErasures(asAdmin(A), 10, '')) as {
      records: ErasureRecord[];
    };
    assert.deepEqual(
      pendingA.records.map((r) => r.recordId),
      [RECORD],
    );
    const half = JSON.parse(await erasure.ConfirmErasure(asAdmin(A), RECORD)) as ErasureRecord;
    assert.equal(half.status, 'requested');
    await assert.rejects(
      erasure.ConfirmErasure(asAdmin(A), RECORD),
      /ALREADY_EXISTS: HospitalAMSP confirmed/,
    );
    assert.deepEqual(
      (JSON.parse(await erasure.PendingErasures(asAdmin(A), 10, '')) as { records: [] }).records,
      [],
    );
    assert.match(await reason('doctorC'), /^grant for TREAT/);
    await assert.rejects(
      erasure.CompleteErasure(asAdmin(B), RECORD, EVIDENCE),
      /FAILED_PRECONDITION: .*not approved yet/,
    );
    const done = JSON.parse(await erasure.ConfirmErasure(asAdmin(B), RECORD)) as ErasureRecord;
    assert.equal(done.status, 'erasing');
    assert.deepEqual(
      done.confirmations.map((c) => c.mspId),
      [A, B],
    );
    // From the last confirmation on, nobody reads: not the grantee, not the recipient.
    assert.equal(await reason('doctorC'), 'the record is being erased');
    assert.equal(
      (
        JSON.parse(
          await access.RecordAccess(t.as(stub, 'patient', { attest: 'access' }), RECORD, 'PATRQT'),
        ) as { reason: string }
      ).reason,
      'the record is being erased',
    );
  });

  it('hands the ciphertext to the recipient organisation’s sweep only, then purges every envelope with the evidence', async () => {
    await approve();
    const content = JSON.parse(await erasure.ErasingContent(asGateway(B), 10, '')) as {
      records: ErasingContent[];
    };
    assert.deepEqual(
      content.records.map((c) => [c.recordId, c.contentHash]),
      [[RECORD, HASH]],
    );
    assert.match(content.records[0]?.cid ?? '', /^b/);
    assert.deepEqual(
      (JSON.parse(await erasure.ErasingContent(asGateway(A), 10, '')) as { records: [] }).records,
      [],
    );
    await assert.rejects(
      erasure.ErasingContent(as('patient'), 10, ''),
      /ACCESS_DENIED: role patient may not sweepErasures/,
    );
    await assert.rejects(
      erasure.CompleteErasure(asGateway(A), RECORD, EVIDENCE),
      /ACCESS_DENIED: only HospitalBMSP's storage sweep/,
    );
    await assert.rejects(
      erasure.CompleteErasure(
        asGateway(B),
        RECORD,
        JSON.stringify({ unpinnedFrom: 1, collectedOn: [], blocksRemoved: 0 }),
      ),
      /INVALID_ARGUMENT: the storage evidence/,
    );
    await erasure.CompleteErasure(asGateway(B), RECORD, EVIDENCE);
    assert.equal(stub.envelopesIn(collectionFor(A, B)).length, 0);
    assert.equal(stub.envelopesIn(collectionFor(B, C)).length, 0);
    assert.ok(stub.writes.some(([k, v]) => k.startsWith(`${collectionFor(A, B)}/`) && v === '(purged)'));
    assert.equal(stub.events.at(-1)?.name, 'RecordErased');
    const record = JSON.parse(await erasure.GetErasure(as('auditor'), RECORD)) as ErasureRecord;
    assert.equal(record.status, 'erased');
    assert.deepEqual(
      [record.storage?.collectedOn, record.storage?.reportedBy],
      [TEST_STORAGE_EVIDENCE.collectedOn, t.gateway(B).id],
    );
    assert.equal(record.reasonHash, REASON);
    assert.equal(await reason('doctorC'), 'the record was erased');
    await assert.rejects(
      erasure.CompleteErasure(asGateway(B), RECORD, EVIDENCE),
      /FAILED_PRECONDITION: .*erased already/,
    );
    assert.deepEqual(
      (JSON.parse(await erasure.ErasingContent(asGateway(B), 10, '')) as { records: [] }).records,
      [],
    );
    // The trail keeps each step.
    const trail = JSON.parse(await audit.RecordEvents(as('auditor'), RECORD, 100, '')) as {
      records: RecordEvent[];
    };
    assert.deepEqual(
      trail.records.filter((e) => e.kind === 'erasure').map((e) => e.detail),
      ['requested', 'confirmed', 'approved', 'erased'],
    );
  });

  it('shows the erasure to the parties, the holding organisations’ admins and auditors only', async () => {
    await request();
    // One transaction at a time: the stub has one creator.
    for (const reader of [
      () => as('patient'),
      () => as('tech'),
      () => as('auditor'),
      () => asAdmin(A),
      () => asAdmin(B),
    ]) {
      assert.equal(
        (JSON.parse(await erasure.GetErasure(reader(), RECORD)) as ErasureRecord).recordId,
        RECORD,
      );
    }
    await assert.rejects(erasure.GetErasure(as('doctorC'), RECORD), /ACCESS_DENIED/);
    await assert.rejects(erasure.GetErasure(asAdmin(C), RECORD), /ACCESS_DENIED/);
  });
});
