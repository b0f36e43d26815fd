import { Command } from 'commander';
import { Readable } from 'node:stream';
import { breakGlassAlerts, closeReview, openReviews, recordTrail, userTrail } from '../../client/audit';
import { exportCsv, exportFhir, exportJson } from '../../client/audit-export';
import {
  auditRange,
  parseAuditFormat,
  parseFinding,
  parseIsoUtc,
  parseRecordId,
  parseReviewId,
  parseUserId,
  type AuditFormat,
} from './args';
import { withCommonOptions } from './common';
import { assertWritableTarget, writeFileAtomically } from './files';
import { emit, field, table } from './output';
import { readValueFile } from './prompt';
import { withWorkstation, type CommonOptions, type Runtime } from './workstation';

/** The text of an audit export in `format`. */
export function renderExport(format: AuditFormat, records: readonly unknown[]): string {
  switch (format) {
    case 'json':
      return ensureNewline(exportJson(records));
    case 'csv':
      return ensureNewline(exportCsv(records));
    case 'fhir':
      return `${JSON.stringify(exportFhir(records), null, 2)}\n`;
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

interface ExportOptions extends CommonOptions {
  format: AuditFormat;
  out?: string;
}

async function writeExport(
  what: Record<string, unknown>,
  records: readonly unknown[],
  options: ExportOptions,
  runtime: Runtime,
): Promise<void> {
  const text = renderExport(options.format, records);
  if (options.out === undefined) {
    // The export is the output: --json does not wrap it.
    runtime.out.write(text);
    return;
  }
  const written = await writeFileAtomically(Readable.from([Buffer.from(text, 'utf8')]), options.out);
  emit(
    runtime.out,
    options.json === true,
    { ...what, format: options.format, entries: records.length, out: written.path, sha256: written.sha256 },
    [`wrote ${records.length} ledger entries as ${options.format} to ${written.path}`],
  );
}

async function auditRecord(recordId: string, options: ExportOptions, runtime: Runtime): Promise<void> {
  if (options.out !== undefined) await assertWritableTarget(options.out);
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const records = await recordTrail(station.client, await station.keys(), recordId);
    await writeExport({ recordId }, records, options, runtime);
  });
}

interface UserExportOptions extends ExportOptions {
  from: string;
  to: string;
}

async function auditUser(userId: string, options: UserExportOptions, runtime: Runtime): Promise<void> {
  const range = auditRange(options.from, options.to);
  if (options.out !== undefined) await assertWritableTarget(options.out);
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const records = await userTrail(station.client, await station.keys(), userId, range);
    await writeExport({ userId, ...range }, records, options, runtime);
  });
}

/** Alerts as lines: openings over a doctor's daily limit, and emergency key sets taking effect. */
export function alertLines(found: readonly unknown[]): string[] {
  return table([
    ['AT', 'ALERT', 'WHO', 'ORGANISATION', 'DETAIL'],
    ...found.map((a) =>
      field(a, 'kind') === 'emergencyKeySet'
        ? [
            field(a, 'at'),
            'emergency key set',
            field(a, 'approvedBy'),
            field(a, 'mspId'),
            `version ${field(a, 'version')}: ${field(a, 'threshold')} of ${field(a, 'holders')}`,
          ]
        : [
            field(a, 'at'),
            'break-glass limit',
            field(a, 'doctorId'),
            field(a, 'doctorMspId'),
            `record ${field(a, 'recordId')}: ${field(a, 'openings')} openings, limit ${field(a, 'perDay')}`,
          ],
    ),
  ]);
}

async function alerts(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const found = await breakGlassAlerts(station.client, await station.keys());
    emit(
      runtime.out,
      options.json === true,
      { alerts: found },
      found.length === 0 ? ['no alerts'] : alertLines(found),
    );
  });
}

async function reviews(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const open = await openReviews(station.client, await station.keys());
    emit(
      runtime.out,
      options.json === true,
      { reviews: open },
      open.length === 0
        ? ['no open reviews']
        : table([
            ['REVIEW', 'RECORD', 'DOCTOR', 'REASON', 'OPENED'],
            ...open.map((r) => [
              field(r, 'reviewId'),
              field(r, 'recordId'),
              field(r, 'doctorId'),
              field(r, 'reasonCode'),
              field(r, 'openedAt'),
            ]),
          ]),
    );
  });
}

interface CloseOptions extends CommonOptions {
  finding: 'justified' | 'unjustified';
  noteFile: string;
}

async function closeReviewCommand(reviewId: string, options: CloseOptions, runtime: Runtime): Promise<void> {
  const note = await readValueFile(options.noteFile, 'note');
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const closed = await closeReview(station.client, await station.keys(), reviewId, options.finding, note);
    emit(runtime.out, options.json === true, { reviewId, finding: options.finding, ...closed }, [
      `closed review ${reviewId} as ${options.finding} (tx ${closed.txId}); note sha256 ${closed.noteHash}`,
    ]);
  });
}

/** `audit record|user|reviews|close-review`. */
export function auditCommand(runtime: Runtime): Command {
  const audit = new Command('audit').description('auditors: ledger trails, exports, break-glass reviews');
  const formatOption = [
    '--format <format>',
    'json, csv or fhir (a FHIR AuditEvent bundle)',
    parseAuditFormat,
    'json',
  ] as const;
  audit.addCommand(
    withCommonOptions(
      new Command('record')
        .description('every version of a record and every attempt on it')
        .argument('<record-id>', 'the record', parseRecordId)
        .option(...formatOption)
        .option('--out <file>', 'write the export here (default stdout)'),
    ).action((recordId: string, options: ExportOptions) => auditRecord(recordId, options, runtime)),
  );
  audit.addCommand(
    withCommonOptions(
      new Command('user')
        .description('a user\u2019s transfers, access attempts and refused requests in a time range')
        .argument('<user-id>', 'the user\u2019s ledger id', parseUserId)
        .requiredOption('--from <iso>', 'from this time (ISO 8601 UTC)', parseIsoUtc)
        .requiredOption('--to <iso>', 'until this time, excluded (ISO 8601 UTC)', parseIsoUtc)
        .option(...formatOption)
        .option('--out <file>', 'write the export here (default stdout)'),
    ).action((userId: string, options: UserExportOptions) => auditUser(userId, options, runtime)),
  );
  audit.addCommand(
    withCommonOptions(new Command('reviews').description('break-glass openings awaiting a finding')).action(
      (options: CommonOptions) => reviews(options, runtime),
    ),
  );
  audit.addCommand(
    withCommonOptions(
      new Command('alerts').description(
        'what auditors are told: break-glass openings refused for a doctor\u2019s daily limit, emergency key sets taking effect',
      ),
    ).action((options: CommonOptions) => alerts(options, runtime)),
  );
  audit.addCommand(
    withCommonOptions(
      new Command('close-review')
        .description(
          'close a break-glass review with a finding; only the note\u2019s hash goes on the ledger',
        )
        .argument('<review-id>', 'the review', parseReviewId)
        .requiredOption('--finding <finding>', 'justified or unjustified', parseFinding)
        .requiredOption('--note-file <file>', 'your note (kept by you; its SHA-256 goes on the ledger)'),
    ).action((reviewId: string, options: CloseOptions) => closeReviewCommand(reviewId, options, runtime)),
  );
  return audit;
}
