// The episode's cumulative reward over its decisions, drawn from the states the simulation panel shows;
// while a learned policy plays, beside it the comparison heuristic's on the same episode (the worker runs
// it, see `Compared`), with a legend. Its element also carries the latest figures at full precision
// (`data-decisions`, `data-total-reward`, and `data-compare-*` for the heuristic), which the e2e tests
// compare.
import { Chart, mergeSeries, type SeriesSpec } from './chart';
import { signed } from './format';
import type { SimState } from './protocol';

/** Points kept per curve and episode; beyond it every other point is dropped (the curve's shape stays). */
const MAX_POINTS = 4000;
const PLAYED_COLOR = '#3563a8';
const COMPARED_COLOR = '#d9822b';

/** One curve: decisions and the cumulative reward after them. */
interface Curve {
  x: number[];
  y: number[];
}

/** Appends (or, at the same x, replaces) a point; thins the curve past `MAX_POINTS`. */
function add(curve: Curve, x: number, y: number): void {
  if (curve.x.at(-1) === x) {
    curve.y[curve.y.length - 1] = y;
  } else {
    curve.x.push(x);
    curve.y.push(y);
  }
  if (curve.x.length > MAX_POINTS) {
    const n = curve.x.length;
    const keep = (_: number, i: number) => i % 2 === 0 || i === n - 1;
    curve.x = curve.x.filter(keep);
    curve.y = curve.y.filter(keep);
  }
}

export class RewardChart {
  private readonly chart: Chart;
  private played: Curve = { x: [], y: [] };
  private compared: (Curve & { policy: string; done: boolean }) | null = null;

  constructor(height = 150) {
    this.chart = new Chart({
      title: "This episode's cumulative reward over its decisions",
      x: 'decisions',
      y: { reward: 'reward' },
      series: [{ label: 'reward', color: PLAYED_COLOR }],
      height,
    });
    this.chart.element.classList.add('reward-chart');
  }

  /** The chart's element. */
  get element(): HTMLElement {
    return this.chart.element;
  }

  /**
   * Adds the state's point (a state with fewer decisions than the last starts a new episode) and the
   * comparison's points it carries (a state without any ends the comparison).
   */
  push(state: SimState): void {
    const total = state.metrics['total_reward'];
    if (total === undefined) return;
    const last = this.played.x.at(-1);
    if (last === undefined || state.decisions < last) this.played = { x: [], y: [] };
    add(this.played, state.decisions, total);
    const c = state.compared;
    if (!c) {
      this.compared = null;
    } else {
      if (c.restart || this.compared?.policy !== c.policy) this.compared = { x: [], y: [], policy: c.policy, done: false };
      const curve = this.compared;
      c.decisions.forEach((x, i) => add(curve, x, c.totals[i]!));
      curve.done = c.done;
    }
    this.draw(state);
  }

  private draw(state: SimState): void {
    const data = this.element.dataset;
    data['decisions'] = String(state.decisions);
    data['totalReward'] = String(this.played.y.at(-1));
    const c = this.compared;
    if (!c) {
      this.chart.setData([this.played.x, this.played.y], [{ label: 'reward', color: PLAYED_COLOR }]);
      this.chart.describe(`Cumulative reward ${signed(this.played.y.at(-1)!)} after ${state.decisions} decisions`);
      for (const key of ['comparePolicy', 'compareDecisions', 'compareTotalReward', 'compareDone']) delete data[key];
      return;
    }
    const series: SeriesSpec[] = [
      { label: 'learned policy', color: PLAYED_COLOR },
      { label: c.policy, color: COMPARED_COLOR },
    ];
    this.chart.setData(mergeSeries([this.played, c]), series);
    const mine = this.played.y.at(-1)!;
    const theirs = c.y.at(-1) ?? 0;
    const theirDecisions = c.x.at(-1) ?? 0;
    Object.assign(data, {
      comparePolicy: c.policy,
      compareDecisions: String(theirDecisions),
      compareTotalReward: String(theirs),
      compareDone: String(c.done),
    });
    this.chart.describe(
      state.done && c.done
        ? `Whole episode: learned policy ${signed(mine)}, ${c.policy} ${signed(theirs)} — ${verdict(mine - theirs, c.policy)}`
        : `Learned policy ${signed(mine)} after ${state.decisions} decisions; ${c.policy} ${signed(theirs)} after ${theirDecisions} on the same episode`,
    );
  }
}

/** Who earned more over the episode, in words. */
function verdict(lead: number, heuristic: string): string {
  if (signed(lead) === signed(0)) return `level with ${heuristic}`;
  return lead > 0 ? `the learned policy earns ${signed(lead)} more` : `${heuristic} earns ${signed(-lead)} more`;
}
