import { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { myRecords, type InboxKind } from '../../client/audit';
import { breakGlass, type EmergencyReason } from '../../client/break-glass';
import { emergencyOpenings, type EmergencyOpeningNotice } from '../../client/emergency-openings';
import { grantAccess, sendRecord } from '../../client/flows';
import { callLedger } from '../../client/ledger-call';
import {
  INBOX_KINDS,
  grantExpiry,
  parseAgentUrl,
  parseDays,
  parseDirectoryRole,
  parseInboxKind,
  parseIsoUtc,
  parseMediaType,
  parseMinutes,
  parseMspId,
  parsePurpose,
  parseReason,
  parseRecordId,
  parseUserId,
  type Purpose,
} from './args';
import { withAgentOption, withCommonOptions } from './common';
import { assertWritableTarget, deidentifiedFiles, filesToSend, writeFileAtomically } from './files';
import { emit, field, formatSize, table } from './output';
import { verifiedDirectory } from '../../client/directory-check';
import { organisationName } from '../../trust/organisation-name';
import { labelText } from '../../client/label-text';
import { openLabel, type RecordLabel } from '../../envelope/record-label';
import { fileLabel } from './label';
import { openFromWorkstation } from './open-record';
import { readValueFile } from './prompt';
import { deviceAgentOf, withWorkstation, type CommonOptions, type Runtime } from './workstation';

interface DirectoryOptions extends CommonOptions {
  role?: string;
  msp?: string;
}

async function directory(options: DirectoryOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const listed = await station.client.directory({
      ...(options.role ? { role: options.role } : {}),
      ...(options.msp ? { mspId: options.msp } : {}),
    });
    // Each name checked against the ledger's verified registry: the gateway's word is not enough; the
    // organisation named from the trust bundle this workstation pinned.
    const keys = await station.keys();
    const users = (await verifiedDirectory(listed, station.client, keys)).map((u) => ({
      userId: u.userId,
      mspId: u.mspId,
      organisation: organisationName(keys.trust, u.mspId),
      enrollmentId: u.enrollmentId,
      role: u.role,
    }));
    emit(
      runtime.out,
      options.json === true,
      { users },
      users.length === 0
        ? ['nobody matches']
        : table([
            ['USER ID', 'ORGANISATION', 'LOGIN', 'ROLE'],
            ...users.map((u) => [u.userId, u.organisation, u.enrollmentId, u.role]),
          ]),
    );
  });
}

interface SendOptions extends CommonOptions {
  to: string;
  mediaType?: string;
  agent?: string;
  deidentify?: boolean;
}

async function send(files: string[], options: SendOptions, runtime: Runtime): Promise<void> {
  const checked = await filesToSend(files, options.mediaType);
  // De-identified here, all files before the first is sent: one that cannot be stops the command first.
  const inputs = options.deidentify ? await deidentifiedFiles(checked) : checked;
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const keys = await station.keys();
    const agent = deviceAgentOf(options.agent, runtime.env);
    const sent: Record<string, unknown>[] = [];
    for (const { file, size, mediaType, bytes } of inputs) {
      const result = await sendRecord(station.client, keys, agent, {
        recipientId: options.to,
        label: await fileLabel(file, size, mediaType, bytes),
        // Streamed from disk and encrypted on the way: the file is never read whole (unless de-identified).
        plaintext: bytes
          ? new Blob([bytes]).stream()
          : (Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>),
        size,
        mediaType,
      });
      sent.push({ file, ...result, size, mediaType });
      if (!options.json) {
        runtime.out.write(
          `${file}: record ${result.recordId} tx ${result.txId} cid ${result.cid} (${formatSize(size)}, ${mediaType})\n`,
        );
      }
    }
    if (options.json) emit(runtime.out, true, { sent }, []);
  });
}

/** One line of the inbox: what a ledger record is to the caller. */
export interface InboxItem {
  kind: InboxKind;
  /** `received` or `sent` for transfers, `received` or `given` for grants, `opened` for break-glass. */
  direction: string;
  recordId: string;
  /** The other party: sender or recipient, grantor or grantee, or the record's recipient. */
  counterpartId: string;
  at: string;
  record: unknown;
  /** A transfer's label, opened on this workstation (sealed for the sender and the recipient only). */
  label?: RecordLabel;
}

/** Describes a record of `kind` from `myRecords` as seen by user `me`. */
export function inboxItem(kind: InboxKind, record: unknown, me: string): InboxItem {
  const recordId = field(record, 'recordId');
  switch (kind) {
    case 'transfer': {
      const received = field(record, 'recipientId') === me;
      return {
        kind,
        direction: received ? 'received' : 'sent',
        recordId,
        counterpartId: field(record, received ? 'senderId' : 'recipientId'),
        at: field(record, 'createdAt'),
        record,
      };
    }
    case 'grant': {
      const received = field(record, 'granteeId') === me;
      return {
        kind,
        direction: received ? 'received' : 'given',
        recordId,
        counterpartId: field(record, received ? 'grantorId' : 'granteeId'),
        at: field(record, 'createdAt'),
        record,
      };
    }
    case 'breakGlass':
      return {
        kind,
        direction: 'opened',
        recordId,
        counterpartId: field(record, 'recipientId'),
        at: field(record, 'openedAt'),
        record,
      };
  }
}

function inboxDetail(item: InboxItem): string {
  const r = item.record;
  switch (item.kind) {
    case 'transfer':
      return item.label ? `${field(r, 'status')} · ${labelText(item.label)}` : field(r, 'status');
    case 'grant':
      return `${field(r, 'purpose')} until ${field(r, 'expiresAt')} ${field(r, 'status')}`;
    case 'breakGlass':
      return `until ${field(r, 'expiresAt')}${field(r, 'keyReleasedAt') ? ', key released' : ''}`;
  }
}

/** The inbox as lines. */
export function inboxLines(items: readonly InboxItem[]): string[] {
  if (items.length === 0) return ['nothing yet'];
  return table([
    ['KIND', 'DIRECTION', 'RECORD', 'WITH', 'AT', 'DETAIL'],
    ...items.map((i) => [i.kind, i.direction, i.recordId, i.counterpartId, i.at, inboxDetail(i)]),
  ]);
}

/** The notice of emergency openings of the caller's records, above the inbox; nothing when there is none. */
export function openingLines(openings: readonly EmergencyOpeningNotice[]): string[] {
  if (openings.length === 0) return [];
  return [
    `EMERGENCY OPENINGS of your records (${String(openings.length)}):`,
    ...table([
      ['  RECORD', 'DOCTOR', 'ORG', 'OPENED', 'UNTIL', 'REASON', 'KEY', 'REVIEW'],
      ...openings.map((o) => [
        `  ${o.recordId}`,
        o.doctorId,
        o.doctorMspId,
        o.openedAt,
        o.until || '-',
        o.reasonCode,
        o.keyReleasedAt ? 'released' : 'not released',
        o.finding ?? 'pending',
      ]),
    ]),
    '',
  ];
}

interface InboxOptions extends CommonOptions {
  kind?: InboxKind;
}

async function inbox(options: InboxOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const keys = await station.keys();
    const items: InboxItem[] = [];
    for (const kind of options.kind ? [options.kind] : INBOX_KINDS) {
      for (const record of await myRecords(station.client, keys, kind)) {
        items.push(inboxItem(kind, record, keys.userId));
      }
    }
    for (const item of items) {
      const sealed = item.kind === 'transfer' ? field(item.record, 'label') : '';
      const label = sealed ? await openLabel(sealed, item.recordId, keys) : undefined;
      if (label) item.label = label;
    }
    items.sort((a, b) => a.at.localeCompare(b.at));
    // Break-glass openings of records the caller received stand out above the list.
    const received = items.filter((i) => i.kind === 'transfer' && i.direction === 'received');
    const openings = await emergencyOpenings(
      station.client,
      keys,
      received.map((i) => i.recordId),
    );
    emit(runtime.out, options.json === true, { records: items, emergencyOpenings: openings }, [
      ...openingLines(openings),
      ...inboxLines(items),
    ]);
  });
}

interface OpenOptions extends CommonOptions {
  out: string;
  purpose?: Purpose;
  agent?: string;
}

async function openCommand(recordId: string, options: OpenOptions, runtime: Runtime): Promise<void> {
  await assertWritableTarget(options.out);
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const { purpose, opened } = await openFromWorkstation(station, recordId, options, runtime);
    const written = await writeFileAtomically(opened.plaintext, options.out);
    const { envelope } = opened;
    emit(
      runtime.out,
      options.json === true,
      {
        recordId,
        purpose,
        accessTxId: opened.accessTxId,
        out: written.path,
        sha256: written.sha256,
        size: written.size,
        mediaType: envelope.mediaType,
        senderId: envelope.senderId,
        ...(envelope.metadata ? { metadata: envelope.metadata } : {}),
      },
      [
        `opened ${recordId} for ${purpose} (access tx ${opened.accessTxId})`,
        `wrote ${written.path}: ${formatSize(written.size)}, ${envelope.mediaType}, from ${envelope.senderId}`,
        `sha256 ${written.sha256}`,
      ],
    );
  });
}

interface GrantOptions extends CommonOptions {
  to: string;
  purpose: Purpose;
  days?: number;
  until?: string;
  agent?: string;
}

async function grant(recordId: string, options: GrantOptions, runtime: Runtime): Promise<void> {
  const expiresAt = grantExpiry(options);
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const { txId } = await grantAccess(
      station.client,
      await station.keys(),
      deviceAgentOf(options.agent, runtime.env),
      { recordId, granteeId: options.to, purpose: options.purpose, expiresAt },
    );
    emit(
      runtime.out,
      options.json === true,
      { recordId, granteeId: options.to, purpose: options.purpose, expiresAt, txId },
      [`granted ${options.to} ${options.purpose} access to ${recordId} until ${expiresAt} (tx ${txId})`],
    );
  });
}

interface RevokeOptions extends CommonOptions {
  from: string;
}

async function revoke(recordId: string, options: RevokeOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const { txId } = await callLedger(station.client, await station.keys(), 'access:RevokeGrant', [
      recordId,
      options.from,
    ]);
    emit(runtime.out, options.json === true, { recordId, granteeId: options.from, txId }, [
      `revoked ${options.from}'s access to ${recordId} (tx ${txId})`,
    ]);
  });
}

interface BreakGlassOptions extends CommonOptions {
  reason: EmergencyReason;
  justificationFile: string;
  minutes: number;
  agent?: string;
}

async function breakGlassCommand(
  recordId: string,
  options: BreakGlassOptions,
  runtime: Runtime,
): Promise<void> {
  const justification = await readValueFile(options.justificationFile, 'justification');
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const opening = await breakGlass(
      station.client,
      await station.keys(),
      deviceAgentOf(options.agent, runtime.env),
      { recordId, reasonCode: options.reason, justification, durationMinutes: options.minutes },
    );
    emit(runtime.out, options.json === true, { recordId, reasonCode: options.reason, ...opening }, [
      `break-glass opened on ${recordId} until ${opening.expiresAt} (tx ${opening.txId})`,
      `review ${opening.reviewId}; justification sha256 ${opening.justificationHash} (keep the text)`,
      'the recipient organisation\u2019s emergency service must release the key; then run',
      `  medshare open ${recordId} --purpose ETREAT --out FILE`,
    ]);
  });
}

/** `directory`, `send`, `inbox`, `open`, `grant`, `revoke`, `break-glass`. */
export function recordCommands(runtime: Runtime): Command[] {
  const directoryCommand = withCommonOptions(
    new Command('directory')
      .description('people you can send to: ledger id, organisation, login and role')
      .option('--role <role>', 'only this role', parseDirectoryRole)
      .option('--msp <id>', 'only this organisation', parseMspId),
  ).action((options: DirectoryOptions) => directory(options, runtime));

  const sendCommand = withAgentOption(
    withCommonOptions(
      new Command('send')
        .description('encrypt files here and send each as one record (streamed from disk)')
        .argument('<file...>', 'the files to send')
        .requiredOption(
          '--to <user-id>',
          'the recipient\u2019s ledger id (see medshare directory)',
          parseUserId,
        )
        .option(
          '--media-type <type>',
          'media type of every file (default: from the extension)',
          parseMediaType,
        )
        .option(
          '--deidentify',
          'de-identify DICOM files here first (PS3.15 Basic Profile, UIDs replaced consistently across the files)',
        ),
    ),
    parseAgentUrl,
  ).action((files: string[], options: SendOptions) => send(files, options, runtime));

  const inboxCommand = withCommonOptions(
    new Command('inbox')
      .description('your records: transfers received and sent, grants to you, your break-glass openings')
      .option('--kind <kind>', 'only transfer, grant or breakGlass', parseInboxKind),
  ).action((options: InboxOptions) => inbox(options, runtime));

  const openCmd = withAgentOption(
    withCommonOptions(
      new Command('open')
        .description('open a record: the access is recorded on the ledger, the content decrypted here')
        .argument('<record-id>', 'the record', parseRecordId)
        .requiredOption('--out <file>', 'where to write the decrypted content (replaced only once complete)')
        .option(
          '--purpose <purpose>',
          'TREAT, PATRQT, CAREMGT, HOPERAT or ETREAT (default PATRQT for patients, else TREAT)',
          parsePurpose,
        ),
    ),
    parseAgentUrl,
  ).action((recordId: string, options: OpenOptions) => openCommand(recordId, options, runtime));

  const grantCommand = withAgentOption(
    withCommonOptions(
      new Command('grant')
        .description('give a doctor access to one of your records, for a purpose and a time')
        .argument('<record-id>', 'the record', parseRecordId)
        .requiredOption('--to <doctor-id>', 'the doctor\u2019s ledger id', parseUserId)
        .requiredOption('--purpose <purpose>', 'TREAT, PATRQT, CAREMGT, HOPERAT or ETREAT', parsePurpose)
        .option('--days <n>', 'for this many days (at most 366)', parseDays)
        .option('--until <iso>', 'until this time, e.g. 2027-01-31T12:00:00Z', parseIsoUtc),
    ),
    parseAgentUrl,
  ).action((recordId: string, options: GrantOptions) => grant(recordId, options, runtime));

  const revokeCommand = withCommonOptions(
    new Command('revoke')
      .description('end a doctor\u2019s access to one of your records at once')
      .argument('<record-id>', 'the record', parseRecordId)
      .requiredOption('--from <doctor-id>', 'the doctor\u2019s ledger id', parseUserId),
  ).action((recordId: string, options: RevokeOptions) => revoke(recordId, options, runtime));

  const breakGlassCmd = withAgentOption(
    withCommonOptions(
      new Command('break-glass')
        .description('emergency access to a record you have no grant for (reviewed by auditors)')
        .argument('<record-id>', 'the record', parseRecordId)
        .requiredOption('--reason <code>', 'UNCONSCIOUS, LIFE_THREATENING, URGENT_CARE or OTHER', parseReason)
        .requiredOption(
          '--justification-file <file>',
          'your written justification (kept by your hospital; only its hash goes on the ledger)',
        )
        .requiredOption('--minutes <n>', 'how long the opening lasts, 1 to 240', parseMinutes),
    ),
    parseAgentUrl,
  ).action((recordId: string, options: BreakGlassOptions) => breakGlassCommand(recordId, options, runtime));

  return [directoryCommand, sendCommand, inboxCommand, openCmd, grantCommand, revokeCommand, breakGlassCmd];
}
