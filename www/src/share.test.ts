import { describe, expect, it } from 'vitest';
import { defaultSettings } from './run';
import { MAX_COMPRESSED_BYTES, ShareError, decodeRun, embedSnippet, encodeRun, fromBase64Url, isEmbed, runUrl, toBase64Url } from './share';

const deflate = async (text: string) => {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};
const hashOf = async (payload: unknown) => `#run=${toBase64Url(await deflate(JSON.stringify(payload)))}`;
const errorOf = async (hash: string) => {
  const r = await decodeRun(hash);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
  return r.message;
};

describe('share links', () => {
  it('round-trips the whole run, an uploaded world included', async () => {
    const settings = {
      ...defaultSettings(),
      scenario: 'tot',
      config: { world_seed: 3, world: { schema: 'tot/v1', score_max: 10, service_providers: [{ x_m: 1.25 }] } },
      episodeSeed: 9,
      policy: 'greedy',
      learner: { kind: 'sac', gamma: 0.95 },
      speed: 4,
    };
    const hash = await encodeRun(settings);
    expect(hash).toMatch(/^run=[A-Za-z0-9_-]+$/);
    expect(await decodeRun(`#${hash}`)).toEqual({ kind: 'run', settings });
  });

  it('has nothing to restore without a hash', async () => {
    expect(await decodeRun('')).toEqual({ kind: 'none' });
    expect(await decodeRun('#')).toEqual({ kind: 'none' });
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect(fromBase64Url(text)).toEqual(bytes);
    expect(() => fromBase64Url('ab$c')).toThrow(ShareError);
  });

  it('takes the defaults for settings a link predates', async () => {
    const r = await decodeRun(await hashOf({ version: 1, run: { scenario: 'lad', config: {} } }));
    expect(r).toEqual({ kind: 'run', settings: { ...defaultSettings(), scenario: 'lad', config: {} } });
  });

  it('refuses malformed links with a message naming the problem', async () => {
    expect(await errorOf('#foo=bar')).toBe('share link: expected "#run=…", got "#foo=bar"');
    expect(await errorOf('#run=abc$def')).toBe("share link: unexpected character '$' at position 4 (a link holds only A–Z, a–z, 0–9, - and _)");
    expect(await errorOf('#run=A')).toBe('share link: the data is cut short');
    expect(await errorOf('#run=AAAAAAAAAAAAAAAAAAAA')).toBe('share link: the data is damaged (it does not decompress)');
    expect(await errorOf(`#run=${toBase64Url(await deflate('{"version": 1, "run": '))}`)).toBe('share link: the data is damaged (it is not JSON)');
    expect(await errorOf(await hashOf([1, 2]))).toBe('share link: expected an object with "version" and "run"');
    expect(await errorOf(await hashOf({ version: 2, run: {} }))).toBe('share link: version 2 is not one this page reads (1)');
    expect(await errorOf(await hashOf({ version: 1, run: 'asp' }))).toBe('share link: run: expected an object');
    expect(await errorOf(await hashOf({ version: 1, run: { colour: 'red' } }))).toBe('share link: run.colour: not a setting of this page');
    expect(await errorOf(await hashOf({ version: 1, run: { episodeSeed: -1 } }))).toBe('share link: run.episodeSeed: must be a whole number from 0, got -1');
    expect(await errorOf(await hashOf({ version: 1, run: { config: [1] } }))).toBe('share link: run.config: must be an object, got [1]');
    expect(await errorOf(await hashOf({ version: 1, run: { learner: 3 } }))).toBe('share link: run.learner: must be an object or null, got 3');
    expect(await errorOf(await hashOf({ version: 1, run: { scenario: 4 } }))).toBe('share link: run.scenario: must be a string, got 4');
  });

  it('refuses oversized links before and while inflating', async () => {
    expect(await errorOf(`#run=${'A'.repeat(Math.ceil((MAX_COMPRESSED_BYTES * 4) / 3) + 4)}`)).toMatch(/^share link: 65 KiB of data; at most 64 KiB are accepted$/);
    // A few KiB that inflate to 3 MiB: stopped at the limit.
    const bomb = await hashOf({ version: 1, run: { policy: ' '.repeat(3 << 20) } });
    expect(bomb.length).toBeLessThan(10_000);
    expect(await errorOf(bomb)).toBe('share link: the run inflates to more than 2048 KiB');
  });

  it('will not make a link of a run too large for one', async () => {
    // 120 KB of digits that deflate cannot squeeze below 64 KiB.
    let seed = 1;
    const noise = Array.from({ length: 20_000 }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647).toFixed(6)).join(',');
    const settings = { ...defaultSettings(), config: { world: { noise } } };
    await expect(encodeRun(settings)).rejects.toThrow(/^This run is too large for a link \(\d+ KiB compressed; at most 64 KiB\)/);
  });
});

describe('embedding', () => {
  it('makes the URL and the snippet', () => {
    const url = runUrl('https://example.org/diffedge/?x=1#old', 'run=abc', true);
    expect(url).toBe('https://example.org/diffedge/?embed#run=abc');
    expect(runUrl('https://example.org/diffedge/?embed#old', 'run=abc', false)).toBe('https://example.org/diffedge/#run=abc');
    expect(embedSnippet(url, 'diffedge: asp "crash_avoid" <run>')).toBe(
      '<iframe src="https://example.org/diffedge/?embed#run=abc" title="diffedge: asp &quot;crash_avoid&quot; &lt;run>" width="800" height="520" loading="lazy" style="border: 1px solid #d5dde6; border-radius: 8px"></iframe>',
    );
    expect(isEmbed('?embed')).toBe(true);
    expect(isEmbed('?x=1&embed=1')).toBe(true);
    expect(isEmbed('')).toBe(false);
  });
});
