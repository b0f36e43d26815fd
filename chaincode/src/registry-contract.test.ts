import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { userIdOf } from './identity';
import { RegistryContract } from './registry-contract';
import { ROLES } from './roles';
import { createCa, issueIdentity, type TestCa, type TestIdentity } from './testing/certificates';
import { keyBinding, type KeyOwner } from './testing/consortium';
import { MapStub } from './testing/stub';
import { keyBindingMessage, type EncryptionKey, type UserRecord } from './user';

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
const BAD_BINDING = /^ChaincodeError: INVALID_ARGUMENT: the key binding is not the user's signature/;
const OTHER_CERTIFICATE = /ACCESS_DENIED: the caller certificate is not the one the user registered with/;

describe('RegistryContract', () => {
  const contract = new RegistryContract();
  let caA: TestCa;
  let caB: TestCa;
  const identities: Record<string, TestIdentity> = {};
  let stub: MapStub;

  const idOf = (mspId: string, pem: string): string => {
    const ctx = new MapStub().begin(mspId, pem);
    return userIdOf(mspId, ctx.clientIdentity.getID());
  };

  before(async () => {
    caA = await createCa('hospital-a');
    caB = await createCa('hospital-b');
    const admin = { role: 'admin', powers: 'admin', ou: 'admin' };
    identities.adminA = await issueIdentity(caA, 'admin.hospital-a', admin);
    identities.adminA2 = await issueIdentity(caA, 'admin2.hospital-a', admin);
    identities.adminB = await issueIdentity(caB, 'admin.hospital-b', admin);
    for (const role of ROLES) {
      const privileged = role === 'admin' || role === 'gateway';
      identities[role] = await issueIdentity(caA, `u-${role}`, {
        role,
        ...(privileged ? { powers: role } : {}),
      });
    }
    // What an organisation's registrar, which may write only `role`, could issue.
    identities.unpoweredAdmin = await issueIdentity(caA, 'u-unpowered', { role: 'admin', ou: 'admin' });
    identities.doctorB = await issueIdentity(caB, 'u-doctor-b', { role: 'doctor' });
    identities.noRole = await issueIdentity(caA, 'u-norole');
  });

  beforeEach(() => {
    stub = new MapStub();
  });

  const identity = (name: string): TestIdentity => {
    const found = identities[name];
    assert.ok(found, name);
    return found;
  };
  const cert = (name: string): string => identity(name).pem;
  const mspOf = (name: string): string => (name.endsWith('B') ? HOSPITAL_B : HOSPITAL_A);

  const owner = (name: string): KeyOwner => ({
    id: idOf(mspOf(name), cert(name)),
    msp: mspOf(name),
    identity: identity(name),
  });
  const as = (name: string, pem = cert(name)): ReturnType<MapStub['begin']> => stub.begin(mspOf(name), pem);

  /** `name` registers themselves with `key` and `binding` (default: their valid binding of `key`, version 1). */
  const self = (name: string, key = spki(), binding = keyBinding(owner(name), key)): Promise<void> =>
    contract.RegisterSelf(as(name), key, binding);

  async function register(name: string, key = spki()): Promise<string> {
    await self(name, key);
    return owner(name).id;
  }

  /** `name` rotates to `key` with `binding` (default their valid binding of `key` at `version`), as `pem`. */
  const rotate = (
    name: string,
    key: string,
    version: number,
    options: { pem?: string; signWith?: KeyObject } = {},
  ): Promise<void> =>
    contract.RotateEncryptionKey(
      as(name, options.pem),
      key,
      keyBinding(owner(name), key, version, options.signWith),
    );

  /** The registry entry of `userId`, straight from the world state. */
  const getRecord = (userId: string): Promise<UserRecord> => {
    const bytes = stub.state.get(stub.createCompositeKey('user', [userId]));
    assert.ok(bytes, `no entry for ${userId}`);
    return Promise.resolve(JSON.parse(Buffer.from(bytes).toString('utf8')) as UserRecord);
  };

  /** Whether `key`'s binding is the signature of the registered signing key in `record`, as any reader can check. */
  const bindingHolds = (record: UserRecord, key: EncryptionKey): boolean => {
    const { userId, mspId, signingKey } = record;
    const { spki: keySpki, fingerprint, version, binding } = key;
    if (version === undefined || binding === undefined) return false;
    return verify(
      'sha256',
      keyBindingMessage({ userId, mspId, spki: keySpki, fingerprint, version }),
      {
        key: createPublicKey({ key: Buffer.from(signingKey.spki, 'base64'), format: 'der', type: 'spki' }),
        dsaEncoding: 'ieee-p1363',
      },
      Buffer.from(binding, 'base64'),
    );
  };

  /** The world state as text, to show a refused call changed nothing. */
  const snapshot = (): string[] =>
    [...stub.state.entries()].map(([k, v]) => `${k}=${Buffer.from(v).toString('utf8')}`);

  describe('RegisterSelf', () => {
    for (const role of ['technologist', 'doctor', 'patient', 'auditor'] as const) {
      it(`lets a ${role} register themselves with the role their certificate carries`, async () => {
        const key = spki();
        await self(role, key);
        assert.equal(stub.events[0]?.name, 'UserRegistered');
        assert.match(stub.events[0].payload, new RegExp(`"role":"${role}"`));
        const userId = owner(role).id;
        const record = await getRecord(userId);
        assert.equal(record.role, role);
        assert.equal(record.mspId, HOSPITAL_A);
        assert.equal(record.status, 'active');
        assert.equal(record.encryptionKey.spki, key);
        assert.equal(record.encryptionKey.algorithm, 'P-256');
        assert.match(record.encryptionKey.fingerprint, /^[0-9a-f]{64}$/);
        assert.equal(record.encryptionKey.version, 1);
        assert.equal(record.registeredAt, '2026-01-01T00:00:01.000Z');
        assert.equal(record.registeredBy, userId);
        assert.deepEqual(record.keyHistory, []);
        const certKey = createPublicKey(cert(role)).export({ type: 'spki', format: 'der' });
        assert.equal(record.signingKey.spki, certKey.toString('base64'));
        assert.equal(record.signingKey.fingerprint, createHash('sha256').update(certKey).digest('hex'));
        assert.ok(
          !JSON.stringify(record).includes(`u-${role}`),
          'no name: the certificate stays off the ledger',
        );
      });
    }

    it('stores a binding anyone can check against the registered signing key, for an X25519 key too', async () => {
      const key = spki('x25519');
      const userId = await register('patient', key);
      const record = await getRecord(userId);
      assert.equal(record.encryptionKey.algorithm, 'X25519');
      assert.ok(bindingHolds(record, record.encryptionKey));
    });

    it('has no way for an admin to register anyone but itself: no RegisterUser, and no binding but its own', async () => {
      assert.equal((contract as unknown as Record<string, unknown>).RegisterUser, undefined);
      // The doctor's binding replayed under the admin's certificate sets no key for the doctor, nor for the admin.
      const key = spki();
      await assert.rejects(
        contract.RegisterSelf(as('adminA'), key, keyBinding(owner('doctor'), key)),
        BAD_BINDING,
      );
      assert.deepEqual(stub.writes, []);
      assert.equal(stub.state.size, 0);
      // The admin's own entry, which can be suspended: role admin, and no one else's id.
      const adminId = await register('adminA', key);
      const record = await getRecord(adminId);
      assert.equal(record.role, 'admin');
      assert.equal(record.status, 'active');
      assert.equal(stub.state.size, 1);
    });

    it('refuses gateways, certificates without a role, and an admin role without the powers attribute', async () => {
      await assert.rejects(self('gateway'), /ACCESS_DENIED: role gateway may not registerSelf/);
      await assert.rejects(self('noRole'), /ACCESS_DENIED: role \(none\) may not registerSelf/);
      await assert.rejects(self('unpoweredAdmin'), /ACCESS_DENIED: role \(none\) may not registerSelf/);
      assert.equal(stub.state.size, 0);
    });

    it('refuses a binding signed by another key, and writes nothing', async () => {
      const key = spki();
      for (const signer of ['adminA', 'patient', 'gateway']) {
        await assert.rejects(
          self('doctor', key, keyBinding(owner('doctor'), key, 1, identity(signer).privateKey)),
          BAD_BINDING,
        );
      }
      const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      await assert.rejects(self('doctor', key, keyBinding(owner('doctor'), key, 1, stranger)), BAD_BINDING);
      assert.deepEqual(stub.writes, []);
      assert.equal(stub.state.size, 0);
    });

    it('refuses a binding for another version, another key, or another user, and writes nothing', async () => {
      const key = spki();
      for (const version of [0, 2]) {
        await assert.rejects(self('doctor', key, keyBinding(owner('doctor'), key, version)), BAD_BINDING);
      }
      await assert.rejects(self('doctor', key, keyBinding(owner('doctor'), spki())), BAD_BINDING);
      // The patient's own valid binding, replayed by the doctor.
      await assert.rejects(self('doctor', key, keyBinding(owner('patient'), key)), BAD_BINDING);
      // The doctor's signature, but naming another organisation.
      await assert.rejects(
        self('doctor', key, keyBinding({ ...owner('doctor'), msp: HOSPITAL_B }, key)),
        BAD_BINDING,
      );
      assert.deepEqual(stub.writes, []);
      assert.equal(stub.state.size, 0);
    });

    it('refuses a malformed binding', async () => {
      const key = spki();
      for (const binding of ['', 'not base64!', 'A'.repeat(300), keyBinding(owner('doctor'), key).slice(4)]) {
        await assert.rejects(self('doctor', key, binding), BAD_BINDING);
      }
      assert.equal(stub.state.size, 0);
    });

    it('rejects malformed keys without writing anything', async () => {
      const reject = (key: string, error: RegExp): Promise<void> =>
        assert.rejects(contract.RegisterSelf(as('doctor'), key, 'AAAA'), error);
      await reject(spki('rsa'), /INVALID_ARGUMENT: encryption key must be an EC P-256 or X25519/);
      await reject('not base64!', /INVALID_ARGUMENT: encryption key must be base64/);
      await reject('A'.repeat(600), /at most 512/);
      assert.equal(stub.state.size, 0);
    });

    it('refuses a duplicate', async () => {
      await self('patient');
      await assert.rejects(self('patient'), /ALREADY_EXISTS/);
    });

    it('writes identical bytes when the same proposal runs twice', async () => {
      const key = spki();
      const binding = keyBinding(owner('doctor'), key);
      const runs: [string, string][][] = [];
      for (let i = 0; i < 2; i++) {
        stub = new MapStub();
        await self('doctor', key, binding);
        runs.push(stub.writes);
      }
      assert.deepEqual(runs[0], runs[1]);
    });
  });

  describe('SuspendUser and ReactivateUser', () => {
    it('lets the own organisation admin suspend and reactivate; a suspended user can do nothing', async () => {
      await register('adminA');
      const userId = await register('doctor');
      await contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), userId);
      assert.equal((await getRecord(userId)).status, 'suspended');
      await assert.rejects(rotate('doctor', spki(), 2), /ACCESS_DENIED: the caller is suspended/);
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

    it('refuses an admin of another organisation, an unregistered admin and non-admins', async () => {
      await register('adminB');
      const userId = await register('doctor');
      await assert.rejects(
        contract.SuspendUser(stub.begin(HOSPITAL_A, cert('adminA')), userId),
        /ACCESS_DENIED: the caller is not registered/,
      );
      await register('patient');
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
      await register('adminA');
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
    it('replaces the key with the registered certificate and the next version, keeping the old one', async () => {
      const first = spki();
      const userId = await register('patient', first);
      const second = spki('x25519');
      await rotate('patient', second, 2);
      assert.equal(stub.events[0]?.name, 'UserKeyRotated');
      const record = await getRecord(userId);
      assert.equal(record.encryptionKey.spki, second);
      assert.equal(record.encryptionKey.algorithm, 'X25519');
      assert.equal(record.encryptionKey.version, 2);
      assert.ok(bindingHolds(record, record.encryptionKey));
      assert.equal(record.keyHistory.length, 1);
      assert.equal(record.keyHistory[0]?.spki, first);
      assert.equal(record.keyHistory[0].version, 1);
      assert.equal(record.keyHistory[0].retiredAt, record.encryptionKey.since);
      await assert.rejects(rotate('patient', second, 3), /is the current one/);
      const third = spki();
      await rotate('patient', third, 3);
      const after = await getRecord(userId);
      assert.equal(after.encryptionKey.version, 3);
      assert.deepEqual(
        after.keyHistory.map((k) => [k.spki, k.version]),
        [
          [first, 1],
          [second, 2],
        ],
      );
    });

    it('refuses another certificate of the same identity, re-enrolled with a new key, and changes nothing', async () => {
      const userId = await register('doctor');
      const reenrolled = await issueIdentity(caA, 'u-doctor', { role: 'doctor' });
      assert.equal(idOf(HOSPITAL_A, reenrolled.pem), userId, 'same subject and issuer, same user id');
      const before = snapshot();
      const key = spki();
      // Signed by the new certificate's key, or by nobody's in particular: refused before the binding is looked at.
      await assert.rejects(
        rotate('doctor', key, 2, { pem: reenrolled.pem, signWith: reenrolled.privateKey }),
        OTHER_CERTIFICATE,
      );
      await assert.rejects(rotate('doctor', key, 2, { pem: reenrolled.pem }), OTHER_CERTIFICATE);
      assert.deepEqual(stub.writes, []);
      assert.deepEqual(snapshot(), before);
      // The user's own certificate still can.
      await rotate('doctor', key, 2);
      assert.equal((await getRecord(userId)).encryptionKey.spki, key);
    });

    it('refuses a binding for another version, another key or by another key, and changes nothing', async () => {
      const first = spki();
      const userId = await register('patient', first);
      const before = snapshot();
      const key = spki();
      for (const version of [1, 3]) {
        await assert.rejects(rotate('patient', key, version), BAD_BINDING);
      }
      await assert.rejects(
        contract.RotateEncryptionKey(as('patient'), key, keyBinding(owner('patient'), spki(), 2)),
        BAD_BINDING,
      );
      await assert.rejects(
        rotate('patient', key, 2, { signWith: identity('adminA').privateKey }),
        BAD_BINDING,
      );
      // Replaying the registration binding of the current key.
      const registered = (await getRecord(userId)).encryptionKey.binding ?? '';
      await assert.rejects(contract.RotateEncryptionKey(as('patient'), first, registered), BAD_BINDING);
      assert.deepEqual(snapshot(), before);
    });

    it('refuses unregistered callers; an admin rotates only its own key', async () => {
      await assert.rejects(rotate('doctor', spki(), 2), /ACCESS_DENIED: the caller is not registered/);
      const patientId = await register('patient');
      const patientKey = (await getRecord(patientId)).encryptionKey.spki;
      await assert.rejects(rotate('adminA', spki(), 2), /ACCESS_DENIED: the caller is not registered/);
      const adminId = await register('adminA');
      const key = spki();
      await rotate('adminA', key, 2);
      assert.equal((await getRecord(adminId)).encryptionKey.spki, key);
      assert.equal((await getRecord(patientId)).encryptionKey.spki, patientKey);
    });
  });

  describe('queries', () => {
    it('lets registered users and admins read entries, and pages through the registry', async () => {
      const ids = [await register('doctor'), await register('patient'), await register('technologist')];
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
      await register('adminA');
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
