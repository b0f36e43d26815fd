import type { AccessEvent, ReviewRecord } from 'medshare-chaincode';
import type { GatewayClient } from '../../../src/client/api-client';
import { allPages, openReviews } from '../../../src/client/audit';
import type { LedgerIdentity } from '../../../src/client/ledger-call';

/** An open review, with the opening's expiry when the ledger shows it to auditors. */
export interface OpenReview extends ReviewRecord {
  /**
   * When the opening ends. The review does not carry it and auditors cannot
   * read the opening itself; the doctor's emergency accesses state it
   * ("break-glass REASON until TIME"), so it is known once they have read the record.
   */
  expiresAt?: string;
}

/** The longest opening the chaincode allows: the expiry is at most this long after the opening. */
export const MAX_OPENING_MS = 240 * 60_000;

const UNTIL = /^break-glass \S+ until (\S+)$/;

async function expiriesOf(
  client: GatewayClient,
  auditor: LedgerIdentity,
  recordId: string,
): Promise<AccessEvent[]> {
  try {
    return await allPages<AccessEvent>(client, auditor, 'audit:RecordAccesses', [recordId]);
  } catch {
    // The expiry only completes the picture; the review itself is still worth showing.
    return [];
  }
}

/** The break-glass openings awaiting a finding, longest waiting first. */
export async function loadOpenReviews(client: GatewayClient, auditor: LedgerIdentity): Promise<OpenReview[]> {
  const reviews = (await openReviews(client, auditor)) as ReviewRecord[];
  const records = [...new Set(reviews.map((r) => r.recordId))];
  const accesses = new Map(
    await Promise.all(records.map(async (id) => [id, await expiriesOf(client, auditor, id)] as const)),
  );
  return reviews
    .map((review): OpenReview => {
      const until = (accesses.get(review.recordId) ?? [])
        .filter((a) => a.userId === review.doctorId && a.outcome === 'granted' && a.at >= review.openedAt)
        .map((a) => UNTIL.exec(a.reason)?.[1])
        .find((at) => at !== undefined);
      return until ? { ...review, expiresAt: until } : review;
    })
    .sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : 0));
}
