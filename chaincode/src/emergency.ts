import type { AttestationSummary } from './attestation';
import { ChaincodeError } from './errors';

/**
 * Why a doctor opened a record without a grant. Codes only: the free-text
 * justification stays with the hospital, and only its SHA-256 is on the ledger.
 */
export const EMERGENCY_REASONS = ['UNCONSCIOUS', 'LIFE_THREATENING', 'URGENT_CARE', 'OTHER'] as const;
/** A break-glass reason code. */
export type EmergencyReason = (typeof EMERGENCY_REASONS)[number];

/** How long a break-glass opening lasts. */
export const BREAK_GLASS_HOURS = 4;

/** Validates a break-glass duration in whole minutes, 1 to {@link BREAK_GLASS_HOURS} hours. */
export function validateDuration(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > BREAK_GLASS_HOURS * 60) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `durationMinutes must be a whole number of minutes from 1 to ${BREAK_GLASS_HOURS * 60}`,
    );
  }
  return minutes;
}

/** One emergency holder's contribution to a release: their deposit for the doctor, by its SHA-256. */
export interface KeyShareRecord {
  holderId: string;
  envelopeHash: string;
  at: string;
}

/** The current break-glass opening of a record by a doctor. */
export interface BreakGlassRecord {
  docType: 'break-glass';
  recordId: string;
  doctorId: string;
  doctorMspId: string;
  recipientId: string;
  recipientMspId: string;
  reasonCode: EmergencyReason;
  justificationHash: string;
  openedAt: string;
  expiresAt: string;
  /** The opening's transaction id, which is also its review's id. */
  txId: string;
  keyReleasedAt?: string;
  /** The emergency key set the contributions are for (the one the sender split the key for). */
  keySetVersion?: number;
  /** Each holder's key-share deposit for the doctor, in order; the key is released at the set's threshold. */
  shares?: KeyShareRecord[];
  /** The doctor's gateway attestation (device check and second factor) the opening required. */
  attestation?: AttestationSummary;
}

/** Openings one doctor may make in 24 hours unless the organisation's admins set another limit. */
export const DEFAULT_OPENINGS_PER_DAY = 3;
/** The highest limit an organisation may set. */
export const MAX_OPENINGS_PER_DAY = 50;

/** An organisation's limit on its doctors' openings (emergency:SetOpeningLimit). */
export interface OpeningLimitRecord {
  docType: 'opening-limit';
  mspId: string;
  perDay: number;
  setBy: string;
  setAt: string;
}

/** An opening refused for the doctor's daily limit: kept on the ledger, and announced as an alert. */
export interface BreakGlassAlertRecord {
  docType: 'alert';
  kind: 'breakGlassLimit';
  txId: string;
  recordId: string;
  doctorId: string;
  doctorMspId: string;
  /** Openings the doctor made in the 24 hours before, and the limit. */
  openings: number;
  perDay: number;
  at: string;
}

/** Validates an opening limit: a whole number from 1 to {@link MAX_OPENINGS_PER_DAY}. */
export function validateOpeningLimit(perDay: number): number {
  if (!Number.isInteger(perDay) || perDay < 1 || perDay > MAX_OPENINGS_PER_DAY) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `the limit must be a whole number of openings from 1 to ${String(MAX_OPENINGS_PER_DAY)} a day`,
    );
  }
  return perDay;
}

/** An auditor's review of one break-glass opening. */
export interface ReviewRecord {
  docType: 'review';
  reviewId: string;
  recordId: string;
  doctorId: string;
  reasonCode: EmergencyReason;
  justificationHash: string;
  openedAt: string;
  status: 'open' | 'closed';
  finding?: 'justified' | 'unjustified';
  closedBy?: string;
  closedAt?: string;
  noteHash?: string;
  /** The doctor's gateway attestation for the opening, as on the break-glass record. */
  attestation?: AttestationSummary;
}

/** Validates a break-glass reason code. */
export function validateReason(code: string): EmergencyReason {
  if (!(EMERGENCY_REASONS as readonly string[]).includes(code)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `reasonCode must be one of ${EMERGENCY_REASONS.join(', ')}`);
  }
  return code as EmergencyReason;
}

/** Validates a SHA-256 hex digest of off-ledger text. */
export function validateTextHash(name: string, hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `${name} must be the SHA-256 of the text, in lower-case hex (the text itself stays off the ledger)`,
    );
  }
  return hash;
}
