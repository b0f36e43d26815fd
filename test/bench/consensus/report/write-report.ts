import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../results';
import { renderReport } from './markdown';

/** The report could not be written. */
export class ReportError extends Error {
  constructor(
    readonly code: 'BAD_CHART_FILE',
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

/** A chart's file name: a plain name that stays inside the report's directory. */
const CHART_FILE = /^[a-z0-9][a-z0-9-]*\.svg$/;

/**
 * Writes the report of a run into `dir` (created if need be): `results.json`,
 * `report.md` and the SVG charts it links. Returns the paths written, in that order.
 */
export async function writeReport(results: BenchResults, dir: string): Promise<string[]> {
  const { markdown, charts } = renderReport(results);
  for (const chart of charts) {
    if (!CHART_FILE.test(chart.file))
      throw new ReportError('BAD_CHART_FILE', `unexpected chart file name: ${chart.file}`);
  }
  const files: [string, string][] = [
    ['results.json', `${JSON.stringify(results, null, 2)}\n`],
    ['report.md', markdown],
    ...charts.map((chart): [string, string] => [chart.file, chart.svg]),
  ];
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(dir, name);
    await writeFile(path, content, 'utf8');
    paths.push(path);
  }
  return paths;
}
