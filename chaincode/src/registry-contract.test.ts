import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { userIdOf } from './identity';
import { RegistryContract } from './registry-contract';
import { ROLES } from './roles';
import { createCa, issueCertificate, type TestCa } from './testing/certificates';
import { MapStub } from './testing/stub';
import type { UserRecord } from './user';

const spki = (type: 'ec' | 'x25519' | 'rsa' = 'ec'): string => {
  const { publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : type === 'x25519'
        ? generateKeyPairSync('x25519')
        : generateKeyPairSync('rsa', { modulusLength: 1024 });
  return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
};

const HOSPITAL_A = 'HospitalAMSP';
const HOSPITAL_B = 'HospitalBMSP';

describe('RegistryContract', () => {
  const contract = new RegistryContract();
  let caA: TestCa;
  let caB: TestCa;
  const certs: Record<string, string> = {};
  let stub: MapStub;

  const idOf = (mspId: string, pem: string): string => {
    const ctx = new MapStub().begin(mspId, pem);
    return userIdOf(mspId, ctx.clientIdentity.getID());
  };

  before(async () => {
    caA = await createCa('hospital-a');
    caB = await createCa('hospital-b');
    certs.adminA = await issueCertificate(caA, 'admin.hospital-a', { role: 'admin', ou: 'admin' });
    certs.adminB = await issueCertificate(caB, 'admin.hospital-b', { role: 'admin', ou: 'admin' });
    for (const role of ROLES) {
      certs[role] = await issueCertificate(caA, `u-${role}`, { role });
    }
    certs.doctorB = await issueCertificate(caB, 'u-doctor-b', { role: 'doctor' });
    certs.noRole = await issueCertificate(caA, 'u-norole');
  });

  beforeEach(() => {
    stub = new MapStub();
  });

  const cert = (name: string): string => {
    const pem = certs[name];
    assert.ok(pem, name);
    return pem;
  };

  async function register(name: string, role: string, key = spki()): Promise<string> {
    await contract.RegisterUser(stub.begin(HOSPITAL_A, cert('adminA')), cert(name), role, key);
    return idOf(HOSPITAL_A, cert(name));
  }

  const getRecord = async (userId: string, as = 'adminA', msp = HOSPITAL_A): Promise<UserRecord> =>
    JSON.parse(await contract.GetUser(stub.begin(msp, cert(as)), userId)) as UserRecord;

  describe('RegisterUser', () => {
    it('lets an admin register a user of its own organisation, role taken from the certificate', async () => {
      const key = spki();
      const userId = await register('doctor', 'doctor', key);
      const record = await getRecord(userId);
      assert.equal(record.role, 'doctor');
      assert.equal(record.mspId, HOSPITAL_A);
      assert.equal(record.status, 'active');
      assert.equal(record.encryptionKey.spki, key);
      assert.equal(record.encryptionKey.algorithm, 'P-256');
      assert.match(record.encryptionKey.fingerprint, /^[0-9a-f]{64}$/);
      assert.equal(record.registeredAt, '2026-01-01T00:00:01.000Z');
      assert.equal(record.registeredBy, idOf(HOSPITAL_A, cert('adminA')));
      assert.ok(!JSON.stringify(record).includes('u-doctor'), 'no name on the ledger');
    });

    it('emits a UserRegistered event', async () => {
      const ctx = stub.begin(HOSPITAL_A, cert('adminA'));
      await contract.RegisterUser(ctx, cert('patient'), 'patient', spki('x25519'));
      assert.equal(stub.events[0]?.name, 'UserRegistered');
      assert.match(stub.events[0].payload, /"role":"patient"/);
    });

    for (const role of ['technologist', 'doctor', 'patient', 'auditor'] as const) {
      it(`refuses a ${role}`, async () => {
        await assert.rejects(
          contract.RegisterUser(stub.begin(HOSPITAL_A, cert(role)), cert('doctor'), 'doctor', spki()),
          /^Error: ACCESS_DENIED: role [a-z]+ may not registerUser|ACCESS_DENIED/,
        );
        assert.equal(stub.state.size, 0);
      });
    }

    it('refuses an admin registering a user enrolled by another organisation', async () => {
      await assert.rejects(
        contract.RegisterUser(stub.begin(HOSPITAL_A, cert('adminA')), cert('doctorB'), 'doctor', spki()),
        /ACCESS_DENIED: an admin of HospitalAMSP registers only users enrolled by its own CA/,
      );
      assert.equal(stub.state.size, 0);
    });

    it('refuses a role that differs from the certificate, or a certificate without one', async () => {
      await assert.rejects(
        register('doctor', 'patient'),
        /INVALID_ARGUMENT: role patient does not match the certificate role attribute doctor/,
      );
      await assert.rejects(register('noRole', 'doctor'), /INVALID_ARGUMENT: .*\(none\)/);
      assert.equal(stub.state.size, 0);
    });

    it('rejects malformed certificates and keys', async () => {
      const ctx = (): ReturnType<MapStub['begin']> => stub.begin(HOSPITAL_A, cert('adminA'));
      await assert.rejects(
        contract.RegisterUser(ctx(), 'not a cert', 'doctor', spki()),
        /INVALID_ARGUMENT: certificate must be/,
      );
      await assert.rejects(
        contract.RegisterUser(
          ctx(),
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
          'doctor',
          spki(),
        ),
        /INVALID_ARGUMENT: certificate is not a valid/,
      );
      await assert.rejects(
        contract.RegisterUser(ctx(), cert('doctor'), 'doctor', spki('rsa')),
        /INVALID_ARGUMENT: encryption key must be an EC P-256 or X25519/,
      );
      await assert.rejects(
        contract.RegisterUser(ctx(), cert('doctor'), 'doctor', 'not base64!'),
        /INVALID_ARGUMENT: encryption key must be base64/,
      );
      await assert.rejects(
        contract.RegisterUser(ctx(), cert('doctor'), 'doctor', 'A'.repeat(600)),
        /at most 512/,
      );
      assert.equal(stub.state.size, 0);
    });

    it('refuses a duplicate registration', async () => {
      await register('doctor', 'doctor');
      await assert.rejects(register('doctor', 'doctor'), /ALREADY_EXISTS/);
    });

    it('writes identical bytes when the same proposal runs twice', async () => {
      const key = spki();
      const runs: [string, string][][] = [];
      for (let i = 0; i < 2; i++) {
        stub = new MapStub();
        await contract.RegisterUser(stub.begin(HOSPITAL_A, cert('adminA')), cert('doctor'), 'doctor', key);
        runs.push(stub.writes);
      }
      assert.deepEqual(runs[0], runs[1]);
    });
  });

  describe('RegisterSelf', () => {
    const self = (name: string, key = spki()) =>
      contract.RegisterSelf(stub.begin(HOSPITAL_A, cert(name)), key);

    for (const role of ['technologist', 'doctor', 'patient', 'auditor'] as const) {
      it(`lets a ${role} register themselves with the role their certificate carries`, async () => {
        const key = spki();
        await self(role, key);
        assert.equal(stub.events[0]?.name, 'UserRegistered');
        const userId = idOf(HOSPITAL_A, cert(role));
        const record = await getRecord(userId);
        assert.equal(record.role, role);
        assert.equal(record.mspId, HOSPITAL_A);
        assert.equal(record.status, 'active');
        assert.equal(record.encryptionKey.spki, key);
        assert.equal(record.registeredBy, userId);
        assert.deepEqual(record.keyHistory, []);
        const certKey = createPublicKey(cert(role)).export({ type: 'spki', format: 'der' });
        assert.equal(record.signingKey.spki, certKey.toString('base64'));
        assert.equal(record.signingKey.fingerprint, createHash('sha256').update(certKey).digest('hex'));
      });
    }

    it('writes the same entry as RegisterUser, but for who registered it', async () => {
      const key = spki();
      await self('doctor', key);
      const own = await getRecord(idOf(HOSPITAL_A, cert('doctor')));
      stub = new MapStub();
      await register('doctor', 'doctor', key);
      const byAdmin = await getRecord(idOf(HOSPITAL_A, cert('doctor')));
      assert.deepEqual({ ...own, registeredBy: '' }, { ...byAdmin, registeredBy: '' });
    });

    it('refuses admins, gateways and certificates without a role', async () => {
      await assert.rejects(self('adminA'), /ACCESS_DENIED: role admin may not registerSelf/);
      await assert.rejects(self('admin'), /ACCESS_DENIED: role admin may not registerSelf/);
      await assert.rejects(self('gateway'), /ACCESS_DENIED: role gateway may not registerSelf/);
      await assert.rejects(self('noRole'), /ACCESS_DENIED: role \(none\) may not registerSelf/);
      assert.equal(stub.state.size, 0);
    });

    it('refuses a duplicate, whoever registered the user first', async () => {
      await self('patient');
      await assert.rejects(self('patient'), /ALREADY_EXISTS/);
      await register('doctor', 'doctor');
      await assert.rejects(self('doctor'), /ALREADY_EXISTS/);
    });

    it('rejects a malformed key without writing anything', async () => {
      await assert.rejects(self('doctor', spki('rsa')), /INVALID_ARGUMENT: encryption key/);
      assert.equal(stub.state.size, 0);
    });
  });

  describe('SuspendUser and ReactivateUser', () => {
    it('lets the own organisation admin suspend and reactivate; a suspended user can do nothing', async () => {
      const userId = await register('doctor', 'doctor');
      await contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), userId);
      assert.equal((await getRecord(userId)).status, 'suspended');
      await assert.rejects(
        contract.RotateEncryptionKey(stub.begin(HOSPITAL_A, cert('doctor')), spki()),
        /ACCESS_DENIED: the caller is suspended/,
      );
      await assert.rejects(
        contract.GetUser(stub.begin(HOSPITAL_A, cert('doctor')), userId),
        /ACCESS_DENIED: the caller is suspended/,
      );
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), userId),
        /FAILED_PRECONDITION/,
      );
      await contract.ReactivateUser(stub.begin(HOSPITAL_A, cert('adminA')), userId);
      assert.equal((await getRecord(userId)).status, 'active');
    });

    it('refuses an admin of another organisation and non-admins', async () => {
      const userId = await register('doctor', 'doctor');
      await register('patient', 'patient');
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_B, cert('adminB')), userId),
        /ACCESS_DENIED: an admin of HospitalBMSP manages only/,
      );
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_A, cert('patient')), userId),
        /ACCESS_DENIED/,
      );
      assert.equal((await getRecord(userId)).status, 'active');
    });

    it('rejects malformed and unknown user ids', async () => {
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), 'abc'),
        /INVALID_ARGUMENT: userId must be/,
      );
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), 'a'.repeat(64)),
        /NOT_FOUND/,
      );
    });
  });

  describe('RotateEncryptionKey', () => {
    it('replaces the caller key and keeps the old one in the history', async () => {
      const first = spki();
      const userId = await register('patient', 'patient', first);
      const second = spki('x25519');
      await contract.RotateEncryptionKey(stub.begin(HOSPITAL_A, cert('patient')), second);
      const record = await getRecord(userId);
      assert.equal(record.encryptionKey.spki, second);
      assert.equal(record.encryptionKey.algorithm, 'X25519');
      assert.equal(record.keyHistory.length, 1);
      assert.equal(record.keyHistory[0]?.spki, first);
      assert.equal(record.keyHistory[0].retiredAt, record.encryptionKey.since);
      await assert.rejects(
        contract.RotateEncryptionKey(stub.begin(HOSPITAL_A, cert('patient')), second),
        /is the current one/,
      );
    });

    it('refuses unregistered callers and admins', async () => {
      await assert.rejects(
        contract.RotateEncryptionKey(stub.begin(HOSPITAL_A, cert('doctor')), spki()),
        /ACCESS_DENIED: the caller is not registered/,
      );
      await register('admin', 'admin');
      await assert.rejects(
        contract.RotateEncryptionKey(stub.begin(HOSPITAL_A, cert('admin')), spki()),
        /ACCESS_DENIED: role admin may not rotateOwnKey/,
      );
    });
  });

  describe('queries', () => {
    it('lets registered users and admins read entries, and pages through the registry', async () => {
      const ids = [
        await register('doctor', 'doctor'),
        await register('patient', 'patient'),
        await register('technologist', 'technologist'),
      ];
      const me = JSON.parse(await contract.WhoAmI(stub.begin(HOSPITAL_A, cert('patient')))) as UserRecord;
      assert.equal(me.userId, ids[1]);
      const first = JSON.parse(await contract.ListUsers(stub.begin(HOSPITAL_A, cert('doctor')), 2, '')) as {
        records: UserRecord[];
        bookmark: string;
      };
      assert.equal(first.records.length, 2);
      assert.notEqual(first.bookmark, '');
      const second = JSON.parse(
        await contract.ListUsers(stub.begin(HOSPITAL_A, cert('doctor')), 2, first.bookmark),
      ) as { records: UserRecord[]; bookmark: string };
      assert.equal(second.records.length, 1);
      assert.equal(second.bookmark, '');
      assert.deepEqual(new Set([...first.records, ...second.records].map((r) => r.userId)), new Set(ids));
    });

    it('refuses unregistered callers and unbounded pages', async () => {
      await assert.rejects(
        contract.ListUsers(stub.begin(HOSPITAL_A, cert('doctor')), 10, ''),
        /ACCESS_DENIED: the caller is not registered/,
      );
      await assert.rejects(
        contract.ListUsers(stub.begin(HOSPITAL_A, cert('adminA')), 1000, ''),
        /INVALID_ARGUMENT: pageSize/,
      );
      await assert.rejects(contract.WhoAmI(stub.begin(HOSPITAL_A, cert('doctor'))), /NOT_FOUND/);
    });
  });
});
