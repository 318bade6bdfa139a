// End-to-end: accessibility and layout of the page at 1280×800 and 1920×1080 (and an embed at 800×520):
// no horizontal overflow, a name for every control, keyboard operation with visible focus, live messages.
import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors, hashOf, open } from './support';

failOnConsoleErrors();

/** Elements wider than the window or than their own box (text cut off or a scroll bar where none belongs). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    for (const el of document.querySelectorAll<HTMLElement>('header, main, aside, section, fieldset, form, .tool, .chart, .share')) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.overflowX === 'auto' || style.overflowX === 'scroll') continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  });
}

/** Visible controls without an accessible name. */
async function unnamed(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const text = (ids: string | null) => (ids ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href], summary')) {
      if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
      const labels = 'labels' in el ? Array.from((el as HTMLInputElement).labels ?? []).map((l) => l.textContent ?? '') : [];
      const own = el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? '' : (el.textContent ?? '');
      const name = [el.getAttribute('aria-label') ?? '', text(el.getAttribute('aria-labelledby')), ...labels, own].join('').trim();
      if (!name) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

for (const [width, height] of [
  [1280, 800],
  [1920, 1080],
] as const) {
  test(`the page at ${width}×${height}: no overflow, every control named`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await open(page);
    await page.locator('#world-file').setInputFiles('tests/fixtures/asp-quality.csv');
    await expect(page.locator('#fit-summary')).toContainText('R²');
    await page.locator('#copy-link').click();
    await expect(page.locator('#share-output')).toBeVisible();
    expect(await overflowing(page)).toEqual([]);
    expect(await unnamed(page)).toEqual([]);
    await page.screenshot({ path: `test-results/screenshots/page-${width}x${height}.png` });
    await page.screenshot({ path: `test-results/screenshots/page-${width}x${height}-full.png`, fullPage: true });
    for (const id of ['ddc', 'flow', 'tot']) {
      await page.locator('#scenario').selectOption(id);
      await expect(page.locator(`.params-body[data-scenario="${id}"]`)).toHaveCount(1);
      expect(await overflowing(page), id).toEqual([]);
      expect(await unnamed(page), id).toEqual([]);
    }
  });
}

test('embed at 800×520: no overflow, every control named', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 520 });
  await open(page, '/?embed');
  expect(await overflowing(page)).toEqual([]);
  expect(await unnamed(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/embed-800x520.png' });
  // Naming a learned policy, with the comparison's legend and the longer status line (from another
  // document: a hash change alone would not load the page again).
  await page.goto('about:blank');
  await open(page, `/?embed${await hashOf(page, { learned: { source: 'pretrained' } })}`, 30_000);
  await expect(page.locator('.reward-chart')).toHaveAttribute('data-compare-policy', 'crash_avoid');
  expect(await overflowing(page)).toEqual([]);
  expect(await unnamed(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/embed-learned-800x520.png' });
});

test('keyboard: the new controls are reached with Tab, work with Enter, and show their focus', async ({ page }) => {
  await open(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  // Tab from the page's start reaches "Copy link" (it sits in the header, before the panels).
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.locator('#copy-link').evaluate((el) => el === document.activeElement);
  }
  expect(reached, 'Copy link is reached with Tab').toBe(true);
  const outline = await page.locator('#copy-link').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Enter');
  await expect(page.locator('#share-message')).toHaveText(/^Link copied/);
  await expect(page.locator('#share-output')).toBeFocused();
  // Space on a focused button presses that button; it does not start playing.
  await page.locator('#copy-embed').focus();
  await page.keyboard.press(' ');
  await expect(page.locator('#share-message')).toHaveText(/^Embed code copied/);
  await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'false');
  // The settings form: type, then Enter submits it.
  await page.locator('#cfg-providers').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  await expect(page.locator('.asp .provider')).toHaveCount(4);
  // The parameter file input is a focusable, labelled control.
  await page.locator('#world-file').focus();
  await expect(page.locator('#world-file')).toBeFocused();
  // Messages are announced: each sits in a live region.
  for (const id of ['#config-message', '#world-message', '#share-message', '#share-notice']) {
    const live = await page.locator(id).evaluate((el) => el.getAttribute('aria-live') ?? el.getAttribute('role'));
    expect(['polite', 'assertive', 'status', 'alert'], id).toContain(live);
  }
});
