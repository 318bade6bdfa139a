// Shared by the e2e tests: console-error watching, opening the page, the episode counters.
import { expect, test, type Page } from '@playwright/test';

/** Console errors the running test expects (see `allowConsoleError`). */
let allowed: RegExp[] = [];

/**
 * Fails the test after it ends if the page (or another page of its context) logged any console error it
 * did not expect, or threw.
 */
export function failOnConsoleErrors(): void {
  let errors: string[] = [];
  test.beforeEach(({ context }) => {
    errors = [];
    allowed = [];
    const watch = (page: Page) => {
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !allowed.some((pattern) => pattern.test(msg.text()))) errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
    };
    context.pages().forEach(watch);
    context.on('page', watch);
  });
  test.afterEach(() => {
    expect(errors, 'console errors').toEqual([]);
  });
}

/** Lets the running test's pages log console errors matching `pattern` (e.g. the browser's note of a 404). */
export function allowConsoleError(pattern: RegExp): void {
  allowed.push(pattern);
}

/** Opens `path` and waits until the page says it is ready (`timeout` ms, else the expect timeout). */
export async function open(page: Page, path = '/', timeout?: number): Promise<void> {
  await page.goto(path);
  await expect(page.locator('#app')).toHaveAttribute('data-ready', 'true', timeout === undefined ? {} : { timeout });
}

/** The episode counter `name`. */
export const counter = (page: Page, name: string) => page.locator(`[data-counter="${name}"]`);

/** Clicks Step `n` times; returns the cumulative reward after each decision, at full precision. */
export async function rewardsOfSteps(page: Page, n: number): Promise<number[]> {
  const chart = page.locator('.reward-chart');
  const rewards: number[] = [];
  for (let i = 1; i <= n; i++) {
    await page.locator('#step').click();
    await expect(chart).toHaveAttribute('data-decisions', String(i));
    rewards.push(Number(await chart.getAttribute('data-total-reward')));
  }
  return rewards;
}

/** The `#run=…` hash of a share link holding `{version, run}`, encoded (in `page`) the way the page does. */
export async function hashOf(page: Page, run: Record<string, unknown>, version = 2): Promise<string> {
  const data = await page.evaluate(async (json) => {
    const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  }, JSON.stringify({ version, run }));
  return `#run=${data}`;
}
