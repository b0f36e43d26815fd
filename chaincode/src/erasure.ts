import type { Context } from 'fabric-contract-api';
import type { GrantRecord } from './access';
import type { BreakGlassRecord } from './emergency';
import { removeEnvelope } from './envelopes';
import { ChaincodeError } from './errors';
import { readAll, keyOf, writeRecord } from './state';
import { collectionFor, shareKind, type EnvelopeKind, type TransferRecord } from './transfer';

export { ERASURE_RULE } from './erasure-rule';

/** Where an erasure stands: asked for, approved and waiting for the storage nodes, or done. */
export type ErasureStatus = 'requested' | 'erasing' | 'erased';

/** One organisation's admin confirming an erasure. */
export interface ErasureConfirmation {
  adminId: string;
  mspId: string;
  at: string;
  txId: string;
}

/** What the storage sweep reports: the ciphertext is unpinned everywhere and collected on every node. */
export interface StorageEvidence {
  /** Cluster peers that held a pin of the ciphertext before it was removed. */
  unpinnedFrom: number;
  /** Cluster peer ids whose IPFS node ran garbage collection afterwards, sorted. */
  collectedOn: string[];
  /** Blocks those nodes removed in that collection. */
  blocksRemoved: number;
  /** Who reported it: a gateway or an admin. */
  reportedBy: string;
}

/**
 * The ledger's evidence of an erasure: who asked, why (the hash of a text that
 * stays with the hospital), who confirmed, when, which ciphertext, and how the
 * storage nodes were cleared. It stays after the record's data is gone.
 */
export interface ErasureRecord {
  docType: 'erasure';
  recordId: string;
  status: ErasureStatus;
  requestedBy: string;
  requesterMspId: string;
  /** SHA-256 of the written reason, which stays off the ledger. */
  reasonHash: string;
  requestedAt: string;
  requestTxId: string;
  /** The organisations whose admins must confirm, sorted. */
  required: string[];
  confirmations: ErasureConfirmation[];
  /** SHA-256 of the ciphertext that was erased. */
  contentHash: string;
  senderMspId: string;
  recipientMspId: string;
  erasedAt?: string;
  erasedTxId?: string;
  storage?: StorageEvidence;
}

/** The organisations whose admins confirm the erasure of `transfer`. */
export function requiredOrganisations(transfer: TransferRecord): string[] {
  return [...new Set([transfer.senderMspId, transfer.recipientMspId])].sort();
}

/** Validates the storage sweep's report. */
export function parseStorageEvidence(json: string, reportedBy: string): StorageEvidence {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the storage evidence is not JSON');
  }
  const v = value as Partial<Record<keyof StorageEvidence, unknown>>;
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e9;
  if (
    typeof value !== 'object' ||
    value === null ||
    !count(v.unpinnedFrom) ||
    !count(v.blocksRemoved) ||
    !Array.isArray(v.collectedOn) ||
    v.collectedOn.length === 0 ||
    v.collectedOn.length > 64 ||
    !v.collectedOn.every((p) => typeof p === 'string' && /^[1-9A-HJ-NP-Za-km-z]{20,80}$/.test(p))
  ) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'the storage evidence must be {unpinnedFrom, collectedOn: [cluster peer ids], blocksRemoved}',
    );
  }
  return {
    unpinnedFrom: v.unpinnedFrom as number,
    collectedOn: [...new Set(v.collectedOn as string[])].sort(),
    blocksRemoved: v.blocksRemoved as number,
    reportedBy,
  };
}

/** Erasure handles at most this many grants or openings of one record (a bound, not a cut: more is an error). */
const MAX_READERS_PER_RECORD = 1000;

/**
 * Purges every envelope of a record: the recipient's, each grantee's and each
 * break-glass doctor's key shares, with their history, and closes the grants still in force.
 */
export async function purgeEnvelopes(ctx: Context, transfer: TransferRecord, now: string): Promise<void> {
  const { recordId } = transfer;
  const purge = (collection: string, readerId: string, kind: EnvelopeKind = 'record') =>
    removeEnvelope(ctx, { collection, recordId, readerId, kind }, 'purge');
  await purge(collectionFor(transfer.senderMspId, transfer.recipientMspId), transfer.recipientId);
  for (const grant of await readAll<GrantRecord>(ctx, 'grant', [recordId], MAX_READERS_PER_RECORD)) {
    await purge(collectionFor(transfer.recipientMspId, grant.granteeMspId), grant.granteeId);
    if (grant.status === 'active') {
      await writeRecord(ctx, keyOf(ctx, 'grant', recordId, grant.granteeId), {
        ...grant,
        status: 'revoked',
        revokedAt: now,
      });
    }
  }
  for (const opening of await readAll<BreakGlassRecord>(
    ctx,
    'break-glass',
    [recordId],
    MAX_READERS_PER_RECORD,
  )) {
    for (const share of opening.shares ?? []) {
      await purge(
        collectionFor(transfer.recipientMspId, opening.doctorMspId),
        opening.doctorId,
        shareKind(share.holderId),
      );
    }
  }
}
