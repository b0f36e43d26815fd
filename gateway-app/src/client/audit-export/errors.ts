/** Thrown when an input is not an audit record the chaincode writes; `index` is its position in the input. */
export class AuditExportError extends Error {
  override readonly name = 'AuditExportError';
  readonly code = 'INVALID_AUDIT_RECORD';
  /** The offending record's position in the input; undefined when the input is not a list. */
  readonly index: number | undefined;

  constructor(index: number | undefined, problem: string) {
    super(index === undefined ? problem : `audit record ${index}: ${problem}`);
    this.index = index;
  }
}
