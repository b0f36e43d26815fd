/**
 * An auditor's query of a user's activity (audit:RecordQuery with subject `user`): who asked about whom, for
 * which time range, when. Queries of a record's trail are events of that record's trail instead (kind
 * `query`). Both are what the FHIR export codes as DICOM 110112 Query.
 */
export interface AuditQuery {
  docType: 'audit-query';
  txId: string;
  at: string;
  auditorId: string;
  auditorMspId: string;
  /** The user whose activity was queried. */
  subjectId: string;
  /** The range asked for, [from, to), ISO 8601 UTC. */
  from: string;
  to: string;
}
