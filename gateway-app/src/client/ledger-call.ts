// The message modules only: the package's index also loads grpc-js, which has no place in a browser.
import * as proposalPb from '@hyperledger/fabric-protos/lib/peer/proposal_pb';
import * as proposalResponsePb from '@hyperledger/fabric-protos/lib/peer/proposal_response_pb';
import { fromBase64, toBase64 } from '../envelope/bytes';
import type { TrustBundle } from '../trust/bundle';
import { ApiError, type GatewayClient } from './api-client';
import { committedBlockOf } from './commit-proof';
import {
  requireReadPolicy,
  UnverifiedAnswerError,
  verifyEndorsements,
  type UnverifiedCode,
  type VerifiedResponse,
} from './endorsement-check';
import { commitPolicyOf, endorsersFor, isRead, readPolicyOf, type ReadPolicy } from './read-policy';
import type { DeviceSigner } from './signer';
import {
  checkCommit,
  checkProposal,
  checkTransaction,
  endorsedActionOf,
  type CheckedProposal,
  type EndorsedAction,
  type IntendedCall,
} from './signing-request';

/** The channel and chaincode a device signs for, from its pinned trust bundle. */
export interface LedgerPins {
  channel: string;
  chaincode: string;
}

/** The pins of a trust bundle. */
export function pinsOf(bundle: Pick<TrustBundle, 'channel' | 'chaincode'>): LedgerPins {
  return { channel: bundle.channel, chaincode: bundle.chaincode };
}

/** The user's signing identity on their device, and the trust anchors it pinned at enrolment. */
export interface LedgerIdentity {
  mspId: string;
  signer: DeviceSigner;
  /**
   * The consortium's trust bundle, pinned at enrolment: every proposal must
   * name its channel and chaincode or the device refuses to sign it
   * (`SIGNING_REQUEST_MISMATCH`), and every answer and commit must be
   * endorsed by peers its CA roots certify (`ANSWER_UNVERIFIED`,
   * `COMMIT_UNVERIFIED`).
   */
  trust: TrustBundle;
}

/** A finished ledger call, every part of it verified by the device. */
export interface LedgerResult {
  txId: string;
  /** The chaincode's answer as the peers signed it (JSON text for queries and for functions that return something). */
  result: string;
  /** Set for committed transactions: the block that holds it, as peers of two organisations endorsed it. */
  blockNumber?: string;
  /** The organisations whose peers endorsed the answer (a read) or the commit proof (a transaction). */
  endorsedBy: string[];
}

const CONFLICT_RETRIES = 3;
/**
 * A read endorsed by two organisations' peers fails while one of them has not
 * yet committed the latest block (their answers differ); it is cheap to ask
 * again, so reads wait a little longer for the slower peer to catch up.
 */
const READ_CONFLICT_RETRIES = 5;
/** A conflict means another block is on its way to some peer: give it about a block's time. */
const CONFLICT_BACKOFF_MS = 300;
/**
 * How long the device asks for its commit proof: the second organisation's
 * peer may commit the block a moment after the gateway's own peer did.
 */
const PROOF_ATTEMPTS = 8;
const PROOF_BACKOFF_MS = 250;
/** Fabric's query system chaincode, which serves blocks by transaction id. */
const QSCC_BLOCK_BY_TX = 'qscc:GetBlockByTxID';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls a chaincode function in the user's name: the gateway prepares each
 * message, the device checks it is the call it asked for and signs it. A read
 * is endorsed by the peers of its read policy and never submitted; the device
 * believes the answer only once it has verified their signatures against its
 * pinned trust anchors. A transaction is reported done only once peers of two
 * organisations have endorsed the block that holds it as valid. Only a
 * conflict (MVCC, or endorsers at different ledger heights) is retried, after
 * a short pause, with fresh messages and signatures.
 */
export async function callLedger(
  client: GatewayClient,
  identity: LedgerIdentity,
  fn: string,
  args: readonly string[],
  transient?: { envelope: Record<string, unknown> },
): Promise<LedgerResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(client, identity, fn, args, transient);
    } catch (error) {
      const retries = isRead(fn) ? READ_CONFLICT_RETRIES : CONFLICT_RETRIES;
      if (!(error instanceof ApiError) || error.code !== 'TX_CONFLICT' || attempt >= retries) throw error;
      await sleep(CONFLICT_BACKOFF_MS * attempt);
    }
  }
}

/** What one round of signing saw: the proposal the device signed, and the transaction it signed after. */
interface Signed {
  txId: string;
  proposal: CheckedProposal;
  /** For a read: the endorsed answers the gateway handed back. */
  proofs?: Uint8Array[];
  /** For a transaction: the payload the device signed, and what peers endorsed in it. */
  transaction?: { payload: Uint8Array; action: EndorsedAction };
  /** What the gateway said the outcome was: checked against the proof, never used. */
  claimed: { result: string; blockNumber?: string };
}

/**
 * Takes a call through the gateway's signing stages, checking each message
 * before signing it, until the gateway says it is done. What the gateway says
 * in its last answer is not used: only what the device signed and the proof.
 */
async function signThrough(
  client: GatewayClient,
  identity: LedgerIdentity,
  call: { fn: string; args: readonly string[]; endorsers?: readonly string[] },
  intended: IntendedCall,
  transient: { envelope: Record<string, unknown> } | undefined,
): Promise<Signed> {
  const who = { mspId: identity.mspId, certificatePem: identity.signer.certificatePem };
  let answer = await client.prepare(call.fn, call.args, { transient, endorsers: call.endorsers });
  let proposal: CheckedProposal | undefined;
  let transaction: Signed['transaction'];
  for (;;) {
    if (answer.stage === 'done') {
      if (!proposal) throw new ApiError(502, 'SIGNING_OUT_OF_ORDER', 'the gateway skipped the proposal');
      const proofs = answer.proofs?.map((p) => fromBase64(p) ?? new Uint8Array());
      return {
        txId: proposal.txId,
        proposal,
        claimed: {
          result: answer.result,
          ...(answer.blockNumber ? { blockNumber: answer.blockNumber } : {}),
        },
        ...(proofs ? { proofs } : {}),
        ...(transaction ? { transaction } : {}),
      };
    }
    if (answer.stage === 'proposal') {
      proposal = checkProposal(answer.message, intended, who);
    } else if (!proposal) {
      throw new ApiError(502, 'SIGNING_OUT_OF_ORDER', 'the gateway skipped the proposal');
    } else if (answer.stage === 'transaction') {
      const action = checkTransaction(answer.message, proposal, who);
      transaction = { payload: fromBase64(answer.message) ?? new Uint8Array(), action };
    } else {
      checkCommit(answer.message, proposal, who);
    }
    const message = fromBase64(answer.message) ?? new Uint8Array();
    const signature = await identity.signer.sign(message);
    answer = await client.sign(answer.id, answer.stage, toBase64(signature));
  }
}

function unverified(code: UnverifiedCode, message: string, cause?: unknown): UnverifiedAnswerError {
  return new UnverifiedAnswerError(code, message, cause === undefined ? undefined : { cause });
}

/** A read's answers, each endorsed by peers the device verified, together satisfying its policy. */
interface VerifiedRead {
  txId: string;
  /** One per proof the gateway handed back: all endorsers' answer, or each organisation's. */
  responses: VerifiedResponse[];
  endorsedBy: string[];
  /** What the gateway said the answer was. */
  claimed: string;
}

/**
 * Reads through the gateway and verifies the answer: endorsed by peers that
 * together satisfy `policy`, for the very proposal the device signed.
 */
async function verifiedRead(
  client: GatewayClient,
  identity: LedgerIdentity,
  call: { fn: string; args: readonly string[] },
  intended: IntendedCall,
  policy: ReadPolicy,
): Promise<VerifiedRead> {
  const who = { mspId: identity.mspId, certificatePem: identity.signer.certificatePem };
  const signed = await signThrough(
    client,
    identity,
    { ...call, endorsers: endorsersFor(policy, identity.trust) },
    intended,
    undefined,
  );
  const proofs = signed.proofs ?? [];
  if (proofs.length === 0)
    throw unverified('ANSWER_UNVERIFIED', 'refusing the answer: it carries no endorsements');
  const responses: VerifiedResponse[] = [];
  for (const proof of proofs) {
    let action: EndorsedAction;
    try {
      action = endorsedActionOf(proof, signed.proposal, who);
    } catch (error) {
      throw unverified(
        'ANSWER_UNVERIFIED',
        'refusing the answer: it is not bound to the proposal this device signed',
        error,
      );
    }
    const response = await verifyEndorsements(action, identity.trust, signed.proposal.chaincode);
    if (response.status >= 400) {
      throw unverified('ANSWER_UNVERIFIED', `refusing the answer: the endorsed status is ${response.status}`);
    }
    responses.push(response);
  }
  const endorsedBy = [...new Set(responses.flatMap((r) => r.endorsedBy))].sort();
  requireReadPolicy(endorsedBy, policy);
  return { txId: signed.txId, responses, endorsedBy, claimed: signed.claimed.result };
}

/** The one answer of a chaincode read: every proof must say the same. */
function agreedAnswer(read: VerifiedRead): Uint8Array {
  const [first, ...rest] = read.responses;
  if (!first || rest.some((r) => !sameBytes(r.payload, first.payload))) {
    throw unverified('ANSWER_UNVERIFIED', 'refusing the answer: the endorsing peers answered differently');
  }
  return first.payload;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Proves a transaction committed as valid: asks peers of the commit policy
 * for the block that holds it and finds it there, VALID, by the payload the
 * device signed. Retries while the second organisation's peer has not yet
 * committed the block.
 */
async function proveCommit(
  client: GatewayClient,
  identity: LedgerIdentity,
  signed: Signed,
): Promise<{ blockNumber: string; endorsedBy: string[] }> {
  const transaction =
    signed.transaction ??
    (() => {
      throw unverified(
        'COMMIT_UNVERIFIED',
        'not reporting the transaction as done: the gateway never presented it for signing',
      );
    })();
  const args = [signed.proposal.channel, signed.txId];
  const [, qsccFn = ''] = QSCC_BLOCK_BY_TX.split(':');
  const intended: IntendedCall = {
    fn: qsccFn,
    args,
    transient: {},
    channel: identity.trust.channel,
    chaincode: 'qscc',
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const read = await verifiedRead(
        client,
        identity,
        { fn: QSCC_BLOCK_BY_TX, args },
        intended,
        commitPolicyOf(identity.mspId, identity.trust),
      );
      // Each organisation's copy of the block: the same number, and the transaction VALID in each.
      const numbers = new Set(read.responses.map((r) => committedBlockOf(r.payload, transaction.payload)));
      const [blockNumber] = numbers;
      if (numbers.size !== 1 || blockNumber === undefined) {
        throw unverified(
          'COMMIT_UNVERIFIED',
          'not reporting the transaction as done: the peers name different blocks',
        );
      }
      return { blockNumber, endorsedBy: read.endorsedBy };
    } catch (error) {
      if (error instanceof UnverifiedAnswerError && error.code === 'COMMIT_UNVERIFIED') throw error;
      // Not yet on every peer asked (or the gateway will not say): ask again, then give up.
      const retryable = error instanceof ApiError && error.status >= 404;
      if (!retryable || attempt >= PROOF_ATTEMPTS) {
        throw unverified(
          'COMMIT_UNVERIFIED',
          `not reporting the transaction as done: no verified proof that ${signed.txId} committed (${error instanceof Error ? error.message : String(error)})`,
          error,
        );
      }
      await sleep(PROOF_BACKOFF_MS * attempt);
    }
  }
}

/** The chaincode's answer in a transaction the device signed, as its endorsers signed it. */
function endorsedResult(action: EndorsedAction): string {
  const payload = proposalResponsePb.ProposalResponsePayload.deserializeBinary(action.responsePayload);
  const chaincodeAction = proposalPb.ChaincodeAction.deserializeBinary(payload.getExtension_asU8());
  return decoder.decode(chaincodeAction.getResponse()?.getPayload_asU8() ?? new Uint8Array());
}

const decoder = new TextDecoder();

async function callOnce(
  client: GatewayClient,
  identity: LedgerIdentity,
  fn: string,
  args: readonly string[],
  transient: { envelope: Record<string, unknown> } | undefined,
): Promise<LedgerResult> {
  const intended: IntendedCall = {
    fn,
    args,
    transient: transient ? { envelope: JSON.stringify(transient.envelope) } : {},
    ...pinsOf(identity.trust),
  };
  if (isRead(fn)) {
    const policy = readPolicyOf(fn, args, identity.mspId, identity.trust);
    const read = await verifiedRead(client, identity, { fn, args }, intended, policy);
    const result = decoder.decode(agreedAnswer(read));
    requireSameAnswer(read.claimed, result, 'ANSWER_UNVERIFIED');
    return { txId: read.txId, result, endorsedBy: read.endorsedBy };
  }
  const signed = await signThrough(client, identity, { fn, args }, intended, transient);
  const { blockNumber, endorsedBy } = await proveCommit(client, identity, signed);
  // The transaction is VALID in a block peers endorsed: its endorsements met the chaincode's policy.
  const result = signed.transaction ? endorsedResult(signed.transaction.action) : '';
  requireSameAnswer(signed.claimed.result, result, 'ANSWER_UNVERIFIED');
  if (signed.claimed.blockNumber !== undefined && signed.claimed.blockNumber !== blockNumber) {
    throw unverified(
      'COMMIT_UNVERIFIED',
      `the gateway named block ${signed.claimed.blockNumber}; the peers' proof names block ${blockNumber}`,
    );
  }
  return { txId: signed.txId, result, blockNumber, endorsedBy };
}

/**
 * A gateway whose own account of the answer differs from what the peers
 * signed is lying or broken: the call is refused rather than quietly
 * corrected, so that the user learns of it.
 */
function requireSameAnswer(claimed: string, verified: string, code: UnverifiedCode): void {
  if (claimed !== verified) {
    throw unverified(
      code,
      'refusing the answer: the gateway reported an answer other than the one the peers signed',
    );
  }
}

/** Parses a chaincode answer that is JSON. */
export function parseResult(result: LedgerResult): unknown {
  return JSON.parse(result.result);
}
