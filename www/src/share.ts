// The whole run in a URL: the RunStore's settings as JSON with a version tag, compressed (deflate-raw) and
// written base64url into the hash as `#run=…`; and back, refusing anything malformed or oversized with a
// message that names what is wrong. The embed snippet for an <iframe> lives here too.
import { collect } from './bytes';
import { learnedName } from './learned';
import { LEARNED_POLICY } from './protocol';
import { defaultSettings, upgradeSettings, type RunSettings } from './run';

/**
 * The payload's format: 2 since a run names the learned policy that plays in `learned` (version 1 said
 * `policy: "learned"`; such links are upgraded, see `upgradeSettings`). Other versions are refused with
 * a message.
 */
export const SHARE_VERSION = 2;
/** The versions a link may have. */
const READABLE_VERSIONS = [1, SHARE_VERSION];
/** Largest compressed payload a link may carry (bytes, after base64url decoding). */
export const MAX_COMPRESSED_BYTES = 64 * 1024;
/** Largest JSON a payload may inflate to: an uploaded world (at most 1 MiB as a file) plus the rest. */
export const MAX_JSON_BYTES = 2 * 1024 * 1024;
/** The hash key of a shared run. */
const KEY = 'run=';

/** A problem with a share link, as a sentence for the page. */
export class ShareError extends Error {}

/**
 * What a hash holds: nothing to restore, a run, or a reason it cannot be used. A run's `heuristic` is the
 * policy the link names (null when it names none, and the scenario's starting one plays): only the core
 * knows a scenario's heuristics, so it is checked once the scenario is built (see `policyProblem`).
 */
export type Restored =
  | { kind: 'none' }
  | { kind: 'run'; settings: RunSettings; heuristic: string | null }
  | { kind: 'error'; message: string };

/** Bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** base64url (padding optional) as bytes; a ShareError for anything else. */
export function fromBase64Url(text: string): Uint8Array {
  const bad = /[^A-Za-z0-9_-]/.exec(text.replace(/=+$/, ''));
  if (bad) throw new ShareError(`share link: unexpected character '${bad[0]}' at position ${bad.index + 1} (a link holds only A–Z, a–z, 0–9, - and _)`);
  if (text.replace(/=+$/, '').length % 4 === 1) throw new ShareError('share link: the data is cut short');
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '').padEnd(Math.ceil(text.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const streamOf = (bytes: Uint8Array) => new Blob([bytes as BlobPart]).stream();

/** `settings` as the value of a `#run=` hash. A ShareError if the compressed run exceeds the limit. */
export async function encodeRun(settings: RunSettings): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify({ version: SHARE_VERSION, run: settings }));
  const compressed = await collect(streamOf(json).pipeThrough(new CompressionStream('deflate-raw')), Number.POSITIVE_INFINITY, () => new ShareError(''));
  if (compressed.length > MAX_COMPRESSED_BYTES) {
    throw new ShareError(
      `This run is too large for a link (${kib(compressed.length)} compressed; at most ${kib(MAX_COMPRESSED_BYTES)}); ` +
        'its uploaded world is most of it: download the parameters and send the file along with a link made without it.',
    );
  }
  return KEY + toBase64Url(compressed);
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

/** The run a location hash (`#run=…`, with or without the `#`) holds. Never throws. */
export async function decodeRun(hash: string): Promise<Restored> {
  const body = hash.replace(/^#/, '');
  if (body === '') return { kind: 'none' };
  try {
    if (!body.startsWith(KEY)) throw new ShareError(`share link: expected "#${KEY}…", got "#${body.slice(0, 24)}${body.length > 24 ? '…' : ''}"`);
    const data = body.slice(KEY.length);
    // base64url grows the bytes by 4/3: refuse before decoding anything.
    if (data.length > Math.ceil((MAX_COMPRESSED_BYTES * 4) / 3)) {
      throw new ShareError(`share link: ${kib((data.length * 3) / 4)} of data; at most ${kib(MAX_COMPRESSED_BYTES)} are accepted`);
    }
    const compressed = fromBase64Url(data);
    let json: Uint8Array;
    try {
      json = await collect(
        streamOf(compressed).pipeThrough(new DecompressionStream('deflate-raw')),
        MAX_JSON_BYTES,
        () => new ShareError(`share link: the run inflates to more than ${kib(MAX_JSON_BYTES)}`),
      );
    } catch (e) {
      if (e instanceof ShareError) throw e;
      throw new ShareError('share link: the data is damaged (it does not decompress)');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
    } catch {
      throw new ShareError('share link: the data is damaged (it is not JSON)');
    }
    return { kind: 'run', ...checkPayload(payload) };
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of a payload. */
const PAYLOAD_KEYS = ['version', 'run'];

/**
 * The settings a decoded payload holds, checked against the defaults' shapes: every known setting must
 * have its default's type (numbers: whole numbers from 0, as seeds and indices are; a null default takes
 * an object too; `learned` one of its forms); missing ones take the default (links from before a setting
 * existed); unknown ones are refused, at the top too; a version-1 run is upgraded first. With them the
 * heuristic the link names, if any (see `Restored`). What the values mean (a config, a seed's range, a
 * checkpoint's path, a heuristic's name) is checked when the run starts.
 *
 * Keys are looked up as own properties only: a key that names a member every object inherits
 * (`__proto__`, `constructor`, `toString`) is as unknown as any other.
 */
export function checkPayload(payload: unknown): { settings: RunSettings; heuristic: string | null } {
  if (!isPlainObject(payload)) throw new ShareError('share link: expected an object with "version" and "run"');
  const version = payload['version'];
  if (!READABLE_VERSIONS.includes(version as number)) {
    throw new ShareError(`share link: version ${JSON.stringify(version)} is not one this page reads (${READABLE_VERSIONS.join(' or ')})`);
  }
  const extra = Object.keys(payload).find((key) => !PAYLOAD_KEYS.includes(key));
  if (extra !== undefined) throw new ShareError(`share link: ${extra}: not a part of a link (a link holds "version" and "run")`);
  const given = payload['run'];
  if (!isPlainObject(given)) throw new ShareError('share link: run: expected an object');
  if (version === SHARE_VERSION && given['policy'] === LEARNED_POLICY) {
    throw new ShareError(`share link: run.policy: must be a heuristic, got "${LEARNED_POLICY}" (a learned policy is named by run.learned)`);
  }
  const run = version === 1 ? upgradeSettings(given) : given;
  const defaults = defaultSettings() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(run)) {
    if (!Object.hasOwn(defaults, key)) throw new ShareError(`share link: run.${key}: not a setting of this page`);
    const problem = key === 'learned' ? learnedProblem(value) : shapeProblem(defaults[key], value);
    if (problem) throw new ShareError(`share link: run.${key}${problem.startsWith('.') ? '' : ': '}${problem}, got ${preview(problemValue(value, problem))}`);
    out[key] = value;
  }
  return { settings: out as unknown as RunSettings, heuristic: Object.hasOwn(run, 'policy') ? (run['policy'] as string) : null };
}

/**
 * Why the heuristic a link names (`named`) cannot play on `scenario` as built, whose policies are
 * `policies` (the learned one among them, which a link names by `learned`), or null.
 */
export function policyProblem(named: string, scenario: string, policies: string[]): string | null {
  const heuristics = policies.filter((name) => name !== LEARNED_POLICY);
  if (heuristics.includes(named)) return null;
  return `share link: run.policy: must be one of ${scenario}'s heuristics (${heuristics.map((name) => `"${name}"`).join(', ')}), got ${preview(named)}`;
}

/** The sources a learned policy may come from, with the fields each takes besides `source`. */
const LEARNED_FIELDS = new Map<unknown, string[]>([
  ['pretrained', []],
  ['checkpoint', ['path']],
  ['run', []],
]);

/**
 * What is wrong with `value` as a run's `learned` (see `LearnedPolicy`), or null. A problem in one of its
 * fields starts with the field (".source: …"). The path itself is checked when the policy is fetched, so
 * that a bad path falls back to the heuristic with the rest of the link kept.
 */
function learnedProblem(value: unknown): string | null {
  if (value === null) return null;
  if (!isPlainObject(value)) return 'must be null or an object with "source"';
  const fields = LEARNED_FIELDS.get(value['source']);
  if (!fields) return `.source: must be ${[...LEARNED_FIELDS.keys()].map((k) => `"${k}"`).join(', ')}`;
  const extra = Object.keys(value).find((k) => k !== 'source' && !fields.includes(k));
  if (extra) return `.${extra}: not a field of a ${value['source']} policy`;
  if (value['source'] === 'checkpoint' && typeof value['path'] !== 'string') return '.path: must be a string (a path relative to the page)';
  return null;
}

/** The part of `value` that `problem` is about: the field it names, else the whole. */
function problemValue(value: unknown, problem: string): unknown {
  const field = /^\.(\w+):/.exec(problem)?.[1];
  return field && isPlainObject(value) ? (Object.hasOwn(value, field) ? value[field] : undefined) : value;
}

function shapeProblem(model: unknown, value: unknown): string | null {
  if (model === null) return value === null || isPlainObject(value) ? null : 'must be an object or null';
  if (isPlainObject(model)) return isPlainObject(value) ? null : 'must be an object';
  if (Array.isArray(model)) return Array.isArray(value) ? null : 'must be a list';
  if (typeof model === 'number') {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? null : 'must be a whole number from 0';
  }
  return typeof value === typeof model ? null : `must be a ${typeof model}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The page's address for `hash` (`run=…`), optionally in embed mode; `base` is the page's URL. */
export function runUrl(base: string, hash: string, embed: boolean): string {
  const url = new URL(base);
  url.search = embed ? '?embed' : '';
  url.hash = hash;
  return url.toString();
}

/**
 * Whether `a` and `b` are the same run as a link holds it (the tab's own learned policy aside, which no
 * link carries): a reload of a page whose address follows the run finds its saved session that way.
 */
export function sameRun(a: RunSettings, b: RunSettings): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  const text = (s: RunSettings) => JSON.stringify(canonical(shareable(s).settings));
  return text(a) === text(b);
}

/** Whether the page was opened as an embed (`?embed`). */
export function isEmbed(search: string): boolean {
  return new URLSearchParams(search).has('embed');
}

/**
 * The run as a link can carry it: the Training panel's own policy (trained or uploaded in the tab) has no
 * file a link can name, so such a link plays the heuristic, and `note` says so; else null.
 */
export function shareable(settings: RunSettings): { settings: RunSettings; note: string | null } {
  if (settings.learned?.source !== 'run') return { settings, note: null };
  return {
    settings: { ...settings, learned: null },
    note:
      `The learned policy playing was trained or uploaded in this tab, and a link cannot carry its weights: the link plays ${settings.policy}. ` +
      'To share the policy, download its checkpoint, serve the file beside the page and load it by its path.',
  };
}

/** The title of an embed of `settings`: the scenario, and the learned policy against the heuristic. */
export function embedTitle(settings: RunSettings): string {
  const { scenario, learned, policy } = settings;
  return learned ? `diffedge: ${learnedName(learned, scenario)} vs ${policy} on ${scenario}` : `diffedge: ${scenario} run`;
}

/** The `<iframe>` snippet that embeds the run at `url`. */
export function embedSnippet(url: string, title: string): string {
  const attr = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  return `<iframe src="${attr(url)}" title="${attr(title)}" width="800" height="520" loading="lazy" style="border: 1px solid #d5dde6; border-radius: 8px"></iframe>`;
}
