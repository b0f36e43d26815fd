import { BundleError } from './errors';
import { MAX_ENTRIES, MAX_ENTRY_SIZE, utf8 } from './format';

/** The version of the manifest format this code writes and reads. */
export const MANIFEST_VERSION = 1;

/** Longest media type the manifest accepts, in characters. */
const MAX_MEDIA_TYPE_LENGTH = 255;

/** One file of a bundle as the manifest lists it. */
export interface ManifestFile {
  /** The entry name in the archive. */
  readonly name: string;
  /** The file's length, in bytes. */
  readonly size: number;
  /** The file's media type, such as `application/dicom`, `image/png` or `image/jpeg`. */
  readonly mediaType: string;
}

/** The content of `MANIFEST.json`: the files that follow it, in order. */
export interface BundleManifest {
  readonly v: typeof MANIFEST_VERSION;
  readonly files: readonly ManifestFile[];
}

/** The media type recorded for a file: the given one, or `application/octet-stream` if empty. */
export function normalizeMediaType(mediaType: string): string {
  const trimmed = mediaType.trim().toLowerCase();
  return trimmed === '' ? 'application/octet-stream' : trimmed;
}

/** The UTF-8 JSON bytes of a manifest, exactly as the writer stores them. */
export function encodeManifest(files: readonly ManifestFile[]): Uint8Array<ArrayBuffer> {
  const manifest: BundleManifest = {
    v: MANIFEST_VERSION,
    files: files.map(({ name, size, mediaType }) => ({ name, size, mediaType })),
  };
  return utf8(JSON.stringify(manifest));
}

/**
 * Parses and validates the bytes of `MANIFEST.json`.
 *
 * @throws {@link BundleError} `NO_MANIFEST` if they are not a version-1 manifest, `LIMIT_EXCEEDED` if
 *   it lists more than {@link MAX_ENTRIES} files.
 */
export function decodeManifest(bytes: Uint8Array): BundleManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new BundleError('NO_MANIFEST', 'the bundle manifest is not UTF-8 JSON', { cause });
  }
  if (!isRecord(value) || value.v !== MANIFEST_VERSION || !Array.isArray(value.files)) {
    throw new BundleError('NO_MANIFEST', 'the bundle manifest is not a version-1 manifest');
  }
  const list: unknown[] = value.files;
  if (list.length > MAX_ENTRIES) {
    throw new BundleError('LIMIT_EXCEEDED', `the bundle lists more than ${MAX_ENTRIES} files`, {
      details: { files: list.length },
    });
  }
  const files = list.map((file, index): ManifestFile => {
    if (
      !isRecord(file) ||
      typeof file.name !== 'string' ||
      file.name === '' ||
      typeof file.size !== 'number' ||
      !Number.isSafeInteger(file.size) ||
      file.size < 0 ||
      file.size > MAX_ENTRY_SIZE ||
      typeof file.mediaType !== 'string' ||
      file.mediaType.length > MAX_MEDIA_TYPE_LENGTH
    ) {
      throw new BundleError('NO_MANIFEST', `file ${index} of the bundle manifest is malformed`, {
        details: { index },
      });
    }
    return { name: file.name, size: file.size, mediaType: file.mediaType };
  });
  return { v: MANIFEST_VERSION, files };
}

/** Checks a media type the writer is given. */
export function isValidMediaType(mediaType: string): boolean {
  return mediaType.length <= MAX_MEDIA_TYPE_LENGTH;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
