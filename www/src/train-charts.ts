// The training panel's charts: the learning curve of a chosen quantity (the evaluation return or a metric,
// with the heuristics' levels and the paper's figures as reference lines) and the losses, per epoch.
import { Chart, type SeriesSpec } from './chart';
import { h } from './dom';
import { RETURN, quantities, valueOf, type Evaluation } from './train-figures';
import type { EpochRecord, PaperFigure } from './types';

/** Least time between two redraws of a chart while training, ms (a stream of epochs never blocks the page). */
const REDRAW_MS = 250;
/** Height of the training charts' plots, CSS pixels. */
const CHART_HEIGHT = 230;

const COLORS = ['#3563a8', '#2e9d57', '#cf3f35', '#8a5cc2', '#e0a526', '#1b9aaa', '#7a7a7a'];
const LEVEL_COLORS = ['#7a8696', '#b08a3e', '#4d9b8f', '#9b6ab8', '#a05252', '#5d7fb8'];

/** A series of a training chart with its values, one per epoch. */
type Line = SeriesSpec & { values: (number | null)[] };

export class LearningCharts {
  /** The quantity the learning curve shows (`RETURN` or a metric). */
  private quantity = '';
  private readonly quantitySelect = h('select', { id: 'curve-quantity', name: 'curve-quantity' });
  private readonly curve = new Chart({
    title: 'Learning curve',
    id: 'learning-curve',
    x: 'env steps',
    y: { value: 'value' },
    height: CHART_HEIGHT,
    readout: true,
    redrawMs: REDRAW_MS,
  });
  private readonly losses = new Chart({
    title: 'Losses',
    id: 'losses-chart',
    x: 'env steps',
    y: { loss: 'loss', other: 'entropy, α' },
    height: CHART_HEIGHT,
    readout: true,
    redrawMs: REDRAW_MS,
  });

  /** Both charts with their headings and export buttons (files named by `stem`; `failed` says why not). */
  element(stem: () => string, failed: (message: string) => void): HTMLElement {
    return h(
      'div',
      { class: 'train-charts' },
      h('div', { class: 'chart-head' }, h('label', { for: 'curve-quantity' }, 'Learning curve of'), this.quantitySelect, this.curve.exportButtons('curve', stem, failed)),
      this.curve.element,
      h('div', { class: 'chart-head' }, h('span', {}, 'Critic and actor losses, entropy and α'), this.losses.exportButtons('losses', stem, failed)),
      this.losses.element,
    );
  }

  /** Calls `redraw` when the user picks another quantity. */
  onQuantity(redraw: () => void): void {
    this.quantitySelect.addEventListener('change', () => {
      this.quantity = this.quantitySelect.value;
      redraw();
    });
  }

  /** Whether the quantities are not known yet (no epoch had metrics). */
  hasNoQuantities(): boolean {
    return this.quantitySelect.options.length <= 1;
  }

  /** Offers the quantities of `history`, keeping the chosen one, else the scenario's `mainMetric`. */
  fillQuantities(history: EpochRecord[], mainMetric: string | undefined): void {
    const names = quantities(history);
    const wanted = this.quantity && names.includes(this.quantity) ? this.quantity : mainMetric ?? RETURN;
    this.quantitySelect.replaceChildren(
      ...names.map((n) => h('option', { value: n, selected: n === wanted }, n === RETURN ? 'evaluation return' : n.replaceAll('_', ' '))),
    );
    if (names.length === 1) this.quantitySelect.append(h('option', { value: wanted, selected: true }, wanted.replaceAll('_', ' ')));
    this.quantity = wanted;
  }

  /** Draws `history` with the heuristics' `levels` and the paper's `figures` as reference lines. */
  draw(history: EpochRecord[], levels: Map<string, Evaluation>, figures: PaperFigure[]): void {
    const x = history.map((r) => r.env_steps);
    const q = this.quantity || RETURN;
    const label = q === RETURN ? 'evaluation return' : q.replaceAll('_', ' ');
    const lines: Line[] = [{ label: `${label} (greedy)`, color: COLORS[0]!, marks: 'both', values: history.map((r) => valueOf(r.eval, q)) }];
    if (q === RETURN) {
      lines.push({ label: 'training return (exploring)', color: '#9fb6d6', marks: 'both', values: history.map((r) => r.train_return ?? null) });
    }
    [...levels.entries()].forEach(([policy, evaluation], i) => {
      const level = valueOf(evaluation, q);
      if (level !== null) lines.push({ label: policy, color: LEVEL_COLORS[i % LEVEL_COLORS.length]!, dash: [6, 4], values: x.map(() => level) });
    });
    for (const figure of figures) {
      if (figure.metric === q) lines.push({ label: figure.label, color: '#cf3f35', dash: [2, 3], values: x.map(() => figure.value) });
    }
    const loss = (name: 'critic_loss' | 'actor_loss' | 'entropy' | 'alpha') => history.map((r) => r.losses?.[name] ?? null);
    const losses: Line[] = [
      { label: 'critic loss', color: COLORS[0]!, marks: 'both', values: loss('critic_loss') },
      { label: 'actor loss', color: COLORS[2]!, marks: 'both', values: loss('actor_loss') },
      { label: 'entropy', color: COLORS[1]!, marks: 'both', scale: 'other', values: loss('entropy') },
      { label: 'α', color: COLORS[3]!, marks: 'both', scale: 'other', values: loss('alpha') },
    ];
    const epochs = history.length;
    for (const [chart, series, none] of [
      [this.curve, lines, 'No epochs yet: train, or load a policy.'],
      [this.losses, losses, 'No losses yet: the learner has not been updated.'],
    ] as const) {
      chart.setData([x, ...series.map((l) => l.values)], series);
      const latest = chart.latest();
      chart.describe(latest ? `${epochs} epochs; ${latest}.` : none);
    }
  }
}
