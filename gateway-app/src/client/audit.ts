import type { GatewayClient } from './api-client';
import { textHash } from './flows';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

const PAGE_SIZE = 100;
/** Pages read before giving up, so a runaway bookmark cannot loop forever. */
const MAX_PAGES = 1000;

/** Reads every page of a paginated chaincode query (`pageSize` and `bookmark` are its last two arguments). */
export async function allPages<T = unknown>(
  client: GatewayClient,
  identity: LedgerIdentity,
  fn: string,
  args: readonly string[],
): Promise<T[]> {
  const records: T[] = [];
  let bookmark = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = parseResult(
      await callLedger(client, identity, fn, [...args, String(PAGE_SIZE), bookmark]),
    ) as { records: T[]; bookmark: string };
    records.push(...answer.records);
    if (!answer.bookmark || answer.records.length === 0) return records;
    bookmark = answer.bookmark;
  }
  return records;
}

/**
 * Runs `read` for each distinct record id, three at a time (each is a signed
 * ledger query, and a patient may hold many records), and joins the rows.
 */
export async function perRecord<T>(
  recordIds: readonly string[],
  read: (recordId: string) => Promise<readonly T[]>,
): Promise<T[]> {
  const rows: T[] = [];
  const queue = [...new Set(recordIds)];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) rows.push(...(await read(id)));
  };
  await Promise.all([worker(), worker(), worker()]);
  return rows;
}

/** A time range, ISO 8601 UTC; [from, to). */
export interface TimeRange {
  from: string;
  to: string;
}

/**
 * Everything the ledger holds about one record: its versions and every attempt on it. The query itself is
 * recorded on the ledger first (audit:RecordQuery, signed on the auditor's device), so the trail it returns
 * ends with this look at it.
 */
export async function recordTrail(
  client: GatewayClient,
  auditor: LedgerIdentity,
  recordId: string,
): Promise<unknown[]> {
  await callLedger(client, auditor, 'audit:RecordQuery', ['record', recordId, '', '']);
  return [
    ...(await allPages(client, auditor, 'audit:RecordHistory', [recordId])),
    ...(await allPages(client, auditor, 'audit:RecordAccesses', [recordId])),
    ...(await allPages(client, auditor, 'audit:RecordEvents', [recordId])),
  ];
}

/**
 * A user's transfers, access attempts, refused requests and the audit queries made of or by them, in a time
 * range. This query is recorded on the ledger first (audit:RecordQuery), as {@link recordTrail}'s is.
 */
export async function userTrail(
  client: GatewayClient,
  auditor: LedgerIdentity,
  userId: string,
  range: TimeRange,
): Promise<unknown[]> {
  await callLedger(client, auditor, 'audit:RecordQuery', ['user', userId, range.from, range.to]);
  const out: unknown[] = [];
  for (const kind of ['transfer', 'access', 'refusal', 'query']) {
    out.push(
      ...(await allPages(client, auditor, 'audit:UserActivity', [userId, kind, range.from, range.to])),
    );
  }
  return out;
}

/** The break-glass openings still waiting for an auditor's finding. */
export async function openReviews(client: GatewayClient, auditor: LedgerIdentity): Promise<unknown[]> {
  return allPages(client, auditor, 'emergency:OpenReviews', []);
}

/** Break-glass openings refused for a doctor's daily limit (emergency:Alerts), oldest first. */
export async function breakGlassAlerts(client: GatewayClient, auditor: LedgerIdentity): Promise<unknown[]> {
  return allPages(client, auditor, 'emergency:Alerts', []);
}

/** An auditor closes a break-glass review; the note stays off the ledger, its SHA-256 goes on it. */
export async function closeReview(
  client: GatewayClient,
  auditor: LedgerIdentity,
  reviewId: string,
  finding: 'justified' | 'unjustified',
  note: string,
): Promise<{ txId: string; noteHash: string }> {
  const noteHash = await textHash(note);
  const { txId } = await callLedger(client, auditor, 'emergency:CloseReview', [reviewId, finding, noteHash]);
  return { txId, noteHash };
}

/** What a user's inbox lists. */
export type InboxKind = 'transfer' | 'grant' | 'breakGlass';

/** The caller's own records of a kind: sent and received transfers, grants to them, or their break-glass openings. */
export async function myRecords(
  client: GatewayClient,
  identity: LedgerIdentity,
  kind: InboxKind,
  range: TimeRange = { from: '2000-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' },
): Promise<unknown[]> {
  return allPages(client, identity, 'audit:MyActivity', [kind, range.from, range.to]);
}
