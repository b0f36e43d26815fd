import { constantTimeEqual } from './bytes';
import { EnvelopeError } from './errors';

/** ASCII `MSHE`, the first four bytes of every envelope. */
const MAGIC = Uint8Array.of(0x4d, 0x53, 0x48, 0x45);

/** The first bytes of every version-1 envelope: the magic `MSHE` and the format version. */
export const ENVELOPE_PREFIX = Uint8Array.of(...MAGIC, 0x01);

/** Envelope format version written in byte 4 of the header. */
export const FORMAT_VERSION = 0x01;

/** Suite 1: AES-256-GCM segments, HKDF-SHA256, P-256 ECDH with AES-KW for wrapped keys. */
export const SUITE_ID = 0x01;

/** Size of the plaintext header at the start of every envelope, in bytes. */
export const HEADER_SIZE = 81;

/** Size of the AES-GCM tag that follows each segment's ciphertext, in bytes. */
export const TAG_SIZE = 16;

/** Size of a data key, in bytes. */
export const DATA_KEY_SIZE = 32;

/** Size of the per-file HKDF salt, in bytes. */
export const SALT_SIZE = 32;

/** Size of the per-file nonce prefix, in bytes. */
export const NONCE_PREFIX_SIZE = 7;

/** Plaintext bytes per segment unless the writer chooses otherwise: 1 MiB. */
export const DEFAULT_SEGMENT_SIZE = 1024 * 1024;

/** Smallest segment size the format allows, in plaintext bytes. */
export const MIN_SEGMENT_SIZE = 16;

/** Largest segment size the format allows, in plaintext bytes: 16 MiB. */
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

/** The segment index is a 32-bit counter in the nonce. */
export const MAX_SEGMENTS = 2 ** 32;

const SEGMENT_SIZE_OFFSET = 6;
const SALT_OFFSET = 10;
const NONCE_PREFIX_OFFSET = SALT_OFFSET + SALT_SIZE;
const COMMITMENT_OFFSET = NONCE_PREFIX_OFFSET + NONCE_PREFIX_SIZE;

/** The fields of an envelope header, and its bytes, which are every segment's additional data. */
export interface EnvelopeHeader {
  readonly segmentSize: number;
  readonly salt: Uint8Array<ArrayBuffer>;
  readonly noncePrefix: Uint8Array<ArrayBuffer>;
  readonly commitment: Uint8Array<ArrayBuffer>;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Checks that a segment size is a whole number of bytes in the range the format allows. */
export function isValidSegmentSize(segmentSize: number): boolean {
  return Number.isInteger(segmentSize) && segmentSize >= MIN_SEGMENT_SIZE && segmentSize <= MAX_SEGMENT_SIZE;
}

/** Lays out a version 1 header. */
export function encodeHeader(
  segmentSize: number,
  salt: Uint8Array,
  noncePrefix: Uint8Array,
  commitment: Uint8Array,
): EnvelopeHeader {
  const bytes = new Uint8Array(HEADER_SIZE);
  bytes.set(MAGIC, 0);
  bytes[4] = FORMAT_VERSION;
  bytes[5] = SUITE_ID;
  new DataView(bytes.buffer).setUint32(SEGMENT_SIZE_OFFSET, segmentSize, false);
  bytes.set(salt, SALT_OFFSET);
  bytes.set(noncePrefix, NONCE_PREFIX_OFFSET);
  bytes.set(commitment, COMMITMENT_OFFSET);
  return decodeFields(bytes, segmentSize);
}

/**
 * Parses a header, checking the segment size against the reader's limit before anything is allocated
 * for segments.
 */
export function parseHeader(header: Uint8Array, maxSegmentSize: number): EnvelopeHeader {
  const bytes = new Uint8Array(header.subarray(0, HEADER_SIZE));
  if (bytes.length < HEADER_SIZE || !constantTimeEqual(bytes.subarray(0, MAGIC.length), MAGIC)) {
    throw new EnvelopeError('BAD_HEADER', 'the data is not a MedShare envelope');
  }
  const version = bytes[4] ?? 0;
  if (version !== FORMAT_VERSION) {
    throw new EnvelopeError('UNSUPPORTED_VERSION', `envelope version ${version} is not supported`, {
      details: { version },
    });
  }
  const suite = bytes[5] ?? 0;
  if (suite !== SUITE_ID) {
    throw new EnvelopeError('UNSUPPORTED_VERSION', `envelope cipher suite ${suite} is not supported`, {
      details: { suite },
    });
  }
  const segmentSize = new DataView(bytes.buffer).getUint32(SEGMENT_SIZE_OFFSET, false);
  if (segmentSize > maxSegmentSize) {
    throw new EnvelopeError(
      'SEGMENT_TOO_LARGE',
      `the envelope's segment size of ${segmentSize} bytes exceeds the limit of ${maxSegmentSize}`,
      { details: { segmentSize, maxSegmentSize } },
    );
  }
  if (segmentSize < MIN_SEGMENT_SIZE) {
    throw new EnvelopeError(
      'BAD_HEADER',
      `the envelope's segment size of ${segmentSize} bytes is below the minimum of ${MIN_SEGMENT_SIZE}`,
      { details: { segmentSize } },
    );
  }
  return decodeFields(bytes, segmentSize);
}

function decodeFields(bytes: Uint8Array<ArrayBuffer>, segmentSize: number): EnvelopeHeader {
  return {
    segmentSize,
    salt: bytes.slice(SALT_OFFSET, NONCE_PREFIX_OFFSET),
    noncePrefix: bytes.slice(NONCE_PREFIX_OFFSET, COMMITMENT_OFFSET),
    commitment: bytes.slice(COMMITMENT_OFFSET, HEADER_SIZE),
    bytes,
  };
}

/** The 12-byte AES-GCM nonce of a segment: prefix, big-endian index, then 1 on the final segment. */
export function segmentNonce(
  noncePrefix: Uint8Array,
  index: number,
  final: boolean,
): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  nonce.set(noncePrefix, 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_SIZE, index, false);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/**
 * The size of the envelope of a plaintext: header, then each segment's ciphertext and tag. There is
 * always at least one segment, so an empty plaintext takes {@link HEADER_SIZE} + {@link TAG_SIZE} bytes.
 *
 * @param plaintextSize - plaintext length in bytes.
 * @param segmentSize - plaintext bytes per segment; {@link DEFAULT_SEGMENT_SIZE} unless given.
 */
export function ciphertextSize(plaintextSize: number, segmentSize: number = DEFAULT_SEGMENT_SIZE): number {
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0) {
    throw new EnvelopeError('INVALID_ARGUMENT', 'the plaintext size must be a whole number of bytes');
  }
  if (!isValidSegmentSize(segmentSize)) {
    throw new EnvelopeError(
      'INVALID_ARGUMENT',
      `the segment size must be a whole number from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} bytes`,
    );
  }
  const segments = Math.max(1, Math.ceil(plaintextSize / segmentSize));
  return HEADER_SIZE + plaintextSize + segments * TAG_SIZE;
}
