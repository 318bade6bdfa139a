// Shapes of what the wasm core returns (mirroring the Rust types in crate/src/scenario).

/** One provider of `asp` (crate/src/scenario/asp: ProviderView). */
export interface AspProvider {
  capacity_steps: number;
  used_steps: number;
  running: number;
  finished: number;
  crashes: number;
  /** Utility the pending task would earn here. */
  utility: number;
  /** [a_x, a_y, b_x, b_y] */
  curve: [number, number, number, number];
}

/** The task awaiting a decision. */
export interface AspPendingTask {
  index: number;
  arrival_s: number;
  steps: number;
  runtime_s: number;
}

/** The outcome of the last decision. */
export interface AspDecision {
  task: number;
  provider: number;
  steps: number;
  crashed: boolean;
  killed: number;
  reward: number;
}

/** Episode counters. */
export interface AspCounters {
  total_reward: number;
  finished: number;
  crashed: number;
  rejected: number;
  running: number;
  crash_events: number;
  obtained_utility: number;
  lost_utility: number;
}

/** What `asp` shows (crate/src/scenario/asp: AspSnapshot). */
export interface AspSnapshot {
  scenario: 'asp';
  time_s: number;
  tasks_total: number;
  decided: number;
  providers: AspProvider[];
  pending: AspPendingTask | null;
  last: AspDecision | null;
  released: number[];
  totals: AspCounters;
}

/** Any scenario's snapshot, tagged by `scenario`. */
export type Snapshot = AspSnapshot;
