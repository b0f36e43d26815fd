import type { BenchResults, FaultResult, LatencySummary, SystemResult } from '../results';
import { buildCharts, cpuByRolePer1000, faultTitle, recoveryText, type Chart } from './charts';
import {
  count,
  cpu,
  duration,
  fixed,
  latency,
  latencyColumn,
  latencyColumns,
  MISSING,
  mdCode,
  mdTable,
  mdText,
  mib,
  percent,
  rate,
  times,
} from './format';
import { checkTargets, depths, exactlyOnceVerdict, powRatios } from './verdicts';

/** The report: markdown, and the SVG charts it links (relative file names, beside report.md). */
export interface RenderedReport {
  markdown: string;
  charts: { file: string; svg: string }[];
}

/** The sections of the report, in order (their `##` headings). */
export const SECTIONS = [
  'Run',
  'Systems',
  'Headline',
  'Targets',
  'Fabric against proof-of-work Ethereum',
  'Throughput and latency',
  'Where the time goes',
  'Faults',
  'Notes',
  'What the numbers do not show',
] as const;

type Section = (typeof SECTIONS)[number];

const heading = (section: Section): string => `## ${section}`;

/** Code-unit order: the same everywhere, unlike a locale's collation. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function image(chart: Chart | undefined, used: Chart[]): string[] {
  if (chart === undefined) return [];
  used.push(chart);
  return [`![${mdText(chart.alt)}](${chart.file})`, ''];
}

/** "not measured: `error`", "failed part-way: `error`" or "measured". */
function status(system: SystemResult): string {
  if (system.steps.length === 0) return `not measured: ${mdCode(system.error ?? 'no rate step was run')}`;
  if (system.error !== undefined) return `failed part-way: ${mdCode(system.error)}`;
  return 'measured';
}

function finalityText(system: SystemResult): string {
  const at = depths(system);
  return at.length === 0 ? 'deterministic, at commit' : `probabilistic, at ${at.join(' and ')} confirmations`;
}

function summaryText(l: LatencySummary): string {
  return `p50 ${latency(l.p50)}, p99 ${latency(l.p99)} (${count(l.count)})`;
}

function runSection(r: BenchResults): string[] {
  const w = r.workload;
  const m = r.machine;
  const mode =
    r.mode === 'full'
      ? 'full: rising offered rates up to saturation'
      : 'smoke: a few transactions per system, to check the harness';
  return [
    heading('Run'),
    '',
    `- **Started:** ${mdText(r.startedAt)}`,
    `- **Mode:** ${mode}`,
    `- **Duration:** ${duration(r.durationSeconds)}`,
    `- **Machine:** ${count(m.cpus)} CPUs (${mdText(m.cpuModel)}), ${fixed(m.memoryGiB, 1)} GiB memory; ${mdText(m.kernel)}; Node ${mdText(m.node)}. Every node of every network ran on this one machine, beside the load driver.`,
    `- **Workload:** ${count(w.senders)} senders and ${count(w.receivers)} receivers registered; transfers offered at rising rates up to saturation (${w.rates.map(rate).join(', ')} tx/s over all systems; each system's steps are in its table below); then ${count(w.accesses)} records opened.`,
    `- **Driver:** ${mdText(w.driver)}`,
    '',
  ];
}

function systemsSection(r: BenchResults): string[] {
  const rows = r.systems.map((s) => [
    mdText(s.label),
    status(s),
    finalityText(s),
    Object.entries(s.settings)
      .map(([k, v]) => `${mdText(k)}: ${mdText(v)}`)
      .join('; ') || MISSING,
    s.registration.users > 0
      ? `${count(s.registration.users)} users in ${latency(s.registration.seconds)}`
      : MISSING,
    s.access.latency.count > 0
      ? `${s.access.kind}: ${summaryText(s.access.latency)}, ${count(s.access.failed)} failed`
      : MISSING,
  ]);
  return [
    heading('Systems'),
    '',
    r.systems.length === 0
      ? 'No system was run.'
      : mdTable(['System', 'Status', 'Finality', 'Settings', 'Registration', 'Opening records'], rows),
    '',
  ];
}

function headlineSection(r: BenchResults, charts: Chart[], finalityChart: Chart | undefined): string[] {
  const measured = r.systems.filter((s) => s.steps.length > 0);
  const half = (s: SystemResult): LatencySummary | undefined =>
    s.halfLoad !== undefined && s.halfLoad.commit.count > 0 ? s.halfLoad.commit : undefined;
  const commit = latencyColumns([
    measured.map((s) => half(s)?.p50),
    measured.map((s) => half(s)?.p95),
    measured.map((s) => half(s)?.p99),
  ]);
  const [p50 = [], p95 = [], p99 = []] = commit.cells;
  let k = 0;
  const rows = r.systems.map((s) => {
    if (s.steps.length === 0) return [mdText(s.label), status(s), ...Array<string>(8).fill(MISSING)];
    const i = k++;
    return [
      mdText(s.label) + (s.error === undefined ? '' : ` (failed part-way: ${mdCode(s.error)})`),
      (s.steps.some((step) => step.saturated) ? '' : '≥ ') + rate(s.saturation.throughput),
      rate(s.saturation.offeredRate),
      rate(s.halfLoad?.offeredRate),
      p50[i] ?? MISSING,
      p95[i] ?? MISSING,
      p99[i] ?? MISSING,
      cpu(s.resources.cpuSecondsPer1000Tx),
      mib(s.resources.peakRssMiB),
      exactlyOnceVerdict(s.exactlyOnce).text,
    ];
  });

  // Time to finality: one row per system and depth, Fabric at commit.
  const finality: { system: SystemResult; at: string; summary: LatencySummary | undefined }[] = [];
  for (const s of r.systems) {
    if (s.steps.length === 0) continue;
    const at = depths(s);
    if (at.length === 0) finality.push({ system: s, at: 'commit (deterministic)', summary: half(s) });
    for (const depth of at)
      finality.push({ system: s, at: `${depth} confirmations`, summary: s.halfLoad?.finality[depth] });
  }
  const final = latencyColumns([finality.map((f) => f.summary?.p50), finality.map((f) => f.summary?.p99)]);
  const [f50 = [], f99 = []] = final.cells;
  const finalityRows = finality.map((f, i) => [
    mdText(f.system.label),
    f.at,
    rate(f.system.halfLoad?.offeredRate),
    f50[i] ?? MISSING,
    f99[i] ?? MISSING,
  ]);
  for (const s of r.systems.filter((x) => x.steps.length === 0)) {
    finalityRows.push([mdText(s.label), status(s), MISSING, MISSING, MISSING]);
  }

  return [
    heading('Headline'),
    '',
    'Saturation is the highest committed throughput of any step (≥ where no step saturated, so the system can do more). Throughput counts the transfers of every block but the first and last of a step, over the time between them. Latencies are from the scheduled send (so a backlog counts), at half load: the step nearest half the saturation throughput.',
    '',
    r.systems.length === 0
      ? 'No system was run.'
      : mdTable(
          [
            'System',
            'Saturation (tx/s)',
            'at offered (tx/s)',
            'Half load (tx/s offered)',
            `Commit p50 (${commit.unit})`,
            `p95 (${commit.unit})`,
            `p99 (${commit.unit})`,
            'CPU-s per 1,000 tx',
            'Peak RSS (MiB)',
            'Exactly once',
          ],
          rows,
          ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        ),
    '',
    '### Time to finality at half load',
    '',
    finalityRows.length === 0
      ? 'Nothing measured.'
      : mdTable(
          ['System', 'Final at', 'Half load (tx/s offered)', `p50 (${final.unit})`, `p99 (${final.unit})`],
          finalityRows,
          ['l', 'l', 'r', 'r', 'r'],
        ),
    '',
    ...image(finalityChart, charts),
  ];
}

function targetsSection(r: BenchResults): string[] {
  const rows = checkTargets(r).map((t) => [
    t.target,
    mdText(t.detail),
    t.status === 'not measured' ? 'not measured' : `**${t.status}**`,
  ]);
  return [
    heading('Targets'),
    '',
    `Goals from issue 7 for the benchmark to show, not assertions. On this ${count(r.machine.cpus)}-CPU machine every node runs beside the others and the load driver.`,
    '',
    mdTable(['Target', 'Measured', 'Verdict'], rows),
    '',
    ...(r.mode === 'smoke'
      ? ['The verdicts of a smoke run say nothing: its steps are far from saturation.', '']
      : []),
  ];
}

function ratiosSection(r: BenchResults): string[] {
  const { depths: at, rows } = powRatios(r);
  const lines = [heading('Fabric against proof-of-work Ethereum'), ''];
  if (rows.length === 0) return [...lines, 'No Fabric system in this run.', ''];
  const body = rows.map((row) => {
    if (row.notMeasured !== undefined) {
      return [
        mdText(row.label),
        `not measured: ${mdCode(row.notMeasured)}`,
        ...Array<string>(at.length + 1).fill(MISSING),
      ];
    }
    return [
      mdText(row.label),
      times(row.throughput),
      ...at.map((depth) => times(row.finality.find((f) => f.depth === depth)?.ratio)),
      times(row.cpuPerTx),
    ];
  });
  const header = [
    'Fabric system',
    'Throughput (Fabric ÷ PoW)',
    ...at.map((depth) => `Time to finality, PoW at ${depth} confirmations ÷ Fabric`),
    'CPU per transfer (PoW ÷ Fabric)',
  ];
  if (at.length === 0 && rows.some((row) => row.notMeasured === undefined)) {
    header.splice(2, 0, 'Time to finality (PoW ÷ Fabric)');
    for (const row of body) row.splice(2, 0, MISSING);
  }
  return [
    ...lines,
    'How many times more Fabric commits per second, and how many times less it waits and burns per transfer, than proof-of-work Ethereum on the same machine. Throughput at saturation; time to finality is the p50 at half load of each system (Fabric at commit); CPU over all steps.',
    '',
    mdTable(header, body, ['l', ...header.slice(1).map((): 'r' => 'r')]),
    '',
  ];
}

function stepTable(system: SystemResult): string {
  const steps = system.steps;
  const at = depths(system);
  const col = (pick: (l: LatencySummary) => number): (number | undefined)[] =>
    steps.map((s) => (s.commit.count > 0 ? pick(s.commit) : undefined));
  const commit = latencyColumns([col((l) => l.p50), col((l) => l.p95), col((l) => l.p99), col((l) => l.max)]);
  const [p50 = [], p95 = [], p99 = [], max = []] = commit.cells;
  const finalityTitles = at.flatMap((depth) => [`Final p50 at ${depth}`, `Final p99 at ${depth}`]);
  const final = latencyColumns(
    at.flatMap((depth) => [
      steps.map((s) => s.finality[depth]?.p50),
      steps.map((s) => s.finality[depth]?.p99),
    ]),
  );
  const header = [
    'Offered (tx/s)',
    'Scheduled',
    'Committed',
    'Failed',
    'Not issued',
    'Throughput (tx/s)',
    `Commit p50 (${commit.unit})`,
    `p95 (${commit.unit})`,
    `p99 (${commit.unit})`,
    `max (${commit.unit})`,
    ...finalityTitles.map((title) => `${title} (${final.unit})`),
    'CPU-s',
    'Peak RSS (MiB)',
    'Saturated',
  ];
  const rows = steps.map((s, i) => [
    rate(s.offeredRate) + (s.offeredRate === system.halfLoad?.offeredRate ? ' (half load)' : ''),
    count(s.offered),
    count(s.committed),
    count(s.failed),
    count(s.notIssued),
    rate(s.throughput),
    p50[i] ?? MISSING,
    p95[i] ?? MISSING,
    p99[i] ?? MISSING,
    max[i] ?? MISSING,
    ...final.cells.map((column) => column[i] ?? MISSING),
    cpu(s.cpuSeconds),
    mib(s.peakRssMiB),
    s.saturated ? 'yes' : 'no',
  ]);
  return mdTable(header, rows, [...header.slice(0, -1).map((): 'r' => 'r'), 'l']);
}

function throughputSection(
  r: BenchResults,
  charts: Chart[],
  built: ReturnType<typeof buildCharts>,
): string[] {
  const lines = [
    heading('Throughput and latency'),
    '',
    ...image(built.throughput, charts),
    ...image(built.latency, charts),
  ];
  for (const s of r.systems) {
    lines.push(`### ${mdText(s.label)}`, '');
    if (s.steps.length === 0) {
      lines.push(`Not measured: ${mdCode(s.error ?? 'no rate step was run')}`, '');
      continue;
    }
    if (s.error !== undefined)
      lines.push(`Failed part-way: ${mdCode(s.error)}. The steps below are what was measured.`, '');
    lines.push(stepTable(s), '');
    for (const step of s.steps.filter((x) => x.errors.length > 0)) {
      const seen = step.errors.map((e) => `${mdCode(e.message)} × ${count(e.count)}`).join('; ');
      lines.push(`- Errors at ${rate(step.offeredRate)} tx/s: ${seen}`);
    }
    if (s.steps.some((x) => x.errors.length > 0)) lines.push('');
  }
  return lines;
}

function timeSection(r: BenchResults, charts: Chart[], built: ReturnType<typeof buildCharts>): string[] {
  const lines = [
    heading('Where the time goes'),
    '',
    'CPU time and memory of the network processes by role (the load driver is not counted). A role’s CPU-s per 1,000 transfers is its share of the run’s CPU applied to the whole network’s figure.',
    '',
    ...image(built.cpu, charts),
    ...image(built.memory, charts),
  ];
  for (const s of r.systems) {
    lines.push(`### ${mdText(s.label)}`, '');
    if (s.steps.length === 0) {
      lines.push(`Not measured: ${mdCode(s.error ?? 'no rate step was run')}`, '');
      continue;
    }
    const res = s.resources;
    const totalCpu = res.byRole.reduce((sum, role) => sum + role.cpuSeconds, 0);
    const per1000 = cpuByRolePer1000(s);
    const roles = [...res.byRole].sort((a, b) => b.cpuSeconds - a.cpuSeconds || byText(a.role, b.role));
    const facts = [
      `${cpu(res.cpuSecondsPer1000Tx)} CPU-s per 1,000 committed transfers over all steps`,
      `${cpu(res.idleCpuSecondsPerMinute)} CPU-s per minute with no load`,
      `peak RSS ${mib(res.peakRssMiB)} MiB`,
    ];
    const busiest = roles[0];
    if (busiest !== undefined && totalCpu > 0) {
      facts.push(
        `busiest role: ${mdText(busiest.role)} (${percent(busiest.cpuSeconds / totalCpu)} of the CPU)`,
      );
    }
    if (res.miningCpuSecondsPer1000Tx !== undefined) {
      const share =
        res.cpuSecondsPer1000Tx > 0 ? res.miningCpuSecondsPer1000Tx / res.cpuSecondsPer1000Tx : undefined;
      facts.push(
        `mining: ${cpu(res.miningCpuSecondsPer1000Tx)} CPU-s per 1,000 transfers (${percent(share)} of the network’s CPU)`,
      );
    }
    if (res.client !== undefined) {
      facts.push(`the load driver itself (not counted): ${cpu(res.client.cpuSeconds)} CPU-s`);
    }
    lines.push(`${facts.join('; ')}.`, '');
    if (roles.length > 0) {
      lines.push(
        mdTable(
          ['Role', 'Processes', 'CPU-s', 'Share of CPU', 'CPU-s per 1,000 tx', 'Peak RSS (MiB)'],
          roles.map((role) => [
            mdText(role.role),
            count(role.processes),
            cpu(role.cpuSeconds),
            totalCpu > 0 ? percent(role.cpuSeconds / totalCpu) : MISSING,
            cpu(per1000.get(role.role)),
            mib(role.peakRssMiB),
          ]),
          ['l', 'r', 'r', 'r', 'r', 'r'],
        ),
        '',
      );
    }
  }
  return lines;
}

function faultsSection(r: BenchResults, charts: Chart[], built: ReturnType<typeof buildCharts>): string[] {
  const lines = [heading('Faults'), ''];
  if (r.faults.length === 0) return [...lines, 'No fault was injected in this run.', ''];
  const systemLabel = (f: FaultResult): string => r.systems.find((s) => s.id === f.system)?.label ?? f.system;
  const recovery = latencyColumn(r.faults.map((f) => f.recoverySeconds));
  lines.push(
    'Baseline: committed per second before the fault. Dip: the lowest whole second after it, until recovery. Recovery: from the fault (for a lost quorum, from its repair) until committed throughput was back to 80% of the baseline for 3 seconds running.',
    '',
    mdTable(
      [
        'Fault',
        'System',
        'Offered (tx/s)',
        'Baseline (tx/s)',
        'Dip (tx/s)',
        `Recovery (${recovery.unit})`,
        'Errors seen',
        'Exactly once',
      ],
      r.faults.map((f, i) => [
        mdText(faultTitle(f)),
        mdText(systemLabel(f)),
        rate(f.offeredRate),
        rate(f.baselineThroughput),
        rate(f.dipThroughput),
        f.recoverySeconds === undefined ? '**did not recover**' : (recovery.cells[i] ?? MISSING),
        count(f.errors.reduce((sum, e) => sum + e.count, 0)),
        exactlyOnceVerdict(f.exactlyOnce).text,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
  );
  r.faults.forEach((f, i) => {
    lines.push(`### ${mdText(faultTitle(f))}`, '');
    lines.push(
      `- **What:** ${mdText(f.label)}, on ${mdText(systemLabel(f))}, at ${rate(f.offeredRate)} tx/s offered.`,
    );
    if (f.events.length > 0) {
      lines.push(`- **Events:** ${f.events.map((e) => `${fixed(e.t, 1)} s: ${mdText(e.what)}`).join('; ')}.`);
    }
    lines.push(
      `- **Throughput:** baseline ${rate(f.baselineThroughput)} tx/s, dip ${rate(f.dipThroughput)} tx/s; ${
        f.recoverySeconds === undefined
          ? '**did not recover**: committed throughput never returned to 80% of the baseline for 3 seconds running'
          : recoveryText(f)
      }.`,
      `- **Exactly once:** ${exactlyOnceVerdict(f.exactlyOnce).text}.`,
      '',
    );
    const errors = [...f.errors].sort((a, b) => b.count - a.count || byText(a.message, b.message));
    if (errors.length === 0) lines.push('No errors seen by clients.', '');
    else {
      lines.push(
        mdTable(
          ['Error seen by clients', 'Count'],
          errors.map((e) => [mdCode(e.message), count(e.count)]),
          ['l', 'r'],
        ),
        '',
      );
    }
    lines.push(...image(built.faults[i], charts));
  });
  return lines;
}

function notesSection(r: BenchResults): string[] {
  return [
    heading('Notes'),
    '',
    ...(r.notes.length === 0 ? ['None.'] : r.notes.map((note) => `- ${mdText(note)}`)),
    '',
  ];
}

/** Brief and factual; the numbers above say nothing of these. */
const NOT_SHOWN = [
  '**Finality semantics.** A Fabric transaction is final once committed: the ordering service does not fork, so a committed block is never replaced, as long as its fault assumptions hold. Proof-of-work finality is probabilistic: after k confirmations a reorganisation is unlikely, not impossible, and how unlikely depends on the share of hash power an attacker controls. On a private chain with one miner, the confirmations measure waiting time, not security. Ganache has no consensus at all: one process mines on demand.',
  '**Who can read the data.** On Fabric only the members of the channel hold its ledger, and private data collections narrow that further. On a public Ethereum chain every node holds every transaction and its data. Both chains here are private and local, so this difference is one of deployment, not of any number above.',
  '**Fault model.** Raft tolerates crash faults of a minority of orderers, not malicious ones; SmartBFT tolerates f Byzantine orderers out of 3f + 1; proof of work is secured economically, holding while honest miners control most of the hash power. The fault runs here stop and kill processes: crash faults only, so the extra protection of SmartBFT is not exercised.',
  '**Membership and governance.** Fabric is permissioned: organisations join by channel configuration updates signed under the channel’s policies, and each organisation’s certificate authority issues its identities. Public proof of work is permissionless. Who may join and how the rules change is not measured.',
  '**Energy.** CPU-seconds on one machine stand in for energy. A public proof-of-work network burns energy in proportion to the hash power competing for blocks, whatever the load, so its cost per transaction is set by the network, not by this single miner. Ethereum itself left proof of work for proof of stake in September 2022.',
];

/** The last point of {@link NOT_SHOWN}, which depends on the machine. */
const distance = (cpus: number): string =>
  `**Distance.** Every node ran on one machine with ${count(cpus)} CPUs: no network latency between organisations, and every process competing for the same cores.`;

/** Renders the report of a run: markdown, and the SVG charts it links with relative image links. */
export function renderReport(results: BenchResults): RenderedReport {
  const built = buildCharts(results);
  const charts: Chart[] = [];
  const lines: string[] = ['# MedShare consensus benchmark', ''];
  if (results.mode === 'smoke') {
    lines.push(
      '> **Smoke run: these numbers are not a measurement.** Each system ran only a few transactions, to check that the harness works end to end. Run the full benchmark for figures to quote.',
      '',
    );
  }
  lines.push(
    ...runSection(results),
    ...systemsSection(results),
    ...headlineSection(results, charts, built.finality),
    ...targetsSection(results),
    ...ratiosSection(results),
    ...throughputSection(results, charts, built),
    ...timeSection(results, charts, built),
    ...faultsSection(results, charts, built),
    ...notesSection(results),
    heading('What the numbers do not show'),
    '',
    ...[...NOT_SHOWN, distance(results.machine.cpus)].map((text) => `- ${text}`),
    '',
  );
  return {
    markdown: `${lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
    charts: charts.map(({ file, svg }) => ({ file, svg })),
  };
}
