/**
 * Stable codes of {@link DicomEdgeError}.
 *
 * - `BAD_ROUTE`: a routing rule cannot be read.
 * - `BAD_AE_TITLE`: an application entity title is empty, longer than 16 characters or not printable ASCII.
 * - `NOT_DICOM`: received or decrypted bytes are not a DICOM data set the edge can read.
 * - `INSTANCE_MISMATCH`: a data set's SOP class or instance UID is not the one its C-STORE request named.
 * - `ASSOCIATION_REJECTED`: the remote application entity refused the association.
 * - `STORE_FAILED`: the remote application entity answered a C-STORE with a failure status.
 * - `NETWORK`: the connection failed, timed out or closed before every instance was answered.
 * - `NOTHING_TO_PUSH`: a record holds no DICOM instance.
 */
export type DicomEdgeErrorCode =
  | 'BAD_ROUTE'
  | 'BAD_AE_TITLE'
  | 'NOT_DICOM'
  | 'INSTANCE_MISMATCH'
  | 'ASSOCIATION_REJECTED'
  | 'STORE_FAILED'
  | 'NETWORK'
  | 'NOTHING_TO_PUSH';

/** Options of {@link DicomEdgeError}. */
export interface DicomEdgeErrorOptions {
  cause?: unknown;
  /** Facts that locate the failure (a DICOM status, a count); never a patient's data. */
  details?: Readonly<Record<string, string | number>>;
}

/** A failure of the DICOM edge, with a stable code and a one-sentence message free of personal data. */
export class DicomEdgeError extends Error {
  override readonly name = 'DicomEdgeError';
  readonly code: DicomEdgeErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: DicomEdgeErrorCode, message: string, options: DicomEdgeErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
