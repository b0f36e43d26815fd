import { concatBytes } from './bytes';
import type { DataKey } from './data-key';
import { type DecryptOptions, createDecryptStream } from './decrypt-stream';
import { type EncryptOptions, createEncryptStream } from './encrypt-stream';

/**
 * Encrypts a whole plaintext held in memory into an envelope. For files, stream them through
 * {@link createEncryptStream} instead.
 */
export async function encryptBytes(
  dataKey: DataKey,
  plaintext: Uint8Array,
  options?: EncryptOptions,
): Promise<Uint8Array> {
  return runThrough(createEncryptStream(dataKey, options), plaintext);
}

/**
 * Decrypts a whole envelope held in memory.
 *
 * @throws {@link EnvelopeError} as {@link createDecryptStream} does.
 */
export async function decryptBytes(
  dataKey: DataKey,
  ciphertext: Uint8Array,
  options?: DecryptOptions,
): Promise<Uint8Array> {
  return runThrough(createDecryptStream(dataKey, options), ciphertext);
}

async function runThrough(
  stream: TransformStream<Uint8Array, Uint8Array>,
  input: Uint8Array,
): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(input);
      controller.close();
    },
  });
  const reader = source.pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    chunks.push(value);
  }
}
