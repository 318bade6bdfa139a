// A plain view for scenarios without a drawing of their own: the snapshot's figures as a table and its
// last decision as text. Every scenario's snapshot is shown faithfully, field by field.
import { h } from '../dom';
import { round } from '../format';
import type { Snapshot } from '../types';
import type { ScenarioView } from './view';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A short text for a JSON value: numbers rounded, lists by length, objects by their scalar fields. */
function brief(value: Json, depth = 0): string {
  if (value === null) return '–';
  if (typeof value === 'number') return round(value, 3);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    return value.length <= 6 && value.every((v) => typeof v === 'number')
      ? `[${value.map((v) => round(v as number, 3)).join(', ')}]`
      : `${value.length} items`;
  }
  if (depth > 0) return '{…}';
  return Object.entries(value)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `${k} ${brief(v, depth + 1)}`)
    .join(', ');
}

export class GenericView implements ScenarioView {
  readonly element: HTMLElement;
  private readonly table: HTMLTableSectionElement;

  constructor(first: Snapshot) {
    this.table = h('tbody');
    this.element = h(
      'div',
      { class: `topology generic ${first.scenario}`, role: 'region', 'aria-label': `${first.scenario} state` },
      h('table', { class: 'state' }, h('caption', {}, `${first.scenario} — state after the last decision`), this.table),
    );
    this.render(first, false);
  }

  render(snapshot: Snapshot, _animate: boolean): void {
    const rows = Object.entries(snapshot as unknown as Record<string, Json>)
      .filter(([key]) => key !== 'scenario')
      .map(([key, value]) => h('tr', { 'data-field': key }, h('th', { scope: 'row' }, key), h('td', {}, brief(value))));
    this.table.replaceChildren(...rows);
  }

  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null {
    const last = (snapshot as unknown as Record<string, Json>)['last'];
    if (last === undefined || last === null || typeof last !== 'object' || Array.isArray(last)) return null;
    const text = brief(last);
    return { key: text, target: '', text, bad: false };
  }
}
