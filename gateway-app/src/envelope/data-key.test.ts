import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { DataKey, dataKeyCryptoKey } from './data-key';
import { EnvelopeError } from './errors';
import { encryptBytes } from './one-shot';

const salt = new Uint8Array(32);
const noncePrefix = new Uint8Array(7);

describe('DataKey', () => {
  it('generates a different key each time', async () => {
    const a = await encryptBytes(await DataKey.generate(), new Uint8Array(1), { salt, noncePrefix });
    const b = await encryptBytes(await DataKey.generate(), new Uint8Array(1), { salt, noncePrefix });
    assert.notDeepEqual(a.subarray(49, 81), b.subarray(49, 81));
  });

  it('is deterministic from bytes', async () => {
    const bytes = new Uint8Array(32).fill(3);
    const a = await encryptBytes(await DataKey.fromBytes(bytes), new Uint8Array(1), { salt, noncePrefix });
    const b = await encryptBytes(await DataKey.fromBytes(bytes), new Uint8Array(1), { salt, noncePrefix });
    assert.deepEqual(a, b);
  });

  it('does not keep a reference to the bytes it was made from', async () => {
    const bytes = new Uint8Array(32).fill(3);
    const key = await DataKey.fromBytes(bytes);
    const before = await encryptBytes(key, new Uint8Array(1), { salt, noncePrefix });
    bytes.fill(4);
    assert.deepEqual(await encryptBytes(key, new Uint8Array(1), { salt, noncePrefix }), before);
  });

  it('accepts exactly 32 bytes', async () => {
    for (const length of [0, 16, 31, 33, 64]) {
      await assert.rejects(
        DataKey.fromBytes(new Uint8Array(length)),
        (error: unknown) => error instanceof EnvelopeError && error.code === 'INVALID_ARGUMENT',
      );
    }
  });

  it('shows nothing of the key when printed or serialised', async () => {
    const key = await DataKey.fromBytes(new Uint8Array(32).fill(0x5a));
    assert.equal(JSON.stringify(key), '{}');
    assert.equal(inspect(key, { showHidden: true, depth: 5 }).includes('5a'), false);
    assert.deepEqual(Object.keys(key), []);
  });

  it('holds an extractable AES-GCM key for wrapping and HKDF only', async () => {
    const cryptoKey = dataKeyCryptoKey(await DataKey.generate());
    assert.equal(cryptoKey.algorithm.name, 'AES-GCM');
    assert.equal(cryptoKey.extractable, true);
  });
});
