import { ChunkReader } from './chunk-reader';
import { BundleError } from './errors';
import {
  BLOCK_SIZE,
  MANIFEST_NAME,
  MAX_MANIFEST_SIZE,
  type EntryHeader,
  decodeHeader,
  paddingSize,
} from './format';
import { type BundleManifest, decodeManifest } from './manifest';

/** The reader's default limit on one entry, in bytes: 1 GiB. */
export const DEFAULT_MAX_ENTRY_SIZE = 1024 * 1024 * 1024;

/** One file of a bundle, read whole. */
export interface BundleEntry {
  /** The entry name, as the manifest lists it. */
  readonly name: string;
  /** The media type the manifest records for it. */
  readonly mediaType: string;
  /** The length of its data, in bytes. */
  readonly size: number;
  /** Its data. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Its position among the bundle's files, from 0; the manifest is not counted. */
  readonly index: number;
  /** How many files the bundle holds. */
  readonly total: number;
  /** The offset in the bundle stream where this entry's data ends, for progress against the bundle size. */
  readonly bytesRead: number;
}

/** Options of {@link readBundle}. */
export interface ReadBundleOptions {
  /** Called once the manifest is read, before the first file, for example to show the file count. */
  onManifest?: (manifest: BundleManifest) => void;
  /** The largest entry to accept, in bytes; 1 GiB by default. */
  maxEntrySize?: number;
}

/**
 * Reads a bundle, yielding each file as soon as its last byte has arrived, before the stream delivers
 * anything after it: the first image of a large study can be shown while the rest downloads. The stream
 * is read only as far as the consumer has asked, and cancelled if the consumer stops early or the bundle
 * is invalid.
 *
 * Every header's checksum is verified, every entry must match the manifest's name and size in order, and
 * the iteration only completes once the end-of-archive marker and the end of the stream are reached.
 *
 * @throws {@link BundleError} `NO_MANIFEST`, `BAD_HEADER`, `MANIFEST_MISMATCH`, `LIMIT_EXCEEDED`,
 *   `TRUNCATED` or `TRAILING_DATA`.
 */
export async function* readBundle(
  stream: ReadableStream<Uint8Array>,
  options: ReadBundleOptions = {},
): AsyncGenerator<BundleEntry, void, undefined> {
  const maxEntrySize = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
  const source = new ChunkReader(stream);
  let complete = false;
  try {
    const manifestHeader = await readHeader(source);
    if (manifestHeader?.name !== MANIFEST_NAME) {
      throw new BundleError('NO_MANIFEST', `the bundle does not start with ${MANIFEST_NAME}`);
    }
    if (manifestHeader.size > MAX_MANIFEST_SIZE) {
      throw new BundleError('LIMIT_EXCEEDED', 'the bundle manifest exceeds 1 MiB', {
        details: { manifestSize: manifestHeader.size },
      });
    }
    const manifest = decodeManifest(await readData(source, manifestHeader.size));
    await skipPadding(source, manifestHeader.size);
    options.onManifest?.(manifest);

    const total = manifest.files.length;
    for (const [index, file] of manifest.files.entries()) {
      const header = await readHeader(source);
      if (header === undefined) {
        throw new BundleError('MANIFEST_MISMATCH', `the bundle ends after ${index} of its ${total} files`, {
          details: { index },
        });
      }
      if (header.name !== file.name || header.size !== file.size) {
        throw new BundleError('MANIFEST_MISMATCH', `entry ${index} of the bundle is not the one listed`, {
          details: { index },
        });
      }
      if (header.size > maxEntrySize) {
        throw new BundleError('LIMIT_EXCEEDED', `entry ${index} exceeds ${maxEntrySize} bytes`, {
          details: { index, size: header.size },
        });
      }
      const bytes = await readData(source, header.size);
      yield {
        name: file.name,
        mediaType: file.mediaType,
        size: file.size,
        bytes,
        index,
        total,
        bytesRead: source.consumed,
      };
      await skipPadding(source, header.size);
    }

    await readEnd(source);
    complete = true;
  } finally {
    if (!complete) await source.cancel();
    source.release();
  }
}

/** The next header, or `undefined` for the first block of the end-of-archive marker. */
async function readHeader(source: ChunkReader): Promise<EntryHeader | undefined> {
  const offset = source.consumed;
  const block = new Uint8Array(BLOCK_SIZE);
  if ((await source.fill(block)) < BLOCK_SIZE) throw truncated(offset);
  return decodeHeader(block, offset);
}

async function readData(source: ChunkReader, size: number): Promise<Uint8Array<ArrayBuffer>> {
  let data: Uint8Array<ArrayBuffer>;
  try {
    data = new Uint8Array(size);
  } catch (cause) {
    throw new BundleError('LIMIT_EXCEEDED', `an entry of ${size} bytes does not fit in memory`, { cause });
  }
  const offset = source.consumed;
  if ((await source.fill(data)) < size) throw truncated(offset);
  return data;
}

async function skipPadding(source: ChunkReader, size: number): Promise<void> {
  const offset = source.consumed;
  const padding = paddingSize(size);
  if ((await source.skip(padding)).skipped < padding) throw truncated(offset);
}

/** The two zero blocks that end the archive, then only zeros, as tools that pad to a record size write. */
async function readEnd(source: ChunkReader): Promise<void> {
  const offset = source.consumed;
  const marker = await source.skip(2 * BLOCK_SIZE);
  if (!marker.allZero) {
    throw new BundleError('MANIFEST_MISMATCH', 'the bundle holds entries its manifest does not list', {
      details: { offset },
    });
  }
  if (marker.skipped < 2 * BLOCK_SIZE) throw truncated(offset);
  for (;;) {
    const at = source.consumed;
    const rest = await source.skip(64 * BLOCK_SIZE);
    if (!rest.allZero) {
      throw new BundleError('TRAILING_DATA', 'data follows the end of the bundle', {
        details: { offset: at },
      });
    }
    if (rest.skipped === 0) return;
  }
}

function truncated(offset: number): BundleError {
  return new BundleError('TRUNCATED', `the bundle ends early, at byte ${offset}`, { details: { offset } });
}
