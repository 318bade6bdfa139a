import { describe, expect, it } from 'vitest';
import { blank, classify, fieldError, orderedProperties, parseList, parseNumber, pathAncestors, setPath, type Schema } from './train-schema';

// A cut-down schemars schema of the same shapes as the learner's: a tagged union, a nested union, an
// enum as oneOf of consts, an optional object, a list, numbers with bounds.
const root: Schema = {
  $defs: {
    Activation: { oneOf: [{ const: 'relu', type: 'string' }, { const: 'mish', type: 'string' }] },
    Tuning: { type: 'object', properties: { lr: { type: 'number' } }, required: ['lr'] },
    Learner: {
      oneOf: [
        {
          type: 'object',
          properties: {
            kind: { const: 'sac', type: 'string' },
            gamma: { type: 'number', description: 'Discount γ.' },
            batch_size: { type: 'integer', minimum: 0 },
            hidden: { type: 'array', items: { type: 'integer', minimum: 0 } },
            activation: { $ref: '#/$defs/Activation', description: 'Hidden activation.' },
            tuning: { anyOf: [{ $ref: '#/$defs/Tuning' }, { type: 'null' }] },
          },
          required: ['kind', 'gamma', 'hidden', 'batch_size', 'activation'],
        },
        {
          type: 'object',
          properties: { kind: { const: 'dqn', type: 'string' }, lr: { type: 'number', default: 0.001 } },
          required: ['kind'],
        },
      ],
    },
  },
};
const learner: Schema = { $ref: '#/$defs/Learner' };

describe('classify', () => {
  it('reads tagged unions, enums, optionals, lists and numbers', () => {
    const field = classify(learner, root);
    expect(field.kind).toBe('union');
    if (field.kind !== 'union') return;
    expect(field.tag).toBe('kind');
    expect(field.variants.map((v) => v.name)).toEqual(['sac', 'dqn']);
    const sac = field.variants[0]!.schema;
    expect(orderedProperties(sac).map(([n]) => n)).toEqual(['kind', 'gamma', 'hidden', 'batch_size', 'activation', 'tuning']);
    expect(classify(sac.properties!['activation']!, root)).toEqual({ kind: 'enum', options: ['relu', 'mish'] });
    expect(classify(sac.properties!['tuning']!, root).kind).toBe('optional');
    expect(classify(sac.properties!['hidden']!, root)).toEqual({ kind: 'list', integer: true });
    expect(classify(sac.properties!['batch_size']!, root)).toEqual({ kind: 'number', integer: true, min: 0 });
  });

  it('gives blank values from defaults or the simplest value of each type', () => {
    expect(blank(learner, root)).toEqual({ kind: 'sac', gamma: 0, hidden: [], batch_size: 0, activation: 'relu', tuning: null });
    expect(blank({ $ref: '#/$defs/Tuning' }, root)).toEqual({ lr: 0 });
  });
});

describe('parsing and paths', () => {
  it('parses numbers and lists, naming what is wrong', () => {
    expect(parseNumber(' 0.5 ', false)).toBe(0.5);
    expect(parseNumber('', false)).toBe('must be a number, got ""');
    expect(parseNumber('2.5', true)).toBe('must be a whole number, got 2.5');
    expect(parseList('64, 64', true)).toEqual([64, 64]);
    expect(parseList('64, x', true)).toBe('must be a list of whole numbers separated by commas, got "x"');
  });

  it('maps core errors to fields', () => {
    expect(fieldError('learner.gamma: must be between 0 and 1, got 2', 'learner')).toEqual({ path: 'gamma', problem: 'must be between 0 and 1, got 2' });
    expect(fieldError('train.learner.actor.hidden: bad', 'learner')).toEqual({ path: 'actor.hidden', problem: 'bad' });
    expect(fieldError('schedule.epoch_steps: bad', 'learner')).toBeNull();
    expect(fieldError('no field here', 'learner')).toBeNull();
    expect(pathAncestors('actor.hidden[0]')).toEqual(['actor.hidden[0]', 'actor.hidden', 'actor']);
    expect(setPath({ a: { b: 1, c: 2 } }, ['a', 'b'], 5)).toEqual({ a: { b: 5, c: 2 } });
  });
});
