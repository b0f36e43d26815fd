import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import type { AccessEvent } from './access';
import { ChaincodeError } from './errors';
import { requireRecipientOrAuditor, requireTransfer } from './guards';
import { unmarshal } from './json';
import type { AuditQuery } from './audit-query';
import { recordEvent, type RecordEvent } from './record-events';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import {
  activityKey,
  type ActivityKind,
  keyOf,
  offsetBookmark,
  offsetPage,
  pageSize as validatePageSize,
  readPage,
  readRangePage,
  requireRecord,
  writeRecord,
} from './state';
import { txTime } from './time';
import { validateRecordId } from './transfer';
import { validateUserId } from './user';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** One version of a record, from the ledger's history database. */
export interface HistoryEntry {
  txId: string;
  at: string;
  isDelete: boolean;
  record?: unknown;
}

function validateInstant(name: string, value: string): string {
  if (!ISO_UTC.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `${name} must be an ISO 8601 UTC time such as 2026-01-31T00:00:00Z`,
    );
  }
  return new Date(value).toISOString();
}

/**
 * Queries for auditors (of any organisation): the history of a record, every
 * access attempt on it, and a user's transfers and accesses over a time range,
 * all bounded and paginated; and the record of each such query (RecordQuery),
 * so that who looked at whose trail is on the ledger too.
 */
@Info({ title: 'AuditContract', description: 'Audit queries over transfers and access attempts' })
export class AuditContract extends Contract {
  constructor() {
    super('audit');
  }

  /**
   * Records that the calling auditor is about to query a trail: a record's
   * (`record`, the record id, '' and '') or a user's activity over [from, to)
   * (`user`, the user id, from, to). The auditor's device submits it before
   * reading; the FHIR export codes it as DICOM 110112 Query. A record query is
   * an event of that record's trail; a user query is indexed under both the
   * auditor and the user, so either's activity shows it.
   */
  @Transaction()
  public async RecordQuery(
    ctx: Context,
    subjectKind: string,
    subjectId: string,
    from: string,
    to: string,
  ): Promise<void> {
    const kind = validateKind(subjectKind, ['record', 'user'] as const);
    const { caller, record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'audit');
    if (kind === 'record') {
      if (from !== '' || to !== '') {
        throw new ChaincodeError('INVALID_ARGUMENT', 'a record query takes no time range');
      }
      await requireTransfer(ctx, subjectId);
      await recordEvent(ctx, subjectId, {
        kind: 'query',
        actorId: caller.userId,
        actorMspId: caller.mspId,
        subjectId: '',
        detail: 'record trail',
      });
      return;
    }
    validateUserId(subjectId);
    const range = validateRange(from, to);
    const at = txTime(ctx);
    const txId = ctx.stub.getTxID();
    const query: AuditQuery = {
      docType: 'audit-query',
      txId,
      at,
      auditorId: caller.userId,
      auditorMspId: caller.mspId,
      subjectId,
      from: range.start,
      to: range.end,
    };
    await writeRecord(ctx, keyOf(ctx, 'audit-query', txId), query);
    for (const userId of new Set([caller.userId, subjectId])) {
      await writeRecord(ctx, activityKey('query', userId, at, txId), { txId });
    }
  }

  /**
   * Every committed version of a record's public entry, newest first, a page
   * at a time. GetHistoryForKey has no native pagination, so the bookmark is the
   * number of entries already returned.
   */
  @Transaction(false)
  @Returns('string')
  public async RecordHistory(
    ctx: Context,
    recordId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    validateRecordId(recordId);
    const size = validatePageSize(pageSize);
    const skip = offsetBookmark(bookmark);
    const { record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'audit');
    const page = await offsetPage(
      ctx.stub.getHistoryForKey(keyOf(ctx, 'transfer', recordId)),
      size,
      skip,
      ({ txId, timestamp, isDelete, value }): HistoryEntry => {
        const seconds = Number(timestamp.seconds.toString());
        return {
          txId,
          at: new Date(seconds * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString(),
          isDelete,
          ...(isDelete ? {} : { record: unmarshal(value) }),
        };
      },
    );
    return JSON.stringify(page);
  }

  /**
   * Everything else that happened to a record, oldest first: grants and
   * revocations, break-glass openings, key releases and closed reviews
   * (its transfer's versions are in RecordHistory, attempts in
   * RecordAccesses). For auditors and for the record's recipient.
   */
  @Transaction(false)
  @Returns('string')
  public async RecordEvents(
    ctx: Context,
    recordId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    validateRecordId(recordId);
    await requireRecipientOrAuditor(ctx, recordId, 'read the trail of');
    return JSON.stringify(await readPage<RecordEvent>(ctx, 'record-event', [recordId], pageSize, bookmark));
  }

  /**
   * Every attempt on a record, granted or denied, for auditors and for the
   * record's recipient: RecordAccess events and the requests about the record
   * a gateway refused (denials with `refusedBy`), in one list ordered by
   * transaction id, as they share one key space.
   */
  @Transaction(false)
  @Returns('string')
  public async RecordAccesses(
    ctx: Context,
    recordId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    await requireRecipientOrAuditor(ctx, recordId, 'list accesses to');
    return JSON.stringify(await readPage<AccessEvent>(ctx, 'access', [recordId], pageSize, bookmark));
  }

  /**
   * A user's transfers (as sender or recipient), access attempts, or requests
   * their gateway refused (kind `refusal`: RefusalRecords) with a time in
   * [from, to), oldest first, resolved to the records themselves.
   */
  @Transaction(false)
  @Returns('string')
  public async UserActivity(
    ctx: Context,
    userId: string,
    kind: string,
    from: string,
    to: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    validateUserId(userId);
    const activity = validateKind(kind, AUDITED_KINDS);
    const range = validateRange(from, to);
    const { record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'audit');
    return JSON.stringify(await activityPage(ctx, activity, userId, range, pageSize, bookmark));
  }

  /**
   * The caller's own records, for their inbox: transfers they sent or received
   * (kind `transfer`), grants made to them (`grant`, with their current status)
   * and their break-glass openings (`breakGlass`), with a time in [from, to),
   * oldest first. Nobody else's activity: an auditor uses UserActivity.
   */
  @Transaction(false)
  @Returns('string')
  public async MyActivity(
    ctx: Context,
    kind: string,
    from: string,
    to: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    const activity = validateKind(kind, OWN_KINDS);
    const range = validateRange(from, to);
    const { record: caller } = await activeUser(ctx);
    requirePermission(caller.role, 'readOwnActivity');
    return JSON.stringify(await activityPage(ctx, activity, caller.userId, range, pageSize, bookmark));
  }
}

const AUDITED_KINDS = ['transfer', 'access', 'refusal', 'query'] as const;
const OWN_KINDS = ['transfer', 'grant', 'breakGlass'] as const;

function validateKind<K extends string>(kind: string, kinds: readonly K[]): K {
  if (!(kinds as readonly string[]).includes(kind)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `kind must be ${kinds.join(', ').replace(/, (\w+)$/, ' or $1')}`,
    );
  }
  return kind as K;
}

function validateRange(from: string, to: string): { start: string; end: string } {
  const start = validateInstant('from', from);
  const end = validateInstant('to', to);
  if (start >= end) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'from must be before to');
  }
  return { start, end };
}

/** A page of one user's activity index in a time range, resolved to the records it points at. */
async function activityPage(
  ctx: Context,
  kind: ActivityKind,
  userId: string,
  { start, end }: { start: string; end: string },
  pageSize: number,
  bookmark: string,
): Promise<{ records: unknown[]; bookmark: string }> {
  const page = await readRangePage<{ recordId?: string; txId?: string }>(
    ctx,
    activityKey(kind, userId, start, ''),
    activityKey(kind, userId, end, ''),
    pageSize,
    bookmark,
  );
  const records: unknown[] = [];
  for (const { recordId = '', txId = '' } of page.records) {
    records.push(
      await requireRecord<unknown>(
        ctx,
        activityTarget(ctx, kind, userId, recordId, txId),
        `${kind} entry ${recordId || txId}`,
      ),
    );
  }
  return { records, bookmark: page.bookmark };
}

function activityTarget(
  ctx: Context,
  kind: ActivityKind,
  userId: string,
  recordId: string,
  txId: string,
): string {
  switch (kind) {
    case 'transfer':
      return keyOf(ctx, 'transfer', recordId);
    case 'access':
      return keyOf(ctx, 'access', recordId, txId);
    case 'refusal':
      return keyOf(ctx, 'refusal', txId);
    case 'grant':
      return keyOf(ctx, 'grant', recordId, userId);
    case 'breakGlass':
      return keyOf(ctx, 'break-glass', recordId, userId);
    case 'query':
      return keyOf(ctx, 'audit-query', txId);
  }
}
