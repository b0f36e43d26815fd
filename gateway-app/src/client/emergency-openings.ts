import type { RecordEvent } from 'medshare-chaincode';
import type { GatewayClient } from './api-client';
import { allPages, perRecord } from './audit';
import type { LedgerIdentity } from './ledger-call';

/**
 * A break-glass opening of one of the caller's records, as the record's trail
 * tells it: who opened it, when, why, until when, whether the key was released
 * and what the review found. Patients see these, highlighted, in their inbox.
 */
export interface EmergencyOpeningNotice {
  recordId: string;
  /** The opening's transaction id. */
  txId: string;
  doctorId: string;
  doctorMspId: string;
  reasonCode: string;
  openedAt: string;
  /** When the opening ends ('' if the trail does not say). */
  until: string;
  /** When the emergency service released the key to the doctor. */
  keyReleasedAt?: string;
  /** The auditor's finding, once the review is closed. */
  finding?: string;
}

/** `UNCONSCIOUS until 2026-12-07T10:00:00.000Z`: the detail the chaincode writes for an opening. */
const OPENING_DETAIL = /^(?<reason>[A-Z_]+)(?: until (?<until>\S+))?$/;

/**
 * The openings in a record's trail, oldest first. A key release or review
 * belongs to the latest opening by the same doctor before it.
 */
export function openingsInTrail(events: readonly RecordEvent[]): EmergencyOpeningNotice[] {
  const ordered = [...events].sort((a, b) => a.at.localeCompare(b.at) || a.txId.localeCompare(b.txId));
  const openings: EmergencyOpeningNotice[] = [];
  const latestBy = (doctorId: string, recordId: string) =>
    [...openings].reverse().find((o) => o.doctorId === doctorId && o.recordId === recordId);
  for (const event of ordered) {
    if (event.kind === 'breakGlass') {
      const groups = OPENING_DETAIL.exec(event.detail)?.groups;
      openings.push({
        recordId: event.recordId,
        txId: event.txId,
        doctorId: event.actorId,
        doctorMspId: event.actorMspId,
        reasonCode: groups?.reason ?? event.detail,
        openedAt: event.at,
        until: groups?.until ?? '',
      });
    } else if (event.kind === 'keyRelease' && (event.detail === 'released' || event.detail === '')) {
      // One event per holder's share; the key is released with the one that says so.
      const opening = latestBy(event.subjectId, event.recordId);
      if (opening) opening.keyReleasedAt = event.at;
    } else if (event.kind === 'review') {
      const opening = latestBy(event.subjectId, event.recordId);
      if (opening) opening.finding = event.detail;
    }
  }
  return openings;
}

/**
 * Every break-glass opening of the given records (the caller must be their
 * recipient, or an auditor), newest first, from each record's trail.
 */
export async function emergencyOpenings(
  client: GatewayClient,
  identity: LedgerIdentity,
  recordIds: readonly string[],
): Promise<EmergencyOpeningNotice[]> {
  const found = await perRecord(recordIds, async (id) =>
    openingsInTrail(await allPages<RecordEvent>(client, identity, 'audit:RecordEvents', [id])),
  );
  return found.sort((a, b) => b.openedAt.localeCompare(a.openedAt));
}
