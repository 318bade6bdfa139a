import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CheckpointError,
  MAX_CHECKPOINT_BYTES,
  PRETRAINED_SCENARIOS,
  checkpointUrl,
  fetchCheckpoint,
  learnedTitle,
  learnedUrl,
  loadLearned,
  sizeProblem,
} from './learned';
import type { Reply, Request } from './protocol';
import { defaultSettings } from './run';
import type { Runtime } from './runtime';

const PAGE = 'https://example.org/papers/d2sac/diffedge/?embed#run=abc';

/** The message `checkpointUrl` refuses `path` with. */
function refusal(path: string): string {
  try {
    checkpointUrl(path, PAGE);
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return (e as Error).message;
  }
  throw new Error(`${path} was accepted`);
}

describe('checkpoint paths', () => {
  it('take plain paths inside the page folder', () => {
    expect(checkpointUrl('checkpoints/asp.safetensors', PAGE).href).toBe('https://example.org/papers/d2sac/diffedge/checkpoints/asp.safetensors');
    expect(checkpointUrl('./asp-epoch_40~v2.safetensors', PAGE).href).toBe('https://example.org/papers/d2sac/diffedge/asp-epoch_40~v2.safetensors');
    expect(checkpointUrl('a/./b/run.1.safetensors', 'http://127.0.0.1:4174/').href).toBe('http://127.0.0.1:4174/a/b/run.1.safetensors');
  });

  it('refuse URLs, other sites, escapes and anything odd with a message naming it', () => {
    const notUrl = 'must be a path relative to the page (such as checkpoints/asp.safetensors), not a URL';
    expect(refusal('')).toBe('checkpoint path: is empty');
    expect(refusal(`${'a/'.repeat(300)}x.safetensors`)).toBe(`checkpoint path "${'a/'.repeat(30)}…": is 613 characters long; at most 512 are accepted`);
    expect(refusal('https://evil.example/asp.safetensors')).toBe(`checkpoint path "https://evil.example/asp.safetensors": ${notUrl}`);
    expect(refusal('HTTP://example.org/asp.safetensors')).toBe(`checkpoint path "HTTP://example.org/asp.safetensors": ${notUrl}`);
    expect(refusal('javascript:alert(1)')).toBe(`checkpoint path "javascript:alert(1)": ${notUrl}`);
    expect(refusal('data:application/octet-stream,x')).toBe(`checkpoint path "data:application/octet-stream,x": ${notUrl}`);
    expect(refusal('//evil.example/asp.safetensors')).toBe(`checkpoint path "//evil.example/asp.safetensors": ${notUrl}`);
    expect(refusal('\\\\evil.example\\asp.safetensors')).toBe(`checkpoint path "\\\\evil.example\\asp.safetensors": ${notUrl}`);
    expect(refusal('/diffedge/asp.safetensors')).toBe('checkpoint path "/diffedge/asp.safetensors": must be relative to the page, not to the site\'s root (no leading /)');
    expect(refusal('../secret.safetensors')).toBe('checkpoint path "../secret.safetensors": must stay in the page\'s folder (no .. segments)');
    expect(refusal('runs/../../other/x.safetensors')).toBe('checkpoint path "runs/../../other/x.safetensors": must stay in the page\'s folder (no .. segments)');
    expect(refusal('runs/%2e%2e/x.safetensors')).toBe('checkpoint path "runs/%2e%2e/x.safetensors": has "%" at position 6; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('runs\\..\\x.safetensors')).toBe('checkpoint path "runs\\..\\x.safetensors": has "\\\\" at position 5; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('asp.safetensors?v=2')).toBe('checkpoint path "asp.safetensors?v=2": has "?" at position 16; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('asp.safetensors#x')).toBe('checkpoint path "asp.safetensors#x": has "#" at position 16; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('my run.safetensors')).toBe('checkpoint path "my run.safetensors": has " " at position 3; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('run\n.safetensors')).toBe('checkpoint path "run\n.safetensors": has "\\n" at position 4; a path holds only letters, digits, - _ . ~ and /');
    expect(refusal('runs//asp.safetensors')).toBe('checkpoint path "runs//asp.safetensors": has an empty segment (// or a / at the end)');
    expect(refusal('runs/')).toBe('checkpoint path "runs/": has an empty segment (// or a / at the end)');
    expect(refusal('index.html')).toBe('checkpoint path "index.html": must name a .safetensors file');
    expect(refusal('runs/.safetensors')).toBe('checkpoint path "runs/.safetensors": must name a .safetensors file');
  });
});

describe('where a learned policy comes from', () => {
  it('lists the pretrained policies this build ships, from the folder they are in', async () => {
    // Node's fs, out of the page's type check (it has no Node types).
    const fsModule = 'node:fs';
    const { readdirSync } = (await import(/* @vite-ignore */ fsModule)) as { readdirSync(path: string): string[] };
    const shipped = readdirSync('www/public/pretrained').filter((f) => f.endsWith('.safetensors')).map((f) => f.replace(/\.safetensors$/, ''));
    expect([...PRETRAINED_SCENARIOS]).toEqual(shipped.sort());
    for (const scenario of ['asp', 'lad', 'ddc', 'tot', 'flow']) expect(PRETRAINED_SCENARIOS).toContain(scenario);
  });

  it('finds the shipped file, or says there is none for the scenario', () => {
    expect(learnedUrl({ source: 'pretrained' }, 'asp', PAGE).href).toBe('https://example.org/papers/d2sac/diffedge/pretrained/asp.safetensors');
    expect(() => learnedUrl({ source: 'pretrained' }, 'no-such-scenario', PAGE)).toThrow(
      `there is no pretrained policy for no-such-scenario in this build yet (there is one for ${PRETRAINED_SCENARIOS.join(', ')})`,
    );
    expect(learnedUrl({ source: 'checkpoint', path: 'runs/x.safetensors' }, 'asp', PAGE).pathname).toBe('/papers/d2sac/diffedge/runs/x.safetensors');
    expect(() => learnedUrl({ source: 'checkpoint', path: '../x.safetensors' }, 'asp', PAGE)).toThrow(CheckpointError);
    expect(() => learnedUrl({ source: 'run' }, 'asp', PAGE)).toThrow(/^the Training panel's policy was trained in the browser tab that made this link; its weights do not travel in links/);
  });

  it('names it for the page', () => {
    expect(learnedTitle({ source: 'pretrained' }, 'asp', 'd2sac', 25)).toBe('the pretrained asp policy (d2sac, 25 epochs)');
    expect(learnedTitle({ source: 'checkpoint', path: 'runs/a.safetensors' }, 'lad', 'lad', 3)).toBe('the checkpoint runs/a.safetensors (lad, 3 epochs)');
    expect(learnedTitle({ source: 'run' }, 'asp', 'dqn', 7)).toBe("the Training panel's policy (dqn)");
  });

  it('caps every checkpoint at the same size', () => {
    expect(MAX_CHECKPOINT_BYTES).toBe(256 * 2 ** 20);
    expect(sizeProblem('big.safetensors', MAX_CHECKPOINT_BYTES)).toBeNull();
    expect(sizeProblem('big.safetensors', 300 * 2 ** 20)).toBe('big.safetensors: is 300 MiB; checkpoints of at most 256 MiB are accepted');
  });
});

/** A response as `fetch` gives it (the parts `fetchCheckpoint` reads). */
function answer(status: number, headers: Record<string, string>, body: ReadableStream<Uint8Array> | null, url = 'https://example.org/papers/d2sac/diffedge/x.safetensors') {
  return { status, ok: status >= 200 && status < 300, statusText: status === 500 ? 'Internal Server Error' : '', url, headers: new Headers(headers), body } as unknown as Response;
}

/** A stream of `chunks` chunks of 1 MiB (the same buffer each time: no memory of its own). */
function mebibytes(chunks: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(2 ** 20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

describe('fetching a checkpoint', () => {
  afterEach(() => vi.unstubAllGlobals());
  const url = new URL('https://example.org/papers/d2sac/diffedge/x.safetensors');
  const fetched = async (response: Response | Error) => {
    const stub = vi.fn(async () => {
      if (response instanceof Error) throw response;
      return response;
    });
    vi.stubGlobal('fetch', stub);
    try {
      return await fetchCheckpoint(url, 'x.safetensors');
    } finally {
      // Asked for bytes, not a page: servers that answer unknown paths with their page answer 404.
      expect(stub).toHaveBeenCalledWith(url, { headers: { Accept: 'application/octet-stream' }, credentials: 'same-origin' });
    }
  };

  it('reads the bytes', async () => {
    expect(await fetched(answer(200, { 'content-type': 'application/octet-stream' }, new Blob(['abc']).stream()))).toEqual(new TextEncoder().encode('abc'));
  });

  it('says what went wrong', async () => {
    await expect(fetched(answer(404, {}, null))).rejects.toThrow('x.safetensors: is not on the server (HTTP 404)');
    await expect(fetched(answer(500, {}, null))).rejects.toThrow('x.safetensors: the server answered HTTP 500 Internal Server Error');
    await expect(fetched(new TypeError('Failed to fetch'))).rejects.toThrow('x.safetensors: cannot be fetched (Failed to fetch)');
    await expect(fetched(answer(200, { 'content-type': 'text/html; charset=utf-8' }, new Blob(['<!doctype html>']).stream()))).rejects.toThrow(
      'x.safetensors: the server answered with a web page, not a checkpoint file',
    );
    await expect(fetched(answer(200, {}, new Blob(['x']).stream(), 'https://elsewhere.example/x.safetensors'))).rejects.toThrow(
      'x.safetensors: the server redirected it to another site',
    );
  });

  it('refuses more than the cap, from the declared length or while reading', async () => {
    const declared = answer(200, { 'content-length': String(300 * 2 ** 20) }, mebibytes(300));
    await expect(fetched(declared)).rejects.toThrow('x.safetensors: is 300 MiB; checkpoints of at most 256 MiB are accepted');
    // No length declared (or a compressed one): counted while reading, stopped just past the cap.
    await expect(fetched(answer(200, {}, mebibytes(300)))).rejects.toThrow('x.safetensors: is 256 MiB; checkpoints of at most 256 MiB are accepted');
    await expect(fetched(answer(200, { 'content-length': '10', 'content-encoding': 'gzip' }, mebibytes(300)))).rejects.toThrow(/at most 256 MiB/);
  });
});

describe('loading the learned policy a run names', () => {
  afterEach(() => vi.unstubAllGlobals());
  /** A runtime whose worker answers `train-load` with `reply`; records the requests. */
  const runtime = (reply: Reply, requests: Request[] = []) => ({ call: async (r: Request) => (requests.push(r), reply) }) as unknown as Runtime;
  const created: Reply = { kind: 'train-created', config: '{}', history: [], envSteps: 0, updates: 0 };

  it('loads nothing when none is named', async () => {
    expect(await loadLearned(runtime(created), defaultSettings(), PAGE)).toEqual({ kind: 'none' });
  });

  it('fetches the file and has the worker check it for the run\'s scenario and world', async () => {
    vi.stubGlobal('fetch', async () => answer(200, {}, new Blob(['ck']).stream()));
    const requests: Request[] = [];
    const settings = { ...defaultSettings(), learned: { source: 'pretrained' } as const };
    expect(await loadLearned(runtime(created, requests), settings, PAGE)).toEqual({ kind: 'loaded', run: created, what: 'pretrained/asp.safetensors' });
    expect(requests).toEqual([{ kind: 'train-load', bytes: new TextEncoder().encode('ck'), expect: { scenario: 'asp', config: '{"world_seed":0}' } }]);
  });

  it('gives the message to show, naming the file, and never throws', async () => {
    vi.stubGlobal('fetch', async () => answer(200, {}, new Blob(['junk']).stream()));
    const refused = runtime({ kind: 'error', message: 'checkpoint: is a policy for cartpole; this run is on asp', field: 'checkpoint', problem: 'is a policy for cartpole; this run is on asp' });
    const named = { ...defaultSettings(), learned: { source: 'checkpoint', path: 'runs/cartpole.safetensors' } as const };
    expect(await loadLearned(refused, named, PAGE)).toEqual({ kind: 'error', message: 'runs/cartpole.safetensors: checkpoint: is a policy for cartpole; this run is on asp' });
    const escape = { ...defaultSettings(), learned: { source: 'checkpoint', path: '../x.safetensors' } as const };
    expect(await loadLearned(refused, escape, PAGE)).toEqual({ kind: 'error', message: 'checkpoint path "../x.safetensors": must stay in the page\'s folder (no .. segments)' });
    // Every scenario ships one now; a build where pretrain.sh refused one has the scenario missing.
    const none = { ...defaultSettings(), scenario: 'no-such-scenario', learned: { source: 'pretrained' } as const };
    expect(await loadLearned(refused, none, PAGE)).toEqual({ kind: 'error', message: expect.stringMatching(/^there is no pretrained policy for no-such-scenario in this build yet/) });
  });
});
