import type { BenchResults, FaultResult, LatencySummary, SystemResult } from '../results';
import { cpu, latency, mib, percent, rate } from './format';
import {
  barChart,
  lineChart,
  PALETTE,
  seriesStyle,
  timelineChart,
  type BarSeries,
  type LineSeries,
} from './svg';
import { depths } from './verdicts';

/** One chart of the report: its file name beside the report, its alt text and its SVG. */
export interface Chart {
  file: string;
  alt: string;
  svg: string;
}

/** The report's charts; a chart is missing when there is nothing to draw. */
export interface ReportCharts {
  throughput?: Chart;
  latency?: Chart;
  finality?: Chart;
  cpu?: Chart;
  memory?: Chart;
  /** One per fault, in the order of `results.faults`. */
  faults: (Chart | undefined)[];
}

/** Log scale when the largest positive value is this many times the smallest. */
const LOG_RANGE = 20;

const TOTAL_COLOUR = '#444444';
const REFERENCE_COLOUR = '#888888';
const MINING_COLOUR = '#000000';
const OPEN_MARKERS = 'Open markers: saturated steps (committed under 90% of offered, or a backlog).';

/** Systems with at least one rate step, with their position in the run (which fixes their colour and marker). */
function measuredSystems(results: BenchResults): { system: SystemResult; index: number }[] {
  return results.systems
    .map((system, index) => ({ system, index }))
    .filter(({ system }) => system.steps.length > 0);
}

function wideRange(values: readonly (number | undefined)[]): boolean {
  const positive = values.filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  return positive.length > 1 && Math.max(...positive) / Math.min(...positive) > LOG_RANGE;
}

function throughputChart(results: BenchResults): Chart | undefined {
  const systems = measuredSystems(results);
  if (systems.length === 0) return undefined;
  const maxOffered = Math.max(...systems.flatMap(({ system }) => system.steps.map((s) => s.offeredRate)));
  const series: LineSeries[] = systems.map(({ system, index }) => ({
    name: system.label,
    color: seriesStyle(index).color,
    marker: seriesStyle(index).marker,
    dash: '',
    points: system.steps.map((s) => ({ x: s.offeredRate, y: s.throughput, hollow: s.saturated })),
  }));
  series.push({
    name: 'offered (y = x)',
    color: REFERENCE_COLOUR,
    dash: '4 4',
    marker: 'none',
    points: [
      { x: 0, y: 0 },
      { x: maxOffered, y: maxOffered },
    ],
  });
  const peaks = systems
    .map(
      ({ system }) =>
        `${system.label}: ${rate(system.saturation.throughput)} tx/s at ${rate(system.saturation.offeredRate)} tx/s offered`,
    )
    .join('; ');
  return {
    file: 'throughput.svg',
    alt: 'Committed throughput against offered rate, one line per system',
    svg: lineChart({
      id: 'throughput',
      title: 'Committed throughput against offered rate',
      desc: `Committed transfers per second at each offered rate, with the line where committed equals offered. Highest throughput: ${peaks}.`,
      xLabel: 'offered rate (tx/s)',
      yLabel: 'committed (tx/s)',
      series,
      formatX: (v) => `${rate(v)} tx/s offered`,
      formatY: (v) => `${rate(v)} tx/s committed`,
      note: OPEN_MARKERS,
    }),
  };
}

function latencyChart(results: BenchResults): Chart | undefined {
  const systems = measuredSystems(results);
  if (systems.length === 0) return undefined;
  const series: LineSeries[] = systems.flatMap(({ system, index }) => {
    const style = seriesStyle(index);
    const points = (pick: (l: LatencySummary) => number): LineSeries['points'] =>
      system.steps
        .filter((s) => s.commit.count > 0)
        .map((s) => ({ x: s.offeredRate, y: pick(s.commit), hollow: s.saturated }));
    return [
      {
        name: `${system.label}, p50`,
        color: style.color,
        marker: style.marker,
        dash: '',
        points: points((l) => l.p50),
      },
      {
        name: `${system.label}, p99`,
        color: style.color,
        marker: style.marker,
        dash: '7 4',
        points: points((l) => l.p99),
      },
    ];
  });
  const half = systems
    .map(({ system }) => `${system.label}: p50 ${latency(system.halfLoad?.commit.p50)} at half load`)
    .join('; ');
  return {
    file: 'commit-latency.svg',
    alt: 'Commit latency p50 and p99 against offered rate, log scale',
    svg: lineChart({
      id: 'commit-latency',
      title: 'Commit latency against offered rate',
      desc: `Scheduled send to commit, p50 (solid) and p99 (dashed) at each offered rate, log scale. ${half}.`,
      xLabel: 'offered rate (tx/s)',
      yLabel: 'commit latency (s)',
      series,
      logY: true,
      formatX: (v) => `${rate(v)} tx/s offered`,
      formatY: latency,
      note: `Solid: p50; dashed: p99. ${OPEN_MARKERS}`,
    }),
  };
}

function finalityChart(results: BenchResults): Chart | undefined {
  const categories: string[] = [];
  const p50: (number | undefined)[] = [];
  const p99: (number | undefined)[] = [];
  const add = (name: string, summary: LatencySummary | undefined): void => {
    if (summary === undefined || summary.count === 0) return;
    categories.push(name);
    p50.push(summary.p50);
    p99.push(summary.p99);
  };
  for (const { system } of measuredSystems(results)) {
    const half = system.halfLoad;
    if (half === undefined) continue;
    const at = depths(system);
    if (at.length === 0) add(`${system.label}\nat commit`, half.commit);
    for (const depth of at) add(`${system.label}\n${depth} confirmations`, half.finality[depth]);
  }
  if (categories.length === 0) return undefined;
  const summary = categories
    .map((c, i) => `${c.replace('\n', ' ')}: p50 ${latency(p50[i])}, p99 ${latency(p99[i])}`)
    .join('; ');
  return {
    file: 'finality.svg',
    alt: 'Time to finality per system at half load, p50 and p99, log scale',
    svg: barChart({
      id: 'finality',
      title: 'Time to finality at half load',
      desc: `Scheduled send to finality at half load, log scale. Fabric is final at commit; proof of work after the given confirmations. ${summary}.`,
      yLabel: 'time to finality (s)',
      categories,
      series: [
        { name: 'p50', values: p50, color: PALETTE[0] },
        { name: 'p99', values: p99, color: PALETTE[1], hatch: true },
      ],
      logY: true,
      formatValue: latency,
      note: 'Each system at the step nearest half its saturation throughput.',
    }),
  };
}

/** A system's CPU-seconds per 1,000 transfers for each role: its share of the run's CPU applied to the total. */
export function cpuByRolePer1000(system: SystemResult): Map<string, number> {
  const total = system.resources.byRole.reduce((sum, r) => sum + r.cpuSeconds, 0);
  const out = new Map<string, number>();
  for (const role of system.resources.byRole) {
    const share = total > 0 ? role.cpuSeconds / total : 0;
    out.set(role.role, (out.get(role.role) ?? 0) + share * system.resources.cpuSecondsPer1000Tx);
  }
  return out;
}

function cpuChart(results: BenchResults): Chart | undefined {
  const systems = measuredSystems(results).map(({ system }) => system);
  if (systems.length === 0) return undefined;
  const perRole = systems.map(cpuByRolePer1000);
  const roles = [...new Set(perRole.flatMap((m) => [...m.keys()]))];
  const totals = systems.map((s) => s.resources.cpuSecondsPer1000Tx);
  const mining = systems.map((s) => s.resources.miningCpuSecondsPer1000Tx);
  const series: BarSeries[] = [
    { name: 'whole network', values: totals, color: TOTAL_COLOUR },
    ...roles.map((role, i) => ({
      name: role,
      values: perRole.map((m) => m.get(role)),
      color: seriesStyle(i % 6).color,
    })),
  ];
  const anyMining = mining.some((m) => m !== undefined);
  if (anyMining) {
    series.push({ name: 'of which mining', values: mining, color: MINING_COLOUR, hatch: true });
  }
  const values = series.flatMap((s) => s.values);
  const logY = wideRange(values);
  const summary = systems
    .map((s, i) => {
      const m = mining[i];
      const miningText =
        m === undefined
          ? ''
          : `, of which mining ${cpu(m)} (${percent(m / s.resources.cpuSecondsPer1000Tx)})`;
      return `${s.label}: ${cpu(s.resources.cpuSecondsPer1000Tx)} CPU-s${miningText}`;
    })
    .join('; ');
  return {
    file: 'cpu-per-1000-tx.svg',
    alt: 'CPU-seconds per 1,000 committed transfers per system, by role, with the mining share',
    svg: barChart({
      id: 'cpu-per-1000-tx',
      title: 'CPU-seconds per 1,000 committed transfers',
      desc: `CPU time of the whole network per 1,000 committed transfers, and each role's part${logY ? ', log scale' : ''}. ${summary}.`,
      yLabel: 'CPU-s per 1,000 transfers',
      categories: systems.map((s) => s.label),
      series,
      logY,
      formatValue: cpu,
      note: `Each role's bar is its share of the run's CPU applied to the whole network's figure.${anyMining ? ' Hatched: the CPU the miner spent mining.' : ''}`,
    }),
  };
}

function memoryChart(results: BenchResults): Chart | undefined {
  const systems = measuredSystems(results).map(({ system }) => system);
  if (systems.length === 0) return undefined;
  const values = systems.map((s) => s.resources.peakRssMiB);
  const logY = wideRange(values);
  return {
    file: 'peak-rss.svg',
    alt: 'Peak resident memory of the whole network per system',
    svg: barChart({
      id: 'peak-rss',
      title: 'Peak resident memory of the network',
      desc: `Highest sum of the resident memory of every process of the network over the run${logY ? ', log scale' : ''}. ${systems.map((s) => `${s.label}: ${mib(s.resources.peakRssMiB)} MiB`).join('; ')}.`,
      yLabel: 'peak RSS (MiB)',
      categories: systems.map((s) => s.label),
      series: [{ name: 'peak RSS, whole network', values, color: PALETTE[0] }],
      logY,
      formatValue: (v) => `${mib(v)} MiB`,
    }),
  };
}

/** A short title for a fault chart; the fault's own label goes in its description. */
export function faultTitle(fault: FaultResult): string {
  switch (fault.id) {
    case 'raft-leader-kill':
      return 'Raft leader killed under load';
    case 'bft-stop-one':
      return 'One SmartBFT orderer stopped under load';
    case 'bft-stop-two':
      return 'A second SmartBFT orderer stopped under load';
    default:
      return `Fault ${String(fault.id)}`;
  }
}

/** What the recovery of a fault was, in words. */
export function recoveryText(fault: FaultResult): string {
  if (fault.recoverySeconds === undefined) return 'did not recover';
  if (fault.recoverySeconds === 0)
    return 'no recovery needed: throughput stayed at 80% of the baseline or above';
  return `recovered in ${latency(fault.recoverySeconds)}`;
}

function faultChart(results: BenchResults, fault: FaultResult, file: string): Chart | undefined {
  if (fault.timeline.length === 0) return undefined;
  const system = results.systems.find((s) => s.id === fault.system)?.label ?? fault.system;
  const errors = fault.errors.reduce((sum, e) => sum + e.count, 0);
  const events = fault.events.map((e) => `${e.what} at ${rate(e.t)} s`).join('; ');
  return {
    file,
    alt: `Timeline of the fault: ${fault.label}`,
    svg: timelineChart({
      id: file.replace(/\.svg$/, ''),
      title: faultTitle(fault),
      desc: `${system}: ${fault.label}, at ${rate(fault.offeredRate)} tx/s offered. Committed and failed transfers per second. Events: ${events}. Baseline ${rate(fault.baselineThroughput)} tx/s, dip ${rate(fault.dipThroughput)} tx/s, ${recoveryText(fault)}; ${String(errors)} errors seen.`,
      xLabel: 'seconds since the load started',
      yLabel: 'transfers per second',
      t: fault.timeline.map((b) => b.t),
      stacks: [
        { name: 'committed', values: fault.timeline.map((b) => b.committed), color: PALETTE[0] },
        { name: 'failed', values: fault.timeline.map((b) => b.failed), color: PALETTE[1], hatch: true },
      ],
      lines: [
        {
          name: `offered (${rate(fault.offeredRate)} tx/s)`,
          y: fault.offeredRate,
          color: REFERENCE_COLOUR,
          dash: '2 3',
        },
        {
          name: `baseline (${rate(fault.baselineThroughput)} tx/s)`,
          y: fault.baselineThroughput,
          color: '#222222',
          dash: '8 4',
        },
      ],
      events: fault.events,
      note: `${system}: ${fault.label}. Dip ${rate(fault.dipThroughput)} tx/s; ${recoveryText(fault)}.`,
    }),
  };
}

/** The file names of the fault charts: `fault-<id>.svg`, numbered if an id repeats. */
export function faultChartFiles(faults: readonly FaultResult[]): string[] {
  const seen = new Map<string, number>();
  return faults.map((fault) => {
    const slug =
      fault.id
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'fault';
    const n = (seen.get(slug) ?? 0) + 1;
    seen.set(slug, n);
    return n === 1 ? `fault-${slug}.svg` : `fault-${slug}-${String(n)}.svg`;
  });
}

/** Draws every chart of the report. */
export function buildCharts(results: BenchResults): ReportCharts {
  const files = faultChartFiles(results.faults);
  return {
    throughput: throughputChart(results),
    latency: latencyChart(results),
    finality: finalityChart(results),
    cpu: cpuChart(results),
    memory: memoryChart(results),
    faults: results.faults.map((fault, i) =>
      faultChart(results, fault, files[i] ?? `fault-${String(i + 1)}.svg`),
    ),
  };
}
