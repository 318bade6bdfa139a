import { describe, expect, it } from 'vitest';
import { csv, duration, parseSeed, percent, round, signed } from './format';

describe('format', () => {
  it('picks a readable unit for durations', () => {
    expect(duration(42)).toBe('42 s');
    expect(duration(750)).toBe('12.5 min');
    expect(duration(26_280)).toBe('7.3 h');
    expect(duration(1_000_000)).toBe('11.6 d');
    expect(duration(Number.NaN)).toBe('–');
  });

  it('signs numbers with a true minus and no sign on zero', () => {
    expect(signed(0.6234)).toBe('+0.62');
    expect(signed(-3.1, 2)).toBe('\u22123.10');
    expect(signed(-0.001)).toBe('0.00');
    expect(signed(Number.POSITIVE_INFINITY)).toBe('–');
  });

  it('rounds without trailing zeros or negative zero', () => {
    expect(round(1.2, 3)).toBe('1.2');
    expect(round(-0.0001, 2)).toBe('0');
    expect(percent(0.9709)).toBe('97.1 %');
  });

  it('accepts whole-number seeds and names the field otherwise', () => {
    expect(parseSeed('world seed', ' 42 ')).toBe(42);
    expect(parseSeed('world seed', '-1')).toBe('world seed: must be a whole number from 0, got "-1"');
    expect(parseSeed('seed', '1.5')).toMatch(/^seed: must be a whole number/);
    expect(parseSeed('seed', '')).toMatch(/^seed:/);
    expect(parseSeed('seed', '99999999999999999999')).toMatch(/^seed: must be at most/);
  });

  it('writes CSV with empty cells for absent values and quotes only where needed', () => {
    expect(csv([['x', 'a, b', 'say "hi"'], [1, null, 2.5], [2, undefined, -0.25]])).toBe('x,"a, b","say ""hi"""\n1,,2.5\n2,,-0.25\n');
    expect(csv([['two\nlines']])).toBe('"two\nlines"\n');
    expect(csv([])).toBe('');
  });
});
