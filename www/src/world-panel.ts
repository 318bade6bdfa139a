// Bring your own parameters: the world in use (summarised, downloadable), uploading a parameter file
// (JSON) or raw measurements (CSV) through a file input or by dropping the file anywhere on the page.
// A parameter file is applied at once; measurements are fitted by the core and the fitted curve is shown
// over the points with R² before the user applies it. Whatever the core refuses changes nothing and its
// message (field or line named) is shown.
import { Chart, mergeSeries } from './chart';
import { download, h } from './dom';
import { fieldPath } from './forms';
import { round } from './format';
import { SCENARIOS } from './generated/scenarios';
import { fileKind, fileScenario, sizeProblem, worldSummary } from './params-files';
import type { RunStore } from './run';
import type { Runtime } from './runtime';
import type { ScenarioChange, SimPanel } from './sim-panel';
import type { AspFit, FitTarget, ScenarioInfo, TotFit } from './types';

/** A fit waiting for the user to apply it. */
interface PendingFit {
  scenario: string;
  fileName: string;
  /** The measurements and tot's quality ceiling, which the core fits again when the fit is applied. */
  csv: string;
  scoreMax: number;
  fit: unknown;
  /** Where in the world the fit can go. */
  targets: FitTarget[];
}

export class WorldPanel {
  private scenario = '';
  private world: unknown = null;
  private pending: PendingFit | null = null;

  private readonly summary = h('p', { id: 'world-summary', class: 'world-summary' });
  private readonly downloadButton = h('button', { type: 'button', id: 'world-download' }, 'Download parameters');
  private readonly seedButton = h('button', { type: 'button', id: 'world-use-seed' }, 'Draw from the world seed again');
  private readonly fileInput = h('input', { type: 'file', id: 'world-file', accept: '.json,.csv,application/json,text/csv' });
  private readonly formats = h('p', { class: 'hint', id: 'world-formats' });
  private readonly message = h('p', { id: 'world-message', class: 'panel-message', role: 'status', 'aria-live': 'polite' });
  private readonly preview = h('div', { id: 'fit-preview', class: 'fit-preview', hidden: true });
  private readonly json = h('pre', { class: 'world-json' });
  private readonly details = h('details', { class: 'world-details' }, h('summary', {}, 'Show the parameter file'), this.json);
  private readonly controls: (HTMLButtonElement | HTMLInputElement)[] = [this.downloadButton, this.fileInput];

  constructor(
    private readonly runtime: Runtime,
    private readonly store: RunStore,
    private readonly sim: SimPanel,
  ) {}

  mount(slot: HTMLElement): void {
    slot.append(
      h('h2', { id: 'world-heading' }, 'Parameters'),
      this.summary,
      h('div', { class: 'panel-buttons' }, this.downloadButton, this.seedButton),
      h('label', { for: 'world-file', class: 'file-label' }, 'Upload a parameter file (.json) or measurements (.csv)'),
      this.fileInput,
      this.formats,
      this.message,
      this.preview,
      this.details,
    );
    this.fileInput.setAttribute('aria-describedby', 'world-formats world-message');
    this.downloadButton.addEventListener('click', () => void this.downloadWorld());
    this.seedButton.addEventListener('click', () => void this.useSeed());
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.take(file);
      this.fileInput.value = '';
    });
    this.details.addEventListener('toggle', () => this.showJson());
    this.dropTarget(document.documentElement);
    this.sim.onChange((change) => void this.show(change));
  }

  /** Lets files be dropped anywhere on `target` (the page). */
  private dropTarget(target: HTMLElement): void {
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    target.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      target.classList.add('dropping');
    });
    target.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null) target.classList.remove('dropping');
    });
    target.addEventListener('drop', (e) => {
      target.classList.remove('dropping');
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      e.preventDefault();
      void this.take(file);
    });
  }

  private async show(change: ScenarioChange): Promise<void> {
    if (change.scenario !== this.scenario) this.discard();
    this.scenario = change.scenario;
    const reply = await this.runtime.call({ kind: 'world' });
    const hasWorld = reply.kind === 'world';
    this.world = hasWorld ? (JSON.parse(reply.json) as unknown) : null;
    const fixed = (JSON.parse(change.config) as { world?: unknown }).world != null;
    this.summary.textContent = hasWorld
      ? `${fixed ? 'World from a parameter file' : 'World'}: ${worldSummary(this.world)}`
      : `${change.scenario} has no world or parameter file.`;
    for (const el of this.controls) el.disabled = !hasWorld;
    this.seedButton.hidden = !fixed;
    const csv = this.info(change.scenario)?.measurements?.header;
    this.formats.textContent = !hasWorld
      ? ''
      : csv
        ? `A parameter file is a ${change.scenario} world like the one Download gives. Measurements: a CSV table with the columns ${csv}. Or drop a file anywhere on the page. At most 1 MiB.`
        : `A parameter file is a ${change.scenario} world like the one Download gives (${change.scenario} takes no measurements). Or drop it anywhere on the page. At most 1 MiB.`;
    this.details.hidden = !hasWorld;
    if (this.details.open) this.showJson();
  }

  private showJson(): void {
    if (this.details.open) this.json.textContent = JSON.stringify(this.world, null, 1);
  }

  private async downloadWorld(): Promise<void> {
    const reply = await this.runtime.call({ kind: 'world' });
    if (reply.kind !== 'world') {
      this.say(reply.kind === 'error' ? reply.message : 'world: unexpected reply', 'alert');
      return;
    }
    download(`${this.scenario}-params.json`, reply.json, 'application/json');
    this.say(`Downloaded ${this.scenario}-params.json.`, 'status');
  }

  private async useSeed(): Promise<void> {
    const { world: _, ...config } = this.store.get().config;
    if (await this.sim.request({ config })) this.say('The world is drawn from the world seed again.', 'status');
  }

  /** Takes a dropped or chosen file: checks its size before reading, then applies or fits it. */
  private async take(file: File): Promise<void> {
    this.say('');
    if (this.world === null) {
      this.say(`${file.name}: ${this.scenario} has no world or parameter file`, 'alert');
      return;
    }
    const tooLarge = sizeProblem(file.name, file.size);
    if (tooLarge) {
      this.say(tooLarge, 'alert');
      return;
    }
    const kind = fileKind(file.name, file.type);
    if (!kind) {
      this.say(`${file.name}: expected a parameter file (.json) or measurements (.csv)`, 'alert');
      return;
    }
    if (kind === 'json') await this.applyFile(file.name, new Uint8Array(await file.arrayBuffer()));
    else await this.fit(file.name, await file.text());
  }

  private async applyFile(name: string, bytes: Uint8Array): Promise<void> {
    // The core reads the bytes as the CLI reads a file (UTF-8, one value, no key twice), not JSON.parse.
    const read = await this.runtime.call({ kind: 'readJson', bytes });
    if (read.kind !== 'json') {
      this.say(`${name}: ${read.kind === 'error' ? (read.field === 'file' ? read.problem : read.message) : 'unexpected reply'}`, 'alert');
      return;
    }
    const world: unknown = JSON.parse(read.json);
    // A file for another scenario switches to it (its `schema` tag says which).
    const scenario = fileScenario(world, SCENARIOS.map((s) => s.id)) ?? this.scenario;
    const base = scenario === this.scenario ? this.store.get().config : {};
    await this.applyWorld(scenario, { ...base, world }, name);
  }

  private async applyWorld(scenario: string, config: Record<string, unknown>, name: string): Promise<boolean> {
    const switching = scenario !== this.scenario;
    if (await this.sim.request(switching ? { scenario, config } : { config })) {
      this.say(`Applied ${name}${switching ? ` (a ${scenario} world: switched to ${scenario})` : ''}.`, 'status');
      return true;
    }
    // The core names the field inside the file: drop the config.world prefix it puts before it.
    const { field, problem, message } = this.sim.lastError();
    const path = fieldPath(field, ['config.world', 'config']);
    this.say(`${name}: not applied — ${path ? `${path}: ${problem}` : message}`, 'alert');
    return false;
  }

  private async fit(name: string, text: string): Promise<void> {
    const scenario = this.scenario;
    const scoreMax = typeof (this.world as { score_max?: unknown }).score_max === 'number' ? (this.world as { score_max: number }).score_max : 10;
    const reply = await this.runtime.call({ kind: 'fit', scenario, csv: text, scoreMax });
    if (reply.kind !== 'fit') {
      this.say(`${name}: ${reply.kind === 'error' ? reply.message : 'unexpected reply'}`, 'alert');
      return;
    }
    this.pending = { scenario, fileName: name, csv: text, scoreMax, fit: reply.fit, targets: reply.targets };
    this.showFit(this.pending);
  }

  private showFit(pending: PendingFit): void {
    const target = h('select', { id: 'fit-target' });
    for (const t of pending.targets) target.append(h('option', { value: t.value }, t.label));
    const apply = h('button', { type: 'button', id: 'fit-apply' }, 'Apply the fit');
    const discard = h('button', { type: 'button', id: 'fit-discard' }, 'Discard');
    apply.addEventListener('click', () => void this.applyPending(target.value));
    discard.addEventListener('click', () => {
      this.discard();
      this.say('Fit discarded; nothing changed.', 'status');
    });
    const { chart, text } = fitView(pending);
    this.preview.replaceChildren(
      h('h3', {}, `Fit of ${pending.fileName}`),
      ...(chart ? [chart.element] : []),
      h('p', { id: 'fit-summary', class: 'fit-summary' }, text),
      h('p', { class: 'hint' }, this.info(pending.scenario)?.measurements?.rule ?? ''),
      h('label', { for: 'fit-target' }, 'Apply to'),
      target,
      h('div', { class: 'panel-buttons' }, apply, discard),
    );
    this.preview.hidden = false;
    this.say(`${pending.fileName}: fitted; check the curve, then apply it or discard it.`, 'status');
    apply.focus();
  }

  private async applyPending(target: string): Promise<void> {
    const pending = this.pending;
    if (!pending || pending.scenario !== this.scenario) return;
    const { csv, scoreMax, fileName } = pending;
    const reply = await this.runtime.call({ kind: 'fit-world', csv, scoreMax, target, fileName });
    if (reply.kind !== 'world') {
      this.say(`${fileName}: not applied — ${reply.kind === 'error' ? reply.message : 'unexpected reply'}`, 'alert');
      return;
    }
    const world: unknown = JSON.parse(reply.json);
    if (await this.applyWorld(this.scenario, { ...this.store.get().config, world }, `the fit of ${pending.fileName}`)) this.discard();
  }

  /** The core's facts of scenario `id`. */
  private info(id: string): ScenarioInfo | undefined {
    return SCENARIOS.find((s) => s.id === id);
  }

  private discard(): void {
    this.pending = null;
    this.preview.hidden = true;
    this.preview.replaceChildren();
  }

  private say(text: string, kind: 'alert' | 'status' = 'status'): void {
    this.message.textContent = text;
    this.message.className = `panel-message ${text ? kind : ''}`;
  }
}


/** How many measurements a fit has, and how many of them are plotted when not all are (see `plottedFit`). */
function counted(fit: { points: number; data: unknown[] }): string {
  return fit.data.length < fit.points ? `${fit.points} points (${fit.data.length} of them plotted)` : `${fit.points} points`;
}

/** An `asp` ramp (its `height`), as the core's fit of `steps,quality` gives it. */
const isAspFit = (fit: unknown): fit is AspFit => typeof fit === 'object' && fit !== null && 'height' in fit;
/** `tot`'s delay line and quality curve, as the core's fit of `tokens,delay_s,score` gives them. */
const isTotFit = (fit: unknown): fit is TotFit => typeof fit === 'object' && fit !== null && 'delay' in fit && 'quality' in fit;

/** The chart and the sentence for a fit, by its kind (a ramp, tot's curves, or a whole profile). */
function fitView(pending: PendingFit): { chart: Chart | null; text: string } {
  if (isAspFit(pending.fit)) {
    const fit = pending.fit;
    const chart = new Chart({
      title: `Measured quality and the fitted ramp of ${pending.fileName}`,
      x: 'denoising steps',
      y: { q: 'quality' },
      series: [
        { label: 'measured', color: '#e0a526', marks: 'points' },
        { label: 'fitted', color: '#3563a8' },
      ],
      height: 180,
      describedBy: 'fit-summary',
    });
    chart.setData(mergeSeries([
      { x: fit.data.map((p) => p.steps), y: fit.data.map((p) => p.quality) },
      { x: fit.curve.map((p) => p.steps), y: fit.curve.map((p) => p.quality) },
    ]));
    const text = `${counted(fit)}: a_x = ${round(fit.a_x, 2)} steps, b_x = ${round(fit.b_x, 2)} steps, height ${round(fit.height, 4)}; R² = ${round(fit.r_squared, 4)}`;
    return { chart, text };
  }
  if (isTotFit(pending.fit)) {
    const fit = pending.fit;
    const chart = new Chart({
      title: `Measured delay and score with the fitted curves of ${pending.fileName}`,
      x: 'output tokens',
      y: { s: 'delay (s)', score: 'score' },
      series: [
        { label: 'delay measured', color: '#e0a526', marks: 'points', scale: 's' },
        { label: 'delay fitted', color: '#b37a00', scale: 's' },
        { label: 'score measured', color: '#6fa8dc', marks: 'points', scale: 'score' },
        { label: 'score fitted', color: '#3563a8', scale: 'score' },
      ],
      height: 180,
      describedBy: 'fit-summary',
    });
    const xs = fit.data.map((p) => p.tokens);
    const cx = fit.curve.map((p) => p.tokens);
    chart.setData(mergeSeries([
      { x: xs, y: fit.data.map((p) => p.delay_s) },
      { x: cx, y: fit.curve.map((p) => p.delay_s) },
      { x: xs, y: fit.data.map((p) => p.score) },
      { x: cx, y: fit.curve.map((p) => p.score) },
    ]));
    const text =
      `${counted(fit)}: delay η = ${round(fit.delay.eta_s_per_token, 5)} s/token, ψ = ${round(fit.delay.psi_s, 4)} s, R² = ${round(fit.delay.r_squared, 4)}; ` +
      `score σ = ${round(fit.quality.sigma, 3)}, ρ = ${round(fit.quality.rho_per_token, 5)}/token (Score_max ${fit.score_max}), R² = ${round(fit.quality.r_squared, 4)}`;
    return { chart, text };
  }
  const world = pending.fit as { conditions?: unknown[]; alphas?: number[]; betas?: number[] };
  return {
    chart: null,
    text: `A profile of ${world.conditions?.length ?? 0} conditions at α ${world.alphas?.join(', ') ?? ''} and β ${world.betas?.join(', ') ?? ''} (a table, not a curve: no R²).`,
  };
}
