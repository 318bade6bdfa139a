// The scenario panel: the current scenario's config as a form generated from its JSON Schema (the world
// itself is left to the world panel). Apply asks the simulation panel to rebuild with the new config;
// the core checks it, and its message appears next to the field it names while nothing changes.
import { h } from './dom';
import { SchemaForm, describe, fieldPath, type Field, type JsonSchema } from './forms';
import type { RunStore } from './run';
import type { Runtime } from './runtime';
import type { ScenarioChange, SimPanel } from './sim-panel';

/** A JSON value with its objects' keys sorted, so that equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The part of `config` that differs from `defaults` (top-level fields), plus `world_seed` where the
 * scenario has one: what the run store (and so a shared link) keeps.
 */
export function configPatch(config: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).filter(([key, value]) => key === 'world_seed' || canonical(value) !== canonical(defaults[key])),
  );
}

interface Schema {
  field: Field;
  defaults: Record<string, unknown>;
}

export class ParamsPanel {
  private readonly schemas = new Map<string, Schema>();
  private form: SchemaForm | null = null;
  private readonly body = h('div', { class: 'params-body' });
  private readonly applyButton = h('button', { type: 'submit', id: 'config-apply', disabled: true }, 'Apply');
  private readonly defaultsButton = h('button', { type: 'button', id: 'config-defaults' }, "Paper's defaults");
  private readonly message = h('p', { id: 'config-message', class: 'panel-message', role: 'status', 'aria-live': 'polite' });
  private shown = '';

  constructor(
    private readonly runtime: Runtime,
    private readonly store: RunStore,
    private readonly sim: SimPanel,
  ) {}

  mount(slot: HTMLElement): void {
    const form = h(
      'form',
      { class: 'config-form', 'aria-labelledby': 'config-heading', novalidate: true },
      this.body,
      h('div', { class: 'panel-buttons' }, this.applyButton, this.defaultsButton),
      this.message,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.apply();
    });
    this.defaultsButton.addEventListener('click', () => void this.restoreDefaults());
    slot.append(
      h('h2', { id: 'config-heading' }, 'Scenario settings'),
      h('p', { class: 'hint' }, 'The config of the scenario (its world is under Parameters). Apply rebuilds the scenario; the core checks every value.'),
      form,
    );
    this.sim.onChange((change) => void this.show(change));
  }

  /** Draws the form of the config now in use. */
  private async show(change: ScenarioChange): Promise<void> {
    const key = `${change.scenario}\n${change.config}`;
    if (key === this.shown) return;
    this.shown = key;
    const schema = await this.schema(change.scenario);
    if (!schema || key !== this.shown) return;
    const { scenario: _, world: __, ...config } = JSON.parse(change.config) as Record<string, unknown>;
    if (this.body.dataset['scenario'] !== change.scenario) this.say('');
    this.body.dataset['scenario'] = change.scenario;
    this.form = new SchemaForm(schema.field, config, {
      idPrefix: 'cfg',
      omit: ['world'],
      onInput: () => (this.applyButton.disabled = false),
    });
    this.body.replaceChildren(this.form.element);
    this.applyButton.disabled = true;
  }

  private async schema(scenario: string): Promise<Schema | null> {
    const known = this.schemas.get(scenario);
    if (known) return known;
    const reply = await this.runtime.call({ kind: 'schema', scenario });
    if (reply.kind !== 'schema') {
      this.say(reply.kind === 'error' ? reply.message : 'schema: unexpected reply', 'alert');
      return null;
    }
    const { scenario: _, ...defaults } = JSON.parse(reply.defaults) as Record<string, unknown>;
    const root = JSON.parse(reply.schema) as JsonSchema;
    const entry = { field: describe(root), defaults };
    this.schemas.set(scenario, entry);
    return entry;
  }

  private async apply(): Promise<void> {
    const form = this.form;
    const schema = this.schemas.get(this.store.get().scenario);
    if (!form || !schema) return;
    this.say('');
    const read = form.read();
    if (!read.ok) {
      this.say(read.message, 'alert');
      return;
    }
    const config = configPatch(read.value as Record<string, unknown>, schema.defaults);
    const world = this.store.get().config['world'];
    if (world !== undefined && world !== null) config['world'] = world;
    if (await this.sim.request({ config })) {
      this.say('Applied: the scenario was rebuilt and the episode restarted.', 'status');
      return;
    }
    const error = this.sim.lastError();
    form.showError(fieldPath(error.field), error.message);
    this.say(`Not applied: ${error.message}`, 'alert');
  }

  private async restoreDefaults(): Promise<void> {
    this.say('');
    const schema = this.schemas.get(this.store.get().scenario);
    const config = schema && 'world_seed' in schema.defaults ? { world_seed: 0 } : {};
    if (await this.sim.request({ config })) this.say("The paper's defaults are in use.", 'status');
  }

  private say(text: string, kind: 'alert' | 'status' = 'status'): void {
    this.message.textContent = text;
    this.message.className = `panel-message ${text ? kind : ''}`;
  }
}
