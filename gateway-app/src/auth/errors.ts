/**
 * Stable codes of {@link AuthError}.
 *
 * - `ALREADY_EXISTS`: an account with that login (organisation and enrolment id), or that ledger user id,
 *   exists already.
 * - `NOT_FOUND`: no account has that id.
 * - `INVALID_STATE`: the account is not in a state that allows the operation (completing an enrolment
 *   twice, say).
 * - `INVALID_ARGUMENT`: a value outside what the operation accepts (an unknown role, an oversized key
 *   backup, a server key that is not 32 bytes).
 * - `SEALED_SECRET_INVALID`: a sealed secret does not open: altered, sealed for another account, or
 *   under another key.
 */
export type AuthErrorCode =
  'ALREADY_EXISTS' | 'NOT_FOUND' | 'INVALID_STATE' | 'INVALID_ARGUMENT' | 'SEALED_SECRET_INVALID';

/** Options of {@link AuthError}. */
export interface AuthErrorOptions {
  cause?: unknown;
  /** Facts about the failure safe to log (an account id, a field name; never passwords, secrets or hashes). */
  details?: Record<string, unknown>;
}

/** A failure of the account, credential or session layer, with a stable code and a one-line message. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
