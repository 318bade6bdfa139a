// End-to-end: training in the browser — the training panel, charts, checkpoints, the saved session and the
// pretrained policies, in Debian's headless Chromium.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();
test.beforeEach(({ page }) => open(page, '/', 20_000));

const points = async (page: Page, chart: string) => Number(await page.locator(`#${chart}`).getAttribute('data-points'));
const filled = async (page: Page, chart: string) => Number(await page.locator(`#${chart}`).getAttribute('data-filled'));
const epochs = async (page: Page) => Number(await page.locator('#train-status').getAttribute('data-epochs'));

/** Trains until `n` epochs are recorded, then pauses. */
async function trainEpochs(page: Page, n: number): Promise<void> {
  await page.locator('#train').click();
  await expect(page.locator('#train')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => epochs(page), { timeout: 150_000 }).toBeGreaterThanOrEqual(n);
  await page.locator('#train').click();
  await expect(page.locator('#train')).toHaveAttribute('aria-pressed', 'false');
  // The slice in flight lands before the loop stops.
  await expect(page.locator('#train-status')).toHaveAttribute('data-running', 'false', { timeout: 20_000 });
}

test('d2sac fast on asp: the learning curve and the losses grow points', async ({ page }) => {
  test.setTimeout(200_000);
  await expect(page.locator('#algorithm')).toHaveValue('d2sac');
  await expect(page.locator('#preset-fast')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#train-backend')).toHaveText(/CPU · WebAssembly/);
  // The heuristics' levels are computed on the run's evaluation episodes.
  await expect(page.locator('#train-status')).toHaveAttribute('data-levels', /crash_avoid/);
  await trainEpochs(page, 2);
  expect(await points(page, 'learning-curve')).toBeGreaterThanOrEqual(2);
  // The first epoch is warm-up (no updates yet); the second has losses.
  expect(await filled(page, 'losses-chart')).toBeGreaterThanOrEqual(1);
  await expect(page.locator('#learning-curve .u-legend')).toContainText('crash_avoid');
  await expect(page.locator('#learning-curve .u-legend')).toContainText('paper D2SAC');
  await expect(page.locator('#train-status')).toHaveText(/^epoch \d+ · \d+ env steps · \d+ updates/);
  // The chain of the current state is drawn (or the slot says the component is not in this build).
  await page.locator('#refresh-chain').click();
  await expect(page.locator('.chain-slot svg, .chain-note:not([hidden])').first()).toBeVisible();
  const download = page.waitForEvent('download');
  await page.locator('[data-export="curve-png"]').click();
  expect((await download).suggestedFilename()).toMatch(/^diffedge-asp-d2sac-epoch\d+-learning-curve\.png$/);
  // The CSV holds what is drawn: a row per epoch, a column per series.
  const csvDownload = page.waitForEvent('download');
  await page.locator('[data-export="losses-csv"]').click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^diffedge-asp-d2sac-epoch\d+-losses-chart\.csv$/);
  const rows = readFileSync(await csv.path(), 'utf8').trimEnd().split('\n');
  expect(rows[0]).toBe('env steps,critic loss,actor loss,entropy,α');
  expect(rows.length - 1).toBe(await points(page, 'losses-chart'));
  await expect(page.locator('#losses-chart figcaption')).toHaveText(/^\d+ epochs; at \d+ env steps: critic loss /);
  // The history CSV is the core's metrics CSV (the file a CLI run writes): a header and a row per epoch.
  const historyDownload = page.waitForEvent('download');
  await page.locator('#history-csv').click();
  const history = readFileSync(await (await historyDownload).path(), 'utf8').trimEnd().split('\n');
  expect(history[0]).toMatch(/^epoch,env_steps,updates,train_return,eval_return,eval_sd,critic_loss,actor_loss,entropy,alpha,mean_q,eval_total_reward,/);
  expect(history.length - 1).toBe(await epochs(page));
  await page.screenshot({ path: 'test-results/screenshots/training-asp.png', fullPage: true });
});

/** The values of the list field at `path` of the hyper-parameter form (one input per entry). */
const list = (page: Page, path: string) => page.locator(`[data-path="${path}"] .array-items input`).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

test('switching algorithm and preset fills the hyper-parameter form', async ({ page }) => {
  await expect(page.locator('#hp-actor-hidden')).toHaveValue('64');
  // The learner's kind comes with the algorithm: shown, not edited.
  await expect(page.locator('#hp-kind')).toHaveText('sac');
  await expect(page.locator('.hyper select[name="kind"], .hyper input[name="kind"]')).toHaveCount(0);
  await page.locator('#preset-paper').click();
  await expect(page.locator('#hp-actor-hidden')).toHaveValue('256');
  await expect.poll(() => list(page, 'critic_hidden')).toEqual(['256', '256']);
  await expect(page.locator('#preset-paper')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('#algorithm').selectOption('dqn');
  await expect(page.locator('#hp-kind')).toHaveText('dqn');
  await expect.poll(() => list(page, 'hidden')).toEqual(['256', '256']);
  await expect(page.locator('#hp-actor-hidden')).toHaveCount(0);
  await page.locator('#preset-fast').click();
  await expect.poll(() => list(page, 'hidden')).toEqual(['64', '64']);
  await page.locator('#algorithm').selectOption('lad');
  await expect(page.locator('#hp-actor-output option:checked')).toHaveText('softmax');
  await expect(page.locator('#hp-alpha_tuning-set')).toBeChecked();
  await expect(page.locator('#hp-alpha_tuning-lr')).toHaveValue('0.0003');
  await page.screenshot({ path: 'test-results/screenshots/training-form-lad.png', fullPage: true });
});

test('a bad hyper-parameter shows the core\'s message next to the field and changes nothing', async ({ page }) => {
  const status = await page.locator('#train-status').textContent();
  await page.locator('#hp-gamma').fill('2');
  await page.locator('#hp-gamma').press('Tab');
  await expect(page.locator('#hp-gamma-error')).toHaveText('learner.gamma: must be between 0 and 1, got 2');
  await expect(page.locator('#hp-gamma')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#train-message')).toHaveText(/^Not applied: learner\.gamma: must be between 0 and 1, got 2$/);
  await expect(page.locator('#preset-fast')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#train-status')).toHaveText(status ?? '');
  // A good value is applied (and clears the message).
  await page.locator('#hp-gamma').fill('0.9');
  await page.locator('#hp-gamma').press('Tab');
  await expect(page.locator('#hp-gamma-error')).toHaveText('');
  await expect(page.locator('#preset-fast')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('#train-message')).toHaveText('gamma applied: a new run starts.');
  await expect(page.locator('#hp-gamma')).toHaveValue('0.9');
  await page.screenshot({ path: 'test-results/screenshots/training-bad-field.png', fullPage: false });
});

test('a bad entry of a nested list is named by the core at that entry; the run keeps its settings', async ({ page }) => {
  test.setTimeout(200_000);
  await trainEpochs(page, 1);
  const status = await page.locator('#train-status').textContent();
  const recorded = await epochs(page);
  const entry = page.locator('[data-path="critic_hidden[1]"] input');
  await entry.fill('0');
  await entry.press('Tab');
  const message = 'learner.critic_hidden[1]: must be between 1 and 4096, got 0';
  await expect(page.locator('[data-path="critic_hidden[1]"] .field-error')).toHaveText(message);
  await expect(page.locator('#train-message')).toHaveText(`Not applied: ${message}`);
  // The run is the one trained so far: same counters, same epochs, the preset still in use.
  await expect(page.locator('#train-status')).toHaveText(status ?? '');
  expect(await epochs(page)).toBe(recorded);
  await expect(page.locator('#preset-fast')).toHaveAttribute('aria-pressed', 'true');
  // A field the form cannot read at all is named by the form, and nothing is sent.
  await page.locator('#hp-tau').fill('');
  await page.locator('#hp-tau').press('Tab');
  await expect(page.locator('#hp-tau-error')).toHaveText('tau: needs a value');
  await expect(page.locator('#train-status')).toHaveText(status ?? '');
});

test('the algorithms offered fit the scenario; ddc switches to its own learner and back', async ({ page }) => {
  const offered = () => page.locator('#algorithm option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  await expect.poll(offered).not.toContain('ddc');
  expect(await offered()).toContain('dqn');
  await page.locator('#algorithm').selectOption('dqn');
  await expect(page.locator('#hp-kind')).toHaveText('dqn');
  await page.locator('#scenario').selectOption('ddc');
  // dqn needs a discrete action space: the scenario's own learner takes over, with its fields.
  await expect(page.locator('#algorithm')).toHaveValue('ddc');
  await expect.poll(offered).toEqual(['ddc']);
  await expect(page.locator('#hp-kind')).toHaveText('hybrid');
  await expect(page.locator('#hp-explore_prob')).toBeVisible();
  await expect(page.locator('#hp-actor-hidden')).toHaveValue('64');
  await expect(page.locator('#train-message')).toHaveText('');
  await expect(page.locator('#train')).toBeEnabled();
  await page.screenshot({ path: 'test-results/screenshots/training-ddc.png', fullPage: true });
  // Back on asp, ddc does not fit: asp's paper learner.
  await page.locator('#scenario').selectOption('asp');
  await expect(page.locator('#algorithm')).toHaveValue('d2sac');
  await expect.poll(offered).not.toContain('ddc');
  await expect(page.locator('#hp-kind')).toHaveText('sac');
  // A scenario where the chosen algorithm fits keeps it.
  await page.locator('#algorithm').selectOption('dqn');
  await page.locator('#scenario').selectOption('cartpole');
  await expect(page.locator('#train-message')).toHaveText('');
  await expect(page.locator('#algorithm')).toHaveValue('dqn');
  await expect(page.locator('#hp-kind')).toHaveText('dqn');
});

test('a reload restores the session: settings, history and weights', async ({ page }) => {
  test.setTimeout(200_000);
  await page.locator('#train-seed').fill('3');
  await page.locator('#train-seed').press('Tab');
  await expect(page.locator('#train-message')).toHaveText('');
  await trainEpochs(page, 1);
  const recorded = await epochs(page);
  await expect(page.locator('#train-status')).toHaveAttribute('data-saved', String(recorded), { timeout: 20_000 });
  const status = await page.locator('#train-status').textContent();
  await page.reload();
  await expect(page.locator('#app')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#train-seed')).toHaveValue('3');
  await expect(page.locator('#train-status')).toHaveText(status ?? '');
  await expect.poll(() => points(page, 'learning-curve')).toBe(recorded);
  await expect(page.locator('#train-message')).toHaveText(/^The saved session is loaded: d2sac on asp/);
});

test('checkpoint download then upload; a corrupt file changes nothing', async ({ page }, info) => {
  test.setTimeout(200_000);
  await trainEpochs(page, 1);
  const recorded = await epochs(page);
  const download = page.waitForEvent('download');
  await page.locator('#save-checkpoint').click();
  const file = info.outputPath('run.safetensors');
  await (await download).saveAs(file);
  await page.locator('#reset-training').click();
  await expect.poll(() => epochs(page)).toBe(0);
  await page.locator('#load-checkpoint').setInputFiles(file);
  await expect(page.locator('#train-message')).toHaveText(/^run\.safetensors is loaded: d2sac on asp/);
  expect(await epochs(page)).toBe(recorded);
  await page.locator('#load-checkpoint').setInputFiles({ name: 'bad.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint at all') });
  await expect(page.locator('#train-message')).toHaveText(/^bad\.safetensors: checkpoint: is not a valid safetensors file/);
  expect(await epochs(page)).toBe(recorded);
});

test('Load pretrained, then the learned policy drives the simulator', async ({ page }) => {
  await page.locator('#load-pretrained').click();
  await expect(page.locator('#train-message')).toHaveText(/^The pretrained asp policy is loaded: d2sac on asp, \d+ epochs/, { timeout: 30_000 });
  expect(await points(page, 'learning-curve')).toBeGreaterThan(0);
  await page.locator('#speed').selectOption({ label: '1000 / s' });
  await page.locator('#watch').click();
  await expect(page.locator('#policy')).toHaveValue('learned');
  await expect(page.locator('#playing')).toHaveText(/^Playing: the pretrained asp policy \(d2sac, \d+ epochs\) · compared with crash_avoid$/);
  await expect.poll(async () => Number(await page.locator('[data-counter="decisions"]').textContent()), { timeout: 20_000 }).toBeGreaterThan(20);
  await page.locator('#play').click();
  await page.screenshot({ path: 'test-results/screenshots/training-pretrained-watch.png', fullPage: true });
  // Every paper's scenario ships one: lad's multi-agent LAD policy (one learner shared by the base stations,
  // with its latent-action store) loads and plays too.
  await page.locator('#scenario').selectOption('lad');
  await expect(page.locator('#playing')).toHaveText('Playing: opt');
  await page.locator('#load-pretrained').click();
  await expect(page.locator('#train-message')).toHaveText(/^The pretrained lad policy is loaded: lad on lad, 10 epochs/, { timeout: 30_000 });
  await page.locator('#watch').click();
  await expect(page.locator('#playing')).toHaveText(/^Playing: the pretrained lad policy \(lad, 10 epochs\) · compared with opt$/);
  await expect.poll(async () => Number(await page.locator('[data-counter="decisions"]').textContent()), { timeout: 20_000 }).toBeGreaterThan(20);
});
