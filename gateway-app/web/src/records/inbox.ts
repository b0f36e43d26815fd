import type { GatewayClient } from '../../../src/client/api-client';
import { allPages, myRecords, perRecord } from '../../../src/client/audit';
import type { DeviceKeys } from '../../../src/client/flows';
import type { AccessRow, BreakGlassRow, GrantRow, TransferRow } from '../../../src/api/ledger-rows';
import { openLabel, type RecordLabel } from '../../../src/envelope/record-label';
import { knownMediaType } from './media-types';

/** How a record came to be in someone's list. */
export type InboxKind = 'received' | 'sent' | 'shared' | 'emergency';

/** What the Kind column says. */
export const KIND_TEXT: Readonly<Record<InboxKind, string>> = {
  received: 'Received',
  sent: 'Sent',
  shared: 'Shared with you',
  emergency: 'Emergency',
};

/** Where a row stands. */
export type InboxStatus =
  'active' | 'erased' | 'revoked' | 'expired' | 'ended' | 'awaiting-key' | 'key-released';

/** What the Status column says. */
export const STATUS_TEXT: Readonly<Record<InboxStatus, string>> = {
  active: 'Active',
  erased: 'Erased',
  revoked: 'Revoked',
  expired: 'Expired',
  ended: 'Ended',
  'awaiting-key': 'Waiting for the emergency service to release the key',
  'key-released': 'Key released',
};

/** One line of the records list. */
export interface InboxRow {
  recordId: string;
  kind: InboxKind;
  fromId: string;
  toId: string;
  at: string;
  /** Whether the row still gives access. */
  status: InboxStatus;
  /** Until when it gives access, when that ends. */
  until?: string;
  mediaType?: string;
  /** What the sender's device said of the record, opened here; absent when not sealed for this user. */
  label?: RecordLabel;
}

function transferRow(t: TransferRow, me: string, label: RecordLabel | undefined): InboxRow {
  const mediaType = t.mediaType ?? knownMediaType(me, t.recordId);
  return {
    ...(label ? { label } : {}),
    recordId: t.recordId,
    kind: t.recipientId === me ? 'received' : 'sent',
    fromId: t.senderId,
    toId: t.recipientId,
    at: t.createdAt,
    status: t.status === 'active' ? 'active' : 'erased',
    ...(mediaType ? { mediaType } : {}),
  };
}

function grantRow(g: GrantRow, me: string, now: number): InboxRow {
  const mediaType = knownMediaType(me, g.recordId);
  const expired = Date.parse(g.expiresAt) <= now;
  return {
    recordId: g.recordId,
    kind: 'shared',
    fromId: g.grantorId,
    toId: g.granteeId,
    at: g.createdAt,
    status: g.status === 'revoked' ? 'revoked' : expired ? 'expired' : 'active',
    ...(g.status === 'active' && !expired ? { until: g.expiresAt } : {}),
    ...(mediaType ? { mediaType } : {}),
  };
}

function breakGlassRow(b: BreakGlassRow, me: string, now: number): InboxRow {
  const mediaType = knownMediaType(me, b.recordId);
  const inForce = Date.parse(b.expiresAt) > now;
  return {
    recordId: b.recordId,
    kind: 'emergency',
    fromId: b.recipientId,
    toId: b.doctorId,
    at: b.openedAt,
    status: !inForce ? 'ended' : b.keyReleasedAt ? 'key-released' : 'awaiting-key',
    ...(inForce ? { until: b.expiresAt } : {}),
    ...(mediaType ? { mediaType } : {}),
  };
}

/**
 * The signed-in user's records, newest first: transfers they sent or received, grants made to them, and
 * (for doctors) their break-glass openings. The chaincode's MyActivity lists nobody else's.
 */
export async function loadInbox(client: GatewayClient, keys: DeviceKeys, role: string): Promise<InboxRow[]> {
  const now = Date.now();
  const me = keys.userId;
  const [transfers, grants, openings] = await Promise.all([
    myRecords(client, keys, 'transfer') as Promise<TransferRow[]>,
    myRecords(client, keys, 'grant') as Promise<GrantRow[]>,
    role === 'doctor' ? (myRecords(client, keys, 'breakGlass') as Promise<BreakGlassRow[]>) : [],
  ]);
  // Each label opened on this device: the gateway and the ledger hold only ciphertext.
  const labels = await Promise.all(
    transfers.map((t) => (t.label ? openLabel(t.label, t.recordId, keys) : Promise.resolve(undefined))),
  );
  return [
    ...transfers.map((t, i) => transferRow(t, me, labels[i])),
    ...grants.map((g) => grantRow(g, me, now)),
    ...openings.map((b) => breakGlassRow(b, me, now)),
  ].sort((a, b) => b.at.localeCompare(a.at));
}

/** Every attempt on the given records (the caller must be their recipient), newest first. */
export async function loadAccessLog(
  client: GatewayClient,
  keys: DeviceKeys,
  recordIds: readonly string[],
): Promise<AccessRow[]> {
  const rows = await perRecord(recordIds, (id) =>
    allPages<AccessRow>(client, keys, 'audit:RecordAccesses', [id]),
  );
  return rows.sort((a, b) => b.at.localeCompare(a.at));
}
