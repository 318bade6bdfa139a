// Line charts drawn with uPlot (canvas): a live chart whose redraws are throttled so that a stream of
// updates never blocks the page, with a hover read-out (uPlot's live legend) and CSV / PNG export.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom';

/** One line of a chart. */
export interface Line {
  label: string;
  color: string;
  /** Dashed: a reference level rather than a measurement. */
  dash?: number[];
  /** Which y axis: the left (default) or the right one. */
  right?: boolean;
  values: (number | null)[];
}

/** Least time between two redraws, ms. */
const REDRAW_MS = 250;
const HEIGHT = 230;

/** A chart of lines over one x axis. */
export class Chart {
  readonly element: HTMLElement;
  private readonly holder = h('div', { class: 'chart-plot' });
  private plot: uPlot | null = null;
  private signature = '';
  private x: number[] = [];
  private lines: Line[] = [];
  private pending = false;
  private lastDraw = 0;

  constructor(
    readonly title: string,
    private readonly xLabel: string,
    private readonly axes: { left: string; right?: string },
    id: string,
  ) {
    this.element = h('figure', { class: 'chart', id, 'aria-label': title }, this.holder);
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(this.holder);
  }

  /** Points drawn so far in the first line. */
  points(): number {
    return this.x.length;
  }

  /** Replaces the data; drawn at the next allowed moment. */
  set(x: number[], lines: Line[]): void {
    this.x = x;
    this.lines = lines;
    this.element.dataset['points'] = String(x.length);
    this.element.dataset['filled'] = String(lines[0]?.values.filter((v) => v !== null).length ?? 0);
    if (this.pending) return;
    this.pending = true;
    const wait = Math.max(0, this.lastDraw + REDRAW_MS - performance.now());
    setTimeout(() => requestAnimationFrame(() => this.draw()), wait);
  }

  private width(): number {
    return Math.max(240, this.holder.clientWidth || 480);
  }

  private draw(): void {
    this.pending = false;
    this.lastDraw = performance.now();
    const signature = JSON.stringify(this.lines.map((l) => [l.label, l.color, l.dash, l.right]));
    const data = [this.x, ...this.lines.map((l) => l.values)] as uPlot.AlignedData;
    if (this.plot && signature === this.signature) {
      this.plot.setData(data);
      this.showLast();
      return;
    }
    this.plot?.destroy();
    this.signature = signature;
    const right = this.lines.some((l) => l.right);
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        title: this.title,
        scales: { x: { time: false } },
        series: [
          { label: this.xLabel },
          ...this.lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: l.dash ? 1.5 : 2,
            scale: l.right ? 'right' : 'y',
            spanGaps: true,
            ...(l.dash ? { dash: l.dash, points: { show: false } } : {}),
          })),
        ],
        axes: [
          { label: this.xLabel },
          { label: this.axes.left, scale: 'y' },
          ...(right ? [{ label: this.axes.right ?? '', scale: 'right', side: 1 as const, grid: { show: false } }] : []),
        ],
        legend: { live: true },
      },
      data,
      this.holder,
    );
    // A new plot sets its read-out up after this frame.
    requestAnimationFrame(() => this.showLast());
  }

  /** The read-out shows the latest values until the pointer hovers another point. */
  private showLast(): void {
    const plot = this.plot;
    if (!plot || this.x.length === 0) return;
    const hovering = (plot.cursor.left ?? -1) >= 0;
    if (!hovering) plot.setLegend({ idx: this.x.length - 1 });
  }

  /** The data as CSV: the x column, then one column per line. */
  csv(): string {
    const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
    const rows = [[this.xLabel, ...this.lines.map((l) => l.label)].map(quote).join(',')];
    this.x.forEach((x, i) => rows.push([x, ...this.lines.map((l) => l.values[i] ?? '')].join(',')));
    return `${rows.join('\n')}\n`;
  }

  /** The chart as a PNG (the plot's canvas on white, with its title). */
  async png(): Promise<Blob> {
    if (this.pending) this.draw();
    const source = this.plot?.ctx.canvas;
    if (!source) throw new Error(`${this.title}: nothing drawn yet`);
    const title = 28;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height + title;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#1d2733';
    ctx.font = '600 16px system-ui, sans-serif';
    ctx.fillText(this.title, 10, 20);
    ctx.drawImage(source, 0, title);
    return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'));
  }
}
