// Where a learned policy's weights come from: the scenario's pretrained policy shipped with the page, a
// checkpoint file served beside the page (a path a shared link may name, so it is checked before anything
// is fetched), or a file the user uploads — every one capped at the same size and read by the core's
// checkpoint loader in the worker. Also what the page calls each of them.
import { collect } from './bytes';
import { round } from './format';
import type { TrainReply } from './protocol';
import type { LearnedPolicy, RunSettings } from './run';
import type { Runtime } from './runtime';

/** Largest checkpoint accepted, uploaded or fetched, bytes. */
export const MAX_CHECKPOINT_BYTES = 256 * 1024 * 1024;
/** Longest checkpoint path a run may name, characters. */
export const MAX_PATH_CHARS = 512;
/** The scenarios whose pretrained policy this build ships (`pretrained/<scenario>.safetensors`). */
export const PRETRAINED_SCENARIOS: readonly string[] = __PRETRAINED_SCENARIOS__;

/** A checkpoint that cannot be used, as a sentence for the page. */
export class CheckpointError extends Error {}

/** Checkpoint bytes and what to call them in messages. */
export interface Fetched {
  bytes: Uint8Array;
  what: string;
}

/** The worker's answer to a checkpoint it loaded: the run's config, history and counters. */
export type LoadedRun = Extract<TrainReply, { kind: 'train-created' }>;

/** A run's learned policy after `loadLearned`: none named, loaded in the worker, or why not. */
export type Loaded = { kind: 'none' } | { kind: 'loaded'; run: LoadedRun; what: string } | { kind: 'error'; message: string };

/** The message for a checkpoint of `bytes` bytes called `name` that is over the cap, or null. */
export function sizeProblem(name: string, bytes: number): string | null {
  if (bytes <= MAX_CHECKPOINT_BYTES) return null;
  return `${name}: is ${round(bytes / 2 ** 20, 1)} MiB; checkpoints of at most ${MAX_CHECKPOINT_BYTES / 2 ** 20} MiB are accepted`;
}

/** Characters a checkpoint path may hold besides `/` (those of a plain file name). */
const PATH_CHAR = /[A-Za-z0-9._~-]/;

/**
 * The URL of the checkpoint at `path`, relative to the page at `page`. Only plain relative paths inside
 * the page's folder are taken — segments of letters, digits, `-`, `_`, `.` and `~`, ending in a
 * `.safetensors` file — so that a link can make the page fetch nothing but a file served beside it. A URL,
 * a path from the site's root, `..`, and anything else (`\`, `%`, `?`, `#`, spaces, empty segments) is
 * refused with a CheckpointError naming it.
 */
export function checkpointUrl(path: string, page: string): URL {
  const refuse = (problem: string) => new CheckpointError(`checkpoint path "${shorten(path)}": ${problem}`);
  if (path === '') throw new CheckpointError('checkpoint path: is empty');
  if (path.length > MAX_PATH_CHARS) throw refuse(`is ${path.length} characters long; at most ${MAX_PATH_CHARS} are accepted`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || /^[/\\]{2}/.test(path)) {
    throw refuse('must be a path relative to the page (such as checkpoints/asp.safetensors), not a URL');
  }
  if (path.startsWith('/')) throw refuse("must be relative to the page, not to the site's root (no leading /)");
  for (const [i, c] of [...path].entries()) {
    if (c !== '/' && !PATH_CHAR.test(c)) {
      throw refuse(`has ${JSON.stringify(c)} at position ${i + 1}; a path holds only letters, digits, - _ . ~ and /`);
    }
  }
  const segments = path.split('/');
  if (segments.includes('..')) throw refuse("must stay in the page's folder (no .. segments)");
  if (segments.includes('')) throw refuse('has an empty segment (// or a / at the end)');
  if (!path.endsWith('.safetensors') || segments.at(-1) === '.safetensors') throw refuse('must name a .safetensors file');
  // The rules above keep the path inside the page's folder; resolving it must agree.
  const base = new URL(page);
  const url = new URL(path, base);
  const folder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
  if (url.origin !== base.origin || !url.pathname.startsWith(folder)) throw refuse("resolves outside the page's folder");
  return url;
}

const shorten = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** What the page calls `learned` (the policy of `scenario`) in its status and messages. */
export function learnedName(learned: LearnedPolicy, scenario: string): string {
  switch (learned.source) {
    case 'pretrained':
      return `the pretrained ${scenario} policy`;
    case 'checkpoint':
      return `the checkpoint ${learned.path}`;
    case 'run':
      return "the Training panel's policy";
  }
}

/**
 * What the page calls the policy loaded from `origin` for `scenario`, with its algorithm and (when it is a
 * file, which does not change) its epochs: "the pretrained asp policy (d2sac, 25 epochs)".
 */
export function learnedTitle(origin: LearnedPolicy, scenario: string, algorithm: string, epochs: number): string {
  return `${learnedName(origin, scenario)} (${algorithm}${origin.source === 'run' ? '' : `, ${epochs} epochs`})`;
}

/**
 * Where the weights of `learned` for `scenario` are fetched from, on the page at `page`. A CheckpointError
 * says why there is nothing to fetch: no pretrained policy shipped for the scenario, a path refused by
 * `checkpointUrl`, or the Training panel's own run (its weights are in the tab, not on the server).
 */
export function learnedUrl(learned: LearnedPolicy, scenario: string, page: string): URL {
  switch (learned.source) {
    case 'pretrained':
      if (!PRETRAINED_SCENARIOS.includes(scenario)) {
        throw new CheckpointError(
          `there is no pretrained policy for ${scenario} in this build yet (there is one for ${PRETRAINED_SCENARIOS.join(', ') || 'no scenario'})`,
        );
      }
      return new URL(`pretrained/${scenario}.safetensors`, page);
    case 'checkpoint':
      return checkpointUrl(learned.path, page);
    case 'run':
      throw new CheckpointError(
        "the Training panel's policy was trained in the browser tab that made this link; its weights do not travel in links (download its checkpoint, serve it beside the page and name that file)",
      );
  }
}

/**
 * The bytes at `url` (a file of the page's own site), called `name` in messages: at most
 * `MAX_CHECKPOINT_BYTES` (refused from the declared length before reading, and while reading), never a
 * web page (a server answering missing files with its page), never from another site after a redirect.
 */
export async function fetchCheckpoint(url: URL, name: string): Promise<Uint8Array> {
  let response: Response;
  try {
    // Not `*/*`: servers that answer unknown paths with the page for HTML requests answer 404 to this.
    response = await fetch(url, { headers: { Accept: 'application/octet-stream' }, credentials: 'same-origin' });
  } catch (e) {
    throw new CheckpointError(`${name}: cannot be fetched (${e instanceof Error ? e.message : String(e)})`);
  }
  if (response.status === 404) throw new CheckpointError(`${name}: is not on the server (HTTP 404)`);
  if (!response.ok) throw new CheckpointError(`${name}: the server answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  if (response.url && new URL(response.url).origin !== url.origin) throw new CheckpointError(`${name}: the server redirected it to another site`);
  if (/^text\/html\b/i.test(response.headers.get('content-type') ?? '')) {
    throw new CheckpointError(`${name}: the server answered with a web page, not a checkpoint file`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = (bytes: number) => new CheckpointError(sizeProblem(name, bytes) ?? '');
  if (!response.headers.has('content-encoding') && declared > MAX_CHECKPOINT_BYTES) {
    await response.body?.cancel();
    throw tooLarge(declared);
  }
  if (!response.body) return new Uint8Array();
  return collect(response.body, MAX_CHECKPOINT_BYTES, () => tooLarge(MAX_CHECKPOINT_BYTES + 1));
}

/** The weights of `learned` for `scenario`, fetched from beside the page at `page`; a CheckpointError if not. */
export async function fetchLearned(learned: LearnedPolicy, scenario: string, page: string): Promise<Fetched> {
  const url = learnedUrl(learned, scenario, page);
  const what = learned.source === 'checkpoint' ? learned.path : `pretrained/${scenario}.safetensors`;
  return { bytes: await fetchCheckpoint(url, what), what };
}

/**
 * Loads the learned policy that `settings` name into the worker (as its training run), checked by the core
 * like an uploaded checkpoint and checked to act in the run's scenario and world. Never throws: a policy
 * that cannot be loaded comes back as the message to show (it names the file or the path).
 */
export async function loadLearned(runtime: Runtime, settings: RunSettings, page: string): Promise<Loaded> {
  const { learned, scenario } = settings;
  if (!learned) return { kind: 'none' };
  try {
    const { bytes, what } = await fetchLearned(learned, scenario, page);
    const reply = await runtime.call({ kind: 'train-load', bytes, expect: { scenario, config: JSON.stringify(settings.config) } });
    if (reply.kind === 'error') throw new CheckpointError(`${what}: ${reply.message}`);
    if (reply.kind !== 'train-created') throw new CheckpointError(`${what}: unexpected reply ${reply.kind}`);
    return { kind: 'loaded', run: reply, what };
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}
