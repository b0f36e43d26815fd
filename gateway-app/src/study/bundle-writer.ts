import { type BundleFileInfo, planBundle } from './bundle-plan';
import { BundleError } from './errors';
import { BLOCK_SIZE, encodeHeader, paddingSize } from './format';

/**
 * A file to bundle. A browser `File` fits once its `type` is passed as `mediaType`:
 * `{ name: f.name, size: f.size, mediaType: f.type, lastModified: f.lastModified, stream: () => f.stream() }`.
 */
export interface BundleFile extends BundleFileInfo {
  /** A fresh stream of the file's bytes; called once, when the writer reaches the file. */
  stream(): ReadableStream<Uint8Array>;
}

/** Progress of {@link createBundleStream}, reported as each chunk of file data is handed on. */
export interface BundleProgress {
  /** The index of the file being written, in the order given. */
  readonly fileIndex: number;
  /** The bytes of that file written so far. */
  readonly fileBytes: number;
  /** The bytes of the bundle written so far, headers and padding included; ends at {@link bundleSize}. */
  readonly totalBytes: number;
}

/**
 * A stream of the bundle of `files`: a ustar archive of `MANIFEST.json` and then each file, which
 * `tar -x` extracts. Each file's stream is opened only when the writer reaches it and read one chunk per
 * pull, so memory stays at a chunk whatever the sizes. Cancelling the bundle cancels the open file stream.
 *
 * @param onProgress - called after each chunk of file data, and once for each empty file.
 * @throws {@link BundleError} at once if the files cannot be bundled (see {@link bundleSize}); the stream
 *   fails with `SIZE_MISMATCH` if a file yields more or fewer bytes than its `size`.
 */
export function createBundleStream(
  files: readonly BundleFile[],
  onProgress?: (progress: BundleProgress) => void,
): ReadableStream<Uint8Array> {
  const plan = planBundle(files);
  let totalBytes = 0;
  const count = (chunk: Uint8Array): Uint8Array => {
    totalBytes += chunk.length;
    return chunk;
  };

  async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    yield count(encodeHeader(plan.manifestHeader));
    yield count(padded(plan.manifest));
    for (const [fileIndex, entry] of plan.entries.entries()) {
      const file = files[fileIndex];
      if (file === undefined) continue;
      yield count(encodeHeader(entry));
      let fileBytes = 0;
      const reader = file.stream().getReader();
      let finished = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.length === 0) continue;
          fileBytes += value.length;
          if (fileBytes > entry.size) throw sizeMismatch(fileIndex, entry.size, 'more');
          count(value);
          onProgress?.({ fileIndex, fileBytes, totalBytes });
          yield value;
        }
        finished = true;
      } finally {
        // Stop a source that still has data: on a size mismatch, or when the bundle is cancelled.
        if (!finished) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
      if (fileBytes < entry.size) throw sizeMismatch(fileIndex, entry.size, 'fewer');
      if (entry.size === 0) onProgress?.({ fileIndex, fileBytes, totalBytes });
      const padding = paddingSize(entry.size);
      if (padding > 0) yield count(new Uint8Array(padding));
    }
    yield count(new Uint8Array(2 * BLOCK_SIZE));
  }

  const iterator = chunks();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

function padded(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(data.length + paddingSize(data.length));
  out.set(data);
  return out;
}

function sizeMismatch(index: number, size: number, more: 'more' | 'fewer'): BundleError {
  return new BundleError('SIZE_MISMATCH', `file ${index} yielded ${more} bytes than its size of ${size}`, {
    details: { index, size },
  });
}
