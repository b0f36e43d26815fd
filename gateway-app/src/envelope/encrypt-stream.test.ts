import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataKey } from './data-key';
import { createDecryptStream } from './decrypt-stream';
import { createEncryptStream } from './encrypt-stream';
import { EnvelopeError } from './errors';
import { DEFAULT_SEGMENT_SIZE, HEADER_SIZE, MAX_SEGMENT_SIZE, ciphertextSize } from './format';
import { decryptBytes, encryptBytes } from './one-shot';
import { chunkedSource, collect, patternBytes } from './testing';

const MiB = 1024 * 1024;
const salt = new Uint8Array(32).fill(7);
const noncePrefix = new Uint8Array(7).fill(9);

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.length),
  );
}

async function roundTrip(
  key: DataKey,
  plaintext: Uint8Array,
  segmentSize: number,
  chunkSize: number | number[],
  withEmpty = false,
  decryptChunkSize = chunkSize,
): Promise<Uint8Array> {
  const ciphertext = await collect(
    chunkedSource(plaintext, chunkSize, withEmpty).pipeThrough(createEncryptStream(key, { segmentSize })),
  );
  assert.equal(ciphertext.length, ciphertextSize(plaintext.length, segmentSize));
  const decrypted = await collect(
    chunkedSource(ciphertext, decryptChunkSize, withEmpty).pipeThrough(createDecryptStream(key)),
  );
  assert.equal(decrypted.length, plaintext.length);
  assert.ok(sameBytes(decrypted, plaintext), 'the decrypted bytes differ from the plaintext');
  return ciphertext;
}

describe('encrypt and decrypt streams', () => {
  describe('with 64-byte segments', () => {
    const segmentSize = 64;
    for (const size of [0, 1, segmentSize - 1, segmentSize, segmentSize + 1, 3 * segmentSize]) {
      for (const chunkSize of [1, 7, 3_000_000]) {
        it(`round-trips ${size} bytes fed in ${chunkSize}-byte chunks`, async () => {
          await roundTrip(await DataKey.generate(), patternBytes(size), segmentSize, chunkSize);
        });
      }
      it(`round-trips ${size} bytes with empty chunks in between`, async () => {
        await roundTrip(await DataKey.generate(), patternBytes(size), segmentSize, 5, true);
      });
    }
  });

  describe('with the default 1 MiB segments', () => {
    // Node's test runner makes each stream chunk cost about 10 µs, so byte-sized chunks are used where
    // they matter: at the segment boundary.
    const aroundBoundary = [MiB - 3, 1, 1, 1, 1, 1, 1];
    // Byte-sized chunks across the end of the header and of the first sealed segment.
    const aroundSealedBoundary = [HEADER_SIZE - 3, 1, 1, 1, 1, 1, 1, MiB + 16 - 6, 1, 1, 1, 1, 1, 1];
    const cases: [size: number, chunkSizes: (number | number[])[]][] = [
      [0, [1, 7]],
      [1, [1, 7]],
      [MiB - 1, [7, aroundBoundary, 3_000_000]],
      [MiB + 1, [aroundBoundary, 3_000_000]],
      [10_000_000, [3_000_000, [3_000_000, 1, 7], aroundBoundary]],
    ];
    for (const [size, chunkSizes] of cases) {
      for (const chunkSize of chunkSizes) {
        it(`round-trips ${size} bytes fed in chunks of ${String(chunkSize)} bytes`, async () => {
          await roundTrip(
            await DataKey.generate(),
            patternBytes(size, size + 1),
            DEFAULT_SEGMENT_SIZE,
            chunkSize,
          );
        });
      }
    }

    for (const size of [MiB + 1, 10_000_000]) {
      it(`decrypts ${size} bytes fed byte-wise across the header and first segment boundary`, async () => {
        const plaintext = patternBytes(size, 3);
        await roundTrip(
          await DataKey.generate(),
          plaintext,
          DEFAULT_SEGMENT_SIZE,
          3_000_000,
          false,
          aroundSealedBoundary,
        );
      });
    }
  });

  it('produces the same envelope whatever the input chunking', async () => {
    const key = await DataKey.generate();
    const plaintext = patternBytes(1000);
    const expected = await encryptBytes(key, plaintext, { segmentSize: 64, salt, noncePrefix });
    for (const chunkSize of [1, 7, 64, 65, 1000]) {
      const actual = await collect(
        chunkedSource(plaintext, chunkSize, true).pipeThrough(
          createEncryptStream(key, { segmentSize: 64, salt, noncePrefix }),
        ),
      );
      assert.ok(sameBytes(actual, expected), `chunks of ${chunkSize} bytes gave another envelope`);
    }
  });

  it('cuts a plaintext of whole segments without an empty final segment', async () => {
    const key = await DataKey.generate();
    const ciphertext = await encryptBytes(key, patternBytes(128), { segmentSize: 64 });
    assert.equal(ciphertext.length, HEADER_SIZE + 2 * (64 + 16));
  });

  it('writes the segment size into the header', async () => {
    const ciphertext = await encryptBytes(await DataKey.generate(), new Uint8Array(0), { segmentSize: 4096 });
    assert.equal(new DataView(ciphertext.buffer, ciphertext.byteOffset).getUint32(6), 4096);
  });

  it('draws a fresh salt and nonce prefix for every envelope', async () => {
    const key = await DataKey.generate();
    const a = await encryptBytes(key, new Uint8Array(10));
    const b = await encryptBytes(key, new Uint8Array(10));
    assert.notDeepEqual(a.subarray(10, 42), b.subarray(10, 42));
    assert.notDeepEqual(a.subarray(42, 49), b.subarray(42, 49));
    assert.deepEqual(await decryptBytes(key, b), new Uint8Array(10));
  });

  it('rejects options outside the format at once', async () => {
    const key = await DataKey.generate();
    const invalid = (error: unknown) => error instanceof EnvelopeError && error.code === 'INVALID_ARGUMENT';
    for (const segmentSize of [0, 15, 16.5, MAX_SEGMENT_SIZE + 1, Number.NaN]) {
      assert.throws(() => createEncryptStream(key, { segmentSize }), invalid, String(segmentSize));
    }
    assert.throws(() => createEncryptStream(key, { salt: new Uint8Array(31) }), invalid);
    assert.throws(() => createEncryptStream(key, { noncePrefix: new Uint8Array(8) }), invalid);
    assert.throws(() => createDecryptStream(key, { maxSegmentSize: 8 }), invalid);
  });

  it('accepts the smallest and largest segment sizes', async () => {
    const key = await DataKey.generate();
    for (const segmentSize of [16, MAX_SEGMENT_SIZE]) {
      const plaintext = patternBytes(40);
      const ciphertext = await encryptBytes(key, plaintext, { segmentSize });
      assert.deepEqual(await decryptBytes(key, ciphertext), plaintext);
    }
  });
});
