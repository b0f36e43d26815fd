/** Stable codes of {@link CaError}. */
export type CaErrorCode =
  /** The identity is registered already. */
  | 'ALREADY_EXISTS'
  /** The CA refused the enrolment secret, the token or the signature. */
  | 'CA_AUTHENTICATION_FAILED'
  /** The caller may not do this at the CA (a registrar without the right attributes, say). */
  | 'CA_FORBIDDEN'
  /** Any other refusal, with the CA's own message (it names identities, never secrets). */
  | 'CA_REFUSED'
  /** The CA answered something that is not a Fabric CA answer. */
  | 'CA_ERROR'
  /** The CA cannot be reached or did not answer in time. */
  | 'CA_UNAVAILABLE';

/**
 * A failure at an organisation's Fabric CA, with a stable code and a
 * one-line message: what `fabric-ca/` throws. Only `http/` decides what it
 * means in HTTP.
 */
export class CaError extends Error {
  override readonly name = 'CaError';
  readonly code: CaErrorCode;

  constructor(code: CaErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
