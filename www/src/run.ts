// The whole run as one serialisable value — what a shared URL, an embed and the saved session hold —
// and a small store that panels read and update. Panels never keep their own copy of these settings.
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

/** The page's starting point: asp with the paper's default world, crash_avoid, d2sac fast. */
export function defaultSettings(): RunSettings {
  return {
    scenario: 'asp',
    config: { world_seed: 0 },
    episodeSeed: 0,
    policy: 'crash_avoid',
    learned: null,
    algorithm: 'd2sac',
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
 * config from before them what it was — the core's `ScenarioConfig::upgrade_legacy_json`, which does the
 * same for checkpoints. Fields the config has are kept; lad's `normalize_obs` becomes its `observation`.
 */
export function upgradeLegacyConfig(scenario: string, config: Record<string, unknown>): Record<string, unknown> {
  const added: Record<string, Record<string, unknown>> = {
    tot: { observation: 'paper', delay_reward: 'finish_increment', quality_penalty_weight: 1 },
    flow: { max_lateness: null, observation: 'paper' },
  };
  if (scenario === 'lad') {
    const { normalize_obs: normalized, ...rest } = config;
    return { observation: normalized === true ? 'normalized' : 'raw', ...rest };
  }
  return { ...(Object.hasOwn(added, scenario) ? added[scenario] : {}), ...config };
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
