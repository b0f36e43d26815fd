/**
 * Stable codes of {@link DeidentifyError}.
 *
 * - `NOT_DICOM`: the bytes are not a DICOM Part 10 file dcmjs can read.
 * - `BURNED_IN_ANNOTATION`: the file says its pixels show identifying text (Burned In Annotation YES),
 *   which the Basic Profile does not clean; it is refused rather than sent looking de-identified.
 */
export type DeidentifyErrorCode = 'NOT_DICOM' | 'BURNED_IN_ANNOTATION';

/** A file that cannot be de-identified, with a stable code and a message free of its contents. */
export class DeidentifyError extends Error {
  override readonly name = 'DeidentifyError';
  readonly code: DeidentifyErrorCode;

  constructor(code: DeidentifyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
