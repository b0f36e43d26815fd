import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from '../support/medshare';
import { startTestNetwork, type TestNetwork } from '../support/network';
import { markdownOf, measureVerifiedReads } from './verified-reads/measure';
import { readBenchSetup } from './verified-reads/setup';

/**
 * A smoke run of `npm run bench:verified-reads` on a real network: every kind
 * of call completes, verified, a few times. The figures themselves are the
 * full run's to report, never asserted here.
 */
describe('bench:verified-reads, smoke run', { timeout: 600_000 }, () => {
  let network: TestNetwork;
  let gw: RunningGateway;

  before(async () => {
    network = await startTestNetwork('raft');
    gw = await startGateway(network.plan);
  });

  after(async () => {
    await (gw as RunningGateway | undefined)?.close();
    await (network as TestNetwork | undefined)?.down();
  });

  it('measures evaluate, verified reads, the device checks, a commit proof and the device call', async () => {
    const result = await measureVerifiedReads(await readBenchSetup(gw), 5);
    assert.deepEqual(
      result.rows.map((r) => [r.name, r.calls]),
      [
        ['evaluate', 5],
        ['verified, own organisation', 5],
        ['verified, two organisations', 5],
        ['device checks alone', 5],
        ['commit proof', 5],
        ['device call over HTTP', 5],
      ],
    );
    for (const row of result.rows) assert.ok(row.p50 > 0 && row.p99 >= row.p50, row.name);
    assert.ok(result.ratio.p50 > 0);
    assert.match(markdownOf(result), /^\| call \| what \|/);
  });
});
