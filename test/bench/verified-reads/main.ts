import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway } from '../../support/medshare';
import { REPO_DIR, startTestNetwork } from '../../support/network';
import { markdownOf, measureVerifiedReads } from './measure';
import { readBenchSetup } from './setup';

const USAGE = 'usage: npm run bench:verified-reads -- [--calls N] [--smoke] [--out DIR]';

/**
 * The cost of verified answers (npm run bench:verified-reads): on a fresh
 * Raft network, today's evaluate against reads endorsed and checked on the
 * device, measured side by side; writes report.md and result.json.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  const calls = Number(values.calls ?? (values.smoke ? 20 : 300));
  if (!Number.isInteger(calls) || calls < 1 || calls > 100_000)
    throw new Error(`--calls: a whole number; ${USAGE}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = values.out ?? join(REPO_DIR, 'bench-results', `verified-reads-${stamp}`);
  const network = await startTestNetwork('raft');
  try {
    const gw = await startGateway(network.plan);
    try {
      const setup = await readBenchSetup(gw);
      const result = await measureVerifiedReads(setup, calls);
      const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}`;
      const report = [
        '# Verified reads: latency per call',
        '',
        `${calls} calls of each kind, interleaved, on one Raft network (${machine}), ${new Date().toISOString()}.`,
        '',
        markdownOf(result),
      ].join('\n');
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'report.md'), report);
      await writeFile(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`${report}\nwritten to ${out}\n`);
    } finally {
      await gw.close();
    }
  } finally {
    await network.down();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:verified-reads: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
