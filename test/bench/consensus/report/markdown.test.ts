import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchResults } from '../results';
import { fixtureResults, smokeFixtureResults } from './fixture';
import { renderReport, SECTIONS } from './markdown';
import { xmlProblems } from './well-formed';

/** The image links of a markdown document: [alt, file]. */
function images(markdown: string): [string, string][] {
  return [...markdown.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => [m[1] ?? '', m[2] ?? '']);
}

/** The cells of a table line, split on unescaped pipes. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/);
}

/** Every table has as many cells in each row as in its header. */
function assertTablesRectangular(markdown: string): void {
  let width: number | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      width = undefined;
      continue;
    }
    const n = cells(line).length;
    width ??= n;
    assert.equal(n, width, `row of ${String(n)} cells under a header of ${String(width)}: ${line}`);
  }
}

function tableRow(markdown: string, start: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${start}`));
  assert.ok(line, `no table row starting with ${start}`);
  return cells(line).map((c) => c.trim());
}

describe('report markdown', () => {
  const report = renderReport(fixtureResults());
  const md = report.markdown;

  it('has every section, in order', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    assert.deepEqual(
      headings,
      SECTIONS.map((s) => `## ${s}`),
    );
    assert.match(md, /^# MedShare consensus benchmark\n/);
    assert.doesNotMatch(md, /Smoke run/);
  });

  it('states the run facts', () => {
    assert.match(md, /\*\*Started:\*\* 2025-03-14T09:26:53.000Z/);
    assert.match(md, /\*\*Mode:\*\* full/);
    assert.match(md, /\*\*Duration:\*\* 1 h 09 min 47 s/);
    assert.match(md, /2 CPUs \(Intel\(R\) Xeon\(R\) CPU @ 2.20GHz\), 23.5 GiB memory/);
    assert.match(
      md,
      /rising rates up to saturation \(5.0, 10.0, 25.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0 tx\/s over all systems/,
    );
    assert.match(md, /\*\*Driver:\*\* open loop/);
  });

  it('lists the errors clients saw at each step that had failures', () => {
    assert.match(md, /- Errors at [0-9.]+ tx\/s: `4 DEADLINE_EXCEEDED: Deadline exceeded` × \d+/);
  });

  it('gives the target verdicts', () => {
    assert.deepEqual(tableRow(md, 'Fabric Raft sustains'), [
      'Fabric Raft sustains ≥ 300 committed transfers/s',
      '269.4 tx/s at saturation (offered 300.0 tx/s)',
      '**not met**',
    ]);
    assert.deepEqual(tableRow(md, 'Fabric Raft p50'), [
      'Fabric Raft p50 commit latency < 0.5 s at half load',
      'p50 221 ms at 150.0 tx/s offered',
      '**met**',
    ]);
    assert.deepEqual(tableRow(md, 'Fabric SmartBFT reaches'), [
      "Fabric SmartBFT reaches ≥ 60% of Raft's throughput",
      '67.1% (180.8 ÷ 269.4 tx/s)',
      '**met**',
    ]);
  });

  it('gives the headline, the ratios to proof of work and the errored system', () => {
    const raft = tableRow(md, 'Fabric 3.1.1, Raft (3 orderers) | 269.4');
    assert.equal(raft[1], '269.4');
    assert.equal(raft[4], '0.221');
    assert.match(raft[9] ?? '', /^yes \(48,494 of 48,494\)/);
    assert.deepEqual(tableRow(md, 'Fabric 3.1.1, Raft (3 orderers) | 12.9×'), [
      'Fabric 3.1.1, Raft (3 orderers)',
      '12.9×',
      '113×',
      '224×',
      '12.7×',
    ]);
    assert.match(md, /\| Ethereum, Ganache 7.9.2 \(instamine\) \| not measured: `ganache exited with code 1/);
    assert.match(
      md,
      /\| Ethereum proof of work, geth 1.11.6 \(1 miner\) \| 12 confirmations \| 10.0 \| 49.6 \| 89.7 \|/,
    );
  });

  it('marks a saturation figure as a lower bound when no step saturated', () => {
    const results = fixtureResults();
    const pow = results.systems.find((s) => s.id === 'eth-pow');
    assert.ok(pow);
    pow.steps = pow.steps.map((step) => ({ ...step, saturated: false }));
    const row = tableRow(renderReport(results).markdown, 'Ethereum proof of work, geth 1.11.6 (1 miner) | ≥');
    assert.equal(row[1], `≥ ${pow.saturation.throughput.toFixed(1)}`);
    assert.doesNotMatch(tableRow(md, 'Fabric 3.1.1, Raft (3 orderers) | 269.4')[1] ?? '', /≥/);
  });

  it('reports the faults, including the one that did not recover', () => {
    assert.match(md, /\| Raft leader killed under load \| .* \| 150.0 \| 148.9 \| 0.0 \| 4.00 \| 116 \| yes/);
    assert.match(
      md,
      /\| A second SmartBFT orderer stopped under load \| .* \| \*\*did not recover\*\* \| 3,927 \|/,
    );
    assert.match(
      md,
      /\| `ABORTED: SmartBFT quorum not reached: 2 of 4 orderers reachable, 3 needed` \| 2,538 \|/,
    );
    assert.match(md, /No errors seen by clients\./);
  });

  it('links every chart it returns, and returns every chart it links', () => {
    const linked = images(md).map(([, file]) => file);
    assert.deepEqual(
      linked,
      report.charts.map((c) => c.file),
    );
    assert.equal(new Set(linked).size, linked.length);
    for (const [alt] of images(md)) assert.notEqual(alt, '');
    for (const chart of report.charts) assert.deepEqual(xmlProblems(chart.svg), [], chart.file);
  });

  it('keeps every table rectangular, even with awkward text in the results', () => {
    assertTablesRectangular(md);
    const awkward = fixtureResults();
    const first = awkward.systems[0];
    assert.ok(first);
    first.label = 'Fabric | Raft *bold* <b>html</b>\nsecond line';
    first.settings = { 'a|b': 'c|d' };
    first.error = 'partly | failed `badly`';
    awkward.faults[0]?.errors.push({ message: 'pipe | and `tick`', count: 1 });
    const text = renderReport(awkward).markdown;
    assertTablesRectangular(text);
    assert.doesNotMatch(text, /<b>/);
  });

  it('is deterministic, also from results read back from JSON', () => {
    const again = renderReport(fixtureResults());
    assert.deepEqual(again, report);
    const roundTrip = JSON.parse(JSON.stringify(fixtureResults())) as BenchResults;
    assert.deepEqual(renderReport(roundTrip), report);
  });

  it('marks a smoke run as not a measurement', () => {
    const smoke = renderReport(smokeFixtureResults()).markdown;
    assert.match(
      smoke,
      /^# MedShare consensus benchmark\n\n> \*\*Smoke run: these numbers are not a measurement\.\*\*/,
    );
    assert.match(smoke, /\*\*Mode:\*\* smoke/);
    const headings = smoke.split('\n').filter((l) => l.startsWith('## '));
    assert.deepEqual(
      headings,
      SECTIONS.map((s) => `## ${s}`),
    );
  });

  it('renders a run where nothing was measured', () => {
    const empty: BenchResults = { ...fixtureResults(), systems: [], faults: [], notes: [] };
    const { markdown, charts } = renderReport(empty);
    assert.deepEqual(charts, []);
    assert.match(markdown, /not measured: not in this run/);
    assert.match(markdown, /No Fabric system in this run\./);
    assert.match(markdown, /No fault was injected in this run\./);
    assertTablesRectangular(markdown);
  });

  it('says which proof-of-work error kept the ratios from being measured', () => {
    const results = fixtureResults();
    const pow = results.systems.find((s) => s.id === 'eth-pow');
    assert.ok(pow);
    pow.steps = [];
    pow.error = 'geth exited: Fatal: Failed to write genesis block';
    delete pow.halfLoad;
    const { markdown } = renderReport(results);
    assert.match(
      markdown,
      /\| Fabric 3.1.1, Raft \(3 orderers\) \| not measured: `proof-of-work Ethereum: geth exited: Fatal: Failed to write genesis block` \| — \|/,
    );
    assertTablesRectangular(markdown);
  });
});
