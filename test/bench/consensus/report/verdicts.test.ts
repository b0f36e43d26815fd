import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchResults, SystemResult } from '../results';
import type { SystemId } from '../system';
import { fixtureResults } from './fixture';
import { checkTargets, exactlyOnceVerdict, powRatios } from './verdicts';

function system(results: BenchResults, id: SystemId): SystemResult {
  const found = results.systems.find((s) => s.id === id);
  assert.ok(found, `no ${id} in the fixture`);
  return found;
}

function erred(results: BenchResults, id: SystemId, error: string): void {
  const s = system(results, id);
  s.error = error;
  s.steps = [];
  delete s.halfLoad;
}

describe('report verdicts', () => {
  it('checks the targets of the fixture', () => {
    const results = fixtureResults();
    const raft = system(results, 'fabric-raft');
    const bft = system(results, 'fabric-bft');
    const [throughput, latency, share] = checkTargets(results);
    assert.equal(throughput?.status, 'not met');
    assert.equal(throughput.value, raft.saturation.throughput);
    assert.equal(latency?.status, 'met');
    assert.equal(latency.value, raft.halfLoad?.commit.p50);
    assert.equal(share?.status, 'met');
    assert.equal(share.value, bft.saturation.throughput / raft.saturation.throughput);
  });

  it('puts the thresholds on the right side', () => {
    const results = fixtureResults();
    const raft = system(results, 'fabric-raft');
    const bft = system(results, 'fabric-bft');
    raft.saturation.throughput = 300;
    bft.saturation.throughput = 180;
    const half = raft.halfLoad;
    assert.ok(half);
    half.commit.p50 = 0.5;
    assert.deepEqual(
      checkTargets(results).map((t) => t.status),
      ['met', 'not met', 'met'],
    );
    bft.saturation.throughput = 179.9;
    half.commit.p50 = 0.499;
    assert.deepEqual(
      checkTargets(results).map((t) => t.status),
      ['met', 'met', 'not met'],
    );
  });

  it('says why a target was not measured', () => {
    const results = fixtureResults();
    erred(results, 'fabric-raft', 'orderer1 did not start');
    const checks = checkTargets(results);
    assert.deepEqual(
      checks.map((t) => t.status),
      ['not measured', 'not measured', 'not measured'],
    );
    for (const check of checks) assert.match(check.detail, /orderer1 did not start/);

    const noBft = fixtureResults();
    noBft.systems = noBft.systems.filter((s) => s.id !== 'fabric-bft');
    assert.match(checkTargets(noBft)[2]?.detail ?? '', /Fabric SmartBFT: not in this run/);
  });

  it('computes the ratios to proof of work', () => {
    const results = fixtureResults();
    const raft = system(results, 'fabric-raft');
    const pow = system(results, 'eth-pow');
    const { depths, rows } = powRatios(results);
    assert.deepEqual(depths, ['6', '12']);
    assert.deepEqual(
      rows.map((r) => r.system),
      ['fabric-raft', 'fabric-bft'],
    );
    const row = rows[0];
    assert.ok(row && row.notMeasured === undefined);
    assert.equal(row.throughput, raft.saturation.throughput / pow.saturation.throughput);
    assert.equal(row.cpuPerTx, pow.resources.cpuSecondsPer1000Tx / raft.resources.cpuSecondsPer1000Tx);
    const sixConf = pow.halfLoad?.finality['6']?.p50 ?? NaN;
    assert.equal(row.finality[0]?.ratio, sixConf / (raft.halfLoad?.commit.p50 ?? NaN));
    assert.ok((row.throughput ?? 0) > 1 && (row.cpuPerTx ?? 0) > 1);
  });

  it('gives no ratio when proof of work or Fabric was not measured', () => {
    const results = fixtureResults();
    erred(results, 'eth-pow', 'geth: Fatal: Failed to write genesis block');
    for (const row of powRatios(results).rows) {
      assert.match(row.notMeasured ?? '', /proof-of-work Ethereum: geth: Fatal/);
      assert.equal(row.throughput, undefined);
    }
    const fabricDown = fixtureResults();
    erred(fabricDown, 'fabric-bft', 'peer0 crashed');
    assert.equal(powRatios(fabricDown).rows[1]?.notMeasured, 'peer0 crashed');
  });

  it('judges exactly-once delivery', () => {
    const base = { acknowledged: 100, once: 100, missing: 0, duplicated: 0, unacknowledgedButCommitted: 0 };
    assert.deepEqual(exactlyOnceVerdict(base), { ok: true, text: 'yes (100 of 100)' });
    assert.equal(exactlyOnceVerdict({ ...base, unacknowledgedButCommitted: 2 }).ok, true);
    const missing = exactlyOnceVerdict({ ...base, once: 97, missing: 2, duplicated: 1 });
    assert.equal(missing.ok, false);
    assert.equal(missing.text, 'NO: 2 missing, 1 duplicated (of 100 acknowledged)');
    assert.equal(exactlyOnceVerdict({ ...base, once: 99 }).ok, false);
    assert.equal(exactlyOnceVerdict({ ...base, acknowledged: 0, once: 0 }).ok, undefined);
  });
});
