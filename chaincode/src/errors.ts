/** Stable codes that prefix every error message the chaincode returns. */
export type ChaincodeErrorCode =
  | 'ACCESS_DENIED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  /** The gateway's attestation of the caller's device check and second factor is missing or does not hold. */
  | 'ATTESTATION_INVALID';

/**
 * An error returned to the client as `CODE: message`, so the gateway can map it
 * to a status without parsing prose.
 */
export class ChaincodeError extends Error {
  override readonly name = 'ChaincodeError';
  readonly code: ChaincodeErrorCode;

  constructor(code: ChaincodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
