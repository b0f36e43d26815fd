import type { Logger } from 'pino';
import type { Ledger } from './ledger';

/** A request the gateway refused before it reached the ledger, as the ledger records it. */
export interface Refusal {
  mspId: string;
  userId: string;
  action: 'send' | 'access' | 'breakGlass' | 'login' | 'grant';
  /** The record concerned, or '' for none. */
  recordId: string;
  code: string;
  /** One line, no personal data. */
  reason: string;
  /** SHA-256 of the refused evidence (the device report), or ''. */
  evidenceHash: string;
}

/**
 * Records the gateway's refusals on the ledger through the service identity
 * of the user's organisation, so the audit trail holds failed device checks
 * as well as the chaincode's own denials.
 */
export class RefusalRecorder {
  readonly #ledger: Ledger;
  readonly #logger: Logger;

  constructor(ledger: Ledger, logger: Logger) {
    this.#ledger = ledger;
    this.#logger = logger;
  }

  /** Submits the refusal; returns its transaction id, or undefined if the ledger could not take it. */
  async record(refusal: Refusal): Promise<string | undefined> {
    try {
      const contract = this.#ledger.serviceContract(refusal.mspId);
      const proposal = contract.newProposal('attestation:RecordRefusal', {
        arguments: [
          refusal.userId,
          refusal.action,
          refusal.recordId,
          refusal.code,
          refusal.reason.slice(0, 300),
          refusal.evidenceHash,
        ],
      });
      const transaction = await proposal.endorse();
      const commit = await transaction.submit();
      const status = await commit.getStatus();
      if (!status.successful)
        throw new Error(`refusal transaction ${status.transactionId} invalid: ${status.code}`);
      return status.transactionId;
    } catch (error) {
      this.#logger.warn(
        { err: error, code: refusal.code, action: refusal.action },
        'could not record a refusal',
      );
      return undefined;
    }
  }
}
