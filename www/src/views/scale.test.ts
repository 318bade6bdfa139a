// @vitest-environment happy-dom
// The drawings of a row of columns (asp's providers, lad's servers, flow's gateways) at every size the core
// accepts, on its own snapshots (the built wasm package, pkg/): no rect may have a negative, zero-width
// frame or reach out of the drawing, however narrow the columns get.
import { beforeAll, describe, expect, it } from 'vitest';
import { Simulator, initSync } from '../../../pkg/diffedge.js';
import type { Snapshot } from '../types';
import { createView } from '.';

beforeAll(async () => {
  // Node's file reading, named at run time: the page's own type set has no Node types.
  const fsModule = 'node:fs';
  const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: string): Uint8Array };
  // vitest runs from the repository root, where scripts/build.sh puts the package.
  initSync({ module: readFileSync('pkg/diffedge_bg.wasm') });
});

/** A snapshot of `scenario` with `count` of its columns, a few decisions into the episode. */
function snapshot(scenario: string, field: string, count: number, policy: string): Snapshot {
  const sim = new Simulator(scenario, JSON.stringify({ world_seed: 0, [field]: count }));
  sim.reset(0);
  sim.runPolicy(policy, 3);
  const snap = sim.snapshot() as Snapshot;
  sim.free();
  return snap;
}

/** `name` of `el` as a number (NaN when absent). */
const attr = (el: Element, name: string) => Number(el.getAttribute(name) ?? Number.NaN);

const COLUMNS: [scenario: string, field: string, policy: string, column: string][] = [
  ['asp', 'providers', 'crash_avoid', '.provider'],
  ['lad', 'servers', 'opt', '.server'],
  ['flow', 'gateways', 'edf', '.gateway'],
];

describe('drawings of many columns', () => {
  for (const [scenario, field, policy, column] of COLUMNS) {
    it(`${scenario} draws 1 to 1000 ${field} inside the drawing, every width positive`, () => {
      for (const count of [1, 20, 700, 1000]) {
        const view = createView(snapshot(scenario, field, count, policy));
        const svg = view.element;
        const width = Number(svg.getAttribute('viewBox')?.split(' ')[2]);
        expect(svg.querySelectorAll(column).length, `${scenario} × ${count}`).toBe(count);
        const outside = [...svg.querySelectorAll(`${column} rect`)].flatMap((rect) => {
          const [x, w, h] = [attr(rect, 'x'), attr(rect, 'width'), attr(rect, 'height')];
          const fine = [x, w, h].every(Number.isFinite) && w > 0 && h >= 0 && x >= 0 && x + w <= width + 1e-9;
          return fine ? [] : [`${rect.getAttribute('class')} at x ${x}, width ${w}, height ${h}`];
        });
        // The first few are enough to tell what is wrong.
        expect(outside.slice(0, 3), `${scenario} × ${count}`).toEqual([]);
      }
    });
  }
});
