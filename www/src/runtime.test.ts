import { describe, expect, it } from 'vitest';
import { serialQueue } from './runtime';

describe('serialQueue', () => {
  it('starts each task when the one before has settled, failed or not', async () => {
    const serial = serialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = serial(task('a', 20));
    const b = serial(task('b', 5, true));
    const c = serial(task('c', 1));
    expect(await a).toBe('a');
    await expect(b).rejects.toThrow('b');
    expect(await c).toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
