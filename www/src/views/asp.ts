// `asp` topology: the arriving task above a row of AIGC service providers, each drawn as a capacity bar
// (used steps filled, free steps open), with the utility the task would earn there. The last decision is
// highlighted on its provider — green when admitted, red when it crashed the provider — and, when
// animating, the task flies there.
import { s, set } from '../dom';
import { duration, round, signed } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { columns, inbox, topology } from './parts';
import type { ScenarioView } from './view';

const WIDTH = 1000;
const HEIGHT = 440;
const BAR_BOTTOM = 372;
const BAR_MAX = 226;
const INBOX = { x: 310, y: 12, w: 380, h: 66 };

interface Column {
  group: SVGGElement;
  frame: SVGRectElement;
  free: SVGRectElement;
  used: SVGRectElement;
  utility: SVGTextElement;
  crashes: SVGTextElement;
  centre: number;
}

export class AspView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly columns: Column[] = [];
  private readonly taskTitle: SVGTextElement;
  private readonly taskDetail: SVGTextElement;
  private readonly token: SVGCircleElement;
  private readonly caption: SVGTextElement;

  constructor(first: SnapshotOf<'asp'>) {
    this.element = topology('asp', WIDTH, HEIGHT, 'Service providers with their used and free capacity, and the arriving task');
    const box = inbox(INBOX, 27, 50);
    this.taskTitle = box.title;
    this.taskDetail = box.detail;
    this.caption = s('text', { x: 8, y: 108, class: 'caption' }, 'utility of this task at each provider');
    this.element.append(box.group, this.caption, legend());

    const maxCapacity = Math.max(...first.providers.map((p) => p.capacity_steps));
    const cols = columns(first.providers.length, 0, WIDTH, 2, 0.62, 2);
    const labels = cols.width >= 26;
    first.providers.forEach((p, i) => {
      const centre = cols.centre(i);
      const height = (BAR_MAX * p.capacity_steps) / maxCapacity;
      const group = s('g', { class: 'provider', 'data-provider': i });
      const frame = s('rect', { x: centre - cols.frame / 2, y: 112, width: cols.frame, height: 318, rx: 6, class: 'frame' });
      const free = s('rect', { x: centre - cols.bar / 2, y: BAR_BOTTOM - height, width: cols.bar, height, class: 'free' });
      const used = s('rect', { x: centre - cols.bar / 2, y: BAR_BOTTOM, width: cols.bar, height: 0, class: 'used' });
      const utility = s('text', { x: centre, y: 132, 'text-anchor': 'middle', class: 'utility' });
      const crashes = s('text', { x: centre, y: 424, 'text-anchor': 'middle', class: 'crashes' });
      group.append(frame, free, used, utility, crashes);
      if (labels) {
        group.append(
          s('text', { x: centre, y: 392, 'text-anchor': 'middle', class: 'name' }, `P${i}`),
          s('text', { x: centre, y: 408, 'text-anchor': 'middle', class: 'capacity' }, String(p.capacity_steps)),
        );
      }
      const title = s('title', {}, `Provider ${i}: capacity ${p.capacity_steps} steps, quality curve from (${p.curve[0]} steps, ${round(p.curve[1], 2)}) to (${p.curve[2]} steps, ${round(p.curve[3], 2)})`);
      group.append(title);
      this.element.append(group);
      this.columns.push({ group, frame, free, used, utility, crashes, centre });
    });
    this.token = s('circle', { r: 9, cx: WIDTH / 2, cy: INBOX.y + INBOX.h, class: 'token', visibility: 'hidden' });
    this.element.append(this.token);
    this.render(first, false);
  }

  render(snapshot: Snapshot, animate: boolean): void {
    if (snapshot.scenario !== 'asp') return;
    const snap = snapshot;
    const pending = snap.pending ?? null;
    if (pending) {
      this.taskTitle.textContent = `Task ${pending.index + 1} of ${snap.tasks_total} · ${pending.steps} steps`;
      const best = Math.max(...snap.providers.map((p) => p.utility));
      this.taskDetail.textContent = `runs ${duration(pending.runtime_s)} · best utility ${round(best, 2)} · t = ${duration(snap.time_s)}`;
    } else {
      this.taskTitle.textContent = 'Episode finished';
      this.taskDetail.textContent = `${snap.tasks_total} tasks decided · t = ${duration(snap.time_s)}`;
    }
    const maxUtility = Math.max(1e-9, ...snap.providers.map((p) => p.utility));
    snap.providers.forEach((p, i) => {
      const col = this.columns[i];
      if (!col) return;
      const full = Number(col.free.getAttribute('height'));
      const usedHeight = (full * p.used_steps) / p.capacity_steps;
      set(col.used, { y: BAR_BOTTOM - usedHeight, height: usedHeight });
      const fits = pending !== null && pending.steps <= p.capacity_steps - p.used_steps;
      col.utility.textContent = pending ? round(p.utility, 2) : '';
      set(col.utility, { opacity: pending ? 0.35 + (0.65 * p.utility) / maxUtility : 0, class: fits ? 'utility' : 'utility nofit' });
      col.crashes.textContent = p.crashes > 0 ? `\u2715${p.crashes}` : '';
      set(col.group, { 'data-used': p.used_steps, 'data-running': p.running });
    });
    for (const col of this.columns) col.frame.setAttribute('class', 'frame');
    const last = snap.last ?? null;
    const chosen = last ? this.columns[last.provider] : undefined;
    if (last && chosen) {
      chosen.frame.setAttribute('class', last.crashed ? 'frame chosen crashed' : 'frame chosen admitted');
      set(this.element, { 'data-last-provider': last.provider, 'data-last-crashed': last.crashed ? 'true' : 'false' });
      if (animate) this.fly(chosen.centre, last.crashed);
    } else {
      set(this.element, { 'data-last-provider': undefined, 'data-last-crashed': undefined });
    }
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'asp' || !snapshot.last) return null;
    const d = snapshot.last;
    const outcome = d.crashed ? `crashed it, ${d.killed} killed` : 'admitted';
    return {
      key: String(d.task),
      target: String(d.provider),
      text: `Task ${d.task + 1} (${d.steps} steps) → P${d.provider}: ${outcome}, ${signed(d.reward)}`,
      bad: d.crashed,
    };
  }

  private fly(x: number, crashed: boolean): void {
    set(this.token, { visibility: 'visible', class: crashed ? 'token crashed' : 'token' });
    const from = `translate(0px, 0px)`;
    const to = `translate(${x - WIDTH / 2}px, ${120 - (INBOX.y + INBOX.h)}px)`;
    const run = this.token.animate([{ transform: from }, { transform: to }], { duration: 260, easing: 'ease-in' });
    run.onfinish = () => set(this.token, { visibility: 'hidden' });
  }
}

/** Swatches explaining the colours, top left. */
function legend(): SVGGElement {
  const g = s('g', { class: 'legend', 'aria-hidden': 'true' });
  const items: [string, string][] = [
    ['used', 'steps in use'],
    ['free', 'free steps'],
    ['frame chosen admitted', 'admitted here'],
    ['frame chosen crashed', 'crashed here'],
  ];
  items.forEach(([cls, label], i) => {
    const x = 8 + (i % 2) * 120;
    const y = 20 + Math.floor(i / 2) * 22;
    g.append(s('rect', { x, y, width: 14, height: 14, rx: 3, class: cls }), s('text', { x: x + 20, y: y + 11 }, label));
  });
  return g;
}
