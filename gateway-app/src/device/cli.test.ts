import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeviceRegistry } from './device-registry';
import { postureFactsSchema } from './facts';
import { loadDeviceIdentity } from './identity';
import { NonceBook } from './nonces';
import { parseDevicePolicy } from './policy';
import { createTestCa, issueFromCsr, type TestCa } from './testing';
import { verifyDeviceReport } from './verify';

// Tests of the compiled command-line agent (dist/cli/device-agent.js), run as a child process.
const CLI = join(__dirname, '..', 'cli', 'device-agent.js');
const AUDIENCE = 'https://gateway.hospital-a.example';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('medshare-device-agent', () => {
  let ca: TestCa;
  let dir: string;
  let gatewayUrl: string;
  let closeGateway: () => void;

  before(async () => {
    ca = await createTestCa('HospitalA');
    dir = await mkdtemp(join(tmpdir(), 'medshare-agent-cli-'));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { csr } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { csr: string };
        void issueFromCsr(ca, csr).then((certificate) => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ certificate, caCertificate: ca.certificatePem }));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeGateway = () => server.close();
  });

  after(async () => {
    closeGateway();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the posture facts of this machine', async () => {
    const result = await run(['posture']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(postureFactsSchema.safeParse(JSON.parse(result.stdout)).success, true);
  });

  it('enrols, then prints a report the gateway accepts, then serves until SIGTERM', async () => {
    const keyDir = join(dir, 'device');
    const secretFile = join(dir, 'secret');
    await writeFile(secretFile, 'enrol-pw\n');
    const enrolled = await run([
      'enrol',
      '--gateway',
      gatewayUrl,
      '--msp',
      'HospitalAMSP',
      '--id',
      'ward3-pc',
      '--secret-file',
      secretFile,
      '--key-dir',
      keyDir,
    ]);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    const deviceId = /enrolled device ([0-9a-f]{64})/.exec(enrolled.stdout)?.[1];
    assert.ok(deviceId, enrolled.stdout);

    const registry = new DeviceRegistry(new Database(':memory:'));
    const { certificatePem } = await loadDeviceIdentity(keyDir);
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'ward3-pc', certificatePem });
    const nonces = new NonceBook();
    const { nonce } = nonces.issue('session', 60_000);
    const printed = await run(['report', '--key-dir', keyDir, '--nonce', nonce, '--audience', AUDIENCE]);
    assert.equal(printed.code, 0, printed.stderr);
    const result = await verifyDeviceReport(
      {
        report: JSON.parse(printed.stdout),
        mspId: 'HospitalAMSP',
        sessionKey: 'session',
        nonces,
        audience: AUDIENCE,
      },
      {
        caCertificates: new Map([['HospitalAMSP', [ca.certificatePem]]]),
        registry,
        policy: parseDevicePolicy({ maxSecurityUpdateAgeDays: null }),
        now: () => new Date(),
      },
    );
    assert.deepEqual(result.ok ? result.deviceId : result.message, deviceId);

    const agent = spawn(
      process.execPath,
      [CLI, 'serve', '--key-dir', keyDir, '--port', '0', '--allow-origin', AUDIENCE],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      agent.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /^device agent listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      agent.on('exit', () => {
        reject(new Error(`the agent exited: ${stderr}`));
      });
    });
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const exited = new Promise<number | null>((resolve) => agent.on('exit', resolve));
    agent.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(stderr, `device agent listening on ${url}\n`, 'one line, nothing else at the default level');
  });

  it('reports bad input on one line with a non-zero exit', async () => {
    const keyDir = join(dir, 'nothing-here');
    for (const args of [
      ['enrol', '--gateway', gatewayUrl, '--msp', 'HospitalAMSP', '--id', 'x', '--key-dir', keyDir],
      [
        'enrol',
        '--gateway',
        gatewayUrl,
        '--msp',
        'HospitalAMSP',
        '--id',
        'x',
        '--secret-env',
        'MEDSHARE_UNSET_VAR',
      ],
      ['serve', '--key-dir', keyDir, '--allow-origin', AUDIENCE],
      ['serve', '--key-dir', keyDir, '--port', 'many', '--allow-origin', AUDIENCE],
      ['serve', '--key-dir', keyDir, '--allow-origin', 'https://gw.example/path'],
      ['report', '--key-dir', keyDir, '--nonce', 'n', '--audience', 'ftp://gw.example'],
      ['report', '--key-dir', keyDir, '--nonce', 'n', '--audience', AUDIENCE],
      ['no-such-command'],
    ]) {
      const result = await run(args, { MEDSHARE_UNSET_VAR: '' });
      assert.notEqual(result.code, 0, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
      assert.equal(
        result.stderr.split('\n').filter(Boolean).length,
        1,
        `${args.join(' ')}: ${result.stderr}`,
      );
    }
  });
});
