// Types of what the wasm core returns: generated from the Rust types (scripts/gen-types.sh), so they
// cannot drift from the core.
export type {
  AspSnapshot,
  ProviderView as AspProvider,
  Decision as AspDecision,
  PendingTask as AspPendingTask,
  Snapshot,
  ScenarioConfig,
  TrainConfig,
  EpochRecord,
  Action,
  DecisionKey,
  AspFit,
  TotFit,
  ScenarioInfo,
  FitTarget,
  PaperFigure,
} from './generated/core';

/** A scenario's snapshot narrowed by its tag. */
export type SnapshotOf<S extends string> = Extract<import('./generated/core').Snapshot, { scenario: S }>;
