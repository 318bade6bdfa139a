// A small line/point chart on uPlot that fits its container's width, redraws at most once per frame, and
// carries a text summary for screen readers (the canvas itself is an image).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom';

/** One series: a line (the default) or separate points (measurements). */
export interface SeriesSpec {
  label: string;
  color: string;
  /** Points without a line (data), instead of a line without points (a curve). */
  points?: boolean;
  /** The y scale it is drawn on (a second scale gets an axis on the right). */
  scale?: string;
}

/** What the chart shows. */
export interface ChartSpec {
  /** What the chart is, for its accessible name. */
  title: string;
  /** Label of the x axis. */
  x: string;
  /** Labels of the y scales by key (the first is on the left). */
  y: Record<string, string>;
  series: SeriesSpec[];
  /** Height of the plot in CSS pixels. */
  height: number;
}

/** x values and one column per series (null where a series has no value at that x). */
export type ChartData = [number[], ...(number | null)[][]];

export class Chart {
  /** The chart's element: a figure with the plot and a caption. */
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly caption = h('figcaption', { class: 'chart-caption' });
  private pending: ChartData | null = null;

  constructor(spec: ChartSpec) {
    const holder = h('div', { class: 'chart-plot', role: 'img', 'aria-label': spec.title });
    this.element = h('figure', { class: 'chart' }, holder, this.caption);
    const scales = Object.keys(spec.y);
    this.plot = new uPlot(
      {
        width: 300,
        height: spec.height,
        legend: { show: spec.series.length > 1, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, ...Object.fromEntries(scales.map((k) => [k, {}])) },
        axes: [
          { label: spec.x, size: 36, labelSize: 18 },
          ...scales.map((k, i) => ({ scale: k, label: spec.y[k], side: i === 0 ? 3 : 1, size: 52, labelSize: 18, grid: { show: i === 0 } })),
        ],
        series: [
          {},
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            scale: s.scale ?? scales[0],
            width: s.points ? 0 : 2,
            spanGaps: !s.points,
            points: s.points ? { show: true, size: 7, fill: s.color, stroke: s.color } : { show: false },
            ...(s.points ? { paths: () => null } : {}),
          })),
        ],
      },
      [[], ...spec.series.map(() => [])],
      holder,
    );
    // Follow the container's width (the page's columns change with the window).
    new ResizeObserver(() => {
      const width = Math.floor(holder.clientWidth);
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: spec.height });
    }).observe(holder);
  }

  /** Replaces the data; drawn on the next animation frame (several calls in one frame draw once). */
  setData(data: ChartData): void {
    const first = this.pending === null;
    this.pending = data;
    if (first) {
      requestAnimationFrame(() => {
        if (this.pending) this.plot.setData(this.pending as uPlot.AlignedData);
        this.pending = null;
      });
    }
  }

  /** Sets the text under the chart (also what a screen reader hears about it). */
  describe(text: string): void {
    this.caption.textContent = text;
  }
}

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
