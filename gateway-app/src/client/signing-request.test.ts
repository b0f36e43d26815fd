import * as grpc from '@grpc/grpc-js';
import { connect, hash } from '@hyperledger/fabric-gateway';
import { common, gateway, msp, peer } from '@hyperledger/fabric-protos';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  checkCommit,
  checkProposal,
  checkTransaction,
  MAX_CLOCK_SKEW_MS,
  SigningRequestError,
  timestampMillis,
  type CheckedProposal,
  type IntendedCall,
} from './signing-request';

const CHANNEL = 'medshare';
const CHAINCODE = 'medshare';
const USER = {
  mspId: 'HospitalAMSP',
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIBuser-a\n-----END CERTIFICATE-----\n',
};
const OTHER_CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBuser-b\n-----END CERTIFICATE-----\n';
const FN = 'transfer:SendRecord';
const ARGS = ['record-1', 'HospitalBMSP', 'user-b'];
const ENVELOPE_TEXT = '{"cid":"bafy..."}';
const ENVELOPE = new TextEncoder().encode(ENVELOPE_TEXT);
const ATTESTATION = new TextEncoder().encode('{"v":1}');
/** A length-delimited field 1 that announces 5 bytes and has 1: no protobuf decoder accepts it. */
const TRUNCATED = new Uint8Array([0x0a, 0x05, 0x01]);
/** Text: it happens to decode as protobuf, into fields the checkers do not recognise. */
const TEXT = new TextEncoder().encode('this is not a protobuf message at all');

// The client is never used to call anything: fabric-gateway builds proposals locally and the
// channel stays idle, so these are the very bytes OfflineSigning.prepare hands to the device.
const client = new grpc.Client('127.0.0.1:1', grpc.credentials.createInsecure());
after(() => {
  client.close();
});

interface Proposed {
  txId: string;
  /** The peer.Proposal bytes the device is asked to sign. */
  bytes: Uint8Array;
}

interface ProposeOptions {
  identity?: { mspId: string; certificatePem: string };
  channel?: string;
  fn?: string;
  args?: readonly string[];
  transient?: Record<string, Uint8Array>;
}

/** A proposal built as the gateway builds it (fabric-gateway's newProposal, as in offline-signing.ts). */
function propose(options: ProposeOptions = {}): Proposed {
  const identity = options.identity ?? USER;
  const fabric = connect({
    client,
    identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificatePem, 'utf8') },
    hash: hash.sha256,
  });
  try {
    const proposal = fabric
      .getNetwork(options.channel ?? CHANNEL)
      .getContract(CHAINCODE)
      .newProposal(options.fn ?? FN, {
        arguments: [...(options.args ?? ARGS)],
        transientData: options.transient ?? { envelope: ENVELOPE, attestation: ATTESTATION },
      });
    const signed = gateway.ProposedTransaction.deserializeBinary(proposal.getBytes()).getProposal();
    assert.ok(signed);
    return { txId: proposal.getTransactionId(), bytes: signed.getProposalBytes_asU8() };
  } finally {
    fabric.close();
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const INTENDED: IntendedCall = { fn: FN, args: ARGS, transient: { envelope: ENVELOPE_TEXT } };

function assertRefused(action: () => unknown, reason: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof SigningRequestError, `expected a SigningRequestError, got ${String(error)}`);
    assert.equal(error.name, 'SigningRequestError');
    assert.equal(error.code, 'SIGNING_REQUEST_MISMATCH');
    assert.match(error.message, /^refusing to sign: /);
    assert.match(error.message, reason);
    return true;
  });
}

function serializedIdentity(mspId: string, certificatePem: string): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(new TextEncoder().encode(certificatePem));
  return identity.serializeBinary();
}

/** Decodes a proposal into its parts, so a test can change one and re-encode. */
function parts(bytes: Uint8Array) {
  const proposal = peer.Proposal.deserializeBinary(bytes);
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  return { proposal, header, channelHeader, signatureHeader, payload };
}

/** The proposal's timestamp, in milliseconds since the epoch. */
function timestampOf(bytes: Uint8Array): number {
  const at = timestampMillis(parts(bytes).channelHeader);
  assert.ok(at !== undefined);
  return at;
}

function reencode(p: ReturnType<typeof parts>): Uint8Array {
  p.header.setChannelHeader(p.channelHeader.serializeBinary());
  p.header.setSignatureHeader(p.signatureHeader.serializeBinary());
  p.proposal.setHeader(p.header.serializeBinary());
  p.proposal.setPayload(p.payload.serializeBinary());
  return p.proposal.serializeBinary();
}

/**
 * The payload of the transaction envelope the gateway would ask the device to
 * sign after endorsement, as Fabric assembles it (protoutil.CreateSignedTx): the
 * proposal's header, one action whose endorsed response payload carries the
 * proposal's hash, and the proposal payload without its transient data.
 */
function transactionPayload(
  proposalBytes: Uint8Array,
  options: { header?: Uint8Array; endorsedFor?: Uint8Array } = {},
): Uint8Array {
  const headerOf = (bytes: Uint8Array) => parts(bytes);
  const own = headerOf(proposalBytes);
  const endorsed = headerOf(options.endorsedFor ?? proposalBytes);
  const withoutTransient = new peer.ChaincodeProposalPayload();
  withoutTransient.setInput(endorsed.payload.getInput_asU8());
  const visiblePayload = withoutTransient.serializeBinary();
  const proposalHash = createHash('sha256')
    .update(endorsed.header.getChannelHeader_asU8())
    .update(endorsed.header.getSignatureHeader_asU8())
    .update(visiblePayload)
    .digest();
  const chaincodeAction = new peer.ChaincodeAction();
  const response = new peer.Response();
  response.setStatus(200);
  response.setPayload(new TextEncoder().encode('{"ok":true}'));
  chaincodeAction.setResponse(response);
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(proposalHash);
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(responsePayload.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(visiblePayload);
  actionPayload.setAction(endorsedAction);
  const action = new peer.TransactionAction();
  action.setHeader(endorsed.header.getSignatureHeader_asU8());
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  const payload = new common.Payload();
  payload.setHeader(options.header ? common.Header.deserializeBinary(options.header) : own.header);
  payload.setData(transaction.serializeBinary());
  return payload.serializeBinary();
}

/** The commit-status request fabric-gateway builds after submitting (SubmittedTransaction). */
function commitRequest(
  txId: string,
  options: { channel?: string; identity?: { mspId: string; certificatePem: string } } = {},
): Uint8Array {
  const identity = options.identity ?? USER;
  const request = new gateway.CommitStatusRequest();
  request.setChannelId(options.channel ?? CHANNEL);
  request.setTransactionId(txId);
  request.setIdentity(serializedIdentity(identity.mspId, identity.certificatePem));
  return request.serializeBinary();
}

describe('checkProposal', () => {
  it('accepts the exact call, with the transient data the device gave and the attestation', () => {
    const proposed = propose();
    const checked = checkProposal(b64(proposed.bytes), INTENDED, USER);
    assert.deepEqual(
      { txId: checked.txId, channel: checked.channel, chaincode: checked.chaincode },
      { txId: proposed.txId, channel: CHANNEL, chaincode: CHAINCODE },
    );
    assert.equal(checked.proposalHash.length, 32);
    assert.match(checked.txId, /^[0-9a-f]{64}$/);
  });

  it('accepts a call without transient data, or with only the gateway attestation', () => {
    const intended: IntendedCall = { fn: FN, args: ARGS, transient: {} };
    assert.equal(checkProposal(b64(propose({ transient: {} }).bytes), intended, USER).channel, CHANNEL);
    const attested = propose({ transient: { attestation: ATTESTATION } });
    assert.equal(checkProposal(b64(attested.bytes), intended, USER).txId, attested.txId);
  });

  it('accepts a call with no arguments', () => {
    const proposed = propose({ fn: 'registry:ListOrganisations', args: [], transient: {} });
    const intended: IntendedCall = { fn: 'registry:ListOrganisations', args: [], transient: {} };
    assert.equal(checkProposal(b64(proposed.bytes), intended, USER).txId, proposed.txId);
  });

  it('refuses another function name', () => {
    const proposed = propose({ fn: 'access:BreakGlass' });
    assertRefused(
      () => checkProposal(b64(proposed.bytes), INTENDED, USER),
      /it calls access:BreakGlass instead of transfer:SendRecord/,
    );
  });

  it('refuses other arguments: a changed value, an extra one, a missing one, another order', () => {
    const variants = [
      ['record-2', 'HospitalBMSP', 'user-b'],
      [...ARGS, 'extra'],
      ARGS.slice(0, 2),
      ['HospitalBMSP', 'record-1', 'user-b'],
      [...ARGS.slice(0, 2), 'user-b '],
    ];
    for (const args of variants) {
      assertRefused(
        () => checkProposal(b64(propose({ args }).bytes), INTENDED, USER),
        /the arguments of transfer:SendRecord differ from those requested/,
      );
    }
  });

  it('refuses a proposal in the name of another organisation or another certificate', () => {
    const otherMsp = propose({ identity: { mspId: 'HospitalBMSP', certificatePem: USER.certificatePem } });
    assertRefused(
      () => checkProposal(b64(otherMsp.bytes), INTENDED, USER),
      /the transaction is not in the name of this user/,
    );
    const otherCert = propose({ identity: { mspId: USER.mspId, certificatePem: OTHER_CERTIFICATE } });
    assertRefused(
      () => checkProposal(b64(otherCert.bytes), INTENDED, USER),
      /the transaction is not in the name of this user/,
    );
    // The same proposal is accepted by the identity it names.
    const other = { mspId: USER.mspId, certificatePem: OTHER_CERTIFICATE };
    assert.equal(checkProposal(b64(otherCert.bytes), INTENDED, other).txId, otherCert.txId);
  });

  it('refuses transient data the device did not supply', () => {
    const unexpected = propose({
      transient: { envelope: ENVELOPE, attestation: ATTESTATION, extra: ENVELOPE },
    });
    assertRefused(
      () => checkProposal(b64(unexpected.bytes), INTENDED, USER),
      /unexpected transient data extra/,
    );
    const envelopeAdded = propose({ transient: { envelope: ENVELOPE } });
    assertRefused(
      () => checkProposal(b64(envelopeAdded.bytes), { fn: FN, args: ARGS, transient: {} }, USER),
      /unexpected transient data envelope/,
    );
  });

  it('refuses a proposal that dropped or altered transient data the device supplied', () => {
    const dropped = propose({ transient: { attestation: ATTESTATION } });
    assertRefused(
      () => checkProposal(b64(dropped.bytes), INTENDED, USER),
      /the transient data envelope is not the one this device supplied/,
    );
    const altered = propose({ transient: { envelope: new TextEncoder().encode('{"cid":"bafz..."}') } });
    assertRefused(
      () => checkProposal(b64(altered.bytes), INTENDED, USER),
      /the transient data envelope is not the one this device supplied/,
    );
  });

  it('refuses another channel or chaincode than the device expects', () => {
    const proposed = propose({ channel: 'other-channel' });
    assertRefused(
      () => checkProposal(b64(proposed.bytes), { ...INTENDED, channel: CHANNEL }, USER),
      /it is for channel other-channel instead of medshare/,
    );
    assertRefused(
      () => checkProposal(b64(propose().bytes), { ...INTENDED, chaincode: 'other' }, USER),
      /it calls chaincode medshare instead of other/,
    );
  });

  it('refuses a proposal timestamped more than two minutes from the device clock, either way', () => {
    const proposed = propose();
    const at = timestampOf(proposed.bytes);
    for (const offset of [-MAX_CLOCK_SKEW_MS, 0, MAX_CLOCK_SKEW_MS]) {
      assert.equal(checkProposal(b64(proposed.bytes), INTENDED, USER, () => at + offset).txId, proposed.txId);
    }
    // The gateway backdates the proposal (or the device's clock is ahead), and the reverse.
    for (const offset of [MAX_CLOCK_SKEW_MS + 1_000, -(MAX_CLOCK_SKEW_MS + 1_000), 86_400_000]) {
      assertRefused(
        () => checkProposal(b64(proposed.bytes), INTENDED, USER, () => at + offset),
        /its timestamp is \d+ s from this device's clock \(at most 120 s\)/,
      );
    }
    const p = parts(proposed.bytes);
    p.channelHeader.clearTimestamp();
    assertRefused(() => checkProposal(b64(reencode(p)), INTENDED, USER), /the proposal has no timestamp/);
  });

  it('refuses a message that is not an endorser transaction', () => {
    const p = parts(propose().bytes);
    p.channelHeader.setType(common.HeaderType.CONFIG_UPDATE);
    assertRefused(() => checkProposal(b64(reencode(p)), INTENDED, USER), /not an endorser transaction/);
    // An empty message decodes to an empty proposal, whose header type is MESSAGE (0).
    assertRefused(() => checkProposal('', INTENDED, USER), /not an endorser transaction/);
  });

  it('refuses a proposal that names no chaincode', () => {
    const p = parts(propose().bytes);
    p.payload.setInput(new peer.ChaincodeInvocationSpec().serializeBinary());
    assertRefused(() => checkProposal(b64(reencode(p)), INTENDED, USER), /no chaincode named/);
  });

  it('refuses text that is not base64, and bytes that are not a proposal', () => {
    assertRefused(() => checkProposal('not base64!', INTENDED, USER), /the message is not base64/);
    assertRefused(() => checkProposal('AAA', INTENDED, USER), /the message is not base64/);
    assert.throws(
      () => checkProposal(b64(TRUNCATED), INTENDED, USER),
      (error: unknown) => {
        assert.ok(error instanceof SigningRequestError);
        assert.equal(error.code, 'SIGNING_REQUEST_MISMATCH');
        assert.equal(error.message, 'refusing to sign: the proposal cannot be decoded');
        assert.ok(error.cause instanceof Error, 'the decoding failure is kept as the cause');
        return true;
      },
    );
    assertRefused(() => checkProposal(b64(TEXT), INTENDED, USER), /./);
    // A commit-status request is not a proposal either.
    assertRefused(() => checkProposal(b64(commitRequest(propose().txId)), INTENDED, USER), /./);
  });
});

describe('checkTransaction', () => {
  const proposed = propose();
  const checked: CheckedProposal = checkProposal(b64(proposed.bytes), INTENDED, USER);

  it('accepts the transaction assembled from the proposal the device signed', () => {
    assert.doesNotThrow(() => {
      checkTransaction(b64(transactionPayload(proposed.bytes)), checked, USER);
    });
  });

  it('refuses the transaction of another proposal, even for the same call', () => {
    const another = propose();
    assert.notEqual(another.txId, proposed.txId);
    assertRefused(() => {
      checkTransaction(b64(transactionPayload(another.bytes)), checked, USER);
    }, /the transaction is not the one proposed/);
  });

  it('refuses a transaction on another channel', () => {
    const p = parts(proposed.bytes);
    p.channelHeader.setChannelId('other-channel');
    assertRefused(() => {
      checkTransaction(b64(transactionPayload(reencode(p))), checked, USER);
    }, /the transaction is not the one proposed/);
  });

  it('refuses a transaction whose header names another creator', () => {
    for (const identity of [
      { mspId: 'HospitalBMSP', certificatePem: USER.certificatePem },
      { mspId: USER.mspId, certificatePem: OTHER_CERTIFICATE },
    ]) {
      const p = parts(proposed.bytes);
      p.signatureHeader.setCreator(serializedIdentity(identity.mspId, identity.certificatePem));
      assertRefused(() => {
        checkTransaction(b64(transactionPayload(reencode(p))), checked, USER);
      }, /the transaction is not in the name of this user/);
    }
  });

  it('refuses a transaction whose proposal response payload is for another proposal', () => {
    const another = propose({ fn: 'access:BreakGlass' });
    const mixed = transactionPayload(proposed.bytes, { endorsedFor: another.bytes });
    assertRefused(() => {
      checkTransaction(b64(mixed), checked, USER);
    }, /the action is not in the name of the proposal/);
  });

  it('refuses endorsements of another proposal hash, and a second action', () => {
    const payload = common.Payload.deserializeBinary(transactionPayload(proposed.bytes));
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const [action] = transaction.getActionsList();
    assert.ok(action);
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    assert.ok(endorsed);
    const response = peer.ProposalResponsePayload.deserializeBinary(
      endorsed.getProposalResponsePayload_asU8(),
    );
    response.setProposalHash(createHash('sha256').update('another proposal').digest());
    endorsed.setProposalResponsePayload(response.serializeBinary());
    actionPayload.setAction(endorsed);
    const forged = peer.TransactionAction.deserializeBinary(action.serializeBinary());
    forged.setPayload(actionPayload.serializeBinary());
    transaction.setActionsList([forged]);
    payload.setData(transaction.serializeBinary());
    assertRefused(() => {
      checkTransaction(b64(payload.serializeBinary()), checked, USER);
    }, /the endorsements are for another proposal/);

    transaction.setActionsList([action, action]);
    payload.setData(transaction.serializeBinary());
    assertRefused(() => {
      checkTransaction(b64(payload.serializeBinary()), checked, USER);
    }, /exactly one action/);
  });

  it('refuses a payload without a header, and bytes that are not a payload', () => {
    const headless = new common.Payload();
    headless.setData(new Uint8Array([1, 2, 3]));
    assertRefused(() => {
      checkTransaction(b64(headless.serializeBinary()), checked, USER);
    }, /no header/);
    assertRefused(() => {
      checkTransaction('%%%%', checked, USER);
    }, /the message is not base64/);
    assertRefused(() => {
      checkTransaction(b64(TRUNCATED), checked, USER);
    }, /the transaction cannot be decoded/);
    assertRefused(() => {
      checkTransaction(b64(TEXT), checked, USER);
    }, /./);
  });

  it('refuses a proposal presented as the transaction (same nonce, so same txId, but another function)', () => {
    const p = parts(proposed.bytes);
    p.payload = parts(
      propose({ fn: 'access:BreakGlass', args: ['record-9', 'emergency'], transient: {} }).bytes,
    ).payload;
    const smuggled = reencode(p);
    // It is a well-formed proposal for another call, under the txId the device already agreed to.
    const asProposal = checkProposal(
      b64(smuggled),
      { fn: 'access:BreakGlass', args: ['record-9', 'emergency'], transient: {} },
      USER,
    );
    assert.equal(asProposal.txId, checked.txId);
    assertRefused(() => {
      checkTransaction(b64(smuggled), checked, USER);
    }, /refusing to sign/);
  });
});

describe('checkCommit', () => {
  const proposed = propose();
  const checked: CheckedProposal = checkProposal(b64(proposed.bytes), INTENDED, USER);

  it("accepts the commit-status request for the device's own transaction", () => {
    assert.doesNotThrow(() => {
      checkCommit(b64(commitRequest(proposed.txId)), checked, USER);
    });
  });

  it('refuses a request about another transaction or another channel', () => {
    assertRefused(() => {
      checkCommit(b64(commitRequest(propose().txId)), checked, USER);
    }, /the commit status request is for another transaction/);
    assertRefused(() => {
      checkCommit(b64(commitRequest(proposed.txId, { channel: 'other-channel' })), checked, USER);
    }, /the commit status request is for another transaction/);
    assertRefused(() => {
      checkCommit('', checked, USER);
    }, /the commit status request is for another transaction/);
  });

  it('refuses a request in the name of another identity', () => {
    for (const identity of [
      { mspId: 'HospitalBMSP', certificatePem: USER.certificatePem },
      { mspId: USER.mspId, certificatePem: OTHER_CERTIFICATE },
    ]) {
      assertRefused(() => {
        checkCommit(b64(commitRequest(proposed.txId, { identity })), checked, USER);
      }, /the transaction is not in the name of this user/);
    }
  });

  it('refuses text that is not base64 and bytes that are not a request', () => {
    assertRefused(() => {
      checkCommit('not base64', checked, USER);
    }, /the message is not base64/);
    assertRefused(() => {
      checkCommit(b64(TRUNCATED), checked, USER);
    }, /the commit request cannot be decoded/);
    assertRefused(() => {
      checkCommit(b64(TEXT), checked, USER);
    }, /./);
    // The proposal is not a commit-status request.
    assertRefused(() => {
      checkCommit(b64(proposed.bytes), checked, USER);
    }, /./);
  });
});
