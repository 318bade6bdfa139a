// `lad` topology: the edge servers side by side, each with its queue in seconds of work — the backlog Q
// carried into the slot and the work P assigned to it in this slot, both over its capacity f — and the
// base station under it. The arriving task is described above; the last decision is an arc from the base
// station the task arrived at to the server it was sent to, and its delay is split into waiting, computing
// and transfers at the bottom.
import { s, set } from '../dom';
import { round, signed } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { SplitBar, arcPath, arrowMarker, columns, drawOn, inbox, legend, niceCeil, seconds, topology } from './parts';
import type { ScenarioView } from './view';
import './lad.css';

type Lad = SnapshotOf<'lad'>;
type Server = Lad['servers'][number];

const WIDTH = 1000;
const HEIGHT = 470;
const BAR_TOP = 160;
const BAR_BOTTOM = 332;
const INBOX = { x: 230, y: 10, w: 540, h: 62 };
/** Left margin for the axis labels. */
const PLOT_LEFT = 46;
const DELAY = { x: 200, y: 430, w: 600, h: 22 };

interface Column {
  group: SVGGElement;
  frame: SVGRectElement;
  backlog: SVGRectElement;
  slotWork: SVGRectElement;
  queue: SVGTextElement;
  tower: SVGPathElement;
  title: SVGTitleElement;
  centre: number;
}

/** The queue of a server in seconds of its work: backlog `Q/f` and this slot's work `P/f`. */
export function queueSeconds(server: Server): { backlog_s: number; slot_s: number } {
  return { backlog_s: server.backlog_gcycles / server.capacity_ghz, slot_s: server.slot_work_gcycles / server.capacity_ghz };
}

/** A queue length in two significant digits (at least whole seconds): "0.057", "1.3", "42". */
export function significant(value: number): string {
  const digits = Math.max(0, 1 - Math.floor(Math.log10(Math.abs(value) || 1)));
  return round(value, digits);
}

export class LadView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly columns: Column[] = [];
  private readonly taskTitle: SVGTextElement;
  private readonly taskDetail: SVGTextElement;
  private readonly gridLabels: SVGTextElement[] = [];
  private readonly arc: SVGPathElement;
  private readonly lastText: SVGTextElement;
  private readonly delay: SplitBar;
  private readonly barWidth: number;

  constructor(first: Lad) {
    this.element = topology('lad', WIDTH, HEIGHT, 'Edge servers with their queued work in seconds, the arriving task and the last offloading decision');
    this.element.append(arrowMarker('lad-arrow', 'lad-arrowhead'));
    const box = inbox(INBOX, 26, 48);
    this.taskTitle = box.title;
    this.taskDetail = box.detail;
    this.element.append(
      box.group,
      legend([['backlog', 'backlog Q (s of work)'], ['slotwork', 'assigned this slot P'], ['tower source', 'deciding base station'], ['frame chosen', 'last task sent here']], 8, 8, 1, 0),
    );

    // Grid lines at 0, ½ and the full scale, labelled at the left.
    const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
    for (const f of [0, 0.5, 1]) {
      const y = BAR_BOTTOM - f * (BAR_BOTTOM - BAR_TOP);
      grid.append(s('line', { x1: PLOT_LEFT, x2: WIDTH, y1: y, y2: y }));
      const label = s('text', { x: PLOT_LEFT - 4, y: y + 4, 'text-anchor': 'end' });
      this.gridLabels.push(label);
      grid.append(label);
    }
    this.element.append(grid);

    const cols = columns(first.servers.length, PLOT_LEFT, WIDTH, 2, 0.56, 1.5);
    this.barWidth = cols.bar;
    const labels = cols.width >= 30;
    if (labels) this.element.append(s('text', { x: PLOT_LEFT - 4, y: BAR_BOTTOM + 31, 'text-anchor': 'end', class: 'capacity' }, 'GHz'));
    first.servers.forEach((srv, j) => {
      const centre = cols.centre(j);
      const group = s('g', { class: 'server', 'data-server': j });
      const frame = s('rect', { x: centre - cols.frame / 2, y: BAR_TOP - 20, width: cols.frame, height: 262, rx: 6, class: 'frame' });
      const backlog = s('rect', { x: centre - this.barWidth / 2, y: BAR_BOTTOM, width: this.barWidth, height: 0, class: 'backlog' });
      const slotWork = s('rect', { x: centre - this.barWidth / 2, y: BAR_BOTTOM, width: this.barWidth, height: 0, class: 'slotwork' });
      const queue = s('text', { x: centre, y: BAR_BOTTOM, 'text-anchor': 'middle', class: 'queue' });
      const w = Math.min(9, cols.width * 0.3);
      const tower = s('path', { d: `M${centre},${BAR_BOTTOM + 44} l${-w},${22} h${2 * w} z`, class: 'tower' });
      const title = s('title');
      group.append(frame, backlog, slotWork, queue, tower, title);
      if (labels) {
        group.append(
          s('text', { x: centre, y: BAR_BOTTOM + 16, 'text-anchor': 'middle', class: 'name' }, `S${j}`),
          s('text', { x: centre, y: BAR_BOTTOM + 31, 'text-anchor': 'middle', class: 'capacity' }, round(srv.capacity_ghz, 1)),
        );
      }
      this.element.append(group);
      this.columns.push({ group, frame, backlog, slotWork, queue, tower, title, centre });
    });

    this.arc = s('path', { class: 'arc', 'marker-end': 'url(#lad-arrow)', visibility: 'hidden' });
    this.lastText = s('text', { x: WIDTH / 2, y: DELAY.y - 10, 'text-anchor': 'middle', class: 'last' });
    this.delay = new SplitBar(
      [{ cls: 'wait', name: 'wait' }, { cls: 'compute', name: 'compute' }, { cls: 'transfer', name: 'transfer' }],
      DELAY.x, DELAY.y, DELAY.w, DELAY.h,
      (v, part) => `${part.name} ${seconds(v)}`,
    );
    this.element.append(
      this.arc,
      this.lastText,
      this.delay.group,
      legend([['wait', 'waiting'], ['compute', 'computing'], ['transfer', 'transfers']], 8, DELAY.y - 16, 1, 0),
    );
    this.render(first, false);
  }

  render(snapshot: Snapshot, animate: boolean): void {
    if (snapshot.scenario !== 'lad') return;
    const snap = snapshot;
    const pending = snap.pending ?? null;
    if (pending) {
      this.taskTitle.textContent = `Slot ${pending.slot + 1} of ${snap.decision_slots} · task ${pending.index + 1} at BS ${pending.source}`;
      this.taskDetail.textContent = `${round(pending.size_mbit, 2)} Mbit in · ${round(pending.work_gcycles, 2)} Gcycles (${pending.profile.quality_steps} steps) · ${round(pending.profile.result_size_mbit, 2)} Mbit out · ${snap.decided} of ${snap.tasks_total} decided`;
    } else {
      this.taskTitle.textContent = 'Episode finished';
      this.taskDetail.textContent = `${snap.tasks_total} tasks decided in ${snap.decision_slots} slots · ${snap.totals.offloaded} off-loaded`;
    }

    const queues = snap.servers.map(queueSeconds);
    const scale = niceCeil(Math.max(...queues.map((q) => q.backlog_s + q.slot_s)), 0.01);
    this.gridLabels.forEach((label, i) => (label.textContent = i === 0 ? '0' : seconds((scale * i) / 2)));
    const px = (BAR_BOTTOM - BAR_TOP) / scale;
    snap.servers.forEach((srv, j) => {
      const col = this.columns[j];
      const q = queues[j];
      if (!col || !q) return;
      const hb = q.backlog_s * px;
      const hp = q.slot_s * px;
      set(col.backlog, { y: BAR_BOTTOM - hb, height: hb });
      set(col.slotWork, { y: BAR_BOTTOM - hb - hp, height: hp });
      const total = q.backlog_s + q.slot_s;
      col.queue.textContent = this.barWidth >= 18 && total > 0 ? significant(total) : '';
      set(col.queue, { y: BAR_BOTTOM - hb - hp - 4 });
      set(col.tower, { class: pending?.source === j ? 'tower source' : 'tower' });
      set(col.group, { 'data-queue-s': round(srv.queue_s, 3), 'data-slot-tasks': srv.slot_tasks });
      col.title.textContent = `Server ${j}: ${round(srv.capacity_ghz, 1)} GHz, link ${round(srv.link_rate_mbit_s, 0)} Mbit/s · backlog ${round(srv.backlog_gcycles, 2)} Gcycles (${seconds(q.backlog_s)}), this slot ${round(srv.slot_work_gcycles, 2)} Gcycles (${seconds(q.slot_s)}), ${srv.slot_tasks} tasks · ${srv.total_tasks} tasks this episode, load ${round(srv.load, 2)}`;
      set(col.frame, { class: 'frame' });
    });

    const last = snap.last ?? null;
    const from = last ? this.columns[last.source] : undefined;
    const to = last ? this.columns[last.destination] : undefined;
    set(this.element, {
      'data-slot': snap.slot,
      'data-pending-source': pending?.source,
      'data-last-source': last?.source,
      'data-last-destination': last?.destination,
    });
    if (last && from && to) {
      set(to.frame, { class: 'frame chosen' });
      const lift = Math.min(54, 18 + Math.abs(to.centre - from.centre) * 0.12);
      set(this.arc, { d: arcPath(from.centre, to.centre, BAR_TOP - 22, lift), visibility: 'visible' });
      const where = last.source === last.destination ? 'kept at its own server' : `off-loaded to S${last.destination}`;
      this.lastText.textContent = `Last: slot ${last.slot + 1}, BS ${last.source} task ${last.index + 1} → ${where} · delay ${seconds(last.delay_s)} (reward ${signed(last.reward)})`;
      this.delay.update([last.delay.wait_s, last.delay.compute_s, last.delay.transfer_s], last.delay_s);
      if (animate) drawOn(this.arc, 280);
    } else {
      set(this.arc, { visibility: 'hidden' });
      this.lastText.textContent = 'No decision yet: each task goes to one of the servers';
      this.delay.update(null, 1);
    }
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'lad' || !snapshot.last) return null;
    const d = snapshot.last;
    return {
      key: `${d.slot}.${d.source}.${d.index}`,
      target: String(d.destination),
      text: `Slot ${d.slot + 1}, BS ${d.source} task ${d.index + 1} → S${d.destination}: ${seconds(d.delay_s)}`,
      bad: false,
    };
  }
}
