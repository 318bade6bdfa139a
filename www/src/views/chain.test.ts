import { describe, expect, it } from 'vitest';
import { argmax, chainLayout, subscript } from './chain';

describe('chain layout', () => {
  // Three steps of a 4-action chain: flat noise, then sharpening onto action 2.
  const chain = [
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.2, 0.5, 0.2],
    [0.05, 0.05, 0.8, 0.1],
  ];

  it('has one row per distribution, x_T first and the policy last', () => {
    const layout = chainLayout(chain, ['P0', 'P1', 'P2', 'P3']);
    expect(layout.steps).toBe(2);
    expect(layout.actions).toBe(4);
    expect(layout.rows.map((r) => r.label)).toEqual(['x₂', 'x₁', 'π = x₀']);
    expect(layout.rows.every((r) => r.bars.length === 4)).toBe(true);
    // Rows go down the page.
    expect(layout.rows[1]!.top).toBeGreaterThan(layout.rows[0]!.top);
    expect(layout.height).toBeGreaterThan(layout.rows[2]!.baseline);
  });

  it('draws every row on the chain\'s largest probability', () => {
    const layout = chainLayout(chain);
    expect(layout.scale).toBe(0.8);
    const final = layout.rows[2]!;
    const tallest = final.bars[2]!;
    const quarter = layout.rows[0]!.bars[0]!;
    // 0.25 of 0.8 is 5/16 of the full height.
    expect(quarter.height / tallest.height).toBeCloseTo(0.3125, 12);
    expect(tallest.y + tallest.height).toBe(final.baseline);
  });

  it('marks the final argmax and each row\'s own', () => {
    const layout = chainLayout(chain, ['a', 'b', 'c', 'd']);
    expect(layout.best).toMatchObject({ action: 2, label: 'c', p: 0.8 });
    expect(layout.rows.map((r) => r.argmax)).toEqual([0, 2, 2]);
    // The band lies over the chosen action's bars.
    const bar = layout.rows[2]!.bars[2]!;
    expect(layout.best!.x).toBeLessThanOrEqual(bar.x);
    expect(layout.best!.x + layout.best!.width).toBeGreaterThanOrEqual(bar.x + bar.width);
  });

  it('labels at most 25 actions, by index without labels', () => {
    const wide = [Array.from({ length: 100 }, (_, i) => (i === 37 ? 0.5 : 0.005))];
    const layout = chainLayout(wide);
    expect(layout.ticks.length).toBe(25);
    expect(layout.ticks[1]!.text).toBe('4');
    expect(layout.best?.action).toBe(37);
    expect(layout.rows[0]!.label).toBe('π = x₀');
  });

  it('treats bad values as 0 and pads short rows', () => {
    const layout = chainLayout([[Number.NaN, 0.5], [-1, Number.POSITIVE_INFINITY, 0.2]]);
    expect(layout.actions).toBe(3);
    expect(layout.rows[0]!.bars.map((b) => b.p)).toEqual([0, 0.5, 0]);
    expect(layout.rows[1]!.bars.map((b) => b.p)).toEqual([0, 0, 0.2]);
    expect(layout.best?.action).toBe(2);
  });

  it('has nothing to mark for an empty chain', () => {
    expect(chainLayout([]).best).toBeNull();
    expect(chainLayout([[]]).best).toBeNull();
  });

  it('writes step numbers as subscripts and finds the first maximum', () => {
    expect(subscript(12)).toBe('x₁₂');
    expect(argmax([1, 3, 3])).toBe(1);
    expect(argmax([])).toBe(0);
  });
});
