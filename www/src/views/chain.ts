// The denoising chain of a diffusion policy, after Fig. 8 of the D2SAC paper: the action distribution after
// every reverse-diffusion step, x_T (softmax of the starting noise) at the top to the policy π = softmax(x_0)
// at the bottom, one small bar chart per step on a shared probability scale, so the mass can be seen moving
// onto the chosen action. The final argmax is a band through every row; each row's own argmax is marked.
// The layout is a pure function (chainLayout) so that it can be tested without a DOM.
import { s, set } from '../dom';
import { round } from '../format';
import './chain.css';

const WIDTH = 1000;
const LEFT = 92;
const RIGHT = 990;
const TOP = 34;
const ROW = 58;
const BAR_MAX = 42;
const AXIS = 40;
/** At most this many action labels under the chart (every k-th beyond). */
const MAX_TICKS = 25;

/** One bar of one step's distribution. */
export interface ChainBar {
  action: number;
  p: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One step's row. */
export interface ChainRow {
  /** "x₅" … "x₁", and "π = x₀" for the last row. */
  label: string;
  /** Top and baseline of the row's bars. */
  top: number;
  baseline: number;
  /** The row's most likely action. */
  argmax: number;
  bars: ChainBar[];
}

/** Where everything goes. */
export interface ChainLayout {
  width: number;
  height: number;
  /** Denoising steps T (rows − 1). */
  steps: number;
  actions: number;
  /** The probability drawn at full bar height (the largest in the chain). */
  scale: number;
  rows: ChainRow[];
  ticks: { x: number; text: string }[];
  /** The final distribution's argmax, the column band behind every row. */
  best: { action: number; label: string; p: number; x: number; width: number } | null;
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** `x` with `n` as a subscript: "x₁₂". */
export function subscript(n: number): string {
  return `x${String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)] ?? d)}`;
}

/** The index of the largest value (the first among equals; 0 for an empty list). */
export function argmax(values: number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] ?? Number.NEGATIVE_INFINITY)) best = i;
  });
  return best;
}

/**
 * Lays the chain out: one row per distribution (x_T first, π last), bars over a shared scale. Values that
 * are not finite or below 0 count as 0; shorter rows are padded with 0 to the longest.
 */
export function chainLayout(distributions: number[][], labels: string[] = []): ChainLayout {
  const actions = Math.max(0, ...distributions.map((d) => d.length));
  const clean = distributions.map((d) => Array.from({ length: actions }, (_, i) => {
    const v = d[i];
    return v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;
  }));
  const scale = Math.max(1e-9, ...clean.flat());
  const steps = Math.max(0, clean.length - 1);
  const slot = actions > 0 ? (RIGHT - LEFT) / actions : 0;
  const barWidth = Math.max(1, slot * 0.78);
  const name = (a: number) => labels[a] ?? String(a);
  const rows = clean.map((values, r): ChainRow => {
    const top = TOP + r * ROW;
    const baseline = top + BAR_MAX;
    return {
      label: r === steps ? `π = ${subscript(0)}` : subscript(steps - r),
      top,
      baseline,
      argmax: argmax(values),
      bars: values.map((p, a) => {
        const height = (BAR_MAX * p) / scale;
        return { action: a, p, x: LEFT + a * slot + (slot - barWidth) / 2, y: baseline - height, width: barWidth, height };
      }),
    };
  });
  const every = Math.max(1, Math.ceil(actions / MAX_TICKS));
  const ticks = Array.from({ length: actions }, (_, a) => a)
    .filter((a) => a % every === 0)
    .map((a) => ({ x: LEFT + (a + 0.5) * slot, text: name(a) }));
  const final = clean[clean.length - 1];
  const best = final && actions > 0
    ? { action: argmax(final), label: name(argmax(final)), p: final[argmax(final)] ?? 0, x: LEFT + argmax(final) * slot, width: slot }
    : null;
  return { width: WIDTH, height: TOP + clean.length * ROW + AXIS, steps, actions, scale, rows, ticks, best };
}

/** The chain drawing: call `render` with each new chain; the SVG is `element`. */
export class ChainView {
  readonly element: SVGSVGElement;

  constructor() {
    this.element = s('svg', { class: 'chain', role: 'img', viewBox: `0 0 ${WIDTH} ${TOP + AXIS}` });
    this.render([]);
  }

  /** Draws `distributions` (x_T first, π last), naming the actions by `labels` (their indices otherwise). */
  render(distributions: number[][], labels?: string[]): void {
    const layout = chainLayout(distributions, labels);
    set(this.element, {
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      'data-rows': layout.rows.length,
      'data-actions': layout.actions,
      'data-best': layout.best?.action,
    });
    if (!layout.best) {
      set(this.element, { 'aria-label': 'No denoising chain to show' });
      this.element.replaceChildren(s('text', { x: WIDTH / 2, y: TOP, 'text-anchor': 'middle', class: 'empty' }, 'No denoising chain to show'));
      return;
    }
    const best = layout.best;
    set(this.element, {
      'aria-label': `Action probabilities after each of ${layout.steps} denoising steps, from ${subscript(layout.steps)} to the policy; it picks ${best.label} with probability ${round(best.p, 2)}`,
    });
    const parts: SVGElement[] = [
      s('rect', { x: best.x, y: TOP - 6, width: best.width, height: layout.rows.length * ROW + 2, class: 'band' }),
      s('text', { x: LEFT, y: 16, class: 'caption' }, `action probability after each denoising step (full bar = ${round(layout.scale, 3)})`),
      s('text', { x: RIGHT, y: 16, 'text-anchor': 'end', class: 'pick' }, `picks ${best.label} (p = ${round(best.p, 3)})`),
    ];
    layout.rows.forEach((row, r) => {
      const g = s('g', { class: r === layout.rows.length - 1 ? 'step final' : 'step', 'data-step': r });
      g.append(
        s('text', { x: LEFT - 10, y: row.baseline - BAR_MAX / 2 + 5, 'text-anchor': 'end', class: 'row-label' }, row.label),
        s('line', { x1: LEFT, x2: RIGHT, y1: row.baseline, y2: row.baseline, class: 'baseline' }),
      );
      for (const bar of row.bars) {
        const cls = bar.action === best.action && r === layout.rows.length - 1 ? 'bar best' : bar.action === row.argmax ? 'bar top' : 'bar';
        const rect = s('rect', { x: bar.x, y: bar.y, width: bar.width, height: bar.height, class: cls, 'data-action': bar.action });
        rect.append(s('title', {}, `${row.label}: ${labels?.[bar.action] ?? bar.action} p = ${round(bar.p, 4)}`));
        g.append(rect);
      }
      parts.push(g);
    });
    const axisY = TOP + layout.rows.length * ROW + 12;
    const axis = s('g', { class: 'ticks', 'aria-hidden': 'true' });
    for (const tick of layout.ticks) axis.append(s('text', { x: tick.x, y: axisY, 'text-anchor': 'middle' }, tick.text));
    parts.push(axis);
    this.element.replaceChildren(...parts);
  }
}
