import { ChaincodeError } from './errors';

/**
 * An organisation's emergency key set: which of its operators (admins) hold
 * a share of the emergency key, and how many of them must act together to
 * release a record's key to a break-glass doctor. Each holder's share key is
 * the encryption key they registered on the ledger with their own key
 * binding, so no key is made or held by anyone but its owner. A set takes
 * effect only once {@link KEYSET_APPROVALS} different admins of the
 * organisation approved it (the proposer counts as one), and auditors are
 * told (an alert and the `EmergencyKeySetReplaced` event).
 */
export interface EmergencyKeySetRecord {
  docType: 'emergency-keyset';
  mspId: string;
  /** 1 for the first set, one more for each replacement. */
  version: number;
  threshold: number;
  holders: KeySetHolder[];
  status: 'proposed' | 'active';
  proposedBy: string;
  proposedAt: string;
  approvals: KeySetApproval[];
  activatedAt?: string;
}

/** A holder, with the registered encryption key their share is wrapped for (as it was when proposed). */
export interface KeySetHolder {
  userId: string;
  spki: string;
  fingerprint: string;
}

/** An admin's approval of a key set. */
export interface KeySetApproval {
  adminId: string;
  at: string;
  txId: string;
}

/** An emergency key set taking effect, as auditors see it among the alerts. */
export interface KeySetAlertRecord {
  docType: 'alert';
  kind: 'emergencyKeySet';
  txId: string;
  mspId: string;
  version: number;
  threshold: number;
  holders: string[];
  approvedBy: string[];
  at: string;
}

/** Different admins that must approve a key set before it takes effect. */
export const KEYSET_APPROVALS = 2;
/** At most this many holders, and at most {@link MAX_KEYSET_SUBSETS} subsets of `threshold` of them. */
export const MAX_KEYSET_HOLDERS = 7;
export const MAX_KEYSET_SUBSETS = 35;

/** Validates a proposed key set's holders (a JSON array of distinct user ids) and threshold. */
export function parseKeySetShape(
  holdersJson: string,
  threshold: number,
): { holderIds: string[]; threshold: number } {
  let value: unknown;
  try {
    value = JSON.parse(holdersJson);
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'holders must be a JSON array of user ids');
  }
  if (
    !Array.isArray(value) ||
    !value.every((v): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) ||
    new Set(value).size !== value.length
  ) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'holders must be a JSON array of distinct user ids');
  }
  if (value.length < 2 || value.length > MAX_KEYSET_HOLDERS) {
    throw new ChaincodeError('INVALID_ARGUMENT', `a key set has 2 to ${String(MAX_KEYSET_HOLDERS)} holders`);
  }
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > value.length) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'the threshold must be a whole number from 2 to the number of holders',
    );
  }
  if (binomial(value.length, threshold) > MAX_KEYSET_SUBSETS) {
    throw new ChaincodeError('INVALID_ARGUMENT', `at most ${String(MAX_KEYSET_SUBSETS)} subsets of holders`);
  }
  return { holderIds: value, threshold };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}
