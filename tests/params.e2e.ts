// End-to-end: the scenario settings form (generated from the config's JSON Schema) and bringing your own
// parameters (parameter files, measurements fitted by the core, drag-and-drop, download).
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { counter, failOnConsoleErrors, open } from './support';

failOnConsoleErrors();
test.beforeEach(async ({ page }) => open(page));

const fixture = (name: string) => `tests/fixtures/${name}`;
const providers = (page: Page) => page.locator('.asp .provider');
const worldMessage = (page: Page) => page.locator('#world-message');

test('the settings form is generated from the schema and applies a change', async ({ page }) => {
  // Fields come from the schema: nested grids, plain numbers, and no world (that is under Parameters).
  await expect(page.locator('#cfg-providers')).toHaveValue('20');
  await expect(page.locator('#cfg-a_x-step')).toHaveValue('10');
  await expect(page.locator('#cfg-arrival_rate_per_s-help')).toHaveText('Task arrival rate λ (tasks per second).');
  await expect(page.locator('#cfg-world-set')).toHaveCount(0);
  await expect(page.locator('#config-apply')).toBeDisabled();
  await page.locator('#cfg-providers').fill('5');
  await page.locator('#config-apply').click();
  await expect(page.locator('#config-message')).toHaveText('Applied: the scenario was rebuilt and the episode restarted.');
  await expect(providers(page)).toHaveCount(5);
  await expect(page.locator('#cfg-providers')).toHaveValue('5');
  await page.locator('#config-defaults').click();
  await expect(providers(page)).toHaveCount(20);
});

test("a value the core refuses shows its message at the field and changes nothing", async ({ page }) => {
  for (let i = 1; i <= 3; i++) await page.locator('#step').click();
  await expect(counter(page, 'decisions')).toHaveText('3');
  await page.locator('#cfg-providers').fill('0');
  await page.locator('#config-apply').click();
  await expect(page.locator('#cfg-providers-error')).toHaveText('config.providers: must be between 1 and 1000, got 0');
  await expect(page.locator('#cfg-providers')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#cfg-providers')).toBeFocused();
  await expect(page.locator('#config-message')).toHaveText('Not applied: config.providers: must be between 1 and 1000, got 0');
  await expect(counter(page, 'decisions')).toHaveText('3');
  await expect(providers(page)).toHaveCount(20);
  // A message about a group lands on the group.
  await page.locator('#cfg-providers').fill('20');
  await page.locator('#cfg-a_x-min').fill('95');
  await page.locator('#config-apply').click();
  await expect(page.locator('#cfg-a_x-error')).toHaveText('config.a_x: max (90) is below min (95)');
  await expect(page.locator('#cfg-providers-error')).toHaveText('');
  await expect(counter(page, 'decisions')).toHaveText('3');
  // What the form cannot read at all never reaches the core.
  await page.locator('#cfg-a_x-min').fill('');
  await page.locator('#config-apply').click();
  await expect(page.locator('#cfg-a_x-min-error')).toHaveText('a_x.min: needs a value');
  await page.screenshot({ path: 'test-results/screenshots/params-refused.png', fullPage: true });
});

test("every scenario's settings form reads back a config the core accepts", async ({ page }) => {
  const ids = await page.locator('#scenario option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  for (const id of ids) {
    await page.locator('#scenario').selectOption(id);
    await expect(page.locator(`.params-body[data-scenario="${id}"]`)).toHaveCount(1);
    // Re-enter the first number as it is, and apply the whole form unchanged.
    const first = page.locator('.config-form input[type="number"]').first();
    await first.fill(await first.inputValue());
    await page.locator('#config-apply').click();
    await expect(page.locator('#config-message')).toHaveText('Applied: the scenario was rebuilt and the episode restarted.');
    await page.locator('.tool.settings').screenshot({ path: `test-results/screenshots/settings-${id}.png` });
  }
});

test('a parameter file is applied and the drawing follows it', async ({ page }) => {
  await page.locator('#world-file').setInputFiles(fixture('asp-3-providers.json'));
  await expect(worldMessage(page)).toHaveText('Applied asp-3-providers.json.');
  await expect(providers(page)).toHaveCount(3);
  await expect(page.locator('.asp .capacity')).toHaveText(['300', '900', '600']);
  await expect(page.locator('#world-summary')).toHaveText('World from a parameter file: three providers for the e2e tests — providers 3');
  await page.locator('#world-use-seed').click();
  await expect(providers(page)).toHaveCount(20);
  await expect(page.locator('#world-use-seed')).toBeHidden();
});

test('an invalid file shows the core\'s message and changes nothing', async ({ page }) => {
  for (let i = 1; i <= 2; i++) await page.locator('#step').click();
  const capacities = await page.locator('.asp .capacity').allTextContents();
  const expectUnchanged = async () => {
    await expect(counter(page, 'decisions')).toHaveText('2');
    expect(await page.locator('.asp .capacity').allTextContents()).toEqual(capacities);
  };
  await page.locator('#world-file').setInputFiles(fixture('asp-bad.json'));
  await expect(worldMessage(page)).toHaveText('asp-bad.json: not applied — providers[1].b_x: must be greater than a_x (40), got 30');
  await expectUnchanged();
  await page.locator('#world-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"schema": "asp/v1",') });
  await expect(worldMessage(page)).toHaveText(/^broken\.json: is not valid JSON: /);
  await expectUnchanged();
  // Read by the core's strict reader, as the CLI reads it: a key twice is refused, a byte-order mark dropped.
  await page.locator('#world-file').setInputFiles({ name: 'twice.json', mimeType: 'application/json', buffer: Buffer.from('{"schema": "asp/v1", "schema": "asp/v1"}') });
  await expect(worldMessage(page)).toHaveText(/^twice\.json: the key "schema" appears twice/);
  await expectUnchanged();
  await page.locator('#world-file').setInputFiles(fixture('asp-bad.csv'));
  await expect(worldMessage(page)).toHaveText("asp-bad.csv: line 3, column 2 (quality): 'x' is not a number");
  await expect(page.locator('#fit-preview')).toBeHidden();
  await page.locator('#world-file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc((1 << 20) + 1, 32) });
  await expect(worldMessage(page)).toHaveText('huge.json: is 1.0 MiB; files up to 1 MiB are accepted');
  await page.locator('#world-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(worldMessage(page)).toHaveText('notes.txt: expected a parameter file (.json) or measurements (.csv)');
  await expectUnchanged();
});

test('measurements are fitted, shown with R² over the points, and applied to the chosen provider', async ({ page }) => {
  const utilities = await page.locator('.asp .utility').allTextContents();
  await page.locator('#world-file').setInputFiles(fixture('asp-quality.csv'));
  await expect(page.locator('#fit-summary')).toHaveText('10 points: a_x = 44.28 steps, b_x = 130.64 steps, height 0.8075; R² = 0.9992');
  await expect(page.locator('#fit-preview canvas')).toHaveCount(1);
  await page.locator('#fit-preview').screenshot({ path: 'test-results/screenshots/fit-asp.png' });
  // Nothing is applied until the user says so.
  expect(await page.locator('.asp .utility').allTextContents()).toEqual(utilities);
  await page.locator('#fit-target').selectOption({ label: 'provider 3' });
  await page.locator('#fit-apply').click();
  await expect(worldMessage(page)).toHaveText('Applied the fit of asp-quality.csv.');
  await expect(page.locator('#world-summary')).toHaveText("World from a parameter file: drawn with world seed 0; provider 3's quality ramp fitted to asp-quality.csv — providers 20");
  await expect(page.locator('#fit-preview')).toBeHidden();
  const after = await page.locator('.asp .utility').allTextContents();
  expect(after.filter((u, i) => u !== utilities[i]).length).toBe(1);
  expect(after[2]).not.toEqual(utilities[2]);
});

test('tot: both fitted curves with their R², applied to a service provider', async ({ page }) => {
  await page.locator('#scenario').selectOption('tot');
  await expect(page.locator('.scenario-title')).toHaveText(/^tot — /);
  await page.locator('#world-file').setInputFiles(fixture('tot-server.csv'));
  await expect(page.locator('#fit-summary')).toHaveText(/^8 points: delay η = 0\.02189 s\/token, ψ = 0\.1289 s, R² = 0\.9999; score σ = 10\.999, ρ = 0\.00917\/token \(Score_max 10\), R² = 0\.9997$/);
  await page.locator('#fit-preview').screenshot({ path: 'test-results/screenshots/fit-tot.png' });
  await page.locator('#fit-target').selectOption({ label: 'service provider 2' });
  await page.locator('#fit-apply').click();
  await expect(page.locator('#world-summary')).toContainText("service provider 2's curves fitted to tot-server.csv");
  await page.locator('.world-details summary').click();
  await expect(page.locator('.world-json')).toContainText('service_providers');
  const world = JSON.parse((await page.locator('.world-json').textContent()) ?? '') as { service_providers: { curve: { sigma: number } }[] };
  expect(world.service_providers[1]!.curve.sigma).toBeCloseTo(10.999, 3);
});

test('a file dropped on the page is taken; a world of another scenario switches to it', async ({ page }) => {
  const text = readFileSync(fixture('tot-2-providers.json'), 'utf8');
  await page.evaluate((content) => {
    const data = new DataTransfer();
    data.items.add(new File([content], 'tot-2-providers.json', { type: 'application/json' }));
    const root = document.documentElement;
    root.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    root.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, text);
  await expect(worldMessage(page)).toHaveText('Applied tot-2-providers.json (a tot world: switched to tot).');
  await expect(page.locator('#scenario')).toHaveValue('tot');
  await expect(page.locator('#world-summary')).toContainText('two service providers for the e2e tests');
});

test('Download gives the world as <scenario>-params.json', async ({ page }) => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#world-download').click()]);
  expect(download.suggestedFilename()).toBe('asp-params.json');
  const world = JSON.parse(readFileSync(await download.path(), 'utf8')) as { schema: string; providers: unknown[] };
  expect(world.schema).toBe('asp/v1');
  expect(world.providers).toHaveLength(20);
  // The downloaded file uploads again unchanged.
  await page.locator('#world-file').setInputFiles(await download.path());
  await expect(providers(page)).toHaveCount(20);
});

test('scenarios without a world say so and disable the file controls', async ({ page }) => {
  await page.locator('#scenario').selectOption('cartpole');
  await expect(page.locator('#world-summary')).toHaveText('cartpole has no world or parameter file.');
  await expect(page.locator('#world-file')).toBeDisabled();
  await expect(page.locator('#world-download')).toBeDisabled();
});
