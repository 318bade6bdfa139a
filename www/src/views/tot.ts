// `tot` topology: the Tree-of-Thoughts DAG above its schedule. The DAG runs left to right — the input
// thought, S steps of M thoughts, the output thought — each thought coloured by the server that generates it
// (open while unassigned), the best of each step ringed and the pending thought dashed; every thought is
// linked to the best thought of the step before, which it builds on. Below, the Gantt chart of the servers
// (after the paper's Fig. 5): one row per server, a bar per thought from start to finish, a thin line for
// each transfer of the previous step's best thought to another server, and for the pending thought a dashed
// outline on every row showing when it would finish there.
import { s, set } from '../dom';
import { round, signed } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { inbox, legend, niceCeil, seconds, topology } from './parts';
import type { ScenarioView } from './view';
import './tot.css';

type Tot = SnapshotOf<'tot'>;
type Thought = Tot['thoughts'][number];

const WIDTH = 1000;
const HEIGHT = 610;
const INBOX = { x: 300, y: 8, w: 400, h: 58 };
const DAG = { left: 70, right: 930, top: 92, bottom: 292 };
const GANTT = { left: 150, right: 980, top: 340, bottom: 588 };
/** Colours (classes srv-0…) exist for the BS and up to 12 service providers. */
const COLOURS = 13;

/** Where the DAG puts thought `t`: its column (step) and row (index), in drawing units. */
export function dagPosition(t: Pick<Thought, 'step' | 'index'>, steps: number, perStep: number): { x: number; y: number } {
  const x = DAG.left + (t.step * (DAG.right - DAG.left)) / (steps + 1);
  const single = t.step === 0 || t.step === steps + 1;
  const y = single ? (DAG.top + DAG.bottom) / 2 : DAG.top + ((t.index + 0.5) * (DAG.bottom - DAG.top)) / perStep;
  return { x, y };
}

/** The latest finish of each step's scheduled thoughts (0 where none is scheduled), index = step. */
export function stepEnds(thoughts: Pick<Thought, 'step' | 'schedule'>[]): number[] {
  const ends: number[] = [];
  for (const t of thoughts) ends[t.step] = Math.max(ends[t.step] ?? 0, t.schedule?.finish_s ?? 0);
  return Array.from(ends, (v) => v ?? 0);
}

/** The server's class, for its colour. */
function server(m: number): string {
  return `srv-${m % COLOURS}`;
}

interface Node {
  group: SVGGElement;
  dot: SVGCircleElement;
  ring: SVGCircleElement;
  edge: SVGLineElement;
  title: SVGTitleElement;
  x: number;
  y: number;
}

interface Row {
  group: SVGGElement;
  label: SVGTextElement;
  detail: SVGTextElement;
  ghost: SVGRectElement;
  y: number;
}

interface Bar {
  rect: SVGRectElement;
  label: SVGTextElement;
  transfer: SVGLineElement;
}

export class TotView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly nodes: Node[] = [];
  private readonly rows: Row[] = [];
  private readonly bars: Bar[] = [];
  private readonly title: SVGTextElement;
  private readonly detail: SVGTextElement;
  private readonly ticks: SVGTextElement[] = [];
  private readonly barrier: SVGLineElement;
  private readonly rowHeight: number;
  private readonly nodeRadius: number;

  constructor(first: Tot) {
    this.element = topology('tot', WIDTH, HEIGHT, 'Tree-of-Thoughts DAG coloured by the server of each thought, and the servers\u2019 generation timeline');
    const box = inbox(INBOX, 24, 45);
    this.title = box.title;
    this.detail = box.detail;
    this.element.append(box.group, legend([['best-swatch', 'best of its step'], ['pending-swatch', 'thought to assign'], ['open-swatch', 'not yet assigned']], 8, 8, 1, 0));

    // DAG: step labels, edges under the nodes.
    const { steps, thoughts_per_step: perStep } = first;
    const spacing = Math.min((DAG.bottom - DAG.top) / perStep, (DAG.right - DAG.left) / (steps + 1));
    this.nodeRadius = Math.max(4, Math.min(12, spacing * 0.36));
    const stepLabels = s('g', { class: 'step-labels', 'aria-hidden': 'true' });
    for (let step = 0; step <= steps + 1; step++) {
      const { x } = dagPosition({ step, index: 0 }, steps, perStep);
      const text = step === 0 ? 'input' : step === steps + 1 ? 'output' : `step ${step}`;
      stepLabels.append(s('text', { x, y: DAG.bottom + 22, 'text-anchor': 'middle' }, text));
    }
    const edges = s('g', { class: 'edges' });
    const nodes = s('g', { class: 'nodes' });
    this.element.append(stepLabels, edges, nodes);
    for (const t of first.thoughts) {
      const { x, y } = dagPosition(t, steps, perStep);
      const edge = s('line', { x1: x, y1: y, x2: x, y2: y, class: 'edge', visibility: 'hidden' });
      edges.append(edge);
      const group = s('g', { class: 'thought', 'data-thought': t.id });
      const ring = s('circle', { cx: x, cy: y, r: this.nodeRadius + 4, class: 'ring' });
      const dot = s('circle', { cx: x, cy: y, r: this.nodeRadius, class: 'dot open' });
      const title = s('title');
      group.append(ring, dot);
      if (this.nodeRadius >= 9) group.append(s('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'id' }, String(t.id)));
      group.append(title);
      nodes.append(group);
      this.nodes.push({ group, dot, ring, edge, title, x, y });
    }

    // Gantt: a row per server with its label, a time axis, a bar and a transfer line per thought.
    const n = first.servers.length;
    this.rowHeight = (GANTT.bottom - GANTT.top) / n;
    const axis = s('g', { class: 'axis', 'aria-hidden': 'true' });
    for (let i = 0; i <= 4; i++) {
      const x = GANTT.left + ((GANTT.right - GANTT.left) * i) / 4;
      axis.append(s('line', { x1: x, x2: x, y1: GANTT.top - 4, y2: GANTT.bottom }));
      const tick = s('text', { x, y: GANTT.top - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' });
      this.ticks.push(tick);
      axis.append(tick);
    }
    this.element.append(axis);
    const rows = s('g', { class: 'gantt' });
    for (const srv of first.servers) {
      const y = GANTT.top + srv.index * this.rowHeight;
      const group = s('g', { class: 'gantt-row', 'data-server': srv.index });
      const h = Math.min(16, this.rowHeight * 0.4);
      const label = s('text', { x: 26, y: y + this.rowHeight / 2 + (this.rowHeight >= 30 ? -2 : 4), class: 'row-name' });
      const detail = s('text', { x: 26, y: y + this.rowHeight / 2 + 12, class: 'row-detail' });
      const ghost = s('rect', { x: GANTT.left, y: y + 3, width: 0, height: this.rowHeight - 6, rx: 3, class: 'ghost', visibility: 'hidden' });
      group.append(
        s('rect', { x: GANTT.left, y, width: GANTT.right - GANTT.left, height: this.rowHeight, class: srv.index % 2 ? 'lane odd' : 'lane' }),
        s('rect', { x: 8, y: y + this.rowHeight / 2 - h / 2, width: 12, height: h, rx: 2, class: `dot ${server(srv.index)}` }),
        label,
        ghost,
      );
      if (this.rowHeight >= 30) group.append(detail);
      rows.append(group);
      this.rows.push({ group, label, detail, ghost, y });
    }
    const bars = s('g', { class: 'bars' });
    const transfers = s('g', { class: 'transfers' });
    for (const t of first.thoughts) {
      const rect = s('rect', { x: GANTT.left, y: GANTT.top, width: 0, height: 0, rx: 3, class: 'bar', 'data-thought': t.id, visibility: 'hidden' });
      const label = s('text', { x: GANTT.left, y: GANTT.top, 'text-anchor': 'middle', class: 'bar-label' });
      const transfer = s('line', { class: 'transfer', visibility: 'hidden' });
      bars.append(rect, label);
      transfers.append(transfer);
      this.bars.push({ rect, label, transfer });
    }
    this.barrier = s('line', { y1: GANTT.top - 4, y2: GANTT.bottom, class: 'barrier', visibility: 'hidden' });
    this.element.append(rows, transfers, bars, this.barrier);
    this.render(first, false);
  }

  render(snapshot: Snapshot, animate: boolean): void {
    if (snapshot.scenario !== 'tot') return;
    const snap = snapshot;
    const pending = snap.pending ?? null;
    const names = (m: number) => (m === 0 ? 'BS' : `SP ${m}`);
    if (pending) {
      this.title.textContent = `Step ${pending.step} of ${snap.steps} · thought ${pending.thought} (${pending.index + 1} of ${snap.thoughts_per_step})`;
      this.detail.textContent = `needs ${round(pending.data_kb, 1)} KB from ${names(pending.source_server)} · so far ${seconds(snap.totals.makespan_s)}, all at BS ${seconds(snap.local_delay_s)}`;
    } else {
      const met = snap.totals.score >= snap.score_min;
      this.title.textContent = `Done in ${seconds(snap.totals.makespan_s)} (all at BS: ${seconds(snap.local_delay_s)})`;
      this.detail.textContent = `score ${round(snap.totals.score, 1)} ${met ? '≥' : '<'} required ${round(snap.score_min, 1)} · ${snap.totals.offloaded} thoughts off-loaded`;
    }

    // DAG.
    snap.thoughts.forEach((t, i) => {
      const node = this.nodes[i];
      if (!node) return;
      const m = t.schedule?.server;
      set(node.dot, { class: m === undefined ? 'dot open' : `dot ${server(m)}` });
      const isPending = pending?.thought === t.id;
      set(node.ring, { class: t.best ? 'ring best' : isPending ? 'ring pending' : 'ring' });
      set(node.group, { 'data-server': m, 'data-best': t.best ? 'true' : undefined, 'data-pending': isPending ? 'true' : undefined });
      const parent = t.parent ?? null;
      const from = parent === null ? undefined : this.nodes[parent];
      if (from) {
        const dx = node.x - from.x;
        const dy = node.y - from.y;
        const d = Math.hypot(dx, dy) || 1;
        const r = this.nodeRadius + 2;
        set(node.edge, { x1: from.x + (dx * r) / d, y1: from.y + (dy * r) / d, x2: node.x - (dx * r) / d, y2: node.y - (dy * r) / d, visibility: 'visible' });
      } else {
        set(node.edge, { visibility: 'hidden' });
      }
      const where = t.schedule ? `${names(t.schedule.server)}, ${seconds(t.schedule.start_s)}–${seconds(t.schedule.finish_s)}, score ${round(t.schedule.score, 2)} (${t.schedule.tokens} tokens)` : 'not yet assigned';
      node.title.textContent = `Thought ${t.id} (${t.step === 0 ? 'input' : t.step > snap.steps ? 'output' : `step ${t.step}`}): ${where}${t.best ? ' · best of its step' : ''}`;
    });

    // Gantt: the time scale covers everything scheduled and where the pending thought could finish.
    const latest = Math.max(snap.totals.makespan_s, ...snap.servers.map((v) => v.busy_until_s), ...(pending?.finish_if_s ?? []));
    const scale = niceCeil(latest, 0.1);
    const x = (t: number) => GANTT.left + ((GANTT.right - GANTT.left) * Math.min(t, scale)) / scale;
    this.ticks.forEach((tick, i) => (tick.textContent = seconds((scale * i) / 4)));
    const ends = stepEnds(snap.thoughts);
    const rowMid = (m: number) => (this.rows[m]?.y ?? GANTT.top) + this.rowHeight / 2;
    snap.thoughts.forEach((t, i) => {
      const bar = this.bars[i];
      if (!bar) return;
      const sch = t.schedule ?? null;
      if (!sch) {
        set(bar.rect, { visibility: 'hidden' });
        bar.label.textContent = '';
        set(bar.transfer, { visibility: 'hidden' });
        return;
      }
      const y = this.rows[sch.server]?.y ?? GANTT.top;
      const x0 = x(sch.start_s);
      const w = Math.max(1.5, x(sch.finish_s) - x0);
      const h = this.rowHeight * 0.62;
      set(bar.rect, { x: x0, width: w, y: y + (this.rowHeight - h) / 2, height: h, class: `bar ${server(sch.server)}${pending === null && t.best ? ' best' : ''}`, visibility: 'visible' });
      bar.label.textContent = w >= 16 && h >= 11 ? String(t.id) : '';
      set(bar.label, { x: x0 + w / 2, y: y + this.rowHeight / 2 + 4 });
      // The previous step's best thought travels from its server to this one, from the step's end until ready.
      const parent = t.parent ?? null;
      const source = parent === null ? undefined : snap.thoughts[parent]?.schedule?.server;
      const sent = ends[t.step - 1] ?? 0;
      if (source !== undefined && source !== sch.server && sch.ready_s > sent) {
        set(bar.transfer, { x1: x(sent), y1: rowMid(source), x2: x(sch.ready_s), y2: rowMid(sch.server), visibility: 'visible' });
      } else {
        set(bar.transfer, { visibility: 'hidden' });
      }
    });
    snap.servers.forEach((srv, m) => {
      const row = this.rows[m];
      if (!row) return;
      row.label.textContent = names(m);
      row.detail.textContent = `${srv.tokens} tok · ${round(srv.score, 1)}`;
      set(row.group, { 'data-intervals': srv.intervals.length });
      const finish = pending?.finish_if_s[m];
      if (pending && finish !== undefined) {
        const start = Math.max(pending.barrier_s, srv.busy_until_s);
        set(row.ghost, { x: x(start), width: Math.max(2, x(finish) - x(start)), visibility: 'visible', class: finish === Math.min(...pending.finish_if_s) ? 'ghost soonest' : 'ghost' });
      } else {
        set(row.ghost, { visibility: 'hidden' });
      }
    });
    if (pending) set(this.barrier, { x1: x(pending.barrier_s), x2: x(pending.barrier_s), visibility: 'visible' });
    else set(this.barrier, { visibility: 'hidden' });

    const last = snap.last ?? null;
    set(this.element, { 'data-slot': snap.slot, 'data-pending': pending?.thought, 'data-last-thought': last?.thought, 'data-last-server': last?.server });
    if (animate && last) {
      const node = this.nodes[last.thought];
      node?.dot.animate?.([{ transform: 'scale(1.6)' }, { transform: 'scale(1)' }], { duration: 260, easing: 'ease-out' });
    }
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'tot' || !snapshot.last) return null;
    const d = snapshot.last;
    const where = d.server === 0 ? 'BS' : `SP ${d.server}`;
    const penalty = d.penalty > 0 ? `, quality penalty ${round(d.penalty, 2)}` : '';
    return { key: String(d.thought), target: String(d.server), text: `Thought ${d.thought} → ${where}: ${signed(d.reward)}${penalty}`, bad: d.penalty > 0 };
  }
}
