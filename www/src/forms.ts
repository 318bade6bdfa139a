// Forms generated from a JSON Schema (as schemars writes it), so that no panel keeps a hand-made list of
// fields: `$defs`/`$ref`, `oneOf` of string constants (a select), `oneOf` of objects tagged by a constant
// property (a select plus the chosen variant's fields), `anyOf` with null or `type: [T, "null"]` (an
// optional part behind a checkbox), numbers and integers with their bounds, booleans, strings, `enum`,
// arrays (add/remove rows) and nested objects; descriptions become help text. Anything else is edited as
// JSON. Values go in as JSON and come back out as JSON; checking them is the core's job, the form only
// reports what cannot be read at all (an empty or non-numeric number) with the field's path.
//
// Paths name fields the way the core's errors do: `a_x.min`, `flow_types[0].name`. `showError` puts a
// message next to the field a path names (or the nearest enclosing one).
import { h } from './dom';

/** A JSON Schema node, loosely typed: only the keywords the form reads. */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** One choice of a select: its JSON value and what it means. */
export interface Choice {
  value: string | number | boolean;
  help: string;
}

/** A named field of an object. */
export interface Property {
  name: string;
  field: Field;
}

/** What a schema node is edited as (the form's model of the schema, free of the DOM). */
export type Field = {
  /** Label text: the schema's title, else the property name with spaces for underscores. */
  label: string;
  /** The description with Markdown backticks removed, on one line. */
  help: string;
  /** The schema's default value, if it gives one. */
  default?: unknown;
} & (
  | { kind: 'number'; integer: boolean; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'choice'; choices: Choice[] }
  | { kind: 'object'; properties: Property[] }
  | { kind: 'variants'; tag: string; variants: { choice: Choice; field: Field & { kind: 'object' } }[] }
  | { kind: 'optional'; inner: Field }
  | { kind: 'array'; item: Field }
  | { kind: 'json' }
);

/** A value read back, or the path and problem of the first field that cannot be read. */
export type ReadResult = { ok: true; value: unknown } | { ok: false; path: string; message: string };

/** How a form is built. */
export interface FormOptions {
  /** Prefix of every element id (unique on the page). */
  idPrefix: string;
  /** Paths of fields not to render (their values are left out of `read`). */
  omit?: string[];
  /** Paths of variant tags shown as fixed text, not a select (the variant is chosen outside the form). */
  fixed?: string[];
  /** Called after any edit (every keystroke too). */
  onInput?: () => void;
  /**
   * Called after an edit is complete, with the edited field's path: a field's change event (a value typed
   * and left, a box ticked, a choice made) or an entry added to or removed from a list (the list's path);
   * for forms that apply each edit at once.
   */
  onChange?: (path: string) => void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A property name as a label: `arrival_rate_per_s` → "arrival rate per s". */
export function humanize(name: string): string {
  return name.replaceAll('_', ' ');
}

/** Help text from a description: Markdown backticks dropped, lines joined. */
function helpText(description: string | undefined): string {
  return (description ?? '').replaceAll('`', '').replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * `schema` with `$ref` and `allOf` merged in (the referring node's own keywords win, so a property's
 * description beats its type's; `properties` and `required` are combined).
 */
export function resolve(schema: JsonSchema, root: JsonSchema, seen: string[] = []): JsonSchema {
  let out: JsonSchema = { ...schema };
  const parts: JsonSchema[] = [];
  if (schema.$ref !== undefined) {
    if (seen.includes(schema.$ref)) throw new Error(`schema: ${schema.$ref} refers to itself`);
    parts.push(resolve(lookup(schema.$ref, root), root, [...seen, schema.$ref]));
    delete out.$ref;
  }
  for (const part of schema.allOf ?? []) parts.push(resolve(part, root, seen));
  delete out.allOf;
  for (const part of parts) out = merge(part, out);
  return out;
}

function merge(base: JsonSchema, over: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...base, ...over };
  if (base.properties || over.properties) out.properties = { ...base.properties, ...over.properties };
  if (base.required || over.required) out.required = [...new Set([...(base.required ?? []), ...(over.required ?? [])])];
  return out;
}

function lookup(ref: string, root: JsonSchema): JsonSchema {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const target = match ? root[match[1] as '$defs' | 'definitions']?.[match[2]!.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  if (!target) throw new Error(`schema: cannot resolve ${ref}`);
  return target;
}

const isNull = (s: JsonSchema) => s.type === 'null' || (s.const === null && s.type === undefined);

/** The constant a schema pins its value to (`const`, or an `enum` of one), if any. */
function constant(s: JsonSchema): string | number | boolean | undefined {
  const value = s.const !== undefined ? s.const : s.enum?.length === 1 ? s.enum[0] : undefined;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** The model of `schema` (a node of the document `root`), labelled `name`. */
export function describe(schema: JsonSchema, root: JsonSchema = schema, name = ''): Field {
  const s = resolve(schema, root);
  const base = {
    label: s.title ?? humanize(name),
    help: helpText(s.description),
    ...(s.default !== undefined ? { default: s.default } : {}),
  };
  // Option<T>: `type: [T, "null"]`, or anyOf/oneOf of T and null.
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    if (types.length === 1) {
      const { default: _d, title: _t, ...rest } = s;
      const inner = describe({ ...rest, type: types[0]! }, root, name);
      return s.type.includes('null') ? { ...base, kind: 'optional', inner } : inner;
    }
    return { ...base, kind: 'json' };
  }
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const present = alternatives.filter((a) => !isNull(resolve(a, root)));
    if (present.length === 1 && present.length < alternatives.length) {
      return { ...base, kind: 'optional', inner: { ...describe(present[0]!, root, name), label: base.label, help: base.help } };
    }
    if (present.length < alternatives.length) return { ...base, kind: 'json' };
    const resolved = alternatives.map((a) => resolve(a, root));
    const consts = resolved.map(constant);
    if (consts.every((c) => c !== undefined)) {
      return { ...base, kind: 'choice', choices: resolved.map((r, i) => ({ value: consts[i]!, help: helpText(r.description) })) };
    }
    const tag = taggedBy(resolved, root);
    if (tag !== undefined) {
      const variants = resolved.map((r) => {
        const value = constant(r.properties![tag]!)!;
        const { [tag]: _, ...rest } = r.properties!;
        const field = describe({ ...r, properties: rest, title: String(value) }, root, String(value));
        return { choice: { value, help: helpText(r.description) }, field: field as Field & { kind: 'object' } };
      });
      return { ...base, kind: 'variants', tag, variants };
    }
    return { ...base, kind: 'json' };
  }
  if (s.enum) {
    const choices = s.enum.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v));
    if (choices.length === s.enum.length) return { ...base, kind: 'choice', choices: choices.map((value) => ({ value, help: '' })) };
    return { ...base, kind: 'json' };
  }
  switch (s.type) {
    case 'number':
    case 'integer': {
      const min = s.minimum ?? s.exclusiveMinimum;
      const max = s.maximum ?? s.exclusiveMaximum;
      return { ...base, kind: 'number', integer: s.type === 'integer', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'string':
      return { ...base, kind: 'string' };
    case 'array':
      return s.items ? { ...base, kind: 'array', item: describe(s.items, root, 'item') } : { ...base, kind: 'json' };
    case 'object':
    case undefined:
      if (s.properties) {
        const properties = Object.entries(s.properties).map(([key, p]) => ({ name: key, field: describe(p, root, key) }));
        return { ...base, kind: 'object', properties };
      }
      return { ...base, kind: 'json' };
    default:
      return { ...base, kind: 'json' };
  }
}

/** The property every variant pins to a constant (serde's internal tag), if there is one. */
function taggedBy(variants: JsonSchema[], root: JsonSchema): string | undefined {
  const first = variants[0]?.properties;
  if (!first) return undefined;
  return Object.keys(first).find((key) =>
    variants.every((v) => v.properties?.[key] !== undefined && constant(resolve(v.properties[key]!, root)) !== undefined),
  );
}

/** A value to start a field with when the caller gives none: the schema's default, else something valid-looking. */
export function initial(field: Field): unknown {
  if (field.default !== undefined) return structuredClone(field.default);
  switch (field.kind) {
    case 'number':
      return field.min !== undefined && field.min > 0 ? field.min : 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'choice':
      return field.choices[0]?.value ?? null;
    case 'object':
      return Object.fromEntries(field.properties.map((p) => [p.name, initial(p.field)]));
    case 'variants': {
      const first = field.variants[0];
      return first ? { [field.tag]: first.choice.value, ...(initial(first.field) as object) } : null;
    }
    case 'optional':
    case 'json':
      return null;
    case 'array':
      return [];
  }
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/**
 * The part of `path` inside the field `root`: `learner.actor.hidden` in `learner` is `actor.hidden`,
 * `learner` itself is ``; null when the path lies outside it.
 */
export function within(path: string, root: string): string | null {
  if (path === root) return '';
  return path.startsWith(`${root}.`) ? path.slice(root.length + 1) : null;
}

/** The core's `field` path without the leading `config.` (or another root name) it puts before it. */
export function fieldPath(field: string, roots: string[] = ['config']): string {
  let path = field;
  for (const root of roots) {
    if (path === root) path = '';
    else if (path.startsWith(`${root}.`)) path = path.slice(root.length + 1);
  }
  return path;
}

/** A rendered field: its element and how to read it back. */
interface Control {
  element: HTMLElement;
  read(): ReadResult;
}

/** A form for one schema, rendered into `element`; read it back with `read`. */
export class SchemaForm {
  /** The form's fields (put it inside a `<form>` of your own, with the buttons you need). */
  readonly element: HTMLElement;
  private readonly control: Control;
  private readonly omit: Set<string>;
  private readonly fixed: Set<string>;

  constructor(
    readonly field: Field,
    value: unknown,
    private readonly options: FormOptions,
  ) {
    this.omit = new Set(options.omit ?? []);
    this.fixed = new Set(options.fixed ?? []);
    this.control = this.render(field, value, '');
    this.element = h('div', { class: 'schema-form' }, this.control.element);
    this.element.addEventListener('input', () => options.onInput?.());
    this.element.addEventListener('change', (event) => {
      options.onInput?.();
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-path]') : null;
      options.onChange?.(target?.dataset['path'] ?? '');
    });
  }

  /** The values as JSON, or the first field that cannot be read (also shown next to it). */
  read(): ReadResult {
    this.clearErrors();
    const result = this.control.read();
    if (!result.ok) this.showError(result.path, result.message);
    return result;
  }

  /**
   * Shows `message` next to the field at `path`, or the nearest enclosing field the form has (the form
   * itself for the root); marks it invalid and focuses it. Returns the path where it was shown.
   */
  showError(path: string, message: string): string {
    const { container, at } = this.nearest(path);
    const error = container.querySelector(':scope > .field-error');
    if (error) error.textContent = message;
    const input = container.querySelector<HTMLElement>(':scope > input, :scope > select, :scope > textarea, :scope > label > input');
    const target = input ?? container;
    target.setAttribute('aria-invalid', 'true');
    container.classList.add('invalid');
    (input ?? container.querySelector<HTMLElement>('input, select, textarea, button'))?.focus();
    return at;
  }

  /** Removes every message `showError` put up. */
  clearErrors(): void {
    for (const el of this.element.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of this.element.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const el of this.element.querySelectorAll('.invalid')) el.classList.remove('invalid');
  }

  private nearest(path: string): { container: HTMLElement; at: string } {
    const containers = new Map<string, HTMLElement>();
    // Document order puts inner elements after outer ones: a path shared by a wrapper and its body (an
    // optional part, a variant) maps to the body.
    for (const el of this.element.querySelectorAll<HTMLElement>('[data-path]')) containers.set(el.dataset['path'] ?? '', el);
    let at = path;
    for (;;) {
      const found = containers.get(at);
      if (found) return { container: found, at };
      if (at === '') return { container: containers.get('') ?? this.element, at };
      at = parent(at);
    }
  }

  private id(path: string): string {
    return `${this.options.idPrefix}-${path.replace(/[^A-Za-z0-9_-]+/g, '-') || 'root'}`;
  }

  /** The wrapper every field gets: its path, a label or legend, its help, and room for a message. */
  private wrap(field: Field, path: string, kind: string, ...body: Node[]): HTMLElement {
    const id = this.id(path);
    const help = field.help ? h('small', { class: 'field-help', id: `${id}-help` }, field.help) : null;
    const error = h('span', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
    const grouped = ['object', 'variants', 'array', 'optional'].includes(kind);
    if (grouped) {
      const legend = path === '' || !field.label ? null : h('legend', {}, field.label);
      const set = h('fieldset', { class: `field field-${kind}`, 'data-path': path }, ...(legend ? [legend] : []), ...(help ? [help] : []), ...body, error);
      if (path === '') set.classList.add('field-root');
      return set;
    }
    const described = [help?.id, error.id].filter(Boolean).join(' ');
    for (const node of body) {
      const input = node instanceof HTMLElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(node.tagName) ? node : null;
      input?.setAttribute('aria-describedby', described);
      if (field.help) input?.setAttribute('title', field.help);
    }
    const label = kind === 'boolean' ? null : h('label', { for: id }, field.label);
    return h('div', { class: `field field-${kind}`, 'data-path': path }, ...(label ? [label] : []), ...body, ...(help ? [help] : []), error);
  }

  private render(field: Field, value: unknown, path: string): Control {
    switch (field.kind) {
      case 'number':
        return this.number(field, value, path);
      case 'boolean': {
        const input = h('input', { type: 'checkbox', id: this.id(path), name: path, checked: value === true });
        const element = this.wrap(field, path, 'boolean', h('label', { class: 'check' }, input, ` ${field.label}`));
        input.setAttribute('aria-describedby', [field.help ? `${this.id(path)}-help` : '', `${this.id(path)}-error`].filter(Boolean).join(' '));
        return { element, read: () => ({ ok: true, value: input.checked }) };
      }
      case 'string': {
        const input = h('input', { type: 'text', id: this.id(path), name: path, value: typeof value === 'string' ? value : '', autocomplete: 'off' });
        return { element: this.wrap(field, path, 'string', input), read: () => ({ ok: true, value: input.value }) };
      }
      case 'choice':
        return this.choice(field, value, path);
      case 'object':
        return this.object(field, value, path);
      case 'variants':
        return this.variants(field, value, path);
      case 'optional':
        return this.optional(field, value, path);
      case 'array':
        return this.array(field, value, path);
      case 'json':
        return this.json(field, value, path);
    }
  }

  private number(field: Field & { kind: 'number' }, value: unknown, path: string): Control {
    const input = h('input', {
      type: 'number',
      id: this.id(path),
      name: path,
      step: field.integer ? 1 : 'any',
      min: field.min,
      max: field.max,
      inputmode: field.integer ? 'numeric' : 'decimal',
      value: typeof value === 'number' ? String(value) : '',
      autocomplete: 'off',
    });
    const read = (): ReadResult => {
      const text = input.value.trim();
      if (text === '') {
        const problem = input.validity.badInput ? 'must be a number' : 'needs a value';
        return { ok: false, path, message: `${path || field.label}: ${problem}` };
      }
      const n = Number(text);
      if (!Number.isFinite(n)) return { ok: false, path, message: `${path || field.label}: must be a finite number, got ${text}` };
      if (field.integer && !Number.isInteger(n)) return { ok: false, path, message: `${path || field.label}: must be a whole number, got ${text}` };
      if (field.integer && !Number.isSafeInteger(n)) {
        return { ok: false, path, message: `${path || field.label}: must be at most ${Number.MAX_SAFE_INTEGER} in magnitude (the largest whole number a page holds exactly), got ${text}` };
      }
      return { ok: true, value: n };
    };
    return { element: this.wrap(field, path, 'number', input), read };
  }

  private choice(field: Field & { kind: 'choice' }, value: unknown, path: string): Control {
    const select = h('select', { id: this.id(path), name: path });
    for (const [i, c] of field.choices.entries()) select.append(h('option', { value: i, title: c.help || undefined }, String(c.value)));
    select.value = String(Math.max(0, field.choices.findIndex((c) => c.value === value)));
    const meaning = h('small', { class: 'field-help choice-help' });
    const explain = () => (meaning.textContent = field.choices[Number(select.value)]?.help ?? '');
    select.addEventListener('change', explain);
    explain();
    const element = this.wrap(field, path, 'choice', select, meaning);
    return { element, read: () => ({ ok: true, value: field.choices[Number(select.value)]?.value }) };
  }

  private object(field: Field & { kind: 'object' }, value: unknown, path: string): Control {
    const given = isObject(value) ? value : {};
    // Fields in the order of the value given (serde writes a struct's fields in declaration order, which
    // groups them better than the schema's alphabetical order); fields it lacks come last.
    const keys = Object.keys(given);
    const rank = (name: string) => (keys.includes(name) ? keys.indexOf(name) : keys.length);
    const children = [...field.properties]
      .sort((a, b) => rank(a.name) - rank(b.name))
      .filter((p) => !this.omit.has(join(path, p.name)))
      .map((p) => ({ name: p.name, control: this.render(p.field, p.name in given ? given[p.name] : initial(p.field), join(path, p.name)) }));
    const element = this.wrap(field, path, 'object', ...children.map((c) => c.control.element));
    // Small groups of plain values (a range, a grid) sit on one row.
    if (children.length <= 4 && field.properties.every((p) => ['number', 'boolean', 'string', 'choice'].includes(p.field.kind))) {
      element.classList.add('field-inline');
    }
    const read = (): ReadResult => {
      const out: Record<string, unknown> = {};
      for (const c of children) {
        const r = c.control.read();
        if (!r.ok) return r;
        out[c.name] = r.value;
      }
      return { ok: true, value: out };
    };
    return { element, read };
  }

  private variants(field: Field & { kind: 'variants' }, value: unknown, path: string): Control {
    const given = isObject(value) ? value : {};
    const tagPath = join(path, field.tag);
    if (this.fixed.has(tagPath)) return this.fixedVariant(field, given, path);
    const select = h('select', { id: this.id(tagPath), name: tagPath });
    for (const [i, v] of field.variants.entries()) select.append(h('option', { value: i, title: v.choice.help || undefined }, String(v.choice.value)));
    select.value = String(Math.max(0, field.variants.findIndex((v) => v.choice.value === given[field.tag])));
    const meaning = h('small', { class: 'field-help choice-help' });
    const tagRow = h('div', { class: 'field field-choice', 'data-path': tagPath }, h('label', { for: this.id(tagPath) }, humanize(field.tag)), select, meaning, h('span', { class: 'field-error', 'aria-live': 'polite' }));
    const slot = h('div', { class: 'variant' });
    // Values typed into a variant survive switching away and back.
    const remembered = new Map<number, unknown>();
    let index = Number(select.value);
    remembered.set(index, given);
    let current = this.variantBody(field, index, given, path);
    slot.append(current.element);
    const show = () => {
      const r = current.read();
      if (r.ok) remembered.set(index, r.value);
      index = Number(select.value);
      const v = field.variants[index]!;
      meaning.textContent = v.choice.help;
      current = this.variantBody(field, index, remembered.get(index) ?? initial(v.field), path);
      slot.replaceChildren(current.element);
    };
    meaning.textContent = field.variants[index]?.choice.help ?? '';
    select.addEventListener('change', show);
    const element = this.wrap(field, path, 'variants', tagRow, slot);
    const read = (): ReadResult => {
      const r = current.read();
      if (!r.ok) return r;
      return { ok: true, value: { [field.tag]: field.variants[index]!.choice.value, ...(r.value as object) } };
    };
    return { element, read };
  }

  /** A variant chosen outside the form: its tag as text (an `output`), then its fields. */
  private fixedVariant(field: Field & { kind: 'variants' }, given: Record<string, unknown>, path: string): Control {
    const tagPath = join(path, field.tag);
    const index = field.variants.findIndex((v) => v.choice.value === given[field.tag]);
    if (index < 0) return this.json(field, given, path);
    const variant = field.variants[index]!;
    const id = this.id(tagPath);
    const tagRow = h(
      'div',
      { class: 'field field-fixed', 'data-path': tagPath },
      h('label', { for: id }, humanize(field.tag)),
      h('output', { id, name: tagPath, title: variant.choice.help || undefined }, String(variant.choice.value)),
      ...(variant.choice.help ? [h('small', { class: 'field-help choice-help' }, variant.choice.help)] : []),
      h('span', { class: 'field-error', 'aria-live': 'polite' }),
    );
    const body = this.variantBody(field, index, given, path);
    const element = this.wrap(field, path, 'variants', tagRow, body.element);
    const read = (): ReadResult => {
      const r = body.read();
      if (!r.ok) return r;
      return { ok: true, value: { [field.tag]: variant.choice.value, ...(r.value as object) } };
    };
    return { element, read };
  }

  /** A variant's own fields, drawn at its parent's path (the variant adds no level to the JSON). */
  private variantBody(field: Field & { kind: 'variants' }, index: number, value: unknown, path: string): Control {
    const variant = field.variants[index]!;
    // Same path as the wrapper: `showError` picks the innermost element of a path, so messages land here.
    return this.object({ ...variant.field, label: '', help: '' }, value, path);
  }

  private optional(field: Field & { kind: 'optional' }, value: unknown, path: string): Control {
    const toggle = h('input', { type: 'checkbox', id: `${this.id(path)}-set`, checked: value !== null && value !== undefined });
    const slot = h('div', { class: 'optional-body' });
    let inner: Control | null = null;
    let last: unknown = value ?? initial(field.inner);
    const show = () => {
      if (toggle.checked) {
        inner = this.render({ ...field.inner, label: field.label, help: '' }, last, path);
        slot.replaceChildren(inner.element);
      } else {
        const r = inner?.read();
        if (r?.ok) last = r.value;
        inner = null;
        slot.replaceChildren();
      }
    };
    toggle.addEventListener('change', show);
    show();
    const element = this.wrap(field, path, 'optional', h('label', { class: 'check' }, toggle, ` set ${field.label}`), slot);
    return { element, read: () => (inner ? inner.read() : { ok: true, value: null }) };
  }

  private array(field: Field & { kind: 'array' }, value: unknown, path: string): Control {
    const list = h('ol', { class: 'array-items' });
    let items: Control[] = [];
    const add = h('button', { type: 'button', class: 'array-add', id: `${this.id(path)}-add` }, `Add ${field.item.kind === 'object' ? 'an entry' : 'a value'}`);
    const redraw = (values: unknown[]) => {
      // Items go without their type's help: the list's own help says what they are.
      items = values.map((v, i) => this.render({ ...field.item, label: `${field.label} ${i + 1}`, help: '' }, v, `${path}[${i}]`));
      list.replaceChildren(
        ...items.map((item, i) => {
          const remove = h('button', { type: 'button', class: 'array-remove', 'aria-label': `Remove ${field.label} ${i + 1}` }, 'Remove');
          remove.addEventListener('click', () => {
            const kept = readAll();
            if (!kept) return;
            kept.splice(i, 1);
            redraw(kept);
            this.options.onInput?.();
            this.options.onChange?.(path);
            (list.querySelectorAll<HTMLButtonElement>('.array-remove')[Math.min(i, kept.length - 1)] ?? add).focus();
          });
          return h('li', {}, item.element, remove);
        }),
      );
    };
    /** Every item's value, or null after showing the first that cannot be read. */
    const readAll = (): unknown[] | null => {
      const out: unknown[] = [];
      for (const item of items) {
        const r = item.read();
        if (!r.ok) {
          this.showError(r.path, r.message);
          return null;
        }
        out.push(r.value);
      }
      return out;
    };
    add.addEventListener('click', () => {
      const kept = readAll();
      if (!kept) return;
      // A new row starts as a copy of the last one (most lists hold similar entries), else the default.
      kept.push(kept.length > 0 ? structuredClone(kept[kept.length - 1]) : initial(field.item));
      redraw(kept);
      this.options.onInput?.();
      this.options.onChange?.(path);
      list.lastElementChild?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    });
    redraw(Array.isArray(value) ? value : []);
    const element = this.wrap(field, path, 'array', list, add);
    if (['number', 'string', 'boolean', 'choice'].includes(field.item.kind)) element.classList.add('scalars');
    const read = (): ReadResult => {
      const out: unknown[] = [];
      for (const item of items) {
        const r = item.read();
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    };
    return { element, read };
  }

  private json(field: Field, value: unknown, path: string): Control {
    const area = h('textarea', { id: this.id(path), name: path, rows: 3, spellcheck: 'false' });
    area.value = JSON.stringify(value ?? null, null, 1);
    const read = (): ReadResult => {
      try {
        return { ok: true, value: JSON.parse(area.value) as unknown };
      } catch (e) {
        return { ok: false, path, message: `${path || field.label}: must be JSON (${e instanceof Error ? e.message : String(e)})` };
      }
    };
    return { element: this.wrap(field, path, 'json', area), read };
  }
}

/** The path one level up: `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``. */
export function parent(path: string): string {
  const m = /^(.*)(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return m ? m[1]! : '';
}
