import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { fromBase64, toBase64 } from './bytes';
import { DataKey } from './data-key';
import {
  type EncryptionKeyPair,
  WRAPPED_KEY_SIZE,
  generateEncryptionKeyPair,
  importEncryptionPublicKey,
  unwrapDataKey,
  wrapDataKey,
} from './key-wrap';
import { isCode, sameDataKey } from './testing';

const CHAINCODE_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

describe('key wrap', () => {
  let alice: EncryptionKeyPair;
  let dataKey: DataKey;

  before(async () => {
    alice = await generateEncryptionKeyPair();
    dataKey = await DataKey.generate();
  });

  it('round-trips a data key for the recipient it was wrapped for', async () => {
    const wrapped = await wrapDataKey(dataKey, alice.publicKeySpki, 'alice');
    assert.ok(await sameDataKey(dataKey, await unwrapDataKey(wrapped, alice, 'alice')));
  });

  it('outputs 106 bytes of chaincode-valid base64, fresh for every wrap', async () => {
    const a = await wrapDataKey(dataKey, alice.publicKeySpki, 'alice');
    const b = await wrapDataKey(dataKey, alice.publicKeySpki, 'alice');
    for (const wrapped of [a, b]) {
      assert.match(wrapped, CHAINCODE_BASE64);
      const bytes = Buffer.from(wrapped, 'base64');
      assert.equal(bytes.length, WRAPPED_KEY_SIZE);
      assert.equal(bytes.length, 106);
      assert.equal(bytes[0], 0x01);
      assert.equal(bytes[1], 0x04, 'the ephemeral key is an uncompressed point');
    }
    assert.notEqual(a, b);
  });

  it('generates a chaincode-valid SPKI public key and a non-extractable private key', async () => {
    assert.match(alice.publicKeySpki, CHAINCODE_BASE64);
    assert.equal(alice.privateKey.extractable, false);
    const extractable = await generateEncryptionKeyPair({ extractable: true });
    assert.equal(extractable.privateKey.extractable, true);
    const jwk = await webcrypto.subtle.exportKey('jwk', extractable.privateKey);
    assert.equal(jwk.crv, 'P-256');
  });

  it('is WRONG_KEY for another private key', async () => {
    const wrapped = await wrapDataKey(dataKey, alice.publicKeySpki, 'alice');
    const mallory = await generateEncryptionKeyPair();
    await assert.rejects(unwrapDataKey(wrapped, mallory, 'alice'), isCode('WRONG_KEY'));
    await assert.rejects(
      unwrapDataKey(wrapped, { publicKeySpki: alice.publicKeySpki, privateKey: mallory.privateKey }, 'alice'),
      isCode('WRONG_KEY'),
    );
  });

  it('is WRONG_KEY for another recipient id', async () => {
    const wrapped = await wrapDataKey(dataKey, alice.publicKeySpki, 'alice');
    await assert.rejects(unwrapDataKey(wrapped, alice, 'alicf'), isCode('WRONG_KEY'));
    await assert.rejects(unwrapDataKey(wrapped, alice, ''), isCode('WRONG_KEY'));
  });

  it('is WRONG_KEY when a byte of the wrapped key or the ephemeral key changes', async () => {
    const bytes = fromBase64(await wrapDataKey(dataKey, alice.publicKeySpki, 'alice'));
    assert.ok(bytes);
    const lastByte = bytes.slice();
    lastByte[105] = (lastByte[105] ?? 0) ^ 1;
    await assert.rejects(unwrapDataKey(toBase64(lastByte), alice, 'alice'), isCode('WRONG_KEY'));
    const otherEphemeral = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ]);
    const swapped = bytes.slice();
    swapped.set(new Uint8Array(await webcrypto.subtle.exportKey('raw', otherEphemeral.publicKey)), 1);
    await assert.rejects(unwrapDataKey(toBase64(swapped), alice, 'alice'), isCode('WRONG_KEY'));
  });

  it('is BAD_WRAPPED_KEY for garbage', async () => {
    const notAPoint = new Uint8Array(106).fill(0xff);
    notAPoint[0] = 0x01;
    for (const garbage of [
      '',
      'not base64!',
      'AQID',
      Buffer.from(new Uint8Array(105).fill(1)).toString('base64'),
      Buffer.from(new Uint8Array(107).fill(1)).toString('base64'),
      Buffer.from(notAPoint).toString('base64'),
      Buffer.from(notAPoint).toString('base64url'),
    ]) {
      await assert.rejects(unwrapDataKey(garbage, alice, 'alice'), isCode('BAD_WRAPPED_KEY'), garbage);
    }
  });

  it('is UNSUPPORTED_VERSION for another version byte', async () => {
    const bytes = fromBase64(await wrapDataKey(dataKey, alice.publicKeySpki, 'alice'));
    assert.ok(bytes);
    bytes[0] = 0x02;
    await assert.rejects(unwrapDataKey(toBase64(bytes), alice, 'alice'), isCode('UNSUPPORTED_VERSION'));
  });

  it('is BAD_PUBLIC_KEY for a recipient key that is not P-256 SPKI', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const x25519 = generateKeyPairSync('x25519');
    for (const spki of [
      'not base64',
      'AAAA',
      p384.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      x25519.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    ]) {
      await assert.rejects(wrapDataKey(dataKey, spki, 'alice'), isCode('BAD_PUBLIC_KEY'), spki);
      await assert.rejects(importEncryptionPublicKey(spki), isCode('BAD_PUBLIC_KEY'), spki);
    }
  });

  it('works with a key pair made by node:crypto, as a recipient registers it', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const publicKeySpki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const recipient: EncryptionKeyPair = {
      publicKeySpki,
      privateKey: await webcrypto.subtle.importKey(
        'pkcs8',
        privateKey.export({ format: 'der', type: 'pkcs8' }),
        { name: 'ECDH', namedCurve: 'P-256' },
        false,
        ['deriveBits'],
      ),
    };
    const wrapped = await wrapDataKey(dataKey, publicKeySpki, 'user-0001');
    assert.ok(await sameDataKey(dataKey, await unwrapDataKey(wrapped, recipient, 'user-0001')));
  });
});
