import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../db/database';
import { type Account, AccountStore, type Enrolment, MAX_KEY_BACKUP_BYTES } from './accounts';
import { AuthError } from './errors';
import { open, seal } from './secret-box';

const PASSWORD_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=';
const SERVER_KEY = randomBytes(32);

const isCode = (code: string) => (e: unknown) => e instanceof AuthError && e.code === code;

function store(start = new Date('2025-06-01T12:00:00Z')) {
  let now = start;
  const accounts = new AccountStore(openDatabase(':memory:'), { now: () => now });
  return {
    accounts,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

function enrolment(accountId: string, overrides: Partial<Enrolment> = {}): Enrolment {
  return {
    passwordHash: PASSWORD_HASH,
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    userId: createHash('sha256').update(accountId).digest('hex'),
    encryptionPublicKey: randomBytes(91).toString('base64'),
    keyBackup: 'opaque-wrapped-keys',
    totpSecretSealed: seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', SERVER_KEY, accountId),
    ...overrides,
  };
}

const PUBLIC_FIELDS = [
  'accountId',
  'certificatePem',
  'createdAt',
  'encryptionPublicKey',
  'enrollmentId',
  'keyBackup',
  'mspId',
  'role',
  'status',
  'totpEnrolled',
  'updatedAt',
  'userId',
];

function assertPublicOnly(account: Account | undefined): void {
  assert.ok(account);
  assert.deepEqual(Object.keys(account).sort(), PUBLIC_FIELDS);
  const json = JSON.stringify(account);
  assert.ok(!json.includes('scrypt$'), 'password hash exposed');
  assert.ok(!json.includes('"v1.'), 'sealed TOTP secret exposed');
}

describe('AccountStore', () => {
  it('invites: an invited account with nothing but its login and role', () => {
    const { accounts } = store();
    const account = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'dr.jones', role: 'doctor' });
    assert.match(account.accountId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(
      { ...account, accountId: '' },
      {
        accountId: '',
        mspId: 'HospitalAMSP',
        enrollmentId: 'dr.jones',
        role: 'doctor',
        status: 'invited',
        certificatePem: null,
        userId: null,
        encryptionPublicKey: null,
        totpEnrolled: false,
        keyBackup: null,
        createdAt: '2025-06-01T12:00:00.000Z',
        updatedAt: '2025-06-01T12:00:00.000Z',
      },
    );
    assert.equal(accounts.passwordHash(account.accountId), null);
    assert.equal(accounts.totpSecretSealed(account.accountId), null);
    assert.equal(accounts.lastTotpStep(account.accountId), null);
  });

  it('keeps logins unique within an organisation', () => {
    const { accounts } = store();
    accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'dr.jones', role: 'doctor' });
    assert.throws(
      () => accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'dr.jones', role: 'patient' }),
      isCode('ALREADY_EXISTS'),
    );
    accounts.invite({ mspId: 'HospitalBMSP', enrollmentId: 'dr.jones', role: 'doctor' });
    assert.equal(accounts.list('HospitalAMSP').length, 1);
    assert.equal(accounts.list('HospitalBMSP').length, 1);
  });

  it('refuses malformed invitations', () => {
    const { accounts } = store();
    const bad = [
      { mspId: 'HospitalAMSP', enrollmentId: 'x', role: 'superuser' },
      { mspId: '', enrollmentId: 'x', role: 'doctor' },
      { mspId: 'Hospital AMSP', enrollmentId: 'x', role: 'doctor' },
      { mspId: 'HospitalAMSP', enrollmentId: '', role: 'doctor' },
      { mspId: 'HospitalAMSP', enrollmentId: 'a\nb', role: 'doctor' },
      { mspId: 'HospitalAMSP', enrollmentId: ' padded', role: 'doctor' },
      { mspId: 'HospitalAMSP', enrollmentId: 'x'.repeat(129), role: 'doctor' },
    ];
    for (const invitation of bad) {
      assert.throws(
        () => accounts.invite(invitation as never),
        isCode('INVALID_ARGUMENT'),
        JSON.stringify(invitation),
      );
    }
  });

  it('finds accounts by id, login, ledger user id and organisation', () => {
    const { accounts } = store();
    const jones = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'dr.jones', role: 'doctor' });
    const adams = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'adams', role: 'patient' });
    accounts.invite({ mspId: 'ImagingMSP', enrollmentId: 'tech', role: 'technologist' });
    const enrolled = accounts.completeEnrolment(jones.accountId, enrolment(jones.accountId));
    assert.deepEqual(accounts.byId(jones.accountId), enrolled);
    assert.deepEqual(accounts.byLogin('HospitalAMSP', 'dr.jones'), enrolled);
    assert.deepEqual(accounts.byUserId(enrolled.userId ?? ''), enrolled);
    assert.equal(accounts.byLogin('HospitalBMSP', 'dr.jones'), undefined);
    assert.equal(accounts.byId('nope'), undefined);
    assert.deepEqual(
      accounts.list('HospitalAMSP').map((a) => a.accountId),
      [adams.accountId, jones.accountId],
    );
    assert.deepEqual(accounts.list('NoSuchMSP'), []);
  });

  it('takes an account from invited to active with its TOTP confirmed', () => {
    const { accounts, advance } = store();
    const { accountId } = accounts.invite({
      mspId: 'HospitalAMSP',
      enrollmentId: 'dr.jones',
      role: 'doctor',
    });
    advance(60_000);
    const input = enrolment(accountId);
    const active = accounts.completeEnrolment(accountId, input);
    assert.equal(active.status, 'active');
    assert.equal(active.totpEnrolled, false);
    assert.equal(active.userId, input.userId);
    assert.equal(active.certificatePem, input.certificatePem);
    assert.equal(active.encryptionPublicKey, input.encryptionPublicKey);
    assert.equal(active.keyBackup, input.keyBackup);
    assert.equal(active.updatedAt, '2025-06-01T12:01:00.000Z');
    assert.equal(active.createdAt, '2025-06-01T12:00:00.000Z');
    assert.equal(accounts.passwordHash(accountId), PASSWORD_HASH);
    const sealed = accounts.totpSecretSealed(accountId);
    assert.ok(sealed);
    assert.equal(open(sealed, SERVER_KEY, accountId), 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');

    assert.throws(() => accounts.completeEnrolment(accountId, enrolment(accountId)), isCode('INVALID_STATE'));
    assert.throws(() => accounts.completeEnrolment('nope', enrolment('nope')), isCode('NOT_FOUND'));

    const confirmed = accounts.confirmTotp(accountId, 58_000_000);
    assert.equal(confirmed.totpEnrolled, true);
    assert.equal(accounts.lastTotpStep(accountId), 58_000_000);
    assert.throws(() => accounts.confirmTotp(accountId, 58_000_001), isCode('INVALID_STATE'));
  });

  it('confirms the TOTP after the login path accepted its step, keeping the later step', () => {
    const { accounts } = store();
    const a = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    accounts.completeEnrolment(a.accountId, enrolment(a.accountId));
    assert.equal(accounts.acceptTotpStep(a.accountId, 300), true);
    assert.equal(accounts.confirmTotp(a.accountId, 300).totpEnrolled, true);
    assert.equal(accounts.lastTotpStep(a.accountId), 300);
    assert.equal(accounts.acceptTotpStep(a.accountId, 300), false);

    const b = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'b', role: 'doctor' });
    accounts.completeEnrolment(b.accountId, enrolment(b.accountId));
    assert.equal(accounts.acceptTotpStep(b.accountId, 301), true);
    accounts.confirmTotp(b.accountId, 300);
    assert.equal(accounts.lastTotpStep(b.accountId), 301);
  });

  it('refuses to confirm the TOTP of an account that has not enrolled', () => {
    const { accounts } = store();
    const { accountId } = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'x', role: 'doctor' });
    assert.throws(() => accounts.confirmTotp(accountId, 1), isCode('INVALID_STATE'));
    assert.throws(() => accounts.confirmTotp('nope', 1), isCode('NOT_FOUND'));
  });

  it('does not let a sealed secret move to another account', () => {
    const { accounts } = store();
    const a = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    const b = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'b', role: 'doctor' });
    accounts.completeEnrolment(a.accountId, enrolment(a.accountId));
    const stolen = accounts.totpSecretSealed(a.accountId) ?? '';
    accounts.completeEnrolment(b.accountId, enrolment(b.accountId, { totpSecretSealed: stolen }));
    assert.throws(
      () => open(accounts.totpSecretSealed(b.accountId) ?? '', SERVER_KEY, b.accountId),
      (e: unknown) => {
        return e instanceof AuthError && e.code === 'SEALED_SECRET_INVALID';
      },
    );
  });

  it('keeps ledger user ids unique', () => {
    const { accounts } = store();
    const a = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    const b = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'b', role: 'doctor' });
    accounts.completeEnrolment(a.accountId, enrolment(a.accountId));
    assert.throws(
      () =>
        accounts.completeEnrolment(
          b.accountId,
          enrolment(b.accountId, { userId: accounts.byId(a.accountId)?.userId ?? '' }),
        ),
      isCode('ALREADY_EXISTS'),
    );
    assert.equal(accounts.byId(b.accountId)?.status, 'invited');
  });

  it('validates enrolments, and keeps key backups within 16 KiB', () => {
    const { accounts } = store();
    const { accountId } = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    const bad: Partial<Enrolment>[] = [
      { passwordHash: 'hunter2' },
      { certificatePem: 'not a certificate' },
      { userId: 'NOT-HEX' },
      { encryptionPublicKey: 'not base64!' },
      { totpSecretSealed: 'JBSWY3DPEHPK3PXP' },
      { keyBackup: 'x'.repeat(MAX_KEY_BACKUP_BYTES + 1) },
      { keyBackup: 'é'.repeat(MAX_KEY_BACKUP_BYTES / 2 + 1) },
    ];
    for (const overrides of bad) {
      assert.throws(
        () => accounts.completeEnrolment(accountId, enrolment(accountId, overrides)),
        isCode('INVALID_ARGUMENT'),
        Object.keys(overrides).join(),
      );
    }
    const full = 'x'.repeat(MAX_KEY_BACKUP_BYTES);
    assert.equal(
      accounts.completeEnrolment(accountId, enrolment(accountId, { keyBackup: full })).keyBackup,
      full,
    );
    assert.equal(accounts.setKeyBackup(accountId, null).keyBackup, null);
    assert.equal(accounts.setKeyBackup(accountId, 'new-backup').keyBackup, 'new-backup');
    assert.throws(() => accounts.setKeyBackup(accountId, full + 'x'), isCode('INVALID_ARGUMENT'));
  });

  it('accepts each TOTP step once, and never an older one', () => {
    const { accounts } = store();
    const { accountId } = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    accounts.completeEnrolment(accountId, enrolment(accountId));
    accounts.confirmTotp(accountId, 100);
    assert.equal(accounts.acceptTotpStep(accountId, 100), false);
    assert.equal(accounts.acceptTotpStep(accountId, 101), true);
    assert.equal(accounts.acceptTotpStep(accountId, 101), false);
    assert.equal(accounts.acceptTotpStep(accountId, 99), false);
    assert.equal(accounts.acceptTotpStep(accountId, 103), true);
    assert.equal(accounts.lastTotpStep(accountId), 103);
    assert.equal(accounts.acceptTotpStep('nope', 200), false);
    assert.throws(() => accounts.acceptTotpStep(accountId, -1), isCode('INVALID_ARGUMENT'));
    assert.throws(() => accounts.acceptTotpStep(accountId, 1.5), isCode('INVALID_ARGUMENT'));
  });

  it('lets exactly one of two connections accept the same step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medshare-accounts-'));
    try {
      const file = join(dir, 'gateway.sqlite');
      const first = openDatabase(file);
      const second = openDatabase(file);
      const a = new AccountStore(first);
      const b = new AccountStore(second);
      const { accountId } = a.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
      a.completeEnrolment(accountId, enrolment(accountId));
      const results = [a.acceptTotpStep(accountId, 500), b.acceptTotpStep(accountId, 500)];
      assert.deepEqual(results, [true, false]);
      assert.equal(b.lastTotpStep(accountId), 500);
      first.close();
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('suspends and reactivates enrolled accounts only', () => {
    const { accounts } = store();
    const { accountId } = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    assert.throws(() => accounts.setStatus(accountId, 'active'), isCode('INVALID_STATE'));
    assert.throws(() => accounts.setStatus(accountId, 'invited'), isCode('INVALID_ARGUMENT'));
    accounts.completeEnrolment(accountId, enrolment(accountId));
    assert.equal(accounts.setStatus(accountId, 'suspended').status, 'suspended');
    assert.throws(() => accounts.setKeyBackup(accountId, 'x'), isCode('INVALID_STATE'));
    assert.equal(accounts.setStatus(accountId, 'active').status, 'active');
    assert.throws(() => accounts.setStatus('nope', 'suspended'), isCode('NOT_FOUND'));
  });

  it('replaces the password of enrolled accounts only', () => {
    const { accounts } = store();
    const { accountId } = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    const other = PASSWORD_HASH.replace('c2Fsd', 'b3RoZ');
    assert.throws(() => accounts.setPassword(accountId, other), isCode('INVALID_STATE'));
    accounts.completeEnrolment(accountId, enrolment(accountId));
    accounts.setPassword(accountId, other);
    assert.equal(accounts.passwordHash(accountId), other);
    assert.throws(() => accounts.setPassword(accountId, 'plain'), isCode('INVALID_ARGUMENT'));
    assert.throws(() => accounts.passwordHash('nope'), isCode('NOT_FOUND'));
    assert.throws(() => accounts.totpSecretSealed('nope'), isCode('NOT_FOUND'));
    assert.throws(() => accounts.lastTotpStep('nope'), isCode('NOT_FOUND'));
  });

  it('never returns the password hash, TOTP secret or last step on an account', () => {
    const { accounts } = store();
    const invited = accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'a', role: 'doctor' });
    const { accountId } = invited;
    const returned = [
      invited,
      accounts.completeEnrolment(accountId, enrolment(accountId)),
      accounts.confirmTotp(accountId, 7),
      accounts.setStatus(accountId, 'suspended'),
      accounts.setStatus(accountId, 'active'),
      accounts.setKeyBackup(accountId, 'b'),
      accounts.setPassword(accountId, PASSWORD_HASH),
      accounts.byId(accountId),
      accounts.byLogin('HospitalAMSP', 'a'),
      accounts.byUserId(accounts.byId(accountId)?.userId ?? ''),
      ...accounts.list('HospitalAMSP'),
    ];
    for (const account of returned) assertPublicOnly(account);
  });
});
