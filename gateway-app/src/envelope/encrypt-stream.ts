import { BlockBuffer } from './block-buffer';
import { copyBytes } from './bytes';
import type { DataKey } from './data-key';
import { EnvelopeError } from './errors';
import {
  DEFAULT_SEGMENT_SIZE,
  MAX_SEGMENT_SIZE,
  MAX_SEGMENTS,
  MIN_SEGMENT_SIZE,
  NONCE_PREFIX_SIZE,
  SALT_SIZE,
  encodeHeader,
  isValidSegmentSize,
  segmentNonce,
} from './format';
import { deriveFileKeys } from './key-schedule';

/** Options of {@link createEncryptStream}. */
export interface EncryptOptions {
  /** Plaintext bytes per segment, from 16 bytes to 16 MiB; 1 MiB by default. */
  segmentSize?: number;
  /** The 32-byte HKDF salt. Only for test vectors: by default it is random, as it must be. */
  salt?: Uint8Array;
  /** The 7-byte nonce prefix. Only for test vectors: by default it is random, as it must be. */
  noncePrefix?: Uint8Array;
}

/**
 * A stream that turns plaintext into an envelope: the header, then one AES-256-GCM segment per
 * `segmentSize` bytes of plaintext, the last one flagged final. Input chunks may have any length, and
 * the stream holds one segment of plaintext at a time; the segments sealed from one input chunk are
 * queued together, so chunks of at most a segment keep the whole pipeline to about two segments.
 *
 * @param dataKey - the file's data key, generated fresh for each file.
 * @throws {@link EnvelopeError} `INVALID_ARGUMENT` at once if an option is out of range.
 */
export function createEncryptStream(
  dataKey: DataKey,
  options: EncryptOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  if (!isValidSegmentSize(segmentSize)) {
    throw new EnvelopeError(
      'INVALID_ARGUMENT',
      `the segment size must be a whole number from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} bytes`,
      { details: { segmentSize } },
    );
  }
  const salt = fixedOrRandom(options.salt, SALT_SIZE, 'salt');
  const noncePrefix = fixedOrRandom(options.noncePrefix, NONCE_PREFIX_SIZE, 'nonce prefix');

  const ready = deriveFileKeys(dataKey, salt).then(({ segmentKey, commitment }) => ({
    segmentKey,
    header: encodeHeader(segmentSize, salt, noncePrefix, commitment).bytes,
  }));
  const buffer = new BlockBuffer(segmentSize);
  let index = 0;

  const seal = async (plaintext: Uint8Array<ArrayBuffer>, final: boolean): Promise<Uint8Array> => {
    if (index >= MAX_SEGMENTS) {
      throw new EnvelopeError(
        'INVALID_ARGUMENT',
        `the plaintext needs more than 2^32 segments of ${segmentSize} bytes`,
      );
    }
    const { segmentKey, header } = await ready;
    const sealed = await crypto.subtle.encrypt(
      {
        name: 'AES-GCM',
        iv: segmentNonce(noncePrefix, index, final),
        additionalData: header,
        tagLength: 128,
      },
      segmentKey,
      plaintext,
    );
    index++;
    return new Uint8Array(sealed);
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      controller.enqueue(copyBytes((await ready).header));
    },
    async transform(chunk, controller) {
      await buffer.write(chunk, async (block) => {
        controller.enqueue(await seal(block, false));
      });
    },
    async flush(controller) {
      controller.enqueue(await seal(buffer.rest(), true));
    },
  });
}

function fixedOrRandom(fixed: Uint8Array | undefined, size: number, name: string): Uint8Array<ArrayBuffer> {
  if (fixed === undefined) return crypto.getRandomValues(new Uint8Array(size));
  if (fixed.length !== size) {
    throw new EnvelopeError('INVALID_ARGUMENT', `the ${name} must be ${size} bytes`);
  }
  return copyBytes(fixed);
}
