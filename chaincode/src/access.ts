import type { AttestationSummary, RefusalAction } from './attestation';
import { ChaincodeError } from './errors';

/**
 * Purposes of use, after HL7 v3 PurposeOfUse: treatment, patient request, care
 * management, operations, and emergency treatment (break-glass).
 */
export const PURPOSES = ['TREAT', 'PATRQT', 'CAREMGT', 'HOPERAT', 'ETREAT'] as const;
/** A purpose of use. */
export type Purpose = (typeof PURPOSES)[number];

/** Validates a purpose of use. */
export function validatePurpose(purpose: string): Purpose {
  if (!(PURPOSES as readonly string[]).includes(purpose)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `purpose must be one of ${PURPOSES.join(', ')}`);
  }
  return purpose as Purpose;
}

/** A patient's grant of access to one record for one doctor. */
export interface GrantRecord {
  docType: 'grant';
  recordId: string;
  granteeId: string;
  granteeMspId: string;
  grantorId: string;
  purpose: Purpose;
  expiresAt: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
  /** SHA-256 of the grantee's deposited envelope; absent only on grants written before deposits. */
  envelopeHash?: string;
}

/**
 * How long after its access event a read may use it (access:ReadEnvelope).
 * Each read must follow an access event of its own on the ledger (so every
 * envelope read is audited), and the grant or opening is checked again at the
 * read's own time. The gateway releases ciphertext for as long.
 */
export const READ_WINDOW_MS = 5 * 60_000;

/** Whether a grant is in force at `now` (an ISO time): active and not expired. */
export function grantInForce(grant: GrantRecord, now: string): boolean {
  return grant.status === 'active' && Date.parse(grant.expiresAt) > Date.parse(now);
}

/** Whether an access attempt was allowed. */
export type AccessOutcome = 'granted' | 'denied';

/**
 * One attempt on a record, granted or denied: the audit trail's unit. Most are
 * written by RecordAccess; a request about the record that the user's gateway
 * refused before it reached the ledger is written by attestation:RecordRefusal
 * in the same trail, as a denial with `refusedBy` and `refusedAction` and no
 * purpose or attestation.
 */
export interface AccessEvent {
  docType: 'access';
  recordId: string;
  txId: string;
  userId: string;
  mspId: string;
  role: string;
  /** The purpose of use given to RecordAccess; absent on gateway refusals. */
  purpose?: Purpose;
  outcome: AccessOutcome;
  /** Why access was denied, or on what basis it was granted. */
  reason: string;
  at: string;
  /** The gateway attestation RecordAccess was submitted with. */
  attestation?: AttestationSummary;
  /** The gateway that refused the request (gateway refusals only). */
  refusedBy?: string;
  /** What the refused request was (gateway refusals only). */
  refusedAction?: RefusalAction;
}

const MAX_GRANT_DAYS = 366;

/** Validates a grant's expiry: an ISO 8601 UTC time after `now` and within a year. */
export function validateExpiry(expiresAt: string, now: string): string {
  const ms = Date.parse(expiresAt);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(expiresAt) || Number.isNaN(ms)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'expiresAt must be an ISO 8601 UTC time such as 2027-01-31T12:00:00Z',
    );
  }
  const nowMs = Date.parse(now);
  if (ms <= nowMs || ms > nowMs + MAX_GRANT_DAYS * 86_400_000) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `expiresAt must be in the future and at most ${MAX_GRANT_DAYS} days away`,
    );
  }
  return new Date(ms).toISOString();
}
