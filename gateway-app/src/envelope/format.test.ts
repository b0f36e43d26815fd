import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvelopeError } from './errors';
import {
  DEFAULT_SEGMENT_SIZE,
  HEADER_SIZE,
  MAX_SEGMENT_SIZE,
  TAG_SIZE,
  ciphertextSize,
  encodeHeader,
  parseHeader,
  segmentNonce,
} from './format';

const salt = new Uint8Array(32).fill(0xaa);
const prefix = new Uint8Array(7).fill(0xbb);
const commitment = new Uint8Array(32).fill(0xcc);

function isCode(code: string) {
  return (error: unknown) => error instanceof EnvelopeError && error.code === code;
}

describe('header', () => {
  it('lays out magic, version, suite, segment size, salt, nonce prefix and commitment', () => {
    const { bytes } = encodeHeader(0x01020304, salt, prefix, commitment);
    assert.equal(bytes.length, HEADER_SIZE);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'MSHE');
    assert.deepEqual([...bytes.subarray(4, 10)], [1, 1, 1, 2, 3, 4]);
    assert.deepEqual(bytes.subarray(10, 42), salt);
    assert.deepEqual(bytes.subarray(42, 49), prefix);
    assert.deepEqual(bytes.subarray(49, 81), commitment);
  });

  it('parses what it lays out', () => {
    const header = parseHeader(encodeHeader(4096, salt, prefix, commitment).bytes, MAX_SEGMENT_SIZE);
    assert.equal(header.segmentSize, 4096);
    assert.deepEqual(header.salt, salt);
    assert.deepEqual(header.noncePrefix, prefix);
    assert.deepEqual(header.commitment, commitment);
  });

  it('rejects a wrong magic, version or suite, and segment sizes out of range', () => {
    const good = encodeHeader(4096, salt, prefix, commitment).bytes;
    const edit = (offset: number, value: number) => {
      const bytes = good.slice();
      bytes[offset] = value;
      return bytes;
    };
    assert.throws(() => parseHeader(edit(0, 0x6d), MAX_SEGMENT_SIZE), isCode('BAD_HEADER'));
    assert.throws(() => parseHeader(edit(4, 2), MAX_SEGMENT_SIZE), isCode('UNSUPPORTED_VERSION'));
    assert.throws(() => parseHeader(edit(5, 2), MAX_SEGMENT_SIZE), isCode('UNSUPPORTED_VERSION'));
    assert.throws(() => parseHeader(good, 4095), isCode('SEGMENT_TOO_LARGE'));
    assert.throws(
      () => parseHeader(encodeHeader(1 << 30, salt, prefix, commitment).bytes, MAX_SEGMENT_SIZE),
      isCode('SEGMENT_TOO_LARGE'),
    );
    assert.throws(
      () => parseHeader(encodeHeader(15, salt, prefix, commitment).bytes, MAX_SEGMENT_SIZE),
      isCode('BAD_HEADER'),
    );
  });
});

describe('segmentNonce', () => {
  it('is the prefix, the big-endian index and the final flag', () => {
    assert.deepEqual(
      [...segmentNonce(prefix, 0x01020304, false)],
      [0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 1, 2, 3, 4, 0],
    );
    assert.deepEqual([...segmentNonce(prefix, 0xffffffff, true).subarray(7)], [255, 255, 255, 255, 1]);
  });
});

describe('ciphertextSize', () => {
  it('counts the header and one tag per segment, with at least one segment', () => {
    assert.equal(ciphertextSize(0, 64), HEADER_SIZE + TAG_SIZE);
    assert.equal(ciphertextSize(1, 64), HEADER_SIZE + 1 + TAG_SIZE);
    assert.equal(ciphertextSize(64, 64), HEADER_SIZE + 64 + TAG_SIZE);
    assert.equal(ciphertextSize(65, 64), HEADER_SIZE + 65 + 2 * TAG_SIZE);
    assert.equal(ciphertextSize(192, 64), HEADER_SIZE + 192 + 3 * TAG_SIZE);
    assert.equal(ciphertextSize(10_000_000), HEADER_SIZE + 10_000_000 + 10 * TAG_SIZE);
    assert.equal(ciphertextSize(DEFAULT_SEGMENT_SIZE), HEADER_SIZE + DEFAULT_SEGMENT_SIZE + TAG_SIZE);
  });

  it('rejects negative or fractional sizes and segment sizes out of range', () => {
    assert.throws(() => ciphertextSize(-1), isCode('INVALID_ARGUMENT'));
    assert.throws(() => ciphertextSize(1.5), isCode('INVALID_ARGUMENT'));
    assert.throws(() => ciphertextSize(1, 15), isCode('INVALID_ARGUMENT'));
    assert.throws(() => ciphertextSize(1, MAX_SEGMENT_SIZE + 1), isCode('INVALID_ARGUMENT'));
  });
});
