/** Stable codes of {@link EthBenchError}. */
export type EthBenchErrorCode =
  | 'COMPILE_FAILED'
  | 'START_FAILED'
  | 'NOT_STARTED'
  | 'TX_REVERTED'
  | 'TX_FAILED'
  | 'NOT_COMMITTED'
  | 'NODE_LOST'
  | 'BINARY_MISSING';

/** A failure of the Ethereum side of the consensus benchmark, with a stable code. */
export class EthBenchError extends Error {
  override readonly name = 'EthBenchError';
  readonly code: EthBenchErrorCode;

  constructor(code: EthBenchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
