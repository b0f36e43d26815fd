/**
 * Stable codes of {@link DatabaseError}.
 *
 * - `OPEN_FAILED`: the database file could not be created or opened (its directory is missing, say).
 * - `SCHEMA_FAILED`: a schema's statements failed; nothing of that schema was applied.
 */
export type DatabaseErrorCode = 'OPEN_FAILED' | 'SCHEMA_FAILED';

/** Options of {@link DatabaseError}. */
export interface DatabaseErrorOptions {
  cause?: unknown;
  /** Facts about the failure safe to log (a file or schema name; never row contents). */
  details?: Record<string, unknown>;
}

/** A failure to open the gateway's SQLite database or to apply a module's schema. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly code: DatabaseErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: DatabaseErrorCode, message: string, options: DatabaseErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
