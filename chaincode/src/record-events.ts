import type { Context } from 'fabric-contract-api';
import { keyOf, writeRecord } from './state';
import { txTime } from './time';

/** What happened to a record besides its transfer and access attempts (which have trails of their own). */
export type RecordEventKind =
  'grant' | 'revoke' | 'breakGlass' | 'keyRelease' | 'review' | 'erasure' | 'query';

/**
 * One entry of a record's trail (audit:RecordEvents): who did what to the
 * record, to whom, when, in which transaction. Pseudonymous ids and codes
 * only. Together with the transfer's history and the access attempts, the
 * trail shows everything that happened to a record.
 */
export interface RecordEvent {
  docType: 'record-event';
  recordId: string;
  kind: RecordEventKind;
  txId: string;
  at: string;
  actorId: string;
  actorMspId: string;
  /** Whom it concerns: the grantee, the doctor of an opening; '' when no one else. */
  subjectId: string;
  /** A code-like detail: the purpose and expiry of a grant, a reason code, a finding. */
  detail: string;
}

/** Writes one event of `recordId`'s trail, keyed by time and transaction so the trail reads in order. */
export async function recordEvent(
  ctx: Context,
  recordId: string,
  event: Pick<RecordEvent, 'kind' | 'actorId' | 'actorMspId' | 'subjectId' | 'detail'>,
): Promise<void> {
  const at = txTime(ctx);
  const txId = ctx.stub.getTxID();
  const entry: RecordEvent = { docType: 'record-event', recordId, txId, at, ...event };
  await writeRecord(ctx, keyOf(ctx, 'record-event', recordId, at, txId), entry);
}
