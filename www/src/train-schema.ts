// Reading the core's JSON Schema (schemars output) into the form fields the training panel draws, with no
// hand-kept field list: every input comes from a schema node. Pure logic, tested without a DOM.

/** The parts of a JSON Schema node that the forms read. */
export interface Schema {
  type?: string | string[];
  $ref?: string;
  oneOf?: Schema[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  $defs?: Record<string, Schema>;
}

/** What one schema node becomes in a form. */
export type Field =
  | { kind: 'number'; integer: boolean; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'text' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'list'; integer: boolean }
  /** A tagged union: the variant is picked by its `tag` property (serde's `#[serde(tag = "kind")]`). */
  | { kind: 'union'; tag: string; variants: { name: string; schema: Schema }[] }
  /** `null` or a value of `inner`. */
  | { kind: 'optional'; inner: Schema }
  | { kind: 'object'; properties: [string, Schema][] };

/** `schema` with its `$ref` followed (within `root`'s `$defs`). */
export function resolve(schema: Schema, root: Schema): Schema {
  let node = schema;
  for (let hops = 0; node.$ref && hops < 32; hops++) {
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) break;
    // Keep the referring node's own description (the field's), which is more specific.
    node = { ...target, ...(node.description ? { description: node.description } : {}) };
  }
  return node;
}

const isNull = (s: Schema) => s.type === 'null';

/** The tag property that every variant pins with a `const`, if any. */
function unionTag(variants: Schema[]): string | null {
  const first = variants[0]?.properties;
  if (!first) return null;
  for (const [name, prop] of Object.entries(first)) {
    if (typeof prop.const === 'string' && variants.every((v) => typeof v.properties?.[name]?.const === 'string')) return name;
  }
  return null;
}

/** Classifies a schema node. */
export function classify(schema: Schema, root: Schema): Field {
  const node = resolve(schema, root);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) {
    const resolved = alternatives.map((s) => resolve(s, root));
    if (resolved.length === 2 && resolved.some(isNull)) return { kind: 'optional', inner: resolved.find((s) => !isNull(s))! };
    if (resolved.every((s) => typeof s.const === 'string')) return { kind: 'enum', options: resolved.map((s) => s.const as string) };
    const tag = unionTag(resolved);
    if (tag) return { kind: 'union', tag, variants: resolved.map((s) => ({ name: s.properties![tag]!.const as string, schema: s })) };
  }
  if (node.enum) return { kind: 'enum', options: node.enum.map(String) };
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('null') && types.length === 2) {
    return { kind: 'optional', inner: { ...node, type: types.find((t) => t !== 'null')! } };
  }
  const type = types[0];
  if (type === 'integer' || type === 'number') {
    return {
      kind: 'number',
      integer: type === 'integer',
      ...(node.minimum !== undefined ? { min: node.minimum } : {}),
      ...(node.maximum !== undefined ? { max: node.maximum } : {}),
    };
  }
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'array') return { kind: 'list', integer: resolve(node.items ?? {}, root).type === 'integer' };
  if (type === 'object' || node.properties) return { kind: 'object', properties: orderedProperties(node) };
  return { kind: 'text' };
}

/** An object's properties: the required ones in the schema's order (the struct's), then the rest by name. */
export function orderedProperties(node: Schema): [string, Schema][] {
  const props = node.properties ?? {};
  const required = (node.required ?? []).filter((name) => name in props);
  const rest = Object.keys(props).filter((name) => !required.includes(name)).sort();
  return [...required, ...rest].map((name) => [name, props[name]!]);
}

/**
 * A starting value for `schema` (a newly picked union variant, a newly enabled option): its default where
 * the schema gives one, else the simplest value of its type; the core then says what is missing.
 */
export function blank(schema: Schema, root: Schema): unknown {
  const node = resolve(schema, root);
  if (node.default !== undefined) return structuredClone(node.default);
  const field = classify(node, root);
  switch (field.kind) {
    case 'number':
      return field.min ?? 0;
    case 'boolean':
      return false;
    case 'text':
      return '';
    case 'enum':
      return field.options[0] ?? '';
    case 'list':
      return [];
    case 'optional':
      return null;
    case 'union': {
      const variant = field.variants[0]!;
      return { ...(blank(variant.schema, root) as object), [field.tag]: variant.name };
    }
    case 'object':
      return Object.fromEntries(
        field.properties.map(([name, prop]) => [name, prop.const !== undefined ? prop.const : blank(prop, root)]),
      );
  }
}

/** Parses a comma-separated list of numbers ("64, 64"); a message when it is not one. */
export function parseList(text: string, integer: boolean): number[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const values = parts.map(Number);
  const bad = parts.findIndex((_, i) => !Number.isFinite(values[i]) || (integer && !Number.isInteger(values[i])));
  if (bad >= 0) return `must be a list of ${integer ? 'whole numbers' : 'numbers'} separated by commas, got "${parts[bad]}"`;
  return values;
}

/** Parses a number typed in a field; a message when it is not one. */
export function parseNumber(text: string, integer: boolean): number | string {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) return `must be a number, got "${text}"`;
  if (integer && !Number.isInteger(value)) return `must be a whole number, got ${trimmed}`;
  return value;
}

/**
 * Splits a core error ("learner.actor.hidden: must be between 1 and 4096, got 0") into the field path
 * below `prefix` ("actor.hidden") and the problem; null when the error is not about a field below it.
 */
export function fieldError(message: string, prefix: string): { path: string; problem: string } | null {
  const match = /^([\w.[\]]+): (.*)$/s.exec(message);
  if (!match) return null;
  const field = match[1]!.replace(/^train\./, '');
  if (!field.startsWith(`${prefix}.`)) return null;
  return { path: field.slice(prefix.length + 1), problem: match[2]! };
}

/** `path` and its ancestors, most specific first: "actor.hidden[0]" → ["actor.hidden[0]", "actor.hidden", "actor"]. */
export function pathAncestors(path: string): string[] {
  const out: string[] = [];
  let rest = path;
  while (rest) {
    out.push(rest);
    const cut = Math.max(rest.lastIndexOf('.'), rest.lastIndexOf('['));
    rest = cut > 0 ? rest.slice(0, cut) : '';
  }
  return out;
}

/** A copy of `value` with `path` (dotted) set to `next`. */
export function setPath(value: unknown, path: string[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return { ...obj, [head!]: setPath(obj[head!], rest, next) };
}

/** The value at `path` (dotted) in `value`. */
export function getPath(value: unknown, path: string[]): unknown {
  let node = value;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}
