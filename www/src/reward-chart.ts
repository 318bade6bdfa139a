// The episode's cumulative reward over its decisions, drawn from the states the simulation panel shows.
// Its element also carries the latest figures at full precision (`data-decisions`, `data-total-reward`),
// which the share round-trip test compares.
import { Chart } from './chart';
import { signed } from './format';
import type { SimState } from './protocol';

/** Points kept per episode; beyond it every other point is dropped (the curve's shape stays). */
const MAX_POINTS = 4000;

export class RewardChart {
  private readonly chart: Chart;
  private decisions: number[] = [];
  private totals: number[] = [];

  constructor(height = 150) {
    this.chart = new Chart({
      title: "This episode's cumulative reward over its decisions",
      x: 'decisions',
      y: { reward: 'reward' },
      series: [{ label: 'reward', color: '#3563a8' }],
      height,
    });
    this.chart.element.classList.add('reward-chart');
  }

  /** The chart's element. */
  get element(): HTMLElement {
    return this.chart.element;
  }

  /** Adds the state's point; a state with fewer decisions than the last starts a new episode. */
  push(state: SimState): void {
    const total = state.metrics['total_reward'];
    if (total === undefined) return;
    const last = this.decisions[this.decisions.length - 1];
    if (last === undefined || state.decisions < last) {
      this.decisions = [];
      this.totals = [];
    }
    if (state.decisions === last) {
      this.totals[this.totals.length - 1] = total;
    } else {
      this.decisions.push(state.decisions);
      this.totals.push(total);
    }
    if (this.decisions.length > MAX_POINTS) {
      const n = this.decisions.length;
      const keep = (_: number, i: number) => i % 2 === 0 || i === n - 1;
      this.decisions = this.decisions.filter(keep);
      this.totals = this.totals.filter(keep);
    }
    this.chart.setData([this.decisions, this.totals]);
    this.chart.describe(`Cumulative reward ${signed(total)} after ${state.decisions} decisions`);
    this.element.dataset['decisions'] = String(state.decisions);
    this.element.dataset['totalReward'] = String(total);
  }
}
