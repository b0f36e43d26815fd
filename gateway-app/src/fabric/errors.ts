/** Stable codes of {@link LedgerError}. */
export type LedgerErrorCode =
  /** The chaincode refused: its own code, from its `CODE: message` answer. */
  | 'INVALID_ARGUMENT'
  | 'ACCESS_DENIED'
  | 'ATTESTATION_INVALID'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  /** Another transaction changed what this one read, or endorsers were at different heights: sign again. */
  | 'TX_CONFLICT'
  /** Ordered but not committed as valid. */
  | 'TX_INVALID'
  /** A peer or the ordering service did not answer in time. */
  | 'LEDGER_TIMEOUT'
  /** The peer cannot be reached. */
  | 'LEDGER_UNAVAILABLE'
  /** No set of reachable peers can endorse the transaction as its policies require. */
  | 'ENDORSEMENT_UNSATISFIED'
  /** A peer refused the signature or the identity. */
  | 'SIGNATURE_REJECTED'
  /** Any other refusal of the consortium. */
  | 'LEDGER_ERROR'
  /** An account has as many prepared calls outstanding as it may. */
  | 'TOO_MANY_PENDING'
  /** No such prepared call for this account (or it expired). */
  | 'SIGNING_SESSION_NOT_FOUND'
  /** A signature for another stage than the one the prepared call awaits. */
  | 'WRONG_STAGE';

/** Options of {@link LedgerError}. */
export interface LedgerErrorOptions {
  cause?: unknown;
  /** Facts safe to show the caller and to log (a transaction id, a validation code, a retry hint). */
  details?: Record<string, unknown>;
}

/**
 * A failure of a ledger call, with a stable code and a one-line message: what
 * `fabric/` throws. Only `http/` decides what it means in HTTP.
 */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: LedgerErrorCode, message: string, options: LedgerErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
