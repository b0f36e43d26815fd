import assert from 'node:assert/strict';
import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type JsonWebKey,
  webcrypto,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DataKey } from './data-key';
import { unwrapDataKey, wrapDataKey } from './key-wrap';
import { decryptBytes, encryptBytes } from './one-shot';

interface EnvelopeVector {
  name: string;
  dataKey: string;
  salt: string;
  noncePrefix: string;
  segmentSize: number;
  plaintext: string;
  ciphertext: string;
  contentHash: string;
}

interface WrapVector {
  name: string;
  dataKey: string;
  recipientId: string;
  recipientPrivateKey: JsonWebKey;
  recipientPublicKeySpki: string;
  ephemeralPrivateKey: JsonWebKey;
  wrappedKey: string;
}

const vectors = JSON.parse(
  readFileSync(path.join(__dirname, '../../test-vectors/envelope-v1.json'), 'utf8'),
) as { envelopes: EnvelopeVector[]; wraps: WrapVector[] };

const hex = (text: string) => Buffer.from(text, 'hex');

/** The envelope built from the specification with node:crypto alone, sharing no code with the module. */
function referenceEnvelope(v: EnvelopeVector): Buffer {
  const dataKey = hex(v.dataKey);
  const salt = hex(v.salt);
  const plaintext = hex(v.plaintext);
  const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, salt, info, 32));
  const segmentSize = Buffer.alloc(4);
  segmentSize.writeUInt32BE(v.segmentSize);
  const header = Buffer.concat([
    Buffer.from('MSHE', 'ascii'),
    Buffer.from([1, 1]),
    segmentSize,
    salt,
    hex(v.noncePrefix),
    hkdf('medshare/envelope/v1 commitment'),
  ]);
  assert.equal(header.length, 81);
  const segmentKey = hkdf('medshare/envelope/v1 segment-key');
  const count = Math.max(1, Math.ceil(plaintext.length / v.segmentSize));
  const parts = [header];
  for (let i = 0; i < count; i++) {
    const nonce = Buffer.alloc(12);
    hex(v.noncePrefix).copy(nonce, 0);
    nonce.writeUInt32BE(i, 7);
    nonce[11] = i === count - 1 ? 1 : 0;
    const cipher = createCipheriv('aes-256-gcm', segmentKey, nonce, { authTagLength: 16 });
    cipher.setAAD(header);
    const body = plaintext.subarray(i * v.segmentSize, (i + 1) * v.segmentSize);
    parts.push(cipher.update(body), cipher.final(), cipher.getAuthTag());
  }
  return Buffer.concat(parts);
}

/** The wrapped key built from the specification with node:crypto alone. */
function referenceWrap(v: WrapVector): Buffer {
  const ephemeralPrivate = createPrivateKey({ key: v.ephemeralPrivateKey, format: 'jwk' });
  const recipientPublic = createPublicKey({
    key: Buffer.from(v.recipientPublicKeySpki, 'base64'),
    format: 'der',
    type: 'spki',
  });
  const ephemeralRaw = createPublicKey(ephemeralPrivate).export({ format: 'jwk' });
  const point = (jwk: JsonWebKey) =>
    Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x ?? '', 'base64url'),
      Buffer.from(jwk.y ?? '', 'base64url'),
    ]);
  const ephemeralPoint = point(ephemeralRaw);
  const recipientPoint = point(recipientPublic.export({ format: 'jwk' }));
  const shared = diffieHellman({ privateKey: ephemeralPrivate, publicKey: recipientPublic });
  const kek = Buffer.from(
    hkdfSync(
      'sha256',
      shared,
      Buffer.concat([ephemeralPoint, recipientPoint]),
      `medshare/wrap/v1\n${v.recipientId}`,
      32,
    ),
  );
  const wrap = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
  const wrapped = Buffer.concat([wrap.update(hex(v.dataKey)), wrap.final()]);
  return Buffer.concat([Buffer.from([1]), ephemeralPoint, wrapped]);
}

describe('test vectors', () => {
  it('cover an empty plaintext, one byte, several segments and exactly two segments', () => {
    assert.ok(vectors.envelopes.length >= 4);
    const segments = vectors.envelopes.map((v) => (v.ciphertext.length / 2 - 81) / (v.segmentSize + 16));
    assert.ok(segments.some((n) => n > 2));
    assert.ok(vectors.envelopes.some((v) => v.plaintext.length / 2 === 2 * v.segmentSize));
    assert.ok(vectors.wraps.length >= 1);
  });

  for (const v of vectors.envelopes) {
    describe(v.name, () => {
      it('matches an independent node:crypto construction', () => {
        assert.equal(referenceEnvelope(v).toString('hex'), v.ciphertext);
      });

      it('is what encryptBytes produces', async () => {
        const ciphertext = await encryptBytes(await DataKey.fromBytes(hex(v.dataKey)), hex(v.plaintext), {
          segmentSize: v.segmentSize,
          salt: hex(v.salt),
          noncePrefix: hex(v.noncePrefix),
        });
        assert.equal(Buffer.from(ciphertext).toString('hex'), v.ciphertext);
      });

      it('decrypts to the plaintext', async () => {
        const plaintext = await decryptBytes(await DataKey.fromBytes(hex(v.dataKey)), hex(v.ciphertext));
        assert.equal(Buffer.from(plaintext).toString('hex'), v.plaintext);
      });

      it('has the SHA-256 of the ciphertext as content hash', () => {
        assert.equal(createHash('sha256').update(hex(v.ciphertext)).digest('hex'), v.contentHash);
      });
    });
  }

  for (const v of vectors.wraps) {
    describe(v.name, () => {
      it('matches an independent node:crypto construction', () => {
        assert.equal(referenceWrap(v).toString('base64'), v.wrappedKey);
      });

      it('is what wrapDataKey produces with the given ephemeral key', async () => {
        const ephemeralPublic = { ...v.ephemeralPrivateKey, d: undefined };
        const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const;
        const ephemeralKeyPair = {
          privateKey: await webcrypto.subtle.importKey('jwk', v.ephemeralPrivateKey, ecdh, false, [
            'deriveBits',
          ]),
          publicKey: await webcrypto.subtle.importKey('jwk', ephemeralPublic, ecdh, true, []),
        };
        const wrapped = await wrapDataKey(
          await DataKey.fromBytes(hex(v.dataKey)),
          v.recipientPublicKeySpki,
          v.recipientId,
          { ephemeralKeyPair },
        );
        assert.equal(wrapped, v.wrappedKey);
      });

      it('unwraps to the data key with the recipient private key', async () => {
        const privateKey = await webcrypto.subtle.importKey(
          'jwk',
          v.recipientPrivateKey,
          { name: 'ECDH', namedCurve: 'P-256' },
          false,
          ['deriveBits'],
        );
        const dataKey = await unwrapDataKey(
          v.wrappedKey,
          { publicKeySpki: v.recipientPublicKeySpki, privateKey },
          v.recipientId,
        );
        const envelope = vectors.envelopes.find((e) => e.dataKey === v.dataKey);
        assert.ok(envelope, 'the wrap vector wraps the key of an envelope vector');
        const plaintext = await decryptBytes(dataKey, hex(envelope.ciphertext));
        assert.equal(Buffer.from(plaintext).toString('hex'), envelope.plaintext);
      });
    });
  }
});
