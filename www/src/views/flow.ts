// `flow` topology: the arriving flow above the gateways, the edge server below them. Each gateway shows its
// utilisation (bandwidth held over capacity) and its queue per priority class (data not yet sent, Mbit);
// the last decision is an arrow from the flow to the class queue it was put in, the edge server counts the
// flows it is processing, and the last flow's latency is split into its parts against its deadline.
import { s, set } from '../dom';
import { percent, round, signed } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { SplitBar, arrowMarker, columns, drawOn, inbox, legend, niceCeil, seconds, share, topology } from './parts';
import type { ScenarioView } from './view';
import './flow.css';

type Flow = SnapshotOf<'flow'>;

const WIDTH = 1000;
const HEIGHT = 490;
const INBOX = { x: 260, y: 8, w: 480, h: 62 };
const GW_TOP = 150;
const BAR_TOP = 176;
const BAR_BOTTOM = 300;
const EDGE = { x: 330, y: 364, w: 340, h: 44 };
const LATENCY = { x: 250, y: 452, w: 560, h: 22 };
const CLASSES = 3;

/** Milliseconds for flow latencies: "123 ms", "1.2 s" (at or above one second). */
export function millis(value_s: number): string {
  if (!Number.isFinite(value_s)) return '–';
  return Math.abs(value_s) >= 1 ? seconds(value_s) : `${round(value_s * 1000, value_s < 0.01 ? 1 : 0)} ms`;
}

interface Column {
  group: SVGGElement;
  frame: SVGRectElement;
  util: SVGRectElement;
  utilText: SVGTextElement;
  queues: SVGRectElement[];
  link: SVGLineElement;
  title: SVGTitleElement;
  centre: number;
  queueX: number[];
}

export class FlowView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly columns: Column[] = [];
  private readonly heading: SVGTextElement;
  private readonly detail: SVGTextElement;
  private readonly arrow: SVGPathElement;
  private readonly edgeText: SVGTextElement;
  private readonly dots: SVGGElement;
  private readonly scaleText: SVGTextElement;
  private readonly lastText: SVGTextElement;
  private readonly latency: SplitBar;
  private readonly deadline: SVGLineElement;
  private readonly queueWidth: number;

  constructor(first: Flow) {
    this.element = topology('flow', WIDTH, HEIGHT, 'Gateways with their utilisation and per-priority queues, the arriving flow and the edge server');
    this.element.append(arrowMarker('flow-arrow', 'flow-arrowhead'));
    const box = inbox(INBOX, 26, 48);
    this.heading = box.title;
    this.detail = box.detail;
    this.scaleText = s('text', { x: WIDTH - 8, y: 118, 'text-anchor': 'end', class: 'scale' });
    this.element.append(
      box.group,
      legend([['util', 'utilisation (held / capacity)'], ['q1', 'queue class 1 (low)'], ['q2', 'queue class 2'], ['q3', 'queue class 3 (high)']], 8, 8, 1, 0),
      legend([['frame chosen', 'last flow queued here']], 790, 8, 1, 0),
      this.scaleText,
    );

    const n = first.gateways.length;
    const cols = columns(n, 0, WIDTH, 4, 0.8, 0);
    // The utilisation bar and the class queues share the column's bar: they stay inside it however narrow.
    const inner = cols.bar;
    const utilWidth = inner * 0.22;
    this.queueWidth = (inner - utilWidth) / (CLASSES + 0.5);
    const names = cols.width >= 26;
    const labels = cols.width >= 44;
    const edgeTop = EDGE.y;
    first.gateways.forEach((gw, g) => {
      const centre = cols.centre(g);
      const left = centre - inner / 2;
      const group = s('g', { class: 'gateway', 'data-gateway': g });
      const frame = s('rect', { x: centre - cols.frame / 2, y: GW_TOP, width: cols.frame, height: BAR_BOTTOM - GW_TOP + 40, rx: 6, class: 'frame' });
      const utilTrack = s('rect', { x: left, y: BAR_TOP, width: utilWidth, height: BAR_BOTTOM - BAR_TOP, class: 'track' });
      const util = s('rect', { x: left, y: BAR_BOTTOM, width: utilWidth, height: 0, class: 'util' });
      const queueX = Array.from({ length: CLASSES }, (_, c) => left + utilWidth + this.queueWidth * (c + 0.5));
      const queues = queueX.map((x, c) => s('rect', { x, y: BAR_BOTTOM, width: this.queueWidth * 0.9, height: 0, class: `q${c + 1}`, 'data-class': c + 1 }));
      const utilText = s('text', { x: centre, y: BAR_BOTTOM + 16, 'text-anchor': 'middle', class: 'util-text' });
      const link = s('line', { x1: centre, y1: BAR_BOTTOM + 40, x2: EDGE.x + EDGE.w * ((g + 0.5) / n), y2: edgeTop, class: 'link' });
      const title = s('title');
      group.append(frame, utilTrack, util, ...queues, link, title);
      if (names) group.append(s('text', { x: centre, y: GW_TOP + 16, 'text-anchor': 'middle', class: 'name' }, `G${g}`));
      if (labels) {
        group.append(
          utilText,
          s('text', { x: centre, y: BAR_BOTTOM + 31, 'text-anchor': 'middle', class: 'capacity' }, `${round(gw.capacity_mbit_s, 0)} Mbit/s`),
        );
      }
      this.element.append(group);
      this.columns.push({ group, frame, util, utilText, queues, link, title, centre, queueX });
    });
    // 100 % utilisation line across all gateways.
    this.element.append(s('line', { x1: 0, x2: WIDTH, y1: BAR_TOP, y2: BAR_TOP, class: 'full' }));

    this.edgeText = s('text', { x: EDGE.x + EDGE.w / 2, y: EDGE.y + 18, 'text-anchor': 'middle', class: 'edge-name' });
    this.dots = s('g', { class: 'active' });
    this.arrow = s('path', { class: 'arrow', 'marker-end': 'url(#flow-arrow)', visibility: 'hidden' });
    this.lastText = s('text', { x: WIDTH / 2, y: LATENCY.y - 10, 'text-anchor': 'middle', class: 'last' });
    this.latency = new SplitBar(
      [{ cls: 'queueing', name: 'queue' }, { cls: 'transmission', name: 'send' }, { cls: 'processing', name: 'compute' }, { cls: 'propagation', name: 'prop.' }],
      LATENCY.x, LATENCY.y, LATENCY.w, LATENCY.h,
      (v, part) => `${part.name} ${millis(v)}`,
    );
    this.deadline = s('line', { y1: LATENCY.y - 4, y2: LATENCY.y + LATENCY.h + 4, class: 'deadline', visibility: 'hidden' });
    this.element.append(
      s('rect', { x: EDGE.x, y: EDGE.y, width: EDGE.w, height: EDGE.h, rx: 10, class: 'edge-box' }),
      this.edgeText,
      this.dots,
      this.arrow,
      this.lastText,
      this.latency.group,
      this.deadline,
      legend([['queueing', 'queueing'], ['transmission', 'sending'], ['processing', 'computing'], ['deadline-swatch', 'deadline']], 12, LATENCY.y - 44, 1, 0),
    );
    this.render(first, false);
  }

  render(snapshot: Snapshot, animate: boolean): void {
    if (snapshot.scenario !== 'flow') return;
    const snap = snapshot;
    const pending = snap.pending ?? null;
    if (pending) {
      this.heading.textContent = `Flow ${pending.index + 1} of ${snap.flows_total} · ${pending.kind}, priority ${pending.priority} · t = ${seconds(snap.time_s)}`;
      this.detail.textContent = `needs ${round(pending.rate_mbit_s, 1)} Mbit/s · ${round(pending.data_mbit, 2)} Mbit · deadline ${millis(pending.deadline_s)} · ${round(pending.compute_gflop, 2)} GFLOP`;
    } else {
      const met = snap.totals.completed.reduce((a, b) => a + b, 0);
      this.heading.textContent = 'Episode finished';
      this.detail.textContent = `${met} of ${snap.decided} flows met their deadline`;
    }

    const scale = niceCeil(Math.max(...snap.gateways.flatMap((g) => g.queue_mbit)), 1);
    this.scaleText.textContent = `queues: full height = ${round(scale, 1)} Mbit`;
    const h = BAR_BOTTOM - BAR_TOP;
    snap.gateways.forEach((gw, g) => {
      const col = this.columns[g];
      if (!col) return;
      const hu = h * share(gw.utilisation, 1);
      set(col.util, { y: BAR_BOTTOM - hu, height: hu, class: gw.utilisation > 1 ? 'util over' : 'util' });
      col.utilText.textContent = percent(gw.utilisation);
      col.queues.forEach((rect, c) => {
        const hq = h * share(gw.queue_mbit[c] ?? 0, scale);
        set(rect, { y: BAR_BOTTOM - hq, height: hq, class: `q${c + 1}` });
      });
      set(col.frame, { class: 'frame' });
      set(col.link, { class: 'link' });
      set(col.group, { 'data-utilisation': round(gw.utilisation, 4), 'data-queued': gw.queued_flows.join(',') });
      col.title.textContent = `Gateway ${g}: ${round(gw.capacity_mbit_s, 1)} Mbit/s, ${round(gw.held_mbit_s, 1)} held by ${gw.transmitting} sending (${percent(gw.utilisation)}); queued per class 1/2/3: ${gw.queue_mbit.map((q) => round(q, 2)).join(' / ')} Mbit in ${gw.queued_flows.join(' / ')} flows`;
    });

    const active = snap.edge.active;
    this.edgeText.textContent = `Edge server · ${round(snap.edge.compute_gflop_s, 0)} GFLOP/s · ${active} processing`;
    const shown = Math.min(active, 24);
    if (this.dots.children.length !== shown) {
      this.dots.replaceChildren(
        ...Array.from({ length: shown }, (_, i) => s('circle', { cx: EDGE.x + EDGE.w / 2 - ((shown - 1) * 9) / 2 + i * 9, cy: EDGE.y + 32, r: 3.2 })),
      );
    }

    const last = snap.last ?? null;
    const col = last ? this.columns[last.gateway] : undefined;
    set(this.element, { 'data-last-gateway': last?.gateway, 'data-last-class': last?.class, 'data-active': active, 'data-decided': snap.decided });
    if (last && col) {
      set(col.frame, { class: last.met_deadline ? 'frame chosen' : 'frame chosen missed' });
      set(col.link, { class: 'link chosen' });
      const queue = col.queues[last.class - 1];
      if (queue) set(queue, { class: `q${last.class} picked` });
      const x = (col.queueX[last.class - 1] ?? col.centre) + this.queueWidth * 0.45;
      set(this.arrow, { d: `M${WIDTH / 2},${INBOX.y + INBOX.h} C${WIDTH / 2},${GW_TOP - 30} ${x},${GW_TOP - 50} ${x},${GW_TOP - 4}`, visibility: 'visible' });
      const o = last.outcome;
      const over = o.over_capacity ? ', gateway over capacity' : '';
      this.lastText.textContent = `Last: flow ${last.flow + 1} (priority ${last.priority}) → G${last.gateway}, class ${last.class}: ${millis(o.latency_s)} vs deadline ${millis(last.deadline_s)} — ${last.met_deadline ? 'met' : 'missed'}${over} (reward ${signed(last.reward)})`;
      const max = Math.max(o.latency_s, last.deadline_s);
      this.latency.update([o.queueing_s, o.transmission_s, o.processing_s, o.propagation_s], max);
      const dx = LATENCY.x + LATENCY.w * share(last.deadline_s, max);
      set(this.deadline, { x1: dx, x2: dx, visibility: 'visible' });
      if (animate) drawOn(this.arrow, 260);
    } else {
      set(this.arrow, { visibility: 'hidden' });
      this.lastText.textContent = 'No decision yet: each flow gets a gateway and a priority class';
      this.latency.update(null, 1);
      set(this.deadline, { visibility: 'hidden' });
    }
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'flow' || !snapshot.last) return null;
    const d = snapshot.last;
    return {
      key: String(d.flow),
      target: `${d.gateway}/${d.class}`,
      text: `Flow ${d.flow + 1} p${d.priority} → G${d.gateway} class ${d.class}: ${millis(d.outcome.latency_s)} / ${millis(d.deadline_s)}`,
      bad: !d.met_deadline,
    };
  }
}
