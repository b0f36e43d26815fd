import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import type { WebCryptoKey } from '../envelope';
import { generateSigningKeyPair, importSigningKey, toLowSDer, webCryptoSigner } from './signer';

// The order of the P-256 group (SEC 2, section 2.4.2), written out here rather than taken from the library under test.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;

const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBdevice\n-----END CERTIFICATE-----\n';

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function to32Bytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/**
 * Parses an ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }) strictly, as a
 * DER decoder must: short-form lengths, positive minimal integers, nothing left over.
 */
function parseDer(der: Uint8Array): { r: bigint; s: bigint } {
  assert.equal(der[0], 0x30, 'a SEQUENCE');
  assert.equal(der[1], der.length - 2, 'the SEQUENCE length covers exactly the rest');
  let offset = 2;
  const readInteger = (): bigint => {
    assert.equal(der[offset], 0x02, 'an INTEGER');
    const length = der[offset + 1] ?? 0;
    const content = der.subarray(offset + 2, offset + 2 + length);
    assert.equal(content.length, length, 'the INTEGER is complete');
    assert.ok(length >= 1 && length <= 33, `an INTEGER of 1 to 33 bytes, not ${length}`);
    const first = content[0] ?? 0;
    assert.equal(first & 0x80, 0, 'a positive INTEGER');
    if (length > 1) {
      assert.ok(first !== 0 || ((content[1] ?? 0) & 0x80) !== 0, 'a minimally encoded INTEGER');
    }
    offset += 2 + length;
    return toBigInt(content);
  };
  const r = readInteger();
  const s = readInteger();
  assert.equal(offset, der.length, 'no bytes after the SEQUENCE');
  return { r, s };
}

function p1363(r: bigint, s: bigint): Uint8Array {
  return new Uint8Array(Buffer.concat([to32Bytes(r), to32Bytes(s)]));
}

function verifiesDer(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);
}

async function nodePublicKey(publicKey: WebCryptoKey): Promise<KeyObject> {
  const spki = await crypto.subtle.exportKey('spki', publicKey);
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

describe('toLowSDer', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = new TextEncoder().encode('proposal bytes');
  /** A signature by node:crypto, split into r and its low and high S. */
  const signed = (text: Uint8Array) => {
    const raw = sign('sha256', text, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const r = toBigInt(raw.subarray(0, 32));
    const s = toBigInt(raw.subarray(32));
    return { r, low: s <= HALF_N ? s : N - s, high: s <= HALF_N ? N - s : s };
  };

  it('normalises a high-S signature to low S, and the result still verifies', () => {
    const { r, low, high } = signed(message);
    assert.ok(high > HALF_N);
    const der = toLowSDer(p1363(r, high));
    const parsed = parseDer(der);
    assert.equal(parsed.r, r);
    assert.equal(parsed.s, low);
    assert.ok(parsed.s <= HALF_N);
    assert.ok(verifiesDer(publicKey, message, der));
    assert.ok(!verifiesDer(publicKey, new TextEncoder().encode('other bytes'), der));
  });

  it('leaves a low-S signature unchanged, only re-encoded as DER', () => {
    const { r, low, high } = signed(message);
    const der = toLowSDer(p1363(r, low));
    assert.deepEqual(parseDer(der), { r, s: low });
    assert.ok(verifiesDer(publicKey, message, der));
    assert.deepEqual(toLowSDer(p1363(r, high)), der, 'both forms of one signature give the same bytes');
  });

  it('writes strict DER for many signatures, including integers that need or drop a leading byte', () => {
    for (let i = 0; i < 50; i++) {
      const text = new TextEncoder().encode(`message ${i}`);
      const { r, low, high } = signed(text);
      for (const s of [low, high]) {
        const der = toLowSDer(p1363(r, s));
        assert.deepEqual(parseDer(der), { r, s: low });
        assert.ok(verifiesDer(publicKey, text, der));
      }
    }
    // Fixed values exercise the encoding corners: a high bit needing a 0x00 pad, and short integers.
    const padded = parseDer(toLowSDer(p1363(0x80n << 248n, 1n)));
    assert.deepEqual(padded, { r: 0x80n << 248n, s: 1n });
    assert.deepEqual(
      toLowSDer(p1363(1n, 2n)),
      new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]),
    );
  });

  it('refuses a signature that is not 64 bytes', () => {
    for (const length of [0, 63, 65, 72]) {
      assert.throws(() => toLowSDer(new Uint8Array(length)), RangeError);
    }
  });
});

describe('webCryptoSigner', () => {
  it('signs with a low-S DER signature that node:crypto verifies, every time', async () => {
    const pair = await generateSigningKeyPair(false);
    const publicKey = await nodePublicKey(pair.publicKey);
    const signer = webCryptoSigner(pair.privateKey, CERTIFICATE);
    assert.equal(signer.certificatePem, CERTIFICATE);
    assert.equal(signer.privateKey, pair.privateKey);
    for (let i = 0; i < 50; i++) {
      const message = new TextEncoder().encode(`transaction ${i}`);
      const signature = await signer.sign(message);
      const { s } = parseDer(signature);
      assert.ok(s > 0n && s <= HALF_N, `signature ${i} has a high S`);
      assert.ok(verifiesDer(publicKey, message, signature), `signature ${i} does not verify`);
    }
  });

  it('signs exactly the bytes of a view into a larger buffer', async () => {
    const pair = await generateSigningKeyPair(false);
    const publicKey = await nodePublicKey(pair.publicKey);
    const whole = new TextEncoder().encode('header|the message itself|trailer');
    const view = whole.subarray(7, 25);
    const signature = await webCryptoSigner(pair.privateKey, CERTIFICATE).sign(view);
    assert.ok(verifiesDer(publicKey, Buffer.from(view), signature));
    assert.ok(!verifiesDer(publicKey, whole, signature));
  });
});

describe('generateSigningKeyPair', () => {
  it('makes P-256 ECDSA keys, the private one non-extractable unless asked', async () => {
    const pair = await generateSigningKeyPair(false);
    assert.deepEqual(pair.privateKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    assert.equal(pair.privateKey.extractable, false);
    assert.deepEqual(pair.privateKey.usages, ['sign']);
    assert.deepEqual(pair.publicKey.usages, ['verify']);
    await assert.rejects(crypto.subtle.exportKey('pkcs8', pair.privateKey));

    const extractable = await generateSigningKeyPair(true);
    assert.equal(extractable.privateKey.extractable, true);
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', extractable.privateKey);
    assert.ok(pkcs8.byteLength > 0);
  });
});

describe('importSigningKey', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));

  it('imports a PKCS#8 key, non-extractable by default, that signs verifiably', async () => {
    const key = await importSigningKey(pkcs8);
    assert.equal(key.extractable, false);
    assert.deepEqual(key.usages, ['sign']);
    assert.deepEqual(key.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    const message = new TextEncoder().encode('commit status request');
    const signature = await webCryptoSigner(key, CERTIFICATE).sign(message);
    assert.ok(parseDer(signature).s <= HALF_N);
    assert.ok(verifiesDer(publicKey, message, signature));
  });

  it('imports extractable when asked, giving back the same key', async () => {
    const key = await importSigningKey(pkcs8, true);
    assert.equal(key.extractable, true);
    const exported = await crypto.subtle.exportKey('jwk', key);
    assert.equal(exported.d, privateKey.export({ format: 'jwk' }).d);
  });

  it('refuses bytes that are not a P-256 PKCS#8 key', async () => {
    await assert.rejects(importSigningKey(new Uint8Array([1, 2, 3])));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    await assert.rejects(importSigningKey(new Uint8Array(other.export({ format: 'der', type: 'pkcs8' }))));
  });
});
