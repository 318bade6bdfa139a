import { describe, expect, it } from 'vitest';
import { MAX_PLOTTED_POINTS, fileKind, fileScenario, plottedFit, sizeProblem, worldSummary } from './params-files';
import type { AspFit } from './types';

const aspWorld = {
  schema: 'asp/v1',
  source: 'drawn with world seed 0',
  providers: [
    { capacity_steps: 600, a_x: 70, a_y: 0.35, b_x: 200, b_y: 0.95 },
    { capacity_steps: 500, a_x: 10, a_y: 0.1, b_x: 150, b_y: 0.5 },
  ],
};
const aspFit = { a_x: 37.5, b_x: 137.5, height: 0.8, r_squared: 0.99, points: 5, curve: [], data: [] } as unknown as AspFit;
const curve = (sigma: number) => ({ sigma, rho_per_token: 0.05, eta_s_per_token: 0.03, psi_s: 0.1 });
const totWorld = {
  schema: 'tot/v1',
  score_max: 10,
  bs: { x_m: 50, y_m: 50, tokens: 150, curve: curve(50) },
  service_providers: [{ x_m: 1, y_m: 2, curve: curve(40) }],
  token_chain: { tokens: [100], transition: [[1]] },
};

describe('parameter files', () => {
  it('refuses files over 1 MiB before reading them', () => {
    expect(sizeProblem('a.json', 1 << 20)).toBeNull();
    expect(sizeProblem('big.csv', (1 << 20) + 300_000)).toBe('big.csv: is 1.3 MiB; files up to 1 MiB are accepted');
  });

  it('tells parameter files from measurements by name, then type', () => {
    expect(fileKind('World.JSON', '')).toBe('json');
    expect(fileKind('m.csv', 'application/vnd.ms-excel')).toBe('csv');
    expect(fileKind('data', 'text/csv')).toBe('csv');
    expect(fileKind('notes.txt', 'text/plain')).toBeNull();
  });

  it('reads the scenario a file is for from its schema tag', () => {
    expect(fileScenario({ schema: 'tot/v1' }, ['asp', 'tot'])).toBe('tot');
    expect(fileScenario({ schema: 'gpt/v1' }, ['asp', 'tot'])).toBeNull();
    expect(fileScenario([1], ['asp'])).toBeNull();
  });

  it('summarises a world in a line', () => {
    expect(worldSummary(aspWorld)).toBe('drawn with world seed 0 — providers 2');
    expect(worldSummary(totWorld)).toBe('service providers 1');
  });

  it('plots at most MAX_PLOTTED_POINTS of a large table, spread over the file, and counts them all', () => {
    // A 1 MiB table: some 95 000 rows of "steps,quality".
    const rows = 95_000;
    const data = Array.from({ length: rows }, (_, i) => ({ steps: i % 1000, quality: (i % 997) / 997 }));
    const fit = { ...aspFit, points: rows, data } as AspFit;
    const plotted = plottedFit(fit) as AspFit;
    expect(plotted.data.length).toBe(MAX_PLOTTED_POINTS);
    // Rows of the file in its order, from its first to its last stride.
    const row = new Map(data.map((p, i) => [p, i]));
    const at = plotted.data.map((p) => row.get(p)!);
    expect(at[0]).toBe(0);
    expect(at.at(-1)).toBeGreaterThan(rows - 1 - rows / MAX_PLOTTED_POINTS);
    expect(at.every((k, i) => i === 0 || k > at[i - 1]!)).toBe(true);
    expect({ ...plotted, data: [] }).toEqual({ ...fit, data: [] });
    expect(data.length).toBe(rows);
    // Small tables and fits without measurements (ddc's profile) are drawn as they are.
    const small = { ...aspFit, points: 3, data: data.slice(0, 3) };
    expect(plottedFit(small)).toBe(small);
    const profile = { schema: 'ddc/v1', conditions: [] };
    expect(plottedFit(profile)).toBe(profile);
  });
});
