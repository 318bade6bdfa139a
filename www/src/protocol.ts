// The typed message protocol between the page (main thread, renders only) and the worker that runs the
// wasm core. Every request carries an id; the worker answers each with exactly one reply of the same id.
import type { Snapshot } from './types';

/** What the page asks the worker to do. */
export type Request =
  /** The scenario ids and the algorithms the core offers. */
  | { kind: 'catalog' }
  /** Build a scenario from its config (JSON of any of its fields); on error the old one stays. */
  | { kind: 'create'; scenario: string; config: string }
  /** Start the episode with this seed. */
  | { kind: 'reset'; seed: number }
  /** Let a heuristic take up to `count` decisions. */
  | { kind: 'step'; policy: string; count: number }
  /** The JSON Schema of a scenario's config and its default config (both JSON). */
  | { kind: 'schema'; scenario: string }
  /** The current scenario's world as a parameter file (JSON). */
  | { kind: 'world' }
  /** Fit raw measurements (CSV) of a scenario; `scoreMax` is tot's quality ceiling. */
  | { kind: 'fit'; scenario: string; csv: string; scoreMax: number };

/** The scenario's state as the page draws it. */
export interface SimState {
  snapshot: Snapshot;
  metrics: Record<string, number>;
  /** Decisions taken since the episode started. */
  decisions: number;
  done: boolean;
}

/** What the worker answers. */
export type Reply =
  | { kind: 'catalog'; scenarios: string[]; algorithms: string[] }
  | { kind: 'created'; scenario: string; heuristics: string[]; config: string; state: SimState }
  | { kind: 'state'; state: SimState; taken: number }
  | { kind: 'schema'; schema: string; defaults: string }
  | { kind: 'world'; json: string }
  | { kind: 'fit'; json: string }
  | { kind: 'error'; message: string };

/** A request or reply on the wire. */
export interface Envelope<T> {
  id: number;
  body: T;
}
