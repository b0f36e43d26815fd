/** Where a command writes its result. */
export interface Sink {
  write(text: string): void;
}

/** The process's stdout. */
export const stdoutSink: Sink = {
  write(text) {
    process.stdout.write(text);
  },
};

/**
 * A command's result: with `--json` one JSON object on stdout, otherwise
 * the human-readable lines.
 */
export function emit(
  sink: Sink,
  json: boolean,
  value: Record<string, unknown>,
  lines: readonly string[],
): void {
  if (json) sink.write(`${JSON.stringify(value)}\n`);
  else if (lines.length > 0) sink.write(`${lines.join('\n')}\n`);
}

/** Aligns rows into columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A byte count for people: `1.5 MiB`. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** A text field of an unknown ledger record, or ''. */
export function field(record: unknown, name: string): string {
  if (typeof record !== 'object' || record === null) return '';
  const value = (record as Record<string, unknown>)[name];
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(',');
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
