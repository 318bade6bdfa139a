// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { chartCsv, latestValues, mergeSeries, type SeriesSpec } from './chart';

describe('mergeSeries', () => {
  it('puts points and curves on one increasing x axis, null where a series has no value', () => {
    const data = mergeSeries([
      { x: [30, 10], y: [0.5, 0.1] },
      { x: [0, 20, 40], y: [0, 0.3, 0.6] },
    ]);
    expect(data).toEqual([
      [0, 10, 20, 30, 40],
      [null, 0.1, null, 0.5, null],
      [0, null, 0.3, null, 0.6],
    ]);
  });

  it('keeps repeated x values, the earlier series first', () => {
    expect(mergeSeries([{ x: [1], y: [5] }, { x: [1], y: [7] }])).toEqual([[1, 1], [5, null], [null, 7]]);
    expect(mergeSeries([])).toEqual([[]]);
  });
});

const series: SeriesSpec[] = [
  { label: 'critic loss', color: '#000' },
  { label: 'paper, "ours"', color: '#f00', dash: [2, 3] },
  { label: 'α', color: '#00f', scale: 'other' },
];

describe('chartCsv', () => {
  it('writes the x label and the series labels, then a row per x with empty cells for gaps', () => {
    expect(chartCsv('env steps', series, [[1000, 2000], [null, 0.5], [0.9, 0.9], [0.05, null]])).toBe(
      'env steps,critic loss,"paper, ""ours""",α\n1000,,0.9,0.05\n2000,0.5,0.9,\n',
    );
    expect(chartCsv('decisions', [], [[]])).toBe('decisions\n');
  });
});

describe('latestValues', () => {
  it('reads the last x where a series has a value, leaving the reference levels out', () => {
    expect(latestValues('env steps', series, [[1000, 2000, 3000], [1.23456, 0.5, null], [7, 7, 7], [0.05, null, null]])).toBe(
      'at 2000 env steps: critic loss 0.5',
    );
    expect(latestValues('env steps', series, [[1000], [-12345.6], [7], [0.000123456]])).toBe('at 1000 env steps: critic loss -12350, α 0.0001235');
  });

  it('is empty without values', () => {
    expect(latestValues('env steps', series, [[1000], [null], [7], [null]])).toBe('');
    expect(latestValues('env steps', series, [[], [], [], []])).toBe('');
  });
});
