// Bringing your own parameters, the parts that need no page: which files are accepted, what a world
// holds in a line, and where a fitted curve goes in the world (the rule below). The core checks every
// file and every world before it is used.
import type { AspFit, TotFit } from './types';

/** Largest file accepted, the core's limit for parameter files and CSV tables (1 MiB). */
export const MAX_FILE_BYTES = 1 << 20;
/** Longest `source` text a parameter file may carry (the core's limit). */
const MAX_SOURCE_BYTES = 1000;

/** The measurement table each scenario fits, by its header. */
export const CSV_COLUMNS: Record<string, string> = {
  asp: 'steps,quality',
  tot: 'tokens,delay_s,score',
  ddc: 'condition,alpha,beta,steps,q_i,q_t,kb',
};

/** Why a file of `size` bytes is refused before it is read, or null if its size is fine. */
export function sizeProblem(name: string, size: number): string | null {
  if (size <= MAX_FILE_BYTES) return null;
  return `${name}: is ${(size / MAX_FILE_BYTES).toFixed(1)} MiB; files up to 1 MiB are accepted`;
}

/** A parameter file (JSON) or measurements (CSV), by the file's name, else its type; null if neither. */
export function fileKind(name: string, type: string): 'json' | 'csv' | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  if (type === 'application/json') return 'json';
  if (type === 'text/csv') return 'csv';
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The scenario a parameter file names in its `schema` tag (`"tot/v1"` → `tot`), if it names one of `ids`. */
export function fileScenario(world: unknown, ids: string[]): string | null {
  const tag = isObject(world) && typeof world['schema'] === 'string' ? world['schema'].split('/')[0] : undefined;
  return tag !== undefined && ids.includes(tag) ? tag : null;
}

/** A world in a line: its source and how many of each list it holds ("providers 20"). */
export function worldSummary(world: unknown): string {
  if (!isObject(world)) return '';
  const counts = Object.entries(world)
    .filter(([, v]) => Array.isArray(v))
    .map(([k, v]) => `${k.replaceAll('_', ' ')} ${(v as unknown[]).length}`);
  const source = typeof world['source'] === 'string' ? world['source'] : '';
  return [source, counts.join(', ')].filter(Boolean).join(' — ');
}

/** Most measurements a fit's preview plots: enough to show how they spread, few enough to draw at once. */
export const MAX_PLOTTED_POINTS = 2000;

/**
 * `fit` (the core's answer to a CSV) with its measurements (`data`, in file order) cut to at most
 * `MAX_PLOTTED_POINTS` spread evenly over the file, for the preview: a 1 MiB table holds some 100 000
 * of them, which the page would take most of a second to copy, sort and draw. `points` still counts them
 * all; a fit without measurements (ddc's profile) comes back as it is.
 */
export function plottedFit(fit: unknown): unknown {
  const data = isObject(fit) ? fit['data'] : undefined;
  if (!Array.isArray(data) || data.length <= MAX_PLOTTED_POINTS) return fit;
  const stride = data.length / MAX_PLOTTED_POINTS;
  return { ...(fit as object), data: Array.from({ length: MAX_PLOTTED_POINTS }, (_, i) => data[Math.floor(i * stride)]) };
}

/** Where a fit can go: a value naming the place in the world and a label for people. */
export interface FitTarget {
  value: string;
  label: string;
}

/**
 * The places a fitted curve can replace in `world`: asp a provider's quality ramp; tot the base station's
 * or a service provider's curves; ddc replaces the whole profile (one target).
 */
export function fitTargets(scenario: string, world: unknown): FitTarget[] {
  const list = (key: string) => (isObject(world) && Array.isArray(world[key]) ? (world[key] as unknown[]) : []);
  switch (scenario) {
    case 'asp':
      return list('providers').map((_, i) => ({ value: String(i), label: `provider ${i + 1}` }));
    case 'tot':
      return [
        { value: 'bs', label: 'the base station' },
        ...list('service_providers').map((_, i) => ({ value: String(i), label: `service provider ${i + 1}` })),
      ];
    case 'ddc':
      return [{ value: 'all', label: 'the whole profile' }];
    default:
      return [];
  }
}

/**
 * `world` with the fit applied at `target` — the rule:
 * - asp: the provider keeps its capacity and its base quality `a_y`; the fit sets `a_x`, `b_x` and
 *   `b_y = a_y + height` (the fitted ramp's utility from `b_x` on);
 * - tot: the server keeps its place (and the base station its token count); the fit sets its curves
 *   `σ, ρ, η, ψ`;
 * - ddc: the fitted profile (a whole parameter file) replaces the world.
 * The world's `source` says what was fitted to which file. The result still goes through the core.
 */
export function applyFit(scenario: string, world: unknown, fit: unknown, target: string, fileName: string): unknown {
  if (scenario === 'ddc') return fit;
  if (!isObject(world)) throw new Error('world: not a parameter file');
  const next = structuredClone(world);
  const i = Number(target);
  let place: string;
  if (scenario === 'asp') {
    const f = fit as AspFit;
    const providers = next['providers'] as Record<string, number>[];
    const p = providers[i];
    if (!p) throw new Error(`target: no provider ${i + 1}`);
    providers[i] = { ...p, a_x: f.a_x, b_x: f.b_x, b_y: (p['a_y'] ?? 0) + f.height };
    place = `provider ${i + 1}'s quality ramp`;
  } else if (scenario === 'tot') {
    const f = fit as TotFit;
    const curve = { sigma: f.quality.sigma, rho_per_token: f.quality.rho_per_token, eta_s_per_token: f.delay.eta_s_per_token, psi_s: f.delay.psi_s };
    const server = target === 'bs' ? (next['bs'] as Record<string, unknown> | undefined) : (next['service_providers'] as Record<string, unknown>[])[i];
    if (!server) throw new Error(`target: no ${target === 'bs' ? 'base station' : `service provider ${i + 1}`}`);
    server['curve'] = curve;
    place = target === 'bs' ? "the base station's curves" : `service provider ${i + 1}'s curves`;
  } else {
    throw new Error(`scenario: ${scenario} takes no measurement CSV (asp, tot and ddc do)`);
  }
  let source = `${typeof next['source'] === 'string' ? `${next['source']}; ` : ''}${place} fitted to ${fileName}`;
  // Keep the latest notes when they outgrow the limit (counted in UTF-8 bytes, as the core counts).
  while (new TextEncoder().encode(source).length > MAX_SOURCE_BYTES) source = `…${source.slice(2)}`;
  next['source'] = source;
  return next;
}
