/** Stable codes of {@link StorageError}. */
export type StorageErrorCode =
  /** The CID is not pinned anywhere in the cluster. */
  | 'NOT_FOUND'
  /** Fewer cluster peers are up than the minimum replication needs. */
  | 'INSUFFICIENT_PEERS'
  /** The content was added but not pinned on enough peers before the deadline; it was unpinned again. */
  | 'REPLICATION_TIMEOUT'
  /** The bytes fetched do not have the expected SHA-256 or size. */
  | 'HASH_MISMATCH'
  /** The cluster or kubo refused our credentials. */
  | 'UNAUTHORIZED'
  /** The cluster or kubo could not be reached, answered with an error, or did not answer in time. */
  | 'UNAVAILABLE'
  /** The caller passed something the store cannot take (a malformed CID, say). */
  | 'INVALID_ARGUMENT';

/** Options of {@link StorageError}. */
export interface StorageErrorOptions {
  cause?: unknown;
  /** Facts about the failure safe to log (CIDs, peer names, counts; never content or keys). */
  details?: Record<string, unknown>;
}

/** A failure of the encrypted store, with a stable code and a one-line message. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
