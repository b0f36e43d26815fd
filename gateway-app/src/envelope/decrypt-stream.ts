import { BlockBuffer } from './block-buffer';
import { constantTimeEqual } from './bytes';
import type { DataKey } from './data-key';
import { EnvelopeError } from './errors';
import {
  HEADER_SIZE,
  MAX_SEGMENT_SIZE,
  MAX_SEGMENTS,
  MIN_SEGMENT_SIZE,
  TAG_SIZE,
  type EnvelopeHeader,
  isValidSegmentSize,
  parseHeader,
  segmentNonce,
} from './format';
import { deriveFileKeys } from './key-schedule';
import type { WebCryptoKey } from './web-crypto';

/** Options of {@link createDecryptStream}. */
export interface DecryptOptions {
  /**
   * The largest segment size to accept, from 16 bytes to 16 MiB (the default). The reader allocates one
   * segment, so this bounds its memory whatever the header claims.
   */
  maxSegmentSize?: number;
}

/**
 * A stream that turns an envelope back into plaintext. Each segment's plaintext is released only after
 * the segment has authenticated; the stream holds one segment at a time and errors with an
 * {@link EnvelopeError} on the first problem:
 *
 * - `BAD_HEADER`, `UNSUPPORTED_VERSION`, `SEGMENT_TOO_LARGE`: the header cannot be used.
 * - `WRONG_KEY`: the header's key commitment does not match the data key.
 * - `TRUNCATED`: the envelope ends inside the header, inside a tag, or before its final segment.
 * - `TRAILING_DATA`: bytes follow the final segment.
 * - `SEGMENT_AUTH_FAILED`: any other modification; `details.segment` is the segment's index.
 *
 * @param dataKey - the file's data key, typically from {@link unwrapDataKey}.
 * @throws {@link EnvelopeError} `INVALID_ARGUMENT` at once if an option is out of range.
 */
export function createDecryptStream(
  dataKey: DataKey,
  options: DecryptOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const maxSegmentSize = options.maxSegmentSize ?? MAX_SEGMENT_SIZE;
  if (!isValidSegmentSize(maxSegmentSize)) {
    throw new EnvelopeError(
      'INVALID_ARGUMENT',
      `the maximum segment size must be a whole number from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} bytes`,
    );
  }
  const header = new Uint8Array(HEADER_SIZE);
  let headerFilled = 0;
  let opener: SegmentOpener | undefined;

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      let rest = chunk;
      if (opener === undefined) {
        const n = Math.min(HEADER_SIZE - headerFilled, chunk.length);
        header.set(chunk.subarray(0, n), headerFilled);
        headerFilled += n;
        if (headerFilled < HEADER_SIZE) return;
        opener = await SegmentOpener.open(dataKey, parseHeader(header, maxSegmentSize));
        rest = chunk.subarray(n);
      }
      await opener.write(rest, (plaintext) => {
        controller.enqueue(plaintext);
      });
    },
    async flush(controller) {
      if (opener === undefined) {
        throw new EnvelopeError('TRUNCATED', 'the envelope ends inside its header', {
          details: { length: headerFilled },
        });
      }
      controller.enqueue(await opener.finish());
    },
  });
}

class SegmentOpener {
  readonly #header: EnvelopeHeader;
  readonly #key: WebCryptoKey;
  readonly #buffer: BlockBuffer;
  #index = 0;

  private constructor(header: EnvelopeHeader, key: WebCryptoKey) {
    this.#header = header;
    this.#key = key;
    this.#buffer = new BlockBuffer(header.segmentSize + TAG_SIZE);
  }

  /** Checks the key commitment before any segment is read, so a wrong key is told apart from tampering. */
  static async open(dataKey: DataKey, header: EnvelopeHeader): Promise<SegmentOpener> {
    const { segmentKey, commitment } = await deriveFileKeys(dataKey, header.salt);
    if (!constantTimeEqual(commitment, header.commitment)) {
      throw new EnvelopeError('WRONG_KEY', 'the envelope was not encrypted with this data key');
    }
    return new SegmentOpener(header, segmentKey);
  }

  async write(chunk: Uint8Array, onPlaintext: (plaintext: Uint8Array) => void): Promise<void> {
    await this.#buffer.write(chunk, async (segment) => {
      onPlaintext(await this.#openSegment(segment, false));
    });
  }

  async finish(): Promise<Uint8Array> {
    const segment = this.#buffer.rest();
    if (segment.length < TAG_SIZE) {
      throw new EnvelopeError('TRUNCATED', `the envelope ends inside segment ${this.#index}`, {
        details: { segment: this.#index },
      });
    }
    return this.#openSegment(segment, true);
  }

  async #openSegment(segment: Uint8Array<ArrayBuffer>, final: boolean): Promise<Uint8Array> {
    const index = this.#index;
    if (index >= MAX_SEGMENTS) {
      throw new EnvelopeError('TRAILING_DATA', 'the envelope continues past the last possible segment');
    }
    const plaintext = await this.#decrypt(segment, index, final);
    if (plaintext !== undefined) {
      this.#index++;
      return plaintext;
    }
    // The other flag tells a cut or an extension at a segment boundary apart from a modified segment.
    if ((await this.#decrypt(segment, index, !final)) !== undefined) {
      throw final
        ? new EnvelopeError('TRUNCATED', `the envelope ends after segment ${index}, which is not final`, {
            details: { segment: index },
          })
        : new EnvelopeError('TRAILING_DATA', `data follows the final segment ${index}`, {
            details: { segment: index },
          });
    }
    throw new EnvelopeError('SEGMENT_AUTH_FAILED', `segment ${index} failed authentication`, {
      details: { segment: index },
    });
  }

  async #decrypt(
    segment: Uint8Array<ArrayBuffer>,
    index: number,
    final: boolean,
  ): Promise<Uint8Array | undefined> {
    try {
      const plaintext = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: segmentNonce(this.#header.noncePrefix, index, final),
          additionalData: this.#header.bytes,
          tagLength: 128,
        },
        this.#key,
        segment,
      );
      return new Uint8Array(plaintext);
    } catch {
      return undefined;
    }
  }
}
