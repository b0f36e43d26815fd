import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

// The compiled command-line clients, run as child processes, for what needs no gateway.
const MEDSHARE = join(__dirname, '..', 'medshare.js');
const GATEWAY_ADMIN = join(__dirname, '..', 'gateway-admin.js');
/** A well-formed trust code (what an invitation carries). */
const TRUST = 'ab'.repeat(32);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MEDSHARE_') && !k.startsWith('GATEWAY_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...clean, ...env }, timeout: 30_000, ...(cwd ? { cwd } : {}) },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

function oneLine(result: Run, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\s+at .+:\d+:\d+/, 'no stack trace');
}

describe('medshare (offline)', () => {
  let dir: string;
  let keyFile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medshare-cli-'));
    keyFile = join(dir, 'key.json');
    // Enough of a key file for the commands that stop before using its keys.
    await writeFile(
      keyFile,
      JSON.stringify({
        v: 1,
        gatewayUrl: 'http://127.0.0.1:9',
        mspId: 'HospitalAMSP',
        enrollmentId: 'patient1',
        userId: 'a'.repeat(64),
        role: 'patient',
        certificatePem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
        signingKey: 'x',
        encryptionKey: 'x',
        encryptionPublicKey: 'x',
      }),
      { mode: 0o600 },
    );
  });

  it('usage errors exit 2 with one line: no command, unknown command, bad option, missing key file', async () => {
    oneLine(await run(MEDSHARE, []), 2, /^medshare: USAGE: give a command/);
    oneLine(await run(MEDSHARE, ['sned']), 2, /^medshare: USAGE: unknown command 'sned'/);
    oneLine(await run(MEDSHARE, ['operator', 'fire']), 2, /^medshare: USAGE: unknown command 'fire'/);
    oneLine(await run(MEDSHARE, ['login', '--password', 'hunter2hunter2']), 2, /unknown option '--password'/);
    oneLine(
      await run(MEDSHARE, [
        'break-glass',
        'r'.repeat(16),
        '--reason',
        'BORED',
        '--justification-file',
        'x',
        '--minutes',
        '5',
      ]),
      2,
      /the reason must be one of/,
    );
    oneLine(
      await run(MEDSHARE, ['whoami'], {}, dir),
      2,
      /^medshare: NO_KEY_FILE: no key file at .*medshare-key\.json/,
    );
    oneLine(
      await run(MEDSHARE, ['whoami'], { MEDSHARE_KEY_FILE: join(dir, 'absent.json') }),
      2,
      /^medshare: NO_KEY_FILE: .*absent\.json/,
    );
    const help = await run(MEDSHARE, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /break-glass/);
  });

  it('checks local input before asking the gateway', async () => {
    const env = { MEDSHARE_KEY_FILE: keyFile };
    oneLine(
      await run(MEDSHARE, ['login', '--code', '123456'], env),
      2,
      /--password-file FILE or MEDSHARE_PASSWORD/,
    );
    oneLine(
      await run(MEDSHARE, ['login'], { ...env, MEDSHARE_PASSWORD: 'a long enough password' }),
      2,
      /--code CODE/,
    );
    oneLine(
      await run(MEDSHARE, ['send', join(dir, 'missing.dcm'), '--to', 'b'.repeat(64)], env),
      2,
      /missing\.dcm is not a file/,
    );
    oneLine(
      await run(MEDSHARE, ['open', 'r'.repeat(16), '--out', join(dir, 'no', 'such', 'dir.dcm')], env),
      2,
      /does not exist/,
    );
    oneLine(
      await run(MEDSHARE, ['grant', 'r'.repeat(16), '--to', 'b'.repeat(64), '--purpose', 'TREAT'], env),
      2,
      /exactly one of --days N and --until ISO/,
    );
    oneLine(
      await run(
        MEDSHARE,
        [
          'enrol',
          '--gateway',
          'http://localhost:9',
          '--msp',
          'M',
          '--name',
          'n',
          '--trust',
          TRUST,
          '--secret-env',
          'S',
        ],
        {
          ...env,
          S: 'secret',
          MEDSHARE_PASSWORD: 'a long enough password',
        },
      ),
      2,
      /^medshare: KEY_FILE_EXISTS: /,
    );
    oneLine(
      await run(MEDSHARE, ['enrol', '--gateway', 'http://gw.example', '--msp', 'M', '--name', 'n'], env),
      2,
      /over https/,
    );
    oneLine(
      await run(
        MEDSHARE,
        ['enrol', '--gateway', 'http://localhost:9', '--msp', 'M', '--name', 'n', '--trust', 'abc'],
        env,
      ),
      2,
      /the trust code is the 64 hex digits your operator gave you/,
    );
    oneLine(
      await run(MEDSHARE, ['enrol', '--gateway', 'http://localhost:9', '--msp', 'M', '--name', 'n'], env),
      2,
      /--trust/,
    );
  });

  it('a command that needs a session fails NOT_SIGNED_IN (exit 1) without one', async () => {
    oneLine(
      await run(MEDSHARE, ['inbox'], { MEDSHARE_KEY_FILE: keyFile }),
      1,
      /^medshare: NOT_SIGNED_IN: run medshare login\n$/,
    );
    const logout = await run(MEDSHARE, ['logout', '--json', '--key-file', keyFile]);
    assert.equal(logout.code, 0);
    assert.deepEqual(JSON.parse(logout.stdout), { state: 'signed-out' });
  });

  it('an unreachable gateway is one line, exit 1', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const gatewayUrl = `http://127.0.0.1:${port}`;
    const file = JSON.parse(await readFile(keyFile, 'utf8')) as Record<string, unknown>;
    await writeFile(keyFile, JSON.stringify({ ...file, gatewayUrl }));
    await writeFile(
      `${keyFile}.session`,
      JSON.stringify({ v: 1, gatewayUrl, cookies: { 'medshare.sid': 'x' } }),
    );
    oneLine(await run(MEDSHARE, ['whoami', '--key-file', keyFile]), 1, /^medshare: GATEWAY_UNREACHABLE: /);
  });

  it('medshare-gateway-admin wants the gateway\u2019s environment and a new key file', async () => {
    oneLine(
      await run(GATEWAY_ADMIN, [
        'bootstrap-operator',
        '--msp',
        'HospitalAMSP',
        '--name',
        'admin.a',
        '--admin-msp-dir',
        dir,
        '--key-file',
        join(dir, 'op.json'),
      ]),
      2,
      /^medshare-gateway-admin: INVALID_CONFIG: run this with the gateway's environment: .*GATEWAY_DATABASE/,
    );
    oneLine(
      await run(GATEWAY_ADMIN, ['bootstrap-operator']),
      2,
      /^medshare-gateway-admin: USAGE: required option/,
    );
    assert.ok(!(await readdir(dir)).includes('op.json'));
  });
});
