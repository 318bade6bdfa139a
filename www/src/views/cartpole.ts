// `cartpole` drawing, as Gymnasium renders CartPole-v1: the cart on its track between the position limits
// (red marks), the pole hinged on it, the angle limits as a dashed wedge, and an arrow for the last push.
// The previous step's pole stays as a faint ghost so every step's movement shows.
import { s, set } from '../dom';
import { round } from '../format';
import type { Snapshot, SnapshotOf } from '../types';
import { arrowMarker, episodeStatus, legend, topology } from './parts';
import type { ScenarioView } from './view';
import './classic.css';

type Cartpole = SnapshotOf<'cartpole'>;

const WIDTH = 1000;
const HEIGHT = 400;
const TRACK_Y = 324;
const CART = { w: 0.5, h: 0.3 };
/** The track drawn spans this many times the position limit either side. */
const SPAN = 1.2;

/** Where the pole's tip is, in metres (y up from the cart's top), for cart position `x` and angle `theta`. */
export function poleTip(x_m: number, theta_rad: number, halfLength_m: number): { x: number; y: number } {
  return { x: x_m + 2 * halfLength_m * Math.sin(theta_rad), y: 2 * halfLength_m * Math.cos(theta_rad) };
}

interface Pose {
  cart: SVGGElement;
  pole: SVGLineElement;
}

export class CartpoleView implements ScenarioView {
  readonly element: SVGSVGElement;
  private readonly scale: number;
  private readonly pose: Pose;
  private readonly ghost: Pose;
  private readonly force: SVGLineElement;
  private readonly title: SVGTextElement;
  private readonly detail: SVGTextElement;
  private readonly status: SVGTextElement;
  private previous: Cartpole | null = null;

  constructor(first: Cartpole) {
    this.scale = (WIDTH - 80) / (2 * SPAN * first.x_threshold_m);
    this.element = topology('classic cartpole', WIDTH, HEIGHT, 'Cart and pole on a track with the position limits marked');
    this.element.append(arrowMarker('cartpole-arrow', 'push-head'));
    this.title = s('text', { x: WIDTH / 2, y: 26, 'text-anchor': 'middle', class: 'title' });
    this.detail = s('text', { x: WIDTH / 2, y: 49, 'text-anchor': 'middle', class: 'detail' });
    this.status = s('text', { x: WIDTH / 2, y: 70, 'text-anchor': 'middle', class: 'status' });
    const limit = this.px(first.x_threshold_m) - this.px(0);
    const track = s('g', { class: 'track' });
    track.append(s('line', { x1: 40, x2: WIDTH - 40, y1: TRACK_Y, y2: TRACK_Y, class: 'rail' }));
    for (const side of [-1, 1]) {
      const x = WIDTH / 2 + side * limit;
      track.append(
        s('line', { x1: x, x2: x, y1: TRACK_Y - 30, y2: TRACK_Y + 14, class: 'limit' }),
        s('text', { x, y: TRACK_Y + 32, 'text-anchor': 'middle', class: 'limit-text' }, `${side < 0 ? '\u2212' : '+'}${round(first.x_threshold_m, 2)} m`),
      );
    }
    this.ghost = this.cart('ghost', first);
    this.pose = this.cart('pose', first);
    this.force = s('line', { class: 'push', 'marker-end': 'url(#cartpole-arrow)', visibility: 'hidden' });
    this.element.append(
      this.title, this.detail, this.status, track, this.ghost.cart, this.pose.cart, this.force,
      legend([['limit-swatch', 'track limit'], ['wedge-swatch', 'angle limit'], ['push-swatch', 'last push']], 8, 8, 1, 0),
    );
    this.render(first, false);
  }

  /** Cart position in drawing units. */
  private px(x_m: number): number {
    return WIDTH / 2 + x_m * this.scale;
  }

  /** A cart with its pole (and, for the live one, the angle-limit wedge), drawn at x = 0 and moved by transform. */
  private cart(cls: string, snap: Cartpole): Pose {
    const w = CART.w * this.scale;
    const h = CART.h * this.scale;
    const cart = s('g', { class: cls });
    const top = TRACK_Y - h;
    const length = 2 * snap.pole_half_length_m * this.scale;
    if (cls === 'pose') {
      const th = snap.theta_threshold_rad;
      const dx = length * Math.sin(th);
      const dy = length * Math.cos(th);
      cart.append(s('path', { d: `M${-dx},${top - dy} L0,${top} L${dx},${top - dy}`, class: 'wedge' }));
    }
    cart.append(s('rect', { x: -w / 2, y: top, width: w, height: h - 8, rx: 4, class: 'body' }));
    if (cls === 'pose') {
      for (const side of [-1, 1]) cart.append(s('circle', { cx: (side * w) / 3, cy: TRACK_Y - 6, r: 6, class: 'wheel' }));
    }
    const pole = s('line', { x1: 0, y1: top, x2: 0, y2: top - length, class: 'pole' });
    cart.append(pole, s('circle', { cx: 0, cy: top, r: 4, class: 'hinge' }));
    return { cart, pole };
  }

  private place(pose: Pose, snap: Cartpole): void {
    const top = TRACK_Y - CART.h * this.scale;
    const tip = poleTip(0, snap.theta_rad, snap.pole_half_length_m);
    set(pose.cart, { transform: `translate(${this.px(snap.x_m)},0)` });
    set(pose.pole, { x2: tip.x * this.scale, y2: top - tip.y * this.scale });
  }

  render(snapshot: Snapshot, _animate: boolean): void {
    if (snapshot.scenario !== 'cartpole') return;
    const snap = snapshot;
    const e = snap.episode;
    this.place(this.pose, snap);
    const prev = this.previous;
    if (prev && prev.episode.steps + 1 === e.steps) {
      this.place(this.ghost, prev);
      set(this.ghost.cart, { visibility: 'visible' });
    } else {
      set(this.ghost.cart, { visibility: 'hidden' });
    }
    this.previous = snap;
    this.title.textContent = `Step ${e.steps} · return ${round(e.total_reward, 0)}`;
    this.detail.textContent = `x ${round(snap.x_m, 3)} m · ẋ ${round(snap.x_dot_m_s, 3)} m/s · θ ${round((snap.theta_rad * 180) / Math.PI, 2)}° · θ̇ ${round(snap.theta_dot_rad_s, 3)} rad/s`;
    this.status.textContent = episodeStatus(e, 'the pole fell or the cart left the track');
    set(this.status, { class: e.terminated ? 'status bad' : 'status' });
    const cx = this.px(snap.x_m);
    if (snap.force_n !== 0) {
      const dir = Math.sign(snap.force_n);
      const y = TRACK_Y - (CART.h * this.scale) / 2 - 4;
      const start = cx + dir * ((CART.w * this.scale) / 2 + 6);
      set(this.force, { x1: start, x2: start + dir * Math.min(90, 6 * Math.abs(snap.force_n)), y1: y, y2: y, visibility: 'visible' });
    } else {
      set(this.force, { visibility: 'hidden' });
    }
    set(this.element, { 'data-steps': e.steps, 'data-x': round(snap.x_m, 4), 'data-theta': round(snap.theta_rad, 4), 'data-terminated': String(e.terminated) });
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    if (snapshot.scenario !== 'cartpole' || snapshot.episode.steps === 0) return null;
    const e = snapshot.episode;
    const push = snapshot.force_n > 0 ? 'right' : 'left';
    const end = e.terminated ? ' — fell' : e.truncated ? ' — time limit' : '';
    return {
      key: String(e.steps),
      target: push,
      text: `Step ${e.steps}: push ${push}, θ ${round((snapshot.theta_rad * 180) / Math.PI, 1)}°, x ${round(snapshot.x_m, 2)} m${end}`,
      bad: e.terminated,
    };
  }
}
