import type { GatewayClient } from '../../../src/client/api-client';
import { myRecords } from '../../../src/client/audit';
import type { DeviceKeys } from '../../../src/client/flows';
import type { BreakGlassRow, TransferRow } from '../../../src/api/ledger-rows';

/** What the signed-in user's own ledger activity says about one record. */
export interface RecordContext {
  /** The transfer, when the user sent or received the record. */
  transfer?: TransferRow;
  /** The user's latest break-glass opening of the record (doctors). */
  opening?: BreakGlassRow;
  /** When this was read, to tell whether the opening is still in force. */
  readAt: number;
}

/** The user's transfer and break-glass opening of a record, from MyActivity (nobody else's). */
export async function loadRecordContext(
  client: GatewayClient,
  keys: DeviceKeys,
  role: string,
  recordId: string,
): Promise<RecordContext> {
  const [transfers, openings] = await Promise.all([
    myRecords(client, keys, 'transfer') as Promise<TransferRow[]>,
    role === 'doctor' ? (myRecords(client, keys, 'breakGlass') as Promise<BreakGlassRow[]>) : [],
  ]);
  const transfer = transfers.find((t) => t.recordId === recordId);
  const opening = openings.filter((b) => b.recordId === recordId).at(-1);
  return { ...(transfer ? { transfer } : {}), ...(opening ? { opening } : {}), readAt: Date.now() };
}

/** Where a doctor's break-glass opening stands now. */
export type OpeningState = 'none' | 'ended' | 'awaiting-key' | 'released';

/** The state of an opening at `now`. */
export function openingState(opening: BreakGlassRow | undefined, now: number): OpeningState {
  if (!opening) return 'none';
  if (Date.parse(opening.expiresAt) <= now) return 'ended';
  return opening.keyReleasedAt ? 'released' : 'awaiting-key';
}
