// Helpers for this module's tests, and for those of ../study. Browser-safe like the rest of the module, and not
// exported by index.ts.

import { concatBytes, constantTimeEqual } from './bytes';
import type { DataKey } from './data-key';
import { EnvelopeError, type EnvelopeErrorCode } from './errors';
import { decryptBytes, encryptBytes } from './one-shot';

/** Deterministic bytes that do not repeat with any short period (xorshift32). */
export function patternBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/**
 * A stream of `bytes` in chunks of `chunkSizes` (cycled when a list), with an empty chunk after each one
 * when `withEmpty` is set. Chunks are copies, as a network or file source would hand out.
 */
export function chunkedSource(
  bytes: Uint8Array,
  chunkSizes: number | readonly number[],
  withEmpty = false,
): ReadableStream<Uint8Array> {
  const sizes = typeof chunkSizes === 'number' ? [chunkSizes] : chunkSizes;
  let offset = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const size = sizes[turn++ % sizes.length] ?? 1;
      controller.enqueue(bytes.slice(offset, offset + size));
      if (withEmpty) controller.enqueue(new Uint8Array(0));
      offset += size;
    },
  });
}

/** All bytes of a stream, concatenated. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return concatBytes(chunks);
}

/** The bytes a stream released before it ended or failed, and its error if it failed. */
export async function collectUntilError(
  stream: ReadableStream<Uint8Array>,
): Promise<{ released: number; error: unknown }> {
  const reader = stream.getReader();
  let released = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { released, error: undefined };
      released += value.length;
    }
  } catch (error) {
    return { released, error };
  }
}

/** An `assert.rejects` matcher for an {@link EnvelopeError} of `code`. */
export function isCode(code: EnvelopeErrorCode) {
  return (error: unknown): true => {
    if (!(error instanceof EnvelopeError)) throw new Error(`not an EnvelopeError: ${String(error)}`);
    if (error.code !== code) throw new Error(`${error.code} instead of ${code}: ${error.message}`);
    return true;
  };
}

/** Whether `candidate` is the same data key as `original`: it opens what `original` sealed. */
export async function sameDataKey(original: DataKey, candidate: DataKey): Promise<boolean> {
  const plaintext = patternBytes(100);
  const ciphertext = await encryptBytes(original, plaintext, { segmentSize: 32 });
  const decrypted = await decryptBytes(candidate, ciphertext).catch(() => undefined);
  return decrypted !== undefined && constantTimeEqual(decrypted, plaintext);
}
