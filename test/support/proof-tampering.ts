import { common, msp, peer } from '@hyperledger/fabric-protos';

/**
 * What a hostile gateway can do to the endorsed answer (a transaction
 * payload, base64) it hands the device: change the answer inside it, drop or
 * spoil endorsements. It holds no peer's key, so it cannot sign anew.
 */
interface Opened {
  payload: common.Payload;
  transaction: peer.Transaction;
  action: peer.TransactionAction;
  actionPayload: peer.ChaincodeActionPayload;
  endorsed: peer.ChaincodeEndorsedAction;
}

function open(proof: string): Opened {
  const payload = common.Payload.deserializeBinary(Buffer.from(proof, 'base64'));
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const [action] = transaction.getActionsList();
  if (!action) throw new Error('the proof holds no action');
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction();
  if (!endorsed) throw new Error('the proof holds no endorsed action');
  return { payload, transaction, action, actionPayload, endorsed };
}

function seal(opened: Opened): string {
  opened.actionPayload.setAction(opened.endorsed);
  opened.action.setPayload(opened.actionPayload.serializeBinary());
  opened.transaction.setActionsList([opened.action]);
  opened.payload.setData(opened.transaction.serializeBinary());
  return Buffer.from(opened.payload.serializeBinary()).toString('base64');
}

/** The chaincode's answer in a proof, as text. */
export function answerOf(proof: string): string {
  const prp = peer.ProposalResponsePayload.deserializeBinary(
    open(proof).endorsed.getProposalResponsePayload_asU8(),
  );
  const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  return Buffer.from(action.getResponse()?.getPayload_asU8() ?? new Uint8Array()).toString('utf8');
}

/** Rewrites the answer inside the proof, keeping the peers' signatures (of the real answer). */
export function rewriteAnswer(proof: string, edit: (answer: string) => string): string {
  const opened = open(proof);
  const prp = peer.ProposalResponsePayload.deserializeBinary(
    opened.endorsed.getProposalResponsePayload_asU8(),
  );
  const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const response = action.getResponse() ?? new peer.Response();
  response.setPayload(Buffer.from(edit(Buffer.from(response.getPayload_asU8()).toString('utf8')), 'utf8'));
  action.setResponse(response);
  prp.setExtension$(action.serializeBinary());
  opened.endorsed.setProposalResponsePayload(prp.serializeBinary());
  return seal(opened);
}

/** The MSP ids of the proof's endorsers, in order. */
export function endorsersOf(proof: string): string[] {
  return open(proof)
    .endorsed.getEndorsementsList()
    .map((e) => msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid());
}

/** Keeps only the endorsements `keep` picks. */
export function dropEndorsements(proof: string, keep: (mspId: string) => boolean): string {
  const opened = open(proof);
  opened.endorsed.setEndorsementsList(
    opened.endorsed
      .getEndorsementsList()
      .filter((e) => keep(msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid())),
  );
  return seal(opened);
}

/** Flips one bit of the first endorsement's signature: a forgery that is still well-formed DER. */
export function forgeSignature(proof: string): string {
  const opened = open(proof);
  const [first, ...rest] = opened.endorsed.getEndorsementsList();
  if (!first) throw new Error('the proof holds no endorsement');
  const signature = new Uint8Array(first.getSignature_asU8());
  // The last byte of S, inside the DER structure.
  signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 0x01;
  first.setSignature(signature);
  opened.endorsed.setEndorsementsList([first, ...rest]);
  return seal(opened);
}
