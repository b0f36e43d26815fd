/**
 * The ledger's audit records as an auditor takes them away: validated ({@link AuditExportError} for
 * anything the chaincode does not write), normalised to one row per event, and written as CSV, JSON or a
 * FHIR R4 Bundle of AuditEvents coded in the DICOM and IHE audit vocabulary.
 *
 * @packageDocumentation
 */

export { exportCsv } from './csv';
export { AuditExportError } from './errors';
export { exportFhir } from './fhir';
export type {
  FhirAuditEvent,
  FhirBundle,
  FhirCodeableConcept,
  FhirCoding,
  FhirIdentifier,
} from './fhir-types';
export { exportJson } from './json';
export { AUDIT_ROW_FIELDS, type AuditAction, type AuditKind, type AuditRow, toAuditRows } from './rows';
