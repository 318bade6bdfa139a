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
});
