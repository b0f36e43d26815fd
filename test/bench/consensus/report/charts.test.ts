import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCharts, faultChartFiles, type Chart } from './charts';
import { fixtureResults, smokeFixtureResults } from './fixture';
import { xmlProblems } from './well-formed';

function all(charts: ReturnType<typeof buildCharts>): Chart[] {
  return [
    charts.throughput,
    charts.latency,
    charts.finality,
    charts.cpu,
    charts.memory,
    ...charts.faults,
  ].filter((c): c is Chart => c !== undefined);
}

describe('report charts', () => {
  it('draws every chart of the fixture as well-formed SVG', () => {
    const charts = all(buildCharts(fixtureResults()));
    assert.deepEqual(
      charts.map((c) => c.file),
      [
        'throughput.svg',
        'commit-latency.svg',
        'finality.svg',
        'cpu-per-1000-tx.svg',
        'peak-rss.svg',
        'fault-raft-leader-kill.svg',
        'fault-bft-stop-one.svg',
        'fault-bft-stop-two.svg',
      ],
    );
    for (const chart of charts) {
      assert.deepEqual(xmlProblems(chart.svg), [], chart.file);
      assert.doesNotMatch(chart.svg, /NaN|Infinity|undefined/, chart.file);
    }
  });

  it('leaves the system that did not run out of the charts, and shows what matters', () => {
    const charts = buildCharts(fixtureResults());
    for (const chart of all(charts)) assert.doesNotMatch(chart.svg, /Ganache/, chart.file);
    assert.match(charts.throughput?.svg ?? '', /offered \(y = x\)/);
    assert.match(charts.latency?.svg ?? '', /log scale/);
    assert.match(charts.finality?.svg ?? '', /12 confirmations/);
    assert.match(charts.finality?.svg ?? '', /at commit/);
    assert.match(charts.cpu?.svg ?? '', /of which mining/);
    assert.match(charts.cpu?.svg ?? '', /url\(#cpu-per-1000-tx-hatch-0\)/);
    assert.match(charts.faults[2]?.svg ?? '', /did not recover/);
    assert.match(charts.faults[2]?.svg ?? '', /orderer3 stopped: quorum lost/);
  });

  it('draws nothing it has no data for', () => {
    const results = fixtureResults();
    results.systems = results.systems.filter((s) => s.steps.length === 0);
    results.faults = [];
    const charts = buildCharts(results);
    assert.deepEqual(all(charts), []);
  });

  it('draws the smoke run too', () => {
    for (const chart of all(buildCharts(smokeFixtureResults())))
      assert.deepEqual(xmlProblems(chart.svg), [], chart.file);
  });

  it('names fault charts uniquely', () => {
    const [a, b] = fixtureResults().faults;
    assert.ok(a && b);
    assert.deepEqual(faultChartFiles([a, b, a]), [
      'fault-raft-leader-kill.svg',
      'fault-bft-stop-one.svg',
      'fault-raft-leader-kill-2.svg',
    ]);
  });
});
