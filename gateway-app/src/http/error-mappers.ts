import { AuthError } from '../auth';
import { StorageError } from '../storage/errors';
import { HttpError, type ErrorMapper } from './errors';

const AUTH_STATUS: Readonly<Record<string, number>> = {
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  INVALID_ARGUMENT: 400,
  SEALED_SECRET_INVALID: 500,
};

/** Account-store refusals. */
export const authErrorMapper: ErrorMapper = (error) =>
  error instanceof AuthError
    ? new HttpError(AUTH_STATUS[error.code] ?? 400, error.code, error.message, { cause: error })
    : undefined;

const STORAGE: Readonly<Record<string, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'NOT_CIPHERTEXT'],
  NOT_FOUND: [404, 'CONTENT_NOT_FOUND'],
  INSUFFICIENT_PEERS: [503, 'STORAGE_INSUFFICIENT_PEERS'],
  REPLICATION_TIMEOUT: [503, 'STORAGE_REPLICATION_TIMEOUT'],
  HASH_MISMATCH: [502, 'CONTENT_HASH_MISMATCH'],
  UNAUTHORIZED: [502, 'STORAGE_UNAUTHORIZED'],
  UNAVAILABLE: [503, 'STORAGE_UNAVAILABLE'],
};

/** Encrypted-store failures: the upload was refused or not acknowledged, so nothing points at it. */
export const storageErrorMapper: ErrorMapper = (error) => {
  if (!(error instanceof StorageError)) return undefined;
  const [status, code] = STORAGE[error.code] ?? [502, 'STORAGE_ERROR'];
  const details = status < 500 ? error.details : {};
  return new HttpError(status, code, error.message, { cause: error, details });
};
