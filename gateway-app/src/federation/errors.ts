/** Stable codes of {@link FederationError}. */
export type FederationErrorCode =
  /** A request that does not come, signed and fresh, from a consortium organisation's gateway. */
  'FEDERATION_REFUSED';

/** A refused request between organisations' gateways. */
export class FederationError extends Error {
  override readonly name = 'FederationError';
  readonly code: FederationErrorCode = 'FEDERATION_REFUSED';
}
