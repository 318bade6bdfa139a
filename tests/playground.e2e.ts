// End-to-end: the built page in Debian's headless Chromium, driven as a person would.
import { expect, test, type Page } from '@playwright/test';
import { counter, failOnConsoleErrors, open } from './support';

failOnConsoleErrors();
test.beforeEach(({ page }) => open(page));

const decided = async (page: Page) => Number(await counter(page, 'decisions').textContent());

/** Clicks Step `n` times, waiting for each decision to appear in the log; returns the chosen providers. */
async function stepTimes(page: Page, n: number): Promise<string[]> {
  for (let i = 1; i <= n; i++) {
    await page.locator('#step').click();
    await expect(page.locator('#decisions li')).toHaveCount(Math.min(i, 12));
    await expect(counter(page, 'decisions')).toHaveText(String(i));
  }
  const providers = await page.locator('#decisions li').evaluateAll((items) => items.map((li) => li.getAttribute('data-target') ?? ''));
  return providers.reverse();
}

test('loads the asp scenario with its providers and controls', async ({ page }) => {
  await expect(page.locator('h1')).toHaveText('diffedge');
  await expect(page.locator('.asp .provider')).toHaveCount(20);
  await expect(page.locator('#policy')).toHaveValue('crash_avoid');
  await expect(page.locator('#policy option')).toHaveText(['random', 'round_robin', 'crash_avoid', 'prophet', 'learned']);
  await expect(counter(page, 'decisions')).toHaveText('0');
  await expect(page.locator('.asp .inbox .title')).toHaveText(/^Task 1 of \d+ · \d+ steps$/);
});

test('Play advances the counters and Pause stops them', async ({ page }) => {
  await page.locator('#speed').selectOption({ label: '1000 / s' });
  await page.locator('#play').click();
  await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => decided(page), { timeout: 30_000 }).toBeGreaterThan(50);
  await page.locator('#play').click();
  await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'false');
  const stopped = await decided(page);
  await page.waitForTimeout(300);
  expect(await decided(page)).toBe(stopped);
  expect(Number(await counter(page, 'finished').textContent())).toBeGreaterThan(0);
  await expect(counter(page, 'total_reward')).not.toHaveText('0.00');
  await expect(page.locator('.asp .used[height]:not([height="0"])')).not.toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/asp-playing.png', fullPage: true });
});

test('switching the heuristic changes the decisions', async ({ page }) => {
  const crashAvoid = await stepTimes(page, 12);
  await page.locator('#reset').click();
  await expect(counter(page, 'decisions')).toHaveText('0');
  await page.locator('#policy').selectOption('prophet');
  const prophet = await stepTimes(page, 12);
  expect(prophet).not.toEqual(crashAvoid);
  // random crashes providers early on: the crash is drawn in red.
  await page.locator('#reset').click();
  await page.locator('#policy').selectOption('random');
  await page.locator('#speed').selectOption({ label: '1000 / s' });
  await page.locator('#play').click();
  await expect(page.locator('.asp .frame.chosen.crashed, #decisions li.crashed').first()).toBeVisible({ timeout: 15_000 });
  await page.locator('#play').click();
  await page.screenshot({ path: 'test-results/screenshots/asp-random.png', fullPage: true });
  // The same heuristic after another reset repeats itself exactly.
  await page.locator('#reset').click();
  await page.locator('#policy').selectOption('crash_avoid');
  expect(await stepTimes(page, 12)).toEqual(crashAvoid);
  await expect(page.locator('.asp')).toHaveAttribute('data-last-provider', crashAvoid[11]!);
});

test('Reset restores the start of the episode', async ({ page }) => {
  const start = await page.locator('.asp').evaluate((svg) => svg.outerHTML);
  const startCounters = await page.locator('.counters dd').allTextContents();
  await page.locator('#speed').selectOption({ label: 'as fast as possible' });
  await page.locator('#play').click();
  await expect.poll(() => decided(page), { timeout: 15_000 }).toBeGreaterThan(100);
  await page.locator('#reset').click();
  await expect(counter(page, 'decisions')).toHaveText('0');
  expect(await page.locator('.counters dd').allTextContents()).toEqual(startCounters);
  await expect(page.locator('#decisions li')).toHaveCount(0);
  // The drawing is the start's again (token hidden, no provider chosen, same bars and task).
  expect(await page.locator('.asp').evaluate((svg) => svg.outerHTML)).toEqual(start);
});

test('a bad seed shows a message naming the field and changes nothing', async ({ page }) => {
  await stepTimes(page, 3);
  await page.locator('#world-seed').fill('-4');
  await page.locator('#apply-seeds').click();
  await expect(page.locator('#message')).toHaveText(/^world seed: must be a whole number/);
  await expect(counter(page, 'decisions')).toHaveText('3');
  // A good world seed draws another world and starts over.
  const before = await page.locator('.asp .capacity').allTextContents();
  await page.locator('#world-seed').fill('7');
  await page.locator('#apply-seeds').click();
  await expect(counter(page, 'decisions')).toHaveText('0');
  await expect(page.locator('#message')).toHaveText('');
  expect(await page.locator('.asp .capacity').allTextContents()).not.toEqual(before);
});

test('keyboard: S steps, Space plays and pauses, R resets', async ({ page }) => {
  await page.locator('body').press('s');
  await expect(counter(page, 'decisions')).toHaveText('1');
  await page.locator('body').press('r');
  await expect(counter(page, 'decisions')).toHaveText('0');
  await page.locator('#step').focus();
  await expect(page.locator('#step')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(counter(page, 'decisions')).toHaveText('1');
});

test('every scenario is listed, renders and steps with its heuristics', async ({ page }) => {
  const ids = await page.locator('#scenario option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(ids).toEqual(['asp', 'lad', 'tot', 'ddc', 'flow', 'cartpole', 'acrobot']);
  for (const id of ids) {
    await page.locator('#scenario').selectOption(id);
    await expect(page.locator('.scenario-title')).toHaveText(new RegExp(`^${id} — `));
    await expect(counter(page, 'decisions')).toHaveText('0');
    const before = await page.locator('.stage-view').innerText();
    for (let i = 1; i <= 3; i++) {
      await page.locator('#step').click();
      await expect(counter(page, 'decisions')).toHaveText(String(i));
    }
    // The drawing follows the decisions.
    expect(await page.locator('.stage-view').innerText()).not.toEqual(before);
    await page.screenshot({ path: `test-results/screenshots/${id}.png`, fullPage: true });
  }
});
