import { describe, expect, it } from 'vitest';
import { MAX_PLOTTED_POINTS, applyFit, fileKind, fileScenario, fitTargets, plottedFit, sizeProblem, worldSummary } from './params-files';
import type { AspFit, TotFit } from './types';

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
const totFit = {
  delay: { eta_s_per_token: 0.01, psi_s: 0.2, r_squared: 0.9 },
  quality: { sigma: 12, rho_per_token: 0.004, r_squared: 0.8, iterations: 7 },
} as unknown as TotFit;

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

  it('offers the places a fit can go', () => {
    expect(fitTargets('asp', aspWorld)).toEqual([
      { value: '0', label: 'provider 1' },
      { value: '1', label: 'provider 2' },
    ]);
    expect(fitTargets('tot', totWorld).map((t) => t.label)).toEqual(['the base station', 'service provider 1']);
    expect(fitTargets('ddc', {})).toEqual([{ value: 'all', label: 'the whole profile' }]);
    expect(fitTargets('lad', {})).toEqual([]);
  });

  it("asp: the fit replaces the chosen provider's ramp, keeping its capacity and a_y", () => {
    const next = applyFit('asp', aspWorld, aspFit, '1', 'lab.csv') as typeof aspWorld;
    // b_y = a_y + height = 0.1 + 0.8.
    expect(next.providers[1]).toEqual({ capacity_steps: 500, a_x: 37.5, a_y: 0.1, b_x: 137.5, b_y: 0.9 });
    expect(next.providers[0]).toEqual(aspWorld.providers[0]);
    expect(next.source).toBe("drawn with world seed 0; provider 2's quality ramp fitted to lab.csv");
    expect(aspWorld.providers[1]!.a_x).toBe(10);
  });

  it("tot: the fit replaces the chosen server's curves", () => {
    const bs = applyFit('tot', totWorld, totFit, 'bs', 'bs.csv') as typeof totWorld & { source: string };
    expect(bs.bs).toEqual({ x_m: 50, y_m: 50, tokens: 150, curve: { sigma: 12, rho_per_token: 0.004, eta_s_per_token: 0.01, psi_s: 0.2 } });
    expect(bs.source).toBe("the base station's curves fitted to bs.csv");
    const sp = applyFit('tot', totWorld, totFit, '0', 'sp.csv') as typeof totWorld;
    expect(sp.service_providers[0]!.curve.sigma).toBe(12);
    expect(sp.bs.curve.sigma).toBe(50);
    expect(() => applyFit('tot', totWorld, totFit, '3', 'sp.csv')).toThrow('target: no service provider 4');
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

  it('ddc: the fitted profile is the world; the source note stays within 1000 bytes', () => {
    expect(applyFit('ddc', aspWorld, { schema: 'ddc/v1' }, 'all', 'p.csv')).toEqual({ schema: 'ddc/v1' });
    const long = applyFit('asp', { ...aspWorld, source: 'é'.repeat(600) }, aspFit, '0', 'x.csv') as typeof aspWorld;
    expect(new TextEncoder().encode(long.source).length).toBeLessThanOrEqual(1000);
    expect(long.source.endsWith("provider 1's quality ramp fitted to x.csv")).toBe(true);
  });
});
