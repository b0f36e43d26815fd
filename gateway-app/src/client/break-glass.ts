import { contributeShares, type EmergencyShares } from '../envelope';
import { toBase64 } from '../envelope/bytes';
import type { BreakGlassRow } from '../api/ledger-rows';
import { ApiError, type GatewayClient } from './api-client';
import { allPages } from './audit';
import { checkDevice, getKeyHolder, textHash, type DeviceAgent, type DeviceKeys } from './flows';
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

interface EmergencyEnvelope {
  senderId: string;
  contentHash: string;
  cid: string;
  size: number;
  mediaType: string;
  signature: string;
  emergencyShares: EmergencyShares;
  metadata?: Record<string, string>;
}

/** What one holder's contribution did: how many shares are in, how many are needed, and whether the key is released. */
export interface KeyShareContributed {
  txId: string;
  shares: number;
  threshold: number;
  released: boolean;
}

/**
 * A holder of the recipient organisation's emergency key set contributes
 * their share of a record's key to the doctor of an opening in force: on this
 * device their parts are unwrapped with their own key and re-wrapped for the
 * doctor's key, which is checked against its owner's binding first; the
 * holder never sees the data key. The key is released when `threshold`
 * holders have contributed, each contribution recorded on the ledger.
 */
export async function contributeKeyShare(
  client: GatewayClient,
  holder: DeviceKeys,
  recordId: string,
  doctorId: string,
): Promise<KeyShareContributed> {
  const sealed = parseResult(
    await callLedger(client, holder, 'emergency:ReadEmergencyEnvelope', [recordId, doctorId]),
  ) as EmergencyEnvelope;
  const doctor = await getKeyHolder(client, holder, doctorId);
  if (doctor.status !== 'active') {
    throw new ApiError(409, 'RECIPIENT_INACTIVE', 'the doctor is not an active user');
  }
  const share = await contributeShares(
    sealed.emergencyShares,
    { holderId: holder.userId, keyPair: holder.encryption },
    { doctorId, spki: doctor.encryptionKey.spki },
  );
  const { keySetVersion, check } = sealed.emergencyShares;
  const deposit = await envelopeDeposit(
    {
      cid: sealed.cid,
      size: sealed.size,
      mediaType: sealed.mediaType,
      signature: sealed.signature,
      salt: toBase64(crypto.getRandomValues(new Uint8Array(16))),
      keyShare: { ...share, keySetVersion, check },
      ...(sealed.metadata ? { metadata: sealed.metadata } : {}),
    },
    {
      recordId,
      readerId: doctorId,
      senderId: sealed.senderId,
      contentHash: sealed.contentHash,
      depositorId: holder.userId,
    },
  );
  const committed = await depositThenRecord(
    client,
    holder,
    {
      deposit: {
        fn: 'emergency:DepositKeyShare',
        args: [recordId, doctorId],
        kind: `share-${holder.userId}`,
      },
      record: { fn: 'emergency:ContributeKeyShare', args: [recordId, doctorId, String(keySetVersion)] },
    },
    deposit,
  );
  const result = parseResult(committed) as { shares: number; threshold: number; released: boolean };
  return { txId: committed.txId, ...result };
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
