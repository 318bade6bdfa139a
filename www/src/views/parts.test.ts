// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { acrobotPoints } from './acrobot';
import { poleTip } from './cartpole';
import { rowHeight, speedText } from './ddc';
import { millis } from './flow';
import { queueSeconds, significant } from './lad';
import { arcPath, columns, episodeStatus, inbox, niceCeil, seconds, share, topology } from './parts';
import { dagPosition, stepEnds } from './tot';

describe('view helpers', () => {
  it('rounds axis maxima up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect(niceCeil(0.3)).toBe(0.5);
    expect(niceCeil(3)).toBe(5);
    expect(niceCeil(2.2)).toBe(2.5);
    expect(niceCeil(20)).toBe(20);
    expect(niceCeil(0, 1)).toBe(1);
    expect(niceCeil(Number.NaN, 1)).toBe(1);
    expect(niceCeil(7301)).toBe(10_000);
  });

  it('clamps shares and writes seconds readably', () => {
    expect(share(3, 4)).toBe(0.75);
    expect(share(5, 4)).toBe(1);
    expect(share(1, 0)).toBe(0);
    expect(seconds(12.345)).toBe('12.3 s');
    expect(seconds(1.2345)).toBe('1.23 s');
    expect(seconds(0.04217)).toBe('0.042 s');
    expect(millis(0.1234)).toBe('123 ms');
    expect(millis(1.5)).toBe('1.5 s');
  });

  it('bends arcs upwards and loops a task kept at home', () => {
    expect(arcPath(100, 300, 150, 40)).toBe('M100,150 Q200,70 300,150');
    expect(arcPath(50, 50, 150, 30)).toMatch(/^M44,150 C/);
  });

  it('turns lad queues into seconds of the server\'s work', () => {
    const server = { backlog_gcycles: 40, slot_work_gcycles: 10, capacity_ghz: 20 } as Parameters<typeof queueSeconds>[0];
    expect(queueSeconds(server)).toEqual({ backlog_s: 2, slot_s: 0.5 });
    expect(significant(0.05712)).toBe('0.057');
    expect(significant(1.34)).toBe('1.3');
    expect(significant(421.7)).toBe('422');
  });

  it('places the ToT DAG by step and index and finds each step\'s end', () => {
    const input = dagPosition({ step: 0, index: 0 }, 6, 6);
    const output = dagPosition({ step: 7, index: 0 }, 6, 6);
    const top = dagPosition({ step: 1, index: 0 }, 6, 6);
    const bottom = dagPosition({ step: 1, index: 5 }, 6, 6);
    expect(output.x).toBeGreaterThan(top.x);
    expect(top.x).toBeGreaterThan(input.x);
    expect(input.y).toBe(output.y);
    expect((top.y + bottom.y) / 2).toBeCloseTo(input.y, 9);
    const sch = (finish_s: number) => ({ finish_s, ready_s: 0, score: 0, server: 0, start_s: 0, tokens: 0 });
    expect(stepEnds([{ step: 0, schedule: sch(1) }, { step: 1, schedule: sch(3) }, { step: 1, schedule: sch(2) }, { step: 2, schedule: null }])).toEqual([1, 3, 0]);
  });

  it('draws the cart-pole and the acrobot as Gymnasium does', () => {
    const upright = poleTip(1, 0, 0.5);
    expect(upright).toEqual({ x: 1, y: 1 });
    const right = poleTip(0, Math.PI / 2, 0.5);
    expect(right.x).toBeCloseTo(1, 12);
    expect(right.y).toBeCloseTo(0, 12);
    // Hanging straight down, then the first link horizontal to the right with the second pointing up.
    const down = acrobotPoints({ theta_1_rad: 0, theta_2_rad: 0, link_length_1_m: 1, link_length_2_m: 1 });
    expect(down.tip).toEqual({ x: 0, y: -2 });
    const bent = acrobotPoints({ theta_1_rad: Math.PI / 2, theta_2_rad: Math.PI / 2, link_length_1_m: 1, link_length_2_m: 1 });
    expect(bent.joint.x).toBeCloseTo(1, 12);
    expect(bent.tip.x).toBeCloseTo(1, 12);
    expect(bent.tip.y).toBeCloseTo(1, 12);
    expect(episodeStatus({ terminated: true, truncated: false }, 'fell')).toBe('fell');
    expect(episodeStatus({ terminated: false, truncated: true }, 'fell')).toBe('cut off by the time limit');
  });

  it('sizes ddc rows and names phone speeds', () => {
    expect(rowHeight(5)).toBe(60);
    expect(rowHeight(64)).toBeCloseTo(380 / 64, 12);
    expect(speedText(0.25)).toBe('1/4');
    expect(speedText(0.4)).toBe('0.4×');
  });
});

describe('columns', () => {
  it('keeps every frame and bar positive and inside the row, from 1 to 1000 columns', () => {
    for (const count of [1, 20, 700, 1000]) {
      const cols = columns(count, 46, 1000, 2, 0.62, 2);
      for (const [what, w] of [['frame', cols.frame], ['bar', cols.bar]] as const) {
        expect(Number.isFinite(w) && w > 0, `${what} of ${count}`).toBe(true);
        expect(w, `${what} of ${count}`).toBeLessThanOrEqual(cols.width);
        expect(cols.centre(0) - w / 2, `${what} of ${count}`).toBeGreaterThanOrEqual(46);
        expect(cols.centre(count - 1) + w / 2, `${what} of ${count}`).toBeLessThanOrEqual(1000 + 1e-9);
      }
      expect(cols.bar).toBeLessThanOrEqual(cols.frame);
    }
  });

  it('keeps the gap and the bars of a few columns, and narrows both for many', () => {
    const twenty = columns(20, 0, 1000, 2, 0.62, 2);
    expect([twenty.width, twenty.frame, twenty.bar, twenty.centre(1)]).toEqual([50, 48, 31, 75]);
    expect(columns(400, 0, 1000, 2, 0.62, 2).bar).toBe(2);
    // A thousand columns of one unit: the gap a fifth of it, the bar its frame.
    const thousand = columns(1000, 0, 1000, 2, 0.62, 2);
    expect([thousand.frame, thousand.bar]).toEqual([0.8, 0.8]);
  });
});

describe('drawing parts', () => {
  it('makes a drawing\'s root an image named by its label', () => {
    const svg = topology('classic cartpole', 1000, 400, 'Cart and pole');
    expect(svg.getAttribute('viewBox')).toBe('0 0 1000 400');
    expect(svg.getAttribute('class')).toBe('topology classic cartpole');
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe('Cart and pole');
  });

  it('centres the inbox lines in their box', () => {
    const box = inbox({ x: 300, y: 8, w: 440, h: 58 }, 24, 45);
    expect(box.group.getAttribute('class')).toBe('inbox');
    expect([...box.group.children].map((c) => c.tagName.toLowerCase())).toEqual(['rect', 'text', 'text']);
    expect(box.group.firstElementChild?.getAttribute('width')).toBe('440');
    expect([box.title.getAttribute('x'), box.title.getAttribute('y'), box.title.getAttribute('class')]).toEqual(['520', '32', 'title']);
    expect([box.detail.getAttribute('x'), box.detail.getAttribute('y'), box.detail.getAttribute('class')]).toEqual(['520', '53', 'detail']);
  });
});
