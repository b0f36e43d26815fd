import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { deviceIdOf, keyMatchesCertificate } from './certificate';
import { enrolDevice, type EnrolDeviceOptions } from './enrol';
import { DeviceError, type DeviceErrorCode } from './errors';
import { defaultKeyDir, loadDeviceIdentity } from './identity';
import {
  createTestCa,
  issueDeviceCertificate,
  issueFromCsr,
  type IssueOptions,
  type TestCa,
} from './testing';

/** How the stub gateway answers the next enrolment. */
type Behaviour =
  | { kind: 'issue'; options?: IssueOptions }
  | { kind: 'wrong-key' }
  | { kind: 'other-ca' }
  | { kind: 'status'; status: number; body: unknown };

interface Received {
  mspId: string;
  enrollmentId: string;
  secret: string;
  csr: string;
}

/** A stand-in for the gateway's POST /api/enrolments/device: it has the test CA certify the CSR. */
async function stubGateway(ca: TestCa, otherCa: TestCa) {
  const state: { behaviour: Behaviour; received: Received[] } = {
    behaviour: { kind: 'issue' },
    received: [],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || req.url !== '/api/enrolments/device') {
          reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received;
        state.received.push(body);
        const b = state.behaviour;
        if (body.secret !== 'enrol-pw') {
          reply(401, {
            error: { code: 'ENROLMENT_SECRET_INVALID', message: 'the enrolment secret is wrong' },
          });
        } else if (b.kind === 'issue') {
          const certificate = await issueFromCsr(ca, body.csr, b.options);
          reply(201, { certificate, caCertificate: ca.certificatePem });
        } else if (b.kind === 'wrong-key') {
          const someone = await issueDeviceCertificate(ca);
          reply(201, { certificate: someone.certificatePem, caCertificate: ca.certificatePem });
        } else if (b.kind === 'other-ca') {
          const certificate = await issueFromCsr(ca, body.csr);
          reply(201, { certificate, caCertificate: otherCa.certificatePem });
        } else {
          reply(b.status, b.body);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

describe('enrolDevice', () => {
  let ca: TestCa;
  let gateway: Awaited<ReturnType<typeof stubGateway>>;
  let dir: string;

  before(async () => {
    ca = await createTestCa('HospitalA');
    gateway = await stubGateway(ca, await createTestCa('HospitalA'));
  });
  after(async () => {
    await gateway.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medshare-device-'));
    gateway.state.behaviour = { kind: 'issue' };
    gateway.state.received = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const enrol = (overrides: Partial<EnrolDeviceOptions> = {}) =>
    enrolDevice({
      gatewayUrl: `${gateway.url}/`,
      mspId: 'HospitalAMSP',
      enrollmentId: 'ward3-pc',
      secret: 'enrol-pw',
      keyDir: join(dir, 'device'),
      ...overrides,
    });

  const rejectsWith = (pending: Promise<unknown>, code: DeviceErrorCode, message?: RegExp) =>
    assert.rejects(
      pending,
      (e: unknown) => e instanceof DeviceError && e.code === code && (!message || message.test(e.message)),
    );

  it('generates a key, has it certified, and writes the key directory', async () => {
    const identity = await enrol();
    const [request] = gateway.state.received;
    assert.ok(request);
    assert.equal(request.mspId, 'HospitalAMSP');
    assert.equal(request.enrollmentId, 'ward3-pc');
    assert.match(request.csr, /^-----BEGIN CERTIFICATE REQUEST-----/);

    const keyDir = join(dir, 'device');
    const certificate = new X509Certificate(await readFile(join(keyDir, 'device-cert.pem'), 'utf8'));
    assert.match(certificate.subject, /CN=ward3-pc/);
    assert.equal(identity.deviceId, deviceIdOf(certificate));
    assert.equal(await readFile(join(keyDir, 'ca.pem'), 'utf8'), ca.certificatePem);
    assert.deepEqual(JSON.parse(await readFile(join(keyDir, 'device.json'), 'utf8')), {
      mspId: 'HospitalAMSP',
      enrollmentId: 'ward3-pc',
      gatewayUrl: gateway.url,
      deviceId: identity.deviceId,
    });
    const key = await readFile(join(keyDir, 'device-key.pem'), 'utf8');
    assert.match(key, /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8');
    assert.equal((await stat(join(keyDir, 'device-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(keyDir)).mode & 0o077, 0, 'the directory is private too');

    const loaded = await loadDeviceIdentity(keyDir);
    assert.equal(loaded.deviceId, identity.deviceId);
    assert.equal(loaded.certificatePem, identity.certificatePem);
    assert.equal(keyMatchesCertificate(loaded.privateKey, certificate), true);
  });

  it('refuses to replace an existing key unless forced, before asking the gateway', async () => {
    const first = await enrol();
    await rejectsWith(enrol(), 'KEY_EXISTS', /--force/);
    assert.equal(gateway.state.received.length, 1, 'the secret was not spent');
    const second = await enrol({ force: true });
    assert.notEqual(second.deviceId, first.deviceId);
    assert.equal((await loadDeviceIdentity(join(dir, 'device'))).deviceId, second.deviceId);
  });

  it("reports the gateway's refusal and writes nothing", async () => {
    await rejectsWith(
      enrol({ secret: 'wrong' }),
      'ENROLMENT_REFUSED',
      /401 ENROLMENT_SECRET_INVALID.*secret is wrong/,
    );
    gateway.state.behaviour = { kind: 'status', status: 403, body: 'not json' };
    await rejectsWith(enrol(), 'ENROLMENT_REFUSED', /403 UNKNOWN/);
    gateway.state.behaviour = { kind: 'status', status: 502, body: {} };
    await rejectsWith(enrol(), 'GATEWAY_UNAVAILABLE', /502/);
    gateway.state.behaviour = { kind: 'status', status: 201, body: { certificate: 'x' } };
    await rejectsWith(enrol(), 'BAD_RESPONSE');
    await rejectsWith(loadDeviceIdentity(join(dir, 'device')), 'IDENTITY_INVALID', /enrol the device first/);
  });

  it('checks what the gateway returns before keeping it', async () => {
    gateway.state.behaviour = { kind: 'wrong-key' };
    await rejectsWith(enrol(), 'BAD_RESPONSE', /does not certify this device key/);
    gateway.state.behaviour = { kind: 'other-ca' };
    await rejectsWith(enrol(), 'BAD_RESPONSE', /not signed by the returned CA/);
    gateway.state.behaviour = { kind: 'issue', options: { attrs: { role: 'doctor' } } };
    await rejectsWith(enrol(), 'BAD_RESPONSE', /role=device/);
    await rejectsWith(loadDeviceIdentity(join(dir, 'device')), 'IDENTITY_INVALID');
  });

  it('reports an unreachable gateway', async () => {
    await rejectsWith(
      enrol({ gatewayUrl: 'http://127.0.0.1:1' }),
      'GATEWAY_UNAVAILABLE',
      /could not be reached/,
    );
  });

  it('refuses bad arguments without contacting the gateway', async () => {
    for (const overrides of [
      { gatewayUrl: 'http://gateway.example' },
      { gatewayUrl: 'not a url' },
      { gatewayUrl: 'https://user:pw@gateway.example' },
      { mspId: 'Hospital A' },
      { enrollmentId: 'CN=x,O=y' },
      { secret: '' },
    ]) {
      await rejectsWith(enrol(overrides), 'INVALID_ARGUMENT');
    }
    assert.equal(gateway.state.received.length, 0);
  });

  it('refuses to load a key others can read', async () => {
    await enrol();
    await chmod(join(dir, 'device', 'device-key.pem'), 0o644);
    await rejectsWith(loadDeviceIdentity(join(dir, 'device')), 'IDENTITY_INVALID', /chmod 600/);
  });

  it('defaults the key directory under XDG_CONFIG_HOME or ~/.config', () => {
    assert.equal(defaultKeyDir({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/medshare/device');
    assert.match(defaultKeyDir({}), /\/\.config\/medshare\/device$/);
    assert.match(defaultKeyDir({ XDG_CONFIG_HOME: '' }), /\/\.config\/medshare\/device$/);
  });
});
