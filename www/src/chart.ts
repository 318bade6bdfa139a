// The page's charts, on uPlot (canvas). A chart fits its container's width, redraws at most once a frame
// (or less often, for a stream of updates that must never block the page), names its plot for screen
// readers and carries a text summary under it (the canvas itself is an image). Its series are lines,
// points (measurements) or dashed reference levels, on one or two y scales (the second on the right).
// On request: a hover read-out (uPlot's live legend, showing the latest values while the pointer is
// away) and CSV / PNG export buttons.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { download, h } from './dom';
import { csv } from './format';

/** One series. */
export interface SeriesSpec {
  label: string;
  color: string;
  /**
   * How it is drawn: a line (the default: a curve), points without a line (measurements), or a line
   * through its points (points shown where they are far enough apart).
   */
  marks?: 'line' | 'points' | 'both';
  /** Dashes of a reference level (on, off in CSS pixels), instead of a solid line. */
  dash?: number[];
  /** The key of the y scale it is drawn on (default: the first of `ChartSpec.y`). */
  scale?: string;
}

/** What a chart shows and how. */
export interface ChartSpec {
  /** What the chart is: the plot's accessible name and the PNG's title. */
  title: string;
  /** Label of the x axis. */
  x: string;
  /** Labels of the y scales by key: the first has its axis on the left, a second one on the right. */
  y: Record<string, string>;
  /** The series (they can be replaced with the data, see `setData`). */
  series?: SeriesSpec[];
  /** Height of the plot in CSS pixels (the legend comes below it). */
  height: number;
  /** The figure's id. */
  id?: string;
  /** A hover read-out of the values: a live legend, at the latest point while the pointer is elsewhere. */
  readout?: boolean;
  /** Least time between two redraws, ms (0: at most once a frame). */
  redrawMs?: number;
  /** The id of an element, beside the chart, that describes it further. */
  describedBy?: string;
}

/** x values and one column per series (null where a series has no value at that x). */
export type ChartData = [number[], ...(number | null)[][]];

/** What is drawn of a series, to tell when a new plot is needed. */
const look = (series: SeriesSpec[]) => JSON.stringify(series.map((s) => [s.label, s.color, s.marks, s.dash, s.scale]));

/** The axes' font (the page's). */
const AXIS_FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

export class Chart {
  /** The chart's element: a figure with the plot (and its legend) and a caption. */
  readonly element: HTMLElement;
  private readonly holder = h('div', { class: 'chart-plot' });
  private readonly caption = h('figcaption', { class: 'chart-caption' });
  private plot: uPlot;
  /** What the plot was built to draw (`look` of its series). */
  private built = '';
  private series: SeriesSpec[];
  private data: ChartData;
  private pending = false;
  private lastDraw = 0;

  constructor(private readonly spec: ChartSpec) {
    this.series = spec.series ?? [];
    this.data = [[], ...this.series.map(() => [])];
    this.element = h('figure', { class: 'chart', id: spec.id, 'data-points': 0, 'data-filled': 0 }, this.holder, this.caption);
    this.plot = this.build();
    // Follow the container's width (the page's columns change with the window).
    new ResizeObserver(() => {
      const width = Math.floor(this.holder.clientWidth);
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: spec.height });
    }).observe(this.holder);
  }

  /**
   * Replaces the data, and with `series` what is drawn (a column each). Drawn at the next allowed moment:
   * several calls before it draw once. The figure's `data-points` is the number of x values, its
   * `data-filled` that of the first series' values.
   */
  setData(data: ChartData, series?: SeriesSpec[]): void {
    if (series) this.series = series;
    this.data = data;
    this.element.dataset['points'] = String(data[0].length);
    this.element.dataset['filled'] = String(data[1]?.filter((v) => v !== null).length ?? 0);
    if (this.pending) return;
    this.pending = true;
    const wait = Math.max(0, this.lastDraw + (this.spec.redrawMs ?? 0) - performance.now());
    const frame = () => requestAnimationFrame(() => this.draw());
    if (wait > 0) setTimeout(frame, wait);
    else frame();
  }

  /** Sets the text under the chart (also what a screen reader hears about it). */
  describe(text: string): void {
    this.caption.textContent = text;
  }

  /** The latest values of the series that are not reference levels, as text (see `latestValues`). */
  latest(): string {
    return latestValues(this.spec.x, this.series, this.data);
  }

  /** The data as CSV: the x column, then one column per series. */
  csv(): string {
    return chartCsv(this.spec.x, this.series, this.data);
  }

  /** The chart as a PNG: the plot's canvas on white, with the title above it. */
  async png(): Promise<Blob> {
    if (this.pending) this.draw();
    const source = this.plot.ctx.canvas;
    const title = 28;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height + title;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error(`${this.spec.title}: no canvas to draw the PNG on`);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#1d2733';
    ctx.font = '600 16px system-ui, sans-serif';
    ctx.fillText(this.spec.title, 10, 20);
    ctx.drawImage(source, 0, title);
    return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'));
  }

  /**
   * CSV and PNG buttons (`data-export` = `${name}-csv`, `${name}-png`) that download the chart as
   * `${stem()}-${id}.csv` / `.png`; a PNG that cannot be made is reported to `failed`.
   */
  exportButtons(name: string, stem: () => string, failed: (message: string) => void): HTMLElement {
    const file = (ext: string) => `${stem()}-${this.element.id || name}.${ext}`;
    const csvButton = h('button', { type: 'button', 'data-export': `${name}-csv`, 'aria-label': `${this.spec.title} as CSV` }, 'CSV');
    const pngButton = h('button', { type: 'button', 'data-export': `${name}-png`, 'aria-label': `${this.spec.title} as PNG` }, 'PNG');
    csvButton.addEventListener('click', () => download(file('csv'), this.csv(), 'text/csv'));
    pngButton.addEventListener('click', () =>
      void this.png().then(
        (blob) => download(file('png'), blob, 'image/png'),
        (e: unknown) => failed(e instanceof Error ? e.message : String(e)),
      ),
    );
    return h('div', { class: 'chart-export' }, csvButton, pngButton);
  }

  private draw(): void {
    this.pending = false;
    this.lastDraw = performance.now();
    if (look(this.series) !== this.built) {
      this.plot.destroy();
      this.plot = this.build();
      // A new plot sets its legend up after this frame.
      if (this.spec.readout) requestAnimationFrame(() => this.showLatest());
      return;
    }
    this.plot.setData(this.data as uPlot.AlignedData);
    this.showLatest();
  }

  /** A plot of the current series and data. */
  private build(): uPlot {
    const { spec, series } = this;
    this.built = look(series);
    const scales = Object.keys(spec.y);
    const plot = new uPlot(
      {
        width: Math.floor(this.holder.clientWidth) || 300,
        height: spec.height,
        legend: spec.readout ? { show: true, live: true } : { show: series.length > 1, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, ...Object.fromEntries(scales.map((k) => [k, {}])) },
        axes: [
          { label: spec.x, size: 36, labelSize: 18, font: AXIS_FONT, labelFont: `bold ${AXIS_FONT}` },
          ...scales.map((k, i) => ({
            scale: k,
            label: spec.y[k],
            side: i === 0 ? 3 : 1,
            size: yAxisSize,
            labelSize: 18,
            font: AXIS_FONT,
            labelFont: `bold ${AXIS_FONT}`,
            grid: { show: i === 0 },
          })),
        ],
        series: [{ label: spec.x }, ...series.map((s) => seriesOptions(s, scales[0]!))],
      },
      this.data as uPlot.AlignedData,
      this.holder,
    );
    // The canvas is an image named by the title; the legend stays a table that screen readers read.
    const image = plot.over.parentElement;
    image?.setAttribute('role', 'img');
    image?.setAttribute('aria-label', spec.title);
    if (spec.describedBy) image?.setAttribute('aria-describedby', spec.describedBy);
    return plot;
  }

  /** The read-out shows the latest values until the pointer hovers another point. */
  private showLatest(): void {
    const n = this.data[0].length;
    if (!this.spec.readout || n === 0) return;
    if ((this.plot.cursor.left ?? -1) < 0) this.plot.setLegend({ idx: n - 1 });
  }
}

/** uPlot's options for a series. */
function seriesOptions(s: SeriesSpec, scale: string): uPlot.Series {
  const marks = s.marks ?? 'line';
  const base = { label: s.label, stroke: s.color, scale: s.scale ?? scale };
  if (marks === 'points') {
    return { ...base, width: 0, paths: () => null, points: { show: true, size: 7, fill: s.color, stroke: s.color } };
  }
  return {
    ...base,
    width: s.dash ? 1.5 : 2,
    spanGaps: true,
    ...(s.dash ? { dash: s.dash } : {}),
    // uPlot's default shows the points where they are far enough apart.
    ...(marks === 'line' ? { points: { show: false } } : {}),
  };
}

/** Width of a y axis: its widest tick label, the ticks and the gap (numbers such as −12,345 fit). */
function yAxisSize(self: uPlot, values: string[] | null, axisIdx: number): number {
  const axis = self.axes[axisIdx]!;
  const ticks = (axis.ticks as { size?: number } | undefined)?.size ?? 10;
  const widest = (values ?? []).reduce((w, v) => Math.max(w, measure(self, v)), 0);
  return Math.max(36, Math.ceil(ticks + (axis.gap ?? 5) + widest + 4));
}

/** Width of `text` in the axes' font, CSS pixels. */
function measure(self: uPlot, text: string): number {
  const ctx = self.ctx;
  ctx.save();
  ctx.font = AXIS_FONT;
  const width = ctx.measureText(text).width;
  ctx.restore();
  return width;
}

/** A chart's data as CSV: a header of the x label and the series' labels, then a row per x value. */
export function chartCsv(x: string, series: SeriesSpec[], data: ChartData): string {
  const [xs, ...columns] = data;
  return csv([[x, ...series.map((s) => s.label)], ...xs.map((v, i) => [v, ...columns.map((c) => c[i])])]);
}

/**
 * The values at the last x where a series has one, of the series that are not dashed reference levels:
 * "at 25000 env steps: critic loss 1.11, entropy 0.232" (4 significant digits); empty without any.
 */
export function latestValues(x: string, series: SeriesSpec[], data: ChartData): string {
  const [xs, ...columns] = data;
  const shown = series.map((s, k) => ({ label: s.label, column: columns[k] ?? [] })).filter((_, k) => !series[k]!.dash);
  for (let i = xs.length - 1; i >= 0; i--) {
    const values = shown.flatMap(({ label, column }) => {
      const v = column[i];
      return typeof v === 'number' ? [`${label} ${significant(v)}`] : [];
    });
    if (values.length > 0) return `at ${xs[i]} ${x}: ${values.join(', ')}`;
  }
  return '';
}

/** A number to 4 significant digits, without trailing zeros. */
const significant = (v: number) => String(Number(v.toPrecision(4)));

/**
 * Puts measured points and sampled curves on one x axis, as uPlot wants: the x values of all of them in
 * increasing order (repeated x values kept), each column null where its series has no value.
 */
export function mergeSeries(series: { x: number[]; y: number[] }[]): ChartData {
  const rows = series.flatMap((s, k) => s.x.map((x, i) => ({ x, k, y: s.y[i]! })));
  rows.sort((a, b) => a.x - b.x || a.k - b.k);
  const xs = rows.map((r) => r.x);
  const columns = series.map((_, k) => rows.map((r) => (r.k === k ? r.y : null)));
  return [xs, ...columns];
}
