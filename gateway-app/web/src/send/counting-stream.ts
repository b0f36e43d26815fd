/** A pass-through stream that reports how many bytes have gone through it so far. */
export function countingStream(onCount: (bytes: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.length;
      onCount(bytes);
      controller.enqueue(chunk);
    },
  });
}
