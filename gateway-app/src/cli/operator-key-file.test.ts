import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { AccountStore, TotpService, open as openSealed } from '../auth';
import { openDatabase } from '../db';
import { createTestCa, issueDeviceCertificate, type TestCa } from '../device/testing';
import { deviceKeysOf, loadKeyFile } from './key-file';
import { bootstrapOperatorKeyFile, OperatorKeyFileError } from './operator-key-file';
import { parseTrustBundle, type TrustBundle } from '../trust/bundle';

const MSP = 'HospitalAMSP';
const PASSWORD = 'operator correct horse staple';

/** An admin MSP directory; `powers` false makes the admin certificate an organisation registrar could issue. */
async function adminMsp(ca: TestCa, role = 'admin', mismatch = false, powers = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medshare-admin-msp-'));
  const admin = await issueDeviceCertificate(ca, {
    cn: 'admin',
    attrs: { role, ...(powers ? { powers: role } : {}), 'hf.EnrollmentID': 'admin' },
  });
  const other = mismatch ? await issueDeviceCertificate(ca) : admin;
  await mkdir(join(dir, 'signcerts'));
  await mkdir(join(dir, 'keystore'));
  await writeFile(join(dir, 'signcerts', 'cert.pem'), admin.certificatePem);
  await writeFile(
    join(dir, 'keystore', 'abc_sk'),
    other.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  );
  return dir;
}

const refused = (code: string) => (e: unknown) => e instanceof OperatorKeyFileError && e.code === code;

describe('bootstrapOperatorKeyFile', () => {
  let ca: TestCa;
  let dir: string;
  let database: string;
  let trustBundle: TrustBundle;
  const totpKey = randomBytes(32);

  before(async () => {
    ca = await createTestCa('HospitalA');
    trustBundle = parseTrustBundle({
      v: 1,
      consortium: 'medshare',
      channel: 'medshare',
      chaincode: 'medshare',
      organisations: [{ mspId: MSP, name: 'St Mary', role: 'peer', rootCertificates: [ca.certificatePem] }],
    });
    dir = await mkdtemp(join(tmpdir(), 'medshare-operator-'));
    database = join(dir, 'gateway.db');
  });

  it('creates the operator account and a key file (0600) the CLI can sign with', async () => {
    const mspDir = await adminMsp(ca);
    const keyFile = join(dir, 'operator.json');
    const made = await bootstrapOperatorKeyFile({
      trustBundle,
      database,
      totpKey,
      gatewayUrl: 'http://localhost:8080',
      mspId: MSP,
      enrollmentId: 'admin.hospital-a',
      adminMspDir: mspDir,
      keyFile,
      password: PASSWORD,
    });
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const file = await loadKeyFile(keyFile);
    assert.equal(file.role, 'admin');
    assert.equal(file.gatewayUrl, 'http://localhost:8080');
    assert.equal(file.userId, identityOfCertificate(MSP, file.certificatePem).userId);
    assert.equal(made.userId, file.userId);
    assert.match(made.totpUri, /^otpauth:\/\/totp\/MedShare:HospitalAMSP%2Fadmin\.hospital-a\?secret=/);
    const keys = await deviceKeysOf(file);
    assert.equal((await keys.signer.sign(new Uint8Array([1, 2, 3]))).length > 60, true);
    // The trust the operator's device pins: the bundle, which names the channel and chaincode it signs for.
    assert.deepEqual(file.trustBundle, trustBundle);
    assert.deepEqual(keys.trust, trustBundle);

    const db = openDatabase(database);
    const accounts = new AccountStore(db);
    const account = accounts.byLogin(MSP, 'admin.hospital-a');
    assert.ok(account);
    assert.equal(account.accountId, made.accountId);
    assert.equal(account.role, 'admin');
    assert.equal(account.userId, file.userId);
    assert.equal(account.encryptionPublicKey, file.encryptionPublicKey);
    const sealed = accounts.totpSecretSealed(account.accountId);
    assert.ok(sealed);
    assert.equal(openSealed(sealed, totpKey, account.accountId), made.totpSecret);
    assert.equal(
      new TotpService().verify(made.totpSecret, new TotpService().currentCode(made.totpSecret), null).ok,
      true,
    );

    // An open connection is used and left open.
    await assert.rejects(
      bootstrapOperatorKeyFile({
        trustBundle,
        database: db,
        totpKey,
        gatewayUrl: 'http://localhost:8080',
        mspId: MSP,
        enrollmentId: 'admin.hospital-a',
        adminMspDir: mspDir,
        keyFile: join(dir, 'second.json'),
        password: PASSWORD,
      }),
      (e: unknown) => (e as { code?: string }).code === 'ALREADY_EXISTS',
    );
    assert.equal(db.open, true);
    db.close();
    assert.ok(!(await readdir(dir)).includes('second.json'), 'no key file for a refused operator');
  });

  it('refuses an existing key file, a weak password, a non-admin or mismatched identity, touching nothing', async () => {
    const base = {
      trustBundle,
      database,
      totpKey,
      gatewayUrl: 'http://localhost:8080',
      mspId: MSP,
      adminMspDir: await adminMsp(ca),
      password: PASSWORD,
    };
    await assert.rejects(
      bootstrapOperatorKeyFile({ ...base, enrollmentId: 'x1', keyFile: join(dir, 'operator.json') }),
      refused('KEY_FILE_EXISTS'),
    );
    await assert.rejects(
      bootstrapOperatorKeyFile({
        ...base,
        enrollmentId: 'x2',
        keyFile: join(dir, 'x2.json'),
        password: 'short',
      }),
      refused('WEAK_PASSWORD'),
    );
    await assert.rejects(
      bootstrapOperatorKeyFile({
        ...base,
        enrollmentId: 'x3',
        keyFile: join(dir, 'x3.json'),
        adminMspDir: await adminMsp(ca, 'doctor'),
      }),
      refused('NOT_ADMIN'),
    );
    await assert.rejects(
      bootstrapOperatorKeyFile({
        ...base,
        enrollmentId: 'x3b',
        keyFile: join(dir, 'x3b.json'),
        adminMspDir: await adminMsp(ca, 'admin', false, false),
      }),
      refused('NOT_ADMIN'),
    );
    await assert.rejects(
      bootstrapOperatorKeyFile({
        ...base,
        enrollmentId: 'x4',
        keyFile: join(dir, 'x4.json'),
        adminMspDir: await adminMsp(ca, 'admin', true),
      }),
      refused('KEY_MISMATCH'),
    );
    await assert.rejects(
      bootstrapOperatorKeyFile({
        ...base,
        enrollmentId: 'x5',
        keyFile: join(dir, 'x5.json'),
        adminMspDir: dir,
      }),
      refused('ADMIN_MSP_INVALID'),
    );
    const db = openDatabase(database);
    const logins = new AccountStore(db).list(MSP).map((a) => a.enrollmentId);
    db.close();
    assert.deepEqual(logins, ['admin.hospital-a']);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.json')),
      ['operator.json'],
    );
  });
});
