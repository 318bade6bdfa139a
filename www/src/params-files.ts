// Bringing your own parameters, the parts that need no page: which files are accepted, what a world
// holds in a line, and how much of a fit's data is plotted. Where a fit goes in a world is the core's
// rule (`ScenarioConfig::apply_fit`); the core checks every file and every world before it is used.

/** Largest file accepted, the core's limit for parameter files and CSV tables (1 MiB). */
export const MAX_FILE_BYTES = 1 << 20;

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
