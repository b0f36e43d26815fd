// The message modules only: the package's index also loads grpc-js, which has no place in a browser.
import * as common from '@hyperledger/fabric-protos/lib/common/common_pb';
import * as gateway from '@hyperledger/fabric-protos/lib/gateway/gateway_pb';
import * as msp from '@hyperledger/fabric-protos/lib/msp/identities_pb';
import * as chaincodePb from '@hyperledger/fabric-protos/lib/peer/chaincode_pb';
import * as proposalPb from '@hyperledger/fabric-protos/lib/peer/proposal_pb';
import * as proposalResponsePb from '@hyperledger/fabric-protos/lib/peer/proposal_response_pb';
import * as transactionPb from '@hyperledger/fabric-protos/lib/peer/transaction_pb';
import { sha256 } from '@noble/hashes/sha2';
import { fromBase64 } from '../envelope/bytes';

/** The three messages a user signs for one Fabric transaction, in order. */
export type SigningStage = 'proposal' | 'transaction' | 'commit';

/** What the device asked the gateway to prepare: checked against the bytes before signing. */
export interface IntendedCall {
  /** `contract:Function`, as the chaincode names it. */
  fn: string;
  args: readonly string[];
  /**
   * The transient data the device supplied, as the exact text the gateway must
   * pass on (`JSON.stringify` of what was sent); the gateway may add only
   * `attestation`, which is its own word.
   */
  transient: Readonly<Record<string, string>>;
  /** The channel and chaincode the device expects (the gateway's, from its first answer or configuration). */
  channel?: string;
  chaincode?: string;
}

/** Raised when the gateway asks the device to sign something other than what it asked for. */
export class SigningRequestError extends Error {
  override readonly name = 'SigningRequestError';
  readonly code = 'SIGNING_REQUEST_MISMATCH';
}

/** What the device learned from a proposal it agreed to sign: what binds the later stages to it. */
export interface CheckedProposal {
  txId: string;
  channel: string;
  chaincode: string;
  /** The proposal's serialised channel and signature headers, which the transaction must reuse. */
  channelHeader: Uint8Array;
  signatureHeader: Uint8Array;
  /** The chaincode invocation (ChaincodeInvocationSpec bytes). */
  input: Uint8Array;
  /** Fabric's proposal hash, which every endorsement of this proposal carries. */
  proposalHash: Uint8Array;
}

const GATEWAY_ADDED_TRANSIENT = ['attestation'];

/**
 * How far a proposal's timestamp may be from the device's clock. The chaincode
 * takes every time it records (an access, a grant's start, an expiry check)
 * from the proposal, so a gateway that chose it could backdate an action or
 * revive an expired grant; two minutes allows clocks kept by NTP and a slow
 * round trip, and nothing more.
 */
export const MAX_CLOCK_SKEW_MS = 120_000;

function fail(message: string): never {
  throw new SigningRequestError(`refusing to sign: ${message}`);
}

function decodeBase64(message: string): Uint8Array {
  return fromBase64(message) ?? fail('the message is not base64');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function requireCreator(creatorBytes: Uint8Array, mspId: string, certificatePem: string): void {
  const creator = msp.SerializedIdentity.deserializeBinary(creatorBytes);
  const expected = new TextEncoder().encode(certificatePem);
  if (creator.getMspid() !== mspId || !sameBytes(creator.getIdBytes_asU8(), expected)) {
    fail('the transaction is not in the name of this user');
  }
}

/**
 * Decodes a proposal the gateway prepared and checks it is the call the device
 * asked for, in the user's name: function, arguments and transient keys, and a
 * timestamp within {@link MAX_CLOCK_SKEW_MS} of the device's clock (`now`).
 * Only then does the device sign it; a gateway cannot obtain a signature for
 * anything else, or for another time.
 */
export function checkProposal(
  messageBase64: string,
  intended: IntendedCall,
  identity: { mspId: string; certificatePem: string },
  now: () => number = Date.now,
): CheckedProposal {
  try {
    const proposal = proposalPb.Proposal.deserializeBinary(decodeBase64(messageBase64));
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION)
      fail('not an endorser transaction');
    requireTimeNear(channelHeader, now());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    requireCreator(signatureHeader.getCreator_asU8(), identity.mspId, identity.certificatePem);
    const payload = proposalPb.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const spec = chaincodePb.ChaincodeInvocationSpec.deserializeBinary(
      payload.getInput_asU8(),
    ).getChaincodeSpec();
    const chaincode = spec?.getChaincodeId()?.getName() ?? fail('no chaincode named');
    if (intended.chaincode !== undefined && chaincode !== intended.chaincode) {
      fail(`it calls chaincode ${chaincode} instead of ${intended.chaincode}`);
    }
    if (intended.channel !== undefined && channelHeader.getChannelId() !== intended.channel) {
      fail(`it is for channel ${channelHeader.getChannelId()} instead of ${intended.channel}`);
    }
    const [fn, ...args] = (spec?.getInput()?.getArgsList_asU8() ?? []).map((a) =>
      new TextDecoder().decode(a),
    );
    if (fn !== intended.fn) fail(`it calls ${fn ?? '(nothing)'} instead of ${intended.fn}`);
    if (args.length !== intended.args.length || args.some((a, i) => a !== intended.args[i])) {
      fail(`the arguments of ${fn} differ from those requested`);
    }
    const transient = new Map<string, Uint8Array | string>(payload.toObject().transientmapMap);
    for (const key of transient.keys()) {
      if (!Object.hasOwn(intended.transient, key) && !GATEWAY_ADDED_TRANSIENT.includes(key)) {
        fail(`unexpected transient data ${key}`);
      }
    }
    for (const [key, text] of Object.entries(intended.transient)) {
      const value = transient.get(key);
      const bytes = typeof value === 'string' ? fromBase64(value) : value;
      if (bytes === undefined || !sameBytes(bytes, new TextEncoder().encode(text))) {
        fail(`the transient data ${key} is not the one this device supplied`);
      }
    }
    return {
      txId: channelHeader.getTxId(),
      channel: channelHeader.getChannelId(),
      chaincode,
      channelHeader: header.getChannelHeader_asU8(),
      signatureHeader: header.getSignatureHeader_asU8(),
      input: payload.getInput_asU8(),
      proposalHash: proposalHash(header, payload.getInput_asU8()),
    };
  } catch (error) {
    if (error instanceof SigningRequestError) throw error;
    throw new SigningRequestError('refusing to sign: the proposal cannot be decoded', { cause: error });
  }
}

/** google.protobuf.Timestamp, whose type declarations (@types/google-protobuf) the gateway does not load. */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

/** A channel header's timestamp in milliseconds since the epoch, if it has one. */
export function timestampMillis(channelHeader: common.ChannelHeader): number | undefined {
  const timestamp = channelHeader.getTimestamp() as unknown as ProtoTimestamp | undefined;
  return timestamp && timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6);
}

function requireTimeNear(channelHeader: common.ChannelHeader, now: number): void {
  const at = timestampMillis(channelHeader) ?? fail('the proposal has no timestamp');
  const skew = Math.abs(at - now);
  if (skew > MAX_CLOCK_SKEW_MS) {
    fail(
      `its timestamp is ${Math.round(skew / 1000)} s from this device's clock (at most ${MAX_CLOCK_SKEW_MS / 1000} s)`,
    );
  }
}

/**
 * Fabric's proposal hash (protoutil.GetProposalHash1): SHA-256 over the channel
 * header, the signature header and the proposal payload without its transient
 * data. Endorsements carry it, so it ties a transaction to one proposal.
 */
function proposalHash(header: common.Header, input: Uint8Array): Uint8Array {
  const visible = new proposalPb.ChaincodeProposalPayload();
  visible.setInput(input);
  const parts = [header.getChannelHeader_asU8(), header.getSignatureHeader_asU8(), visible.serializeBinary()];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return sha256(all);
}

/** One peer's endorsement: who signed, and its signature over the response payload and its identity. */
export interface EndorsementOf {
  /** The endorser's serialised identity (msp.SerializedIdentity bytes), as signed. */
  endorser: Uint8Array;
  signature: Uint8Array;
}

/** What peers endorsed for a proposal the device signed: the response payload and its signatures. */
export interface EndorsedAction {
  /** The ProposalResponsePayload bytes every endorsement signs. */
  responsePayload: Uint8Array;
  endorsements: EndorsementOf[];
}

/**
 * Checks a prepared transaction is the endorsed form of the proposal the
 * device signed, and nothing else: the same headers, one action whose
 * invocation is the proposal's, endorsed for the proposal's hash. Without
 * this a gateway could present other bytes with the same transaction id.
 * Returns what the peers endorsed, for the device to verify their signatures.
 */
export function checkTransaction(
  messageBase64: string,
  proposal: CheckedProposal,
  identity: { mspId: string; certificatePem: string },
): EndorsedAction {
  try {
    return endorsedActionOf(decodeBase64(messageBase64), proposal, identity);
  } catch (error) {
    if (error instanceof SigningRequestError) throw error;
    throw new SigningRequestError('refusing to sign: the transaction cannot be decoded', { cause: error });
  }
}

/**
 * Decodes a transaction payload (common.Payload) and checks it is the endorsed
 * form of `proposal`; throws {@link SigningRequestError} (or a decoding error)
 * otherwise. Shared by the transaction the device signs and the endorsed
 * answer to a read, which is never submitted.
 */
export function endorsedActionOf(
  payloadBytes: Uint8Array,
  proposal: CheckedProposal,
  identity: { mspId: string; certificatePem: string },
): EndorsedAction {
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader() ?? fail('no header');
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  if (channelHeader.getTxId() !== proposal.txId || channelHeader.getChannelId() !== proposal.channel) {
    fail('the transaction is not the one proposed');
  }
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  requireCreator(signatureHeader.getCreator_asU8(), identity.mspId, identity.certificatePem);
  if (
    !sameBytes(header.getChannelHeader_asU8(), proposal.channelHeader) ||
    !sameBytes(header.getSignatureHeader_asU8(), proposal.signatureHeader)
  ) {
    fail('the transaction headers are not those of the proposal');
  }
  const actions = transactionPb.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
  const [action] = actions;
  if (actions.length !== 1 || !action) fail('the transaction must hold exactly one action');
  if (!sameBytes(action.getHeader_asU8(), proposal.signatureHeader)) {
    fail('the action is not in the name of the proposal');
  }
  const actionPayload = transactionPb.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const invocation = proposalPb.ChaincodeProposalPayload.deserializeBinary(
    actionPayload.getChaincodeProposalPayload_asU8(),
  );
  if (!sameBytes(invocation.getInput_asU8(), proposal.input)) {
    fail('the transaction invokes something other than the proposal');
  }
  const endorsed = actionPayload.getAction() ?? fail('no endorsed action');
  const responsePayload = endorsed.getProposalResponsePayload_asU8();
  const response = proposalResponsePb.ProposalResponsePayload.deserializeBinary(responsePayload);
  if (!sameBytes(response.getProposalHash_asU8(), proposal.proposalHash)) {
    fail('the endorsements are for another proposal');
  }
  return {
    responsePayload,
    endorsements: endorsed.getEndorsementsList().map((e) => ({
      endorser: e.getEndorser_asU8(),
      signature: e.getSignature_asU8(),
    })),
  };
}

/** Checks a commit-status request asks about the device's own transaction. */
export function checkCommit(
  messageBase64: string,
  proposal: CheckedProposal,
  identity: { mspId: string; certificatePem: string },
): void {
  try {
    const request = gateway.CommitStatusRequest.deserializeBinary(decodeBase64(messageBase64));
    if (request.getTransactionId() !== proposal.txId || request.getChannelId() !== proposal.channel) {
      fail('the commit status request is for another transaction');
    }
    requireCreator(request.getIdentity_asU8(), identity.mspId, identity.certificatePem);
  } catch (error) {
    if (error instanceof SigningRequestError) throw error;
    throw new SigningRequestError('refusing to sign: the commit request cannot be decoded', { cause: error });
  }
}
