import { describe, expect, it } from 'vitest';
import { RunStore, defaultSettings, upgradeSettings } from './run';

describe('RunStore', () => {
  it('notifies subscribers with the keys that changed, and only when something changed', () => {
    const store = new RunStore();
    const seen: string[][] = [];
    store.subscribe((_, changed) => seen.push(changed));
    store.update({ scenario: 'lad', episodeSeed: 0 });
    store.update({ scenario: 'lad' });
    store.update({ config: { world_seed: 3 } });
    expect(seen).toEqual([['scenario'], ['config']]);
    expect(store.get()).toEqual({ ...defaultSettings(), scenario: 'lad', config: { world_seed: 3 } });
  });
});

describe('upgradeSettings', () => {
  it('turns the old "learned" policy into the Training panel\'s policy beside the default heuristic, and leaves the rest', () => {
    expect(upgradeSettings({ scenario: 'lad', policy: 'learned', speed: 3 })).toEqual({ scenario: 'lad', learned: { source: 'run' }, speed: 3 });
    const current = { ...defaultSettings(), policy: 'random', learned: { source: 'pretrained' } };
    expect(upgradeSettings(current)).toBe(current);
    expect(upgradeSettings({})).toEqual({});
  });

  it('keeps an old config what it meant: the literal observation and reward of tot, flow and lad', () => {
    expect(upgradeSettings({ scenario: 'tot', config: { world_seed: 2, quality_threshold: 0.8 } })).toEqual({
      scenario: 'tot',
      config: { observation: 'paper', delay_reward: 'finish_increment', quality_penalty_weight: 1, world_seed: 2, quality_threshold: 0.8 },
    });
    expect(upgradeSettings({ scenario: 'flow', config: { world_seed: 0, observation: 'queues' } })['config']).toEqual({
      max_lateness: null,
      observation: 'queues',
      world_seed: 0,
    });
    expect(upgradeSettings({ scenario: 'lad', config: { normalize_obs: true } })['config']).toEqual({ observation: 'normalized' });
    expect(upgradeSettings({ scenario: 'lad', config: {} })['config']).toEqual({ observation: 'raw' });
    expect(upgradeSettings({ scenario: 'asp', config: { world_seed: 1 } })['config']).toEqual({ world_seed: 1 });
    // Settings of today are not touched.
    const today = { ...defaultSettings(), scenario: 'tot', config: {} };
    expect(upgradeSettings(today)).toBe(today);
  });
});
