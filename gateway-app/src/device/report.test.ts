import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { DeviceCheckError, DeviceError } from './errors';
import { NonceBook } from './nonces';
import { MAX_REPORT_BYTES, parseReport, postureHash, signReport, type DeviceReport } from './report';
import { createTestCa, issueDeviceCertificate, sampleFacts, type TestDevice } from './testing';

const AUDIENCE = 'https://gateway.hospital-a.example';

describe('device reports', () => {
  let device: TestDevice;
  let nonce: string;
  before(async () => {
    device = await issueDeviceCertificate(await createTestCa());
    nonce = new NonceBook().issue('s', 60_000).nonce;
  });

  const sign = (overrides: Partial<Parameters<typeof signReport>[0]> = {}) =>
    signReport({
      privateKey: device.privateKey,
      certificatePem: device.certificatePem,
      nonce,
      audience: AUDIENCE,
      facts: sampleFacts(),
      collectedAt: new Date('2026-03-01T12:00:00.000Z'),
      ...overrides,
    });

  const expectMalformed = (raw: unknown, pattern: RegExp) => {
    assert.throws(
      () => parseReport(raw),
      (error: unknown) =>
        error instanceof DeviceCheckError && error.code === 'MALFORMED_REPORT' && pattern.test(error.message),
    );
  };

  it('round-trips through JSON and parses back to what was signed', () => {
    const report = sign();
    const parsed = parseReport(JSON.parse(JSON.stringify(report)));
    assert.deepEqual(parsed.report, report);
    assert.deepEqual(parsed.payload, {
      v: 1,
      nonce,
      audience: AUDIENCE,
      collectedAt: '2026-03-01T12:00:00.000Z',
      facts: sampleFacts({ lastSecurityUpdate: parsed.payload.facts.lastSecurityUpdate }),
    });
    assert.equal(report.v, 1);
    assert.equal(report.certificate, device.certificatePem);
  });

  it('signs the UTF-8 payload with ECDSA P-256 SHA-256 in DER', () => {
    const report = sign();
    const ok = verify(
      'sha256',
      Buffer.from(report.payload, 'utf8'),
      { key: device.privateKey, dsaEncoding: 'der' },
      Buffer.from(report.signature, 'base64'),
    );
    assert.equal(ok, true);
    assert.equal(Buffer.from(report.signature, 'base64')[0], 0x30, 'a DER SEQUENCE');
  });

  it('hashes the payload bytes for the ledger', () => {
    const report = sign();
    assert.equal(postureHash(report), createHash('sha256').update(report.payload, 'utf8').digest('hex'));
    assert.match(postureHash(report), /^[0-9a-f]{64}$/);
    assert.notEqual(
      postureHash(sign({ collectedAt: new Date('2026-03-01T12:00:01Z') })),
      postureHash(report),
    );
  });

  it('refuses to sign what the gateway would not parse', () => {
    for (const overrides of [
      { nonce: 'short' },
      { audience: 'https://gw.example/path' },
      { audience: 'gw' },
    ]) {
      assert.throws(
        () => sign(overrides),
        (error: unknown) => error instanceof DeviceError && error.code === 'INVALID_ARGUMENT',
      );
    }
    const facts = sampleFacts({ kernel: { value: 'k'.repeat(1000), source: 'os.release()' } });
    assert.throws(() => sign({ facts }), /facts\.kernel\.value/);
  });

  it('rejects anything that is not a strict, bounded report', () => {
    const report = sign();
    expectMalformed(null, /report/);
    expectMalformed('a string', /report/);
    expectMalformed({ ...report, v: 2 }, /^v:/);
    expectMalformed({ ...report, extra: 1 }, /Unrecognized key/);
    expectMalformed({ ...report, signature: 'not base64!' }, /^signature:/);
    expectMalformed({ ...report, signature: 'A'.repeat(200) }, /^signature:/);
    expectMalformed({ ...report, certificate: `junk\n${report.certificate}` }, /^certificate:/);
    expectMalformed({ ...report, certificate: report.certificate + report.certificate }, /^certificate:/);
    expectMalformed({ ...report, payload: 'x'.repeat(MAX_REPORT_BYTES) }, /^payload:/);
  });

  it('rejects a payload that is not JSON or not strictly a payload', () => {
    const report = sign();
    const payload = JSON.parse(report.payload) as Record<string, unknown>;
    const withPayload = (p: unknown): DeviceReport => ({ ...report, payload: JSON.stringify(p) });
    expectMalformed({ ...report, payload: '{not json' }, /payload: not JSON/);
    expectMalformed(withPayload({ ...payload, extra: true }), /^payload: Unrecognized key/);
    expectMalformed(withPayload({ ...payload, nonce: 'abc' }), /^payload\.nonce:/);
    expectMalformed(withPayload({ ...payload, audience: 'https://gw.example/x' }), /^payload\.audience:/);
    expectMalformed(withPayload({ ...payload, collectedAt: 'yesterday' }), /^payload\.collectedAt:/);
    expectMalformed(
      withPayload({ ...payload, facts: { ...(payload.facts as object), hostname: 'ward-3-pc' } }),
      /^payload\.facts: Unrecognized key/,
    );
    expectMalformed(
      withPayload({
        ...payload,
        facts: { ...(payload.facts as object), firewall: { value: 'yes', source: '' } },
      }),
      /^payload\.facts\.firewall\.value:/,
    );
  });
});
