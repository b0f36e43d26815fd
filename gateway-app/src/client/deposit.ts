import { canonicalJson } from 'medshare-chaincode/dist/json';
import type { EnvelopeInput, EnvelopeParties, EnvelopeRecord } from 'medshare-chaincode';
import { toHex } from '../envelope/bytes';
import { ApiError, type GatewayClient } from './api-client';
import { callLedger, type LedgerIdentity, type LedgerResult } from './ledger-call';

/**
 * An envelope as this device deposits it: the whole record in canonical JSON,
 * whose SHA-256 the public record then names (the chaincode refuses any other
 * form, so the hash the peers hold is the one computed here).
 */
export interface Deposit {
  envelope: Record<string, unknown>;
  hash: string;
}

/** The deposit of `input` for `parties`. */
export async function envelopeDeposit(input: EnvelopeInput, parties: EnvelopeParties): Promise<Deposit> {
  const record: EnvelopeRecord = { docType: 'envelope', ...parties, ...input };
  const text = canonicalJson(record);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  // Parsed back from the canonical text, so the gateway's JSON of it is that text again.
  return { envelope: JSON.parse(text) as Record<string, unknown>, hash: toHex(new Uint8Array(digest)) };
}

/** The chaincode's refusal of a record whose deposit it does not see (yet). */
const NOT_YET_DEPOSITED = /no envelope of record \S+ for \S+ is deposited/;
const RECORD_ATTEMPTS = 6;
const RECORD_BACKOFF_MS = 250;

/** A two-step ledger write: which function deposits, and which records. */
export interface DepositSteps {
  /**
   * The deposit function, its arguments (the record and reader ids), and the
   * kind of envelope it deposits (`share-<holder id>` for an emergency key share).
   */
  deposit: { fn: string; args: [recordId: string, readerId: string]; kind?: 'record' | `share-${string}` };
  /** The recording function and its arguments before the envelope's hash, which is appended. */
  record: { fn: string; args: readonly string[] };
}

/**
 * Deposits an envelope, then writes the public record that names it (see the
 * chaincode's envelopes.ts for why these are two transactions). When the
 * record fails, the deposit is withdrawn before the record's error is passed
 * on, so nothing stored outlives a failed ledger step. Should the withdrawal
 * fail too, the deposit stays and keeps its content in use (the gateway then
 * refuses to remove it): an envelope never points at removed data.
 */
export async function depositThenRecord(
  client: GatewayClient,
  identity: LedgerIdentity,
  steps: DepositSteps,
  deposit: Deposit,
): Promise<LedgerResult> {
  await callLedger(client, identity, steps.deposit.fn, steps.deposit.args, { envelope: deposit.envelope });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await callLedger(client, identity, steps.record.fn, [...steps.record.args, deposit.hash]);
      } catch (error) {
        // The deposit committed (this device verified it), but an endorser of another organisation
        // may not have that block yet: it sees no deposit. Ask again a moment later.
        if (
          !(error instanceof ApiError && NOT_YET_DEPOSITED.test(error.message)) ||
          attempt >= RECORD_ATTEMPTS
        ) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, RECORD_BACKOFF_MS * attempt));
      }
    }
  } catch (error) {
    await callLedger(client, identity, 'transfer:WithdrawEnvelope', [
      ...steps.deposit.args,
      steps.deposit.kind ?? 'record',
    ]).catch(() => undefined);
    throw error;
  }
}
