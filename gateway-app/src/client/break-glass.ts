import { unwrapDataKey, wrapDataKey, type EncryptionKeyPair } from '../envelope';
import { toBase64 } from '../envelope/bytes';
import type { BreakGlassRow } from '../api/ledger-rows';
import { ApiError, type GatewayClient } from './api-client';
import { allPages } from './audit';
import {
  checkDevice,
  emergencyKeyId,
  getKeyHolder,
  textHash,
  type DeviceAgent,
  type DeviceKeys,
} from './flows';
import { depositThenRecord, envelopeDeposit } from './deposit';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

/** Why a doctor breaks the glass (the chaincode's reason codes). */
export type EmergencyReason = 'UNCONSCIOUS' | 'LIFE_THREATENING' | 'URGENT_CARE' | 'OTHER';

/** A break-glass request. */
export interface BreakGlassRequest {
  recordId: string;
  reasonCode: EmergencyReason;
  /** The doctor's written justification: it stays with the hospital; only its SHA-256 goes to the ledger. */
  justification: string;
  /** How long the opening lasts, 1 to 240 minutes. */
  durationMinutes: number;
}

/** An opening in force. */
export interface BreakGlassOpening {
  txId: string;
  reviewId: string;
  expiresAt: string;
  justificationHash: string;
}

/**
 * A doctor without a grant opens a record in an emergency: device check,
 * then the opening on the ledger (announced to the patient and auditors, and
 * kept for review). The data key still has to be released by the recipient
 * organisation's emergency service before the doctor can decrypt.
 */
export async function breakGlass(
  client: GatewayClient,
  keys: DeviceKeys,
  agent: DeviceAgent,
  request: BreakGlassRequest,
): Promise<BreakGlassOpening> {
  await checkDevice(client, agent, 'breakGlass', request.recordId);
  const justificationHash = await textHash(request.justification);
  const committed = await callLedger(client, keys, 'emergency:BreakGlass', [
    request.recordId,
    request.reasonCode,
    justificationHash,
    String(request.durationMinutes),
  ]);
  const result = parseResult(committed) as {
    outcome?: string;
    reason?: string;
    reviewId: string;
    expiresAt: string;
  };
  if (result.outcome === 'refused') {
    // Over the doctor's daily limit: refused, and the refusal is an alert on the ledger.
    throw new ApiError(429, 'BREAK_GLASS_LIMIT', result.reason ?? 'too many openings today', {
      txId: committed.txId,
      recordedOnLedger: true,
    });
  }
  return { txId: committed.txId, reviewId: result.reviewId, expiresAt: result.expiresAt, justificationHash };
}

/** An operator sets their organisation's emergency public key, which senders wrap data keys for. */
export async function registerEmergencyKey(
  client: GatewayClient,
  operator: LedgerIdentity,
  publicKeySpki: string,
): Promise<{ txId: string }> {
  const { txId } = await callLedger(client, operator, 'emergency:RegisterEmergencyKey', [publicKeySpki]);
  return { txId };
}

interface EmergencyEnvelope {
  senderId: string;
  contentHash: string;
  cid: string;
  size: number;
  mediaType: string;
  signature: string;
  emergencyWrappedKey: string;
  metadata?: Record<string, string>;
}

/**
 * The recipient organisation's emergency service (an operator holding the
 * emergency private key) releases a record's data key to the doctor of an
 * opening in force: it unwraps the emergency copy on this device, wraps the
 * key for the doctor's registered public key, and records the release. The
 * chaincode refuses when no opening is in force or the key was released.
 */
export async function releaseBreakGlassKey(
  client: GatewayClient,
  operator: LedgerIdentity,
  emergencyKey: EncryptionKeyPair,
  recordId: string,
  doctorId: string,
): Promise<{ txId: string }> {
  const sealed = parseResult(
    await callLedger(client, operator, 'emergency:ReadEmergencyEnvelope', [recordId, doctorId]),
  ) as EmergencyEnvelope;
  const doctor = await getKeyHolder(client, operator, doctorId);
  if (doctor.status !== 'active') {
    throw new ApiError(409, 'RECIPIENT_INACTIVE', 'the doctor is not an active user');
  }
  const dataKey = await unwrapDataKey(
    sealed.emergencyWrappedKey,
    emergencyKey,
    emergencyKeyId(operator.mspId),
  );
  const deposit = await envelopeDeposit(
    {
      cid: sealed.cid,
      size: sealed.size,
      mediaType: sealed.mediaType,
      wrappedKey: await wrapDataKey(dataKey, doctor.encryptionKey.spki, doctorId),
      signature: sealed.signature,
      salt: toBase64(crypto.getRandomValues(new Uint8Array(16))),
      ...(sealed.metadata ? { metadata: sealed.metadata } : {}),
    },
    {
      recordId,
      readerId: doctorId,
      senderId: sealed.senderId,
      contentHash: sealed.contentHash,
      depositorId: emergencyKeyId(operator.mspId),
    },
  );
  const { txId } = await depositThenRecord(
    client,
    operator,
    {
      deposit: { fn: 'emergency:DepositBreakGlassEnvelope', args: [recordId, doctorId], kind: 'breakGlass' },
      record: { fn: 'emergency:ReleaseBreakGlassKey', args: [recordId, doctorId] },
    },
    deposit,
  );
  return { txId };
}

/**
 * The break-glass openings of records the operator's organisation received
 * that wait for its emergency service to release the key, still in force,
 * oldest first (emergency:PendingReleases, a verified read).
 */
export async function pendingReleases(
  client: GatewayClient,
  operator: LedgerIdentity,
): Promise<BreakGlassRow[]> {
  return allPages<BreakGlassRow>(client, operator, 'emergency:PendingReleases', []);
}
