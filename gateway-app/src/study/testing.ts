// Helpers for the tests of this folder, beside the byte and stream helpers of ../envelope/testing.
// Not exported by index.ts.

/** Everything an async iterable yields, in order. */
export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
