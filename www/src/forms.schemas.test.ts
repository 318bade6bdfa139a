// @vitest-environment happy-dom
// The form library on the core's real schemas (from the built wasm package, pkg/): every scenario's config
// and the training config's hyper-parameters render and read back exactly what they were given.
import { beforeAll, describe as suite, expect, it } from 'vitest';
import { Simulator, initSync, Trainer, algorithms, configSchema, defaultConfig, scenarioIds, trainSchema } from '../../pkg/diffedge.js';
import { SchemaForm, describe, type FormOptions, type JsonSchema } from './forms';

beforeAll(async () => {
  // Node's file reading, named at run time: the page's own type set has no Node types.
  const fsModule = 'node:fs';
  const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: string): Uint8Array };
  // vitest runs from the repository root, where scripts/build.sh puts the package.
  initSync({ module: readFileSync('pkg/diffedge_bg.wasm') });
});

/** Renders `schema` (a node of the document `root`) holding `value` and reads it back. */
const roundTrip = (schema: JsonSchema, value: unknown, root: JsonSchema = schema, options: Partial<FormOptions> = {}) => {
  const form = new SchemaForm(describe(schema, root), value, { idPrefix: 'rt', ...options });
  document.body.replaceChildren(form.element);
  return form.read();
};

suite('forms on the core schemas', () => {
  it("reads back every scenario's default config", () => {
    for (const id of scenarioIds()) {
      const { scenario: _, ...config } = JSON.parse(defaultConfig(id)) as Record<string, unknown>;
      const schema = JSON.parse(configSchema(id)) as JsonSchema;
      // An absent world (the core leaves it out) reads back as null, which the core takes as the same.
      const expected = 'world' in (schema.properties ?? {}) ? { world: null, ...config } : config;
      expect(roundTrip(schema, config), id).toEqual({ ok: true, value: expected });
    }
  });

  it("reads back each algorithm's hyper-parameters (tagged variants, optional parts, nested networks)", () => {
    const schema = JSON.parse(trainSchema()) as JsonSchema;
    // Each algorithm on a scenario it can train on (the core says which: ddc's hybrid learner on ddc only).
    const offered = Object.fromEntries(scenarioIds().map((id) => {
      const sim = new Simulator(id, '{}');
      const names = sim.trainingAlgorithms();
      sim.free();
      return [id, names];
    }));
    for (const algorithm of algorithms()) {
      const scenario = scenarioIds().find((id) => offered[id]!.includes(algorithm))!;
      const trainer = Trainer.fromPreset(scenario, '{}', algorithm, 'fast', 0);
      const config = JSON.parse(trainer.config()) as { learner: unknown };
      trainer.free();
      const learner = schema.properties!['learner']!;
      expect(roundTrip(learner, config.learner, schema), algorithm).toEqual({ ok: true, value: config.learner });
      // As the training panel draws it: the learner's kind fixed by the algorithm.
      expect(roundTrip(learner, config.learner, schema, { fixed: ['kind'] }), algorithm).toEqual({ ok: true, value: config.learner });
    }
  });
});
