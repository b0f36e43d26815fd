import { fromBase64, toBase64 } from '../envelope/bytes';
import type { TrustBundle } from '../trust/bundle';
import { ApiError, type GatewayClient } from './api-client';
import type { DeviceSigner } from './signer';
import { checkCommit, checkProposal, checkTransaction, type CheckedProposal } from './signing-request';

/** The channel and chaincode a device signs for, from its pinned trust bundle. */
export interface LedgerPins {
  channel: string;
  chaincode: string;
}

/** The pins of a trust bundle. */
export function pinsOf(bundle: Pick<TrustBundle, 'channel' | 'chaincode'>): LedgerPins {
  return { channel: bundle.channel, chaincode: bundle.chaincode };
}

/** The user's signing identity on their device. */
export interface LedgerIdentity {
  mspId: string;
  signer: DeviceSigner;
  /**
   * With a pinned trust bundle: every proposal must name this channel and
   * chaincode, or the device refuses to sign it (`SIGNING_REQUEST_MISMATCH`).
   */
  pins?: LedgerPins;
}

/** A finished ledger call. */
export interface LedgerResult {
  txId: string;
  /** The chaincode's answer (JSON text for queries and for functions that return something). */
  result: string;
  /** Set for committed transactions. */
  blockNumber?: string;
}

const CONFLICT_RETRIES = 3;
/** A conflict means another block is on its way to some peer: give it about a block's time. */
const CONFLICT_BACKOFF_MS = 300;

/**
 * Calls a chaincode function in the user's name: the gateway prepares each
 * message, the device checks it is the call it asked for and signs it. Only
 * a conflict (MVCC, or endorsers at different ledger heights) is retried,
 * after a short pause, with fresh messages and signatures.
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
      if (!(error instanceof ApiError) || error.code !== 'TX_CONFLICT' || attempt >= CONFLICT_RETRIES)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, CONFLICT_BACKOFF_MS * attempt));
    }
  }
}

async function callOnce(
  client: GatewayClient,
  identity: LedgerIdentity,
  fn: string,
  args: readonly string[],
  transient: { envelope: Record<string, unknown> } | undefined,
): Promise<LedgerResult> {
  const who = { mspId: identity.mspId, certificatePem: identity.signer.certificatePem };
  let answer = await client.prepare(fn, args, transient);
  let proposal: CheckedProposal | undefined;
  for (;;) {
    if (answer.stage === 'done') {
      return {
        txId: answer.txId,
        result: answer.result,
        ...(answer.blockNumber ? { blockNumber: answer.blockNumber } : {}),
      };
    }
    if (answer.stage === 'proposal') {
      proposal = checkProposal(
        answer.message,
        {
          fn,
          args,
          transient: transient ? { envelope: JSON.stringify(transient.envelope) } : {},
          ...identity.pins,
        },
        who,
      );
    } else if (!proposal) {
      throw new ApiError(502, 'SIGNING_OUT_OF_ORDER', 'the gateway skipped the proposal');
    } else if (answer.stage === 'transaction') {
      checkTransaction(answer.message, proposal, who);
    } else {
      checkCommit(answer.message, proposal, who);
    }
    const message = fromBase64(answer.message) ?? new Uint8Array();
    const signature = await identity.signer.sign(message);
    answer = await client.sign(answer.id, answer.stage, toBase64(signature));
  }
}

/** Parses a chaincode answer that is JSON. */
export function parseResult(result: LedgerResult): unknown {
  return JSON.parse(result.result);
}
