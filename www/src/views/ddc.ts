// `ddc` topology: the edge server on the left, linked to each user's phone. Per user, the last slot's
// request and what the edge made of it: the visual condition the phone chose and how it compressed it
// (resolution α, quality β), the data sent up and down, the denoising steps T_k split between the edge (e_k)
// and the phone (T_k − e_k), the latency against the limit, and the QoE against the user's threshold —
// satisfied or not. The edge's own step budget is a bar in its box.
import { s, set } from '../dom';
import { round, signed } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { SplitBar, inbox, legend, seconds, share, topology } from './parts';
import type { ScenarioView } from './view';
import './ddc.css';

type Ddc = SnapshotOf<'ddc'>;
type User = Ddc['users'][number];
type Condition = NonNullable<User['pending']>['condition'];

const WIDTH = 1000;
const TOP = 128;
const ROWS_HEIGHT = 380;
/** Most steps an action can ask for (the largest choice of T_k). */
const MAX_STEPS = 30;
const EDGE = { x: 8, w: 124 };
/** Columns of a user's row: x of each part. */
const COL = { user: 176, condition: 302, data: 420, split: 505, latency: 752, qoe: 872, end: 992 };

/** Widths of the latency and QoE bars. */
const LATENCY_W = 56;
const QOE_W = 44;

const CONDITIONS: Record<Condition, string> = { canny: 'Canny', hed: 'HED', depth: 'Depth', seg: 'Seg' };

/** Row height for `users` users: roomy for a few, compact (one line each) for many. */
export function rowHeight(users: number): number {
  return Math.min(60, ROWS_HEIGHT / Math.max(1, users));
}

/** A phone's speed as a readable fraction of the edge's: "1/4 edge speed". */
export function speedText(ratio: number): string {
  if (!(ratio > 0)) return '–';
  const inverse = 1 / ratio;
  return Math.abs(inverse - Math.round(inverse)) < 1e-6 ? `1/${Math.round(inverse)}` : `${round(ratio, 2)}×`;
}

interface Row {
  group: SVGGElement;
  link: SVGPathElement;
  device: SVGTextElement;
  badge: SVGRectElement;
  condition: SVGTextElement;
  compression: SVGTextElement;
  up: SVGTextElement;
  down: SVGTextElement;
  split: SplitBar;
  splitText: SVGTextElement;
  latency: SVGRectElement;
  latencyText: SVGTextElement;
  qoe: SVGRectElement;
  threshold: SVGLineElement;
  qoeText: SVGTextElement;
  title: SVGTitleElement;
}

export class DdcView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly rows: Row[] = [];
  private readonly heading: SVGTextElement;
  private readonly detail: SVGTextElement;
  private readonly budget: SVGRectElement;
  private readonly budgetText: SVGTextElement;
  private readonly edgeBox: SVGRectElement;
  private readonly barTop: number;
  private readonly barHeight: number;

  constructor(first: Ddc) {
    const k = first.users.length;
    const rh = rowHeight(k);
    const roomy = rh >= 34;
    const height = TOP + k * rh + 12;
    this.element = topology(
      'ddc',
      WIDTH,
      height,
      'The edge server and each user: visual condition, compression, data sent, denoising steps split between edge and phone, latency and QoE',
    );
    const box = inbox({ x: 300, y: 8, w: 440, h: 58 }, 24, 45);
    this.heading = box.title;
    this.detail = box.detail;
    this.element.append(
      box.group,
      legend([['edge-part', 'steps at the edge e_k'], ['phone-part', 'steps on the phone'], ['limit-swatch', 'limit / threshold']], 8, 8, 1, 0),
      legend((Object.keys(CONDITIONS) as Condition[]).map((c) => [`cond ${c}`, CONDITIONS[c]]), 790, 8, 2, 100),
    );
    const heads: [number, string][] = [
      [COL.user, 'speed · budget'],
      [COL.condition, 'condition α·β'],
      [COL.data, 'up / down'],
      [COL.split, `steps T_k: edge | phone`],
      [COL.latency, 'latency / limit'],
      [COL.qoe, 'QoE / threshold'],
    ];
    const head = s('g', { class: 'heads', 'aria-hidden': 'true' });
    for (const [x, text] of heads) head.append(s('text', { x, y: TOP - 12 }, text));
    this.element.append(head);

    // The edge server: a box spanning the rows with its step budget as a vertical bar.
    const boxTop = TOP - 6;
    const boxHeight = Math.max(90, k * rh);
    this.edgeBox = s('rect', { x: EDGE.x, y: boxTop, width: EDGE.w, height: boxHeight, rx: 10, class: 'edge-box' });
    this.barTop = boxTop + 44;
    this.barHeight = Math.max(30, boxHeight - 58);
    this.budget = s('rect', { x: EDGE.x + 14, y: this.barTop + this.barHeight, width: 22, height: 0, class: 'edge-part' });
    this.budgetText = s('text', { x: EDGE.x + 44, y: this.barTop + 14, class: 'budget-text' });
    this.element.append(
      this.edgeBox,
      s('text', { x: EDGE.x + EDGE.w / 2, y: boxTop + 22, 'text-anchor': 'middle', class: 'edge-name' }, 'Edge server'),
      s('text', { x: EDGE.x + EDGE.w / 2, y: boxTop + 37, 'text-anchor': 'middle', class: 'edge-detail' }, `${seconds(first.edge.step_s)} per step`),
      s('rect', { x: EDGE.x + 14, y: this.barTop, width: 22, height: this.barHeight, class: 'budget-track' }),
      this.budget,
      this.budgetText,
    );

    first.users.forEach((_user, i) => {
      const y = TOP + i * rh;
      const mid = y + rh / 2;
      const line1 = roomy ? mid - 4 : mid + 4;
      const line2 = mid + 12;
      const group = s('g', { class: 'user', 'data-user': i });
      const link = s('path', { d: `M${EDGE.x + EDGE.w},${Math.min(Math.max(mid, boxTop + 10), boxTop + boxHeight - 10)} C${EDGE.x + EDGE.w + 15},${mid} ${COL.user - 25},${mid} ${COL.user - 10},${mid}`, class: 'link' });
      const barH = Math.min(18, rh * 0.5);
      const device = s('text', { x: COL.user, y: line2, class: 'sub' });
      const badge = s('rect', { x: COL.condition, y: line1 - 13, width: 52, height: 17, rx: 4, class: 'cond' });
      const condition = s('text', { x: COL.condition + 26, y: line1, 'text-anchor': 'middle', class: 'cond-name' });
      const compression = s('text', { x: COL.condition, y: line2, class: 'sub' });
      const up = s('text', { x: COL.data, y: line1, class: 'value' });
      const down = s('text', { x: COL.data, y: line2, class: 'sub' });
      const split = new SplitBar([{ cls: 'edge-part', name: 'edge' }, { cls: 'phone-part', name: 'phone' }], COL.split, mid - barH / 2, 170, barH, (v) => String(v));
      const splitText = s('text', { x: COL.split + 176, y: mid + 5, class: 'value' });
      const latencyTrack = s('rect', { x: COL.latency, y: mid - barH / 2, width: LATENCY_W, height: barH, class: 'track' });
      const latency = s('rect', { x: COL.latency, y: mid - barH / 2, width: 0, height: barH, class: 'latency' });
      const limitX = COL.latency + LATENCY_W / 1.5;
      const limit = s('line', { x1: limitX, x2: limitX, y1: mid - barH / 2 - 3, y2: mid + barH / 2 + 3, class: 'limit' });
      const latencyText = s('text', { x: COL.latency + LATENCY_W + 5, y: mid + 5, class: 'value' });
      const qoeTrack = s('rect', { x: COL.qoe, y: mid - barH / 2, width: QOE_W, height: barH, class: 'track' });
      const qoe = s('rect', { x: COL.qoe, y: mid - barH / 2, width: 0, height: barH, class: 'qoe' });
      const threshold = s('line', { y1: mid - barH / 2 - 3, y2: mid + barH / 2 + 3, class: 'limit' });
      const qoeText = s('text', { x: COL.qoe + QOE_W + 5, y: mid + 5, class: 'value' });
      const title = s('title');
      group.append(
        s('rect', { x: COL.user - 10, y: y + 1, width: COL.end - COL.user + 14, height: rh - 2, rx: 6, class: i % 2 ? 'row odd' : 'row' }),
        link,
        s('text', { x: COL.user, y: line1, class: 'name' }, `User ${i + 1}`),
        badge, condition, up,
        split.group, splitText,
        latencyTrack, latency, limit, latencyText,
        qoeTrack, qoe, threshold, qoeText,
        title,
      );
      // Compact rows keep one line each: the second lines are in the row's tooltip.
      if (roomy) group.append(device, compression, down);
      this.element.append(group);
      this.rows.push({ group, link, device, badge, condition, compression, up, down, split, splitText, latency, latencyText, qoe, threshold, qoeText, title });
    });
    this.render(first, false);
  }

  render(snapshot: Snapshot, animate: boolean): void {
    if (snapshot.scenario !== 'ddc') return;
    const snap = snapshot;
    const decided = snap.users.filter((u) => u.last);
    const satisfied = decided.filter((u) => u.last?.satisfied).length;
    const done = snap.slot >= snap.slots;
    this.heading.textContent = done ? `Episode finished · ${snap.slots} slots` : `Slot ${snap.slot + 1} of ${snap.slots} · ${snap.users.length} users (${snap.user_side} on the phones)`;
    this.detail.textContent = decided.length
      ? `last slot: ${satisfied} of ${decided.length} satisfied · reward ${signed(snap.last_reward ?? Number.NaN)} · ${snap.totals.satisfied} of ${snap.totals.requests} so far`
      : `latency limit ${seconds(snap.latency_limit_s)} · the edge splits each user's denoising steps`;

    const { used_steps: used, budget_steps: budget } = snap.edge;
    const hb = this.barHeight * share(used, budget);
    set(this.budget, { y: this.barTop + this.barHeight - hb, height: hb, class: used > budget ? 'edge-part over' : 'edge-part' });
    this.budgetText.textContent = `${used} of ${budget}`;
    set(this.edgeBox, { class: used > budget ? 'edge-box over' : 'edge-box' });

    snap.users.forEach((user, i) => {
      const row = this.rows[i];
      if (!row) return;
      const last = user.last ?? null;
      const request = last?.request ?? user.pending ?? null;
      row.device.textContent = `${speedText(user.device.speed_ratio)} · ${round(user.device.budget_steps, 1)} steps`;
      if (request) {
        set(row.badge, { class: `cond ${request.condition}` });
        row.condition.textContent = CONDITIONS[request.condition];
        row.compression.textContent = `α ${round(request.alpha, 3)} · β ${round(request.beta, 1)}`;
        row.up.textContent = `↑ ${round(request.upload_kb, 1)} KB`;
      }
      row.down.textContent = last ? `↓ ${round(last.downlink_kb, 1)} KB` : '';
      row.split.update(last ? [last.edge_steps, last.phone_steps] : null, MAX_STEPS);
      row.splitText.textContent = last ? `${last.steps} steps` : '';
      set(row.latency, { width: LATENCY_W * share(last?.latency_s ?? 0, 1.5 * snap.latency_limit_s), class: last && last.latency_s > snap.latency_limit_s ? 'latency late' : 'latency' });
      row.latencyText.textContent = last ? seconds(last.latency_s) : '';
      const threshold = request?.qoe_threshold ?? 0;
      const tx = COL.qoe + QOE_W * share(threshold, 1);
      set(row.threshold, { x1: tx, x2: tx, visibility: request ? 'visible' : 'hidden' });
      set(row.qoe, { width: QOE_W * share(last?.qoe ?? 0, 1), class: last && last.qoe < threshold ? 'qoe low' : 'qoe' });
      row.qoeText.textContent = last ? `${round(last.qoe, 2)} ${last.satisfied ? '✓' : '✗'}` : '';
      set(row.qoeText, { class: last ? (last.satisfied ? 'value ok' : 'value bad') : 'value' });
      set(row.link, { class: last ? (last.satisfied ? 'link ok' : 'link bad') : 'link' });
      set(row.group, {
        'data-condition': request?.condition,
        'data-steps': last?.steps,
        'data-edge-steps': last?.edge_steps,
        'data-satisfied': last ? String(last.satisfied) : undefined,
      });
      row.title.textContent = last
        ? `User ${i + 1}: ${CONDITIONS[last.request.condition]} at α ${last.request.alpha}, β ${last.request.beta} (${round(last.request.upload_kb, 1)} KB up in ${seconds(last.upload_s)}), ${last.steps} steps: ${last.edge_steps} at the edge, ${last.phone_steps} on the phone (${seconds(last.denoise_s)}), latency ${seconds(last.latency_s)}, QoE ${round(last.qoe, 3)} vs threshold ${round(last.request.qoe_threshold, 3)} (ω_I ${round(last.request.omega_i, 2)}), utility ${round(last.utility, 3)}`
        : `User ${i + 1}: phone at ${speedText(user.device.speed_ratio)} of the edge's speed, ${user.device.budget_steps} steps per slot; no decision yet`;
      if (animate && last) row.split.group.animate?.([{ opacity: 0.2 }, { opacity: 1 }], { duration: 240 });
    });
    set(this.element, { 'data-slot': snap.slot, 'data-edge-steps': used });
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'ddc' || snapshot.slot === 0) return null;
    const lasts = snapshot.users.map((u) => u.last).filter((l) => l !== null && l !== undefined);
    if (lasts.length === 0) return null;
    const satisfied = lasts.filter((l) => l.satisfied).length;
    const splits = lasts.map((l) => `${l.edge_steps}|${l.phone_steps}`).join(' ');
    return {
      key: String(snapshot.slot),
      target: splits,
      text: `Slot ${snapshot.slot}: ${satisfied}/${lasts.length} satisfied, reward ${signed(snapshot.last_reward ?? Number.NaN)}`,
      bad: 2 * satisfied < lasts.length,
    };
  }
}
