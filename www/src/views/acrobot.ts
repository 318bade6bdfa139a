// `acrobot` drawing, as Gymnasium renders Acrobot-v1: two links hanging from a fixed pivot, the goal line
// one link length above the pivot (the episode ends when the free end rises above it), a curved arrow for
// the last torque at the middle joint, and the path of the free end over the last steps.
import { s, set } from '../dom';
import { round } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { arrowMarker, episodeStatus, legend, topology } from './parts';
import type { ScenarioView } from './view';
import './classic.css';

type Acrobot = SnapshotOf<'acrobot'>;

const WIDTH = 1000;
const HEIGHT = 420;
const PIVOT = { x: 500, y: 215 };
/** Free-end positions kept for the trail. */
const TRAIL = 24;

/** The middle joint and the free end in metres (x right, y up from the pivot), as Gymnasium computes them. */
export function acrobotPoints(snap: Pick<Acrobot, 'theta_1_rad' | 'theta_2_rad' | 'link_length_1_m' | 'link_length_2_m'>): {
  joint: { x: number; y: number };
  tip: { x: number; y: number };
} {
  const a = snap.theta_1_rad;
  const b = snap.theta_1_rad + snap.theta_2_rad;
  const joint = { x: snap.link_length_1_m * Math.sin(a), y: -snap.link_length_1_m * Math.cos(a) };
  return { joint, tip: { x: joint.x + snap.link_length_2_m * Math.sin(b), y: joint.y - snap.link_length_2_m * Math.cos(b) } };
}

export class AcrobotView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly scale: number;
  private readonly link1: SVGLineElement;
  private readonly link2: SVGLineElement;
  private readonly joint: SVGCircleElement;
  private readonly tip: SVGCircleElement;
  private readonly torque: SVGPathElement;
  private readonly trail: SVGPolylineElement;
  private readonly title: SVGTextElement;
  private readonly detail: SVGTextElement;
  private readonly status: SVGTextElement;
  private readonly path: [number, number][] = [];

  constructor(first: Acrobot) {
    const reach = first.link_length_1_m + first.link_length_2_m;
    this.scale = (HEIGHT / 2 - 22) / reach;
    this.element = topology('classic acrobot', WIDTH, HEIGHT, 'Two-link pendulum hanging from a pivot, with the goal height line');
    this.element.append(arrowMarker('acrobot-arrow', 'push-head'));
    const goalY = PIVOT.y - first.link_length_1_m * this.scale;
    this.title = s('text', { x: 24, y: 344, class: 'title left' });
    this.detail = s('text', { x: 24, y: 368, class: 'detail left' });
    this.status = s('text', { x: 24, y: 392, class: 'status left' });
    this.link1 = s('line', { x1: PIVOT.x, y1: PIVOT.y, class: 'link' });
    this.link2 = s('line', { class: 'link' });
    this.joint = s('circle', { r: 7, class: 'hinge' });
    this.tip = s('circle', { r: 6, class: 'tip' });
    this.torque = s('path', { class: 'push', 'marker-end': 'url(#acrobot-arrow)', visibility: 'hidden' });
    this.trail = s('polyline', { class: 'trail' });
    this.element.append(
      s('circle', { cx: PIVOT.x, cy: PIVOT.y, r: reach * this.scale, class: 'reach' }),
      s('line', { x1: PIVOT.x - reach * this.scale - 20, x2: PIVOT.x + reach * this.scale + 40, y1: goalY, y2: goalY, class: 'goal' }),
      s('text', { x: PIVOT.x + reach * this.scale + 44, y: goalY + 4, class: 'goal-text' }, 'goal height'),
      this.trail, this.link1, this.link2,
      s('circle', { cx: PIVOT.x, cy: PIVOT.y, r: 7, class: 'pivot' }),
      this.joint, this.tip, this.torque,
      this.title, this.detail, this.status,
      legend([['goal-swatch', 'goal: free end above this line'], ['trail-swatch', 'path of the free end'], ['push-swatch', 'last torque']], 8, 8, 1, 0),
    );
    this.render(first, false);
  }

  render(snapshot: Snapshot, _animate: boolean): void {
    if (snapshot.scenario !== 'acrobot') return;
    const snap = snapshot;
    const e = snap.episode;
    const { joint, tip } = acrobotPoints(snap);
    const jx = PIVOT.x + joint.x * this.scale;
    const jy = PIVOT.y - joint.y * this.scale;
    const tx = PIVOT.x + tip.x * this.scale;
    const ty = PIVOT.y - tip.y * this.scale;
    set(this.link1, { x2: jx, y2: jy });
    set(this.link2, { x1: jx, y1: jy, x2: tx, y2: ty });
    set(this.joint, { cx: jx, cy: jy });
    set(this.tip, { cx: tx, cy: ty });
    if (e.steps === 0) this.path.length = 0;
    this.path.push([tx, ty]);
    if (this.path.length > TRAIL) this.path.shift();
    set(this.trail, { points: this.path.map(([x, y]) => `${round(x, 1)},${round(y, 1)}`).join(' ') });
    if (snap.torque_n_m !== 0) {
      // A quarter arc around the middle joint, turning the way the torque turns link 2 (positive = counter-clockwise on screen).
      const r = 26;
      const ccw = snap.torque_n_m > 0;
      const a0 = ccw ? 0.35 : Math.PI - 0.35;
      const a1 = ccw ? Math.PI - 0.35 : 0.35;
      const p = (a: number) => `${round(jx + r * Math.cos(a), 1)},${round(jy - r * Math.sin(a), 1)}`;
      set(this.torque, { d: `M${p(a0)} A${r},${r} 0 0 ${ccw ? 0 : 1} ${p(a1)}`, visibility: 'visible' });
    } else {
      set(this.torque, { visibility: 'hidden' });
    }
    this.title.textContent = `Step ${e.steps} · return ${round(e.total_reward, 0)}`;
    this.detail.textContent = `θ1 ${round(snap.theta_1_rad, 3)} · θ2 ${round(snap.theta_2_rad, 3)} rad · torque ${round(snap.torque_n_m, 2)} N·m`;
    this.status.textContent = `free end ${round(Math.abs(tip.y), 2)} m ${tip.y >= 0 ? 'above' : 'below'} the pivot · ${episodeStatus(e, 'goal reached')}`;
    set(this.status, { class: e.terminated ? 'status left ok' : 'status left' });
    set(this.element, { 'data-steps': e.steps, 'data-tip-height': round(tip.y, 4), 'data-terminated': String(e.terminated) });
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'acrobot' || snapshot.episode.steps === 0) return null;
    const e = snapshot.episode;
    const { tip } = acrobotPoints(snapshot);
    const torque = snapshot.torque_n_m;
    const end = e.terminated ? ' — goal reached' : e.truncated ? ' — time limit' : '';
    return {
      key: String(e.steps),
      target: String(Math.sign(Math.round(torque))),
      text: `Step ${e.steps}: torque ${round(torque, 2)} N·m, free end at ${round(tip.y, 2)} m${end}`,
      bad: false,
    };
  }
}
