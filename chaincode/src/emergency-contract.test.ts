import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
import { before, beforeEach, describe, it } from 'node:test';
import { AccessContract } from './access-contract';
import { AuditContract } from './audit-contract';
import type { AttestedAction } from './attestation';
import type { ReviewRecord } from './emergency';
import { EmergencyContract } from './emergency-contract';
import { TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import { collectionFor, type EnvelopeInput } from './transfer';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const RECORD = 'rec-emergency-test-01';
const JUSTIFICATION = createHash('sha256')
  .update('patient arrived unconscious; allergies unknown')
  .digest('hex');

describe('EmergencyContract (break-glass)', () => {
  const emergency = new EmergencyContract();
  const access = new AccessContract();
  let t: TestConsortium;
  let stub: MapStub;
  /** The data key's shares as a sender splits it for HospitalB's key set (random here). */
  const emergencyShares = () => ({
    version: 1 as const,
    keySetVersion: 1,
    threshold: 2,
    parts: [
      { holders: [t.person('opB1').id, t.person('opB2').id], wrapped: [b64(106), b64(106)] },
      { holders: [t.person('opB1').id, t.person('opB3').id], wrapped: [b64(106), b64(106)] },
      { holders: [t.person('opB2').id, t.person('opB3').id], wrapped: [b64(106), b64(106)] },
    ],
    check: b64(32),
  });

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      patient: [B, 'patient'],
      doctorC: [C, 'doctor'],
      auditor: [A, 'auditor'],
      auditorC: [C, 'auditor'],
      otherDoctor: [B, 'doctor'],
      opB1: [B, 'admin'],
      opB2: [B, 'admin'],
      opB3: [B, 'admin'],
      opA: [A, 'admin'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub);
    await t.setKeySet(stub, ['opB1', 'opB2', 'opB3']);
    await t.send(stub, 'tech', 'patient', RECORD, HASH, { emergencyShares: emergencyShares() });
  });

  /** Begins a transaction by `name`; `attest` adds a valid gateway attestation for that action. */
  const as = (
    name: string,
    secondsLater = 1,
    transient: Record<string, unknown> = {},
    attest?: AttestedAction,
  ) => {
    const ctx = t.as(stub, name, { secondsLater, transient, ...(attest ? { attest } : {}) });
    stub.txId = createHash('sha256')
      .update(`${name}-${String(stub.seconds)}`)
      .digest('hex');
    return ctx;
  };
  const asAdmin = (msp: string) => stub.begin(msp, t.admin(msp).pem);
  /** A HospitalB holder deposits their key share of RECORD for doctorC; {@link contribute} also contributes it. */
  const deposit = (holder = 'opB1', overrides: Partial<EnvelopeInput> = {}) =>
    t.depositKeyShare(stub, holder, 'doctorC', 'patient', 'tech', RECORD, HASH, overrides);
  const contribute = (holder: string) =>
    t.contributeKeyShare(stub, holder, 'doctorC', 'patient', 'tech', RECORD, HASH);
  /** Two holders contribute: the key is released. */
  const release = () =>
    t.releaseBreakGlassKey(stub, ['opB1', 'opB2'], 'doctorC', 'patient', 'tech', RECORD, HASH);
  const breakGlass = async (name = 'doctorC') =>
    JSON.parse(
      await emergency.BreakGlass(as(name, 1, {}, 'breakGlass'), RECORD, 'UNCONSCIOUS', JUSTIFICATION, 240),
    ) as {
      reviewId: string;
      expiresAt: string;
    };
  const outcome = async (name: string, secondsLater = 1) =>
    JSON.parse(await access.RecordAccess(as(name, secondsLater, {}, 'access'), RECORD, 'ETREAT')) as {
      outcome: string;
      reason: string;
      txId: string;
    };

  it('opens a record for four hours to a doctor without a grant, announced and flagged for review', async () => {
    assert.equal((await outcome('doctorC')).reason, 'no grant for the caller');
    const { reviewId, expiresAt } = await breakGlass();
    const event = stub.events.find((e) => e.name === 'BreakGlassOpened');
    assert.ok(event);
    assert.match(event.payload, new RegExp(`"recipientId":"${t.person('patient').id}"`));
    assert.match(event.payload, /"reasonCode":"UNCONSCIOUS"/);
    // Denied, and said why, until the organisation's emergency service releases the key.
    const waiting = await outcome('doctorC');
    assert.deepEqual(
      [waiting.outcome, waiting.reason],
      ['denied', "the emergency key has not been released yet: ask your organisation's emergency service"],
    );
    await release();
    const opened = await outcome('doctorC');
    assert.equal(opened.outcome, 'granted');
    assert.equal(opened.reason, `break-glass UNCONSCIOUS until ${expiresAt}`);
    const reviews = JSON.parse(await emergency.OpenReviews(as('auditor'), 10, '')) as {
      records: ReviewRecord[];
    };
    assert.deepEqual(
      reviews.records.map((r) => r.reviewId),
      [reviewId],
    );
    assert.equal((await outcome('doctorC', 4 * 3600)).reason, 'no grant for the caller');
  });

  it('keeps free text off the ledger and validates its arguments', async () => {
    await breakGlass();
    assert.ok(!stub.writes.some(([, v]) => v.includes('unconscious;')));
    await assert.rejects(
      emergency.BreakGlass(
        as('doctorC', 4 * 3600 + 1, {}, 'breakGlass'),
        RECORD,
        'BORED',
        JUSTIFICATION,
        240,
      ),
      /INVALID_ARGUMENT: reasonCode/,
    );
    await assert.rejects(
      emergency.BreakGlass(
        as('doctorC', 1, {}, 'breakGlass'),
        RECORD,
        'OTHER',
        'patient was unconscious',
        240,
      ),
      /INVALID_ARGUMENT: justificationHash/,
    );
    for (const minutes of [0, 241, 1.5, Number.NaN]) {
      await assert.rejects(
        emergency.BreakGlass(as('doctorC', 1, {}, 'breakGlass'), RECORD, 'OTHER', JUSTIFICATION, minutes),
        /INVALID_ARGUMENT: durationMinutes must be a whole number of minutes from 1 to 240/,
      );
    }
  });

  it("lists the openings waiting for a key release to the recipient organisation's emergency service only", async () => {
    const pending = async (msp: string, secondsLater = 1) =>
      (
        JSON.parse(
          await emergency.PendingReleases(stub.begin(msp, t.admin(msp).pem, secondsLater), 10, ''),
        ) as {
          records: { recordId: string; doctorId: string; txId: string }[];
        }
      ).records.map((o) => [o.recordId, o.doctorId]);
    assert.deepEqual(await pending(B), []);
    const { reviewId } = await breakGlass();
    assert.deepEqual(await pending(B), [[RECORD, t.person('doctorC').id]]);
    assert.deepEqual(await pending(C), [], "the doctor's own organisation holds no key to release");
    await assert.rejects(
      emergency.PendingReleases(as('auditor'), 10, ''),
      /ACCESS_DENIED: role auditor may not manageEmergencyKey/,
    );
    await release();
    assert.deepEqual(await pending(B), []);
    // One that expires unreleased drops out of the list.
    await emergency.CloseReview(as('auditor'), reviewId, 'justified', JUSTIFICATION);
    stub.seconds += 4 * 3600 + 1;
    await breakGlass();
    assert.equal((await pending(B)).length, 1);
    assert.deepEqual(await pending(B, 4 * 3600 + 1), []);
    // The record's trail holds each step.
    const trail = JSON.parse(await new AuditContract().RecordEvents(as('auditor'), RECORD, 10, '')) as {
      records: { kind: string }[];
    };
    assert.deepEqual(
      trail.records.map((e) => e.kind),
      ['breakGlass', 'keyRelease', 'keyRelease', 'review', 'breakGlass'],
    );
  });

  it("limits a doctor's openings a day, as their organisation sets it: the excess is refused, kept and announced as an alert", async () => {
    const open = async (recordId: string) =>
      JSON.parse(
        await emergency.BreakGlass(
          as('doctorC', 60, {}, 'breakGlass'),
          recordId,
          'URGENT_CARE',
          JUSTIFICATION,
          30,
        ),
      ) as { outcome: string; reason?: string; alertId?: string };
    const records = ['rec-emergency-test-02', 'rec-emergency-test-03', 'rec-emergency-test-04'];
    for (const recordId of records) await t.send(stub, 'tech', 'patient', recordId, HASH);
    assert.equal((await open(RECORD)).outcome, 'opened');
    assert.equal((await open(records[0] ?? '')).outcome, 'opened');
    assert.equal((await open(records[1] ?? '')).outcome, 'opened');
    const refused = await open(records[2] ?? '');
    assert.deepEqual(
      [refused.outcome, refused.reason],
      ['refused', '3 openings in the last 24 hours: ImagingMSP allows 3 a day'],
    );
    assert.ok(stub.events.some((e) => e.name === 'BreakGlassLimitExceeded'));
    const alerts = JSON.parse(await emergency.Alerts(as('auditor'), 10, '')) as {
      records: { kind: string; doctorId: string; recordId: string; perDay: number }[];
    };
    assert.deepEqual(
      alerts.records
        .filter((a) => a.kind === 'breakGlassLimit')
        .map((a) => [a.doctorId, a.recordId, a.perDay]),
      [[t.person('doctorC').id, records[2], 3]],
    );
    assert.equal(
      stub.state.get(stub.createCompositeKey('break-glass', [records[2] ?? '', t.person('doctorC').id])),
      undefined,
      'no opening',
    );
    // The doctor's own organisation raises its limit; another organisation's admin sets only its own.
    await assert.rejects(
      emergency.SetOpeningLimit(stub.begin(C, t.admin(C).pem), 0),
      /INVALID_ARGUMENT: the limit must be a whole number/,
    );
    await emergency.SetOpeningLimit(stub.begin(B, t.admin(B).pem), 10);
    assert.equal((await open(records[2] ?? '')).outcome, 'refused');
    await emergency.SetOpeningLimit(stub.begin(C, t.admin(C).pem), 4);
    assert.equal((await open(records[2] ?? '')).outcome, 'opened');
    // A day later the count starts again.
    stub.seconds += 86_400;
    await t.send(stub, 'tech', 'patient', 'rec-emergency-test-05', HASH);
    assert.equal((await open('rec-emergency-test-05')).outcome, 'opened');
  });

  it('records an emergency read as ETREAT whatever purpose the doctor gave', async () => {
    await breakGlass();
    await release();
    const read = JSON.parse(await access.RecordAccess(as('doctorC', 1, {}, 'access'), RECORD, 'TREAT')) as {
      outcome: string;
      txId: string;
    };
    assert.equal(read.outcome, 'granted');
    const bytes = stub.state.get(stub.createCompositeKey('access', [RECORD, read.txId]));
    assert.ok(bytes);
    assert.equal((JSON.parse(Buffer.from(bytes).toString()) as { purpose: string }).purpose, 'ETREAT');
  });

  it('refuses a new opening by the same doctor until the last one is reviewed, by the holders of the record', async () => {
    const first = await breakGlass();
    stub.seconds += 4 * 3600 + 1;
    await assert.rejects(
      breakGlass(),
      new RegExp(
        `FAILED_PRECONDITION: the previous break-glass opening of record ${RECORD} \\(review ${first.reviewId}\\) has not been reviewed yet`,
      ),
    );
    // doctorC's own organisation holds no part of the record: its auditor does not review.
    await assert.rejects(
      emergency.CloseReview(as('auditorC'), first.reviewId, 'justified', JUSTIFICATION),
      /ACCESS_DENIED: only auditors of .* which hold record/,
    );
    await emergency.CloseReview(as('auditor'), first.reviewId, 'justified', JUSTIFICATION);
    await breakGlass();
  });

  it('ends a short opening when its duration is up', async () => {
    const opened = JSON.parse(
      await emergency.BreakGlass(as('doctorC', 1, {}, 'breakGlass'), RECORD, 'URGENT_CARE', JUSTIFICATION, 2),
    ) as { expiresAt: string };
    assert.equal(Date.parse(opened.expiresAt) - stub.seconds * 1000, 2 * 60_000);
    await release();
    assert.equal((await outcome('doctorC', 58)).outcome, 'granted');
    assert.equal((await outcome('doctorC', 61)).reason, 'no grant for the caller');
    const mine = JSON.parse(
      await new AuditContract().MyActivity(
        as('doctorC', 1, {}),
        'breakGlass',
        '2026-01-01T00:00:00Z',
        '2027-01-01T00:00:00Z',
        10,
        '',
      ),
    ) as { records: { docType: string; recordId: string; expiresAt: string }[] };
    assert.deepEqual(
      mine.records.map((r) => [r.docType, r.recordId, r.expiresAt]),
      [['break-glass', RECORD, opened.expiresAt]],
    );
  });

  it('refuses non-doctors, the recipient, and a second opening in force', async () => {
    await assert.rejects(
      emergency.BreakGlass(as('tech', 1, {}, 'breakGlass'), RECORD, 'URGENT_CARE', JUSTIFICATION, 240),
      /ACCESS_DENIED: role technologist may not breakGlass/,
    );
    await assert.rejects(
      emergency.BreakGlass(as('patient', 1, {}, 'breakGlass'), RECORD, 'URGENT_CARE', JUSTIFICATION, 240),
      /ACCESS_DENIED: role patient may not breakGlass/,
    );
    await breakGlass();
    await assert.rejects(breakGlass(), /FAILED_PRECONDITION: a break-glass opening of record .* is in force/);
    const toDoctor = 'rec-emergency-to-doctor';
    await t.send(stub, 'tech', 'otherDoctor', toDoctor, HASH);
    await assert.rejects(
      emergency.BreakGlass(
        as('otherDoctor', 1, {}, 'breakGlass'),
        toDoctor,
        'URGENT_CARE',
        JUSTIFICATION,
        240,
      ),
      /FAILED_PRECONDITION: the recipient needs no break-glass/,
    );
  });

  it('releases the key only when two holders of the key set each contribute their share, recorded one by one', async () => {
    await breakGlass();
    const doctorId = t.person('doctorC').id;
    const forHolder = JSON.parse(
      await emergency.ReadEmergencyEnvelope(as('opB1'), RECORD, doctorId),
    ) as Record<string, unknown>;
    assert.equal((forHolder.emergencyShares as { keySetVersion: number }).keySetVersion, 1);
    assert.equal(forHolder.wrappedKey, undefined);
    assert.equal(forHolder.salt, undefined);
    await assert.rejects(
      emergency.ReadEmergencyEnvelope(as('opA'), RECORD, doctorId),
      /ACCESS_DENIED: only HospitalBMSP's emergency service/,
    );
    // An admin of the organisation who holds no share reads nothing.
    await assert.rejects(
      emergency.ReadEmergencyEnvelope(asAdmin(B), RECORD, doctorId),
      /ACCESS_DENIED: you hold no share of HospitalBMSP's emergency key set 1/,
    );

    const first = await contribute('opB1');
    assert.equal(first.released, false);
    assert.equal((await outcome('doctorC')).outcome, 'denied', 'one share releases nothing');
    await assert.rejects(contribute('opB1'), /ALREADY_EXISTS: you contributed your share/);
    const second = await contribute('opB3');
    assert.equal(second.released, true);
    assert.ok(stub.events.some((e) => e.name === 'BreakGlassKeyReleased'));
    assert.equal(stub.envelopesIn(collectionFor(B, C)).length, 2);
    const opened = await outcome('doctorC');
    assert.equal(opened.outcome, 'granted');
    const forDoctor = JSON.parse(await access.ReadEnvelope(as('doctorC'), RECORD, opened.txId)) as {
      keyShares: { holderId: string }[];
      wrappedKey?: string;
      emergencyShares?: unknown;
      depositorId?: string;
    };
    assert.deepEqual(
      forDoctor.keyShares.map((k) => k.holderId),
      [t.person('opB1').id, t.person('opB3').id],
    );
    assert.equal(forDoctor.wrappedKey, undefined);
    assert.equal(forDoctor.emergencyShares, undefined);
    await assert.rejects(
      contribute('opB2'),
      /FAILED_PRECONDITION: the key of record .* was already released/,
    );
    // Each contribution is on the record's trail.
    const trail = JSON.parse(await new AuditContract().RecordEvents(as('auditor'), RECORD, 10, '')) as {
      records: { kind: string; actorId: string; detail: string }[];
    };
    assert.deepEqual(
      trail.records.filter((e) => e.kind === 'keyRelease').map((e) => [e.actorId, e.detail]),
      [
        [t.person('opB1').id, 'share 1 of 2'],
        [t.person('opB3').id, 'released'],
      ],
    );
  });

  it("takes only the contributor's own share, as deposited, by a holder of the key set", async () => {
    await breakGlass();
    const doctorId = t.person('doctorC').id;
    await assert.rejects(
      deposit('opB1', { emergencyShares: emergencyShares() }),
      /INVALID_ARGUMENT: a key-share deposit carries its parts only/,
    );
    await assert.rejects(
      deposit('opB1', { wrappedKey: b64(106) }),
      /INVALID_ARGUMENT: a key-share deposit carries its parts only/,
    );
    assert.equal(stub.privateData.get(collectionFor(B, C)), undefined, 'nothing deposited');
    await assert.rejects(
      emergency.ContributeKeyShare(as('opB1'), RECORD, doctorId, 1, HASH),
      /FAILED_PRECONDITION: no envelope of record .* is deposited/,
    );
    const replaced = await deposit('opB1');
    const { hash } = await deposit('opB1');
    assert.deepEqual(stub.publicWrites(), [], 'a deposit writes no public state');
    await assert.rejects(deposit('opA'), /ACCESS_DENIED: only HospitalBMSP's emergency service/);
    await assert.rejects(
      emergency.ContributeKeyShare(as('opB1'), RECORD, doctorId, 1, replaced.hash),
      /FAILED_PRECONDITION: the deposited envelope of record .* is not the one named/,
    );
    // Another holder cannot pass off opB1's deposit as their own.
    await assert.rejects(
      emergency.ContributeKeyShare(as('opB2'), RECORD, doctorId, 1, hash),
      /FAILED_PRECONDITION: no envelope of record .* is deposited/,
    );
    await assert.rejects(
      emergency.ContributeKeyShare(as('opB1'), RECORD, doctorId, 2, hash),
      /NOT_FOUND: no emergency key set 2 of HospitalBMSP/,
    );
    await emergency.ContributeKeyShare(as('opB1'), RECORD, doctorId, 1, hash);
    assert.deepEqual(stub.privateCollections(), [], 'the contribution writes public state only');
  });

  it('refuses a deposit and a release after the opening expires', async () => {
    await breakGlass();
    stub.seconds += 4 * 3600;
    const expired = /FAILED_PRECONDITION: the break-glass opening of record .* is no longer in force/;
    await assert.rejects(
      emergency.ReadEmergencyEnvelope(as('opB1'), RECORD, t.person('doctorC').id),
      expired,
    );
    await assert.rejects(deposit(), expired);
  });

  it('lets an auditor close a review with a finding, and only an auditor', async () => {
    const { reviewId } = await breakGlass();
    const note = createHash('sha256').update('reviewed with the ward; justified').digest('hex');
    await assert.rejects(emergency.CloseReview(as('doctorC'), reviewId, 'justified', note), /ACCESS_DENIED/);
    await assert.rejects(emergency.CloseReview(as('auditor'), reviewId, 'fine', note), /finding must be/);
    await emergency.CloseReview(as('auditor'), reviewId, 'justified', note);
    assert.deepEqual(
      (JSON.parse(await emergency.OpenReviews(as('auditor'), 10, '')) as { records: unknown[] }).records,
      [],
    );
    await assert.rejects(
      emergency.CloseReview(as('auditor'), reviewId, 'justified', note),
      /NOT_FOUND: no open review/,
    );
  });

  it('purges the key shares of a released opening when the record is erased', async () => {
    await breakGlass();
    await release();
    await t.erase(stub, 'patient', RECORD);
    assert.equal(stub.privateData.get(collectionFor(B, C))?.size, 0);
  });
});
