// npm run bench:viewer [-- --quick] [-- --out FILE]: time to first image and to the whole study in Chromium,
// for a 500-slice CT (about 260 MB) and a 1 GB study (--quick: 20 and 60 slices of 256 × 256).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownOf, timeOpen, type OpenTiming } from './measure';
import { sendStudy, startViewerBench, studyFiles } from './setup';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const studies = values.quick
  ? [
      { name: '20 slices of 256 × 256', slices: 20, size: 256 },
      { name: '60 slices of 256 × 256', slices: 60, size: 256 },
    ]
  : [
      { name: 'CT, 500 slices of 512 × 512', slices: 500, size: 512 },
      { name: 'study of 1 GB, 2000 slices of 512 × 512', slices: 2000, size: 512 },
    ];

async function main(): Promise<void> {
  process.stdout.write('making the studies…\n');
  const made = studies.map((study) => ({ ...study, files: studyFiles(study.slices, study.size) }));
  const bench = await startViewerBench();
  try {
    const timings: OpenTiming[] = [];
    for (const study of made) {
      process.stdout.write(`sending ${study.name}…\n`);
      const { recordId, bytes } = await sendStudy(bench, study.files);
      const timing = await timeOpen(bench.page, recordId, { name: study.name, slices: study.slices, bytes });
      process.stdout.write(`${JSON.stringify(timing)}\n`);
      timings.push(timing);
    }
    const report = markdownOf(timings, new Date().toISOString().slice(0, 10));
    process.stdout.write(report);
    const out = values.out ?? (values.quick ? 'bench-results/viewer-quick.md' : 'docs/benchmarks/viewer.md');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, report);
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  process.stderr.write(`bench:viewer: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exitCode = 1;
});
