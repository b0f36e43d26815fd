import assert from 'node:assert/strict';
import { createHash, randomBytes, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  StatusCode,
  type Contract,
  type Network,
  type SubmittedTransaction,
} from '@hyperledger/fabric-gateway';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { EnvelopeRecord } from 'medshare-chaincode';
import { canonicalJson } from 'medshare-chaincode/dist/json';
import { enrollUser, orgAdmin, secondAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { closeGateways, orgGateway, type OrgGateway } from '../support/attestation';
import { connectGateway, type GatewayConnection } from '../support/gateway';
import { REPO_DIR, startTestNetwork, type TestNetwork } from '../support/network';
import { chaincodeMessage, whenEndorsersAgree } from '../support/chaincode';
import { keyOwner, registerSelf, signingKeyOf } from './self-registration';

const decoder = new TextDecoder();
const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
/** What a record function answers while the endorsing peer has not committed the envelope's deposit yet. */
const NOT_DEPOSITED = /FAILED_PRECONDITION: no envelope of record \S+ for \S+ is deposited/;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A new record id and content hash. */
const newRecord = () => ({
  recordId: `rec-${randomBytes(8).toString('hex')}`,
  contentHash: sha256(randomBytes(64)),
});

/** MSP IDs of the peers that endorsed the transaction `txId` in `block`. */
function endorsingMsps(blockBytes: Uint8Array, txId: string): string[] {
  const block = common.Block.deserializeBinary(blockBytes);
  for (const envelopeBytes of block.getData()?.getDataList_asU8() ?? []) {
    const payload = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8(),
    );
    const header = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
    );
    if (header.getTxId() !== txId) continue;
    const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(
      action?.getPayload_asU8() ?? new Uint8Array(),
    );
    return (actionPayload.getAction()?.getEndorsementsList() ?? [])
      .map((e) => msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid())
      .sort();
  }
  throw new Error(`transaction ${txId} is not in the block`);
}

/**
 * Submits with `submit` (again while the endorsers lag a commit, see
 * whenEndorsersAgree and {@link NOT_DEPOSITED}), then waits for the
 * transaction to commit, which it must, valid.
 */
async function committed(submit: () => Promise<SubmittedTransaction>): Promise<SubmittedTransaction> {
  const submitted = await whenEndorsersAgree(() => whenEndorsersAgree(submit), NOT_DEPOSITED);
  const { successful, code } = await submitted.getStatus();
  const name = Object.entries(StatusCode).find(([, value]) => value === code)?.[0] ?? String(code);
  assert.equal(successful, true, `transaction ${submitted.getTransactionId()} committed ${name}`);
  return submitted;
}

/** Deposits `envelope` with the function `fn` of `contract`: its canonical JSON in transient `envelope`. */
async function deposit(
  contract: Contract,
  fn: string,
  envelope: EnvelopeRecord,
): Promise<{ submitted: SubmittedTransaction; envelopeHash: string }> {
  const text = canonicalJson(envelope);
  const submitted = await committed(() =>
    contract.submitAsync(fn, {
      arguments: [envelope.recordId, envelope.readerId],
      transientData: { envelope: text },
    }),
  );
  return { submitted, envelopeHash: sha256(text) };
}

/** The two transactions that put an envelope on the ledger, and the hash the second names. */
interface TwoSteps {
  deposited: SubmittedTransaction;
  recorded: SubmittedTransaction;
  envelopeHash: string;
}

/**
 * Both ledger steps of an envelope: `depositFn` deposits it, then `record`
 * (function and arguments) is submitted with the envelope's SHA-256 as last
 * argument and `transientData`. Both must commit.
 */
async function depositAndRecord(
  contract: Contract,
  depositFn: string,
  envelope: EnvelopeRecord,
  [recordFn, ...args]: readonly [string, ...string[]],
  transientData: Record<string, string> = {},
): Promise<TwoSteps> {
  const { submitted: deposited, envelopeHash } = await deposit(contract, depositFn, envelope);
  const recorded = await committed(() =>
    contract.submitAsync(recordFn, { arguments: [...args, envelopeHash], transientData }),
  );
  return { deposited, recorded, envelopeHash };
}

/** `envelope`'s record re-wrapped for another reader, deposited by `depositorId` (a grantor). */
function rewrapped(envelope: EnvelopeRecord, readerId: string, depositorId: string): EnvelopeRecord {
  const copy: EnvelopeRecord = {
    ...envelope,
    readerId,
    depositorId,
    wrappedKey: randomBytes(120).toString('base64'),
    salt: randomBytes(16).toString('base64'),
  };
  delete copy.emergencyShares;
  return copy;
}

/** One emergency holder's key share of `envelope`'s record for `doctorId` (random parts, as a holder's device re-wraps them). */
function keyShareOf(
  envelope: EnvelopeRecord,
  doctorId: string,
  holderId: string,
  holders: string[],
): EnvelopeRecord {
  const copy: EnvelopeRecord = {
    ...rewrapped(envelope, doctorId, holderId),
    keyShare: {
      holderId,
      keySetVersion: 1,
      check: envelope.emergencyShares?.check ?? '',
      parts: [{ subset: 0, holders, wrapped: randomBytes(106).toString('base64') }],
    },
  };
  delete copy.wrappedKey;
  return copy;
}

describe('transfers, grants and access on a real network', () => {
  let net: TestNetwork;
  let orgA: OrgPlan;
  let orgB: OrgPlan;
  let orgC: OrgPlan;
  let tech: IdentityFiles;
  let patient: IdentityFiles;
  let doctorC: IdentityFiles;
  let patientId: string;
  let doctorCId: string;
  let auditor: IdentityFiles;
  let auditorB: IdentityFiles;
  let techId: string;
  /** A patient and a doctor of hospital A, the technologist's organisation. */
  let patientA: IdentityFiles;
  let doctorA: IdentityFiles;
  let patientAId: string;
  let doctorAId: string;
  /** Registry ids of the users registered in `before`. */
  const ids = new Map<IdentityFiles, string>();
  /** Each organisation's two admins, as registered. */
  const admins = new Map<string, [IdentityFiles, IdentityFiles]>();
  const adminsOf = (org: OrgPlan): [IdentityFiles, IdentityFiles] => {
    const pair = admins.get(org.key);
    assert.ok(pair, `no admins of ${org.key}`);
    return pair;
  };
  /** Organisations whose emergency key set (both admins, 2 of 2) is in force. */
  const keySets = new Set<string>();
  const idOf = (user: IdentityFiles): string => {
    const id = ids.get(user);
    assert.ok(id, 'a user registered in before()');
    return id;
  };
  /** Each organisation's gateway service, announced on the ledger, by org key. */
  const gateways = new Map<string, OrgGateway>();
  /** The transient `attestation` the gateway of `org` signs for `userId`'s next `action`. */
  const attest = (org: OrgPlan, userId: string, action: 'send' | 'access' | 'breakGlass') => {
    const gateway = gateways.get(org.key);
    assert.ok(gateway, `no gateway for ${org.key}`);
    return gateway.attest(userId, action);
  };
  /** The record sent in the first test, used by the access tests. */
  const shared = { recordId: '', contentHash: '', envelope: undefined as EnvelopeRecord | undefined };
  const open: GatewayConnection[] = [];

  const gatewayFor = async (org: OrgPlan, user: IdentityFiles) => {
    const node = org.nodes[0];
    assert.ok(node);
    const connection = await connectGateway(org, node, user);
    open.push(connection);
    return connection.gateway.getNetwork(net.plan.channel);
  };
  const contractAs = async (
    org: OrgPlan,
    user: IdentityFiles,
    name: 'transfer' | 'access' | 'emergency' | 'erasure',
  ) => (await gatewayFor(org, user)).getContract(net.plan.chaincode.name, name);

  /** `user` of `org` registers themselves, with their own key binding. */
  const register = async (org: OrgPlan, user: IdentityFiles): Promise<string> => {
    const registry = (await gatewayFor(org, user)).getContract(net.plan.chaincode.name, 'registry');
    const userId = await registerSelf(registry, await keyOwner(org.mspId, user));
    ids.set(user, userId);
    return userId;
  };

  /** The envelope `sender` deposits for the recipient of a new record: all of it, signed by the sender. */
  const envelopeFor = async (
    sender: IdentityFiles,
    recordId: string,
    recipientId: string,
    contentHash: string,
  ): Promise<EnvelopeRecord> => {
    const key = await signingKeyOf(sender);
    const message = Buffer.from(`medshare/transfer/v1\n${recordId}\n${CID}\n${contentHash}\n${recipientId}`);
    const senderId = idOf(sender);
    return {
      docType: 'envelope',
      recordId,
      readerId: recipientId,
      senderId,
      contentHash,
      depositorId: senderId,
      cid: CID,
      size: 1048576,
      mediaType: 'application/dicom',
      wrappedKey: randomBytes(120).toString('base64'),
      signature: sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
      salt: randomBytes(16).toString('base64'),
    };
  };

  /** `sender` of `org` sends the record of `envelope` to its reader: DepositEnvelope, then Send, attested. */
  const send = async (org: OrgPlan, sender: IdentityFiles, envelope: EnvelopeRecord): Promise<TwoSteps> =>
    depositAndRecord(
      await contractAs(org, sender, 'transfer'),
      'DepositEnvelope',
      envelope,
      ['Send', envelope.recordId, envelope.readerId, envelope.contentHash],
      { attestation: attest(org, idOf(sender), 'send') },
    );

  /**
   * The organisations whose peers endorsed each step, read from the blocks
   * through `network`, once it is checked that neither block holds the
   * envelope's CID, wrapped key, salt or signature.
   */
  const endorsersOf = async (network: Network, steps: TwoSteps, envelope: EnvelopeRecord) => {
    const qscc = network.getContract('qscc');
    const endorsers = async (submitted: SubmittedTransaction) => {
      const txId = submitted.getTransactionId();
      const block = await qscc.evaluateTransaction('GetBlockByTxID', net.plan.channel, txId);
      const raw = Buffer.from(block).toString('latin1');
      for (const secret of [CID, envelope.wrappedKey ?? CID, envelope.salt, envelope.signature]) {
        assert.ok(!raw.includes(secret), `a private envelope field reached the block of ${txId}`);
      }
      return endorsingMsps(block, txId);
    };
    return { deposit: await endorsers(steps.deposited), record: await endorsers(steps.recorded) };
  };

  before(async () => {
    net = await startTestNetwork('raft');
    const [a, b, c] = net.plan.peerOrgs;
    assert.ok(a && b && c);
    [orgA, orgB, orgC] = [a, b, c];
    tech = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-tech-a', 'technologist');
    patient = await enrollUser(REPO_DIR, net.plan, net.bin, orgB.key, 'u-patient-b', 'patient');
    doctorC = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-doctor-c', 'doctor');
    patientA = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-patient-a', 'patient');
    doctorA = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-doctor-a', 'doctor');
    techId = await register(orgA, tech);
    patientId = await register(orgB, patient);
    doctorCId = await register(orgC, doctorC);
    patientAId = await register(orgA, patientA);
    doctorAId = await register(orgA, doctorA);
    auditor = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-auditor-c', 'auditor');
    await register(orgC, auditor);
    // Reviews of an opening belong to the organisations that hold the record.
    auditorB = await enrollUser(REPO_DIR, net.plan, net.bin, orgB.key, 'u-auditor-b', 'auditor');
    await register(orgB, auditorB);
    for (const org of [orgA, orgB, orgC]) {
      // Admins act (erase, hold emergency key shares) only through their own registry entries.
      const pair: [IdentityFiles, IdentityFiles] = [orgAdmin(org), secondAdmin(org)];
      for (const admin of pair) await register(org, admin);
      admins.set(org.key, pair);
      gateways.set(org.key, await orgGateway(net.plan, org.key));
    }
  });

  after(async () => {
    open.forEach((c) => {
      c.close();
    });
    await closeGateways();
    await net.down();
  });

  it('records a transfer endorsed by both organisations, with no CID or key in either block', async () => {
    const { recordId, contentHash } = newRecord();
    const envelope = await envelopeFor(tech, recordId, patientId, contentHash);
    const steps = await send(orgA, tech, envelope);
    Object.assign(shared, { recordId, contentHash, envelope });

    const endorsers = await endorsersOf(await gatewayFor(orgA, tech), steps, envelope);
    // The deposit by its collection's policy (a peer of each party), the record by the channel's majority.
    assert.deepEqual(endorsers.deposit, [orgA.mspId, orgB.mspId].sort());
    assert.ok(new Set(endorsers.record).size >= 2, `Send endorsed by ${endorsers.record.join(', ')}`);

    const record = JSON.parse(
      decoder.decode(
        await (await contractAs(orgB, patient, 'transfer')).evaluateTransaction('GetTransfer', recordId),
      ),
    ) as {
      contentHash: string;
      envelopeHash: string;
      senderMspId: string;
      recipientMspId: string;
      attestation: { gatewayId: string; nonce: string };
    };
    assert.equal(record.contentHash, contentHash);
    assert.equal(record.envelopeHash, steps.envelopeHash);
    assert.equal(record.senderMspId, orgA.mspId);
    assert.equal(record.recipientMspId, orgB.mspId);
    assert.equal(record.attestation.gatewayId, gateways.get(orgA.key)?.gatewayId);
    assert.match(record.attestation.nonce, /^[A-Za-z0-9_-]{22,64}$/);
  });

  it('refuses a send without a gateway attestation, or with one replayed or for another action', async () => {
    const { recordId, contentHash } = newRecord();
    const sender = await contractAs(orgA, tech, 'transfer');
    const { envelopeHash } = await deposit(
      sender,
      'DepositEnvelope',
      await envelopeFor(tech, recordId, patientId, contentHash),
    );
    const send = (transientData: Record<string, string>) =>
      sender.submit('Send', { arguments: [recordId, patientId, contentHash, envelopeHash], transientData });
    await assert.rejects(send({}), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: attestation missing'),
    );
    await assert.rejects(send({ attestation: attest(orgA, techId, 'access') }), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: wrong action'),
    );
    await assert.rejects(send({ attestation: attest(orgB, techId, 'send') }), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: gateway'),
    );
    const attestation = attest(orgA, techId, 'send');
    await send({ attestation });
    const again = newRecord();
    const second = await deposit(
      sender,
      'DepositEnvelope',
      await envelopeFor(tech, again.recordId, patientId, again.contentHash),
    );
    await assert.rejects(
      sender.submit('Send', {
        arguments: [again.recordId, patientId, again.contentHash, second.envelopeHash],
        transientData: { attestation },
      }),
      (e: unknown) => chaincodeMessage(e).includes('ATTESTATION_INVALID: replayed'),
    );
  });

  it('refuses an unregistered direct caller, and a signature by someone other than the sender', async () => {
    const { recordId, contentHash } = newRecord();
    const outsider = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-outsider-c', 'doctor');
    const unregistered = await contractAs(orgC, outsider, 'transfer');
    const notRegistered = (e: unknown) =>
      chaincodeMessage(e).includes('ACCESS_DENIED: the caller is not registered');
    await assert.rejects(
      unregistered.submit('DepositEnvelope', {
        arguments: [recordId, patientId],
        transientData: {
          envelope: canonicalJson(await envelopeFor(doctorC, recordId, patientId, contentHash)),
        },
      }),
      notRegistered,
    );
    await assert.rejects(
      unregistered.submit('Send', { arguments: [recordId, patientId, contentHash, sha256('no deposit')] }),
      notRegistered,
    );
    const forged: EnvelopeRecord = {
      ...(await envelopeFor(tech, recordId, patientId, contentHash)),
      signature: (await envelopeFor(doctorC, recordId, patientId, contentHash)).signature,
    };
    await assert.rejects(
      (await contractAs(orgA, tech, 'transfer')).submit('DepositEnvelope', {
        arguments: [recordId, patientId],
        transientData: { envelope: canonicalJson(forged) },
      }),
      (e: unknown) => chaincodeMessage(e).includes("INVALID_ARGUMENT: the signature is not the sender's"),
    );
  });

  /** Submits RecordAccess to `recordId`, attested by the organisation's gateway, and returns its committed outcome. */
  const recordAccess = async (
    org: OrgPlan,
    user: IdentityFiles,
    purpose = 'TREAT',
    recordId = shared.recordId,
  ) => {
    const contract = await contractAs(org, user, 'access');
    const submitted = await whenEndorsersAgree(() =>
      contract.submitAsync('RecordAccess', {
        arguments: [recordId, purpose],
        transientData: { attestation: attest(org, idOf(user), 'access') },
      }),
    );
    const status = await submitted.getStatus();
    assert.equal(status.successful, true, 'access attempts commit, granted or denied');
    return JSON.parse(decoder.decode(submitted.getResult())) as {
      outcome: string;
      reason: string;
      txId: string;
    };
  };

  /** `user` opens `recordId`: a granted access attempt, then the envelope read by query against it. */
  const openRecord = async (
    org: OrgPlan,
    user: IdentityFiles,
    purpose: string,
    recordId = shared.recordId,
  ) => {
    const result = await recordAccess(org, user, purpose, recordId);
    assert.equal(result.outcome, 'granted', result.reason);
    const envelope = JSON.parse(
      decoder.decode(
        await (
          await contractAs(org, user, 'access')
        ).evaluateTransaction('ReadEnvelope', recordId, result.txId),
      ),
    ) as Record<string, string>;
    return { ...result, envelope };
  };

  it('lets the recipient open the record: access committed, envelope read by query', async () => {
    const { envelope } = await openRecord(orgB, patient, 'PATRQT');
    assert.equal(envelope.cid, CID);
    assert.equal(envelope.contentHash, shared.contentHash);
    assert.equal(envelope.wrappedKey, shared.envelope?.wrappedKey);
  });

  it('commits a denial for a doctor without a grant, then grants, opens, revokes and refuses', async () => {
    const denied = await recordAccess(orgC, doctorC);
    assert.deepEqual([denied.outcome, denied.reason], ['denied', 'no grant for the caller']);

    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    assert.ok(shared.envelope);
    const envelope = rewrapped(shared.envelope, doctorCId, patientId);
    const grant = await depositAndRecord(
      await contractAs(orgB, patient, 'access'),
      'DepositGrantEnvelope',
      envelope,
      ['GrantAccess', shared.recordId, doctorCId, 'TREAT', expiresAt],
    );
    const endorsers = await endorsersOf(await gatewayFor(orgB, patient), grant, envelope);
    assert.deepEqual(endorsers.deposit, [orgB.mspId, orgC.mspId].sort());

    const granted = await openRecord(orgC, doctorC, 'TREAT');
    assert.equal(granted.envelope.cid, CID);
    assert.equal(granted.envelope.readerId, doctorCId);
    assert.equal(granted.envelope.wrappedKey, envelope.wrappedKey);

    await (
      await contractAs(orgB, patient, 'access')
    ).submitTransaction('RevokeGrant', shared.recordId, doctorCId);
    await assert.rejects(
      (await contractAs(orgC, doctorC, 'access')).evaluateTransaction(
        'ReadEnvelope',
        shared.recordId,
        granted.txId,
      ),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the grant was revoked'),
    );
    assert.equal((await recordAccess(orgC, doctorC)).reason, 'the grant was revoked');
  });

  it("lets an auditor of another organisation see every attempt on the record and a user's activity", async () => {
    const audit = (await gatewayFor(orgC, auditor)).getContract(net.plan.chaincode.name, 'audit');
    const accesses = JSON.parse(
      decoder.decode(await audit.evaluateTransaction('RecordAccesses', shared.recordId, '50', '')),
    ) as {
      records: { outcome: string; userId: string }[];
    };
    assert.deepEqual(
      accesses.records
        .filter((r) => r.userId === doctorCId)
        .map((r) => r.outcome)
        .sort(),
      ['denied', 'denied', 'granted'],
    );
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const activity = JSON.parse(
      decoder.decode(
        await audit.evaluateTransaction('UserActivity', patientId, 'transfer', from, to, '10', ''),
      ),
    ) as { records: { recordId: string }[] };
    assert.ok(activity.records.some((r) => r.recordId === shared.recordId));
  });

  it('checks the grant at the time of each read: once it expires, an access granted before it reads nothing', async () => {
    assert.ok(shared.envelope);
    const expiresAt = new Date(Date.now() + 12_000).toISOString();
    const envelope = rewrapped(shared.envelope, doctorCId, patientId);
    await depositAndRecord(await contractAs(orgB, patient, 'access'), 'DepositGrantEnvelope', envelope, [
      'GrantAccess',
      shared.recordId,
      doctorCId,
      'TREAT',
      expiresAt,
    ]);
    const access = await recordAccess(orgC, doctorC);
    assert.equal(access.outcome, 'granted', access.reason);
    const asDoctor = await contractAs(orgC, doctorC, 'access');
    await asDoctor.evaluateTransaction('ReadEnvelope', shared.recordId, access.txId);
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 1500);
    await assert.rejects(
      asDoctor.evaluateTransaction('ReadEnvelope', shared.recordId, access.txId),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the grant has expired'),
    );
    assert.equal((await recordAccess(orgC, doctorC)).reason, 'the grant has expired');
  });
  it("records a gateway's refusal in the user's activity and the record's access trail", async () => {
    const gatewayB = gateways.get(orgB.key);
    assert.ok(gatewayB);
    const evidence = createHash('sha256').update('device report: screen lock off').digest('hex');
    const submitted = await gatewayB.attestation.submitAsync('RecordRefusal', {
      arguments: [patientId, 'access', shared.recordId, 'DEVICE_UNHEALTHY', 'screen lock off', evidence],
    });
    assert.equal((await submitted.getStatus()).successful, true);
    const txId = submitted.getTransactionId();

    const audit = (await gatewayFor(orgC, auditor)).getContract(net.plan.chaincode.name, 'audit');
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const activity = JSON.parse(
      decoder.decode(
        await audit.evaluateTransaction('UserActivity', patientId, 'refusal', from, to, '10', ''),
      ),
    ) as {
      records: { txId: string; code: string; gatewayId: string; mspId: string; evidenceHash: string }[];
    };
    const refusal = activity.records.find((r) => r.txId === txId);
    assert.ok(refusal, 'the refusal is in the user activity');
    assert.deepEqual(
      [refusal.code, refusal.gatewayId, refusal.mspId, refusal.evidenceHash],
      ['DEVICE_UNHEALTHY', gatewayB.gatewayId, orgB.mspId, evidence],
    );
    const trail = JSON.parse(
      decoder.decode(await audit.evaluateTransaction('RecordAccesses', shared.recordId, '50', '')),
    ) as { records: { txId: string; outcome: string; reason: string; refusedBy?: string }[] };
    const denial = trail.records.find((r) => r.txId === txId);
    assert.deepEqual(
      [denial?.outcome, denial?.reason, denial?.refusedBy],
      ['denied', 'refused by gateway: DEVICE_UNHEALTHY: screen lock off', gatewayB.gatewayId],
    );

    // A gateway records refusals only for users of its own organisation.
    await assert.rejects(
      (gateways.get(orgA.key) ?? gatewayB).attestation.submit('RecordRefusal', {
        arguments: [patientId, 'access', shared.recordId, 'DEVICE_UNHEALTHY', 'screen lock off', ''],
      }),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: a gateway of'),
    );
  });

  it('erases by rule: the patient asks, both holding organisations\u2019 admins confirm, access ends, the sweep completes it, history stays', async () => {
    const opened = await recordAccess(orgB, patient, 'PATRQT');
    const erasureAs = (org: OrgPlan, who: IdentityFiles) => contractAs(org, who, 'erasure');
    await (
      await erasureAs(orgB, patient)
    ).submitTransaction('RequestErasure', shared.recordId, sha256('please'));
    // One organisation's admin cannot erase alone: the record is still read.
    await (await erasureAs(orgA, orgAdmin(orgA))).submitTransaction('ConfirmErasure', shared.recordId);
    assert.equal((await recordAccess(orgB, patient, 'PATRQT')).outcome, 'granted');
    await assert.rejects(
      (await erasureAs(orgC, orgAdmin(orgC))).submitTransaction('ConfirmErasure', shared.recordId),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: only admins of'),
    );
    const asAdminB = await erasureAs(orgB, orgAdmin(orgB));
    await asAdminB.submitTransaction('ConfirmErasure', shared.recordId);
    assert.equal((await recordAccess(orgB, patient, 'PATRQT')).reason, 'the record is being erased');
    // The recipient organisation's sweep finds the ciphertext, on its own peer, and reports it cleared.
    const erasing = JSON.parse(
      decoder.decode(await asAdminB.evaluateTransaction('ErasingContent', '10', '')),
    ) as { records: { recordId: string; cid: string }[] };
    assert.deepEqual(
      erasing.records.map((r) => r.recordId),
      [shared.recordId],
    );
    const evidence = {
      unpinnedFrom: 2,
      collectedOn: ['12D3KooWA1111111111111111111111111111111111111111111'],
      blocksRemoved: 3,
    };
    const erase = await asAdminB.submitAsync('CompleteErasure', {
      arguments: [shared.recordId, JSON.stringify(evidence)],
    });
    assert.equal((await erase.getStatus()).successful, true);
    await assert.rejects(
      (await contractAs(orgB, patient, 'access')).evaluateTransaction(
        'ReadEnvelope',
        shared.recordId,
        opened.txId,
      ),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the record was erased'),
    );
    assert.equal((await recordAccess(orgB, patient, 'PATRQT')).reason, 'the record was erased');
    const audit = (await gatewayFor(orgC, auditor)).getContract(net.plan.chaincode.name, 'audit');
    const history = (
      JSON.parse(
        decoder.decode(await audit.evaluateTransaction('RecordHistory', shared.recordId, '10', '')),
      ) as {
        records: { record: { status: string } }[];
      }
    ).records;
    assert.deepEqual(
      history.map((h) => h.record.status),
      ['erased', 'erasing', 'active'],
    );
  });

  /**
   * A new record the technologist sends to `recipient` (of `recipientOrg`),
   * its data key also split for that organisation's emergency key set (its two
   * admins, both needed), opened in an emergency by `doctor` (of
   * `doctorOrg`); each admin reads the shares and contributes theirs for the
   * doctor: DepositKeyShare, then ContributeKeyShare, twice.
   */
  const breakGlass = async (
    recipientOrg: OrgPlan,
    recipient: IdentityFiles,
    doctorOrg: OrgPlan,
    doctor: IdentityFiles,
  ) => {
    const [first, second] = adminsOf(recipientOrg);
    const holders = [idOf(first), idOf(second)];
    const keysets = async (admin: IdentityFiles) =>
      (await gatewayFor(recipientOrg, admin)).getContract(net.plan.chaincode.name, 'emergencykeys');
    if (!keySets.has(recipientOrg.key)) {
      await (await keysets(first)).submitTransaction('ProposeKeySet', JSON.stringify(holders), '2');
      // Until the second admin approves, nothing is in force.
      await assert.rejects(
        (await keysets(first)).evaluateTransaction('GetKeySet', recipientOrg.mspId, '0'),
        (e: unknown) => chaincodeMessage(e).includes('NOT_FOUND'),
      );
      await (await keysets(second)).submitTransaction('ApproveKeySet', '1');
      keySets.add(recipientOrg.key);
    }

    const { recordId, contentHash } = newRecord();
    const sent: EnvelopeRecord = {
      ...(await envelopeFor(tech, recordId, idOf(recipient), contentHash)),
      emergencyShares: {
        version: 1,
        keySetVersion: 1,
        threshold: 2,
        parts: [
          { holders, wrapped: [randomBytes(106).toString('base64'), randomBytes(106).toString('base64')] },
        ],
        check: randomBytes(32).toString('base64'),
      },
    };
    await send(orgA, tech, sent);

    const justification = sha256('unconscious on arrival');
    const doctorEmergency = await contractAs(doctorOrg, doctor, 'emergency');
    const opening = await committed(() =>
      doctorEmergency.submitAsync('BreakGlass', {
        arguments: [recordId, 'UNCONSCIOUS', justification, '240'],
        transientData: { attestation: attest(doctorOrg, idOf(doctor), 'breakGlass') },
      }),
    );

    let release: TwoSteps | undefined;
    let released: EnvelopeRecord | undefined;
    for (const holder of [first, second]) {
      const emergency = await contractAs(recipientOrg, holder, 'emergency');
      // The doctor's peer committed the opening; the holder's may be a block behind.
      const forHolder = JSON.parse(
        decoder.decode(
          await whenEndorsersAgree(
            () => emergency.evaluateTransaction('ReadEmergencyEnvelope', recordId, idOf(doctor)),
            /NOT_FOUND: no break-glass opening/,
          ),
        ),
      ) as Partial<EnvelopeRecord>;
      assert.deepEqual(forHolder.emergencyShares, sent.emergencyShares);
      assert.equal(forHolder.wrappedKey, undefined, "never the recipient's own wrapped key");
      released = keyShareOf(sent, idOf(doctor), idOf(holder), holders);
      release = await depositAndRecord(emergency, 'DepositKeyShare', released, [
        'ContributeKeyShare',
        recordId,
        idOf(doctor),
        '1',
      ]);
    }
    assert.ok(release && released);
    const { reviewId } = JSON.parse(decoder.decode(opening.getResult())) as { reviewId: string };
    return { recordId, opening, reviewId, released, release, holders };
  };

  it('opens a record to a doctor in an emergency: announced, key released by the organisation, reviewed', async () => {
    const { recordId, opening, reviewId, released, release, holders } = await breakGlass(
      orgB,
      patient,
      orgC,
      doctorC,
    );
    const endorsers = await endorsersOf(await gatewayFor(orgB, adminsOf(orgB)[1]), release, released);
    assert.deepEqual(endorsers.deposit, [orgB.mspId, orgC.mspId].sort());

    const events = await (
      await gatewayFor(orgB, patient)
    ).getChaincodeEvents(net.plan.chaincode.name, {
      startBlock: (await opening.getStatus()).blockNumber,
    });
    try {
      const first = await events[Symbol.asyncIterator]().next();
      const event = first.value as { eventName: string; payload: Uint8Array };
      assert.equal(event.eventName, 'BreakGlassOpened');
      assert.equal(
        (JSON.parse(decoder.decode(event.payload)) as { recipientId: string }).recipientId,
        patientId,
      );
    } finally {
      events.close();
    }

    const result = await openRecord(orgC, doctorC, 'ETREAT', recordId);
    assert.match(result.reason, /^break-glass UNCONSCIOUS until /);
    assert.deepEqual(
      (result.envelope as { keyShares?: { holderId: string }[] }).keyShares?.map((k) => k.holderId),
      holders,
    );
    assert.equal(result.envelope.wrappedKey, undefined);

    // The opener's organisation (C) holds no part of the record: its auditor may look, but not review.
    const asAuditorC = (await gatewayFor(orgC, auditor)).getContract(net.plan.chaincode.name, 'emergency');
    await assert.rejects(
      asAuditorC.submitTransaction('CloseReview', reviewId, 'justified', sha256('ok')),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: only auditors of'),
    );
    const reviews = (await gatewayFor(orgB, auditorB)).getContract(net.plan.chaincode.name, 'emergency');
    const open = JSON.parse(decoder.decode(await reviews.evaluateTransaction('OpenReviews', '50', ''))) as {
      records: { reviewId: string }[];
    };
    assert.ok(open.records.some((r) => r.reviewId === reviewId));
    await reviews.submitTransaction('CloseReview', reviewId, 'justified', sha256('ok'));
    const after = JSON.parse(decoder.decode(await reviews.evaluateTransaction('OpenReviews', '50', ''))) as {
      records: { reviewId: string }[];
    };
    assert.ok(!after.records.some((r) => r.reviewId === reviewId));
  });

  describe('inside one organisation (its peers alone endorse and hold the envelope)', () => {
    /** The record the technologist sends to hospital A's patient, used by the grant test. */
    const sameOrg = { recordId: '', envelope: undefined as EnvelopeRecord | undefined };

    it('records a transfer between two users of one organisation; the recipient opens it on its peer only', async () => {
      const { recordId, contentHash } = newRecord();
      const envelope = await envelopeFor(tech, recordId, patientAId, contentHash);
      const steps = await send(orgA, tech, envelope);
      Object.assign(sameOrg, { recordId, envelope });
      const endorsers = await endorsersOf(await gatewayFor(orgA, tech), steps, envelope);
      assert.deepEqual(endorsers.deposit, [orgA.mspId]);

      const opened = await openRecord(orgA, patientA, 'PATRQT', recordId);
      assert.deepEqual(
        [opened.envelope.cid, opened.envelope.readerId, opened.envelope.wrappedKey],
        [CID, patientAId, envelope.wrappedKey],
      );

      // The same query, aimed at each organisation's peer: only hospital A's holds the envelope.
      const access = await contractAs(orgA, patientA, 'access');
      const transfer = await contractAs(orgA, patientA, 'transfer');
      const on = (org: OrgPlan) => ({
        arguments: [recordId, opened.txId],
        endorsingOrganizations: [org.mspId],
      });
      const own = JSON.parse(
        decoder.decode(await access.evaluate('ReadEnvelope', on(orgA))),
      ) as EnvelopeRecord;
      assert.equal(own.wrappedKey, envelope.wrappedKey);
      for (const other of [orgB, orgC]) {
        // The public record is there (so the query did reach that peer), the envelope is not.
        await transfer.evaluate('GetTransfer', { ...on(other), arguments: [recordId] });
        await assert.rejects(
          whenEndorsersAgree(() => access.evaluate('ReadEnvelope', on(other)), /no granted access/),
          (e: unknown) => {
            const message = chaincodeMessage(e);
            assert.ok(!message.includes(CID) && !message.includes(envelope.wrappedKey ?? CID));
            return message.includes('private data matching public hash version is not available');
          },
        );
      }
    });

    it('grants a doctor of the same organisation, who opens the record, until the patient revokes', async () => {
      const { recordId, envelope: sent } = sameOrg;
      assert.ok(sent, 'the transfer inside one organisation ran first');
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const envelope = rewrapped(sent, doctorAId, patientAId);
      const grantor = await contractAs(orgA, patientA, 'access');
      const grant = await depositAndRecord(grantor, 'DepositGrantEnvelope', envelope, [
        'GrantAccess',
        recordId,
        doctorAId,
        'TREAT',
        expiresAt,
      ]);
      const endorsers = await endorsersOf(await gatewayFor(orgA, patientA), grant, envelope);
      assert.deepEqual(endorsers.deposit, [orgA.mspId]);

      const opened = await openRecord(orgA, doctorA, 'TREAT', recordId);
      assert.deepEqual(
        [opened.envelope.readerId, opened.envelope.wrappedKey],
        [doctorAId, envelope.wrappedKey],
      );

      await committed(() => grantor.submitAsync('RevokeGrant', { arguments: [recordId, doctorAId] }));
      await assert.rejects(
        (await contractAs(orgA, doctorA, 'access')).evaluateTransaction(
          'ReadEnvelope',
          recordId,
          opened.txId,
        ),
        (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the grant was revoked'),
      );
      const refused = await recordAccess(orgA, doctorA, 'TREAT', recordId);
      assert.deepEqual([refused.outcome, refused.reason], ['denied', 'the grant was revoked']);
    });

    it("opens a record in an emergency to a doctor of the recipient's organisation, key released by its admin", async () => {
      const { recordId, released, release, holders } = await breakGlass(orgA, patientA, orgA, doctorA);
      const endorsers = await endorsersOf(await gatewayFor(orgA, adminsOf(orgA)[1]), release, released);
      assert.deepEqual(endorsers.deposit, [orgA.mspId]);
      const opened = await openRecord(orgA, doctorA, 'ETREAT', recordId);
      assert.match(opened.reason, /^break-glass UNCONSCIOUS until /);
      assert.deepEqual(
        [
          opened.envelope.readerId,
          (opened.envelope as { keyShares?: { holderId: string }[] }).keyShares?.map((k) => k.holderId),
        ],
        [doctorAId, holders],
      );
    });

    it("refuses a record naming another envelope, none or another's deposit, and a non-canonical envelope; only the depositor withdraws", async () => {
      const { recordId, contentHash } = newRecord();
      const envelope = await envelopeFor(tech, recordId, patientAId, contentHash);
      const transfer = await contractAs(orgA, tech, 'transfer');
      const sendNaming = async (envelopeHash: string, sender = tech) =>
        (await contractAs(orgA, sender, 'transfer')).submit('Send', {
          arguments: [recordId, patientAId, contentHash, envelopeHash],
          transientData: { attestation: attest(orgA, idOf(sender), 'send') },
        });
      const refusedWith = (text: string) => (e: unknown) => chaincodeMessage(e).includes(text);

      await assert.rejects(
        sendNaming(sha256(canonicalJson(envelope))),
        refusedWith(`FAILED_PRECONDITION: no envelope of record ${recordId} for ${patientAId} is deposited`),
      );
      const unsorted = JSON.stringify(envelope);
      assert.notEqual(unsorted, canonicalJson(envelope));
      await assert.rejects(
        transfer.submit('DepositEnvelope', {
          arguments: [recordId, patientAId],
          transientData: { envelope: unsorted },
        }),
        refusedWith('INVALID_ARGUMENT: the envelope must be canonical JSON'),
      );

      const { envelopeHash } = await deposit(transfer, 'DepositEnvelope', envelope);
      await assert.rejects(
        sendNaming(sha256(canonicalJson(rewrapped(envelope, patientAId, techId)))),
        refusedWith(
          `FAILED_PRECONDITION: the deposited envelope of record ${recordId} for ${patientAId} is not the one named`,
        ),
      );
      // Its hash is public, but another sender of the organisation cannot record it as its own.
      await assert.rejects(
        sendNaming(envelopeHash, doctorA),
        refusedWith(
          `ACCESS_DENIED: the envelope of record ${recordId} for ${patientAId} was deposited by someone else`,
        ),
      );
      await assert.rejects(
        (await contractAs(orgA, patientA, 'transfer')).submit('WithdrawEnvelope', {
          arguments: [recordId, patientAId, 'record'],
        }),
        refusedWith('ACCESS_DENIED: only its depositor may withdraw an envelope'),
      );
      await committed(() =>
        transfer.submitAsync('WithdrawEnvelope', { arguments: [recordId, patientAId, 'record'] }),
      );
      // Withdrawn: purged, hash and all, so no record can name it any more.
      await assert.rejects(
        sendNaming(envelopeHash),
        refusedWith(`FAILED_PRECONDITION: no envelope of record ${recordId} for ${patientAId} is deposited`),
      );
    });
  });
});
