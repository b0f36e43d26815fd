/** Stable codes of {@link NetworkError}. */
export type NetworkErrorCode =
  | 'DESCRIPTION_INVALID'
  | 'PORT_IN_USE'
  | 'BINARIES_MISSING'
  | 'NODE_FAILED'
  | 'STEP_FAILED'
  | 'PARTIALLY_RUNNING'
  | 'NOT_RUNNING'
  | 'USAGE';

/** Options of {@link NetworkError}. */
export interface NetworkErrorOptions {
  cause?: unknown;
  /** Extra lines an operator needs, such as the tail of a node's log. */
  details?: string[];
}

/** A failure of a network operation, with a stable code and a one-line message. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code: NetworkErrorCode;
  readonly details: string[];

  constructor(code: NetworkErrorCode, message: string, options: NetworkErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? [];
  }
}
