// What the learning curve plots: the quantities of the history (its main metric and the paper's figures
// come from the core's `ScenarioInfo`), and the metric history as CSV. Pure logic.
import { csv } from './format';
import type { EpochRecord } from './types';

/** The pseudo-metric "evaluation return". */
export const RETURN = 'return';

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
