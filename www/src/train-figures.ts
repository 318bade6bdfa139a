// What the learning curve plots for each scenario: its main metric and the figures its paper reports
// (design/environments.md, "Paper figures"), and the metric history as CSV. Pure logic.
import { csv } from './format';
import type { EpochRecord } from './types';

/** The quantity a learning curve shows by default: an evaluation metric, or `return`. */
export const MAIN_METRIC: Record<string, string> = {
  asp: 'total_reward',
  lad: 'mean_delay_s',
  tot: 'delay_reduction',
  ddc: 'satisfaction_rate',
  flow: 'completion_rate',
  cartpole: 'total_reward',
  acrobot: 'total_reward',
};

/** The pseudo-metric "evaluation return". */
export const RETURN = 'return';

/** A figure a paper reports, in the units of one of the scenario's metrics. */
export interface PaperFigure {
  label: string;
  metric: string;
  value: number;
}

/** The papers' reported figures that our metrics measure. */
export const PAPER_FIGURES: Record<string, PaperFigure[]> = {
  // Table III, test reward after 1000 training steps.
  asp: [
    { label: 'paper D2SAC', metric: 'total_reward', value: 537 },
    { label: 'paper crash_avoid', metric: 'total_reward', value: 400 },
    { label: 'paper prophet', metric: 'total_reward', value: 596 },
  ],
  // Fig. 5, converged mean delay.
  lad: [{ label: 'paper LAD-TS', metric: 'mean_delay_s', value: 7.7 }],
  // DSAC's delay reduction against local generation at q = 0.8.
  tot: [{ label: 'paper DSAC (q = 0.8)', metric: 'delay_reduction', value: 0.8123 }],
  ddc: [{ label: 'paper (ours)', metric: 'satisfaction_rate', value: 0.91 }],
};

/** An evaluation as the core reports it. */
export type Evaluation = EpochRecord['eval'];

/** `quantity` of an evaluation: its mean return or one of its metrics (null when absent). */
export function valueOf(evaluation: Evaluation, quantity: string): number | null {
  if (quantity === RETURN) return evaluation.mean_return;
  const found = (evaluation.metrics as [string, number][]).find(([name]) => name === quantity);
  return found ? found[1] : null;
}

/** The quantities a learning curve can show: the return, then every metric of the evaluations. */
export function quantities(history: EpochRecord[]): string[] {
  const names = (history[0]?.eval.metrics as [string, number][] | undefined)?.map(([name]) => name) ?? [];
  return [RETURN, ...names];
}

const LOSSES = ['critic_loss', 'actor_loss', 'entropy', 'alpha', 'mean_q'] as const;

/** The history as CSV, the columns of the CLI's metrics.csv: counters, returns, losses, then the metrics. */
export function historyCsv(history: EpochRecord[]): string {
  const metrics = quantities(history).slice(1);
  const header = ['epoch', 'env_steps', 'updates', 'train_return', 'eval_return', 'eval_sd', ...LOSSES, ...metrics];
  const rows = history.map((r) => [
    r.epoch,
    r.env_steps,
    r.updates,
    r.train_return,
    r.eval.mean_return,
    r.eval.sd_return,
    ...LOSSES.map((name) => r.losses?.[name]),
    ...metrics.map((m) => valueOf(r.eval, m)),
  ]);
  return csv([header, ...rows]);
}
