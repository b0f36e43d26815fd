import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { enrollUser, orgAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { closeGateways, orgGateway, type OrgGateway } from '../support/attestation';
import { connectGateway, type GatewayConnection } from '../support/gateway';
import { REPO_DIR, startTestNetwork, type TestNetwork } from '../support/network';
import { chaincodeMessage, encryptionKey, whenEndorsersAgree } from '../support/chaincode';

const decoder = new TextDecoder();
const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';

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
  let techId: string;
  /** Each organisation's gateway service, announced on the ledger, by org key. */
  const gateways = new Map<string, OrgGateway>();
  /** The transient `attestation` the gateway of `org` signs for `userId`'s next `action`. */
  const attest = (org: OrgPlan, userId: string, action: 'send' | 'access' | 'breakGlass') => {
    const gateway = gateways.get(org.key);
    assert.ok(gateway, `no gateway for ${org.key}`);
    return gateway.attest(userId, action);
  };
  /** The record sent in the first test, used by the access tests. */
  const shared = { recordId: '', contentHash: '' };
  const open: GatewayConnection[] = [];

  const gatewayFor = async (org: OrgPlan, user: IdentityFiles) => {
    const node = org.nodes[0];
    assert.ok(node);
    const connection = await connectGateway(org, node, user);
    open.push(connection);
    return connection.gateway.getNetwork(net.plan.channel);
  };

  const register = async (org: OrgPlan, user: IdentityFiles, role: string): Promise<string> => {
    const registry = (await gatewayFor(org, orgAdmin(org))).getContract(net.plan.chaincode.name, 'registry');
    await registry.submitTransaction(
      'RegisterUser',
      await readFile(user.signCert, 'utf8'),
      role,
      encryptionKey(),
    );
    const me = (await gatewayFor(org, user)).getContract(net.plan.chaincode.name, 'registry');
    return (JSON.parse(decoder.decode(await me.evaluateTransaction('WhoAmI'))) as { userId: string }).userId;
  };

  const envelopeFor = async (
    sender: IdentityFiles,
    recordId: string,
    recipientId: string,
    contentHash: string,
  ) => {
    const key = createPrivateKey(await readFile(join(sender.msp, 'keystore', 'key.pem')));
    const message = Buffer.from(`medshare/transfer/v1\n${recordId}\n${CID}\n${contentHash}\n${recipientId}`);
    return {
      cid: CID,
      size: 1048576,
      mediaType: 'application/dicom',
      wrappedKey: randomBytes(120).toString('base64'),
      signature: sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
      salt: randomBytes(16).toString('base64'),
    };
  };

  before(async () => {
    net = await startTestNetwork('raft');
    const [a, b, c] = net.plan.peerOrgs;
    assert.ok(a && b && c);
    [orgA, orgB, orgC] = [a, b, c];
    tech = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-tech-a', 'technologist');
    patient = await enrollUser(REPO_DIR, net.plan, net.bin, orgB.key, 'u-patient-b', 'patient');
    doctorC = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-doctor-c', 'doctor');
    techId = await register(orgA, tech, 'technologist');
    patientId = await register(orgB, patient, 'patient');
    doctorCId = await register(orgC, doctorC, 'doctor');
    auditor = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-auditor-c', 'auditor');
    await register(orgC, auditor, 'auditor');
    for (const org of [orgA, orgB, orgC]) {
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

  it('records a transfer endorsed by both organisations, with no CID or key in the block', async () => {
    const recordId = `rec-${randomBytes(8).toString('hex')}`;
    const contentHash = createHash('sha256').update(randomBytes(64)).digest('hex');
    const envelope = await envelopeFor(tech, recordId, patientId, contentHash);
    const network = await gatewayFor(orgA, tech);
    const contract = network.getContract(net.plan.chaincode.name, 'transfer');
    const submitted = await contract.submitAsync('Send', {
      arguments: [recordId, patientId, contentHash],
      transientData: { envelope: JSON.stringify(envelope), attestation: attest(orgA, techId, 'send') },
    });
    const status = await submitted.getStatus();
    assert.equal(status.successful, true, `validation code ${String(status.code)}`);
    Object.assign(shared, { recordId, contentHash });

    const qscc = network.getContract('qscc');
    const block = await qscc.evaluateTransaction(
      'GetBlockByTxID',
      net.plan.channel,
      submitted.getTransactionId(),
    );
    assert.deepEqual(endorsingMsps(block, submitted.getTransactionId()), [orgA.mspId, orgB.mspId].sort());
    const raw = Buffer.from(block).toString('latin1');
    for (const secret of [CID, envelope.wrappedKey, envelope.salt, envelope.signature]) {
      assert.ok(!raw.includes(secret), 'a private envelope field reached the block');
    }

    const record = JSON.parse(
      decoder.decode(
        await (
          await gatewayFor(orgB, patient)
        )
          .getContract(net.plan.chaincode.name, 'transfer')
          .evaluateTransaction('GetTransfer', recordId),
      ),
    ) as {
      contentHash: string;
      senderMspId: string;
      recipientMspId: string;
      attestation: { gatewayId: string; nonce: string };
    };
    assert.equal(record.contentHash, contentHash);
    assert.equal(record.senderMspId, orgA.mspId);
    assert.equal(record.recipientMspId, orgB.mspId);
    assert.equal(record.attestation.gatewayId, gateways.get(orgA.key)?.gatewayId);
    assert.match(record.attestation.nonce, /^[A-Za-z0-9_-]{22,64}$/);
  });

  it('refuses a send without a gateway attestation, or with one replayed or for another action', async () => {
    const recordId = `rec-${randomBytes(8).toString('hex')}`;
    const contentHash = createHash('sha256').update(randomBytes(64)).digest('hex');
    const envelope = JSON.stringify(await envelopeFor(tech, recordId, patientId, contentHash));
    const sender = (await gatewayFor(orgA, tech)).getContract(net.plan.chaincode.name, 'transfer');
    const send = (transientData: Record<string, string>) =>
      sender.submit('Send', { arguments: [recordId, patientId, contentHash], transientData });
    await assert.rejects(send({ envelope }), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: attestation missing'),
    );
    await assert.rejects(send({ envelope, attestation: attest(orgA, techId, 'access') }), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: wrong action'),
    );
    await assert.rejects(send({ envelope, attestation: attest(orgB, techId, 'send') }), (e: unknown) =>
      chaincodeMessage(e).includes('ATTESTATION_INVALID: gateway'),
    );
    const attestation = attest(orgA, techId, 'send');
    await send({ envelope, attestation });
    const again = `rec-${randomBytes(8).toString('hex')}`;
    await assert.rejects(
      sender.submit('Send', {
        arguments: [again, patientId, contentHash],
        transientData: {
          envelope: JSON.stringify(await envelopeFor(tech, again, patientId, contentHash)),
          attestation,
        },
      }),
      (e: unknown) => chaincodeMessage(e).includes('ATTESTATION_INVALID: replayed'),
    );
  });

  it('refuses an unregistered direct caller, and a signature by someone other than the sender', async () => {
    const recordId = `rec-${randomBytes(8).toString('hex')}`;
    const contentHash = createHash('sha256').update(randomBytes(64)).digest('hex');
    const outsider = await enrollUser(REPO_DIR, net.plan, net.bin, orgC.key, 'u-outsider-c', 'doctor');
    const unregistered = (await gatewayFor(orgC, outsider)).getContract(net.plan.chaincode.name, 'transfer');
    await assert.rejects(
      unregistered.submit('Send', {
        arguments: [recordId, patientId, contentHash],
        transientData: {
          envelope: JSON.stringify(await envelopeFor(doctorC, recordId, patientId, contentHash)),
        },
      }),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the caller is not registered'),
    );
    const forged = await envelopeFor(doctorC, recordId, patientId, contentHash);
    const sender = (await gatewayFor(orgA, tech)).getContract(net.plan.chaincode.name, 'transfer');
    await assert.rejects(
      sender.submit('Send', {
        arguments: [recordId, patientId, contentHash],
        transientData: { envelope: JSON.stringify(forged), attestation: attest(orgA, techId, 'send') },
      }),
      (e: unknown) => chaincodeMessage(e).includes("the signature is not the sender's"),
    );
  });

  const accessAs = async (org: OrgPlan, user: IdentityFiles) =>
    (await gatewayFor(org, user)).getContract(net.plan.chaincode.name, 'access');

  /** Submits RecordAccess, attested by the organisation's gateway, and returns its committed outcome. */
  const recordAccess = async (org: OrgPlan, user: IdentityFiles, purpose = 'TREAT') => {
    const userId = user === patient ? patientId : user === doctorC ? doctorCId : '';
    assert.ok(userId, 'recordAccess is for the patient and doctorC');
    const contract = await accessAs(org, user);
    const submitted = await whenEndorsersAgree(() =>
      contract.submitAsync('RecordAccess', {
        arguments: [shared.recordId, purpose],
        transientData: { attestation: attest(org, userId, 'access') },
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

  it('lets the recipient open the record: access committed, envelope read by query', async () => {
    const result = await recordAccess(orgB, patient, 'PATRQT');
    assert.equal(result.outcome, 'granted');
    const envelope = JSON.parse(
      decoder.decode(
        await (
          await accessAs(orgB, patient)
        ).evaluateTransaction('ReadEnvelope', shared.recordId, result.txId),
      ),
    ) as Record<string, string>;
    assert.equal(envelope.cid, CID);
    assert.equal(envelope.contentHash, shared.contentHash);
  });

  it('commits a denial for a doctor without a grant, then grants, opens, revokes and refuses', async () => {
    const denied = await recordAccess(orgC, doctorC);
    assert.deepEqual([denied.outcome, denied.reason], ['denied', 'no grant for the caller']);

    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const envelope = await envelopeFor(tech, shared.recordId, patientId, shared.contentHash);
    const grant = await (
      await accessAs(orgB, patient)
    ).submitAsync('GrantAccess', {
      arguments: [shared.recordId, doctorCId, 'TREAT', expiresAt],
      transientData: {
        envelope: JSON.stringify({ ...envelope, wrappedKey: randomBytes(120).toString('base64') }),
      },
    });
    assert.equal((await grant.getStatus()).successful, true);
    const block = await (
      await gatewayFor(orgB, patient)
    )
      .getContract('qscc')
      .evaluateTransaction('GetBlockByTxID', net.plan.channel, grant.getTransactionId());
    assert.deepEqual(endorsingMsps(block, grant.getTransactionId()), [orgB.mspId, orgC.mspId].sort());

    const granted = await recordAccess(orgC, doctorC);
    assert.equal(granted.outcome, 'granted');
    const doctorEnvelope = JSON.parse(
      decoder.decode(
        await (
          await accessAs(orgC, doctorC)
        ).evaluateTransaction('ReadEnvelope', shared.recordId, granted.txId),
      ),
    ) as Record<string, string>;
    assert.equal(doctorEnvelope.cid, CID);
    assert.equal(doctorEnvelope.readerId, doctorCId);

    await (await accessAs(orgB, patient)).submitTransaction('RevokeGrant', shared.recordId, doctorCId);
    await assert.rejects(
      (await accessAs(orgC, doctorC)).evaluateTransaction('ReadEnvelope', shared.recordId, granted.txId),
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

  it("lets the recipient organisation's admin erase the record: envelopes purged, access ends, history stays", async () => {
    const opened = await recordAccess(orgB, patient, 'PATRQT');
    const transfer = (await gatewayFor(orgB, orgAdmin(orgB))).getContract(
      net.plan.chaincode.name,
      'transfer',
    );
    const erase = await transfer.submitAsync('EraseRecord', { arguments: [shared.recordId] });
    assert.equal((await erase.getStatus()).successful, true);
    await assert.rejects(
      (await accessAs(orgB, patient)).evaluateTransaction('ReadEnvelope', shared.recordId, opened.txId),
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
      ['erased', 'active'],
    );
  });

  it('opens a record to a doctor in an emergency: announced, key released by the organisation, reviewed', async () => {
    const adminB = await gatewayFor(orgB, orgAdmin(orgB));
    const emergency = adminB.getContract(net.plan.chaincode.name, 'emergency');
    await emergency.submitTransaction('RegisterEmergencyKey', encryptionKey());

    const recordId = `rec-${randomBytes(8).toString('hex')}`;
    const contentHash = createHash('sha256').update(randomBytes(64)).digest('hex');
    const emergencyWrappedKey = randomBytes(120).toString('base64');
    const sent = { ...(await envelopeFor(tech, recordId, patientId, contentHash)), emergencyWrappedKey };
    await (await gatewayFor(orgA, tech)).getContract(net.plan.chaincode.name, 'transfer').submit('Send', {
      arguments: [recordId, patientId, contentHash],
      transientData: { envelope: JSON.stringify(sent), attestation: attest(orgA, techId, 'send') },
    });

    const doctorNetwork = await gatewayFor(orgC, doctorC);
    const justification = createHash('sha256').update('unconscious on arrival').digest('hex');
    const opening = await doctorNetwork
      .getContract(net.plan.chaincode.name, 'emergency')
      .submitAsync('BreakGlass', {
        arguments: [recordId, 'UNCONSCIOUS', justification, '240'],
        transientData: { attestation: attest(orgC, doctorCId, 'breakGlass') },
      });
    const openingStatus = await opening.getStatus();
    assert.equal(openingStatus.successful, true);
    const { reviewId } = JSON.parse(decoder.decode(opening.getResult())) as { reviewId: string };
    const events = await (
      await gatewayFor(orgB, patient)
    ).getChaincodeEvents(net.plan.chaincode.name, {
      startBlock: openingStatus.blockNumber,
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

    const forService = JSON.parse(
      decoder.decode(await emergency.evaluateTransaction('ReadEmergencyEnvelope', recordId, doctorCId)),
    ) as Record<string, string>;
    assert.equal(forService.emergencyWrappedKey, emergencyWrappedKey);
    const released = { ...sent, wrappedKey: randomBytes(120).toString('base64') };
    delete (released as Partial<typeof released>).emergencyWrappedKey;
    const release = await emergency.submitAsync('ReleaseBreakGlassKey', {
      arguments: [recordId, doctorCId],
      transientData: { envelope: JSON.stringify(released) },
    });
    assert.equal((await release.getStatus()).successful, true);

    const access = doctorNetwork.getContract(net.plan.chaincode.name, 'access');
    const attempt = await whenEndorsersAgree(() =>
      access.submitAsync('RecordAccess', {
        arguments: [recordId, 'ETREAT'],
        transientData: { attestation: attest(orgC, doctorCId, 'access') },
      }),
    );
    const result = JSON.parse(decoder.decode(attempt.getResult())) as {
      outcome: string;
      reason: string;
      txId: string;
    };
    assert.equal((await attempt.getStatus()).successful, true);
    assert.equal(result.outcome, 'granted');
    assert.match(result.reason, /^break-glass UNCONSCIOUS until /);
    const envelope = JSON.parse(
      decoder.decode(await access.evaluateTransaction('ReadEnvelope', recordId, result.txId)),
    ) as Record<string, string>;
    assert.equal(envelope.wrappedKey, released.wrappedKey);

    const reviews = (await gatewayFor(orgC, auditor)).getContract(net.plan.chaincode.name, 'emergency');
    const open = JSON.parse(decoder.decode(await reviews.evaluateTransaction('OpenReviews', '50', ''))) as {
      records: { reviewId: string }[];
    };
    assert.ok(open.records.some((r) => r.reviewId === reviewId));
    await reviews.submitTransaction(
      'CloseReview',
      reviewId,
      'justified',
      createHash('sha256').update('ok').digest('hex'),
    );
    const after = JSON.parse(decoder.decode(await reviews.evaluateTransaction('OpenReviews', '50', ''))) as {
      records: { reviewId: string }[];
    };
    assert.ok(!after.records.some((r) => r.reviewId === reviewId));
  });
});
