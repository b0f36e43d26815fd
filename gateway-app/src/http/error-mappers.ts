import { AuthError } from '../auth';
import { CaError, type CaErrorCode } from '../fabric-ca/errors';
import { FederationError } from '../federation/errors';
import type { LedgerErrorCode } from '../fabric/errors';
import { ledgerErrorOf } from '../fabric/ledger-errors';
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

const LEDGER_STATUS: Readonly<Record<LedgerErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  ACCESS_DENIED: 403,
  ATTESTATION_INVALID: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  TX_CONFLICT: 409,
  TX_INVALID: 409,
  LEDGER_TIMEOUT: 504,
  LEDGER_UNAVAILABLE: 503,
  ENDORSEMENT_UNSATISFIED: 503,
  SIGNATURE_REJECTED: 403,
  LEDGER_ERROR: 502,
  TOO_MANY_PENDING: 429,
  SIGNING_SESSION_NOT_FOUND: 404,
  WRONG_STAGE: 409,
};

/** Ledger failures (`fabric/`'s LedgerError, or a Fabric Gateway error not yet translated). */
export const ledgerErrorMapper: ErrorMapper = (error) => {
  const ledger = ledgerErrorOf(error);
  return ledger
    ? new HttpError(LEDGER_STATUS[ledger.code], ledger.code, ledger.message, {
        cause: ledger.cause ?? ledger,
        details: ledger.details,
      })
    : undefined;
};

const CA_STATUS: Readonly<Record<CaErrorCode, number>> = {
  ALREADY_EXISTS: 409,
  CA_AUTHENTICATION_FAILED: 401,
  CA_FORBIDDEN: 403,
  CA_REFUSED: 400,
  CA_ERROR: 502,
  CA_UNAVAILABLE: 503,
};

/** An organisation CA's refusals and failures. */
export const caErrorMapper: ErrorMapper = (error) =>
  error instanceof CaError
    ? new HttpError(CA_STATUS[error.code], error.code, error.message, { cause: error })
    : undefined;

/** A request between gateways that is not a consortium gateway's. */
export const federationErrorMapper: ErrorMapper = (error) =>
  error instanceof FederationError
    ? new HttpError(403, error.code, error.message, { cause: error })
    : undefined;
