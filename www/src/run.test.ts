import { describe, expect, it } from 'vitest';
import { RunStore, defaultSettings } from './run';

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
