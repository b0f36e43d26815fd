import type {
  AccessEvent,
  AttestationSummary,
  AuditQuery,
  BreakGlassRecord,
  Purpose,
  RecordEvent,
  RefusalAction,
  RefusalRecord,
  ReviewRecord,
  TransferRecord,
} from 'medshare-chaincode';
import { AuditExportError } from './errors';
import {
  accessSchema,
  auditQuerySchema,
  breakGlassSchema,
  historySchema,
  parse,
  recordEventSchema,
  refusalSchema,
  reviewSchema,
  transferSchema,
} from './schemas';

/** The kind of ledger entry an {@link AuditRow} comes from. */
export type AuditKind =
  | 'transfer'
  | 'access'
  | 'refusal'
  | 'breakGlass'
  | 'review'
  | 'grant'
  | 'revoke'
  | 'keyRelease'
  | 'erasure'
  | 'query';

/**
 * One audit event, normalised from any of the chaincode's audit records. Every
 * field is always present; what the ledger does not say is ''.
 */
export interface AuditRow {
  /** When, as ISO 8601 UTC with milliseconds. */
  at: string;
  /** The transaction that wrote the entry; for a review, the break-glass opening's (its review id). */
  txId: string;
  kind: AuditKind;
  /** The record concerned, or '' (a refused login). */
  recordId: string;
  /**
   * The user who acted: the sender, the reader, the refused user, the doctor
   * who broke the glass, or the auditor who closed a review. '' for an
   * erasure, whose admin the ledger does not name.
   */
  actorId: string;
  actorMspId: string;
  /** The actor's role when the ledger records or implies it (only doctors break the glass, only auditors close reviews). */
  actorRole: string;
  /** The recipient of a transfer, the doctor of a review, else ''. */
  counterpartId: string;
  /** The purpose of use given for an access; `ETREAT` for a break-glass opening. */
  purpose: Purpose | '';
  /** `granted` or `denied` for an access, `denied` for a refusal, `recorded` for the rest. */
  outcome: 'granted' | 'denied' | 'recorded';
  /** Why access was granted or denied, what was refused and why, or what happened. */
  reason: string;
  /**
   * A break-glass opening, its review, or an access either made for emergency
   * treatment (`ETREAT`) or granted under a break-glass opening.
   */
  emergency: boolean;
  /** The actor's enrolled device, from the gateway attestation. */
  deviceId: string;
  /** The device report the gateway accepted, or for a refusal the one it refused (its evidence hash). */
  postureHash: string;
  factorHash: string;
  /** The gateway that attested the request, or that refused it. */
  gatewayId: string;
}

/** The {@link AuditRow} fields, in CSV column order. */
export const AUDIT_ROW_FIELDS = [
  'at',
  'txId',
  'kind',
  'recordId',
  'actorId',
  'actorMspId',
  'actorRole',
  'counterpartId',
  'purpose',
  'outcome',
  'reason',
  'emergency',
  'deviceId',
  'postureHash',
  'factorHash',
  'gatewayId',
] as const satisfies readonly (keyof AuditRow)[];

/** What an event did to its object, as DICOM and FHIR audit records say: create, read, update, delete, execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** A row and the action it stands for, which the row itself does not say (a transfer's erasure). */
export interface AuditEntry {
  row: AuditRow;
  action: AuditAction;
  /** For a refusal, what was refused (a sign-in, a send…), which the row says only in words. */
  refused?: RefusalAction;
}

type RowCore = Omit<AuditRow, 'deviceId' | 'postureHash' | 'factorHash' | 'gatewayId'>;

function makeRow(core: RowCore, attestation: AttestationSummary | undefined): AuditRow {
  return {
    ...core,
    at: new Date(core.at).toISOString(),
    deviceId: attestation?.deviceId ?? '',
    postureHash: attestation?.postureHash ?? '',
    factorHash: attestation?.factorHash ?? '',
    gatewayId: attestation?.gatewayId ?? '',
  };
}

function transferEntry(transfer: TransferRecord, version?: { txId: string; at: string }): AuditEntry {
  const txId = version?.txId ?? transfer.txId;
  const at = version?.at ?? transfer.createdAt;
  const common = {
    at,
    txId,
    kind: 'transfer',
    recordId: transfer.recordId,
    counterpartId: transfer.recipientId,
    purpose: '',
    outcome: 'recorded',
    emergency: false,
  } as const;
  if (txId === transfer.txId) {
    return {
      action: 'C',
      row: makeRow(
        {
          ...common,
          actorId: transfer.senderId,
          actorMspId: transfer.senderMspId,
          actorRole: '',
          reason: `sent to ${transfer.recipientMspId}`,
        },
        transfer.attestation,
      ),
    };
  }
  // A later version of the entry: only the erasure contract rewrites it (its steps, with who
  // took them, are in the record's trail as erasure events).
  const erased = transfer.status === 'erased';
  return {
    action: erased ? 'D' : 'U',
    row: makeRow(
      {
        ...common,
        actorId: '',
        actorMspId: erased ? transfer.recipientMspId : '',
        actorRole: erased ? 'admin' : '',
        reason: erased
          ? `erased (storage cleared, envelopes purged)`
          : transfer.status === 'erasing'
            ? 'erasure approved: nobody may read it any more'
            : `record entry changed (status ${transfer.status})`,
      },
      undefined,
    ),
  };
}

function accessEntry(event: AccessEvent): AuditEntry {
  if (event.refusedBy !== undefined) {
    // Written by RecordRefusal alongside a RefusalRecord of the same transaction: kind and
    // reason match refusalEntry's so that the two collapse into one row.
    const row = makeRow(
      {
        at: event.at,
        txId: event.txId,
        kind: 'refusal',
        recordId: event.recordId,
        actorId: event.userId,
        actorMspId: event.mspId,
        actorRole: event.role,
        counterpartId: '',
        purpose: '',
        outcome: 'denied',
        reason: event.refusedAction === undefined ? event.reason : `${event.refusedAction} ${event.reason}`,
        emergency: false,
      },
      undefined,
    );
    return {
      action: 'E',
      row: { ...row, gatewayId: event.refusedBy },
      ...(event.refusedAction === undefined ? {} : { refused: event.refusedAction }),
    };
  }
  return {
    action: 'R',
    row: makeRow(
      {
        at: event.at,
        txId: event.txId,
        kind: 'access',
        recordId: event.recordId,
        actorId: event.userId,
        actorMspId: event.mspId,
        actorRole: event.role,
        counterpartId: '',
        purpose: event.purpose ?? '',
        outcome: event.outcome,
        reason: event.reason,
        emergency: event.purpose === 'ETREAT' || /break-glass/i.test(event.reason),
      },
      event.attestation,
    ),
  };
}

function refusalEntry(refusal: RefusalRecord): AuditEntry {
  const row = makeRow(
    {
      at: refusal.at,
      txId: refusal.txId,
      kind: 'refusal',
      recordId: refusal.recordId ?? '',
      actorId: refusal.userId,
      actorMspId: refusal.mspId,
      actorRole: '',
      counterpartId: '',
      purpose: '',
      outcome: 'denied',
      reason: `${refusal.action} refused by gateway: ${refusal.code}: ${refusal.reason}`,
      emergency: false,
    },
    undefined,
  );
  return {
    action: 'E',
    row: { ...row, postureHash: refusal.evidenceHash ?? '', gatewayId: refusal.gatewayId },
    refused: refusal.action,
  };
}

function breakGlassEntry(opening: BreakGlassRecord): AuditEntry {
  return {
    action: 'E',
    row: makeRow(
      {
        at: opening.openedAt,
        txId: opening.txId,
        kind: 'breakGlass',
        recordId: opening.recordId,
        actorId: opening.doctorId,
        actorMspId: opening.doctorMspId,
        actorRole: 'doctor',
        counterpartId: '',
        purpose: 'ETREAT',
        outcome: 'recorded',
        // Not keyReleasedAt: the key release rewrites the same entry, which must stay one row.
        reason: `break-glass ${opening.reasonCode} until ${new Date(opening.expiresAt).toISOString()}`,
        emergency: true,
      },
      opening.attestation,
    ),
  };
}

function reviewEntry(review: ReviewRecord): AuditEntry {
  const common = {
    txId: review.reviewId,
    kind: 'review',
    recordId: review.recordId,
    actorMspId: '',
    counterpartId: review.doctorId,
    purpose: '',
    outcome: 'recorded',
    emergency: true,
  } as const;
  if (review.status === 'closed' && review.closedBy !== undefined && review.closedAt !== undefined) {
    // The attestation on a review is the doctor's, so it does not describe the auditor's act.
    return {
      action: 'E',
      row: makeRow(
        {
          ...common,
          at: review.closedAt,
          actorId: review.closedBy,
          actorRole: 'auditor',
          reason: `review closed: ${review.finding ?? 'no finding'} (break-glass ${review.reasonCode})`,
        },
        undefined,
      ),
    };
  }
  // An open review is written by the doctor's BreakGlass transaction itself.
  return {
    action: 'E',
    row: makeRow(
      {
        ...common,
        at: review.openedAt,
        actorId: review.doctorId,
        actorRole: 'doctor',
        reason: `review open: break-glass ${review.reasonCode}`,
      },
      review.attestation,
    ),
  };
}

/** Who takes each step; '' where the ledger entry does not say (an erasure's request and completion). */
function eventRole(event: RecordEvent): string {
  switch (event.kind) {
    case 'grant':
    case 'revoke':
      return 'patient';
    case 'breakGlass':
      return 'doctor';
    case 'keyRelease':
      return 'admin';
    case 'review':
    case 'query':
      return 'auditor';
    case 'erasure':
      return event.detail === 'confirmed' || event.detail === 'approved' ? 'admin' : '';
  }
}

/** A step in a record's trail (audit:RecordEvents): a grant, a revocation, an opening, a key release, a review. */
function recordEventEntry(event: RecordEvent): AuditEntry {
  const emergency = event.kind === 'breakGlass' || event.kind === 'keyRelease' || event.kind === 'review';
  const what: Record<RecordEvent['kind'], string> = {
    grant: `access granted: ${event.detail}`,
    revoke: 'access revoked',
    breakGlass: `break-glass ${event.detail}`,
    keyRelease:
      event.detail === 'released' || event.detail === ''
        ? 'emergency key released'
        : `emergency key share contributed (${event.detail})`,
    review: `review closed: ${event.detail}`,
    erasure: `erasure ${event.detail}`,
    query: `${event.detail || 'trail'} queried`,
  };
  return {
    action: event.kind === 'grant' ? 'C' : event.kind === 'revoke' || event.kind === 'erasure' ? 'D' : 'E',
    row: makeRow(
      {
        at: event.at,
        txId: event.txId,
        kind: event.kind,
        recordId: event.recordId,
        actorId: event.actorId,
        actorMspId: event.actorMspId,
        actorRole: eventRole(event),
        counterpartId: event.subjectId,
        purpose: event.kind === 'breakGlass' ? 'ETREAT' : '',
        outcome: 'recorded',
        reason: what[event.kind],
        emergency,
      },
      undefined,
    ),
  };
}

/** An auditor's query of a user's activity (audit:RecordQuery, subject `user`). */
function queryEntry(query: AuditQuery): AuditEntry {
  return {
    action: 'E',
    row: makeRow(
      {
        at: query.at,
        txId: query.txId,
        kind: 'query',
        recordId: '',
        actorId: query.auditorId,
        actorMspId: query.auditorMspId,
        actorRole: 'auditor',
        counterpartId: query.subjectId,
        purpose: '',
        outcome: 'recorded',
        reason: `activity queried from ${query.from} to ${query.to}`,
        emergency: false,
      },
      undefined,
    ),
  };
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

function entriesOf(value: unknown, index: number): AuditEntry[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuditExportError(index, `must be an object, not ${value === null ? 'null' : typeof value}`);
  }
  const { docType } = value as { docType?: unknown };
  switch (docType) {
    case 'transfer':
      return [transferEntry(parse(transferSchema, value, index))];
    case 'access':
      return [accessEntry(parse(accessSchema, value, index))];
    case 'refusal':
      return [refusalEntry(parse(refusalSchema, value, index))];
    case 'break-glass':
      return [breakGlassEntry(parse(breakGlassSchema, value, index))];
    case 'review':
      return [reviewEntry(parse(reviewSchema, value, index))];
    case 'record-event':
      return [recordEventEntry(parse(recordEventSchema, value, index))];
    case 'audit-query':
      return [queryEntry(parse(auditQuerySchema, value, index))];
    case undefined: {
      if (!('isDelete' in value)) {
        throw new AuditExportError(
          index,
          'has no docType and is not a history entry {txId, at, isDelete, record?}',
        );
      }
      const entry = parse(historySchema, value, index);
      if (entry.isDelete) return [];
      if (entry.record === undefined) {
        throw new AuditExportError(
          index,
          'record: a history entry that is not a deletion must hold the record',
        );
      }
      const transfer = parse(transferSchema, entry.record, index, ['record']);
      return [transferEntry(transfer, { txId: entry.txId, at: entry.at })];
    }
    default:
      throw new AuditExportError(
        index,
        `docType ${describeValue(docType)} is not an audit record (expected transfer, access, refusal, break-glass, review, record-event, audit-query or a history entry)`,
      );
  }
}

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type TextField = Exclude<keyof AuditRow, 'emergency'>;

/** One row from several versions of the same entry, whatever order they came in. */
function mergeEntries(entries: readonly [AuditEntry, ...AuditEntry[]]): AuditEntry {
  // A later version supersedes (a closed review its open one); versions of the same moment
  // complete each other (a refusal from the access trail has the role, its RefusalRecord the evidence).
  const latest = entries.reduce((at, entry) => (entry.row.at > at ? entry.row.at : at), entries[0].row.at);
  const current = entries.filter((entry) => entry.row.at === latest);
  const [first] = current;
  if (first === undefined || current.length === 1) return first ?? entries[0];
  const rows = current.map((entry) => entry.row);
  const pick = <K extends TextField>(field: K): AuditRow[K] => {
    let best = first.row[field];
    for (const row of rows) {
      const value = row[field];
      if (best === '' || (value !== '' && value < best)) best = value;
    }
    return best;
  };
  const action = current.map((entry) => entry.action).sort(compareText)[0] ?? first.action;
  const refused = current.find((entry) => entry.refused !== undefined)?.refused;
  return {
    action,
    ...(refused === undefined ? {} : { refused }),
    row: {
      at: pick('at'),
      txId: pick('txId'),
      kind: pick('kind'),
      recordId: pick('recordId'),
      actorId: pick('actorId'),
      actorMspId: pick('actorMspId'),
      actorRole: pick('actorRole'),
      counterpartId: pick('counterpartId'),
      purpose: pick('purpose'),
      outcome: pick('outcome'),
      reason: pick('reason'),
      emergency: rows.some((row) => row.emergency),
      deviceId: pick('deviceId'),
      postureHash: pick('postureHash'),
      factorHash: pick('factorHash'),
      gatewayId: pick('gatewayId'),
    },
  };
}

const KIND_ORDER: Record<AuditKind, number> = {
  transfer: 0,
  access: 1,
  refusal: 2,
  breakGlass: 3,
  review: 4,
  grant: 5,
  revoke: 6,
  keyRelease: 7,
  erasure: 8,
  query: 9,
};

function compareRows(a: AuditRow, b: AuditRow): number {
  return (
    compareText(a.at, b.at) ||
    compareText(a.txId, b.txId) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareText(a.recordId, b.recordId)
  );
}

/**
 * The entries of {@link toAuditRows}, each with its {@link AuditAction}, for exports that say what was
 * done (FHIR).
 */
export function auditEntries(records: readonly unknown[]): AuditEntry[] {
  if (!Array.isArray(records)) {
    throw new AuditExportError(undefined, 'the audit records must be an array');
  }
  const groups = new Map<string, [AuditEntry, ...AuditEntry[]]>();
  records.forEach((record: unknown, index) => {
    for (const entry of entriesOf(record, index)) {
      const key = `${entry.row.kind}\n${entry.row.txId}\n${entry.row.recordId}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [entry]);
      else group.push(entry);
    }
  });
  return [...groups.values()].map(mergeEntries).sort((a, b) => compareRows(a.row, b.row));
}

/**
 * Validates audit records as the chaincode's queries return them (TransferRecord,
 * AccessEvent, RefusalRecord, BreakGlassRecord, ReviewRecord, or a RecordHistory
 * entry wrapping a TransferRecord version) and normalises them to rows sorted by
 * time, then transaction. Rows with the same kind, transaction and record are one
 * event: the latest version wins, and versions of the same moment are merged (a
 * gateway refusal appears both in the access trail and as a RefusalRecord). A
 * history entry of a deletion, which holds no record, gives no row. Throws
 * {@link AuditExportError} for anything else.
 */
export function toAuditRows(records: readonly unknown[]): AuditRow[] {
  return auditEntries(records).map((entry) => entry.row);
}
