import { describe, expect, it } from 'vitest';
import { quantities, valueOf } from './train-figures';
import type { EpochRecord } from './types';

const record = (epoch: number, ret: number, losses: boolean): EpochRecord => ({
  epoch,
  env_steps: epoch * 1000,
  updates: epoch * 900,
  train_return: epoch === 1 ? null : ret - 10,
  eval: { mean_return: ret, sd_return: 1.5, metrics: [['total_reward', ret], ['crashed', 2]] },
  losses: losses ? { critic_loss: 0.5, actor_loss: -3, entropy: 2.9, alpha: 0.05, mean_q: 4 } : null,
});

describe('learning-curve figures', () => {
  it('reads the return and metrics of an evaluation', () => {
    const r = record(1, 400, false);
    expect(valueOf(r.eval, 'return')).toBe(400);
    expect(valueOf(r.eval, 'crashed')).toBe(2);
    expect(valueOf(r.eval, 'missing')).toBeNull();
    expect(quantities([r])).toEqual(['return', 'total_reward', 'crashed']);
    expect(quantities([])).toEqual(['return']);
  });
});
