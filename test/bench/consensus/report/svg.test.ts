import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  barChart,
  CHART_WIDTH,
  ChartError,
  escapeXml,
  lineChart,
  logAxis,
  niceTicks,
  num,
  placeEventLabels,
  timelineChart,
  type BarChartSpec,
  type LineChartSpec,
  type TimelineSpec,
} from './svg';
import { xmlProblems } from './well-formed';

const NASTY = `<script>alert("x")</script> & 'quotes' \u0001`;

const line = (overrides: Partial<LineChartSpec> = {}): LineChartSpec => ({
  id: 'line',
  title: 'Committed throughput',
  desc: 'Committed against offered.',
  xLabel: 'offered (tx/s)',
  yLabel: 'committed (tx/s)',
  series: [
    {
      name: 'Raft',
      points: [
        { x: 10, y: 9.9 },
        { x: 100, y: 99.1 },
        { x: 300, y: 268.4, hollow: true },
      ],
    },
    {
      name: 'SmartBFT',
      points: [
        { x: 10, y: 9.8 },
        { x: 200, y: 180.2, hollow: true },
      ],
    },
  ],
  ...overrides,
});

const bars = (overrides: Partial<BarChartSpec> = {}): BarChartSpec => ({
  id: 'bars',
  title: 'CPU per 1,000 transfers',
  desc: 'By role.',
  yLabel: 'CPU-s',
  categories: ['Fabric Raft', 'Proof of work\n(1 miner)'],
  series: [
    { name: 'total', values: [7.3, 92.7] },
    { name: 'peer', values: [3.2, undefined] },
    { name: 'mining', values: [undefined, 79.8], hatch: true },
  ],
  ...overrides,
});

const timeline = (overrides: Partial<TimelineSpec> = {}): TimelineSpec => ({
  id: 'timeline',
  title: 'Raft leader killed',
  desc: 'Per second.',
  xLabel: 'seconds',
  yLabel: 'tx/s',
  t: [0, 1, 2, 3, 4, 5],
  stacks: [
    { name: 'committed', values: [150, 149, 0, 0, 212, 150] },
    { name: 'failed', values: [0, 0, 40, 55, 0, 0], hatch: true },
  ],
  lines: [{ name: 'baseline', y: 149.5 }],
  events: [
    { t: 2, what: 'leader killed' },
    { t: 2.5, what: 'new leader elected' },
  ],
  ...overrides,
});

function assertSound(svg: string): void {
  assert.deepEqual(xmlProblems(svg), []);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  assert.match(svg, new RegExp(`^<svg [^>]*width="${String(CHART_WIDTH)}"`));
  assert.match(svg, /role="img"/);
  const labelled = /aria-labelledby="([^"]+)"/.exec(svg)?.[1] ?? '';
  for (const id of labelled.split(' ')) assert.match(svg, new RegExp(`id="${id}"`), `no element ${id}`);
  assert.match(svg, /<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
}

describe('svg chart kit', () => {
  it('draws line, bar and timeline charts as well-formed, accessible SVG', () => {
    assertSound(lineChart(line()));
    assertSound(lineChart(line({ logY: true, note: 'Open markers: saturated.' })));
    assertSound(barChart(bars()));
    assertSound(barChart(bars({ logY: true })));
    assertSound(timelineChart(timeline()));
  });

  it('escapes every text it is given', () => {
    const svgs = [
      lineChart(
        line({
          title: NASTY,
          desc: NASTY,
          xLabel: NASTY,
          series: [{ name: NASTY, points: [{ x: 1, y: 1 }] }],
        }),
      ),
      barChart(bars({ categories: [NASTY, 'b'], note: NASTY, formatValue: () => NASTY })),
      timelineChart(
        timeline({ events: [{ t: 1, what: NASTY }], stacks: [{ name: NASTY, values: [1, 2, 3, 4, 5, 6] }] }),
      ),
    ];
    for (const svg of svgs) {
      assertSound(svg);
      assert.doesNotMatch(svg, /<script/);
      assert.ok(!svg.includes('\u0001'), 'a control character went through');
      assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &apos;quotes&apos;/);
    }
    assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
  });

  it('leaves zeros and negatives out of a log scale instead of failing', () => {
    const svg = lineChart(
      line({
        logY: true,
        series: [
          {
            name: 'p50',
            points: [
              { x: 0, y: 0 },
              { x: 10, y: 0.12 },
              { x: 20, y: -1 },
              { x: 30, y: 4.5 },
            ],
          },
        ],
      }),
    );
    assertSound(svg);
    // The zero and the negative break the line into two one-point pieces: two markers, no segment through them.
    assert.equal((svg.match(/<circle [^>]*><title>/g) ?? []).length, 2);
    assertSound(lineChart(line({ logY: true, series: [{ name: 'zeros', points: [{ x: 1, y: 0 }] }] })));
    const zeroBars = barChart(bars({ logY: true, series: [{ name: 'cpu', values: [0, 12] }] }));
    assertSound(zeroBars);
    assert.equal(
      (zeroBars.match(/<rect [^>]*stroke="#333333"/g) ?? []).length,
      2,
      'one bar and one legend swatch',
    );
    assert.deepEqual(logAxis([0, 0, -3]), { min: 1, max: 10, ticks: [1, 10], log: true });
    const axis = logAxis([0, 0.5, 20]);
    assert.equal(axis.min, 0.1);
    assert.equal(axis.max, 100);
    assert.ok(axis.ticks.includes(1));
  });

  it('is deterministic: the same input gives the same bytes', () => {
    assert.equal(lineChart(line()), lineChart(structuredClone(line())));
    assert.equal(barChart(bars({ logY: true })), barChart(bars({ logY: true })));
    assert.equal(timelineChart(timeline()), timelineChart(timeline()));
  });

  it('rounds coordinates and ticks', () => {
    const svg = lineChart(
      line({
        series: [
          {
            name: 'a',
            points: [
              { x: 1 / 3, y: 2 / 3 },
              { x: 0.7, y: 0.1 + 0.2 },
            ],
          },
        ],
      }),
    );
    // Coordinates in attributes: two decimals at most.
    assert.doesNotMatch(svg, /="[^"]*\d\.\d{3,}/);
    assert.match(svg, /<title>a: 0.3333, 0.6667<\/title>/);
    assert.deepEqual(niceTicks(0, 268.4), [0, 100, 200, 300]);
    assert.deepEqual(niceTicks(0, 0.3), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(0, 0.7), [0, 0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(niceTicks(0, 0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.equal(num(-0.001), '0');
    assert.throws(
      () => num(NaN),
      (e: unknown) => e instanceof ChartError && e.code === 'NON_FINITE',
    );
  });

  it('says "no data" rather than drawing an empty frame silently', () => {
    const svg = lineChart(line({ series: [] }));
    assertSound(svg);
    assert.match(svg, />no data</);
    assertSound(barChart(bars({ categories: [], series: [] })));
    assertSound(timelineChart(timeline({ t: [], stacks: [], events: [] })));
  });

  it('stacks event labels so that they neither overlap nor get crossed by other events', () => {
    const placed = placeEventLabels([
      { event: { what: 'orderer4 stopped' }, x: 228 },
      { event: { what: 'orderer3 stopped: quorum lost' }, x: 306 },
      { event: { what: 'orderer3 started' }, x: 462 },
    ]);
    assert.deepEqual(
      placed.map((p) => p.row),
      [2, 1, 0],
    );
    for (const a of placed) {
      for (const b of placed) {
        if (a === b) continue;
        if (a.row === b.row) assert.ok(a.to < b.from || b.to < a.from, 'labels overlap');
        if (b.row > a.row) assert.ok(b.x < a.from || b.x > a.to, 'a line crosses a label');
      }
    }
  });
});
