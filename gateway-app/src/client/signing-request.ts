import { common, gateway, msp, peer } from '@hyperledger/fabric-protos';
import { fromBase64 } from '../envelope/bytes';

/** The three messages a user signs for one Fabric transaction, in order. */
export type SigningStage = 'proposal' | 'transaction' | 'commit';

/** What the device asked the gateway to prepare: checked against the bytes before signing. */
export interface IntendedCall {
  /** `contract:Function`, as the chaincode names it. */
  fn: string;
  args: readonly string[];
  /** Transient keys the device supplied; the gateway may add only `attestation`. */
  transientKeys: readonly string[];
}

/** Raised when the gateway asks the device to sign something other than what it asked for. */
export class SigningRequestError extends Error {
  override readonly name = 'SigningRequestError';
  readonly code = 'SIGNING_REQUEST_MISMATCH';
}

/** What the device learned from a proposal it agreed to sign. */
export interface CheckedProposal {
  txId: string;
  channel: string;
  chaincode: string;
}

const GATEWAY_ADDED_TRANSIENT = ['attestation'];

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
 * asked for, in the user's name: function, arguments and transient keys. Only
 * then does the device sign it; a gateway cannot obtain a signature for
 * anything else.
 */
export function checkProposal(
  messageBase64: string,
  intended: IntendedCall,
  identity: { mspId: string; certificatePem: string },
): CheckedProposal {
  try {
    const proposal = peer.Proposal.deserializeBinary(decodeBase64(messageBase64));
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION)
      fail('not an endorser transaction');
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    requireCreator(signatureHeader.getCreator_asU8(), identity.mspId, identity.certificatePem);
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
    const chaincode = spec?.getChaincodeId()?.getName() ?? fail('no chaincode named');
    const [fn, ...args] = (spec?.getInput()?.getArgsList_asU8() ?? []).map((a) =>
      new TextDecoder().decode(a),
    );
    if (fn !== intended.fn) fail(`it calls ${fn ?? '(nothing)'} instead of ${intended.fn}`);
    if (args.length !== intended.args.length || args.some((a, i) => a !== intended.args[i])) {
      fail(`the arguments of ${fn} differ from those requested`);
    }
    const allowed = new Set([...intended.transientKeys, ...GATEWAY_ADDED_TRANSIENT]);
    const transientKeys = payload.toObject().transientmapMap.map(([key]) => key);
    for (const key of transientKeys) {
      if (!allowed.has(key)) fail(`unexpected transient data ${key}`);
    }
    return { txId: channelHeader.getTxId(), channel: channelHeader.getChannelId(), chaincode };
  } catch (error) {
    if (error instanceof SigningRequestError) throw error;
    throw new SigningRequestError('refusing to sign: the proposal cannot be decoded', { cause: error });
  }
}

/** Checks a prepared transaction's payload belongs to the proposal the device signed. */
export function checkTransaction(
  messageBase64: string,
  proposal: CheckedProposal,
  identity: { mspId: string; certificatePem: string },
): void {
  try {
    const payload = common.Payload.deserializeBinary(decodeBase64(messageBase64));
    const header = payload.getHeader() ?? fail('no header');
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (channelHeader.getTxId() !== proposal.txId || channelHeader.getChannelId() !== proposal.channel) {
      fail('the transaction is not the one proposed');
    }
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    requireCreator(signatureHeader.getCreator_asU8(), identity.mspId, identity.certificatePem);
  } catch (error) {
    if (error instanceof SigningRequestError) throw error;
    throw new SigningRequestError('refusing to sign: the transaction cannot be decoded', { cause: error });
  }
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
