// End-to-end: every scenario's drawing has its structure (servers, thoughts, users, gateways…) and follows
// each decision; the diffusion-chain view draws a real chain from the wasm core. Screenshots of each view
// go to test-results/screenshots/view-<id>.png (1280×800) and view-<id>-1920.png (1920×1080).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { build } from 'rolldown';
import { counter, failOnConsoleErrors, open } from './support';

failOnConsoleErrors();
test.beforeEach(({ page }) => open(page));

const decisions = (page: Page) => counter(page, 'decisions');

async function step(page: Page, times: number): Promise<void> {
  const start = Number(await decisions(page).textContent());
  for (let i = 1; i <= times; i++) {
    await page.locator('#step').click();
    await expect(decisions(page)).toHaveText(String(start + i));
  }
}

/** Switches to scenario `id` and waits for its drawing. */
async function showScenario(page: Page, id: string): Promise<void> {
  await page.locator('#scenario').selectOption(id);
  await expect(page.locator('.scenario-title')).toHaveText(new RegExp(`^${id} — `));
  await expect(page.locator(`.stage-view svg.${id}`)).toBeVisible();
  await expect(decisions(page)).toHaveText('0');
}

/** The drawing's markup, to see that a step changed it. */
const drawing = (page: Page, id: string) => page.locator(`.stage-view svg.${id}`).evaluate((svg) => svg.outerHTML);

/** Per scenario (default configs): what the drawing must hold, and how many steps make a telling picture. */
const STRUCTURE: Record<string, { parts: [selector: string, count: number][]; steps: number; policy?: string; playTo?: number }> = {
  asp: { parts: [['.provider', 20]], steps: 12 },
  // B = 20 servers.
  lad: { parts: [['.server', 20], ['.server .tower', 20]], steps: 10, playTo: 1500 },
  // S·M + 2 = 38 thoughts, U + 1 = 7 Gantt rows.
  tot: { parts: [['.thought', 38], ['.gantt-row', 7], ['.bar[data-thought]', 38]], steps: 17 },
  // K = 5 users.
  ddc: { parts: [['.user', 5], ['.user .cond', 5]], steps: 4 },
  // G = 8 gateways, three class queues each.
  flow: { parts: [['.gateway', 8], ['.gateway [data-class]', 24]], steps: 40 },
  cartpole: { parts: [['.pose .pole', 1], ['.track .limit', 2]], steps: 20, policy: 'balance' },
  acrobot: { parts: [['.link', 2], ['.goal', 1]], steps: 40 },
};

for (const [id, { parts, steps, policy, playTo }] of Object.entries(STRUCTURE)) {
  test(`the ${id} drawing has its structure and follows each decision`, async ({ page }) => {
    await showScenario(page, id);
    if (policy) await page.locator('#policy').selectOption(policy);
    const svg = page.locator(`.stage-view svg.${id}`);
    await expect(svg).toHaveAttribute('role', 'img');
    await expect(svg).toHaveAttribute('aria-label', /\w+/);
    for (const [selector, count] of parts) await expect(svg.locator(selector)).toHaveCount(count);
    let before = await drawing(page, id);
    for (let i = 0; i < 3; i++) {
      await step(page, 1);
      const after = await drawing(page, id);
      expect(after, `step ${i + 1} changes the drawing`).not.toEqual(before);
      before = after;
    }
    await step(page, steps - 3);
    if (playTo) {
      // Far enough into the episode for queues to build up (backlog carried over between slots).
      await page.locator('#speed').selectOption({ label: '1000 / s' });
      await page.locator('#play').click();
      await expect.poll(async () => Number(await decisions(page).textContent()), { timeout: 30_000 }).toBeGreaterThan(playTo);
      await page.locator('#play').click();
      await expect(page.locator('#play')).toHaveAttribute('aria-pressed', 'false');
    }
    // Let the decision's animation finish.
    await page.waitForTimeout(400);
    await page.screenshot({ path: `test-results/screenshots/view-${id}.png`, fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `test-results/screenshots/view-${id}-1920.png`, fullPage: true });
  });
}

test('lad draws the last task as an arc from its base station to the chosen server', async ({ page }) => {
  await showScenario(page, 'lad');
  const svg = page.locator('.stage-view svg.lad');
  await expect(svg.locator('.arc')).toHaveAttribute('visibility', 'hidden');
  await expect(svg.locator('.server .tower.source')).toHaveCount(1);
  await step(page, 1);
  const target = await page.locator('#decisions li').first().getAttribute('data-target');
  await expect(svg).toHaveAttribute('data-last-destination', target!);
  await expect(svg.locator('.arc')).toHaveAttribute('visibility', 'visible');
  await expect(svg.locator(`.server[data-server="${target}"] .frame.chosen`)).toHaveCount(1);
  await expect(svg.locator('.last')).toHaveText(/^Last: slot 1, BS 0 task 1 → .* delay \d/);
});

test('tot colours assigned thoughts, rings the best of each step and lays bars on the Gantt rows', async ({ page }) => {
  await showScenario(page, 'tot');
  const svg = page.locator('.stage-view svg.tot');
  await expect(svg.locator('.thought[data-pending="true"]')).toHaveCount(1);
  // The first decision schedules the input thought and the first of step 1.
  await step(page, 1);
  await expect(svg.locator('.thought[data-server]')).toHaveCount(2);
  await expect(svg.locator('.bar[visibility="visible"]')).toHaveCount(2);
  // After step 1's six thoughts, step 1 has its best.
  await step(page, 5);
  await expect(svg.locator('.thought[data-best="true"]')).toHaveCount(2);
  const intervals = await svg.locator('.gantt-row').evaluateAll((rows) => rows.reduce((n, r) => n + Number(r.getAttribute('data-intervals')), 0));
  expect(intervals).toBe(7);
});

test('ddc shows each user\'s split of steps and whether it was satisfied', async ({ page }) => {
  await showScenario(page, 'ddc');
  const users = page.locator('.stage-view svg.ddc .user');
  await expect(users.first()).not.toHaveAttribute('data-steps', /./);
  await step(page, 1);
  for (const user of await users.all()) {
    await expect(user).toHaveAttribute('data-steps', /^\d+$/);
    await expect(user).toHaveAttribute('data-satisfied', /^(true|false)$/);
    await expect(user).toHaveAttribute('data-condition', /^(canny|hed|depth|seg)$/);
  }
});

test('flow points the last flow at its gateway and class', async ({ page }) => {
  await showScenario(page, 'flow');
  await step(page, 1);
  const svg = page.locator('.stage-view svg.flow');
  const [gateway, cls] = (await page.locator('#decisions li').first().getAttribute('data-target'))!.split('/');
  await expect(svg).toHaveAttribute('data-last-gateway', gateway!);
  await expect(svg).toHaveAttribute('data-last-class', cls!);
  await expect(svg.locator(`.gateway[data-gateway="${gateway}"] [data-class="${cls}"].picked`)).toHaveCount(1);
});

/** Serves the test-only bundle (tests/fixtures/demo.ts), the wasm core and the chain view's CSS from the page's origin, and loads them. */
async function loadDemo(page: Page): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const out = await build({
    input: resolve(root, 'tests/fixtures/demo.ts'),
    write: false,
    logLevel: 'silent',
    // The page's stylesheet holds the scenario views' rules; the chain view's (not on the page yet) is served apart.
    plugins: [{ name: 'css-apart', load: (id) => (id.endsWith('.css') ? { code: '', moduleType: 'js' } : null) }],
    output: { format: 'esm' },
  });
  const code = out.output[0].code;
  await page.route('**/__demo__/demo.js', (route) => route.fulfill({ contentType: 'text/javascript', body: code }));
  await page.route('**/__demo__/diffedge_bg.wasm', async (route) =>
    route.fulfill({ contentType: 'application/wasm', body: await readFile(resolve(root, 'pkg/diffedge_bg.wasm')) }));
  await page.route('**/__demo__/chain.css', async (route) =>
    route.fulfill({ contentType: 'text/css', body: await readFile(resolve(root, 'www/src/views/chain.css'), 'utf8') }));
  await page.addStyleTag({ url: '/__demo__/chain.css' });
  await page.addScriptTag({ url: '/__demo__/demo.js', type: 'module' });
}

test('the diffusion chain view draws the denoising steps of a D2SAC policy', async ({ page }) => {
  await loadDemo(page);
  const chain = await page.evaluate(async () => {
    const mod = await import('/__demo__/demo.js' as string);
    return (await mod.mountChain('/__demo__/diffedge_bg.wasm', 300)) as number[][];
  });
  // T + 1 distributions over the 20 providers, each summing to 1.
  expect(chain.length).toBeGreaterThan(1);
  for (const d of chain) {
    expect(d).toHaveLength(20);
    expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }
  const svg = page.locator('#chain-demo svg.chain');
  await expect(svg).toHaveAttribute('data-rows', String(chain.length));
  await expect(svg.locator('.step')).toHaveCount(chain.length);
  await expect(svg.locator('.step .bar')).toHaveCount(chain.length * 20);
  const final = chain[chain.length - 1]!;
  const best = final.indexOf(Math.max(...final));
  await expect(svg).toHaveAttribute('data-best', String(best));
  await expect(svg.locator(`.final .bar.best[data-action="${best}"]`)).toHaveCount(1);
  await expect(svg.locator('.row-label').first()).toHaveText(`x${'₀₁₂₃₄₅₆₇₈₉'[chain.length - 1]}`);
  await expect(svg.locator('.row-label').last()).toHaveText('π = x₀');
  await expect(svg).toHaveAttribute('aria-label', new RegExp(`picks P${best} with probability`));
  await page.locator('#chain-demo').screenshot({ path: 'test-results/screenshots/view-chain.png' });
});

/** Larger worlds than the defaults, drawn outside the panel: the drawings must keep their structure. */
const LARGE: [id: string, config: object, policy: string, steps: number, parts: [string, number][]][] = [
  ['lad', { world_seed: 0, servers: 60 }, 'opt', 900, [['.server', 60]]],
  ['tot', { world_seed: 0, service_providers: 12, tot_steps: 12, thoughts_per_step: 12 }, 'greedy', 70, [['.thought', 146], ['.gantt-row', 13]]],
  ['ddc', { world_seed: 0, users: 24 }, 'oqc_plus', 3, [['.user', 24]]],
  ['flow', { world_seed: 0, gateways: 30 }, 'edf', 200, [['.gateway', 30], ['.gateway [data-class]', 90]]],
];

for (const [id, config, policy, steps, parts] of LARGE) {
  test(`the ${id} drawing scales to a larger world`, async ({ page }) => {
    await loadDemo(page);
    await page.evaluate(
      async ([id, config, policy, steps]) => {
        const mod = await import('/__demo__/demo.js' as string);
        await mod.mountView('/__demo__/diffedge_bg.wasm', id, config, policy, steps);
      },
      [id, JSON.stringify(config), policy, steps] as const,
    );
    const svg = page.locator(`#view-demo svg.${id}`);
    for (const [selector, count] of parts) await expect(svg.locator(selector)).toHaveCount(count);
    await page.locator('#view-demo').screenshot({ path: `test-results/screenshots/view-${id}-large.png` });
  });
}
