import { toAuditRows, type AuditKind, type AuditRow } from '../../../src/client/audit-export';

/** The ledger records of one audit query, as the page shows and exports them. */
export interface Trail {
  /** What was asked, for the caption: "Record history of …". */
  title: string;
  /** The record id or user name, for export file names. */
  subject: string;
  /** The chaincode's records, as the exporters take them. */
  records: readonly unknown[];
}

/** What people call each kind of row. */
export const KIND_LABELS: Readonly<Record<AuditKind, string>> = {
  transfer: 'Transfer',
  access: 'Access',
  refusal: 'Refused request',
  breakGlass: 'Break-glass opening',
  review: 'Break-glass review',
  grant: 'Access granted',
  revoke: 'Access revoked',
  keyRelease: 'Emergency key released',
  erasure: 'Erasure',
  query: 'Audit query',
};

/** Whether a row is emergency access: an opening, its review, or an access for emergency treatment. */
export const isBreakGlass = (row: AuditRow): boolean =>
  row.emergency || row.kind === 'breakGlass' || row.purpose === 'ETREAT';

/**
 * The records with at least one event in [from, to) (ISO times, either may be
 * missing), so that a time filter applies to exports as to the table.
 */
export function recordsWithin(
  records: readonly unknown[],
  from: string | undefined,
  to: string | undefined,
): unknown[] {
  if (!from && !to) return [...records];
  const inside = (row: AuditRow): boolean => (!from || row.at >= from) && (!to || row.at < to);
  return records.filter((record) => toAuditRows([record]).some(inside));
}
