import { AUDIT_ROW_FIELDS, toAuditRows } from './rows';

// A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/**
 * The rows of {@link toAuditRows} as RFC 4180 CSV: a header of the
 * {@link AUDIT_ROW_FIELDS}, CRLF line endings (also after the last row), fields
 * quoted when they hold a comma, quote, CR or LF. A field starting with `=`,
 * `+`, `-`, `@`, tab or CR gets a leading `'` so that a spreadsheet shows it as
 * text instead of running it.
 */
export function exportCsv(records: readonly unknown[]): string {
  const lines = [AUDIT_ROW_FIELDS.join(',')];
  for (const row of toAuditRows(records)) {
    lines.push(AUDIT_ROW_FIELDS.map((field) => csvField(String(row[field]))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
