import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import type { AccessEvent } from './access';
import { AccessContract } from './access-contract';
import type { AttestedAction } from './attestation';
import { AuditContract, type HistoryEntry } from './audit-contract';
import { TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import type { TransferRecord } from './transfer';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const RECORD = 'rec-audit-tests-0001';

describe('the audit queries', () => {
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

  /** Begins a transaction by `name`; `attest` adds a valid gateway attestation for that action. */
  const as = (name: string, secondsLater = 1, attest?: AttestedAction) => {
    const ctx = t.as(stub, name, { secondsLater, ...(attest ? { attest } : {}) });
    stub.txId = createHash('sha256')
      .update(`${name}-${String(stub.seconds)}`)
      .digest('hex');
    return ctx;
  };
  const asAdmin = (msp: string) => stub.begin(msp, t.admin(msp).pem);

  /** UserActivity as the auditor, parsed. */
  const activity = async (userId: string, kind: string, from: string, to: string, size = 10, bookmark = '') =>
    JSON.parse(await audit.UserActivity(as('auditor'), userId, kind, from, to, size, bookmark)) as {
      records: { recordId: string }[];
      bookmark: string;
    };

  describe('RecordHistory', () => {
    it("returns every version of the record's public entry, newest first", async () => {
      await t.erase(stub, 'patient', RECORD);
      interface HistoryPage {
        records: HistoryEntry[];
        bookmark: string;
      }
      const first = JSON.parse(await audit.RecordHistory(as('auditor'), RECORD, 1, '')) as HistoryPage;
      const rest = JSON.parse(
        await audit.RecordHistory(as('auditor'), RECORD, 2, first.bookmark),
      ) as HistoryPage;
      assert.deepEqual(
        [...first.records, ...rest.records].map((h) => (h.record as TransferRecord).status),
        ['erased', 'erasing', 'active'],
      );
      assert.equal(rest.bookmark, '');
      assert.match(first.records[0]?.at ?? '', /^2026-01-01T/);
      await assert.rejects(audit.RecordHistory(as('auditor'), RECORD, 10, 'x'), /INVALID_ARGUMENT: bookmark/);
    });

    it('is for auditors only', async () => {
      await assert.rejects(
        audit.RecordHistory(as('patient'), RECORD, 10, ''),
        /ACCESS_DENIED: role patient may not audit/,
      );
      await assert.rejects(
        audit.RecordHistory(asAdmin(B), RECORD, 10, ''),
        /ACCESS_DENIED: role admin may not audit/,
      );
    });
  });

  describe('RecordEvents', () => {
    it('lists grants, revocations, openings, key releases and reviews of a record, oldest first', async () => {
      await access.RevokeGrant(as('patient'), RECORD, t.person('doctorC').id);
      const events = async (name: string) =>
        (
          JSON.parse(await audit.RecordEvents(as(name), RECORD, 10, '')) as {
            records: { kind: string; actorId: string; subjectId: string; detail: string }[];
          }
        ).records;
      const trail = await events('auditor');
      assert.deepEqual(
        trail.map((e) => [e.kind, e.actorId, e.subjectId]),
        [
          ['grant', t.person('patient').id, t.person('doctorC').id],
          ['revoke', t.person('patient').id, t.person('doctorC').id],
        ],
      );
      assert.match(trail[0]?.detail ?? '', /^TREAT until \d{4}-/);
      assert.deepEqual(await events('patient'), trail, 'the recipient sees it too');
      await assert.rejects(events('doctorC'), /ACCESS_DENIED: only auditors and the recipient/);
    });
  });

  describe('RecordQuery', () => {
    it("records an auditor's query: of a record as an event of its trail, of a user under both of them", async () => {
      await audit.RecordQuery(as('auditor'), 'record', RECORD, '', '');
      const trail = JSON.parse(await audit.RecordEvents(as('patient'), RECORD, 10, '')) as {
        records: { kind: string; actorId: string; detail: string }[];
      };
      assert.deepEqual(
        trail.records.filter((e) => e.kind === 'query').map((e) => [e.actorId, e.detail]),
        [[t.person('auditor').id, 'record trail']],
        'the recipient sees who looked at the trail',
      );
      const [from, to] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
      await audit.RecordQuery(as('auditor'), 'user', t.person('doctorC').id, from, to);
      const about = await activity(t.person('doctorC').id, 'query', from, '2027-01-01T00:00:00Z');
      const by = await activity(t.person('auditor').id, 'query', from, '2027-01-01T00:00:00Z');
      assert.deepEqual(about, by);
      assert.deepEqual(
        (about.records as unknown as { docType: string; subjectId: string; from: string; to: string }[]).map(
          (q) => [q.docType, q.subjectId, q.from, q.to],
        ),
        [['audit-query', t.person('doctorC').id, '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']],
      );
    });

    it('is for auditors only, and validates its subject', async () => {
      await assert.rejects(
        audit.RecordQuery(as('patient'), 'record', RECORD, '', ''),
        /ACCESS_DENIED: role patient may not audit/,
      );
      await assert.rejects(
        audit.RecordQuery(as('auditor'), 'study', RECORD, '', ''),
        /kind must be record or user/,
      );
      await assert.rejects(
        audit.RecordQuery(as('auditor'), 'record', 'rec-no-such-record-01', '', ''),
        /NOT_FOUND/,
      );
      await assert.rejects(
        audit.RecordQuery(as('auditor'), 'record', RECORD, '2026-01-01T00:00:00Z', ''),
        /takes no time range/,
      );
      await assert.rejects(
        audit.RecordQuery(
          as('auditor'),
          'user',
          t.person('doctorC').id,
          '2026-02-01T00:00:00Z',
          '2026-01-01T00:00:00Z',
        ),
        /from must be before to/,
      );
    });
  });

  describe('RecordAccesses', () => {
    it('lists granted and denied attempts for auditors and for the recipient, and no one else', async () => {
      await access.RecordAccess(as('doctorC', 1, 'access'), RECORD, 'TREAT');
      await access.RecordAccess(as('tech', 1, 'access'), RECORD, 'TREAT');
      const page = JSON.parse(await audit.RecordAccesses(as('patient'), RECORD, 10, '')) as {
        records: AccessEvent[];
      };
      assert.deepEqual(page.records.map((e) => e.outcome).sort(), ['denied', 'granted']);
      await assert.rejects(
        audit.RecordAccesses(as('doctorC'), RECORD, 10, ''),
        /ACCESS_DENIED: only auditors and the recipient/,
      );
    });
  });

  describe('UserActivity', () => {
    it("returns a user's transfers and accesses within a time range, paginated", async () => {
      for (let i = 0; i < 3; i++) {
        await access.RecordAccess(as('doctorC', 3600, 'access'), RECORD, 'TREAT');
      }
      const id = t.person('doctorC').id;
      const [day, nextDay] = ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'];
      const first = await activity(id, 'access', day, nextDay, 2);
      assert.equal(first.records.length, 2);
      assert.notEqual(first.bookmark, '');
      const rest = await activity(id, 'access', day, nextDay, 2, first.bookmark);
      assert.deepEqual([rest.records.length, rest.bookmark], [1, '']);
      assert.equal((await activity(id, 'access', day, '2026-01-01T01:30:00Z')).records.length, 1);
      const received = await activity(t.person('patient').id, 'transfer', day, '2027-01-01T00:00:00Z');
      assert.deepEqual(
        received.records.map((r) => r.recordId),
        [RECORD],
      );
    });

    it('validates its arguments and is for auditors only', async () => {
      const id = t.person('doctorC').id;
      await assert.rejects(
        audit.UserActivity(
          as('auditor'),
          id,
          'logins',
          '2026-01-01T00:00:00Z',
          '2026-01-02T00:00:00Z',
          10,
          '',
        ),
        /kind must be/,
      );
      await assert.rejects(
        audit.UserActivity(as('auditor'), id, 'access', 'yesterday', '2026-01-02T00:00:00Z', 10, ''),
        /from must be an ISO/,
      );
      await assert.rejects(
        audit.UserActivity(
          as('auditor'),
          id,
          'access',
          '2026-01-02T00:00:00Z',
          '2026-01-01T00:00:00Z',
          10,
          '',
        ),
        /from must be before to/,
      );
      await assert.rejects(
        audit.UserActivity(
          as('auditor'),
          id,
          'access',
          '2026-01-01T00:00:00Z',
          '2026-01-02T00:00:00Z',
          500,
          '',
        ),
        /pageSize/,
      );
      await assert.rejects(
        audit.UserActivity(
          as('doctorC'),
          id,
          'access',
          '2026-01-01T00:00:00Z',
          '2026-01-02T00:00:00Z',
          10,
          '',
        ),
        /ACCESS_DENIED/,
      );
    });
  });

  describe('MyActivity', () => {
    const YEAR = ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'] as const;
    const mine = async (name: string, kind: string) =>
      JSON.parse(await audit.MyActivity(as(name), kind, ...YEAR, 10, '')) as {
        records: { docType: string; recordId: string; granteeId?: string; status?: string }[];
      };

    it("lists the caller's own sent and received records and the grants made to them", async () => {
      assert.deepEqual(
        (await mine('tech', 'transfer')).records.map((r) => [r.docType, r.recordId]),
        [['transfer', RECORD]],
      );
      assert.deepEqual(
        (await mine('patient', 'transfer')).records.map((r) => r.recordId),
        [RECORD],
      );
      assert.deepEqual((await mine('doctorC', 'transfer')).records, []);
      const grants = await mine('doctorC', 'grant');
      assert.deepEqual(
        grants.records.map((r) => [r.docType, r.recordId, r.granteeId, r.status]),
        [['grant', RECORD, t.person('doctorC').id, 'active']],
      );
      assert.deepEqual((await mine('patient', 'grant')).records, []);
    });

    it('is for the senders and receivers themselves, and validates its kind', async () => {
      await assert.rejects(audit.MyActivity(as('auditor'), 'transfer', ...YEAR, 10, ''), /ACCESS_DENIED/);
      await assert.rejects(
        audit.MyActivity(as('patient'), 'refusal', ...YEAR, 10, ''),
        /INVALID_ARGUMENT: kind must be transfer, grant or breakGlass/,
      );
    });
  });
});
