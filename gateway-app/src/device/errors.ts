/**
 * Stable codes of {@link DeviceCheckError}, in the order the gateway checks a device report.
 *
 * - `MALFORMED_REPORT`: the report is not a well-formed, size-bounded device report.
 * - `CERTIFICATE_UNTRUSTED`: the device certificate was not issued by the user's organisation's CA, is
 *   outside its validity period, or does not hold a P-256 key.
 * - `DEVICE_REVOKED`: the device certificate is on its CA's revocation list (in the channel configuration).
 * - `NOT_A_DEVICE`: the certificate lacks the Fabric attribute `role=device`.
 * - `DEVICE_UNKNOWN`: the device is not in the gateway's device registry for the user's organisation.
 * - `DEVICE_SUSPENDED`: an operator suspended the device.
 * - `BAD_SIGNATURE`: the report's signature does not verify against the device certificate.
 * - `NONCE_INVALID`: the nonce was not issued to this session, has expired, or was already used.
 * - `AUDIENCE_MISMATCH`: the report was signed for another gateway.
 * - `REPORT_STALE`: the report was collected too long ago, or claims a time in the future.
 * - `POLICY_FAILED`: the device's posture does not meet the policy; the violations say why.
 */
export type DeviceCheckCode =
  | 'MALFORMED_REPORT'
  | 'CERTIFICATE_UNTRUSTED'
  | 'DEVICE_REVOKED'
  | 'NOT_A_DEVICE'
  | 'DEVICE_UNKNOWN'
  | 'DEVICE_SUSPENDED'
  | 'BAD_SIGNATURE'
  | 'NONCE_INVALID'
  | 'AUDIENCE_MISMATCH'
  | 'REPORT_STALE'
  | 'POLICY_FAILED';

/** Options of {@link DeviceCheckError}. */
export interface DeviceCheckErrorOptions {
  cause?: unknown;
  /** Facts safe to log and to show the user: the device id, the posture hash, policy violations. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * A device report the gateway refuses, with a stable code and a message safe to show the user. The
 * checks themselves return results; this is what the HTTP layer throws from a failed result (see
 * `assertDeviceCheck`).
 */
export class DeviceCheckError extends Error {
  override readonly name = 'DeviceCheckError';
  readonly code: DeviceCheckCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DeviceCheckCode, message: string, options: DeviceCheckErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * Stable codes of {@link DeviceError}.
 *
 * - `INVALID_ARGUMENT`: the caller passed a value outside what the device module accepts.
 * - `KEY_EXISTS`: the key directory already holds a device key and overwriting was not asked for.
 * - `IDENTITY_INVALID`: the key directory is missing, incomplete, unsafe (a key others can read), or its
 *   key and certificate do not belong together.
 * - `ENROLMENT_REFUSED`: the gateway refused the enrolment (a wrong secret, an unknown identity, ...).
 * - `GATEWAY_UNAVAILABLE`: the gateway could not be reached or failed.
 * - `BAD_RESPONSE`: the gateway answered with something other than a usable device certificate.
 */
export type DeviceErrorCode =
  | 'INVALID_ARGUMENT'
  | 'KEY_EXISTS'
  | 'IDENTITY_INVALID'
  | 'ENROLMENT_REFUSED'
  | 'GATEWAY_UNAVAILABLE'
  | 'BAD_RESPONSE';

/** Options of {@link DeviceError}. */
export interface DeviceErrorOptions {
  cause?: unknown;
  /** Facts safe to log (paths, HTTP statuses, the gateway's error code; never secrets or keys). */
  details?: Readonly<Record<string, unknown>>;
}

/** A failure of the device agent or of the device registry, with a stable code and a one-line message. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  readonly code: DeviceErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DeviceErrorCode, message: string, options: DeviceErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
