import { compareText, toAuditRows } from './rows';

function sortKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)),
  );
}

/**
 * The rows of {@link toAuditRows} as `{ generatedFrom: 'medshare-ledger', rows }`:
 * keys sorted, 2-space indent, trailing newline, so that the same records give
 * the same bytes whatever their order.
 */
export function exportJson(records: readonly unknown[]): string {
  return `${JSON.stringify({ generatedFrom: 'medshare-ledger', rows: toAuditRows(records) }, sortKeys, 2)}\n`;
}
