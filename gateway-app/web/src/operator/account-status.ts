import { ApiError, type AccountView, type GatewayClient } from '../../../src/client/api-client';
import { callLedger, type LedgerIdentity } from '../../../src/client/ledger-call';

/** What the ledger step of a status change did: its transaction, or why there was nothing to do. */
export type LedgerStatusChange = { txId: string } | { skipped: string };

/** An account status change, on the gateway and on the ledger. */
export interface StatusChange {
  account: AccountView;
  ledger: LedgerStatusChange;
}

async function setLedgerStatus(
  client: GatewayClient,
  operator: LedgerIdentity,
  userId: string | null,
  status: 'active' | 'suspended',
): Promise<LedgerStatusChange> {
  if (!userId) return { skipped: 'not enrolled yet' };
  const fn = status === 'suspended' ? 'registry:SuspendUser' : 'registry:ReactivateUser';
  try {
    return { txId: (await callLedger(client, operator, fn, [userId])).txId };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return { skipped: 'not registered' };
    if (error instanceof ApiError && error.code === 'FAILED_PRECONDITION') {
      return { skipped: `already ${status}` };
    }
    throw error;
  }
}

/**
 * Suspends or reactivates an account as `medshare operator suspend|reactivate`
 * does: the gateway first (a suspension ends the user's sessions at once), then
 * the ledger's registry, signed here in the operator's name.
 */
export async function setAccountStatus(
  client: GatewayClient,
  operator: LedgerIdentity,
  target: AccountView,
  status: 'active' | 'suspended',
): Promise<StatusChange> {
  const account = await client.setAccountStatus(target.accountId, status);
  return { account, ledger: await setLedgerStatus(client, operator, target.userId, status) };
}
