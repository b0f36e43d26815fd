/*
 * The ledger rows devices read, as the chaincode writes them (chaincode/src: user.ts, transfer.ts,
 * access.ts, emergency.ts): declared once for the CLI and the web UI. Only the fields they use.
 */

/** A user's registry entry (registry:GetUser, registry:ListUsers). */
export interface UserView {
  userId: string;
  mspId: string;
  role: string;
  status: string;
  /** With its owner's key binding (see client/key-binding.ts); absent on entries registered before bindings. */
  encryptionKey: { spki: string; fingerprint: string; version?: number; binding?: string };
  signingKey: { spki: string; fingerprint: string };
}

/** A transfer's public record (audit:MyActivity kind `transfer`). */
export interface TransferRow {
  recordId: string;
  senderId: string;
  senderMspId: string;
  recipientId: string;
  recipientMspId: string;
  status: string;
  createdAt: string;
  txId: string;
  /** Not on the ledger today; shown if a later chaincode adds it. */
  mediaType?: string;
  /** The record's label sealed for the sender and the recipient (`openLabel` in envelope/). */
  label?: string;
}

/** A patient's grant to a doctor (MyActivity kind `grant`, access:ListGrants). */
export interface GrantRow {
  recordId: string;
  granteeId: string;
  granteeMspId: string;
  grantorId: string;
  purpose: string;
  expiresAt: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
}

/** A doctor's break-glass opening (MyActivity kind `breakGlass`, emergency:PendingReleases). */
export interface BreakGlassRow {
  recordId: string;
  doctorId: string;
  doctorMspId?: string;
  recipientId: string;
  reasonCode: string;
  openedAt: string;
  expiresAt: string;
  txId: string;
  keyReleasedAt?: string;
}

/** One attempt on a record, granted or denied (audit:RecordAccesses). */
export interface AccessRow {
  recordId: string;
  txId: string;
  userId: string;
  mspId: string;
  role: string;
  purpose?: string;
  outcome: 'granted' | 'denied';
  reason: string;
  at: string;
  /** Set when a gateway refused the request before it reached the ledger. */
  refusedBy?: string;
  refusedAction?: string;
}

/** Whether a grant is in force now. */
export const grantInForce = (grant: GrantRow, now: number): boolean =>
  grant.status === 'active' && Date.parse(grant.expiresAt) > now;
