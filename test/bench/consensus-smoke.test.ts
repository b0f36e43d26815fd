import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBenchmark } from './consensus/main';
import type { BenchResults } from './consensus/results';
import { processesMentioning } from '../support/network';

/**
 * The consensus benchmark's harness, shortened: a few transfers on every
 * system (Fabric Raft and SmartBFT, Ganache, the proof-of-work chain) and every
 * fault, with the report written. Its numbers mean nothing; that it runs does.
 */
describe('consensus benchmark, smoke run (all systems, all faults)', () => {
  let out: string;
  let ethashDir: string;
  let results: BenchResults;
  const lines: string[] = [];

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'medshare-bench-smoke-'));
    // An empty DAG directory, as on a fresh machine: the run must neither need nor make a DAG.
    ethashDir = await mkdtemp(join(tmpdir(), 'medshare-bench-smoke-ethash-'));
    results = await runBenchmark(
      {
        mode: 'smoke',
        out,
        systems: ['fabric-raft', 'fabric-bft', 'eth-ganache', 'eth-pow'],
        faults: true,
        ethashDir,
      },
      (line) => lines.push(line),
    );
  });

  after(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(ethashDir, { recursive: true, force: true });
  });

  it('runs the same workload on every system, each transfer committed exactly once', () => {
    assert.deepEqual(
      results.systems.map((s) => [s.id, s.error]),
      [
        ['fabric-raft', undefined],
        ['fabric-bft', undefined],
        ['eth-ganache', undefined],
        ['eth-pow', undefined],
      ],
      lines.join('\n'),
    );
    for (const system of results.systems) {
      const step = system.steps[0];
      assert.ok(step && step.committed > 0, `${system.id} committed nothing`);
      assert.equal(step.committed + step.failed + step.notIssued, step.offered, system.id);
      assert.equal(system.exactlyOnce.acknowledged, step.committed, system.id);
      assert.equal(system.exactlyOnce.once, system.exactlyOnce.acknowledged, system.id);
      assert.ok(system.access.latency.count > 0, `${system.id} opened no record`);
      assert.ok(system.resources.cpuSecondsPer1000Tx > 0, `${system.id} used no CPU?`);
      assert.ok(system.resources.peakRssMiB > 0, system.id);
    }
  });

  it('measures finality at 6 and 12 confirmations on the proof-of-work chain, with the CPU spent mining', () => {
    const pow = results.systems.find((s) => s.id === 'eth-pow');
    const step = pow?.steps[0];
    assert.ok(pow && step);
    assert.deepEqual(Object.keys(step.finality), ['6', '12']);
    const [six, twelve] = [step.finality['6'], step.finality['12']];
    assert.ok(six && twelve && six.count === step.committed && twelve.p50 > six.p50);
    assert.ok((pow.resources.miningCpuSecondsPer1000Tx ?? 0) > 0);
  });

  it('mines the proof-of-work chain over the 32 KiB test dataset, from an empty DAG directory that it leaves empty', async () => {
    const pow = results.systems.find((s) => s.id === 'eth-pow');
    assert.match(pow?.settings['ethash DAG'] ?? '', /^geth's test mode: a 32 KiB dataset/);
    assert.deepEqual(await readdir(ethashDir), []);
    assert.ok(!lines.some((line) => line.includes('ethash: generating')), lines.join('\n'));
  });

  it('injects every fault and checks that acknowledged transfers are committed exactly once', () => {
    assert.deepEqual(
      results.faults.map((f) => f.id),
      ['raft-leader-kill', 'bft-stop-one', 'bft-stop-two'],
    );
    for (const fault of results.faults) {
      assert.ok(fault.events.length >= 2, `${fault.id}: ${JSON.stringify(fault.events)}`);
      assert.ok(!fault.events.some((e) => e.what.startsWith('failed')), JSON.stringify(fault.events));
      assert.ok(fault.exactlyOnce.acknowledged > 0, fault.id);
      assert.equal(fault.exactlyOnce.missing, 0, fault.id);
      assert.equal(fault.exactlyOnce.duplicated, 0, fault.id);
    }
  });

  it('writes the report: markdown, SVG charts it links, and the raw results', async () => {
    const files = await readdir(out);
    assert.ok(files.includes('report.md') && files.includes('results.json'), files.join(', '));
    const report = await readFile(join(out, 'report.md'), 'utf8');
    for (const system of results.systems) assert.ok(report.includes(system.label), system.label);
    const linked = [...report.matchAll(/\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
    assert.ok(linked.length >= 4, 'charts linked');
    for (const file of linked) assert.ok(file && files.includes(file), `${file ?? ''} is linked but missing`);
  });

  it('leaves no process behind', async () => {
    assert.deepEqual(await processesMentioning('medshare-bench-'), []);
  });
});
