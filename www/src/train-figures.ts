// What the learning curve plots: the quantities of the history (its main metric and the paper's figures
// come from the core's `ScenarioInfo`). Pure logic; the history's CSV is the core's (`historyCsv`).
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
