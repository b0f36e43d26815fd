/**
 * Authentication for the gateway: accounts created by invitation and completed at enrolment, a
 * password (scrypt) then a TOTP code as the two factors, TOTP secrets sealed at rest, a persistent
 * per-login-name lockout, and server-side sessions in SQLite. The gateway never holds users' private
 * keys: an account keeps only an opaque passphrase-wrapped backup of them.
 *
 * @packageDocumentation
 */

export {
  type Account,
  type AccountStatus,
  AccountStore,
  type AccountStoreOptions,
  type Enrolment,
  type Invitation,
  MAX_KEY_BACKUP_BYTES,
  ROLES,
  type Role,
} from './accounts';
export { AuthError, type AuthErrorCode, type AuthErrorOptions } from './errors';
export {
  DEFAULT_PASSWORD_COST,
  PASSWORD_LENGTH,
  type PasswordHashOptions,
  type PasswordProblem,
  type PasswordProblemCode,
  dummyHash,
  hashPassword,
  validatePasswordPolicy,
  verifyPassword,
} from './password';
export { open, seal, secretBoxKey } from './secret-box';
export { SqliteSessionStore, type SqliteSessionStoreOptions } from './session-store';
export { LoginThrottle, type LoginThrottleOptions, type ThrottleState, loginKey } from './throttle';
export {
  TOTP_DIGITS,
  TOTP_PERIOD,
  TOTP_SECRET_BYTES,
  type TotpEnrolment,
  TotpService,
  type TotpServiceOptions,
  type TotpVerification,
} from './totp';
