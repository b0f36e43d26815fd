import type { UserView } from '../api/ledger-rows';
import type { GatewayClient } from './api-client';
import { verifyKeyBinding } from './key-binding';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

/** A user's registry entry. */
export async function getUser(
  client: GatewayClient,
  keys: LedgerIdentity,
  userId: string,
): Promise<UserView> {
  return parseResult(await callLedger(client, keys, 'registry:GetUser', [userId])) as UserView;
}

/**
 * A user's registry entry whose encryption key this device may wrap a data
 * key for: verified from peers, and bound to its owner by the owner's own
 * signature (`KEY_BINDING_INVALID` otherwise, before anything is wrapped).
 */
export async function getKeyHolder(
  client: GatewayClient,
  keys: LedgerIdentity,
  userId: string,
): Promise<UserView> {
  const entry = await getUser(client, keys, userId);
  await verifyKeyBinding(entry, keys.trust);
  return entry;
}
