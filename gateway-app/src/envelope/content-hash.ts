import { sha256 } from '@noble/hashes/sha2';
import { toHex } from './bytes';
import { EnvelopeError } from './errors';

/** A pass-through stream that computes the SHA-256 of everything that flows through it. */
export interface ContentHasher {
  /** Pipe the ciphertext through this stream on its way to storage; it is passed on unchanged. */
  readonly stream: TransformStream<Uint8Array, Uint8Array>;
  /**
   * The lower-case hex SHA-256 of all bytes that went through {@link ContentHasher.stream}.
   *
   * @throws {@link EnvelopeError} `INVALID_STATE` if the stream has not finished.
   */
  digest(): string;
}

/**
 * A hasher for the `contentHash` of a transfer: SHA-256 of the whole ciphertext, computed while it
 * streams, since WebCrypto can only hash a buffer held in full.
 */
export function createContentHasher(): ContentHasher {
  const hash = sha256.create();
  let digest: string | undefined;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      digest = toHex(hash.digest());
    },
  });
  return {
    stream,
    digest() {
      if (digest === undefined) {
        throw new EnvelopeError(
          'INVALID_STATE',
          'the content hash is known only once the stream has finished',
        );
      }
      return digest;
    },
  };
}

/** The lower-case hex SHA-256 of bytes held in memory. */
export async function contentHashOf(bytes: Uint8Array): Promise<string> {
  // The DOM library's BufferSource excludes SharedArrayBuffer views, which digest accepts anyway; the
  // assertion is needed where this compiles for the browser, not under Node's types.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}
