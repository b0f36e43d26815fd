import type { EmergencyKeySetRecord } from 'medshare-chaincode';
import type { ShareHolder } from '../envelope';
import { ApiError, type GatewayClient } from './api-client';
import { getKeyHolder } from './key-holder';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

/** Different admins whose approval a key set needs (the chaincode's KEYSET_APPROVALS). */
export const KEYSET_APPROVALS = 2;

/** An emergency key set this device checked: the holders' keys as their own bindings vouch for them. */
export interface VerifiedKeySet {
  mspId: string;
  version: number;
  threshold: number;
  holders: ShareHolder[];
}

/** A key set that does not hold up: refused with a stable code, and nothing is wrapped for it. */
function unverified(message: string): ApiError {
  return new ApiError(502, 'KEYSET_UNVERIFIED', message);
}

/**
 * `mspId`'s active emergency key set, checked on this device before any data
 * key is split for it: a verified read of the set, then, for each approver and
 * each holder, a verified read of their registry entry with its key binding.
 * It must be approved by {@link KEYSET_APPROVALS} different active admins of
 * that organisation, and each share must go to the key its holder, an active
 * admin there, bound to their own certificate. Undefined when the
 * organisation has no key set (records sent to it then cannot be opened by
 * break-glass).
 *
 * @throws {@link ApiError} `KEYSET_UNVERIFIED` when any of it does not hold up.
 */
export async function verifiedKeySet(
  client: GatewayClient,
  identity: LedgerIdentity,
  mspId: string,
): Promise<VerifiedKeySet | undefined> {
  let keySet: EmergencyKeySetRecord;
  try {
    keySet = parseResult(
      await callLedger(client, identity, 'emergencykeys:GetKeySet', [mspId, '0']),
    ) as EmergencyKeySetRecord;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
  if (keySet.mspId !== mspId || keySet.status !== 'active') {
    throw unverified(`the emergency key set given for ${mspId} is not its active one`);
  }
  const approvers = new Set(keySet.approvals.map((a) => a.adminId));
  if (approvers.size < KEYSET_APPROVALS) {
    throw unverified(
      `the emergency key set of ${mspId} lacks the approval of ${String(KEYSET_APPROVALS)} admins`,
    );
  }
  const admin = async (userId: string, what: string) => {
    const entry = await getKeyHolder(client, identity, userId);
    if (entry.role !== 'admin' || entry.mspId !== mspId || entry.status !== 'active') {
      throw unverified(`${what} ${userId} is not an active admin of ${mspId}`);
    }
    return entry;
  };
  for (const approver of approvers) await admin(approver, 'approver');
  const holders: ShareHolder[] = [];
  for (const holder of keySet.holders) {
    const entry = await admin(holder.userId, 'holder');
    if (entry.encryptionKey.fingerprint !== holder.fingerprint || entry.encryptionKey.spki !== holder.spki) {
      throw unverified(
        `holder ${holder.userId} no longer has the key the set names: it must be approved again`,
      );
    }
    holders.push({ holderId: holder.userId, spki: entry.encryptionKey.spki });
  }
  return { mspId, version: keySet.version, threshold: keySet.threshold, holders };
}

/** An admin proposes their organisation's emergency key set: its holders (admin user ids) and threshold. */
export async function proposeKeySet(
  client: GatewayClient,
  operator: LedgerIdentity,
  holderIds: readonly string[],
  threshold: number,
): Promise<{ txId: string; keySet: EmergencyKeySetRecord }> {
  const committed = await callLedger(client, operator, 'emergencykeys:ProposeKeySet', [
    JSON.stringify(holderIds),
    String(threshold),
  ]);
  return { txId: committed.txId, keySet: parseResult(committed) as EmergencyKeySetRecord };
}

/** Another admin approves the proposed key set of `version`; with two approvals it takes effect. */
export async function approveKeySet(
  client: GatewayClient,
  operator: LedgerIdentity,
  version: number,
): Promise<{ txId: string; keySet: EmergencyKeySetRecord }> {
  const committed = await callLedger(client, operator, 'emergencykeys:ApproveKeySet', [String(version)]);
  return { txId: committed.txId, keySet: parseResult(committed) as EmergencyKeySetRecord };
}

/** A key set as the ledger holds it: the active one (0), the proposal (-1), or a version. */
export async function keySetOf(
  client: GatewayClient,
  identity: LedgerIdentity,
  mspId: string,
  version = 0,
): Promise<EmergencyKeySetRecord> {
  return parseResult(
    await callLedger(client, identity, 'emergencykeys:GetKeySet', [mspId, String(version)]),
  ) as EmergencyKeySetRecord;
}
