import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { AccessContract } from './access-contract';
import { EmergencyContract } from './emergency-contract';
import { marshal } from './json';
import { envelopeRecord, TestConsortium } from './testing/consortium';
import { MapStub } from './testing/stub';
import { collectionFor, type EnvelopeParties } from './transfer';
import { TransferContract } from './transfer-contract';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const HASH = createHash('sha256').update('ciphertext').digest('hex');
const OTHER_HASH = createHash('sha256').update('other ciphertext').digest('hex');
const JUSTIFICATION = createHash('sha256').update('collapsed in the waiting room').digest('hex');
const RECORD = 'rec-envelope-tests-01';

/** Deposits, then the public records that name them, from an attacker's side: what each step refuses. */
describe('envelope deposits', () => {
  const transfers = new TransferContract();
  const access = new AccessContract();
  const emergency = new EmergencyContract();
  let t: TestConsortium;
  let stub: MapStub;

  before(async () => {
    t = await TestConsortium.create({
      tech: [A, 'technologist'],
      doctorA: [A, 'doctor'],
      patientA: [A, 'patient'],
      doctorA2: [A, 'doctor'],
      patientB: [B, 'patient'],
      doctorB: [B, 'doctor'],
      opA1: [A, 'admin'],
      opA2: [A, 'admin'],
      opB1: [B, 'admin'],
      opB2: [B, 'admin'],
    });
  });

  beforeEach(async () => {
    stub = new MapStub();
    await t.registerAll(stub);
    await t.setKeySet(stub, ['opA1', 'opA2']);
    await t.setKeySet(stub, ['opB1', 'opB2']);
  });

  const id = (name: string): string => t.person(name).id;
  const asAdmin = (msp: string) => stub.begin(msp, t.admin(msp).pem);
  /** `from` records the transfer of `recordId` to `to` naming the envelope `hash` (the second step). */
  const send = (from: string, to: string, hash: string, contentHash = HASH, recordId = RECORD) =>
    transfers.Send(t.as(stub, from, { attest: 'send' }), recordId, id(to), contentHash, hash);
  /** The deposited bytes of the envelope of RECORD for `reader` in `collection` (a break-glass one apart). */
  const stored = (
    collection: string,
    reader: string,
    kind: 'record' | `share-${string}` = 'record',
  ): Uint8Array | undefined =>
    stub.privateData
      .get(collection)
      ?.get(
        stub.createCompositeKey(
          'envelope',
          kind === 'record' ? [RECORD, id(reader)] : [RECORD, id(reader), kind],
        ),
      );
  /** `doctor` opens RECORD for an hour (break-glass). */
  const breakGlass = (doctor: string) =>
    emergency.BreakGlass(
      t.as(stub, doctor, { attest: 'breakGlass' }),
      RECORD,
      'UNCONSCIOUS',
      JUSTIFICATION,
      60,
    );
  const transferRecord = (recordId = RECORD) =>
    stub.state.get(stub.createCompositeKey('transfer', [recordId]));

  it('keeps a same-organisation transfer, grant, revoke and break-glass release in the org collection; deposits write no public state', async () => {
    const orgA = `org-${A}`;
    const depositOnly = (): void => {
      assert.deepEqual(stub.publicWrites(), [], 'a deposit writes no public state');
      assert.deepEqual(stub.privateCollections(), [orgA]);
    };
    const publicOnly = (): void => {
      assert.deepEqual(stub.privateCollections(), [], 'a public record writes no private data');
    };

    const sent = await t.deposit(stub, 'doctorA', 'patientA', RECORD, HASH);
    depositOnly();
    await send('doctorA', 'patientA', sent.hash);
    publicOnly();

    const granted = await t.depositGrant(stub, 'patientA', 'doctorA2', 'doctorA', RECORD, HASH);
    depositOnly();
    const expiresAt = new Date((stub.seconds + 86400) * 1000).toISOString();
    await access.GrantAccess(
      t.as(stub, 'patientA'),
      RECORD,
      id('doctorA2'),
      'TREAT',
      expiresAt,
      granted.hash,
    );
    publicOnly();
    await access.RevokeGrant(t.as(stub, 'patientA'), RECORD, id('doctorA2'));
    assert.deepEqual(stub.privateCollections(), [orgA]);
    assert.equal(stored(orgA, 'doctorA2'), undefined, 'the revoked envelope is deleted');

    await breakGlass('doctorA2');
    const shares = [];
    for (const holder of ['opA1', 'opA2']) {
      const share = await t.depositKeyShare(stub, holder, 'doctorA2', 'patientA', 'doctorA', RECORD, HASH);
      depositOnly();
      await emergency.ContributeKeyShare(t.as(stub, holder), RECORD, id('doctorA2'), 1, share.hash);
      publicOnly();
      shares.push(share);
    }

    assert.deepEqual([...stub.privateData.keys()], [orgA], 'no other collection ever held an envelope');
    assert.deepEqual(stored(orgA, 'patientA'), marshal(sent.envelope));
    assert.deepEqual(stored(orgA, 'doctorA2', `share-${id('opA2')}`), marshal(shares[1]?.envelope));
  });

  describe('DepositEnvelope and Send', () => {
    it('refuses a Send naming another envelope than the one deposited, or one never deposited', async () => {
      await t.deposit(stub, 'tech', 'patientB', RECORD, HASH);
      const other = t.transferEnvelope('tech', 'patientB', RECORD, HASH);
      await assert.rejects(
        send('tech', 'patientB', other.hash),
        /FAILED_PRECONDITION: the deposited envelope of record .* is not the one named/,
      );
      const undeposited = t.transferEnvelope('tech', 'doctorB', RECORD, HASH);
      await assert.rejects(
        send('tech', 'doctorB', undeposited.hash),
        /FAILED_PRECONDITION: no envelope of record .* is deposited: deposit it first/,
      );
      assert.deepEqual(stub.writes, []);
      assert.equal(transferRecord(), undefined);
    });

    it('refuses an envelope that is not in canonical JSON, depositing nothing', async () => {
      const { envelope } = t.transferEnvelope('tech', 'patientB', RECORD, HASH);
      const canonical = marshal(envelope).toString('utf8');
      const variants: [string, string][] = [
        ['keys out of order', JSON.stringify(envelope)],
        ['spaces', JSON.stringify(JSON.parse(canonical), null, 1)],
        ['a trailing newline', `${canonical}\n`],
        ['an escaped character', canonical.replace('"docType":"envelope"', '"docType":"\\u0065nvelope"')],
      ];
      const depositRaw = (text: string) => {
        const ctx = t.as(stub, 'tech');
        stub.transient.set('envelope', Buffer.from(text, 'utf8'));
        return transfers.DepositEnvelope(ctx, RECORD, id('patientB'));
      };
      for (const [what, text] of variants) {
        assert.notEqual(text, canonical, what);
        assert.deepEqual(JSON.parse(text), JSON.parse(canonical), `${what}: the same value`);
        await assert.rejects(
          depositRaw(text),
          /INVALID_ARGUMENT: the envelope must be canonical JSON \(keys sorted, no spaces\)/,
          what,
        );
      }
      assert.deepEqual([...stub.privateData.keys()], []);
      await depositRaw(canonical);
      assert.deepEqual(stored(collectionFor(A, B), 'patientB'), Buffer.from(canonical, 'utf8'));
    });

    it('refuses an envelope naming another record, reader, sender or depositor, depositing nothing', async () => {
      const parties: EnvelopeParties = {
        recordId: RECORD,
        readerId: id('patientB'),
        senderId: id('tech'),
        contentHash: HASH,
        depositorId: id('tech'),
      };
      const input = t.envelope(t.person('tech'), RECORD, id('patientB'), HASH);
      const forged: [keyof EnvelopeParties, string][] = [
        ['recordId', 'rec-envelope-tests-02'],
        ['readerId', id('doctorB')],
        ['senderId', id('doctorA')],
        ['depositorId', id('doctorA')],
      ];
      for (const [field, value] of forged) {
        const { envelope } = envelopeRecord(input, { ...parties, [field]: value });
        await assert.rejects(
          transfers.DepositEnvelope(t.as(stub, 'tech', { transient: { envelope } }), RECORD, id('patientB')),
          new RegExp(`INVALID_ARGUMENT: envelope\\.${field} must be ${parties[field]}`),
        );
      }
      const { envelope } = envelopeRecord(input, parties);
      await assert.rejects(
        transfers.DepositEnvelope(
          t.as(stub, 'tech', { transient: { envelope: { ...envelope, docType: 'transfer' } } }),
          RECORD,
          id('patientB'),
        ),
        /INVALID_ARGUMENT: envelope\.docType must be "envelope"/,
      );
      assert.deepEqual([...stub.privateData.keys()], []);
    });

    it("refuses a grant envelope naming another content or sender than the record's", async () => {
      await t.send(stub, 'tech', 'patientB', RECORD, HASH);
      const parties: EnvelopeParties = {
        recordId: RECORD,
        readerId: id('doctorB'),
        senderId: id('tech'),
        contentHash: HASH,
        depositorId: id('patientB'),
      };
      const forged: [keyof EnvelopeParties, string][] = [
        ['contentHash', OTHER_HASH],
        ['senderId', id('patientB')],
      ];
      for (const [field, value] of forged) {
        const input = t.envelope(t.person('tech'), RECORD, id('patientB'), HASH);
        const { envelope } = envelopeRecord(input, { ...parties, [field]: value });
        await assert.rejects(
          access.DepositGrantEnvelope(
            t.as(stub, 'patientB', { transient: { envelope } }),
            RECORD,
            id('doctorB'),
          ),
          new RegExp(`INVALID_ARGUMENT: envelope\\.${field} must be ${parties[field]}`),
        );
      }
      assert.equal(stored(`org-${B}`, 'doctorB'), undefined);
    });

    it('refuses a second deposit for the same record and reader, keeping the first', async () => {
      const first = await t.deposit(stub, 'tech', 'patientB', RECORD, HASH);
      await assert.rejects(
        t.deposit(stub, 'tech', 'patientB', RECORD, HASH),
        /ALREADY_EXISTS: an envelope of record .* for .* is already deposited/,
      );
      assert.deepEqual(stored(collectionFor(A, B), 'patientB'), marshal(first.envelope));
      await send('tech', 'patientB', first.hash);
    });
  });

  describe('WithdrawEnvelope', () => {
    const withdraw = (caller: string, reader: string) =>
      transfers.WithdrawEnvelope(t.as(stub, caller), RECORD, id(reader), 'record');

    it('lets the depositor withdraw an envelope no record refers to, purging it', async () => {
      await t.deposit(stub, 'tech', 'patientB', RECORD, HASH);
      await withdraw('tech', 'patientB');
      const key = stub.createCompositeKey('envelope', [RECORD, id('patientB')]);
      const marker = stub.createCompositeKey('deposit', [RECORD, id('patientB'), 'record']);
      assert.deepEqual(stub.writes, [
        [`${collectionFor(A, B)}/${key}`, '(purged)'],
        [`${collectionFor(A, B)}/${marker}`, '(purged)'],
      ]);
      assert.equal(stored(collectionFor(A, B), 'patientB'), undefined);
      // The sender may start again, and the new deposit is the one a Send names.
      const again = await t.deposit(stub, 'tech', 'patientB', RECORD, HASH);
      await send('tech', 'patientB', again.hash);
    });

    it('refuses anyone but the depositor', async () => {
      await t.deposit(stub, 'tech', 'patientB', RECORD, HASH);
      await assert.rejects(
        withdraw('doctorA', 'patientB'),
        /ACCESS_DENIED: only its depositor may withdraw an envelope/,
      );
      await assert.rejects(
        transfers.WithdrawEnvelope(asAdmin(A), RECORD, id('patientB'), 'record'),
        /ACCESS_DENIED: only its depositor may withdraw an envelope/,
      );
      // The reader's organisation alone holds no such envelope: the deposit is in the pair's collection.
      await assert.rejects(withdraw('patientB', 'patientB'), /NOT_FOUND: no envelope of record/);
      assert.ok(stored(collectionFor(A, B), 'patientB'));
    });

    it('refuses to withdraw an envelope a transfer, a grant in force or a released key refers to', async () => {
      const referenced =
        /FAILED_PRECONDITION: a record refers to the envelope of record .*: revoke or erase instead/;
      await t.send(stub, 'tech', 'patientB', RECORD, HASH);
      await assert.rejects(withdraw('tech', 'patientB'), referenced);

      await t.grant(stub, 'patientB', 'doctorB', 'tech', RECORD, HASH);
      await assert.rejects(withdraw('patientB', 'doctorB'), referenced);

      await breakGlass('doctorA');
      const share = `share-${id('opB1')}` as const;
      await t.depositKeyShare(stub, 'opB1', 'doctorA', 'patientB', 'tech', RECORD, HASH);
      await assert.rejects(
        transfers.WithdrawEnvelope(t.as(stub, 'opB2'), RECORD, id('doctorA'), share),
        /ACCESS_DENIED: only its depositor/,
      );
      await transfers.WithdrawEnvelope(t.as(stub, 'opB1'), RECORD, id('doctorA'), share);
      assert.equal(stored(collectionFor(A, B), 'doctorA', share), undefined, 'an uncontributed share may go');
      await t.releaseBreakGlassKey(stub, ['opB1', 'opB2'], 'doctorA', 'patientB', 'tech', RECORD, HASH);
      await assert.rejects(
        transfers.WithdrawEnvelope(t.as(stub, 'opB1'), RECORD, id('doctorA'), share),
        referenced,
      );
      assert.ok(stored(collectionFor(A, B), 'patientB'));
      assert.ok(stored(`org-${B}`, 'doctorB'));
      assert.ok(stored(collectionFor(A, B), 'doctorA', share));
    });
  });

  it("refuses a Send by another member of the collection naming someone else's deposit (its hash is public)", async () => {
    const deposit = await t.deposit(stub, 'doctorA', 'patientA', RECORD, HASH);
    await assert.rejects(
      send('doctorA2', 'patientA', deposit.hash),
      /ACCESS_DENIED: the envelope of record .* was deposited by someone else/,
    );
    assert.equal(transferRecord(), undefined);
    await send('doctorA', 'patientA', deposit.hash);
  });

  it("keeps a doctor's grant and break-glass envelopes apart: neither replaces or removes the other", async () => {
    await t.send(stub, 'tech', 'patientB', RECORD, HASH);
    await t.grant(stub, 'patientB', 'doctorB', 'tech', RECORD, HASH);
    const granted = stored(`org-${B}`, 'doctorB');
    await breakGlass('doctorB');
    await t.releaseBreakGlassKey(stub, ['opB1', 'opB2'], 'doctorB', 'patientB', 'tech', RECORD, HASH);
    assert.deepEqual(stored(`org-${B}`, 'doctorB'), granted, 'the grant envelope is untouched');
    await access.RevokeGrant(t.as(stub, 'patientB'), RECORD, id('doctorB'));
    assert.equal(stored(`org-${B}`, 'doctorB'), undefined);
    assert.ok(stored(`org-${B}`, 'doctorB', `share-${id('opB1')}`), 'the released key shares stay');
  });

  it("refuses to hand out an envelope whose content differs from the record's, which Send cannot see", async () => {
    const deposit = await t.deposit(stub, 'tech', 'patientB', RECORD, OTHER_HASH);
    await send('tech', 'patientB', deposit.hash, HASH);
    const ctx = t.as(stub, 'patientB', { attest: 'access' });
    stub.txId = createHash('sha256').update(stub.txId).digest('hex'); // ReadEnvelope takes Fabric's 64-hex ids only
    const { outcome, txId } = JSON.parse(await access.RecordAccess(ctx, RECORD, 'PATRQT')) as {
      outcome: string;
      txId: string;
    };
    assert.equal(outcome, 'granted');
    await assert.rejects(
      access.ReadEnvelope(t.as(stub, 'patientB'), RECORD, txId),
      /FAILED_PRECONDITION: the envelope of record .* does not match the record/,
    );
  });

  it('lets DepositGrantEnvelope replace an earlier deposit no grant refers to, but not while a grant is in force', async () => {
    await t.send(stub, 'tech', 'patientB', RECORD, HASH);
    const deposit = () => t.depositGrant(stub, 'patientB', 'doctorA', 'tech', RECORD, HASH);
    const grant = (hash: string) =>
      access.GrantAccess(
        t.as(stub, 'patientB'),
        RECORD,
        id('doctorA'),
        'TREAT',
        new Date((stub.seconds + 86400) * 1000).toISOString(),
        hash,
      );
    const first = await deposit();
    const second = await deposit();
    assert.deepEqual(stored(collectionFor(A, B), 'doctorA'), marshal(second.envelope));
    await assert.rejects(
      grant(first.hash),
      /FAILED_PRECONDITION: the deposited envelope of record .* is not the one named/,
    );
    await grant(second.hash);
    await assert.rejects(deposit(), /FAILED_PRECONDITION: a grant of record .* to .* is in force until /);
    assert.deepEqual(stored(collectionFor(A, B), 'doctorA'), marshal(second.envelope));
  });
});
