/**
 * A tiny, dependency-free SVG chart kit for the benchmark report: line charts,
 * grouped bar charts and per-second timelines. Every chart is accessible
 * (`<title>`, `<desc>`, text labels, a colour-blind-safe palette with distinct
 * markers, dash patterns and hatching), {@link CHART_WIDTH} pixels wide, and
 * deterministic: the same input gives the same bytes (coordinates rounded to
 * two decimals, no clocks, no randomness).
 */

/** Width of every chart, in pixels. */
export const CHART_WIDTH = 720;

/** The Okabe-Ito palette: distinguishable under the common colour-vision deficiencies. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
] as const;

/** Dash patterns (`stroke-dasharray`), so that lines differ without colour. */
export const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4'] as const;

/** Marker shapes, so that series differ without colour. */
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'cross', 'plus'] as const;

/** A marker drawn at each point of a line. */
export type MarkerShape = (typeof MARKERS)[number];

/** A chart could not be drawn from its input. */
export class ChartError extends Error {
  constructor(
    readonly code: 'NON_FINITE' | 'EMPTY_PALETTE',
    message: string,
  ) {
    super(message);
    this.name = 'ChartError';
  }
}

const FONT = 12;
const TITLE_FONT = 15;
const SMALL_FONT = 11;
const LEFT = 72;
const RIGHT = CHART_WIDTH - 24;
const AXIS_COLOUR = '#333333';
const GRID_COLOUR = '#e3e3e3';
const TEXT_COLOUR = '#1a1a1a';
const NEUTRAL = '#555555';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for XML content and attribute values, dropping the characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters even escaped
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
  );
}

/** A coordinate as text: two decimals at most, no `-0`. */
export function num(value: number): string {
  if (!Number.isFinite(value))
    throw new ChartError('NON_FINITE', `not a finite coordinate: ${String(value)}`);
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function cycle<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new ChartError('EMPTY_PALETTE', 'a style list is empty');
  return item;
}

/** The colour, dash pattern and marker of series number `index` when none is given. */
export function seriesStyle(index: number): { color: string; dash: string; marker: MarkerShape } {
  return {
    color: cycle<string>(PALETTE, index),
    dash: cycle<string>(DASHES, index),
    marker: cycle(MARKERS, index),
  };
}

type Attrs = Record<string, string | number | undefined>;

/** An element; `children` is markup (already escaped), attribute values are escaped here. */
function el(name: string, attrs: Attrs, children?: string): string {
  let out = `<${name}`;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === '') continue;
    out += ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return children === undefined ? `${out}/>` : `${out}>${children}</${name}>`;
}

function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** Roughly how wide `content` is in the chart's sans-serif font. */
export function textWidth(content: string, size = FONT): number {
  return content.length * size * 0.6;
}

/** Splits `content` at explicit newlines and between words so that no line is wider than `width`. */
export function wrapText(content: string, width: number, size = FONT): string[] {
  const maxChars = Math.max(4, Math.floor(width / (size * 0.6)));
  const lines: string[] = [];
  for (const paragraph of content.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= maxChars) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** An axis: its ticks and the domain they span. */
export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  log: boolean;
}

function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(decimals, 20)));
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** About `target` round ticks covering [min, max], first and last tick outside or on the bounds. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  const lo = min;
  let hi = max;
  if (!(hi > lo)) hi = lo + (lo === 0 ? 1 : Math.abs(lo));
  const step = niceStep((hi - lo) / Math.max(1, target));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(roundTo(i * step, step));
  return ticks;
}

/** A linear axis over `values` that always includes zero. Non-finite values are ignored. */
export function linearAxis(values: readonly number[], target = 5): Axis {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const ticks = niceTicks(lo, hi > lo ? hi : lo + 1, target);
  return { min: ticks[0] ?? 0, max: ticks[ticks.length - 1] ?? 1, ticks, log: false };
}

function pow10(exponent: number, factor = 1): number {
  return Number((factor * 10 ** exponent).toPrecision(12));
}

/**
 * A base-10 log axis over the positive values of `values`, in whole decades;
 * zero, negative and non-finite values are ignored (a chart leaves them out).
 * With no positive value at all the axis spans 1 to 10.
 */
export function logAxis(values: readonly number[]): Axis {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return { min: 1, max: 10, ticks: [1, 10], log: true };
  const lo = Math.floor(Math.log10(Math.min(...positive)) + 1e-9);
  let hi = Math.ceil(Math.log10(Math.max(...positive)) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    ticks.push(pow10(e));
    if (hi - lo <= 2 && e < hi) ticks.push(pow10(e, 2), pow10(e, 5));
  }
  return { min: pow10(lo), max: pow10(hi), ticks, log: true };
}

/** Where `value` falls between `from` (at the axis minimum) and `to` (at its maximum). */
export function project(axis: Axis, value: number, from: number, to: number): number {
  const share = axis.log
    ? (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min))
    : (value - axis.min) / (axis.max - axis.min);
  return from + share * (to - from);
}

/** Whether `value` can be drawn on `axis` (a log axis cannot show zero or less). */
export function drawable(axis: Axis, value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && (!axis.log || value > 0);
}

/** A tick label: short, no exponent for the values a report shows. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${String(Number((value / 1e6).toPrecision(4)))}M`;
  if (abs >= 1e4) return `${String(Number((value / 1e3).toPrecision(4)))}k`;
  return String(Number(value.toPrecision(6)));
}

/** A data value in a label or tooltip: four significant digits. */
export function valueLabel(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function markerPath(shape: MarkerShape, x: number, y: number, size: number): string {
  const s = size;
  const p = (dx: number, dy: number): string => `${num(x + dx)},${num(y + dy)}`;
  switch (shape) {
    case 'circle':
      return '';
    case 'square':
      return `M${p(-s, -s)}L${p(s, -s)}L${p(s, s)}L${p(-s, s)}Z`;
    case 'triangle':
      return `M${p(0, -s * 1.2)}L${p(s * 1.1, s * 0.8)}L${p(-s * 1.1, s * 0.8)}Z`;
    case 'triangle-down':
      return `M${p(0, s * 1.2)}L${p(s * 1.1, -s * 0.8)}L${p(-s * 1.1, -s * 0.8)}Z`;
    case 'diamond':
      return `M${p(0, -s * 1.3)}L${p(s * 1.3, 0)}L${p(0, s * 1.3)}L${p(-s * 1.3, 0)}Z`;
    case 'cross':
      return `M${p(-s, -s)}L${p(s, s)}M${p(-s, s)}L${p(s, -s)}`;
    case 'plus':
      return `M${p(-s * 1.2, 0)}L${p(s * 1.2, 0)}M${p(0, -s * 1.2)}L${p(0, s * 1.2)}`;
  }
}

function marker(
  shape: MarkerShape,
  x: number,
  y: number,
  color: string,
  hollow: boolean,
  tip?: string,
): string {
  const size = 4;
  const tipMarkup = tip === undefined ? undefined : el('title', {}, escapeXml(tip));
  if (shape === 'circle') {
    return el(
      'circle',
      { cx: x, cy: y, r: size, fill: hollow ? '#ffffff' : color, stroke: color },
      tipMarkup,
    );
  }
  const open = shape === 'cross' || shape === 'plus';
  return el(
    'path',
    {
      d: markerPath(shape, x, y, size),
      fill: open ? 'none' : hollow ? '#ffffff' : color,
      stroke: color,
      'stroke-width': open ? 2 : 1.5,
    },
    tipMarkup,
  );
}

/** Hatch patterns, defined once per colour in first-use order. */
class Hatches {
  readonly #ids = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  fill(color: string): string {
    let id = this.#ids.get(color);
    if (id === undefined) {
      id = `${this.prefix}-hatch-${String(this.#ids.size)}`;
      this.#ids.set(color, id);
    }
    return `url(#${id})`;
  }
  defs(): string {
    let out = '';
    for (const [color, id] of this.#ids) {
      out += el(
        'pattern',
        { id, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
        el('rect', { width: 6, height: 6, fill: '#ffffff' }) +
          el('line', { x1: 1.5, y1: 0, x2: 1.5, y2: 6, stroke: color, 'stroke-width': 3 }),
      );
    }
    return out === '' ? '' : el('defs', {}, out);
  }
}

/** One entry of a legend. */
interface LegendItem {
  label: string;
  kind: 'line' | 'box' | 'vline';
  color: string;
  dash?: string;
  marker?: MarkerShape | 'none';
  fill?: string;
}

const LEGEND_ROW = 18;

function legend(items: readonly LegendItem[], top: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  let out = '';
  let x = LEFT;
  let row = 0;
  for (const item of items) {
    const width = 30 + textWidth(item.label, SMALL_FONT) + 16;
    if (x > LEFT && x + width > RIGHT) {
      row += 1;
      x = LEFT;
    }
    const y = top + row * LEGEND_ROW + LEGEND_ROW / 2;
    if (item.kind === 'line') {
      out += el('line', {
        x1: x,
        y1: y,
        x2: x + 24,
        y2: y,
        stroke: item.color,
        'stroke-width': 2,
        'stroke-dasharray': item.dash,
      });
      if (item.marker !== undefined && item.marker !== 'none')
        out += marker(item.marker, x + 12, y, item.color, false);
    } else if (item.kind === 'vline') {
      out += el('line', {
        x1: x + 12,
        y1: y - 7,
        x2: x + 12,
        y2: y + 7,
        stroke: item.color,
        'stroke-width': 1.5,
        'stroke-dasharray': item.dash,
      });
    } else {
      out += el('rect', {
        x: x + 4,
        y: y - 6,
        width: 16,
        height: 12,
        fill: item.fill ?? item.color,
        stroke: AXIS_COLOUR,
        'stroke-width': 0.75,
      });
    }
    out += text(x + 30, y + 4, item.label, { 'font-size': SMALL_FONT });
    x += width;
  }
  return { svg: el('g', { class: 'legend' }, out), height: (row + 1) * LEGEND_ROW };
}

/** The opening of a chart: root element, title, description, background and visible title. */
function frame(id: string, title: string, desc: string, height: number, body: string): string {
  const slug = id.replace(/[^A-Za-z0-9_-]/g, '-');
  const root = el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: CHART_WIDTH,
      height,
      viewBox: `0 0 ${num(CHART_WIDTH)} ${num(height)}`,
      role: 'img',
      'aria-labelledby': `${slug}-title ${slug}-desc`,
      'font-family': 'DejaVu Sans, Verdana, Arial, sans-serif',
      'font-size': FONT,
      fill: TEXT_COLOUR,
    },
    el('title', { id: `${slug}-title` }, escapeXml(title)) +
      el('desc', { id: `${slug}-desc` }, escapeXml(desc)) +
      el('rect', { width: CHART_WIDTH, height, fill: '#ffffff' }) +
      text(LEFT - 56, 24, title, { 'font-size': TITLE_FONT, 'font-weight': 'bold' }) +
      body,
  );
  return `${root}\n`;
}

/** The y axis: grid lines, tick labels and the rotated axis label. */
function yAxisMarkup(axis: Axis, top: number, bottom: number, label: string): string {
  let out = '';
  for (const tick of axis.ticks) {
    const y = project(axis, tick, bottom, top);
    out += el('line', { x1: LEFT, y1: y, x2: RIGHT, y2: y, stroke: GRID_COLOUR });
    out += text(LEFT - 6, y + 4, tickLabel(tick), { 'text-anchor': 'end', 'font-size': SMALL_FONT });
  }
  const mid = (top + bottom) / 2;
  const axisLabel = axis.log ? `${label} (log scale)` : label;
  out += text(18, mid, axisLabel, { 'text-anchor': 'middle', transform: `rotate(-90 18 ${num(mid)})` });
  return el('g', { class: 'y-axis' }, out);
}

/** The x axis of a numeric chart: ticks, tick labels and the axis label. */
function xAxisMarkup(axis: Axis, bottom: number, label: string): string {
  let out = '';
  for (const tick of axis.ticks) {
    const x = project(axis, tick, LEFT, RIGHT);
    out += el('line', { x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: AXIS_COLOUR });
    out += text(x, bottom + 18, tickLabel(tick), { 'text-anchor': 'middle', 'font-size': SMALL_FONT });
  }
  out += text((LEFT + RIGHT) / 2, bottom + 36, label, { 'text-anchor': 'middle' });
  return el('g', { class: 'x-axis' }, out);
}

function axisLines(top: number, bottom: number): string {
  return (
    el('line', { x1: LEFT, y1: top, x2: LEFT, y2: bottom, stroke: AXIS_COLOUR }) +
    el('line', { x1: LEFT, y1: bottom, x2: RIGHT, y2: bottom, stroke: AXIS_COLOUR })
  );
}

function noData(top: number, bottom: number): string {
  return text((LEFT + RIGHT) / 2, (top + bottom) / 2, 'no data', {
    'text-anchor': 'middle',
    fill: NEUTRAL,
    'font-style': 'italic',
  });
}

function noteMarkup(note: string | undefined, top: number): { svg: string; height: number } {
  if (note === undefined || note === '') return { svg: '', height: 0 };
  const lines = wrapText(note, RIGHT - LEFT, SMALL_FONT);
  const svg = lines
    .map((line, i) => text(LEFT, top + 12 + i * 14, line, { 'font-size': SMALL_FONT, fill: NEUTRAL }))
    .join('');
  return { svg, height: lines.length * 14 + 4 };
}

/** A point of a line series; `hollow` draws an open marker (for example a saturated step). */
export interface LinePoint {
  x: number;
  y: number;
  hollow?: boolean;
}

/** One line of a {@link lineChart}. Style defaults to {@link seriesStyle} of its position. */
export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
  color?: string;
  dash?: string;
  marker?: MarkerShape | 'none';
}

/** A line chart: numeric x, several series, optional log-scale y. */
export interface LineChartSpec {
  /** Unique within a page: prefixes the element ids. */
  id: string;
  title: string;
  /** What the chart shows, for readers who cannot see it. */
  desc: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Log-scale y: points at zero or below are left out (a gap in the line). */
  logY?: boolean;
  /** Formats values in point tooltips. */
  formatX?: (value: number) => string;
  formatY?: (value: number) => string;
  /** A line of small text under the legend. */
  note?: string;
  /** Height of the plot area in pixels (default 280). */
  plotHeight?: number;
}

/** Draws a line chart as a standalone SVG document. */
export function lineChart(spec: LineChartSpec): string {
  const top = 44;
  const bottom = top + (spec.plotHeight ?? 280);
  const series = spec.series.map((s, i) => {
    const base = seriesStyle(i);
    return {
      name: s.name,
      color: s.color ?? base.color,
      dash: s.dash ?? base.dash,
      marker: s.marker ?? base.marker,
      points: s.points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x),
    };
  });
  const xAxis = linearAxis(series.flatMap((s) => s.points.map((p) => p.x)));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const yAxis = spec.logY ? logAxis(ys) : linearAxis(ys);
  const formatX = spec.formatX ?? valueLabel;
  const formatY = spec.formatY ?? valueLabel;
  const px = (x: number): number => project(xAxis, x, LEFT, RIGHT);
  const py = (y: number): number => project(yAxis, y, bottom, top);

  let plot = '';
  for (const s of series) {
    let path = '';
    let pen = false;
    let markers = '';
    for (const point of s.points) {
      if (!drawable(yAxis, point.y)) {
        pen = false;
        continue;
      }
      path += `${pen ? 'L' : 'M'}${num(px(point.x))},${num(py(point.y))}`;
      pen = true;
      if (s.marker !== 'none') {
        const tip = `${s.name}: ${formatX(point.x)}, ${formatY(point.y)}`;
        markers += marker(s.marker, px(point.x), py(point.y), s.color, point.hollow === true, tip);
      }
    }
    const line =
      path === ''
        ? ''
        : el('path', {
            d: path,
            fill: 'none',
            stroke: s.color,
            'stroke-width': 2,
            'stroke-dasharray': s.dash,
            'stroke-linejoin': 'round',
          });
    plot += el('g', { class: 'series' }, el('title', {}, escapeXml(s.name)) + line + markers);
  }
  const empty = series.every((s) => s.points.every((p) => !drawable(yAxis, p.y)));
  const items: LegendItem[] = series.map((s) => ({
    label: s.name,
    kind: 'line',
    color: s.color,
    dash: s.dash,
    marker: s.marker,
  }));
  const leg = legend(items, bottom + 48);
  const note = noteMarkup(spec.note, bottom + 48 + leg.height);
  const height = bottom + 48 + leg.height + note.height + 8;
  const body =
    yAxisMarkup(yAxis, top, bottom, spec.yLabel) +
    xAxisMarkup(xAxis, bottom, spec.xLabel) +
    el('g', { class: 'plot' }, plot) +
    (empty ? noData(top, bottom) : '') +
    axisLines(top, bottom) +
    leg.svg +
    note.svg;
  return frame(spec.id, spec.title, spec.desc, height, body);
}

/** One series of a {@link barChart}: a value per category, `undefined` where it has none. */
export interface BarSeries {
  name: string;
  values: readonly (number | undefined)[];
  color?: string;
  /** Diagonal hatching, to set a bar apart (for example the mining share). */
  hatch?: boolean;
}

/** A grouped bar chart: one group per category, one bar per series that has a value there. */
export interface BarChartSpec {
  id: string;
  title: string;
  desc: string;
  yLabel: string;
  xLabel?: string;
  /** Category names; `\n` breaks a line, long names wrap. */
  categories: readonly string[];
  series: readonly BarSeries[];
  /** Log-scale y: a bar of zero or less is not drawn, its value label still is. */
  logY?: boolean;
  /** The value labels above the bars. */
  formatValue?: (value: number) => string;
  note?: string;
  plotHeight?: number;
}

/** Draws a grouped bar chart as a standalone SVG document. */
export function barChart(spec: BarChartSpec): string {
  const id = spec.id.replace(/[^A-Za-z0-9_-]/g, '-');
  const hatches = new Hatches(id);
  const format = spec.formatValue ?? valueLabel;
  const series = spec.series.map((s, i) => ({
    ...s,
    color: s.color ?? seriesStyle(i).color,
  }));
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const yAxis = spec.logY ? logAxis(values) : linearAxis(values);
  const band = (RIGHT - LEFT) / Math.max(1, spec.categories.length);

  interface Bar {
    x: number;
    width: number;
    /** Room for the value label: the bar's share of its category's band. */
    slot: number;
    value: number;
    series: (typeof series)[number];
    category: string;
  }
  const bars: Bar[] = [];
  spec.categories.forEach((category, c) => {
    const present = series.filter((s) => {
      const v = s.values[c];
      return v !== undefined && Number.isFinite(v);
    });
    const width = Math.min(44, (band * 0.84) / Math.max(1, present.length));
    const start = LEFT + band * c + (band - width * present.length) / 2;
    present.forEach((s, k) => {
      const slot = (band - 6) / present.length;
      bars.push({ x: start + k * width, width, slot, value: s.values[c] ?? 0, series: s, category });
    });
  });
  const rotated = bars.some((b) => textWidth(format(b.value), SMALL_FONT) > b.slot - 2);
  const headroom = rotated
    ? Math.max(16, ...bars.map((b) => textWidth(format(b.value), SMALL_FONT) + 8))
    : 18;
  const labelLines = spec.categories.map((c) => wrapText(c, band - 6, SMALL_FONT));
  const labelRows = Math.max(1, ...labelLines.map((l) => l.length));
  const top = 44;
  const bottom = top + (spec.plotHeight ?? 260);
  const py = (v: number): number => project(yAxis, v, bottom, top + headroom);
  const base = yAxis.log ? bottom : py(0);

  let plot = '';
  for (const bar of bars) {
    const gap = bar.width > 8 ? 1.5 : 0;
    const x = bar.x + gap / 2;
    const width = bar.width - gap;
    const tip = el(
      'title',
      {},
      escapeXml(`${bar.category.replace(/\n/g, ' ')}, ${bar.series.name}: ${format(bar.value)}`),
    );
    let labelY = base;
    if (drawable(yAxis, bar.value)) {
      const y = py(bar.value);
      labelY = Math.min(y, base);
      plot += el(
        'rect',
        {
          x,
          y: Math.min(y, base),
          width,
          height: Math.abs(base - y),
          fill: bar.series.hatch ? hatches.fill(bar.series.color) : bar.series.color,
          stroke: AXIS_COLOUR,
          'stroke-width': 0.75,
        },
        tip,
      );
    }
    const cx = x + width / 2;
    plot += rotated
      ? text(cx + 4, labelY - 4, format(bar.value), {
          'font-size': SMALL_FONT,
          transform: `rotate(-90 ${num(cx + 4)} ${num(labelY - 4)})`,
        })
      : text(cx, labelY - 4, format(bar.value), { 'font-size': SMALL_FONT, 'text-anchor': 'middle' });
  }

  let xAxis = '';
  labelLines.forEach((lines, c) => {
    const cx = LEFT + band * c + band / 2;
    lines.forEach((line, i) => {
      xAxis += text(cx, bottom + 16 + i * 13, line, { 'text-anchor': 'middle', 'font-size': SMALL_FONT });
    });
  });
  const afterLabels = bottom + 16 + labelRows * 13;
  if (spec.xLabel !== undefined)
    xAxis += text((LEFT + RIGHT) / 2, afterLabels + 8, spec.xLabel, { 'text-anchor': 'middle' });
  const legendTop = afterLabels + (spec.xLabel === undefined ? 6 : 18);
  const leg = legend(
    series.map((s) => ({
      label: s.name,
      kind: 'box',
      color: s.color,
      fill: s.hatch ? hatches.fill(s.color) : s.color,
    })),
    legendTop,
  );
  const note = noteMarkup(spec.note, legendTop + leg.height);
  const height = legendTop + leg.height + note.height + 8;
  const body =
    hatches.defs() +
    yAxisMarkup(yAxis, top + headroom, bottom, spec.yLabel) +
    el('g', { class: 'x-axis' }, xAxis) +
    el('g', { class: 'plot' }, plot) +
    (bars.length === 0 ? noData(top, bottom) : '') +
    axisLines(top, bottom) +
    leg.svg +
    note.svg;
  return frame(spec.id, spec.title, spec.desc, height, body);
}

/** One stacked layer of a {@link timelineChart}: a value per bucket. */
export interface TimelineStack {
  name: string;
  values: readonly number[];
  color?: string;
  hatch?: boolean;
}

/** A horizontal reference line across a timeline (for example the baseline throughput). */
export interface TimelineLine {
  name: string;
  y: number;
  color?: string;
  dash?: string;
}

/** Per-second stacked bars with vertical event markers. */
export interface TimelineSpec {
  id: string;
  title: string;
  desc: string;
  xLabel: string;
  yLabel: string;
  /** Start of each bucket; a bucket spans [t, t + bucketSeconds). */
  t: readonly number[];
  bucketSeconds?: number;
  stacks: readonly TimelineStack[];
  lines?: readonly TimelineLine[];
  events: readonly { t: number; what: string }[];
  note?: string;
  plotHeight?: number;
}

const EVENT_ROW = 14;

interface PlacedLabel<T> {
  event: T;
  x: number;
  /** The label ends at its line (near the right edge) rather than starting there. */
  leftward: boolean;
  /** 0 is the row nearest the plot; an event's line runs up to its own row. */
  row: number;
  from: number;
  to: number;
}

/**
 * Puts each event's label in the lowest row above the plot where it overlaps
 * no other label, crosses no line of an event whose label is higher, and is
 * not crossed by such a line: right to left, so earlier events go higher.
 */
export function placeEventLabels<T extends { what: string }>(
  events: readonly { event: T; x: number }[],
): PlacedLabel<T>[] {
  const placed: PlacedLabel<T>[] = [];
  for (const { event, x } of [...events].reverse()) {
    const width = textWidth(event.what, SMALL_FONT);
    const leftward = x + 3 + width > RIGHT;
    const from = leftward ? x - 3 - width : x + 3;
    const to = from + width;
    const clash = (row: number): boolean =>
      placed.some(
        (p) =>
          (p.row === row && p.from < to + 6 && from < p.to + 6) ||
          (p.row < row && p.from <= x && x <= p.to) ||
          (p.row > row && from <= p.x && p.x <= to),
      );
    // A leftward label may cover this line in every row; then take a free row on top and accept the crossing.
    const top = placed.reduce((n, p) => Math.max(n, p.row + 1), 0);
    let row = 0;
    while (row < top && clash(row)) row++;
    placed.push({ event, x, leftward, row, from, to });
  }
  return placed.reverse();
}

/** Draws a timeline as a standalone SVG document. */
export function timelineChart(spec: TimelineSpec): string {
  const id = spec.id.replace(/[^A-Za-z0-9_-]/g, '-');
  const hatches = new Hatches(id);
  const bucket = spec.bucketSeconds ?? 1;
  const stacks = spec.stacks.map((s, i) => ({ ...s, color: s.color ?? seriesStyle(i).color }));
  const lines = (spec.lines ?? []).map((l) => ({ ...l, color: l.color ?? NEUTRAL, dash: l.dash ?? '8 4' }));
  const events = spec.events.filter((e) => Number.isFinite(e.t)).sort((a, b) => a.t - b.t);
  const finiteT = spec.t.filter((t) => Number.isFinite(t));
  const xAxis = linearAxis([...finiteT.map((t) => t + bucket), ...events.map((e) => e.t)], 8);
  const totals = spec.t.map((_, i) => stacks.reduce((sum, s) => sum + Math.max(0, s.values[i] ?? 0), 0));
  const yAxis = linearAxis([...totals, ...lines.map((l) => l.y)]);
  const px = (x: number): number => project(xAxis, x, LEFT, RIGHT);

  const placed = placeEventLabels(events.map((event) => ({ event, x: px(event.t) })));
  const rows = placed.reduce((n, p) => Math.max(n, p.row + 1), 0);
  const top = 44 + rows * EVENT_ROW;
  const bottom = top + (spec.plotHeight ?? 240);
  const py = (y: number): number => project(yAxis, y, bottom, top);

  let plot = '';
  spec.t.forEach((t, i) => {
    if (!Number.isFinite(t)) return;
    const x0 = px(t);
    const full = px(t + bucket) - x0;
    const gap = full > 4 ? 1 : 0;
    let level = 0;
    for (const s of stacks) {
      const v = Math.max(0, s.values[i] ?? 0);
      if (!Number.isFinite(v) || v === 0) continue;
      const y0 = py(level);
      const y1 = py(level + v);
      plot += el('rect', {
        x: x0 + gap / 2,
        y: y1,
        width: Math.max(0.5, full - gap),
        height: y0 - y1,
        fill: s.hatch ? hatches.fill(s.color) : s.color,
      });
      level += v;
    }
  });
  for (const line of lines) {
    if (!Number.isFinite(line.y)) continue;
    const y = py(line.y);
    plot += el('line', {
      x1: LEFT,
      y1: y,
      x2: RIGHT,
      y2: y,
      stroke: line.color,
      'stroke-width': 1.5,
      'stroke-dasharray': line.dash,
    });
  }
  let marks = '';
  for (const { event, x, leftward, row } of placed) {
    const labelY = top - 8 - row * EVENT_ROW;
    marks += el('line', {
      x1: x,
      y1: labelY + 3,
      x2: x,
      y2: bottom,
      stroke: TEXT_COLOUR,
      'stroke-width': 1.25,
      'stroke-dasharray': '3 3',
    });
    marks += text(leftward ? x - 3 : x + 3, labelY, event.what, {
      'font-size': SMALL_FONT,
      'text-anchor': leftward ? 'end' : 'start',
    });
  }
  const items: LegendItem[] = [
    ...stacks.map((s): LegendItem => ({
      label: s.name,
      kind: 'box',
      color: s.color,
      fill: s.hatch ? hatches.fill(s.color) : s.color,
    })),
    ...lines.map((l): LegendItem => ({
      label: l.name,
      kind: 'line',
      color: l.color,
      dash: l.dash,
      marker: 'none',
    })),
  ];
  if (events.length > 0) items.push({ label: 'event', kind: 'vline', color: TEXT_COLOUR, dash: '3 3' });
  const leg = legend(items, bottom + 48);
  const note = noteMarkup(spec.note, bottom + 48 + leg.height);
  const height = bottom + 48 + leg.height + note.height + 8;
  const body =
    hatches.defs() +
    yAxisMarkup(yAxis, top, bottom, spec.yLabel) +
    xAxisMarkup(xAxis, bottom, spec.xLabel) +
    el('g', { class: 'plot' }, plot) +
    (finiteT.length === 0 ? noData(top, bottom) : '') +
    el('g', { class: 'events' }, marks) +
    axisLines(top, bottom) +
    leg.svg +
    note.svg;
  return frame(spec.id, spec.title, spec.desc, height, body);
}
