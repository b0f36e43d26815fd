import type { ErasureRecord } from 'medshare-chaincode';
import { ApiError, type GatewayClient } from './api-client';
import { allPages } from './audit';
import { textHash } from './flows';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

/**
 * The recipient of a record asks for its erasure; the written reason stays on
 * the device, and only its SHA-256 goes to the ledger. Nothing is erased
 * until an admin of each organisation holding the record confirms.
 */
export async function requestErasure(
  client: GatewayClient,
  recipient: LedgerIdentity,
  recordId: string,
  reason: string,
): Promise<{ txId: string; erasure: ErasureRecord }> {
  const committed = await callLedger(client, recipient, 'erasure:RequestErasure', [
    recordId,
    await textHash(reason),
  ]);
  return { txId: committed.txId, erasure: parseResult(committed) as ErasureRecord };
}

/** The erasure of a record as the ledger holds it (a verified read). */
export async function getErasure(
  client: GatewayClient,
  identity: LedgerIdentity,
  recordId: string,
): Promise<ErasureRecord> {
  return parseResult(await callLedger(client, identity, 'erasure:GetErasure', [recordId])) as ErasureRecord;
}

/** Erasure requests waiting for the operator's organisation to confirm them. */
export async function pendingErasures(
  client: GatewayClient,
  operator: LedgerIdentity,
): Promise<ErasureRecord[]> {
  return allPages<ErasureRecord>(client, operator, 'erasure:PendingErasures', []);
}

/**
 * An operator confirms an erasure for their organisation. When theirs is the
 * last confirmation, nobody can read the record from then on, and the
 * gateway of the recipient's organisation clears the storage nodes and
 * completes the erasure on the ledger: asked for at once here when this
 * gateway serves that organisation, otherwise done at its next sweep. The
 * outcome is read back from the ledger, never taken from the gateway's answer.
 */
export async function confirmErasure(
  client: GatewayClient,
  operator: LedgerIdentity,
  recordId: string,
): Promise<{ txId: string; erasure: ErasureRecord }> {
  const committed = await callLedger(client, operator, 'erasure:ConfirmErasure', [recordId]);
  const confirmed = parseResult(committed) as ErasureRecord;
  if (confirmed.status !== 'erasing' || confirmed.recipientMspId !== operator.mspId) {
    return { txId: committed.txId, erasure: confirmed };
  }
  const swept = await client.sweepErasures();
  const erasure = await getErasure(client, operator, recordId);
  if (erasure.status !== 'erased') {
    throw new ApiError(
      503,
      'ERASURE_INCOMPLETE',
      `the erasure is approved and nobody can read the record, but the storage nodes are not cleared yet (${String(swept.problems)} problems); the gateway tries again at its next sweep`,
      { txId: committed.txId },
    );
  }
  return { txId: committed.txId, erasure };
}
