/**
 * How the report writes numbers and markdown: throughput with one decimal,
 * latencies with three significant digits in one unit per column (ms when
 * every value of the column is under a second), counts with thousands
 * separators, and "—" for a value that was not measured. Nothing here depends
 * on the locale, so the report is the same bytes everywhere.
 */

/** Written where a value was not measured. */
export const MISSING = '—';

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `value` with `decimals` decimals and thousands separators. */
export function fixed(value: number | undefined, decimals: number): string {
  if (value === undefined || !Number.isFinite(value)) return MISSING;
  const text = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = text.split('.');
  const sign = value < 0 && Number(text) !== 0 ? '-' : '';
  return `${sign}${group(whole)}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A count: whole number with thousands separators. */
export function count(value: number | undefined): string {
  return fixed(value, 0);
}

/** A throughput or rate in tx/s: one decimal. */
export function rate(value: number | undefined): string {
  return fixed(value, 1);
}

/** Three significant digits; values of 1,000 and more as whole numbers. */
export function sig3(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return fixed(value, 0);
  if (Math.abs(value) < 1e-4) return value.toExponential(2);
  return value.toPrecision(3);
}

/** The unit a column of latencies (in seconds) is written in. */
export type LatencyUnit = 'ms' | 's';

/** `ms` when every measured value is under a second, else `s`. */
export function latencyUnit(seconds: readonly (number | undefined)[]): LatencyUnit {
  const measured = seconds.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return measured.length > 0 && measured.every((v) => Math.abs(v) < 1) ? 'ms' : 's';
}

/** A latency given in seconds, written in `unit` with three significant digits and no unit suffix. */
export function latencyIn(seconds: number | undefined, unit: LatencyUnit): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  return sig3(unit === 'ms' ? seconds * 1000 : seconds);
}

/** A latency given in seconds, for prose and chart labels: "412 ms" or "1.23 s". */
export function latency(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  const unit = latencyUnit([seconds]);
  return `${latencyIn(seconds, unit)} ${unit}`;
}

/** A latency column: the unit chosen for all its values and each cell. */
export function latencyColumn(seconds: readonly (number | undefined)[]): {
  unit: LatencyUnit;
  cells: string[];
} {
  const unit = latencyUnit(seconds);
  return { unit, cells: seconds.map((v) => latencyIn(v, unit)) };
}

/** Latency columns read side by side (p50, p95, p99...): one unit for all of them. */
export function latencyColumns(columns: readonly (readonly (number | undefined)[])[]): {
  unit: LatencyUnit;
  cells: string[][];
} {
  const unit = latencyUnit(columns.flat());
  return { unit, cells: columns.map((column) => column.map((v) => latencyIn(v, unit))) };
}

/** CPU-seconds: three significant digits. */
export function cpu(value: number | undefined): string {
  return sig3(value);
}

/** Memory in MiB: whole MiB. */
export function mib(value: number | undefined): string {
  return fixed(value, 0);
}

/** A share (0.675) as a percentage ("67.5%"). */
export function percent(share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return MISSING;
  return `${fixed(share * 100, 1)}%`;
}

/** A ratio ("41.7×"). */
export function times(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  return `${sig3(ratio)}×`;
}

/** A wall-clock duration: "1 h 02 min 05 s", "12 min 30 s" or "42.0 s". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  if (seconds < 60) return `${fixed(seconds, 1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${String(h)} h ${pad(m)} min ${pad(s)} s` : `${String(m)} min ${pad(s)} s`;
}

/** Text from the results as markdown inline text: no markup, no raw HTML, one line. */
export function mdText(value: string): string {
  return value
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text from the results as an inline code span, safe in a table cell. */
export function mdCode(value: string): string {
  const line = value.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|');
  const runs = line.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A markdown table; `align` per column (`r` for numbers). Cells are markdown already. */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
