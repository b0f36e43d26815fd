import { common, msp, peer } from '@hyperledger/fabric-protos';
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createTestCa, issueDeviceCertificate, type TestCa, type TestDevice } from '../device/testing';
import type { TrustBundle } from '../trust/bundle';
import { testTrustBundle } from '../trust/testing';
import { committedBlockOf } from './commit-proof';
import { requireReadPolicy, UnverifiedAnswerError, verifyEndorsements } from './endorsement-check';
import { commitPolicyOf, endorsersFor, isRead, readPolicyOf } from './read-policy';
import type { EndorsedAction, EndorsementOf } from './signing-request';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const C = 'ImagingMSP';
const ORDERER = 'OrdererMSP';
const ANSWER = new TextEncoder().encode('{"userId":"u1","encryptionKey":{"spki":"MFkw..."}}');

/** A peer as the tests use it: its MSP id, certificate and key. */
interface TestPeer {
  mspId: string;
  device: TestDevice;
}

function responsePayload(payload: Uint8Array, chaincode = 'medshare', status = 200): Uint8Array {
  const response = new peer.Response();
  response.setStatus(status);
  response.setPayload(payload);
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(chaincode);
  const action = new peer.ChaincodeAction();
  action.setResponse(response);
  action.setChaincodeId(chaincodeId);
  const prp = new peer.ProposalResponsePayload();
  prp.setProposalHash(new Uint8Array(32).fill(7));
  prp.setExtension$(action.serializeBinary());
  return prp.serializeBinary();
}

/** An endorsement as a peer's ESCC makes it: ECDSA over the response payload and the endorser. */
function endorse(by: TestPeer, prp: Uint8Array, claimMspId = by.mspId): EndorsementOf {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(claimMspId);
  identity.setIdBytes(new TextEncoder().encode(by.device.certificatePem));
  const endorser = identity.serializeBinary();
  const signature = sign('sha256', Buffer.concat([prp, endorser]), by.device.privateKey);
  return { endorser, signature: new Uint8Array(signature) };
}

function unverifiedWith(reason: RegExp, code = 'ANSWER_UNVERIFIED') {
  return (error: unknown): boolean => {
    assert.ok(error instanceof UnverifiedAnswerError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, reason);
    return true;
  };
}

/**
 * The device's check of what peers signed, from the side of a gateway that
 * wants it to believe something else: forged, dropped or foreign endorsements,
 * a client's signature passed off as a peer's, a peer of a CA the device never
 * pinned, and endorsers outside the read policy.
 */
describe('verifyEndorsements', () => {
  let caA: TestCa;
  let caB: TestCa;
  let rogueCa: TestCa;
  let peerA: TestPeer;
  let peerB: TestPeer;
  let clientA: TestPeer;
  let roguePeerA: TestPeer;
  let bundle: TrustBundle;

  before(async () => {
    [caA, caB, rogueCa] = await Promise.all([
      createTestCa('HospitalA'),
      createTestCa('HospitalB'),
      createTestCa('HospitalA'),
    ]);
    const peerOf = async (ca: TestCa, mspId: string, ou = 'peer'): Promise<TestPeer> => ({
      mspId,
      device: await issueDeviceCertificate(ca, { cn: `peer0.${ca.name}`, ou, attrs: null }),
    });
    [peerA, peerB, clientA, roguePeerA] = await Promise.all([
      peerOf(caA, A),
      peerOf(caB, B),
      peerOf(caA, A, 'client'),
      peerOf(rogueCa, A),
    ]);
    const ordererCa = await createTestCa('Orderer');
    bundle = testTrustBundle([
      { mspId: A, ca: caA },
      { mspId: B, ca: caB },
      { mspId: C, ca: await createTestCa('Imaging') },
      { mspId: ORDERER, ca: ordererCa, role: 'orderer' },
    ]);
  });

  const action = (prp: Uint8Array, ...endorsements: EndorsementOf[]): EndorsedAction => ({
    responsePayload: prp,
    endorsements,
  });

  it('returns the answer and who signed it when every endorsement verifies', async () => {
    const prp = responsePayload(ANSWER);
    const verified = await verifyEndorsements(
      action(prp, endorse(peerB, prp), endorse(peerA, prp)),
      bundle,
      'medshare',
    );
    assert.deepEqual(verified.payload, ANSWER);
    assert.equal(verified.status, 200);
    assert.deepEqual(verified.endorsedBy, [A, B]);
  });

  it('refuses a forged signature, and a signature over another answer', async () => {
    const prp = responsePayload(ANSWER);
    const forged = endorse(peerA, prp);
    const flipped = new Uint8Array(forged.signature);
    flipped[flipped.length - 3] = (flipped.at(-3) ?? 0) ^ 0x01;
    await assert.rejects(
      verifyEndorsements(action(prp, { ...forged, signature: flipped }), bundle, 'medshare'),
      unverifiedWith(/signature of a HospitalAMSP peer does not verify/),
    );
    await assert.rejects(
      verifyEndorsements(
        action(prp, { ...forged, signature: new Uint8Array([1, 2, 3]) }),
        bundle,
        'medshare',
      ),
      unverifiedWith(/does not verify/),
    );
    // The gateway swaps the key in the answer and keeps the peer's signature of the real one.
    const swapped = responsePayload(
      new TextEncoder().encode('{"userId":"u1","encryptionKey":{"spki":"EVIL"}}'),
    );
    await assert.rejects(
      verifyEndorsements(action(swapped, endorse(peerA, prp)), bundle, 'medshare'),
      unverifiedWith(/does not verify/),
    );
  });

  it('refuses an answer with no endorsement at all', async () => {
    await assert.rejects(
      verifyEndorsements(action(responsePayload(ANSWER)), bundle, 'medshare'),
      unverifiedWith(/carries no endorsement/),
    );
  });

  it('refuses endorsers the pinned anchors do not make peers of the consortium', async () => {
    const prp = responsePayload(ANSWER);
    // A "peer" certified by a CA of the gateway's own, under the hospital's MSP id.
    await assert.rejects(
      verifyEndorsements(action(prp, endorse(roguePeerA, prp)), bundle, 'medshare'),
      unverifiedWith(/not issued by the organisation's pinned CA/),
    );
    // A client of the hospital (say, the gateway's own identity) is not a peer.
    await assert.rejects(
      verifyEndorsements(action(prp, endorse(clientA, prp)), bundle, 'medshare'),
      unverifiedWith(/is not a peer/),
    );
    // Hospital B's peer claiming to be Hospital A's: its certificate does not chain to A's root.
    await assert.rejects(
      verifyEndorsements(action(prp, endorse(peerB, prp, A)), bundle, 'medshare'),
      unverifiedWith(/not issued by the organisation's pinned CA/),
    );
    for (const mspId of [ORDERER, 'StrangerMSP']) {
      await assert.rejects(
        verifyEndorsements(action(prp, endorse(peerA, prp, mspId)), bundle, 'medshare'),
        unverifiedWith(/not a peer organisation of the consortium/),
      );
    }
  });

  it('refuses a response from another chaincode', async () => {
    const prp = responsePayload(ANSWER, 'other');
    await assert.rejects(
      verifyEndorsements(action(prp, endorse(peerA, prp)), bundle, 'medshare'),
      unverifiedWith(/from other/),
    );
  });

  it('requires the read policy over all proofs: the required organisations and enough of them', () => {
    const policy = { required: [A], minOrganisations: 2 };
    requireReadPolicy([A, B], policy);
    assert.throws(
      () => {
        requireReadPolicy([B, C], policy);
      },
      unverifiedWith(/no peer of HospitalAMSP endorsed it/),
    );
    assert.throws(
      () => {
        requireReadPolicy([A], policy);
      },
      unverifiedWith(/endorsed by 1 organisation\(s\), fewer than the 2/),
    );
  });
});

describe('read policies', () => {
  const bundle = {
    organisations: [
      { mspId: A, role: 'peer' },
      { mspId: B, role: 'peer' },
      { mspId: C, role: 'peer' },
      { mspId: ORDERER, role: 'orderer' },
    ],
  } as unknown as TrustBundle;

  it('public state: the own organisation and one more; an emergency key set also its owner', () => {
    const getUser = readPolicyOf('registry:GetUser', ['u1'], B, bundle);
    assert.deepEqual(getUser, { required: [B], minOrganisations: 2 });
    assert.deepEqual(endorsersFor(getUser, bundle), [B, A]);
    const emergency = readPolicyOf('emergencykeys:GetKeySet', [C, '0'], A, bundle);
    assert.deepEqual(emergency, { required: [A, C], minOrganisations: 2 });
    assert.deepEqual(endorsersFor(emergency, bundle), [A, C]);
    // The orderer organisation is never asked, nor named as an owner.
    assert.deepEqual(readPolicyOf('emergencykeys:GetKeySet', [ORDERER, '0'], A, bundle).required, [A]);
  });

  it('the caller’s own private data: its own organisation alone', () => {
    for (const fn of ['access:ReadEnvelope', 'emergency:ReadEmergencyEnvelope']) {
      const policy = readPolicyOf(fn, ['r1', 'x'], C, bundle);
      assert.deepEqual(policy, { required: [C], minOrganisations: 1 });
      assert.deepEqual(endorsersFor(policy, bundle), [C]);
    }
  });

  it('a commit proof comes from two organisations; reads are the device’s own list', () => {
    assert.deepEqual(commitPolicyOf(C, bundle), { required: [C], minOrganisations: 2 });
    assert.equal(isRead('registry:GetUser'), true);
    assert.equal(isRead('qscc:GetBlockByTxID'), true);
    assert.equal(isRead('transfer:Send'), false);
    assert.equal(isRead('registry:Unknown'), false);
  });
});

describe('committedBlockOf', () => {
  const signedPayload = new TextEncoder().encode('the transaction payload this device signed');

  function block(number: number, payloads: Uint8Array[], flags: number[]): Uint8Array {
    const data = new common.BlockData();
    data.setDataList(
      payloads.map((p) => {
        const envelope = new common.Envelope();
        envelope.setPayload(p);
        envelope.setSignature(new Uint8Array([1]));
        return envelope.serializeBinary();
      }),
    );
    const header = new common.BlockHeader();
    header.setNumber(number);
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList([new Uint8Array(), new Uint8Array(), new Uint8Array(flags), new Uint8Array()]);
    const result = new common.Block();
    result.setHeader(header);
    result.setData(data);
    result.setMetadata(metadata);
    return result.serializeBinary();
  }

  const other = new TextEncoder().encode('someone else’s transaction');

  it('finds the signed transaction and its block number when it is VALID', () => {
    assert.equal(committedBlockOf(block(12, [other, signedPayload], [0, 0]), signedPayload), '12');
  });

  it('refuses a block without the transaction, or with it invalidated', () => {
    assert.throws(
      () => committedBlockOf(block(12, [other], [0]), signedPayload),
      unverifiedWith(/does not hold the transaction/, 'COMMIT_UNVERIFIED'),
    );
    // 11: MVCC_READ_CONFLICT
    assert.throws(
      () => committedBlockOf(block(12, [other, signedPayload], [0, 11]), signedPayload),
      unverifiedWith(/recorded the transaction as invalid \(validation code 11\)/, 'COMMIT_UNVERIFIED'),
    );
    assert.throws(
      () => committedBlockOf(block(12, [signedPayload], []), signedPayload),
      unverifiedWith(/no validation code/, 'COMMIT_UNVERIFIED'),
    );
    assert.throws(
      () => committedBlockOf(new Uint8Array([0x0a, 0x05, 0x01]), signedPayload),
      unverifiedWith(/cannot be decoded/, 'COMMIT_UNVERIFIED'),
    );
  });
});
