// The typed message protocol between the page (main thread, renders only) and the worker that runs the
// wasm core. Every request carries an id; the worker answers each with exactly one reply of the same id.
import type { EpochRecord, FitTarget, Snapshot } from './types';

/** What the page asks the worker to do. */
export type Request =
  /** Build a scenario from its config (JSON of any of its fields); on error the old one stays. */
  | { kind: 'create'; scenario: string; config: string }
  /**
   * Start the episode with this seed; `compare`: the heuristic to run beside a learned policy on the same
   * episode (see `Compared`), null for none.
   */
  | { kind: 'reset'; seed: number; compare: string | null }
  /**
   * Let a heuristic (or the learned policy, `LEARNED_POLICY`) take up to `count` decisions; `compare`: the
   * heuristic that takes the same decisions' worth on its own copy of the episode, null for none.
   */
  | { kind: 'step'; policy: string; count: number; compare: string | null }
  /** The JSON Schema of a scenario's config and its default config (both JSON). */
  | { kind: 'schema'; scenario: string }
  /** The current scenario's world as a parameter file (JSON). */
  | { kind: 'world' }
  /**
   * Fit raw measurements (CSV) of a scenario; `scoreMax` is tot's quality ceiling. The page sends the text
   * as it is: parsing, fitting and thinning the measurements for the preview all happen in the worker.
   */
  | { kind: 'fit'; scenario: string; csv: string; scoreMax: number }
  /** The current world with the fit of `csv` put at `target` (a `FitTarget` value) by the scenario's rule. */
  | { kind: 'fit-world'; csv: string; scoreMax: number; target: string; fileName: string }
  /** An uploaded JSON file's bytes, read by the core's one strict reader (as the CLI reads `--world`). */
  | { kind: 'readJson'; bytes: Uint8Array }
  | TrainRequest;

/** The simulator's policy name for "the trainer's greedy policy" (watch the learned policy). */
export const LEARNED_POLICY = 'learned';

/** Training requests: the wasm `Trainer`, next to the simulator in the same worker. */
export type TrainRequest =
  /** The JSON Schema of a whole training config (the hyper-parameter forms are generated from it). */
  | { kind: 'train-schema' }
  /**
   * A new run on `scenario` (its config as JSON) from `algorithm`'s `preset`, with `learner` (JSON of a
   * whole `LearnerConfig`) replacing the preset's hyper-parameters when given; on error the old run stays.
   */
  | { kind: 'train-create'; scenario: string; config: string; algorithm: string; preset: 'paper' | 'fast'; learner: string | null; seed: number }
  /**
   * Up to `steps` environment steps of training (with their updates and any epoch ends), stopping early
   * once `budgetMs` have passed, so that the worker answers often.
   */
  | { kind: 'train-steps'; steps: number; budgetMs: number }
  /** A heuristic on the run's evaluation episodes (the level to beat). */
  | { kind: 'train-evaluate-heuristic'; policy: string }
  /** The diffusion chain of the learned policy for the simulator's current observation. */
  | { kind: 'train-chain' }
  /** The run's epoch records as the metrics CSV (the file a CLI run writes as `metrics.csv`). */
  | { kind: 'train-history-csv' }
  /** The run as checkpoint bytes (`withoutReplay`: empty replay buffers, a fraction of the size). */
  | { kind: 'train-save'; withoutReplay: boolean }
  /**
   * Continue the run saved in checkpoint `bytes`; on error the old run stays. With `expect`, a checkpoint
   * whose policy cannot act in that scenario and world (its config as JSON) is refused too.
   */
  | { kind: 'train-load'; bytes: Uint8Array; expect: { scenario: string; config: string } | null };

/** The scenario's state as the page draws it. */
export interface SimState {
  snapshot: Snapshot;
  metrics: Record<string, number>;
  /** Decisions taken since the episode started. */
  decisions: number;
  done: boolean;
  /** The comparison heuristic on the same episode, when one runs beside a learned policy. */
  compared: Compared | null;
}

/**
 * A heuristic run in the worker on its own copy of the simulator's episode (same config, same episode
 * seed), kept as many decisions in as the learned policy, and run to its end once the learned policy's
 * episode ends: its cumulative reward beside the learned policy's. A state carries the points since the
 * state before.
 */
export interface Compared {
  policy: string;
  /** Whether the points start its curve again (a new episode, another heuristic): the earlier ones go. */
  restart: boolean;
  /** Decisions taken by the heuristic, one entry per point. */
  decisions: number[];
  /** Its cumulative reward after them. */
  totals: number[];
  /** Whether its episode has ended. */
  done: boolean;
}

/**
 * A refusal as the core gives it: the `field` (a JSON path, or an argument's name) and the `problem`, and
 * both as one `message` to show. Errors raised outside the core have an empty field.
 */
export interface CoreError {
  message: string;
  field: string;
  problem: string;
}

/** `e` (anything a worker caught) as a `CoreError`: the core's errors carry `field` and `problem`. */
export function coreError(e: unknown): CoreError {
  const message = e instanceof Error ? e.message : String(e);
  const part = (key: 'field' | 'problem') => {
    const value: unknown = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : null;
  };
  return { message, field: part('field') ?? '', problem: part('problem') ?? message };
}

/** What the worker answers. */
export type Reply =
  /**
   * A scenario was built: its heuristics, the training algorithms whose learner fits its action space and
   * its paper's learner (one of them), its full config (JSON) and first state.
   */
  | { kind: 'created'; scenario: string; heuristics: string[]; algorithms: string[]; paperAlgorithm: string; config: string; state: SimState }
  | { kind: 'state'; state: SimState; taken: number }
  | { kind: 'schema'; schema: string; defaults: string }
  | { kind: 'world'; json: string }
  /** The fit (`AspFit`, `TotFit`, or ddc's parameter file), its measurements thinned for plotting (see `plottedFit`). */
  | { kind: 'fit'; fit: unknown; targets: FitTarget[] }
  /** The file of a `readJson` request as plain JSON text (one value, no key twice). */
  | { kind: 'json'; json: string }
  | ({ kind: 'error' } & CoreError)
  | TrainReply;

/** Training replies. */
export type TrainReply =
  | { kind: 'train-schema'; schema: string }
  /** A run exists: its whole `TrainConfig` (JSON), its epoch records and counters so far. */
  | { kind: 'train-created'; config: string; history: EpochRecord[]; envSteps: number; updates: number }
  | { kind: 'train-progress'; envSteps: number; updates: number; epochs: EpochRecord[] }
  | { kind: 'train-level'; policy: string; evaluation: EpochRecord['eval'] }
  /** Action distributions after each denoising step (x_T first), or null when the learner has no chain. */
  | { kind: 'train-chain'; distributions: number[][] | null }
  | { kind: 'train-checkpoint'; bytes: Uint8Array }
  | { kind: 'train-history-csv'; csv: string };

/** A request or reply on the wire. */
export interface Envelope<T> {
  id: number;
  body: T;
}
