// A form generated from a JSON Schema node and a value (the learner's hyper-parameters): numbers (with the
// schema's min/max), enums as selects, booleans, lists, optional and nested objects, tagged unions. It keeps
// no field list of its own; the core validates, and its messages are shown next to the field they name.
import { h } from './dom';
import { blank, classify, getPath, parseList, parseNumber, pathAncestors, setPath, type Schema } from './train-schema';

/** Called with the whole new value after an edit, and the path of the edited field. */
type OnEdit = (value: unknown, path: string) => void;

const words = (name: string) => name.replaceAll('_', ' ');
const idOf = (path: string) => `hp-${path.replace(/[^\w]+/g, '-')}`;

export class SchemaForm {
  /** The form; its inputs carry `data-path`. */
  readonly element = h('div', { class: 'schema-form' });
  private readonly general = h('p', { class: 'field-error form-error', role: 'alert' });
  private value: unknown = null;

  constructor(
    private readonly schema: Schema,
    private readonly root: Schema,
    private readonly onEdit: OnEdit,
    /** Properties shown read-only at the top level (the learner's `kind`, chosen by the algorithm). */
    private readonly fixed: string[] = [],
  ) {}

  /** Shows `value` (rebuilding the inputs) and clears every message. */
  show(value: unknown): void {
    this.value = structuredClone(value);
    const focused = (document.activeElement as HTMLElement | null)?.dataset['path'];
    this.element.replaceChildren(this.general, ...this.node(this.schema, [], words('learner')));
    this.clearErrors();
    if (focused) (this.element.querySelector(`[data-path="${focused}"]`) as HTMLElement | null)?.focus();
  }

  /**
   * Shows `problem` next to the field at `path` (or its nearest shown ancestor); returns whether such a
   * field exists, else it is shown at the top of the form.
   */
  showError(path: string, problem: string): boolean {
    this.clearErrors();
    for (const candidate of pathAncestors(path)) {
      const slot = this.element.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(candidate)}"]`);
      if (slot) {
        slot.textContent = `${path}: ${problem}`;
        slot.closest('.field')?.classList.add('invalid');
        return true;
      }
    }
    this.general.textContent = `${path}: ${problem}`;
    return false;
  }

  /** Shows a message about the form as a whole. */
  showGeneral(message: string): void {
    this.clearErrors();
    this.general.textContent = message;
  }

  clearErrors(): void {
    this.general.textContent = '';
    for (const slot of this.element.querySelectorAll('[data-error-for]')) slot.textContent = '';
    for (const field of this.element.querySelectorAll('.field.invalid')) field.classList.remove('invalid');
  }

  private edit(path: string[], next: unknown, rebuild: boolean): void {
    this.value = setPath(this.value, path, next);
    const value = structuredClone(this.value);
    if (rebuild) this.show(value);
    this.onEdit(value, path.join('.'));
  }

  /** The inputs of `schema` at `path`. */
  private node(schema: Schema, path: string[], label: string): Node[] {
    const field = classify(schema, this.root);
    const key = path.join('.');
    const current = getPath(this.value, path);
    const description = schema.description ?? '';
    switch (field.kind) {
      case 'object': {
        const rows = field.properties.flatMap(([name, prop]) => this.node(prop, [...path, name], words(name)));
        if (path.length === 0) return rows;
        return [h('fieldset', { class: 'group', 'data-path': key }, h('legend', { title: description }, label), ...rows)];
      }
      case 'union': {
        const tagPath = [...path, field.tag];
        const chosen = String(getPath(this.value, tagPath) ?? '');
        const variant = field.variants.find((v) => v.name === chosen) ?? field.variants[0]!;
        const top = path.length === 0;
        const select = top && this.fixed.includes(field.tag) ? h('p', { class: 'fixed' }, `${field.tag}: ${variant.name}`) : this.leaf(tagPath, `${label}: ${field.tag}`, description, () => {
          const el = h('select', {});
          for (const v of field.variants) el.append(h('option', { value: v.name, selected: v.name === variant.name }, v.name));
          el.addEventListener('change', () => {
            const next = field.variants.find((v) => v.name === el.value)!;
            this.edit(path, { ...(blank(next.schema, this.root) as object), [field.tag]: next.name }, true);
          });
          return el;
        });
        const inner = classify(variant.schema, this.root);
        const rows = inner.kind === 'object'
          ? inner.properties.filter(([name]) => name !== field.tag).flatMap(([name, prop]) => this.node(prop, [...path, name], words(name)))
          : [];
        if (top) return [select, ...rows];
        return [h('fieldset', { class: 'group', 'data-path': key }, h('legend', { title: description }, label), select, ...rows)];
      }
      case 'optional': {
        const enabled = current !== null && current !== undefined;
        const toggle = this.leaf(path, `${label} (on)`, description, () => {
          const el = h('input', { type: 'checkbox', checked: enabled });
          el.addEventListener('change', () => this.edit(path, el.checked ? blank(field.inner, this.root) : null, true));
          return el;
        });
        if (!enabled) return [toggle];
        const inner = classify(field.inner, this.root);
        const rows = inner.kind === 'object'
          ? inner.properties.flatMap(([name, prop]) => this.node(prop, [...path, name], words(name)))
          : this.node(field.inner, path, label);
        return [h('fieldset', { class: 'group' }, h('legend', { title: description }, label), toggle, ...rows)];
      }
      case 'boolean':
        return [
          this.leaf(path, label, description, () => {
            const el = h('input', { type: 'checkbox', checked: current === true });
            el.addEventListener('change', () => this.edit(path, el.checked, false));
            return el;
          }),
        ];
      case 'enum':
        return [
          this.leaf(path, label, description, () => {
            const el = h('select', {});
            for (const option of field.options) el.append(h('option', { value: option, selected: option === current }, option));
            el.addEventListener('change', () => this.edit(path, el.value, false));
            return el;
          }),
        ];
      case 'list':
        return [
          this.leaf(path, label, description, () => {
            const el = h('input', { type: 'text', value: Array.isArray(current) ? current.join(', ') : '', autocomplete: 'off' });
            el.addEventListener('change', () => {
              const parsed = parseList(el.value, field.integer);
              if (typeof parsed === 'string') this.showError(key, parsed);
              else this.edit(path, parsed, false);
            });
            return el;
          }),
        ];
      case 'number':
        return [
          this.leaf(path, label, description, () => {
            const el = h('input', {
              type: 'number',
              step: field.integer ? 1 : 'any',
              min: field.min,
              max: field.max,
              value: typeof current === 'number' ? String(Number(current.toPrecision(7))) : '',
              autocomplete: 'off',
            });
            el.addEventListener('change', () => {
              const parsed = parseNumber(el.value, field.integer);
              if (typeof parsed === 'string') this.showError(key, parsed);
              else this.edit(path, parsed, false);
            });
            return el;
          }),
        ];
      case 'text':
        return [
          this.leaf(path, label, description, () => {
            const el = h('input', { type: 'text', value: String(current ?? ''), autocomplete: 'off' });
            el.addEventListener('change', () => this.edit(path, el.value, false));
            return el;
          }),
        ];
    }
  }

  /** A labelled input with its message slot. */
  private leaf(path: string[], label: string, description: string, make: () => HTMLInputElement | HTMLSelectElement): HTMLElement {
    const key = path.join('.');
    const id = idOf(key);
    const input = make();
    input.id = id;
    input.name = key;
    input.dataset['path'] = key;
    input.setAttribute('aria-describedby', `${id}-error`);
    if (description) input.title = description;
    const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': key, 'aria-live': 'polite' });
    const checkbox = input instanceof HTMLInputElement && input.type === 'checkbox';
    return h(
      'div',
      { class: checkbox ? 'field check' : 'field' },
      ...(checkbox ? [input, h('label', { for: id, title: description }, label)] : [h('label', { for: id, title: description }, label), input]),
      error,
    );
  }
}
