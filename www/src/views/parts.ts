// Pieces the scenario drawings share: the drawing's root, the box of what arrives, a nice axis maximum, a
// row of columns, a legend of swatches, a stacked split bar, an arrow marker, the draw-on animation of a
// path, and how a classic-control episode stands.
import { s, set } from '../dom';
import { round } from '../format';
import './parts.css';

/** The root of a scenario's drawing: an image named by `label`, of class `topology ${cls}`. */
export function topology(cls: string, width: number, height: number, label: string): SVGSVGElement {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: `topology ${cls}`, role: 'img', 'aria-label': label });
}

/**
 * The box of what arrives (a task, a flow): a rounded rect with a title line and a detail line centred in
 * it, their baselines `titleY` and `detailY` below its top.
 */
export function inbox(
  box: { x: number; y: number; w: number; h: number },
  titleY: number,
  detailY: number,
): { group: SVGGElement; title: SVGTextElement; detail: SVGTextElement } {
  const cx = box.x + box.w / 2;
  const title = s('text', { x: cx, y: box.y + titleY, 'text-anchor': 'middle', class: 'title' });
  const detail = s('text', { x: cx, y: box.y + detailY, 'text-anchor': 'middle', class: 'detail' });
  const group = s('g', { class: 'inbox' }, s('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 10 }), title, detail);
  return { group, title, detail };
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at least `value` (and at least `floor`): a readable axis maximum. */
export function niceCeil(value: number, floor = 1e-9): number {
  const v = Number.isFinite(value) ? Math.max(value, floor) : floor;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) {
    // The tolerance keeps 0.3 from rounding up past itself through float error.
    if (step * power >= v * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

/** `value / max` clamped to [0, 1] (0 for non-finite input or a non-positive maximum). */
export function share(value: number, max: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) return 0;
  return Math.min(1, Math.max(0, value / max));
}

/** Where a row of equal columns puts each column's frame and bar (see `columns`). */
export interface Columns {
  /** Width of a column. */
  width: number;
  /** Width of a column's frame, centred in it: the rest is the gap between neighbouring frames. */
  frame: number;
  /** Width of the bar centred in a column's frame. */
  bar: number;
  /** The centre of column `i` (from 0). */
  centre(i: number): number;
}

/**
 * `count` equal columns side by side from `left` to `right`: frames `gap` narrower than their column, bars
 * `barShare` of a column's width and at least `minBar` wide. However many columns there are (a world of
 * 1000 providers), the gap takes at most a fifth of a column and a bar at most its frame, so every width
 * stays positive and every column inside `[left, right]`.
 */
export function columns(count: number, left: number, right: number, gap: number, barShare: number, minBar: number): Columns {
  const width = (right - left) / Math.max(1, count);
  const frame = width - Math.min(gap, width / 5);
  const bar = Math.min(frame, Math.max(minBar, width * barShare));
  return { width, frame, bar, centre: (i) => left + width * (i + 0.5) };
}

/** A legend: one swatch (a rect with class `cls`) and label per item, `columns` to a row. */
export function legend(items: [cls: string, label: string][], x: number, y: number, columns: number, columnWidth: number): SVGGElement {
  const g = s('g', { class: 'legend', 'aria-hidden': 'true' });
  items.forEach(([cls, label], i) => {
    const cx = x + (i % columns) * columnWidth;
    const cy = y + Math.floor(i / columns) * 20;
    g.append(s('rect', { x: cx, y: cy, width: 13, height: 13, rx: 3, class: cls }), s('text', { x: cx + 19, y: cy + 11 }, label));
  });
  return g;
}

/** One part of a split bar. */
export interface Part {
  /** Class of its rect (its colour). */
  cls: string;
  /** What it is, shown in its label with the value. */
  name: string;
}

/**
 * A horizontal bar split into parts (delay components, steps at the edge and on the phone…), each part's
 * width proportional to its value against a common maximum, its value written inside when it fits.
 */
export class SplitBar {
  readonly group: SVGGElement;
  private readonly rects: SVGRectElement[] = [];
  private readonly labels: SVGTextElement[] = [];
  /** Whether the bar is tall enough for its labels. */
  private readonly labelled: boolean;

  constructor(
    private readonly parts: Part[],
    private readonly x: number,
    y: number,
    private readonly width: number,
    height: number,
    private readonly format: (value: number, part: Part) => string,
  ) {
    this.labelled = height >= 12;
    this.group = s('g', { class: 'split' });
    this.group.append(s('rect', { x, y, width, height, class: 'track' }));
    for (const part of parts) {
      const rect = s('rect', { x, y, width: 0, height, class: part.cls });
      const label = s('text', { x, y: y + height / 2 + 4, 'text-anchor': 'middle', class: 'part-label' });
      this.rects.push(rect);
      this.labels.push(label);
      this.group.append(rect);
    }
    this.group.append(...this.labels);
  }

  /** Draws `values` (one per part) against `max` (the bar's full width); none when `values` is null. */
  update(values: number[] | null, max: number): void {
    let at = this.x;
    this.parts.forEach((part, i) => {
      const value = values?.[i] ?? 0;
      const w = this.width * share(value, max);
      const rect = this.rects[i];
      const label = this.labels[i];
      if (!rect || !label) return;
      set(rect, { x: at, width: w });
      const text = values && this.labelled ? this.format(value, part) : '';
      // About 6.5 units per character at the labels' size.
      label.textContent = w >= text.length * 6.5 + 6 ? text : '';
      set(label, { x: at + w / 2 });
      at += w;
    });
  }
}

/** Seconds with a sensible number of decimals for labels: "12.3 s", "0.042 s". */
export function seconds(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  return `${round(value, abs >= 10 ? 1 : abs >= 1 ? 2 : 3)} s`;
}

/** An arrow-head marker with id `id` (unique per page: prefix it with the scenario). */
export function arrowMarker(id: string, cls: string): SVGDefsElement {
  const marker = s('marker', {
    id, viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', class: cls,
  });
  marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z' }));
  const defs = s('defs');
  defs.append(marker);
  return defs;
}

/** Draws `path` on from its start (when the browser can measure it). */
export function drawOn(path: SVGPathElement, durationMs: number): void {
  const length = typeof path.getTotalLength === 'function' ? path.getTotalLength() : 0;
  if (!(length > 0) || typeof path.animate !== 'function') return;
  set(path, { 'stroke-dasharray': length });
  const run = path.animate([{ strokeDashoffset: length }, { strokeDashoffset: 0 }], { duration: durationMs, easing: 'ease-out' });
  run.onfinish = () => set(path, { 'stroke-dasharray': undefined });
}

/** A quadratic arc from (x1, y) to (x2, y) bulging upwards by `lift`, or a small loop when x1 = x2. */
export function arcPath(x1: number, x2: number, y: number, lift: number): string {
  if (Math.abs(x1 - x2) < 1e-6) {
    return `M${x1 - 6},${y} C${x1 - 22},${y - lift} ${x1 + 22},${y - lift} ${x1 + 6},${y}`;
  }
  return `M${x1},${y} Q${(x1 + x2) / 2},${y - 2 * lift} ${x2},${y}`;
}

/** A short account of how a classic-control episode stands. */
export function episodeStatus(e: { terminated: boolean; truncated: boolean }, terminatedText: string): string {
  return e.terminated ? terminatedText : e.truncated ? 'cut off by the time limit' : 'running';
}
