/**
 * Stable codes of {@link BundleError}.
 *
 * - `INVALID_ARGUMENT`: the files handed to the writer cannot be bundled (too many, a bad size).
 * - `SIZE_MISMATCH`: a file's stream yielded more or fewer bytes than its declared size.
 * - `BAD_HEADER`: a tar header is malformed, fails its checksum, or is of a type bundles never hold.
 * - `NO_MANIFEST`: the bundle does not start with a valid `MANIFEST.json` entry.
 * - `MANIFEST_MISMATCH`: an entry does not match the one the manifest announced at its position.
 * - `LIMIT_EXCEEDED`: the bundle has more entries, or a larger manifest or entry, than the reader allows.
 * - `TRUNCATED`: the stream ends before the end-of-archive marker.
 * - `TRAILING_DATA`: non-zero bytes follow the end-of-archive marker.
 */
export type BundleErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SIZE_MISMATCH'
  | 'BAD_HEADER'
  | 'NO_MANIFEST'
  | 'MANIFEST_MISMATCH'
  | 'LIMIT_EXCEEDED'
  | 'TRUNCATED'
  | 'TRAILING_DATA';

/** Options of {@link BundleError}. */
export interface BundleErrorOptions {
  /** The underlying error, such as a `SyntaxError` from the manifest's JSON. */
  cause?: unknown;
  /** Facts that locate the failure, such as the index of the entry or its offset in the stream. */
  details?: Readonly<Record<string, string | number>>;
}

/** A failure to write or read a study bundle, with a stable code and a one-sentence message. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly code: BundleErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: BundleErrorCode, message: string, options: BundleErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
