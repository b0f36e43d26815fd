import assert from 'node:assert/strict';
import { CommanderError } from 'commander';
import { describe, it } from 'node:test';
import { ApiError } from '../../client/api-client';
import { KeyBackupError } from '../../client/key-backup';
import { EnvelopeError } from '../../envelope';
import { alertLines, renderExport } from './audit';
import { CliError, UsageError, describeFailure, failureLine } from './errors';
import { findAccount } from './operator';
import { emit, field, formatSize, table } from './output';
import { inboxItem, inboxLines, openingLines } from './records';

function sink() {
  let text = '';
  return {
    write(t: string) {
      text += t;
    },
    get text() {
      return text;
    },
  };
}

const ME = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('medshare output', () => {
  it('prints one JSON object with --json, else the lines', () => {
    const json = sink();
    emit(json, true, { recordId: 'r', size: 3 }, ['ignored']);
    assert.equal(json.text, '{"recordId":"r","size":3}\n');
    const human = sink();
    emit(human, false, { recordId: 'r' }, ['one', 'two']);
    assert.equal(human.text, 'one\ntwo\n');
    const empty = sink();
    emit(empty, false, {}, []);
    assert.equal(empty.text, '');
  });

  it('aligns tables and formats sizes', () => {
    assert.deepEqual(
      table([
        ['A', 'BB', 'C'],
        ['long', 'x', 'last column not padded'],
      ]),
      ['A     BB  C', 'long  x   last column not padded'],
    );
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(1023), '1023 B');
    assert.equal(formatSize(1536), '1.5 KiB');
    assert.equal(formatSize(3 * 1024 * 1024), '3.0 MiB');
    assert.equal(field({ a: 'x', n: 2, o: {} }, 'a'), 'x');
    assert.equal(field({ a: 'x', n: 2, o: {} }, 'n'), '2');
    assert.equal(field({ a: 'x', n: 2, o: {} }, 'o'), '');
    assert.equal(field(null, 'a'), '');
  });

  it('tells received transfers from sent ones in the inbox', () => {
    const received = inboxItem(
      'transfer',
      {
        recordId: 'r1',
        senderId: OTHER,
        recipientId: ME,
        createdAt: '2026-01-01T00:00:00.000Z',
        status: 'active',
      },
      ME,
    );
    assert.deepEqual(
      { d: received.direction, c: received.counterpartId, at: received.at },
      { d: 'received', c: OTHER, at: '2026-01-01T00:00:00.000Z' },
    );
    const sent = inboxItem('transfer', { recordId: 'r2', senderId: ME, recipientId: OTHER }, ME);
    assert.deepEqual([sent.direction, sent.counterpartId], ['sent', OTHER]);
    const grant = inboxItem(
      'grant',
      { recordId: 'r3', grantorId: OTHER, granteeId: ME, purpose: 'TREAT' },
      ME,
    );
    assert.deepEqual([grant.direction, grant.counterpartId], ['received', OTHER]);
    const opening = inboxItem('breakGlass', { recordId: 'r4', recipientId: OTHER, openedAt: 't' }, ME);
    assert.deepEqual([opening.direction, opening.at], ['opened', 't']);
    const lines = inboxLines([received, sent]);
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /^transfer\s+received\s+r1\s+b{64}/);
    assert.deepEqual(inboxLines([]), ['nothing yet']);
  });

  it('puts emergency openings of the caller\u2019s records above the inbox, and nothing when there is none', () => {
    assert.deepEqual(openingLines([]), []);
    const lines = openingLines([
      {
        recordId: 'r1',
        txId: 't1',
        doctorId: OTHER,
        doctorMspId: 'HospitalBMSP',
        reasonCode: 'UNCONSCIOUS',
        openedAt: '2026-12-07T10:00:00.000Z',
        until: '2026-12-07T10:30:00.000Z',
        keyReleasedAt: '2026-12-07T10:01:00.000Z',
      },
    ]);
    assert.equal(lines[0], 'EMERGENCY OPENINGS of your records (1):');
    assert.match(
      lines[2] ?? '',
      /^ {2}r1\s+b{64}\s+HospitalBMSP\s+2026-12-07T10:00:00.000Z\s+\S+\s+UNCONSCIOUS\s+released\s+pending$/,
    );
    assert.equal(lines.at(-1), '');
  });

  it('lists both kinds of alert auditors are told of', () => {
    const lines = alertLines([
      {
        kind: 'breakGlassLimit',
        at: 't1',
        doctorId: ME,
        doctorMspId: 'HospitalBMSP',
        recordId: 'r1',
        openings: 3,
        perDay: 3,
      },
      {
        kind: 'emergencyKeySet',
        at: 't2',
        mspId: 'HospitalAMSP',
        version: 2,
        threshold: 2,
        holders: ['h1', 'h2', 'h3'],
        approvedBy: ['h1', 'h2'],
      },
    ]);
    assert.match(
      lines[1] ?? '',
      /^t1\s+break-glass limit\s+a{64}\s+HospitalBMSP\s+record r1: 3 openings, limit 3$/,
    );
    assert.match(
      lines[2] ?? '',
      /^t2\s+emergency key set\s+h1,h2\s+HospitalAMSP\s+version 2: 2 of h1,h2,h3$/,
    );
  });

  it('finds an account by id, login or ledger id', () => {
    const account = {
      accountId: 'acc1',
      mspId: 'M',
      enrollmentId: 'patient1',
      role: 'patient',
      status: 'active',
      userId: ME,
      certificatePem: null,
      encryptionPublicKey: null,
      hasKeyBackup: false,
    };
    assert.equal(findAccount([account], 'acc1'), account);
    assert.equal(findAccount([account], 'patient1'), account);
    assert.equal(findAccount([account], ME), account);
    assert.throws(
      () => findAccount([account], 'nobody'),
      (e: unknown) => e instanceof CliError && e.code === 'NOT_FOUND',
    );
  });

  it('renders audit exports in each format', () => {
    assert.ok(renderExport('json', []).endsWith('\n'));
    assert.ok(renderExport('csv', []).startsWith('at,txId,kind'));
    assert.equal((JSON.parse(renderExport('fhir', [])) as { resourceType: string }).resourceType, 'Bundle');
  });
});

describe('medshare errors', () => {
  it('maps refusals to exit 1 with their code, usage errors to 2, help to 0', () => {
    assert.deepEqual(describeFailure(new ApiError(403, 'ACCESS_DENIED', 'no grant')), {
      code: 'ACCESS_DENIED',
      message: 'no grant',
      exitCode: 1,
    });
    assert.equal(
      describeFailure(new EnvelopeError('SEGMENT_AUTH_FAILED', 'altered')).code,
      'SEGMENT_AUTH_FAILED',
    );
    assert.equal(describeFailure(new KeyBackupError('wrong')).code, 'KEY_BACKUP_UNREADABLE');
    assert.deepEqual(describeFailure(new UsageError('give --to')), {
      code: 'USAGE',
      message: 'give --to',
      exitCode: 2,
    });
    assert.equal(
      describeFailure(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"))
        .exitCode,
      2,
    );
    assert.equal(
      describeFailure(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"))
        .message,
      "unknown command 'x'",
    );
    assert.equal(
      describeFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode,
      0,
    );
    assert.equal(
      describeFailure(new ApiError(401, 'NOT_SIGNED_IN', 'sign in first')).message,
      'run medshare login',
    );
    assert.equal(
      describeFailure(new ApiError(401, 'SESSION_EXPIRED', 'expired')).message,
      'the session has expired or was ended; run medshare login',
    );
  });

  it('prints one line, without stack or embedded newlines', () => {
    const failure = describeFailure(new Error('first\n  second'));
    assert.equal(failureLine('medshare', failure), 'medshare: ERROR: first; second\n');
    const unreachable = describeFailure(
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
    );
    assert.deepEqual([unreachable.code, unreachable.exitCode], ['GATEWAY_UNREACHABLE', 1]);
    const system = describeFailure(
      Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT' }),
    );
    assert.equal(system.message, "no such file or directory, open 'x'");
    assert.equal(describeFailure('a string').code, 'ERROR');
  });
});
