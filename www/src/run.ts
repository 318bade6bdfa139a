// The whole run as one serialisable value — what a shared URL, an embed and the saved session hold —
// and a small store that panels read and update. Panels never keep their own copy of these settings.

/** Everything that defines what the page shows and trains. */
export interface RunSettings {
  /** Scenario id. */
  scenario: string;
  /** The scenario's config: any of its fields (the rest take the paper's defaults), `world` included. */
  config: Record<string, unknown>;
  /** Episode seed of the simulator. */
  episodeSeed: number;
  /** The heuristic driving the simulator. */
  policy: string;
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
    algorithm: 'd2sac',
    preset: 'fast',
    learner: null,
    trainSeed: 0,
    speed: 2,
  };
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
