import assert from 'node:assert/strict';
import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import type { Context } from 'fabric-contract-api';
import type { AccessEvent } from './access';
import { AccessContract } from './access-contract';
import type { AttestationClaim, GatewayRecord, RefusalRecord } from './attestation';
import { AttestationContract } from './attestation-contract';
import { AuditContract } from './audit-contract';
import type { BreakGlassRecord, ReviewRecord } from './emergency';
import { EmergencyContract } from './emergency-contract';
import { RegistryContract } from './registry-contract';
import { TestConsortium, type AttestationInput, type AttestOptions } from './testing/consortium';
import { MapStub } from './testing/stub';
import type { TransferRecord } from './transfer';
import { TransferContract } from './transfer-contract';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const EVIDENCE = createHash('sha256').update('device report').digest('hex');
const JUSTIFICATION = createHash('sha256').update('unconscious on arrival').digest('hex');
const RECORD = 'rec-attestation-test-01';
const DAY = ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'] as const;

const spkiOf = (pem: string): string =>
  new X509Certificate(pem).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

describe('AttestationContract and gateway attestations', () => {
  const attestations = new AttestationContract();
  const transfers = new TransferContract();
  const access = new AccessContract();
  const emergency = new EmergencyContract();
  const audit = new AuditContract();
  let t: TestConsortium;
  let stub: MapStub;

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      doctorA: [A, 'doctor'],
      patient: [B, 'patient'],
      doctorB: [B, 'doctor'],
      auditorB: [B, 'auditor'],
      doctorC: [C, 'doctor'],
      stranger: [A, 'doctor'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub, ['stranger']);
    await t.send(stub, 'tech', 'patient', RECORD, HASH);
  });

  const asGateway = (msp: string): Context => stub.begin(msp, t.gateway(msp).identity.pem);
  /** The world-state value under a composite key, parsed, or undefined. */
  const stateOf = (type: string, ...attributes: string[]): unknown => {
    const bytes = stub.state.get(stub.createCompositeKey(type, attributes));
    return bytes ? (JSON.parse(Buffer.from(bytes).toString()) as unknown) : undefined;
  };
  const claimOf = (attestation: AttestationInput): AttestationClaim =>
    JSON.parse(attestation.claim) as AttestationClaim;

  describe('AnnounceGateway and GetGateway', () => {
    it("stores the gateway's pseudonymous id, organisation and certificate key", async () => {
      const gateway = t.gateway(A);
      const record = JSON.parse(
        await attestations.GetGateway(t.as(stub, 'tech'), gateway.id),
      ) as GatewayRecord;
      assert.deepEqual(
        { ...record, announcedAt: undefined },
        {
          docType: 'gateway',
          gatewayId: gateway.id,
          mspId: A,
          publicKey: spkiOf(gateway.identity.pem),
          status: 'active',
          announcedAt: undefined,
          previousKeys: [],
        },
      );
      assert.match(record.announcedAt, /^2026-01-01T00:00:\d\d\.000Z$/);
      assert.ok(!JSON.stringify(record).includes('gateway.'), 'no certificate name on the ledger');
    });

    it('is idempotent: announcing the same key again writes nothing', async () => {
      await t.announceGateway(stub, A);
      assert.deepEqual(stub.writes, []);
      assert.deepEqual(stub.events, []);
    });

    it('replaces the key of a re-enrolled gateway and keeps the old one; attestations by the old key fail', async () => {
      const own = await TestConsortium.create({ doc: [C, 'doctor'], pat: [C, 'patient'] });
      const local = new MapStub();
      await own.registerAll(local);
      const old = own.gateway(C);
      const renewed = await own.reenrollGateway(C);
      assert.equal(renewed.id, old.id, 'same subject and issuer, same gateway id');
      await own.announceGateway(local, C);
      assert.equal(local.events[0]?.name, 'GatewayAnnounced');
      const record = JSON.parse(
        await attestations.GetGateway(local.begin(C, renewed.identity.pem), renewed.id),
      ) as GatewayRecord;
      assert.equal(record.publicKey, spkiOf(renewed.identity.pem));
      assert.deepEqual(
        record.previousKeys.map((k) => k.publicKey),
        [spkiOf(old.identity.pem)],
      );
      assert.equal(record.previousKeys[0]?.retiredAt, record.announcedAt);

      const sendAs = async (options: AttestOptions) => {
        const recordId = `rec-renewed-${String(local.seconds)}-x`;
        const { hash } = await own.deposit(local, 'doc', 'pat', recordId, HASH);
        const doc = own.person('doc');
        const attestation = own.attest(local, doc, 'send', options);
        return transfers.Send(
          local.begin(C, doc.identity.pem, 1, { attestation }),
          recordId,
          own.person('pat').id,
          HASH,
          hash,
        );
      };
      await assert.rejects(
        sendAs({ signWith: old.identity.privateKey }),
        /ATTESTATION_INVALID: bad signature/,
      );
      await sendAs({});
    });

    it('refuses callers without the gateway role', async () => {
      await assert.rejects(
        attestations.AnnounceGateway(t.as(stub, 'doctorA')),
        /ACCESS_DENIED: role doctor may not announceGateway/,
      );
      await assert.rejects(
        attestations.AnnounceGateway(stub.begin(A, t.admin(A).pem)),
        /ACCESS_DENIED: role admin may not announceGateway/,
      );
    });

    it('serves gateway records to registered users, gateways and admins only', async () => {
      const id = t.gateway(B).id;
      await attestations.GetGateway(asGateway(A), id);
      await attestations.GetGateway(stub.begin(A, t.admin(A).pem), id);
      await attestations.GetGateway(t.as(stub, 'auditorB'), id);
      await assert.rejects(
        attestations.GetGateway(t.as(stub, 'stranger'), id),
        /ACCESS_DENIED: the caller is not registered/,
      );
      await assert.rejects(attestations.GetGateway(t.as(stub, 'tech'), 'f'.repeat(64)), /NOT_FOUND/);
      await assert.rejects(attestations.GetGateway(t.as(stub, 'tech'), 'nope'), /INVALID_ARGUMENT/);
    });
  });

  describe('attestations on Send, RecordAccess and BreakGlass', () => {
    it('stores what the gateway attested on the transfer, the access event and the break-glass opening', async () => {
      const tech = t.person('tech');
      const recordId = 'rec-attested-send-0001';
      const { hash } = await t.deposit(stub, 'tech', 'doctorB', recordId, HASH);
      const sent = t.attest(stub, tech, 'send');
      await transfers.Send(
        stub.begin(A, tech.identity.pem, 1, { attestation: sent }),
        recordId,
        t.person('doctorB').id,
        HASH,
        hash,
      );
      const claim = claimOf(sent);
      const summary = {
        gatewayId: t.gateway(A).id,
        deviceId: claim.deviceId,
        postureHash: claim.postureHash,
        factorHash: claim.factorHash,
        nonce: claim.nonce,
      };
      assert.deepEqual((stateOf('transfer', recordId) as TransferRecord | undefined)?.attestation, summary);
      assert.ok(stateOf('attestationNonce', t.gateway(A).id, claim.nonce), 'the nonce is marked used');

      const opened = t.attest(stub, 'patient', 'access');
      const outcome = JSON.parse(
        await access.RecordAccess(
          t.as(stub, 'patient', { transient: { attestation: opened } }),
          RECORD,
          'PATRQT',
        ),
      ) as { txId: string };
      const event = stateOf('access', RECORD, outcome.txId) as AccessEvent | undefined;
      assert.equal(event?.attestation?.nonce, claimOf(opened).nonce);
      assert.equal(event.attestation.gatewayId, t.gateway(B).id);

      const glass = t.attest(stub, 'doctorC', 'breakGlass');
      const { reviewId } = JSON.parse(
        await emergency.BreakGlass(
          t.as(stub, 'doctorC', { transient: { attestation: glass } }),
          RECORD,
          'UNCONSCIOUS',
          JUSTIFICATION,
          240,
        ),
      ) as { reviewId: string };
      const opening = stateOf('break-glass', RECORD, t.person('doctorC').id) as BreakGlassRecord | undefined;
      assert.equal(opening?.attestation?.nonce, claimOf(glass).nonce);
      assert.equal(opening.attestation.gatewayId, t.gateway(C).id);
      assert.equal(
        (stateOf('review', 'open', reviewId) as ReviewRecord | undefined)?.attestation?.deviceId,
        claimOf(glass).deviceId,
      );
    });

    /** RecordAccess by the patient with transient attestation `attestation` (raw text when a string). */
    const accessWith = (attestation?: AttestationInput | Record<string, unknown> | string) => {
      const p = t.person('patient');
      const ctx = stub.begin(p.msp, p.identity.pem, 1, {});
      if (attestation !== undefined) {
        const text = typeof attestation === 'string' ? attestation : JSON.stringify(attestation);
        stub.transient.set('attestation', Buffer.from(text));
      }
      return access.RecordAccess(ctx, RECORD, 'TREAT');
    };
    const valid = (options: AttestOptions = {}) => t.attest(stub, 'patient', 'access', options);
    const at = (offsetSeconds: number) => new Date((stub.seconds + 1 + offsetSeconds) * 1000).toISOString();
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

    const failures: [
      string,
      () => AttestationInput | Record<string, unknown> | string | undefined,
      RegExp,
    ][] = [
      ['missing', () => undefined, /attestation missing/],
      ['signed by another key', () => valid({ signWith: otherKey }), /bad signature/],
      [
        'altered after signing',
        () => {
          const a = valid();
          return { ...a, claim: a.claim.replace(claimOf(a).deviceId, 'e'.repeat(64)) };
        },
        /bad signature/,
      ],
      ['for another user', () => valid({ claim: { userId: t.person('doctorB').id } }), /wrong user/],
      [
        'for another action',
        () => t.attest(stub, 'patient', 'send'),
        /wrong action: the claim is for send, not access/,
      ],
      ['expired', () => valid({ claim: { issuedAt: at(-200), expiresAt: at(-1) } }), /expired/],
      [
        'issued in the future',
        () => valid({ claim: { issuedAt: at(61), expiresAt: at(120) } }),
        /not yet valid/,
      ],
      [
        'valid for more than 5 minutes',
        () => valid({ claim: { issuedAt: at(0), expiresAt: at(301) } }),
        /5 minutes/,
      ],
      ['expiring before issued', () => valid({ claim: { issuedAt: at(0), expiresAt: at(-1) } }), /5 minutes/],
      ['naming an unknown gateway', () => valid({ gatewayId: 'f'.repeat(64) }), /unknown gateway/],
      ["from another organisation's gateway", () => valid({ gatewayMsp: A }), /belongs to HospitalAMSP/],
      [
        'with an unknown claim field',
        () => valid({ claim: { extra: 1 } }),
        /claim.extra is not a known field/,
      ],
      ['with a claim field missing', () => valid({ claim: { nonce: undefined } }), /claim.nonce is missing/],
      ['of another version', () => valid({ claim: { v: 2 } }), /claim.v must be 1/],
      ['with a short nonce', () => valid({ claim: { nonce: 'abc' } }), /claim.nonce must be/],
      ['with a malformed time', () => valid({ claim: { expiresAt: 'soon' } }), /claim.expiresAt must be/],
      ['with an unknown field', () => ({ ...valid(), note: 'x' }), /attestation.note is not a known field/],
      ['with a claim that is not a string', () => ({ ...valid(), claim: {} }), /claim must be a JSON string/],
      ['larger than 4 KiB', () => ({ ...valid(), claim: 'x'.repeat(4100) }), /at most 4096 bytes/],
      ['not JSON', () => 'not json', /attestation is not JSON/],
    ];
    for (const [name, make, message] of failures) {
      it(`refuses an attestation ${name}, recording nothing`, async () => {
        const attestation = make();
        await assert.rejects(accessWith(attestation), (e: unknown) => {
          assert.match(String(e), /ATTESTATION_INVALID: /);
          assert.match(String(e), message);
          return true;
        });
        assert.deepEqual(stub.writes, []);
      });
    }

    it('accepts a gateway clock up to a minute ahead of the transaction time', async () => {
      const result = JSON.parse(
        await accessWith(valid({ claim: { issuedAt: at(59), expiresAt: at(120) } })),
      ) as {
        outcome: string;
      };
      assert.equal(result.outcome, 'granted');
    });

    it('refuses a replayed attestation', async () => {
      const attestation = valid();
      await accessWith(attestation);
      await assert.rejects(accessWith(attestation), /ATTESTATION_INVALID: replayed: nonce/);
      const sameNonce = valid({ claim: { nonce: claimOf(attestation).nonce } });
      await assert.rejects(accessWith(sameNonce), /replayed/);
    });

    it('requires an attestation for the right action on Send and BreakGlass too', async () => {
      const tech = t.person('tech');
      const recordId = 'rec-unattested-000001';
      const { hash } = await t.deposit(stub, 'tech', 'patient', recordId, HASH);
      const send = (attestation?: AttestationInput) =>
        transfers.Send(
          stub.begin(A, tech.identity.pem, 1, attestation ? { attestation } : {}),
          recordId,
          t.person('patient').id,
          HASH,
          hash,
        );
      await assert.rejects(send(), /ATTESTATION_INVALID: attestation missing/);
      await assert.rejects(send(t.attest(stub, tech, 'access')), /ATTESTATION_INVALID: wrong action/);
      await assert.rejects(
        send(t.attest(stub, tech, 'send', { gatewayMsp: B })),
        /ATTESTATION_INVALID: gateway/,
      );
      await assert.rejects(send(t.attest(stub, 'doctorA', 'send')), /ATTESTATION_INVALID: wrong user/);
      assert.equal(stateOf('transfer', recordId), undefined);

      const glass = (attestation?: AttestationInput) =>
        emergency.BreakGlass(
          t.as(stub, 'doctorC', { transient: attestation ? { attestation } : {} }),
          RECORD,
          'UNCONSCIOUS',
          JUSTIFICATION,
          240,
        );
      await assert.rejects(glass(), /ATTESTATION_INVALID: attestation missing/);
      await assert.rejects(glass(t.attest(stub, 'doctorC', 'access')), /ATTESTATION_INVALID: wrong action/);
      assert.equal(stateOf('break-glass', RECORD, t.person('doctorC').id), undefined);
    });
  });

  describe('PruneNonces', () => {
    const nonceKeys = (msp: string): string[] =>
      [...stub.state.keys()].filter((k) =>
        k.startsWith(stub.createCompositeKey('attestationNonce', [t.gateway(msp).id])),
      );
    const prune = async (msp: string, pageSize = 10) =>
      JSON.parse(await attestations.PruneNonces(asGateway(msp), pageSize)) as {
        scanned: number;
        pruned: number;
        more: boolean;
      };

    it("forgets a used nonce only half an hour after its claim expired, and only the caller's own", async () => {
      assert.equal(nonceKeys(A).length, 1, 'the send in beforeEach used one nonce of hospital A');
      const [key] = nonceKeys(A);
      const bytes = key === undefined ? undefined : stub.state.get(key);
      assert.ok(bytes);
      const record = JSON.parse(Buffer.from(bytes).toString()) as { usedAt: string; expiresAt?: string };
      assert.equal(
        Date.parse(record.expiresAt ?? '') - Date.parse(record.usedAt),
        120_000,
        'the claim expiry',
      );
      assert.deepEqual(await prune(A), { scanned: 1, pruned: 0, more: false });
      stub.seconds += 20 * 60;
      assert.deepEqual(await prune(A), { scanned: 1, pruned: 0, more: false });
      assert.deepEqual(await prune(B), { scanned: 0, pruned: 0, more: false });
      stub.seconds += 15 * 60;
      assert.deepEqual(await prune(A), { scanned: 1, pruned: 1, more: false });
      assert.equal(nonceKeys(A).length, 0);
    });

    it('pages through many nonces, and says when there may be more', async () => {
      for (let i = 0; i < 3; i++) {
        await t.send(stub, 'tech', 'patient', `rec-prune-nonces-0${String(i)}`, HASH);
      }
      assert.equal(nonceKeys(A).length, 4);
      stub.seconds += 3600;
      assert.deepEqual(await prune(A, 3), { scanned: 3, pruned: 3, more: true });
      assert.deepEqual(await prune(A, 3), { scanned: 1, pruned: 1, more: false });
    });

    it('is for active gateways only', async () => {
      await assert.rejects(
        attestations.PruneNonces(t.as(stub, 'tech'), 10),
        /ACCESS_DENIED: role technologist may not pruneNonces/,
      );
      await new RegistryContract().SuspendUser(stub.begin(A, t.admin(A).pem), t.gateway(A).id);
      await assert.rejects(prune(A), /ACCESS_DENIED: the calling gateway is suspended/);
    });
  });

  describe('RecordRefusal', () => {
    const refuse = (
      msp: string,
      userId: string,
      options: Partial<Record<'action' | 'recordId' | 'code' | 'reason' | 'evidenceHash', string>> = {},
    ) =>
      attestations.RecordRefusal(
        asGateway(msp),
        userId,
        options.action ?? 'access',
        options.recordId ?? RECORD,
        options.code ?? 'DEVICE_UNHEALTHY',
        options.reason ?? 'disk encryption off',
        options.evidenceHash ?? EVIDENCE,
      );

    it('names only a record the user could have been refused for: not a write channel into other trails', async () => {
      const before = [...stub.state.keys()].length;
      // doctorB has no part in the record; a send or a sign-in names none; an unknown record is no record.
      await assert.rejects(
        refuse(B, t.person('doctorB').id),
        /ACCESS_DENIED: user [0-9a-f]{64} has no part in record/,
      );
      await assert.rejects(
        refuse(B, t.person('patient').id, { action: 'send' }),
        /INVALID_ARGUMENT: a refused send names no record/,
      );
      await assert.rejects(
        refuse(B, t.person('patient').id, { action: 'login' }),
        /INVALID_ARGUMENT: a refused login names no record/,
      );
      await assert.rejects(
        refuse(B, t.person('patient').id, { recordId: 'rec-nobody-ever-sent-1' }),
        /NOT_FOUND/,
      );
      assert.equal([...stub.state.keys()].length, before, 'nothing written');
      // Any doctor may ask to break the glass on any record, so may be refused for it; and without a record, anyone.
      await refuse(B, t.person('doctorB').id, { action: 'breakGlass' });
      await refuse(B, t.person('doctorB').id, { action: 'send', recordId: '' });
      await refuse(A, t.person('tech').id, { action: 'access' });
    });

    it("records a refusal in the user's activity and the record's access trail, with an event", async () => {
      const patient = t.person('patient');
      const { txId } = JSON.parse(await refuse(B, patient.id)) as { txId: string };
      const refusal: RefusalRecord = {
        docType: 'refusal',
        txId,
        userId: patient.id,
        mspId: B,
        action: 'access',
        recordId: RECORD,
        code: 'DEVICE_UNHEALTHY',
        reason: 'disk encryption off',
        evidenceHash: EVIDENCE,
        gatewayId: t.gateway(B).id,
        at: new Date(stub.seconds * 1000).toISOString(),
      };
      assert.deepEqual(stateOf('refusal', txId), refusal);
      assert.deepEqual(
        stub.events.map((e) => [e.name, JSON.parse(e.payload) as unknown]),
        [['RequestRefused', refusal]],
      );

      const trail = JSON.parse(await audit.RecordAccesses(t.as(stub, 'auditorB'), RECORD, 10, '')) as {
        records: AccessEvent[];
      };
      const denial = trail.records.find((e) => e.txId === txId);
      assert.deepEqual(denial, {
        docType: 'access',
        recordId: RECORD,
        txId,
        userId: patient.id,
        mspId: B,
        role: 'patient',
        outcome: 'denied',
        reason: 'refused by gateway: DEVICE_UNHEALTHY: disk encryption off',
        at: refusal.at,
        refusedBy: t.gateway(B).id,
        refusedAction: 'access',
      });

      const activity = JSON.parse(
        await audit.UserActivity(t.as(stub, 'auditorB'), patient.id, 'refusal', ...DAY, 10, ''),
      ) as { records: RefusalRecord[] };
      assert.deepEqual(activity.records, [refusal]);
      const accesses = JSON.parse(
        await audit.UserActivity(t.as(stub, 'auditorB'), patient.id, 'access', ...DAY, 10, ''),
      ) as { records: unknown[] };
      assert.deepEqual(accesses.records, [], 'a refusal is no access attempt in the activity index');
    });

    it('keeps a refusal without a record out of every access trail', async () => {
      const { txId } = JSON.parse(
        await refuse(A, t.person('tech').id, {
          action: 'login',
          recordId: '',
          evidenceHash: '',
          code: 'TOTP_REPLAYED',
        }),
      ) as { txId: string };
      const refusal = stateOf('refusal', txId) as RefusalRecord | undefined;
      assert.ok(refusal);
      assert.equal(refusal.recordId, undefined);
      assert.equal(refusal.evidenceHash, undefined);
      assert.ok(!stub.writes.some(([key]) => key.startsWith(stub.createCompositeKey('access', []))));
    });

    it('lets only gateways record refusals, and only for users of their own organisation', async () => {
      const patientId = t.person('patient').id;
      for (const caller of ['doctorB', 'auditorB']) {
        await assert.rejects(
          attestations.RecordRefusal(
            t.as(stub, caller),
            patientId,
            'access',
            RECORD,
            'DEVICE_UNHEALTHY',
            'x',
            '',
          ),
          /ACCESS_DENIED: role (doctor|auditor) may not recordRefusal/,
        );
      }
      await assert.rejects(
        attestations.RecordRefusal(
          stub.begin(B, t.admin(B).pem),
          patientId,
          'access',
          RECORD,
          'CODE',
          'x',
          '',
        ),
        /ACCESS_DENIED: role admin may not recordRefusal/,
      );
      await assert.rejects(
        refuse(A, patientId),
        /ACCESS_DENIED: a gateway of HospitalAMSP records refusals only for users of its own organisation/,
      );
      await assert.rejects(refuse(A, t.person('stranger').id), /NOT_FOUND: no user/);
    });

    it('validates its arguments', async () => {
      const id = t.person('patient').id;
      const cases: [Parameters<typeof refuse>[2], RegExp][] = [
        [{ action: 'delete' }, /action must be one of send, access, breakGlass, login, grant/],
        [{ recordId: 'short' }, /recordId/],
        [{ code: 'device_unhealthy' }, /code must be/],
        [{ code: 'AB' }, /code must be/],
        [{ reason: '' }, /reason must be/],
        [{ reason: 'x'.repeat(301) }, /reason must be/],
        [{ reason: 'line\nbreak' }, /reason must be/],
        [{ evidenceHash: 'ABC' }, /evidenceHash/],
      ];
      for (const [options, message] of cases) {
        await assert.rejects(refuse(B, id, options), message);
      }
      await assert.rejects(refuse(B, 'nope'), /INVALID_ARGUMENT: userId/);
      await refuse(B, id, { reason: 'x'.repeat(300), code: 'A'.repeat(48) });
    });

    it('writes identical bytes when the same proposal runs twice', async () => {
      const runs: string[] = [];
      for (const copy of [stub.clone(), stub.clone()]) {
        await attestations.RecordRefusal(
          copy.begin(B, t.gateway(B).identity.pem),
          t.person('patient').id,
          'breakGlass',
          RECORD,
          'POSTURE_STALE',
          'posture report older than 10 minutes',
          EVIDENCE,
        );
        runs.push(JSON.stringify([copy.writes, copy.events]));
      }
      assert.equal(runs[0], runs[1]);
    });
  });
});
