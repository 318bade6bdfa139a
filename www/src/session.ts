// The saved session (IndexedDB, via idb-keyval): the run settings, the trainer's checkpoint bytes and the
// metric history, so that a reload brings the run back. Storage failures (private mode, quota) are
// reported, never thrown: the page works without persistence.
import { del, get, set } from 'idb-keyval';
import type { RunSettings } from './run';
import type { EpochRecord } from './types';

const KEY = 'diffedge-session-v1';

/** What survives a reload. */
export interface Session {
  settings: RunSettings;
  /** The trainer's checkpoint (the core's safetensors bytes), when a run exists. */
  checkpoint: Uint8Array | null;
  history: EpochRecord[];
}

/** The saved session, or null (none, unreadable, or storage unavailable). */
export async function loadSession(): Promise<Session | null> {
  try {
    const saved = (await get(KEY)) as Session | undefined;
    if (!saved || typeof saved !== 'object' || !saved.settings) return null;
    return saved;
  } catch {
    return null;
  }
}

/** Saves run one after another, so that a later save never loses an earlier one's parts. */
let saving: Promise<unknown> = Promise.resolve();

/** Saves the parts given (the rest stay as saved); returns an error message or null. */
export function saveSession(patch: Partial<Session> & { settings: RunSettings }): Promise<string | null> {
  const next = saving.then(() => write(patch));
  saving = next;
  return next;
}

async function write(patch: Partial<Session> & { settings: RunSettings }): Promise<string | null> {
  try {
    const saved = (await get(KEY)) as Session | undefined;
    await set(KEY, { checkpoint: null, history: [], ...saved, ...patch } satisfies Session);
    return null;
  } catch (e) {
    return `session: cannot save in this browser's storage (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** Forgets the saved session. */
export async function clearSession(): Promise<void> {
  try {
    await del(KEY);
  } catch {
    // Nothing saved is nothing to forget.
  }
}
