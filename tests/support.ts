// Shared by the e2e tests: console-error watching, opening the page, the episode counters.
import { expect, test, type Page } from '@playwright/test';

/** Fails the test after it ends if the page logged any console error or threw. */
export function failOnConsoleErrors(): void {
  let errors: string[] = [];
  test.beforeEach(({ page }) => {
    errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  test.afterEach(() => {
    expect(errors, 'console errors').toEqual([]);
  });
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
