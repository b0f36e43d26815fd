import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { StorageContract, type StoredContent } from './storage-contract';
import { TEST_CID, TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const hash = (s: string): string => createHash('sha256').update(s).digest('hex');
const OTHER_CID = 'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';

describe('StorageContract.StoredContent', () => {
  const storage = new StorageContract();
  let t: TestConsortium;
  let stub: MapStub;

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      patientB: [B, 'patient'],
      doctorA: [A, 'doctor'],
      patientC: [C, 'patient'],
      auditorA: [A, 'auditor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub);
    await t.send(stub, 'tech', 'patientB', 'rec-storage-000001', hash('one'));
    await t.send(stub, 'tech', 'patientB', 'rec-storage-000002', hash('two'), { cid: OTHER_CID });
    await t.send(stub, 'tech', 'doctorA', 'rec-storage-000003', hash('three'));
    await t.send(stub, 'patientC', 'patientB', 'rec-storage-000004', hash('four'));
  });

  const list = async (msp: string, identityPem: string, counterpart: string, size = 10, bookmark = '') =>
    JSON.parse(await storage.StoredContent(stub.begin(msp, identityPem), counterpart, size, bookmark)) as {
      records: StoredContent[];
      bookmark: string;
    };

  it("lists the CIDs of the collection the caller's organisation shares with another, for its admin", async () => {
    const page = await list(A, t.admin(A).pem, B);
    assert.deepEqual(
      page.records.map((r) => [r.recordId, r.cid, r.contentHash, r.size]),
      [
        ['rec-storage-000001', TEST_CID, hash('one'), 1234],
        ['rec-storage-000002', OTHER_CID, hash('two'), 1234],
      ],
    );
    assert.equal(page.bookmark, '');
  });

  it("reads the organisation's own implicit collection for transfers inside it, and lets an auditor ask", async () => {
    const page = await list(A, t.person('auditorA').identity.pem, A);
    assert.deepEqual(
      page.records.map((r) => r.recordId),
      ['rec-storage-000003'],
    );
  });

  it('never reaches a collection the caller is not a member of', async () => {
    // B-C content is in pdc-B-C; hospital A asking about C gets its own A-C collection, which is empty.
    assert.deepEqual((await list(A, t.admin(A).pem, C)).records, []);
    assert.equal((await list(B, t.admin(B).pem, C)).records[0]?.recordId, 'rec-storage-000004');
  });

  it('pages with a bookmark', async () => {
    const first = await list(A, t.admin(A).pem, B, 1);
    assert.equal(first.records.length, 1);
    assert.equal(first.bookmark, '1');
    const second = await list(A, t.admin(A).pem, B, 1, first.bookmark);
    assert.equal(second.records[0]?.recordId, 'rec-storage-000002');
    assert.equal(second.bookmark, '');
  });

  it('refuses clinicians and patients, and bad arguments', async () => {
    await assert.rejects(list(A, t.person('doctorA').identity.pem, B), /ACCESS_DENIED: role doctor/);
    await assert.rejects(list(A, t.admin(A).pem, 'not an msp'), /INVALID_ARGUMENT: counterpartMspId/);
    await assert.rejects(list(A, t.admin(A).pem, B, 0), /INVALID_ARGUMENT: pageSize/);
    await assert.rejects(list(A, t.admin(A).pem, B, 10, 'x'), /INVALID_ARGUMENT: bookmark/);
  });
});
