// The whole run as one serialisable value — what a shared URL, an embed and the saved session hold —
// and a small store that panels read and update. Panels never keep their own copy of these settings.
import { SCENARIOS } from './generated/scenarios';
import { LEARNED_POLICY } from './protocol';

/**
 * A learned policy that a run names to play: the scenario's pretrained policy shipped with the page
 * (`pretrained/<scenario>.safetensors`), a checkpoint file served beside the page (`path`, relative to
 * the page), or the Training panel's own run (trained or uploaded in the tab: its weights live in the
 * saved session, never in a link).
 */
export type LearnedPolicy = { source: 'pretrained' } | { source: 'checkpoint'; path: string } | { source: 'run' };

/** Everything that defines what the page shows and trains. */
export interface RunSettings {
  /** Scenario id. */
  scenario: string;
  /** The scenario's config: any of its fields (the rest take the paper's defaults), `world` included. */
  config: Record<string, unknown>;
  /** Episode seed of the simulator. */
  episodeSeed: number;
  /**
   * A heuristic of the scenario: the one that plays when no learned policy does, and the one whose
   * cumulative reward on the same episode is drawn beside a learned policy's.
   */
  policy: string;
  /** The learned policy that plays (the simulator's `learned` entry), or null when the heuristic plays. */
  learned: LearnedPolicy | null;
  /** Training: algorithm name (see the core's `algorithms()`). */
  algorithm: string;
  /** Training: which hyper-parameters it starts from. */
  preset: 'paper' | 'fast';
  /** Training: the learner's hyper-parameters, when edited (a whole `LearnerConfig`); else the preset's. */
  learner: Record<string, unknown> | null;
  /** Training: the run's seed. */
  trainSeed: number;
  /** View state: simulator speed setting (an index into the speed list). */
  speed: number;
}

/**
 * The page's starting point: the core's first scenario (asp) with the paper's default world, its starting
 * heuristic (crash_avoid) and its paper's learner (d2sac), fast.
 */
export function defaultSettings(): RunSettings {
  const first = SCENARIOS[0]!;
  return {
    scenario: first.id,
    config: first.has_world ? { world_seed: 0 } : {},
    episodeSeed: 0,
    policy: first.start_heuristic,
    learned: null,
    algorithm: first.paper_algorithm,
    preset: 'fast',
    learner: null,
    trainSeed: 0,
    speed: 2,
  };
}

/**
 * Settings saved before runs named a learned policy (share-link version 1, and sessions saved then; both
 * lack `learned`) with today's meaning: there `policy: 'learned'` meant "the Training panel's policy
 * plays", now `learned: {source: 'run'}` beside a heuristic (the default one; a scenario without it starts
 * with its own); and the scenario config keeps what it meant then (see `upgradeLegacyConfig`). Newer
 * settings come back unchanged.
 */
export function upgradeSettings(run: Record<string, unknown>): Record<string, unknown> {
  if (Object.hasOwn(run, 'learned')) return run;
  const { policy, ...rest } = run;
  const upgraded: Record<string, unknown> = policy === LEARNED_POLICY ? { ...rest, learned: { source: 'run' } } : { ...run };
  if (typeof run['scenario'] === 'string' && isRecord(run['config'])) {
    upgraded['config'] = upgradeLegacyConfig(run['scenario'], run['config']);
  }
  return upgraded;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields later Readings added to scenario configs (docs/readings.md), with the values that keep a
 * config from before them what it was: the core's `ScenarioInfo.legacy_fields`, which its
 * `ScenarioConfig::upgrade_legacy_json` applies the same way to checkpoints. Fields the config has are
 * kept; a field that replaced an older flag (lad's `normalize_obs`) takes the flag's meaning and the flag goes.
 */
export function upgradeLegacyConfig(scenario: string, config: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...config };
  const added: Record<string, unknown> = {};
  for (const legacy of SCENARIOS.find((s) => s.id === scenario)?.legacy_fields ?? []) {
    let value = legacy.value;
    const replaced = legacy.replaces;
    if (replaced && Object.hasOwn(rest, replaced.field)) {
      if (rest[replaced.field] === true) value = replaced.value_when_true;
      delete rest[replaced.field];
    }
    added[legacy.name] = value;
  }
  return { ...added, ...rest };
}

type Listener = (settings: RunSettings, changed: (keyof RunSettings)[]) => void;

/** Holds the settings; `update` notifies every subscriber with the keys that changed. */
export class RunStore {
  private settings: RunSettings;
  private readonly listeners: Listener[] = [];

  constructor(initial: RunSettings = defaultSettings()) {
    this.settings = initial;
  }

  get(): RunSettings {
    return this.settings;
  }

  update(patch: Partial<RunSettings>): void {
    const changed = (Object.keys(patch) as (keyof RunSettings)[]).filter(
      (key) => JSON.stringify(patch[key]) !== JSON.stringify(this.settings[key]),
    );
    if (changed.length === 0) return;
    this.settings = { ...this.settings, ...patch };
    for (const listener of this.listeners) listener(this.settings, changed);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }
}
