/**
 * Stable codes of {@link EnvelopeError}.
 *
 * - `BAD_HEADER`: the data is not an envelope, or its header is malformed.
 * - `UNSUPPORTED_VERSION`: the envelope or wrapped key uses a version or suite this code does not know.
 * - `SEGMENT_TOO_LARGE`: the header claims a segment size above the reader's limit.
 * - `WRONG_KEY`: the data key (or the private key or recipient id of a wrapped key) is not the one used.
 * - `SEGMENT_AUTH_FAILED`: a segment was modified, reordered, dropped or duplicated.
 * - `TRUNCATED`: the ciphertext ends early.
 * - `TRAILING_DATA`: bytes follow the final segment.
 * - `BAD_WRAPPED_KEY`: a wrapped data key is malformed.
 * - `BAD_PUBLIC_KEY`: a public key is not a P-256 public key in base64 SPKI DER.
 * - `BAD_SIGNATURE`: a transfer signature does not verify.
 * - `INVALID_ARGUMENT`: the caller passed an option or value outside what the format allows.
 * - `INVALID_STATE`: a result was asked for before it exists.
 */
export type EnvelopeErrorCode =
  | 'BAD_HEADER'
  | 'UNSUPPORTED_VERSION'
  | 'SEGMENT_TOO_LARGE'
  | 'WRONG_KEY'
  | 'SEGMENT_AUTH_FAILED'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'BAD_WRAPPED_KEY'
  | 'BAD_PUBLIC_KEY'
  | 'BAD_SIGNATURE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE';

/** Options of {@link EnvelopeError}. */
export interface EnvelopeErrorOptions {
  /** The underlying error, typically a WebCrypto `DOMException`. */
  cause?: unknown;
  /** Non-secret facts that locate the failure, such as the index of the segment that failed. */
  details?: Readonly<Record<string, string | number>>;
}

/**
 * A failure to encrypt, decrypt, wrap, unwrap or verify, with a stable code and a one-sentence message.
 * Messages and details never contain key material or plaintext.
 */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code: EnvelopeErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: EnvelopeErrorCode, message: string, options: EnvelopeErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
