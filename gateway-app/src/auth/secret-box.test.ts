import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AuthError } from './errors';
import { open, seal, secretBoxKey } from './secret-box';

const key = randomBytes(32);
const isInvalid = (e: unknown) => e instanceof AuthError && e.code === 'SEALED_SECRET_INVALID';

describe('secret box', () => {
  it('opens what it sealed, for the same account, and seals afresh each time', () => {
    const sealed = seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', key, 'account-1');
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
    assert.equal(open(sealed, key, 'account-1'), 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    assert.notEqual(seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', key, 'account-1'), sealed);
  });

  it('refuses to open for another account', () => {
    const sealed = seal('secret', key, 'account-1');
    assert.throws(() => open(sealed, key, 'account-2'), isInvalid);
    assert.throws(() => open(sealed, key, ''), isInvalid);
  });

  it('refuses another key', () => {
    assert.throws(() => open(seal('secret', key, 'a'), randomBytes(32), 'a'), isInvalid);
  });

  it('detects any altered byte, truncation or format change', () => {
    const sealed = seal('secret', key, 'a');
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = (altered[i] ?? 0) ^ 0x01;
      assert.throws(() => open(`v1.${altered.toString('base64url')}`, key, 'a'), isInvalid, `byte ${i}`);
    }
    assert.throws(() => open(`v1.${bytes.subarray(0, 27).toString('base64url')}`, key, 'a'), isInvalid);
    assert.throws(
      () => open(`v1.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`, key, 'a'),
      isInvalid,
    );
    assert.throws(() => open(sealed.replace('v1.', 'v2.'), key, 'a'), isInvalid);
    assert.throws(() => open(sealed.slice(3), key, 'a'), isInvalid);
    assert.throws(() => open('', key, 'a'), isInvalid);
    assert.throws(() => open(`${sealed}!`, key, 'a'), isInvalid);
  });

  it('takes only a 32-byte key', () => {
    const isArgument = (e: unknown) => e instanceof AuthError && e.code === 'INVALID_ARGUMENT';
    assert.throws(() => seal('x', randomBytes(16), 'a'), isArgument);
    assert.throws(() => open('v1.AAAA', randomBytes(31), 'a'), isArgument);
    assert.deepEqual(secretBoxKey(key.toString('base64')), key);
    assert.throws(() => secretBoxKey(randomBytes(24).toString('base64')), isArgument);
    assert.throws(() => secretBoxKey('not base64!'), isArgument);
  });
});
