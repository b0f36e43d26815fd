import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import {
  auditRange,
  defaultPurpose,
  grantExpiry,
  parseAgentUrl,
  parseCode,
  parseDays,
  parseGatewayUrl,
  parseInboxKind,
  parseInvitableRole,
  parseIsoUtc,
  parseMediaType,
  parseMinutes,
  parsePurpose,
  parseReason,
  parseRecordId,
  parseUserId,
} from './args';
import { UsageError } from './errors';

const invalid = (f: () => unknown) => {
  assert.throws(f, InvalidArgumentError);
};

describe('medshare argument parsing', () => {
  it('takes media types as the chaincode does', () => {
    assert.equal(parseMediaType('application/dicom'), 'application/dicom');
    invalid(() => parseMediaType('Application/DICOM'));
    invalid(() => parseMediaType('dicom'));
  });

  it('takes only the ledger\u2019s purposes, reasons, roles and kinds', () => {
    assert.equal(parsePurpose('ETREAT'), 'ETREAT');
    invalid(() => parsePurpose('treat'));
    assert.equal(parseReason('LIFE_THREATENING'), 'LIFE_THREATENING');
    invalid(() => parseReason('BORED'));
    assert.equal(parseInvitableRole('auditor'), 'auditor');
    invalid(() => parseInvitableRole('admin'));
    invalid(() => parseInvitableRole('device'));
    assert.equal(parseInboxKind('breakGlass'), 'breakGlass');
    invalid(() => parseInboxKind('access'));
    assert.equal(defaultPurpose('patient'), 'PATRQT');
    assert.equal(defaultPurpose('doctor'), 'TREAT');
    assert.equal(defaultPurpose('technologist'), 'TREAT');
  });

  it('checks ids and codes', () => {
    assert.equal(parseRecordId('abcdefghijklmnop'), 'abcdefghijklmnop');
    invalid(() => parseRecordId('short'));
    invalid(() => parseRecordId('has/slash/in/it/too'));
    const hex = 'a'.repeat(64);
    assert.equal(parseUserId(hex), hex);
    invalid(() => parseUserId('A'.repeat(64)));
    invalid(() => parseUserId('a'.repeat(63)));
    assert.equal(parseCode('123 456'), '123456');
    invalid(() => parseCode('12345'));
    invalid(() => parseCode('abcdef'));
  });

  it('bounds minutes and days', () => {
    assert.equal(parseMinutes('1'), 1);
    assert.equal(parseMinutes('240'), 240);
    invalid(() => parseMinutes('0'));
    invalid(() => parseMinutes('241'));
    invalid(() => parseMinutes('1.5'));
    invalid(() => parseMinutes('-3'));
    assert.equal(parseDays('366'), 366);
    invalid(() => parseDays('367'));
  });

  it('normalises ISO times to whole seconds and refuses others', () => {
    assert.equal(parseIsoUtc('2027-01-31T12:00:00Z'), '2027-01-31T12:00:00Z');
    assert.equal(parseIsoUtc('2027-01-31T12:00:00.999Z'), '2027-01-31T12:00:00Z');
    invalid(() => parseIsoUtc('2027-01-31'));
    invalid(() => parseIsoUtc('2027-01-31T12:00:00+01:00'));
    invalid(() => parseIsoUtc('2027-13-31T12:00:00Z'));
  });

  it('computes a grant\u2019s expiry from exactly one of --days and --until', () => {
    const now = new Date('2026-03-01T10:00:00.500Z');
    assert.equal(grantExpiry({ days: 7 }, now), '2026-03-08T10:00:00Z');
    assert.equal(grantExpiry({ until: '2026-04-01T00:00:00Z' }, now), '2026-04-01T00:00:00Z');
    assert.throws(() => grantExpiry({}, now), UsageError);
    assert.throws(() => grantExpiry({ days: 1, until: '2026-04-01T00:00:00Z' }, now), UsageError);
    assert.throws(() => grantExpiry({ until: '2026-02-01T00:00:00Z' }, now), UsageError);
    assert.deepEqual(auditRange('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), {
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
    assert.throws(() => auditRange('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'), UsageError);
  });

  it('wants https for the gateway except on loopback', () => {
    assert.equal(parseGatewayUrl('https://gw.hospital-a.example/'), 'https://gw.hospital-a.example');
    assert.equal(parseGatewayUrl('http://localhost:8443'), 'http://localhost:8443');
    assert.equal(parseGatewayUrl('http://127.0.0.1:8443/base//'), 'http://127.0.0.1:8443/base');
    invalid(() => parseGatewayUrl('http://gw.hospital-a.example'));
    invalid(() => parseGatewayUrl('https://user:pw@gw.example'));
    invalid(() => parseGatewayUrl('not a url'));
    assert.equal(parseAgentUrl('http://127.0.0.1:7391/'), 'http://127.0.0.1:7391');
    invalid(() => parseAgentUrl('ftp://127.0.0.1'));
  });
});
