/**
 * Stable codes of {@link ViewerError}.
 *
 * - `NOT_DICOM`: the bytes are not a DICOM Part 10 file, or one too damaged to parse.
 * - `NO_PIXEL_DATA`: the file holds no image (a structured report, a presentation state…).
 * - `UNSUPPORTED_TRANSFER_SYNTAX`: the pixel data is encoded in a transfer syntax this viewer cannot
 *   decode; the message names it.
 * - `UNSUPPORTED_FORMAT`: the image attributes describe pixels this viewer cannot show (32-bit samples,
 *   palette colour, …) or are missing.
 * - `BAD_PIXEL_DATA`: the pixel data is shorter than the attributes say, or a frame does not decode to
 *   the image size.
 * - `INVALID_ARGUMENT`: the caller asked for a frame that does not exist or left out the JPEG decoder.
 */
export type ViewerErrorCode =
  | 'NOT_DICOM'
  | 'NO_PIXEL_DATA'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_FORMAT'
  | 'BAD_PIXEL_DATA'
  | 'INVALID_ARGUMENT';

/** Options of {@link ViewerError}. */
export interface ViewerErrorOptions {
  /** The underlying error, such as the one dicom-parser or the JPEG decoder threw. */
  cause?: unknown;
  /** Facts that locate the failure, such as the transfer syntax UID or the frame index. */
  details?: Readonly<Record<string, string | number>>;
}

/**
 * A failure to parse or decode a DICOM image, with a stable code and a one-sentence message. Messages and
 * details never contain patient data.
 */
export class ViewerError extends Error {
  override readonly name = 'ViewerError';
  readonly code: ViewerErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: ViewerErrorCode, message: string, options: ViewerErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
