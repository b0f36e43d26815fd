import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceError } from './errors';
import type { PostureFacts } from './facts';
import { DEFAULT_DEVICE_POLICY, evaluatePolicy, parseDevicePolicy, type DevicePolicyInput } from './policy';
import { sampleFacts } from './testing';

const codes = (facts: PostureFacts, policy: DevicePolicyInput) =>
  evaluatePolicy(facts, parseDevicePolicy(policy)).map((v) => `${v.code}:${v.fact}`);

describe('device policy', () => {
  it('defaults to fresh reports and package updates within 30 days, nothing else', () => {
    assert.deepEqual(DEFAULT_DEVICE_POLICY, {
      maxReportAgeSeconds: 60,
      maxSecurityUpdateAgeDays: 30,
      requireDiskEncryption: 'off',
      requireFirewall: 'off',
      requireScreenLock: 'off',
    });
    const bare = sampleFacts({
      diskEncryption: { value: false, source: 's' },
      firewall: { value: null, source: 's' },
      screenLock: { value: false, source: 's' },
    });
    assert.deepEqual(evaluatePolicy(bare, DEFAULT_DEVICE_POLICY), []);
  });

  it('rejects a malformed policy naming the field', () => {
    for (const [input, field] of [
      [{ requireFirewall: 'yes' }, 'requireFirewall'],
      [{ minKernel: '5.x' }, 'minKernel'],
      [{ allowedOs: ['Debian GNU/Linux'] }, 'allowedOs.0'],
      [{ maxReportAgeSeconds: 0 }, 'maxReportAgeSeconds'],
      [{ unknownSetting: true }, '(top level)'],
    ] as const) {
      assert.throws(
        () => parseDevicePolicy(input),
        (error: unknown) =>
          error instanceof DeviceError &&
          error.code === 'INVALID_ARGUMENT' &&
          error.message.startsWith(`device policy: ${field}:`),
      );
    }
  });

  for (const [name, code] of [
    ['diskEncryption', 'DISK_NOT_ENCRYPTED'],
    ['firewall', 'FIREWALL_OFF'],
    ['screenLock', 'SCREEN_LOCK_OFF'],
  ] as const) {
    const setting = {
      diskEncryption: 'requireDiskEncryption',
      firewall: 'requireFirewall',
      screenLock: 'requireScreenLock',
    }[name];
    it(`enforces ${name} as required, if-known or off`, () => {
      const facts = (value: boolean | null) => sampleFacts({ [name]: { value, source: 'fixture' } });
      const table: [string, boolean | null, string[]][] = [
        ['required', true, []],
        ['required', false, [`${code}:${name}`]],
        ['required', null, [`FACT_UNKNOWN:${name}`]],
        ['if-known', true, []],
        ['if-known', false, [`${code}:${name}`]],
        ['if-known', null, []],
        ['off', false, []],
        ['off', null, []],
      ];
      for (const [mode, value, expected] of table) {
        assert.deepEqual(codes(facts(value), { [setting]: mode }), expected, `${mode} with ${String(value)}`);
      }
    });
  }

  it('fails stale or unknown package updates unless not checked', () => {
    const age = (ageDays: number) =>
      sampleFacts({ lastSecurityUpdate: { value: { at: new Date().toISOString(), ageDays }, source: 's' } });
    assert.deepEqual(codes(age(30), {}), []);
    assert.deepEqual(codes(age(31), {}), ['SECURITY_UPDATES_STALE:lastSecurityUpdate']);
    assert.deepEqual(codes(age(8), { maxSecurityUpdateAgeDays: 7 }), [
      'SECURITY_UPDATES_STALE:lastSecurityUpdate',
    ]);
    assert.deepEqual(codes(age(400), { maxSecurityUpdateAgeDays: null }), []);
    const unknown = sampleFacts({ lastSecurityUpdate: { value: null, source: 'not read on win32' } });
    assert.deepEqual(codes(unknown, {}), ['FACT_UNKNOWN:lastSecurityUpdate']);
    assert.deepEqual(codes(unknown, { maxSecurityUpdateAgeDays: null }), []);
  });

  it('compares kernel releases numerically', () => {
    const kernel = (value: string | null) => sampleFacts({ kernel: { value, source: 'os.release()' } });
    assert.deepEqual(codes(kernel('5.10.0-28-amd64'), { minKernel: '5.10' }), []);
    assert.deepEqual(codes(kernel('5.9.16'), { minKernel: '5.10' }), ['KERNEL_TOO_OLD:kernel']);
    assert.deepEqual(codes(kernel('6.1'), { minKernel: '5.10' }), []);
    assert.deepEqual(codes(kernel('5.10'), { minKernel: '5.10.1' }), ['KERNEL_TOO_OLD:kernel']);
    assert.deepEqual(codes(kernel('weird'), { minKernel: '5.10' }), ['FACT_UNKNOWN:kernel']);
    assert.deepEqual(codes(kernel(null), { minKernel: '5.10' }), ['FACT_UNKNOWN:kernel']);
  });

  it('accepts only the listed operating systems', () => {
    assert.deepEqual(codes(sampleFacts(), { allowedOs: ['debian', 'ubuntu'] }), []);
    assert.deepEqual(codes(sampleFacts(), { allowedOs: ['ubuntu'] }), ['OS_NOT_ALLOWED:os']);
    const unknown = sampleFacts({ os: { value: null, source: 'not read on darwin' } });
    assert.deepEqual(codes(unknown, { allowedOs: ['debian'] }), ['FACT_UNKNOWN:os']);
  });

  it('lists every violation in a fixed order, each saying what to do', () => {
    const facts = sampleFacts({
      lastSecurityUpdate: { value: { at: new Date().toISOString(), ageDays: 90 }, source: 's' },
      diskEncryption: { value: false, source: 's' },
      firewall: { value: null, source: 'nft not installed' },
      screenLock: { value: false, source: 's' },
      kernel: { value: '4.19.0', source: 's' },
    });
    const violations = evaluatePolicy(
      facts,
      parseDevicePolicy({
        requireDiskEncryption: 'required',
        requireFirewall: 'required',
        requireScreenLock: 'if-known',
        minKernel: '5.10',
        allowedOs: ['ubuntu'],
      }),
    );
    assert.deepEqual(
      violations.map((v) => v.code),
      [
        'SECURITY_UPDATES_STALE',
        'DISK_NOT_ENCRYPTED',
        'FACT_UNKNOWN',
        'SCREEN_LOCK_OFF',
        'KERNEL_TOO_OLD',
        'OS_NOT_ALLOWED',
      ],
    );
    assert.match(violations[2]?.message ?? '', /whether a firewall is active \(nft not installed\)/);
    for (const v of violations) assert.match(v.message, /;/, 'a reason and what to do');
  });
});
