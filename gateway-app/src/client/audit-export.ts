import type {
  AccessEvent,
  AttestationSummary,
  BreakGlassRecord,
  EmergencyReason,
  HistoryEntry,
  Purpose,
  RecordEvent,
  RefusalAction,
  RefusalRecord,
  ReviewRecord,
  TransferRecord,
} from 'medshare-chaincode';
import { z } from 'zod';
import { utf8 } from '../envelope/bytes';

/** The kind of ledger entry an {@link AuditRow} comes from. */
export type AuditKind =
  'transfer' | 'access' | 'refusal' | 'breakGlass' | 'review' | 'grant' | 'revoke' | 'keyRelease' | 'erasure';

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

/** Thrown when an input is not an audit record the chaincode writes; `index` is its position in the input. */
export class AuditExportError extends Error {
  override readonly name = 'AuditExportError';
  readonly code = 'INVALID_AUDIT_RECORD';
  /** The offending record's position in the input; undefined when the input is not a list. */
  readonly index: number | undefined;

  constructor(index: number | undefined, problem: string) {
    super(index === undefined ? problem : `audit record ${index}: ${problem}`);
    this.index = index;
  }
}

/** A FHIR R4 Coding. */
export interface FhirCoding {
  system: string;
  code: string;
  display: string;
}

/** A FHIR R4 CodeableConcept. */
export interface FhirCodeableConcept {
  coding?: FhirCoding[];
  text?: string;
}

/** A FHIR R4 Identifier. */
export interface FhirIdentifier {
  system: string;
  value: string;
}

/** A FHIR R4 AuditEvent, as {@link exportFhir} writes it. */
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  type: FhirCoding;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4';
  outcomeDesc?: string;
  purposeOfEvent?: FhirCodeableConcept[];
  agent: {
    type?: FhirCodeableConcept;
    who: { identifier: FhirIdentifier } | { display: string };
    requestor: boolean;
  }[];
  source: { observer: { display: string }; type: FhirCoding[] };
  entity: {
    what: { identifier: FhirIdentifier };
    type: FhirCoding;
    role?: FhirCoding;
    detail?: { type: string; valueString: string }[];
  }[];
}

/** A FHIR R4 Bundle of type `collection` holding AuditEvents (no `entry` when there are none: FHIR forbids empty arrays). */
export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'collection';
  timestamp: string;
  entry?: { resource: FhirAuditEvent }[];
}

const HEX_64 = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const hex64 = z.string().regex(HEX_64, 'must be 64 lower-case hex characters');
const recordId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a record id: 16 to 64 letters, digits, "_" or "-"');
const instant = z
  .string()
  .regex(ISO_UTC, 'must be an ISO 8601 UTC time')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 UTC time');
const mspId = z.string().min(1, 'must not be empty');
const purpose = z.enum(['TREAT', 'PATRQT', 'CAREMGT', 'HOPERAT', 'ETREAT']) satisfies z.ZodType<Purpose>;
const emergencyReason = z.enum([
  'UNCONSCIOUS',
  'LIFE_THREATENING',
  'URGENT_CARE',
  'OTHER',
]) satisfies z.ZodType<EmergencyReason>;
const refusalAction = z.enum([
  'send',
  'access',
  'breakGlass',
  'login',
  'grant',
]) satisfies z.ZodType<RefusalAction>;

const attestationSchema = z.object({
  gatewayId: hex64,
  deviceId: hex64,
  postureHash: hex64,
  factorHash: hex64,
  nonce: z.string(),
}) satisfies z.ZodType<AttestationSummary>;

const transferSchema = z.object({
  docType: z.literal('transfer'),
  recordId,
  senderId: hex64,
  senderMspId: mspId,
  recipientId: hex64,
  recipientMspId: mspId,
  contentHash: hex64,
  status: z.enum(['active', 'erasing', 'erased']),
  createdAt: instant,
  updatedAt: instant,
  txId: hex64,
  attestation: attestationSchema.optional(),
}) satisfies z.ZodType<TransferRecord>;

const accessSchema = z.object({
  docType: z.literal('access'),
  recordId,
  txId: hex64,
  userId: hex64,
  mspId,
  role: z.string(),
  purpose: purpose.optional(),
  outcome: z.enum(['granted', 'denied']),
  reason: z.string(),
  at: instant,
  attestation: attestationSchema.optional(),
  refusedBy: hex64.optional(),
  refusedAction: refusalAction.optional(),
}) satisfies z.ZodType<AccessEvent>;

const refusalSchema = z.object({
  docType: z.literal('refusal'),
  txId: hex64,
  userId: hex64,
  mspId,
  action: refusalAction,
  recordId: recordId.optional(),
  code: z.string().min(1, 'must not be empty'),
  reason: z.string(),
  evidenceHash: hex64.optional(),
  gatewayId: hex64,
  at: instant,
}) satisfies z.ZodType<RefusalRecord>;

const breakGlassSchema = z.object({
  docType: z.literal('break-glass'),
  recordId,
  doctorId: hex64,
  doctorMspId: mspId,
  recipientId: hex64,
  recipientMspId: mspId,
  reasonCode: emergencyReason,
  justificationHash: hex64,
  openedAt: instant,
  expiresAt: instant,
  txId: hex64,
  keyReleasedAt: instant.optional(),
  attestation: attestationSchema.optional(),
}) satisfies z.ZodType<BreakGlassRecord>;

const reviewSchema = z
  .object({
    docType: z.literal('review'),
    reviewId: hex64,
    recordId,
    doctorId: hex64,
    reasonCode: emergencyReason,
    justificationHash: hex64,
    openedAt: instant,
    status: z.enum(['open', 'closed']),
    finding: z.enum(['justified', 'unjustified']).optional(),
    closedBy: hex64.optional(),
    closedAt: instant.optional(),
    noteHash: hex64.optional(),
    attestation: attestationSchema.optional(),
  })
  .refine(
    (review) =>
      review.status === 'open' ||
      (review.finding !== undefined && review.closedBy !== undefined && review.closedAt !== undefined),
    { error: 'a closed review must have finding, closedBy and closedAt', path: ['status'] },
  ) satisfies z.ZodType<ReviewRecord>;

const historySchema = z.object({
  txId: hex64,
  at: instant,
  isDelete: z.boolean(),
  record: z.unknown().optional(),
}) satisfies z.ZodType<HistoryEntry>;

type FhirAction = FhirAuditEvent['action'];

/** A row and the FHIR action it stands for, which the row itself does not say (a transfer's erasure). */
interface Entry {
  row: AuditRow;
  action: FhirAction;
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

function parse<T>(schema: z.ZodType<T>, value: unknown, index: number, prefix: string[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new AuditExportError(index, problems.join('; '));
}

function transferEntry(transfer: TransferRecord, version?: { txId: string; at: string }): Entry {
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

function accessEntry(event: AccessEvent): Entry {
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
    return { action: 'E', row: { ...row, gatewayId: event.refusedBy } };
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

function refusalEntry(refusal: RefusalRecord): Entry {
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
  };
}

function breakGlassEntry(opening: BreakGlassRecord): Entry {
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

function reviewEntry(review: ReviewRecord): Entry {
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

const recordEventSchema = z.object({
  docType: z.literal('record-event'),
  recordId,
  kind: z.enum(['grant', 'revoke', 'breakGlass', 'keyRelease', 'review', 'erasure']),
  txId: hex64,
  at: instant,
  actorId: hex64,
  actorMspId: mspId,
  subjectId: z.union([hex64, z.literal('')]),
  detail: z.string().max(200),
}) satisfies z.ZodType<RecordEvent>;

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
      return 'auditor';
    case 'erasure':
      return event.detail === 'confirmed' || event.detail === 'approved' ? 'admin' : '';
  }
}

/** A step in a record's trail (audit:RecordEvents): a grant, a revocation, an opening, a key release, a review. */
function recordEventEntry(event: RecordEvent): Entry {
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

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

function entriesOf(value: unknown, index: number): Entry[] {
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
        `docType ${describeValue(docType)} is not an audit record (expected transfer, access, refusal, break-glass, review, record-event or a history entry)`,
      );
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type TextField = Exclude<keyof AuditRow, 'emergency'>;

/** One row from several versions of the same entry, whatever order they came in. */
function mergeEntries(entries: readonly [Entry, ...Entry[]]): Entry {
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
  return {
    action,
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
};

function compareRows(a: AuditRow, b: AuditRow): number {
  return (
    compareText(a.at, b.at) ||
    compareText(a.txId, b.txId) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareText(a.recordId, b.recordId)
  );
}

function normalise(records: readonly unknown[]): Entry[] {
  if (!Array.isArray(records)) {
    throw new AuditExportError(undefined, 'the audit records must be an array');
  }
  const groups = new Map<string, [Entry, ...Entry[]]>();
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
  return normalise(records).map((entry) => entry.row);
}

function sortKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)),
  );
}

/**
 * The rows of {@link toAuditRows} as `{ generatedFrom: 'medshare-ledger', rows }`:
 * keys sorted, 2-space indent, trailing newline, so that the same records give
 * the same bytes whatever their order.
 */
export function exportJson(records: readonly unknown[]): string {
  return `${JSON.stringify({ generatedFrom: 'medshare-ledger', rows: toAuditRows(records) }, sortKeys, 2)}\n`;
}

// A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/**
 * The rows of {@link toAuditRows} as RFC 4180 CSV: a header of the
 * {@link AUDIT_ROW_FIELDS}, CRLF line endings (also after the last row), fields
 * quoted when they hold a comma, quote, CR or LF. A field starting with `=`,
 * `+`, `-`, `@`, tab or CR gets a leading `'` so that a spreadsheet shows it as
 * text instead of running it.
 */
export function exportCsv(records: readonly unknown[]): string {
  const lines = [AUDIT_ROW_FIELDS.join(',')];
  for (const row of toAuditRows(records)) {
    lines.push(AUDIT_ROW_FIELDS.map((field) => csvField(String(row[field]))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE: Record<AuditKind, FhirCoding> = {
  transfer: { system: DCM, code: '110106', display: 'Export' },
  access: { system: DCM, code: '110110', display: 'Patient Record' },
  refusal: { system: DCM, code: '110110', display: 'Patient Record' },
  breakGlass: { system: DCM, code: '110113', display: 'Security Alert' },
  review: { system: DCM, code: '110113', display: 'Security Alert' },
  grant: { system: DCM, code: '110136', display: 'Security Roles Changed' },
  revoke: { system: DCM, code: '110136', display: 'Security Roles Changed' },
  keyRelease: { system: DCM, code: '110113', display: 'Security Alert' },
  erasure: { system: DCM, code: '110105', display: 'DICOM Study Deleted' },
};
const PURPOSE_DISPLAY: Record<Purpose, string> = {
  TREAT: 'treatment',
  PATRQT: 'patient requested',
  CAREMGT: 'care management',
  HOPERAT: 'healthcare operations',
  ETREAT: 'Emergency Treatment',
};
const SOURCE_ROLE: FhirCodeableConcept = {
  coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }],
};
const DESTINATION_ROLE: FhirCodeableConcept = {
  coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }],
};
const APPLICATION_SERVER: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  code: '4',
  display: 'Application Server',
};
const SYSTEM_OBJECT: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  code: '2',
  display: 'System Object',
};
const DOMAIN_RESOURCE: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/object-role',
  code: '4',
  display: 'Domain Resource',
};
const KIND_TAG: Record<AuditKind, string> = {
  transfer: 'tr',
  access: 'ac',
  refusal: 'rf',
  breakGlass: 'bg',
  review: 'rv',
  grant: 'gr',
  revoke: 'rk',
  keyRelease: 'kr',
  erasure: 'er',
};

function roleType(role: string): FhirCodeableConcept | undefined {
  switch (role) {
    case '':
      return undefined;
    case 'doctor':
      return {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
            code: 'doctor',
            display: 'Doctor',
          },
        ],
        text: role,
      };
    case 'patient':
      return {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PAT', display: 'patient' },
        ],
        text: role,
      };
    default:
      return { text: role };
  }
}

// Not a security hash: it only keeps ids short and distinct, synchronously and without WebCrypto.
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of utf8(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** `<kind>-<first 40 hex of txId>-<hash of kind, txId, recordId>`: 60 characters of [a-z0-9-]. */
function auditEventId(row: AuditRow): string {
  return `${KIND_TAG[row.kind]}-${row.txId.slice(0, 40)}-${fnv1a64(`${row.kind}\n${row.txId}\n${row.recordId}`)}`;
}

function auditEvent({ row, action }: Entry): FhirAuditEvent {
  const actorType =
    roleType(row.actorRole) ?? (row.kind === 'transfer' && action === 'C' ? SOURCE_ROLE : undefined);
  const agent: FhirAuditEvent['agent'] = [
    {
      ...(actorType === undefined ? {} : { type: actorType }),
      who:
        row.actorId === ''
          ? {
              display: `${row.actorRole || 'user'} of ${row.actorMspId || 'an unknown organisation'}, not named on the ledger`,
            }
          : { identifier: { system: 'urn:medshare:user', value: row.actorId } },
      requestor: true,
    },
  ];
  if (row.counterpartId !== '' && row.counterpartId !== row.actorId) {
    const type = row.kind === 'transfer' ? DESTINATION_ROLE : roleType('doctor');
    agent.push({
      ...(type === undefined ? {} : { type }),
      who: { identifier: { system: 'urn:medshare:user', value: row.counterpartId } },
      requestor: false,
    });
  }
  const detail = (['deviceId', 'postureHash', 'factorHash', 'gatewayId'] as const)
    .filter((field) => row[field] !== '')
    .map((field) => ({ type: field, valueString: row[field] }));
  const entity: FhirAuditEvent['entity'] = [];
  if (row.recordId !== '') {
    entity.push({
      what: { identifier: { system: 'urn:medshare:record', value: row.recordId } },
      type: SYSTEM_OBJECT,
      role: DOMAIN_RESOURCE,
    });
  }
  entity.push({
    what: { identifier: { system: 'urn:medshare:fabric-tx', value: row.txId } },
    type: SYSTEM_OBJECT,
    ...(detail.length === 0 ? {} : { detail }),
  });
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(row),
    type: EVENT_TYPE[row.kind],
    action,
    recorded: row.at,
    outcome: row.outcome === 'denied' ? '4' : '0',
    ...(row.reason === '' ? {} : { outcomeDesc: row.reason }),
    ...(row.purpose === ''
      ? {}
      : {
          purposeOfEvent: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                  code: row.purpose,
                  display: PURPOSE_DISPLAY[row.purpose],
                },
              ],
            },
          ],
        }),
    agent,
    source: {
      observer: { display: row.actorMspId === '' ? 'medshare-ledger' : row.actorMspId },
      type: [APPLICATION_SERVER],
    },
    entity,
  };
}

/**
 * The rows of {@link toAuditRows} as a FHIR R4 Bundle (type `collection`) of
 * AuditEvents, one per row, after the IHE BALP and DICOM audit conventions: DICOM
 * event types (Export for a transfer, Patient Record for an access or refusal,
 * Security Alert for a break-glass opening or review), action C for a transfer
 * (D for its erasure), R for an access, E for the rest, outcome 0 or 4 (denied),
 * the purpose of use as a v3 ActReason, the actor (and a transfer's recipient or
 * a review's doctor) as agents, and the record and ledger transaction as
 * entities, the attestation hashes as the transaction's details. Ids are stable:
 * derived from kind, transaction and record. `generatedAt` (ISO 8601 UTC, default
 * now) is the Bundle's timestamp.
 */
export function exportFhir(records: readonly unknown[], options: { generatedAt?: string } = {}): FhirBundle {
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  if (!ISO_UTC.test(generatedAt) || Number.isNaN(Date.parse(generatedAt))) {
    throw new RangeError('generatedAt must be an ISO 8601 UTC time such as 2026-01-31T12:00:00Z');
  }
  const entry = normalise(records).map((item) => ({ resource: auditEvent(item) }));
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date(generatedAt).toISOString(),
    ...(entry.length === 0 ? {} : { entry }),
  };
}
