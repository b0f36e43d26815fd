import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { DeviceRegistry } from './device-registry';
import { DeviceCheckError } from './errors';
import type { PostureFacts } from './facts';
import { NonceBook } from './nonces';
import { parseDevicePolicy, type DevicePolicyInput } from './policy';
import { postureHash, signReport, type DeviceReport, type SignReportInput } from './report';
import { createTestCa, issueDeviceCertificate, sampleFacts, type TestCa, type TestDevice } from './testing';
import {
  assertDeviceCheck,
  verifyDeviceReport,
  type DeviceCheckFailure,
  type DeviceCheckInput,
} from './verify';

const MSP = 'HospitalAMSP';
const AUDIENCE = 'https://gateway.hospital-a.example';
const SESSION = 'session-1';
const DAY_MS = 86_400_000;

let ca: TestCa;
let otherCa: TestCa;
let device: TestDevice;

before(async () => {
  ca = await createTestCa('HospitalA');
  otherCa = await createTestCa('HospitalB');
  device = await issueDeviceCertificate(ca, { cn: 'dev1' });
});

/** A gateway with one enrolled device, a fixed clock, and helpers to sign and check reports. */
function gateway(policy: DevicePolicyInput = {}, revoked: readonly string[] = []) {
  let now = new Date();
  const registry = new DeviceRegistry(new Database(':memory:'));
  registry.add({ mspId: MSP, enrollmentId: 'dev1', certificatePem: device.certificatePem });
  const nonces = new NonceBook({ now: () => now.getTime() });
  const deps = {
    caCertificates: new Map([
      [MSP, [ca.certificatePem]],
      ['HospitalBMSP', [otherCa.certificatePem]],
    ]),
    revoked: (pem: string) => revoked.includes(pem),
    registry,
    policy: parseDevicePolicy(policy),
    now: () => now,
  };
  const nonce = (session = SESSION) => nonces.issue(session, 60_000).nonce;
  const sign = (overrides: Partial<SignReportInput> = {}, by: TestDevice = device): DeviceReport =>
    signReport({
      privateKey: by.privateKey,
      certificatePem: by.certificatePem,
      nonce: overrides.nonce ?? nonce(),
      audience: AUDIENCE,
      facts: sampleFacts(),
      collectedAt: now,
      ...overrides,
    });
  const check = (report: unknown, input: Partial<DeviceCheckInput> = {}) =>
    verifyDeviceReport(
      { report, mspId: MSP, sessionKey: SESSION, nonces, audience: AUDIENCE, ...input },
      deps,
    );
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { registry, nonces, sign, check, nonce, advance, now: () => now };
}

async function expectFailure(
  result: Promise<unknown>,
  code: DeviceCheckFailure['code'],
): Promise<DeviceCheckFailure> {
  const r = (await result) as DeviceCheckFailure;
  assert.equal(r.ok, false, `expected ${code}`);
  assert.equal(r.code, code, r.message);
  return r;
}

describe('verifyDeviceReport', () => {
  it('accepts a fresh report of an enrolled device and records that it was seen', async () => {
    const g = gateway({ requireDiskEncryption: 'required', requireFirewall: 'required' });
    const report = g.sign();
    const result = await g.check(JSON.parse(JSON.stringify(report)));
    assert.deepEqual(result, {
      ok: true,
      deviceId: device.deviceId,
      postureHash: postureHash(report),
      facts: (JSON.parse(report.payload) as { facts: PostureFacts }).facts,
      violations: [],
    });
    assert.equal(g.registry.get(device.deviceId)?.lastSeenAt, g.now().toISOString());
    assert.equal(assertDeviceCheck(result), result);
  });

  it('never throws for malformed input', async () => {
    const g = gateway();
    for (const junk of [undefined, null, 42, 'report', [], {}, { v: 1 }]) {
      await expectFailure(g.check(junk), 'MALFORMED_REPORT');
    }
    const report = g.sign();
    await expectFailure(g.check({ ...report, payload: '{"v":1' }), 'MALFORMED_REPORT');
    const garbled = report.certificate.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    const r = await expectFailure(g.check({ ...report, certificate: garbled }), 'MALFORMED_REPORT');
    assert.equal(r.postureHash, postureHash(report));
  });

  it('refuses a certificate from another CA, or for another organisation', async () => {
    const g = gateway();
    const stranger = await issueDeviceCertificate(otherCa, { cn: 'dev1' });
    const r = await expectFailure(g.check(g.sign({}, stranger)), 'CERTIFICATE_UNTRUSTED');
    assert.equal(r.deviceId, stranger.deviceId);
    await expectFailure(g.check(g.sign(), { mspId: 'HospitalBMSP' }), 'CERTIFICATE_UNTRUSTED');
    await expectFailure(g.check(g.sign(), { mspId: 'UnknownMSP' }), 'CERTIFICATE_UNTRUSTED');
  });

  it('refuses an expired or not yet valid certificate', async () => {
    const g = gateway();
    const expired = await issueDeviceCertificate(ca, {
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    g.registry.add({ mspId: MSP, enrollmentId: 'old', certificatePem: expired.certificatePem });
    await expectFailure(g.check(g.sign({}, expired)), 'CERTIFICATE_UNTRUSTED');
    const future = await issueDeviceCertificate(ca, { notBefore: new Date(Date.now() + DAY_MS) });
    await expectFailure(g.check(g.sign({}, future)), 'CERTIFICATE_UNTRUSTED');
  });

  it('refuses a certificate without role=device', async () => {
    const g = gateway();
    const doctor = await issueDeviceCertificate(ca, { cn: 'drsmith', attrs: { role: 'doctor' } });
    await expectFailure(g.check(g.sign({}, doctor)), 'NOT_A_DEVICE');
    const plain = await issueDeviceCertificate(ca, { cn: 'peer0', attrs: null });
    await expectFailure(g.check(g.sign({}, plain)), 'NOT_A_DEVICE');
  });

  it('refuses a device the registry does not know, or knows suspended', async () => {
    const g = gateway();
    const unenrolled = await issueDeviceCertificate(ca, { cn: 'dev2' });
    await expectFailure(g.check(g.sign({}, unenrolled)), 'DEVICE_UNKNOWN');
    g.registry.setStatus(device.deviceId, 'suspended');
    const r = await expectFailure(g.check(g.sign()), 'DEVICE_SUSPENDED');
    assert.equal(r.deviceId, device.deviceId);
  });

  it('refuses a device whose certificate its CA revoked, before the registry is asked', async () => {
    const g = gateway({}, [device.certificatePem]);
    const r = await expectFailure(g.check(g.sign()), 'DEVICE_REVOKED');
    assert.equal(r.deviceId, device.deviceId);
    assert.match(r.message, /revoked/);
  });

  it('refuses a forged or altered signature without using up the nonce', async () => {
    const g = gateway();
    const nonce = g.nonce();
    const thief = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const forged = signReport({
      privateKey: thief.privateKey,
      certificatePem: device.certificatePem,
      nonce,
      audience: AUDIENCE,
      facts: sampleFacts(),
      collectedAt: g.now(),
    });
    await expectFailure(g.check(forged), 'BAD_SIGNATURE');
    const honest = g.sign({ nonce, facts: sampleFacts({ diskEncryption: { value: false, source: 's' } }) });
    const altered = { ...honest, payload: honest.payload.replace('"value":false', '"value":true') };
    assert.notEqual(altered.payload, honest.payload);
    await expectFailure(g.check(altered), 'BAD_SIGNATURE');
    await expectFailure(g.check({ ...honest, signature: 'AAAA' }), 'BAD_SIGNATURE');
    assert.equal((await g.check(honest)).ok, true, 'the nonce is still good for the real report');
  });

  it('refuses a replayed, foreign, unknown or expired nonce', async () => {
    const g = gateway();
    const report = g.sign();
    assert.equal((await g.check(report)).ok, true);
    await expectFailure(g.check(report), 'NONCE_INVALID');
    await expectFailure(g.check(g.sign({ nonce: g.nonce('session-2') })), 'NONCE_INVALID');
    await expectFailure(g.check(g.sign({ nonce: 'B'.repeat(43) })), 'NONCE_INVALID');
    const late = g.sign();
    g.advance(61_000);
    await expectFailure(g.check(late), 'NONCE_INVALID');
  });

  it('refuses a report signed for another gateway, using up its nonce', async () => {
    const g = gateway();
    const nonce = g.nonce();
    await expectFailure(g.check(g.sign({ nonce, audience: 'https://evil.example' })), 'AUDIENCE_MISMATCH');
    await expectFailure(g.check(g.sign({ nonce })), 'NONCE_INVALID');
    assert.equal(
      (await g.check(g.sign(), { audience: `${AUDIENCE}/` })).ok,
      true,
      'origins compare normalised',
    );
  });

  it('refuses a stale report or one from the future', async () => {
    const g = gateway({ maxReportAgeSeconds: 60 });
    const at = (ms: number) => new Date(g.now().getTime() + ms);
    const stale = await expectFailure(g.check(g.sign({ collectedAt: at(-61_000) })), 'REPORT_STALE');
    assert.match(stale.message, /too old/);
    assert.equal((await g.check(g.sign({ collectedAt: at(-59_000) }))).ok, true);
    const future = await expectFailure(g.check(g.sign({ collectedAt: at(31_000) })), 'REPORT_STALE');
    assert.match(future.message, /future/);
    assert.equal((await g.check(g.sign({ collectedAt: at(29_000) }))).ok, true, 'clock skew is tolerated');
  });

  it('refuses a device that does not meet the policy, listing why', async () => {
    const g = gateway({
      requireDiskEncryption: 'required',
      requireFirewall: 'if-known',
      maxSecurityUpdateAgeDays: 7,
    });
    const report = g.sign({
      facts: sampleFacts({
        diskEncryption: { value: null, source: 'overlay' },
        firewall: { value: false, source: 'nft' },
        lastSecurityUpdate: { value: { at: new Date().toISOString(), ageDays: 12 }, source: 'dpkg' },
      }),
    });
    const result = await g.check(report);
    const failure = await expectFailure(Promise.resolve(result), 'POLICY_FAILED');
    assert.deepEqual(
      failure.violations.map((v) => v.code),
      ['SECURITY_UPDATES_STALE', 'FACT_UNKNOWN', 'FIREWALL_OFF'],
    );
    assert.equal(failure.deviceId, device.deviceId);
    assert.equal(failure.postureHash, postureHash(report));
    assert.equal(g.registry.get(device.deviceId)?.lastSeenAt, null, 'only passing checks count as seen');
    assert.throws(() => assertDeviceCheck(result), { name: 'DeviceCheckError' });
    assert.throws(
      () => assertDeviceCheck(result),
      (error: unknown) =>
        error instanceof DeviceCheckError &&
        error.code === 'POLICY_FAILED' &&
        Array.isArray(error.details.violations) &&
        error.details.deviceId === device.deviceId &&
        error.details.postureHash === postureHash(report),
    );
  });
});
