import { BundleError } from './errors';
import {
  BLOCK_SIZE,
  MANIFEST_NAME,
  MAX_ENTRIES,
  MAX_ENTRY_SIZE,
  MAX_MANIFEST_SIZE,
  type EntryHeader,
  entrySpan,
} from './format';
import { type ManifestFile, encodeManifest, isValidMediaType, normalizeMediaType } from './manifest';
import { bundleEntryNames } from './names';

/** What the writer needs to know of a file before it reads it. */
export interface BundleFileInfo {
  /** The file's name; only its last path component is kept, made safe and unique. */
  readonly name: string;
  /** The file's exact length in bytes. */
  readonly size: number;
  /** The file's media type; an empty string is recorded as `application/octet-stream`. */
  readonly mediaType: string;
  /** The modification time in milliseconds since the epoch, as a browser `File` has it; 0 by default. */
  readonly lastModified?: number;
}

/** The layout of a bundle, fixed before any byte of it is written. */
export interface BundlePlan {
  readonly manifestHeader: EntryHeader;
  readonly manifest: Uint8Array<ArrayBuffer>;
  readonly entries: readonly (EntryHeader & ManifestFile)[];
  readonly size: number;
}

/**
 * Validates the files and lays the bundle out.
 *
 * @throws {@link BundleError} `LIMIT_EXCEEDED` for more than {@link MAX_ENTRIES} files or a manifest above
 *   1 MiB, `INVALID_ARGUMENT` for a size that is not a whole number of bytes below 8 GiB or a media type
 *   longer than 255 characters.
 */
export function planBundle(files: readonly BundleFileInfo[]): BundlePlan {
  if (files.length > MAX_ENTRIES) {
    throw new BundleError('LIMIT_EXCEEDED', `a bundle holds at most ${MAX_ENTRIES} files`, {
      details: { files: files.length },
    });
  }
  const names = bundleEntryNames(files.map((f) => f.name));
  const entries = files.map((file, index) => {
    if (!Number.isSafeInteger(file.size) || file.size < 0 || file.size > MAX_ENTRY_SIZE) {
      throw new BundleError('INVALID_ARGUMENT', `file ${index} must be 0 to ${MAX_ENTRY_SIZE} bytes`, {
        details: { index, size: file.size },
      });
    }
    if (!isValidMediaType(file.mediaType)) {
      throw new BundleError('INVALID_ARGUMENT', `the media type of file ${index} is too long`, {
        details: { index },
      });
    }
    return {
      name: names[index] ?? '',
      size: file.size,
      mediaType: normalizeMediaType(file.mediaType),
      mtime: Math.floor((file.lastModified ?? 0) / 1000),
    };
  });
  const manifest = encodeManifest(entries);
  if (manifest.length > MAX_MANIFEST_SIZE) {
    throw new BundleError('LIMIT_EXCEEDED', 'the bundle manifest would exceed 1 MiB', {
      details: { manifestSize: manifest.length },
    });
  }
  const mtime = entries.reduce((latest, e) => Math.max(latest, e.mtime), 0);
  const size = entries.reduce((n, e) => n + entrySpan(e.size), entrySpan(manifest.length) + 2 * BLOCK_SIZE);
  return { manifestHeader: { name: MANIFEST_NAME, size: manifest.length, mtime }, manifest, entries, size };
}

/**
 * The exact length in bytes of the bundle {@link createBundleStream} writes for these files, for a
 * `Content-Length` sent before the upload starts.
 *
 * @throws {@link BundleError} as {@link createBundleStream} does for files it cannot bundle.
 */
export function bundleSize(files: readonly BundleFileInfo[]): number {
  return planBundle(files).size;
}
