import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { concatBytes } from './bytes';
import { DataKey } from './data-key';
import { createDecryptStream } from './decrypt-stream';
import { EnvelopeError, type EnvelopeErrorCode } from './errors';
import { HEADER_SIZE, TAG_SIZE } from './format';
import { decryptBytes, encryptBytes } from './one-shot';
import { chunkedSource, collectUntilError, patternBytes } from './testing';

const SEGMENT = 64;
const SEALED = SEGMENT + TAG_SIZE;

async function expectCode(
  ciphertext: Uint8Array,
  key: DataKey,
  code: EnvelopeErrorCode,
  details?: Record<string, number>,
): Promise<void> {
  await assert.rejects(decryptBytes(key, ciphertext), (error: unknown) => {
    assert.ok(error instanceof EnvelopeError, `expected an EnvelopeError, got ${String(error)}`);
    assert.equal(error.name, 'EnvelopeError');
    assert.equal(error.code, code, error.message);
    if (details) assert.deepEqual(error.details, details);
    return true;
  });
}

/** Header and the sealed segments of an envelope with 64-byte segments. */
function split(ciphertext: Uint8Array): { header: Uint8Array; segments: Uint8Array[] } {
  const segments: Uint8Array[] = [];
  for (let offset = HEADER_SIZE; offset < ciphertext.length; offset += SEALED) {
    segments.push(ciphertext.subarray(offset, offset + SEALED));
  }
  return { header: ciphertext.subarray(0, HEADER_SIZE), segments };
}

function flip(bytes: Uint8Array, offset: number): Uint8Array {
  const copy = bytes.slice();
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return copy;
}

function segmentsOf(parts: { header: Uint8Array; segments: Uint8Array[] }, order: number[]): Uint8Array {
  return concatBytes([parts.header, ...order.map((i) => parts.segments[i] ?? new Uint8Array(0))]);
}

describe('decrypt stream', () => {
  let key: DataKey;
  /** 192 bytes: three full segments. */
  let whole: Uint8Array;
  /** 150 bytes: two full segments and a final one of 22 bytes. */
  let partial: Uint8Array;

  before(async () => {
    key = await DataKey.generate();
    whole = await encryptBytes(key, patternBytes(3 * SEGMENT), { segmentSize: SEGMENT });
    partial = await encryptBytes(key, patternBytes(150), { segmentSize: SEGMENT });
  });

  it('decrypts the untouched envelopes', async () => {
    assert.deepEqual(await decryptBytes(key, whole), patternBytes(3 * SEGMENT));
    assert.deepEqual(await decryptBytes(key, partial), patternBytes(150));
  });

  describe('a flipped header byte', () => {
    it('in the magic is BAD_HEADER', async () => {
      for (let offset = 0; offset < 4; offset++) await expectCode(flip(whole, offset), key, 'BAD_HEADER');
    });

    it('in the version or suite is UNSUPPORTED_VERSION', async () => {
      await expectCode(flip(whole, 4), key, 'UNSUPPORTED_VERSION');
      await expectCode(flip(whole, 5), key, 'UNSUPPORTED_VERSION');
    });

    it('in the segment size is SEGMENT_TOO_LARGE or fails segment 0', async () => {
      await expectCode(flip(whole, 6), key, 'SEGMENT_TOO_LARGE');
      await expectCode(flip(whole, 9), key, 'SEGMENT_AUTH_FAILED', { segment: 0 });
    });

    it('in the salt or the key commitment is WRONG_KEY', async () => {
      for (let offset = 10; offset < 42; offset++) await expectCode(flip(whole, offset), key, 'WRONG_KEY');
      for (let offset = 49; offset < 81; offset++) await expectCode(flip(whole, offset), key, 'WRONG_KEY');
    });

    it('in the nonce prefix fails segment 0', async () => {
      for (let offset = 42; offset < 49; offset++) {
        await expectCode(flip(whole, offset), key, 'SEGMENT_AUTH_FAILED', { segment: 0 });
      }
    });
  });

  it('a flipped byte in a segment body or tag is SEGMENT_AUTH_FAILED with its index', async () => {
    await expectCode(flip(whole, HEADER_SIZE + 5), key, 'SEGMENT_AUTH_FAILED', { segment: 0 });
    await expectCode(flip(whole, HEADER_SIZE + SEALED + 5), key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
    await expectCode(flip(whole, HEADER_SIZE + 2 * SEALED - 1), key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
    await expectCode(flip(whole, whole.length - 1), key, 'SEGMENT_AUTH_FAILED', { segment: 2 });
    await expectCode(flip(partial, partial.length - 20), key, 'SEGMENT_AUTH_FAILED', { segment: 2 });
  });

  it('rejects every single-byte change anywhere', async () => {
    for (let offset = 0; offset < partial.length; offset++) {
      await assert.rejects(decryptBytes(key, flip(partial, offset)), EnvelopeError, `offset ${offset}`);
    }
  });

  it('a dropped, swapped or duplicated segment is SEGMENT_AUTH_FAILED at the first misplaced one', async () => {
    const parts = split(whole);
    await expectCode(segmentsOf(parts, [1, 2]), key, 'SEGMENT_AUTH_FAILED', { segment: 0 });
    await expectCode(segmentsOf(parts, [0, 2]), key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
    await expectCode(segmentsOf(parts, [1, 0, 2]), key, 'SEGMENT_AUTH_FAILED', { segment: 0 });
    await expectCode(segmentsOf(parts, [0, 2, 1]), key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
    await expectCode(segmentsOf(parts, [0, 1, 1, 2]), key, 'SEGMENT_AUTH_FAILED', { segment: 2 });
    await expectCode(segmentsOf(parts, [0, 0, 1, 2]), key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
  });

  it('a segment from another envelope under the same key is SEGMENT_AUTH_FAILED', async () => {
    const other = split(await encryptBytes(key, patternBytes(3 * SEGMENT), { segmentSize: SEGMENT }));
    const parts = split(whole);
    const spliced = concatBytes([parts.header, ...parts.segments.slice(0, 1), ...other.segments.slice(1)]);
    await expectCode(spliced, key, 'SEGMENT_AUTH_FAILED', { segment: 1 });
  });

  describe('truncation', () => {
    it('at a segment boundary is TRUNCATED', async () => {
      const parts = split(whole);
      await expectCode(segmentsOf(parts, [0, 1]), key, 'TRUNCATED', { segment: 1 });
      await expectCode(segmentsOf(parts, [0]), key, 'TRUNCATED', { segment: 0 });
      await expectCode(segmentsOf(split(partial), [0, 1]), key, 'TRUNCATED', { segment: 1 });
    });

    it('right after the header is TRUNCATED', async () => {
      await expectCode(whole.subarray(0, HEADER_SIZE), key, 'TRUNCATED', { segment: 0 });
    });

    it('inside a tag (under 16 bytes of the last segment left) is TRUNCATED', async () => {
      await expectCode(whole.subarray(0, HEADER_SIZE + 2 * SEALED + 10), key, 'TRUNCATED', { segment: 2 });
      await expectCode(whole.subarray(0, HEADER_SIZE + 15), key, 'TRUNCATED', { segment: 0 });
    });

    it('mid-segment with a tag-sized remainder fails that segment', async () => {
      await expectCode(whole.subarray(0, HEADER_SIZE + 2 * SEALED + 40), key, 'SEGMENT_AUTH_FAILED', {
        segment: 2,
      });
    });

    it('inside the header is TRUNCATED', async () => {
      for (const length of [0, 1, 4, 40, HEADER_SIZE - 1]) {
        await expectCode(whole.subarray(0, length), key, 'TRUNCATED');
      }
    });

    it('of an empty plaintext (header and bare tag) is TRUNCATED', async () => {
      const empty = await encryptBytes(key, new Uint8Array(0), { segmentSize: SEGMENT });
      assert.equal(empty.length, HEADER_SIZE + TAG_SIZE);
      assert.equal((await decryptBytes(key, empty)).length, 0);
      await expectCode(empty.subarray(0, HEADER_SIZE + 8), key, 'TRUNCATED', { segment: 0 });
    });
  });

  describe('appended data', () => {
    it('one byte after a full final segment is TRAILING_DATA', async () => {
      await expectCode(concatBytes([whole, Uint8Array.of(0)]), key, 'TRAILING_DATA', { segment: 2 });
    });

    it('one byte after a short final segment fails that segment', async () => {
      await expectCode(concatBytes([partial, Uint8Array.of(0)]), key, 'SEGMENT_AUTH_FAILED', { segment: 2 });
    });

    it('a whole valid-looking segment is TRAILING_DATA', async () => {
      const parts = split(whole);
      await expectCode(segmentsOf(parts, [0, 1, 2, 2]), key, 'TRAILING_DATA', { segment: 2 });
      await expectCode(segmentsOf(parts, [0, 1, 2, 0]), key, 'TRAILING_DATA', { segment: 2 });
    });

    it('junk after an empty plaintext fails segment 0', async () => {
      const empty = await encryptBytes(key, new Uint8Array(0), { segmentSize: SEGMENT });
      await expectCode(concatBytes([empty, new Uint8Array(SEALED)]), key, 'SEGMENT_AUTH_FAILED', {
        segment: 0,
      });
    });
  });

  it('a different data key is WRONG_KEY', async () => {
    await expectCode(whole, await DataKey.generate(), 'WRONG_KEY');
  });

  it('refuses a header claiming 1 GiB segments as soon as the header is in', async () => {
    const forged = whole.slice(0, HEADER_SIZE);
    new DataView(forged.buffer).setUint32(6, 1024 ** 3);
    const before = process.memoryUsage().arrayBuffers;
    await expectCode(forged, key, 'SEGMENT_TOO_LARGE', {
      segmentSize: 1024 ** 3,
      maxSegmentSize: 16 * 1024 ** 2,
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 ** 2, 'a segment buffer was allocated');
  });

  it('honours a lower maxSegmentSize', async () => {
    const ciphertext = await encryptBytes(key, patternBytes(10), { segmentSize: 4096 });
    await assert.rejects(
      decryptBytes(key, ciphertext, { maxSegmentSize: 1024 }),
      (error: unknown) => error instanceof EnvelopeError && error.code === 'SEGMENT_TOO_LARGE',
    );
    assert.deepEqual(await decryptBytes(key, ciphertext, { maxSegmentSize: 4096 }), patternBytes(10));
  });

  it('releases the plaintext of authenticated segments only', async () => {
    for (const [segment, released] of [
      [0, 0],
      [1, SEGMENT],
      [2, 2 * SEGMENT],
    ] as const) {
      const tampered = flip(whole, HEADER_SIZE + segment * SEALED + 3);
      const result = await collectUntilError(
        chunkedSource(tampered, 7).pipeThrough(createDecryptStream(key)),
      );
      assert.ok(result.error instanceof EnvelopeError);
      assert.equal(result.released, released);
    }
  });

  it('keeps key material and plaintext out of error messages', async () => {
    const error = await decryptBytes(key, flip(whole, HEADER_SIZE)).catch((e: unknown) => e);
    assert.ok(error instanceof EnvelopeError);
    assert.equal(error.message, 'segment 0 failed authentication');
  });
});
