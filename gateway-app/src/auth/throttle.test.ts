import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../db/database';
import { AccountStore } from './accounts';
import { LoginThrottle, type ThrottleState, loginKey } from './throttle';

const T0 = new Date('2025-06-01T12:00:00Z');
const after = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

describe('loginKey', () => {
  it('is the hex SHA-256 of the organisation and enrolment id, not the name itself', () => {
    const key = loginKey('HospitalAMSP', 'dr.jones');
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(key, loginKey('HospitalAMSP', 'dr.jones'));
    assert.notEqual(key, loginKey('HospitalBMSP', 'dr.jones'));
    assert.notEqual(key, loginKey('HospitalAMSP', 'Dr.jones'));
  });
});

describe('LoginThrottle', () => {
  it('locks a login name for 15 minutes at the fifth consecutive failure', () => {
    const throttle = new LoginThrottle(openDatabase(':memory:'));
    const key = loginKey('HospitalAMSP', 'dr.jones');
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(throttle.fail(key, after(i * 1000)), { locked: false, retryAfterSeconds: 0 });
    }
    assert.deepEqual(throttle.check(key, after(4000)), { locked: false, retryAfterSeconds: 0 });
    assert.deepEqual(throttle.fail(key, after(4000)), { locked: true, retryAfterSeconds: 900 });
    assert.deepEqual(throttle.check(key, after(4000 + 10 * MINUTE)), {
      locked: true,
      retryAfterSeconds: 300,
    });
    assert.deepEqual(throttle.check(key, after(4000 + 15 * MINUTE - 1)), {
      locked: true,
      retryAfterSeconds: 1,
    });
    // Failures during the lock neither count nor extend it.
    assert.deepEqual(throttle.fail(key, after(4000 + 14 * MINUTE)), { locked: true, retryAfterSeconds: 60 });
    assert.deepEqual(throttle.check(key, after(4000 + 15 * MINUTE)), { locked: false, retryAfterSeconds: 0 });
    // After the lock, a fresh run of five is needed.
    for (let i = 1; i <= 4; i++)
      assert.equal(throttle.fail(key, after(4000 + 15 * MINUTE + i)).locked, false);
    assert.equal(throttle.fail(key, after(4000 + 15 * MINUTE + 5)).locked, true);
  });

  it('leaves other login names alone', () => {
    const throttle = new LoginThrottle(openDatabase(':memory:'));
    for (let i = 0; i < 5; i++) throttle.fail(loginKey('HospitalAMSP', 'a'), T0);
    assert.equal(throttle.check(loginKey('HospitalAMSP', 'a'), T0).locked, true);
    assert.equal(throttle.check(loginKey('HospitalAMSP', 'b'), T0).locked, false);
  });

  it('behaves the same for a login name with no account', () => {
    const db = openDatabase(':memory:');
    const accounts = new AccountStore(db);
    accounts.invite({ mspId: 'HospitalAMSP', enrollmentId: 'dr.jones', role: 'doctor' });
    const throttle = new LoginThrottle(db);
    const run = (key: string) => {
      const states: ThrottleState[] = [];
      for (let i = 0; i < 6; i++) states.push(throttle.fail(key, after(i)));
      states.push(throttle.check(key, after(15 * MINUTE + 4)));
      return states;
    };
    assert.equal(accounts.byLogin('HospitalAMSP', 'nobody'), undefined);
    assert.deepEqual(run(loginKey('HospitalAMSP', 'nobody')), run(loginKey('HospitalAMSP', 'dr.jones')));
  });

  it('resets the count on success', () => {
    const throttle = new LoginThrottle(openDatabase(':memory:'));
    const key = loginKey('HospitalAMSP', 'a');
    for (let i = 0; i < 4; i++) throttle.fail(key, T0);
    throttle.succeed(key);
    for (let i = 0; i < 4; i++) assert.equal(throttle.fail(key, T0).locked, false);
    assert.equal(throttle.fail(key, T0).locked, true);
  });

  it('forgets a run of failures after a day, and prunes what no longer matters', () => {
    const db = openDatabase(':memory:');
    const throttle = new LoginThrottle(db);
    const key = loginKey('HospitalAMSP', 'a');
    for (let i = 0; i < 4; i++) throttle.fail(key, T0);
    const day = 24 * 60 * MINUTE;
    assert.equal(throttle.fail(key, after(day + 1)).locked, false);
    const locked = loginKey('HospitalAMSP', 'locked');
    for (let i = 0; i < 5; i++) throttle.fail(locked, after(2 * day));
    const stale = loginKey('HospitalAMSP', 'stale');
    throttle.fail(stale, T0);
    assert.equal(throttle.prune(after(2 * day + 2)), 2);
    assert.equal(throttle.check(locked, after(2 * day + 2)).locked, true);
  });

  it('takes its limits from the options', () => {
    const throttle = new LoginThrottle(openDatabase(':memory:'), {
      maxFailures: 3,
      lockMs: MINUTE,
      now: () => T0,
    });
    const key = loginKey('HospitalAMSP', 'a');
    throttle.fail(key);
    throttle.fail(key);
    assert.deepEqual(throttle.fail(key), { locked: true, retryAfterSeconds: 60 });
    assert.equal(throttle.check(key).locked, true);
  });

  it('keeps its counts across a restart, and no login names in the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medshare-throttle-'));
    try {
      const file = join(dir, 'gateway.sqlite');
      const key = loginKey('HospitalAMSP', 'dr.jones');
      let db = openDatabase(file);
      for (let i = 0; i < 3; i++) new LoginThrottle(db).fail(key, T0);
      db.close();
      db = openDatabase(file);
      const throttle = new LoginThrottle(db);
      throttle.fail(key, T0);
      assert.equal(throttle.fail(key, T0).locked, true);
      const dump = JSON.stringify(db.prepare('SELECT * FROM login_throttle').all());
      assert.ok(!dump.includes('dr.jones') && !dump.includes('HospitalAMSP'));
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
