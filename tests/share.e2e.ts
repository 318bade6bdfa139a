// End-to-end: the whole run in a link (round trip to the same rewards), malformed links, embed mode.
import { expect, test, type Page } from '@playwright/test';
import { counter, failOnConsoleErrors, open, rewardsOfSteps } from './support';

failOnConsoleErrors();
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Clicks `button` and returns what it put in the share field (and on the clipboard). */
async function copied(page: Page, button: '#copy-link' | '#copy-embed'): Promise<string> {
  await page.locator(button).click();
  await expect(page.locator('#share-message')).toHaveText(/copied/);
  const text = await page.locator('#share-output').inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
  return text;
}

test('a shared link replays the identical run: the same first 50 rewards', async ({ page, context, browser }) => {
  await open(page);
  // A run unlike the default one: another world and episode seed, another heuristic, a settings change.
  await page.locator('#world-seed').fill('7');
  await page.locator('#episode-seed').fill('3');
  await page.locator('#apply-seeds').click();
  await expect(page.locator('#cfg-world_seed')).toHaveValue('7');
  await page.locator('#cfg-arrival_rate_per_s').fill('0.002');
  await page.locator('#config-apply').click();
  await expect(page.locator('#config-message')).toHaveText(/^Applied/);
  await page.locator('#policy').selectOption('random');
  const first = await rewardsOfSteps(page, 50);
  const link = await copied(page, '#copy-link');
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#run=[A-Za-z0-9_-]+$/);

  const other = await context.newPage();
  await open(other, link);
  await expect(other.locator('#policy')).toHaveValue('random');
  await expect(other.locator('#world-seed')).toHaveValue('7');
  await expect(other.locator('#episode-seed')).toHaveValue('3');
  await expect(other.locator('#cfg-arrival_rate_per_s')).toHaveValue('0.002');
  expect(await rewardsOfSteps(other, 50)).toEqual(first);
  // The default run differs, so the match above is not a coincidence (a new context: no saved session).
  const fresh = await (await browser.newContext()).newPage();
  await open(fresh);
  expect(await rewardsOfSteps(fresh, 50)).not.toEqual(first);
  await other.screenshot({ path: 'test-results/screenshots/share-restored.png', fullPage: true });
});

test('an uploaded world travels in the link', async ({ page, context }) => {
  await open(page);
  await page.locator('#world-file').setInputFiles('tests/fixtures/asp-3-providers.json');
  await expect(page.locator('.asp .provider')).toHaveCount(3);
  const link = await copied(page, '#copy-link');
  const other = await context.newPage();
  await open(other, link);
  await expect(other.locator('.asp .provider')).toHaveCount(3);
  await expect(other.locator('#world-summary')).toHaveText('World from a parameter file: three providers for the e2e tests — providers 3');
  // The address follows every change of the run: opened again, it shows the changed run.
  await other.locator('#policy').selectOption('prophet');
  await expect.poll(() => other.url()).not.toBe(link);
  const followed = await context.newPage();
  await open(followed, other.url());
  await expect(followed.locator('#policy')).toHaveValue('prophet');
  await expect(followed.locator('.asp .provider')).toHaveCount(3);
});

test('malformed or oversized links show a message and load the defaults', async ({ page }) => {
  const cases: [string, RegExp][] = [
    ['#run=abc$def', /^share link: unexpected character '\$' at position 4 .* — the default run is shown instead\.$/],
    ['#run=AAAAAAAAAAAAAAAAAAAAAAAA', /^share link: the data is damaged \(it does not decompress\) — the default run is shown instead\.$/],
    [`#run=${'A'.repeat(100_000)}`, /^share link: 74 KiB of data; at most 64 KiB are accepted — the default run is shown instead\.$/],
    ['#something-else', /^share link: expected "#run=…", got "#something-else" — the default run is shown instead\.$/],
  ];
  for (const [hash, message] of cases) {
    // From another document: a hash change alone would not load the page again.
    await page.goto('about:blank');
    await open(page, `/${hash}`);
    await expect(page.locator('#share-notice')).toHaveText(message);
    await expect(page.locator('#scenario')).toHaveValue('asp');
    await expect(page.locator('#policy')).toHaveValue('crash_avoid');
    await expect(page.locator('.asp .provider')).toHaveCount(20);
    await expect(counter(page, 'decisions')).toHaveText('0');
    // The address now holds the run shown (the defaults), not the broken link.
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#run=[A-Za-z0-9_-]+$/);
    expect(new URL(page.url()).hash).not.toBe(hash);
  }
  await page.screenshot({ path: 'test-results/screenshots/share-malformed.png' });
});

test("a well-formed link of a run the core refuses says why and loads the defaults", async ({ page }) => {
  // Encode {"version":1,"run":{"config":{"providers":0}}} the way the page does.
  const hash = await page.evaluate(async () => {
    const json = JSON.stringify({ version: 1, run: { config: { providers: 0 } } });
    const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  });
  await open(page, `/#run=${hash}`);
  await expect(page.locator('#message')).toHaveText('config.providers: must be between 1 and 1000, got 0 — the default run is shown instead.');
  await expect(page.locator('.asp .provider')).toHaveCount(20);
});

test('embed mode: topology, one chart and play, from the snippet in an iframe', async ({ page }) => {
  await open(page);
  await page.locator('#scenario').selectOption('flow');
  await expect(page.locator('.scenario-title')).toHaveText(/^flow — /);
  const snippet = await copied(page, '#copy-embed');
  expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed#run=[A-Za-z0-9_-]+" title="diffedge: flow run" width="800" height="520" loading="lazy" style="[^"]*"><\/iframe>$/);

  // The snippet as a paper's supplementary page (a document of its own, without our CSP) would hold it.
  const supplement = `<!doctype html><title>supplement</title><link rel="icon" href="data:,"><h1>Supplementary material</h1>${snippet}`;
  await page.route('**/supplement.html', (route) => route.fulfill({ contentType: 'text/html', body: supplement }));
  await page.goto('/supplement.html');
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('#app')).toHaveAttribute('data-ready', 'true');
  await expect(frame.locator('.scenario-title')).toHaveText(/^flow — /);
  await expect(frame.locator('.stage-view')).toBeVisible();
  await expect(frame.locator('.reward-chart canvas').first()).toBeVisible();
  for (const hidden of ['#scenario', '#policy', '.seeds', '#decisions', '.counters']) await expect(frame.locator(hidden)).toBeHidden();
  await expect(frame.locator('#copy-link, #config-apply, #world-file')).toHaveCount(0);
  await frame.locator('#play').click();
  await expect.poll(async () => Number(await frame.locator('.reward-chart').getAttribute('data-decisions')), { timeout: 15_000 }).toBeGreaterThan(5);
  await frame.locator('#play').click();
  await page.screenshot({ path: 'test-results/screenshots/embed-iframe.png' });
  await expect(frame.getByRole('link', { name: 'Open in diffedge ↗' })).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:\d+\/#run=/);
});
