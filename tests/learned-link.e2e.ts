// End-to-end: a link and an embed that name a learned policy — the shipped pretrained one or a checkpoint
// served beside the page — play it in the worker, with the comparison heuristic's cumulative reward on the
// same episode drawn beside it; a path or file that cannot be used says why and the heuristic plays.
import { readFileSync } from 'node:fs';
import { expect, test, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { allowConsoleError, failOnConsoleErrors, hashOf, open, rewardsOfSteps } from './support';

failOnConsoleErrors();
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

type Scope = Page | FrameLocator;
const chartOf = (scope: Scope) => scope.locator('.reward-chart');

/** Clicks Step `n` times; the learned policy's and the comparison's cumulative rewards after each. */
async function stepBoth(scope: Scope, n: number): Promise<{ learned: number[]; compared: number[] }> {
  const chart = chartOf(scope);
  const out = { learned: [] as number[], compared: [] as number[] };
  for (let i = 1; i <= n; i++) {
    await scope.locator('#step').click();
    await expect(chart).toHaveAttribute('data-decisions', String(i));
    await expect(chart).toHaveAttribute('data-compare-decisions', String(i));
    out.learned.push(Number(await chart.getAttribute('data-total-reward')));
    out.compared.push(Number(await chart.getAttribute('data-compare-total-reward')));
  }
  return out;
}

/** How many pixels of the chart's canvas are (nearly) `hex`: a curve drawn in that colour has many. */
async function pixelsOf(chart: Locator, hex: string): Promise<number> {
  return chart.locator('canvas').first().evaluate((canvas, hex) => {
    const c = canvas as HTMLCanvasElement;
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && want.every((v, k) => Math.abs(data[i + k]! - v) < 24)) n++;
    }
    return n;
  }, hex);
}

const PLAYING_PRETRAINED = /^Playing: the pretrained asp policy \(d2sac, \d+ epochs\) · compared with crash_avoid$/;

test('an embed naming the pretrained asp policy plays it beside crash_avoid on the same episode', async ({ page, context }) => {
  test.setTimeout(120_000);
  const hash = await hashOf(page, { learned: { source: 'pretrained' }, policy: 'crash_avoid', episodeSeed: 2 });
  await open(page, `/?embed${hash}`, 30_000);
  await expect(page.locator('#playing')).toHaveText(PLAYING_PRETRAINED);
  await expect(page.locator('#share-notice')).toHaveText('');
  const chart = chartOf(page);
  // Both curves from the first state, with a legend naming them.
  await expect(chart).toHaveAttribute('data-compare-policy', 'crash_avoid');
  await expect(chart.locator('.u-legend')).toContainText('learned policy');
  await expect(chart.locator('.u-legend')).toContainText('crash_avoid');

  const first = await stepBoth(page, 25);
  // Drawn, both: the canvas holds the learned policy's blue and the heuristic's orange.
  await expect.poll(() => pixelsOf(chart, '#3563a8')).toBeGreaterThan(40);
  await expect.poll(() => pixelsOf(chart, '#d9822b')).toBeGreaterThan(40);
  await expect(chart.locator('figcaption')).toHaveText(/^Learned policy [+−]?\d+\.\d\d after 25 decisions; crash_avoid [+−]?\d+\.\d\d after 25 on the same episode$/);

  // The comparison is crash_avoid alone on that episode: the same rewards as crash_avoid playing it.
  const alone = await context.newPage();
  await open(alone, `/?embed${await hashOf(alone, { policy: 'crash_avoid', episodeSeed: 2 })}`);
  await expect(alone.locator('#playing')).toHaveText('Playing: crash_avoid');
  expect(await rewardsOfSteps(alone, 25)).toEqual(first.compared);
  await expect(chartOf(alone)).not.toHaveAttribute('data-compare-policy');
  await alone.close();

  // A replay of the episode takes the same decisions (the policy's noise restarts with the episode).
  await page.locator('#reset').click();
  await expect(chart).toHaveAttribute('data-decisions', '0');
  await expect(chart).toHaveAttribute('data-compare-decisions', '0');
  expect(await stepBoth(page, 25)).toEqual(first);

  // To the end of the episode: the heuristic runs to its own end, and the caption says who earned more.
  await page.locator('#speed').selectOption({ label: 'as fast as possible' });
  await page.locator('#play').click();
  await expect(page.locator('#message')).toHaveText(
    /^Episode finished: learned policy [+−]?\d+\.\d\d, crash_avoid [+−]?\d+\.\d\d on the same episode\. Reset or change the seeds to run again\.$/,
    { timeout: 30_000 },
  );
  await expect(chart).toHaveAttribute('data-compare-done', 'true');
  await expect(chart.locator('figcaption')).toHaveText(/^Whole episode: learned policy [+−]?\d+\.\d\d, crash_avoid [+−]?\d+\.\d\d — (the learned policy earns|crash_avoid earns|level with)/);
  await page.screenshot({ path: 'test-results/screenshots/embed-learned-pretrained.png' });

  // The full page opens the same run: the policy loaded in the Training panel, the same decisions.
  const link = page.getByRole('link', { name: 'Open in diffedge ↗' });
  await expect(link).toHaveAttribute('href', new RegExp(`/${hash}$`));
  const full = await context.newPage();
  await open(full, (await link.getAttribute('href'))!, 30_000);
  await expect(full.locator('#policy')).toHaveValue('learned');
  await expect(full.locator('#compare')).toHaveValue('crash_avoid');
  await expect(full.locator('#playing')).toHaveText(PLAYING_PRETRAINED);
  await expect(full.locator('#train-message')).toHaveText(/^The pretrained asp policy, named by the link, is loaded: d2sac on asp, \d+ epochs\.$/);
  expect(await stepBoth(full, 10)).toEqual({ learned: first.learned.slice(0, 10), compared: first.compared.slice(0, 10) });
  await full.screenshot({ path: 'test-results/screenshots/full-learned-pretrained.png', fullPage: true });
});

test('a checkpoint served beside the page: loaded by path, watched, and carried by the embed code', async ({ page, context }) => {
  test.setTimeout(120_000);
  // The researcher's file next to the page (here: the pretrained asp policy under another name).
  const bytes = readFileSync('www/public/pretrained/asp.safetensors');
  await context.route('**/checkpoints/asp-run.safetensors', (route) => route.fulfill({ body: bytes, contentType: 'application/octet-stream' }));
  await open(page, '/', 30_000);
  await page.locator('#checkpoint-path').fill('checkpoints/asp-run.safetensors');
  await page.locator('#load-path').click();
  await expect(page.locator('#train-message')).toHaveText(/^checkpoints\/asp-run\.safetensors is loaded: d2sac on asp, \d+ epochs\.$/, { timeout: 30_000 });
  await page.locator('#watch').click();
  await expect(page.locator('#playing')).toHaveText(/^Playing: the checkpoint checkpoints\/asp-run\.safetensors \(d2sac, \d+ epochs\) · compared with crash_avoid/);
  await page.locator('#play').click();
  await page.locator('#compare').selectOption('round_robin');
  await expect(page.locator('#playing')).toHaveText(/compared with round_robin$/);

  await page.locator('#copy-embed').click();
  await expect(page.locator('#share-message')).toHaveText(/^Embed code copied \(\d+ characters\)\.$/);
  const snippet = await page.locator('#share-output').inputValue();
  expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed#run=[A-Za-z0-9_-]+" title="diffedge: the checkpoint checkpoints\/asp-run\.safetensors vs round_robin on asp"/);
  const supplement = `<!doctype html><title>supplement</title><link rel="icon" href="data:,"><h1>Supplementary material</h1>${snippet}`;
  await context.route('**/supplement.html', (route) => route.fulfill({ contentType: 'text/html', body: supplement }));
  const paper = await context.newPage();
  await paper.goto('/supplement.html');
  const frame = paper.frameLocator('iframe');
  await expect(frame.locator('#app')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(frame.locator('#playing')).toHaveText(/^Playing: the checkpoint checkpoints\/asp-run\.safetensors \(d2sac, \d+ epochs\) · compared with round_robin$/);
  const steps = await stepBoth(frame, 5);
  expect(steps.learned).toHaveLength(5);
  await expect(chartOf(frame)).toHaveAttribute('data-compare-policy', 'round_robin');
  await paper.screenshot({ path: 'test-results/screenshots/embed-learned-checkpoint.png' });

  // Trained further in the tab, the policy has no file a link can name: the link says so and plays the heuristic.
  await page.locator('#train').click();
  await expect(page.locator('#playing')).toHaveText(/^Playing: the Training panel's policy \(d2sac\)/, { timeout: 20_000 });
  await page.locator('#train').click();
  await page.locator('#copy-link').click();
  await expect(page.locator('#share-message')).toHaveText(/a link cannot carry its weights: the link plays round_robin\./);
});

test('a bad checkpoint path or file says what is wrong, and the heuristic plays', async ({ page, context }) => {
  test.setTimeout(150_000);
  const requested: string[] = [];
  context.on('request', (r) => requested.push(r.url()));
  await context.route('**/checkpoints/junk.safetensors', (route) => route.fulfill({ body: 'not a checkpoint at all', contentType: 'application/octet-stream' }));
  await context.route('**/checkpoints/cartpole.safetensors', (route) =>
    route.fulfill({ body: readFileSync('www/public/pretrained/cartpole.safetensors'), contentType: 'application/octet-stream' }),
  );
  allowConsoleError(/^Failed to load resource: the server responded with a status of 404 \(Not Found\)$/);
  const path = (p: string) => ({ learned: { source: 'checkpoint', path: p } });
  const cases: [Record<string, unknown>, string, number][] = [
    [path('../secret.safetensors'), 'checkpoint path "../secret.safetensors": must stay in the page\'s folder (no .. segments) — crash_avoid plays instead.', 1],
    [path('https://evil.example/asp.safetensors'), 'checkpoint path "https://evil.example/asp.safetensors": must be a path relative to the page (such as checkpoints/asp.safetensors), not a URL — crash_avoid plays instead.', 1],
    [path('checkpoints/missing.safetensors'), 'checkpoints/missing.safetensors: is not on the server (HTTP 404) — crash_avoid plays instead.', 1],
    [path('checkpoints/junk.safetensors'), 'checkpoints/junk.safetensors: checkpoint: is not a valid safetensors file', 0],
    [path('checkpoints/cartpole.safetensors'), 'checkpoints/cartpole.safetensors: checkpoint: is a policy for cartpole; this run is on asp — crash_avoid plays instead.', 1],
    // Every scenario ships a pretrained policy; lad's was trained on 20 servers and cannot act on 10.
    [
      { scenario: 'lad', config: { world_seed: 0, servers: 10 }, policy: 'opt', learned: { source: 'pretrained' } },
      'pretrained/lad.safetensors: checkpoint: its policy reads observations of ',
      0,
    ],
  ];
  for (const [run, message, exact] of cases) {
    const heuristic = String(run['policy'] ?? 'crash_avoid');
    await page.goto('about:blank');
    await open(page, `/?embed${await hashOf(page, run)}`, 30_000);
    if (exact) await expect(page.locator('#share-notice')).toHaveText(message);
    else await expect(page.locator('#share-notice')).toHaveText(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* — ${heuristic} plays instead\\.$`));
    await expect(page.locator('#playing')).toHaveText(`Playing: ${heuristic}`);
    // The heuristic plays, with one curve.
    expect(await rewardsOfSteps(page, 3)).toHaveLength(3);
    await expect(chartOf(page)).not.toHaveAttribute('data-compare-policy');
  }
  await page.screenshot({ path: 'test-results/screenshots/embed-learned-bad-path.png' });
  // Nothing was asked of another site, nor outside the page's folder.
  expect(requested.filter((u) => !u.startsWith('http://127.0.0.1:') || u.includes('secret'))).toEqual([]);

  // A link made before learned policies had their own field, naming the policy of the tab that made it.
  await page.goto('about:blank');
  await open(page, `/${await hashOf(page, { policy: 'learned' }, 1)}`, 30_000);
  await expect(page.locator('#share-notice')).toHaveText(
    /^the Training panel's policy was trained in the browser tab that made this link; its weights do not travel in links .* — crash_avoid plays instead\.$/,
  );
  await expect(page.locator('#policy')).toHaveValue('crash_avoid');
});
