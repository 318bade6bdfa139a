// @vitest-environment happy-dom
import { describe as suite, expect, it } from 'vitest';
import { SchemaForm, describe, fieldPath, initial, parent, within, type JsonSchema } from './forms';

// The shapes schemars writes: a root with $defs, $ref properties with their own description, a Grid
// object, Option<T> as anyOf with null and as type [T, "null"], a unit enum as oneOf of string consts, an
// internally tagged enum as oneOf of objects with a const `kind`, a Vec of structs and a Vec of numbers.
const schema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'DemoConfig',
  type: 'object',
  description: 'Everything of a demo run.',
  additionalProperties: false,
  properties: {
    world_seed: { type: 'integer', format: 'uint64', minimum: 0, default: 0, description: 'Seed of the `world`.' },
    rate_per_s: { type: 'number', format: 'double', default: 0.001 },
    grid: { $ref: '#/$defs/Grid', description: 'Where values lie.', default: { min: 0, max: 90, step: 10 } },
    mode: { $ref: '#/$defs/Mode', default: 'shared' },
    normalize: { type: 'boolean', default: false },
    source: { type: ['string', 'null'], description: 'Free text.' },
    tuning: { anyOf: [{ $ref: '#/$defs/Tuning' }, { type: 'null' }], description: 'Tune it.' },
    actor: { $ref: '#/$defs/Actor' },
    ratios: { type: 'array', items: { type: 'number', format: 'double' }, default: [0.1, 0.2] },
    flows: { type: 'array', items: { $ref: '#/$defs/Flow' } },
    world: { anyOf: [{ $ref: '#/$defs/Grid' }, { type: 'null' }] },
  },
  $defs: {
    Grid: {
      type: 'object',
      description: 'A grid.',
      properties: {
        min: { type: 'number', description: 'First value.' },
        max: { type: 'number' },
        step: { type: 'number', exclusiveMinimum: 0 },
      },
      required: ['min', 'max', 'step'],
    },
    Mode: {
      description: 'Who decides.',
      oneOf: [
        { const: 'per_server', type: 'string', description: 'One per server.' },
        { const: 'shared', type: 'string', description: 'One for all.' },
      ],
    },
    Tuning: { type: 'object', properties: { lr: { type: 'number', format: 'float' } }, required: ['lr'] },
    Actor: {
      description: 'The policy network.',
      oneOf: [
        {
          type: 'object',
          description: 'A diffusion model.',
          properties: { kind: { const: 'diffusion', type: 'string' }, steps: { type: 'integer', minimum: 1 }, clip: { type: 'boolean' } },
          required: ['kind', 'steps', 'clip'],
        },
        {
          type: 'object',
          description: 'A plain MLP.',
          properties: { kind: { type: 'string', enum: ['mlp'] }, hidden: { type: 'integer', default: 64 } },
          required: ['kind', 'hidden'],
        },
      ],
    },
    Flow: {
      type: 'object',
      properties: { name: { type: 'string' }, priority: { type: 'integer', format: 'uint8', minimum: 0, maximum: 255 } },
      required: ['name', 'priority'],
    },
  },
} as JsonSchema;

const value = {
  world_seed: 7,
  rate_per_s: 0.002,
  grid: { min: 1, max: 5, step: 0.5 },
  mode: 'per_server',
  normalize: true,
  source: null,
  tuning: { lr: 0.0003 },
  actor: { kind: 'diffusion', steps: 5, clip: true },
  ratios: [0.5, 0.25, 4e-21],
  flows: [
    { name: 'text', priority: 1 },
    { name: 'image', priority: 2 },
  ],
  world: null,
};

const form = (v: unknown = value, omit: string[] = []) => {
  const f = new SchemaForm(describe(schema), v, { idPrefix: 't', omit });
  document.body.replaceChildren(f.element);
  return f;
};
const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const select = (id: string) => document.getElementById(id) as HTMLSelectElement;
const change = (el: HTMLElement) => el.dispatchEvent(new Event('change', { bubbles: true }));

suite('describe', () => {
  it('models every schemars shape without a hand-kept field list', () => {
    const root = describe(schema);
    if (root.kind !== 'object') throw new Error('root is an object');
    const kinds = Object.fromEntries(root.properties.map((p) => [p.name, p.field.kind]));
    expect(kinds).toEqual({
      world_seed: 'number',
      rate_per_s: 'number',
      grid: 'object',
      mode: 'choice',
      normalize: 'boolean',
      source: 'optional',
      tuning: 'optional',
      actor: 'variants',
      ratios: 'array',
      flows: 'array',
      world: 'optional',
    });
    const seed = root.properties[0]!.field;
    expect(seed).toMatchObject({ kind: 'number', integer: true, min: 0, label: 'world seed', help: 'Seed of the world.', default: 0 });
    // The property's own description beats its type's; the type's fields come along.
    expect(root.properties[2]!.field).toMatchObject({ help: 'Where values lie.', kind: 'object' });
    const actor = root.properties[7]!.field;
    if (actor.kind !== 'variants') throw new Error('actor is a tagged enum');
    expect(actor.tag).toBe('kind');
    expect(actor.variants.map((v) => [v.choice.value, v.field.properties.map((p) => p.name)])).toEqual([
      ['diffusion', ['steps', 'clip']],
      ['mlp', ['hidden']],
    ]);
  });

  it('starts missing values from defaults, else from something well-formed', () => {
    expect(initial(describe(schema))).toMatchObject({
      world_seed: 0,
      grid: { min: 0, max: 90, step: 10 },
      mode: 'shared',
      source: null,
      actor: { kind: 'diffusion', steps: 1, clip: false },
      ratios: [0.1, 0.2],
      flows: [],
    });
  });

  it('refuses a $ref it cannot resolve, with the reference named', () => {
    expect(() => describe({ $ref: '#/$defs/Nope' })).toThrow('schema: cannot resolve #/$defs/Nope');
  });
});

suite('SchemaForm', () => {
  it('reads back exactly the value it was given', () => {
    expect(form().read()).toEqual({ ok: true, value });
  });

  it('labels every control and links its help text', () => {
    const f = form();
    for (const el of f.element.querySelectorAll<HTMLElement>('input, select, textarea')) {
      const labelled = el.id && (document.querySelector(`label[for="${el.id}"]`) || el.closest('label'));
      expect(labelled, `control ${el.id || el.tagName} has a label`).toBeTruthy();
    }
    expect(input('t-world_seed').getAttribute('aria-describedby')).toBe('t-world_seed-help t-world_seed-error');
    expect(document.getElementById('t-world_seed-help')?.textContent).toBe('Seed of the world.');
    expect(input('t-world_seed').min).toBe('0');
    expect(input('t-grid-step').step).toBe('any');
  });

  it('reads edits as JSON numbers, booleans and choices', () => {
    const f = form();
    input('t-grid-max').value = '12.5';
    input('t-normalize').checked = false;
    select('t-mode').value = '1';
    change(select('t-mode'));
    const r = f.read();
    expect(r.ok && r.value).toMatchObject({ grid: { min: 1, max: 12.5, step: 0.5 }, normalize: false, mode: 'shared' });
  });

  it('names the field it cannot read and shows the message next to it', () => {
    const f = form();
    input('t-flows-1-priority').value = '';
    input('t-world_seed').value = '1.5';
    const r = f.read();
    expect(r).toEqual({ ok: false, path: 'world_seed', message: 'world_seed: must be a whole number, got 1.5' });
    expect(input('t-world_seed').getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('t-world_seed-error')?.textContent).toBe('world_seed: must be a whole number, got 1.5');
    expect(document.activeElement).toBe(input('t-world_seed'));
    input('t-world_seed').value = '3';
    expect(f.read()).toEqual({ ok: false, path: 'flows[1].priority', message: 'flows[1].priority: needs a value' });
    // Reading again clears the old message.
    expect(document.getElementById('t-world_seed-error')?.textContent).toBe('');
  });

  it("puts the core's message at the field it names, or the nearest one the form has", () => {
    const f = form();
    expect(f.showError('grid.step', 'config.grid.step: must be positive')).toBe('grid.step');
    expect(document.getElementById('t-grid-step-error')?.textContent).toBe('config.grid.step: must be positive');
    f.clearErrors();
    expect(f.showError('grid', 'config.grid: max (1) is below min (5)')).toBe('grid');
    expect(document.getElementById('t-grid-error')?.textContent).toBe('config.grid: max (1) is below min (5)');
    expect(f.showError('flows[1].deeper.still', 'x')).toBe('flows[1]');
    expect(f.showError('bogus', 'config.bogus: unknown field')).toBe('');
    expect(document.getElementById('t-root-error')?.textContent).toBe('config.bogus: unknown field');
  });

  it('switches variants and keeps what was typed into each', () => {
    const f = form();
    input('t-actor-steps').value = '9';
    select('t-actor-kind').value = '1';
    change(select('t-actor-kind'));
    expect(document.getElementById('t-actor-steps')).toBeNull();
    expect(input('t-actor-hidden').value).toBe('64');
    let r = f.read();
    expect(r.ok && (r.value as Record<string, unknown>)['actor']).toEqual({ kind: 'mlp', hidden: 64 });
    select('t-actor-kind').value = '0';
    change(select('t-actor-kind'));
    r = f.read();
    expect(r.ok && (r.value as Record<string, unknown>)['actor']).toEqual({ kind: 'diffusion', steps: 9, clip: true });
  });

  it('sets and clears optional parts', () => {
    const f = form();
    expect(document.getElementById('t-world-min')).toBeNull();
    const toggle = input('t-world-set');
    toggle.checked = true;
    change(toggle);
    input('t-world-min').value = '2';
    input('t-tuning-set').checked = false;
    change(input('t-tuning-set'));
    input('t-source-set').checked = true;
    change(input('t-source-set'));
    input('t-source').value = 'lab';
    const r = f.read();
    expect(r.ok && r.value).toMatchObject({ world: { min: 2, max: 0, step: 0 }, tuning: null, source: 'lab' });
  });

  it('adds and removes array entries', () => {
    const f = form();
    (document.getElementById('t-flows-add') as HTMLButtonElement).click();
    input('t-flows-2-name').value = 'scene';
    const removes = f.element.querySelectorAll<HTMLButtonElement>('[data-path="flows"] .array-remove');
    expect(removes[0]?.getAttribute('aria-label')).toBe('Remove flows 1');
    removes[0]!.click();
    const r = f.read();
    expect(r.ok && (r.value as Record<string, unknown>)['flows']).toEqual([
      { name: 'image', priority: 2 },
      { name: 'scene', priority: 2 },
    ]);
  });

  it('leaves out the fields it is told to omit', () => {
    const f = form(value, ['world', 'grid.step']);
    expect(document.getElementById('t-world-set')).toBeNull();
    const r = f.read();
    expect(r.ok && r.value).not.toHaveProperty('world');
    expect(r.ok && (r.value as Record<string, unknown>)['grid']).toEqual({ min: 1, max: 5 });
  });

  it('shows a fixed variant tag as text, with only that variant\'s fields', () => {
    const f = new SchemaForm(describe(schema), value, { idPrefix: 'x', fixed: ['actor.kind'] });
    document.body.replaceChildren(f.element);
    const tag = document.getElementById('x-actor-kind');
    expect(tag?.tagName).toBe('OUTPUT');
    expect(tag?.textContent).toBe('diffusion');
    expect(document.querySelector('label[for="x-actor-kind"]')?.textContent).toBe('kind');
    expect(f.element.querySelector('select[name="actor.kind"]')).toBeNull();
    (document.getElementById('x-actor-steps') as HTMLInputElement).value = '7';
    const r = f.read();
    expect(r.ok && (r.value as Record<string, unknown>)['actor']).toEqual({ kind: 'diffusion', steps: 7, clip: true });
    expect(f.showError('actor.kind', 'config.actor.kind: fixed')).toBe('actor.kind');
  });

  it('calls onChange with the edited field once an edit is complete', () => {
    const paths: string[] = [];
    const f = new SchemaForm(describe(schema), value, { idPrefix: 'c', onChange: (path) => paths.push(path) });
    document.body.replaceChildren(f.element);
    (document.getElementById('c-world_seed') as HTMLInputElement).dispatchEvent(new Event('input', { bubbles: true }));
    change(document.getElementById('c-grid-max') as HTMLInputElement);
    change(document.getElementById('c-tuning-set') as HTMLInputElement);
    change(document.getElementById('c-normalize') as HTMLInputElement);
    (document.getElementById('c-flows-add') as HTMLButtonElement).click();
    f.element.querySelector<HTMLButtonElement>('[data-path="ratios"] .array-remove')!.click();
    expect(paths).toEqual(['grid.max', 'tuning', 'normalize', 'flows', 'ratios']);
  });

  it('calls onInput after edits', () => {
    let edits = 0;
    const f = new SchemaForm(describe(schema), value, { idPrefix: 'u', onInput: () => edits++ });
    document.body.replaceChildren(f.element);
    (document.getElementById('u-world_seed') as HTMLInputElement).dispatchEvent(new Event('input', { bubbles: true }));
    (document.getElementById('u-flows-add') as HTMLButtonElement).click();
    expect(edits).toBe(2);
  });
});

suite('paths', () => {
  it("finds the field in the core's messages", () => {
    expect(fieldPath('config.a_x.min')).toBe('a_x.min');
    expect(fieldPath('config')).toBe('');
    expect(fieldPath('')).toBe('');
    expect(fieldPath('config.world.providers[0]', ['config.world', 'config'])).toBe('providers[0]');
  });

  it('finds the part of a path inside a field', () => {
    expect(within('learner.actor.hidden', 'learner')).toBe('actor.hidden');
    expect(within('learner.critic_hidden[1]', 'learner')).toBe('critic_hidden[1]');
    expect(within('learner', 'learner')).toBe('');
    expect(within('learners.x', 'learner')).toBeNull();
    expect(within('schedule.epoch_steps', 'learner')).toBeNull();
    expect(within(fieldPath('train.learner.gamma', ['train']), 'learner')).toBe('gamma');
  });

  it('walks up one level at a time', () => {
    expect(parent('a.b[2].c')).toBe('a.b[2]');
    expect(parent('a.b[2]')).toBe('a.b');
    expect(parent('a')).toBe('');
  });
});
