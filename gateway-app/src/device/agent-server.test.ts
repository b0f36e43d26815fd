import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startAgentServer, type AgentServer } from './agent-server';
import { DeviceRegistry } from './device-registry';
import { DeviceError } from './errors';
import { NonceBook } from './nonces';
import { parseDevicePolicy } from './policy';
import type { DeviceReport } from './report';
import { createTestCa, issueDeviceCertificate, sampleFacts, type TestCa, type TestDevice } from './testing';
import { verifyDeviceReport } from './verify';

const GATEWAY = 'https://gateway.hospital-a.example';
const WEB_APP = 'https://app.hospital-a.example';
const EVIL = 'https://evil.example';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('device agent server', () => {
  let ca: TestCa;
  let device: TestDevice;
  let server: AgentServer;
  let collected = 0;

  before(async () => {
    ca = await createTestCa('HospitalA');
    device = await issueDeviceCertificate(ca);
    server = await startAgentServer({
      identity: device,
      port: 0,
      allowedOrigins: [GATEWAY, `${WEB_APP}/`],
      collect: () => {
        collected++;
        return Promise.resolve(sampleFacts());
      },
    });
  });

  after(async () => {
    await server.close();
  });

  const postReport = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('listens on 127.0.0.1 and answers its health check', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0);
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('signs a freshly collected report that the gateway accepts', async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: device.certificatePem });
    const nonces = new NonceBook();
    const deps = {
      caCertificates: new Map([['HospitalAMSP', [ca.certificatePem]]]),
      registry,
      policy: parseDevicePolicy({ requireDiskEncryption: 'required' }),
      now: () => new Date(),
    };
    const before = collected;
    for (let i = 0; i < 2; i++) {
      const { nonce } = nonces.issue('session', 30_000);
      const response = await postReport(JSON.stringify({ nonce, audience: GATEWAY }), { origin: WEB_APP });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), WEB_APP);
      assert.match(response.headers.get('vary') ?? '', /Origin/);
      const report = (await response.json()) as DeviceReport;
      const result = await verifyDeviceReport(
        { report, mspId: 'HospitalAMSP', sessionKey: 'session', nonces, audience: GATEWAY },
        deps,
      );
      assert.equal(result.ok, true, result.ok ? '' : result.message);
    }
    assert.equal(collected - before, 2, 'collected for every report');
  });

  it('serves clients that send no Origin (command-line clients) without CORS headers', async () => {
    const nonce = new NonceBook().issue('s', 30_000).nonce;
    const response = await postReport(JSON.stringify({ nonce, audience: GATEWAY }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('refuses other origins', async () => {
    const nonce = new NonceBook().issue('s', 30_000).nonce;
    const response = await postReport(JSON.stringify({ nonce, audience: GATEWAY }), { origin: EVIL });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(((await response.json()) as ErrorBody).error.code, 'ORIGIN_NOT_ALLOWED');
    const health = await fetch(`${server.url}/healthz`, { headers: { origin: 'null' } });
    assert.equal(health.status, 403);
  });

  it('answers the CORS and Private Network Access preflight of allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/reports`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
          'access-control-request-private-network': 'true',
        },
      });
    const allowed = await preflight(GATEWAY);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), GATEWAY);
    assert.equal(allowed.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(allowed.headers.get('access-control-allow-headers'), 'content-type');
    assert.equal(allowed.headers.get('access-control-allow-private-network'), 'true');
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const denied = await preflight(EVIL);
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    assert.equal(denied.headers.get('access-control-allow-private-network'), null);
  });

  it('signs only for the gateways it was configured for', async () => {
    const nonce = new NonceBook().issue('s', 30_000).nonce;
    const response = await postReport(JSON.stringify({ nonce, audience: EVIL }), { origin: GATEWAY });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as ErrorBody).error.code, 'AUDIENCE_NOT_ALLOWED');
  });

  it('answers bad requests with a JSON error', async () => {
    const nonce = new NonceBook().issue('s', 30_000).nonce;
    const cases: [Promise<Response>, number, string][] = [
      [postReport('{"nonce":'), 400, 'MALFORMED_JSON'],
      [postReport(JSON.stringify({ nonce: 'x', audience: GATEWAY })), 400, 'INVALID_REQUEST'],
      [postReport(JSON.stringify({ nonce, audience: GATEWAY, extra: 1 })), 400, 'INVALID_REQUEST'],
      [
        postReport(JSON.stringify({ nonce, audience: GATEWAY }), { 'content-type': 'text/plain' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        postReport(JSON.stringify({ nonce, audience: GATEWAY, pad: 'x'.repeat(5000) })),
        413,
        'BODY_TOO_LARGE',
      ],
      [fetch(`${server.url}/v1/reports`), 405, 'METHOD_NOT_ALLOWED'],
      [fetch(`${server.url}/v2/anything`), 404, 'NOT_FOUND'],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      assert.equal(response.status, status, code);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.error.code, code);
      assert.equal(typeof body.error.message, 'string');
    }
  });

  it('refuses a body that grows past the limit while it streams', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/v1/reports`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(`{"pad":"${'x'.repeat(3000)}`);
      req.end(`${'x'.repeat(3000)}"}`);
    });
    assert.equal(status, 413);
  });

  it('answers only requests addressed to the loopback host (no DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/healthz`,
        { headers: { host: `evil.example:${server.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
    const localhost = await fetch(`http://localhost:${server.port}/healthz`).catch(() => undefined);
    if (localhost) assert.equal(localhost.status, 200, 'localhost resolves to 127.0.0.1 here');
  });

  it('reports a failed collection as a 500 without details', async () => {
    const failing = await startAgentServer({
      identity: device,
      port: 0,
      allowedOrigins: [GATEWAY],
      collect: () => Promise.reject(new Error('/secret/path exploded')),
    });
    try {
      const nonce = new NonceBook().issue('s', 30_000).nonce;
      const response = await fetch(`${failing.url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nonce, audience: GATEWAY }),
      });
      assert.equal(response.status, 500);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.error.code, 'COLLECTION_FAILED');
      assert.doesNotMatch(body.error.message, /secret/);
    } finally {
      await failing.close();
    }
  });

  it('refuses to start with a key that does not match the certificate, or without origins', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    await assert.rejects(
      startAgentServer({
        identity: { certificatePem: device.certificatePem, privateKey: other },
        port: 0,
        allowedOrigins: [GATEWAY],
      }),
      (e: unknown) => e instanceof DeviceError && e.code === 'IDENTITY_INVALID',
    );
    for (const allowedOrigins of [[], ['https://gw.example/path'], ['gw.example']]) {
      await assert.rejects(
        startAgentServer({ identity: device, port: 0, allowedOrigins }),
        (e: unknown) => e instanceof DeviceError && e.code === 'INVALID_ARGUMENT',
      );
    }
  });

  it('reports a port in use', async () => {
    await assert.rejects(
      startAgentServer({ identity: device, port: server.port, allowedOrigins: [GATEWAY] }),
      (e: unknown) => e instanceof DeviceError && e.message.includes('cannot listen'),
    );
  });
});
