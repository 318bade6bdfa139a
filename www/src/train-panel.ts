// The training panel: algorithm, preset and hyper-parameters (a form generated from the core's schema),
// Train / Pause / Reset, the learning-curve and loss charts (train-charts.ts), the diffusion chain of the current state,
// checkpoints (download, upload, pretrained, a file served beside the page) and the saved session.
// Training runs in the worker in slices of environment steps, so the page stays responsive; every number
// comes from the core. The run is the simulator's learned policy: the panel tells it where the run comes
// from, so that a link names the policy that plays.
import { ChainSlot } from './chain-slot';
import { download, h } from './dom';
import { parseSeed, round } from './format';
import { fetchLearned, learnedName, learnedTitle, sizeProblem, type LoadedRun } from './learned';
import { LEARNED_POLICY, coreError, type CoreError, type TrainReply } from './protocol';
import type { LearnedPolicy, RunSettings, RunStore } from './run';
import { serialQueue, type Runtime } from './runtime';
import { saveSession, type Session } from './session';
import type { ScenarioChange, SimPanel } from './sim-panel';
import { LearningCharts } from './train-charts';
import type { Evaluation } from './train-figures';
import { SchemaForm, describe, fieldPath, within, type Field, type JsonSchema } from './forms';
import type { EpochRecord, TrainConfig } from './types';

/** Time budget of one training slice, ms: long enough to be efficient, short enough to stay responsive. */
const SLICE_MS = 100;
/** Most environment steps of one slice. */
const SLICE_STEPS = 100_000;
/** Least time between two saves of the session while training, ms. */
const SAVE_EVERY_MS = 20_000;
/** Heuristics left out of the reference levels (exhaustive search: too slow for a level). */
const NO_LEVEL = ['oracle', LEARNED_POLICY];

type TrainSettings = Pick<RunSettings, 'algorithm' | 'preset' | 'learner' | 'trainSeed'>;

/** The scenario config of a run without its tag, as the simulator and the store take it. */
function untagged(config: Record<string, unknown>): Record<string, unknown> {
  const { scenario: _tag, ...fields } = config;
  return fields;
}

export class TrainPanel {
  private config: TrainConfig | null = null;
  private history: EpochRecord[] = [];
  private levels = new Map<string, Evaluation>();
  private heuristics: string[] = [];
  private training = false;
  private started = false;
  private lastSave = 0;
  /** Requests to the worker, one at a time. */
  private readonly serial = serialQueue();
  /** Counters of the latest slice (the history has them only at epoch ends). */
  private progress = { envSteps: 0, updates: 0 };
  /** Where the run's weights come from: a file a link can name until it is trained further, else the run. */
  private origin: LearnedPolicy = { source: 'run' };

  /** The learner's hyper-parameters as a form model (the `learner` part of the core's training schema). */
  private readonly learnerField: Field;
  private form: SchemaForm | null = null;
  private readonly formSlot = h('div', { class: 'hyper-form' });
  private readonly algorithm = h('select', { id: 'algorithm', name: 'algorithm' });
  private readonly presetButtons = (['paper', 'fast'] as const).map((p) =>
    h('button', { type: 'button', id: `preset-${p}`, 'aria-pressed': 'false', title: `The ${p} hyper-parameters` }, p),
  );
  private readonly seedInput = h('input', { id: 'train-seed', name: 'train-seed', inputmode: 'numeric', value: '0', autocomplete: 'off' });
  private readonly trainButton = h('button', { id: 'train', type: 'button', 'aria-pressed': 'false' }, 'Train');
  private readonly resetButton = h('button', { id: 'reset-training', type: 'button', title: 'Start the run again from scratch' }, 'Reset training');
  private readonly watchButton = h('button', { id: 'watch', type: 'button', title: 'Let the learned policy drive the simulator' }, 'Watch policy');
  private readonly status = h('p', { id: 'train-status', class: 'train-status', 'aria-live': 'polite' });
  private readonly message = h('p', { id: 'train-message', role: 'alert' });
  private readonly saveButton = h('button', { id: 'save-checkpoint', type: 'button' }, 'Download checkpoint');
  private readonly loadInput = h('input', { id: 'load-checkpoint', type: 'file', accept: '.safetensors,application/octet-stream' });
  private readonly pretrainedButton = h('button', { id: 'load-pretrained', type: 'button' }, 'Load pretrained');
  private readonly pathInput = h('input', {
    id: 'checkpoint-path',
    name: 'checkpoint-path',
    placeholder: 'checkpoints/asp.safetensors',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  private readonly historyCsvButton = h('button', { id: 'history-csv', type: 'button' }, 'History CSV');
  private readonly historyJsonButton = h('button', { id: 'history-json', type: 'button' }, 'History JSON');

  private readonly charts = new LearningCharts();
  private readonly chain = new ChainSlot();
  private readonly chainButton = h('button', { id: 'refresh-chain', type: 'button' }, 'Chain for the current state');

  constructor(
    private readonly runtime: Runtime,
    private readonly store: RunStore,
    private readonly sim: SimPanel,
    trainSchemaJson: string,
  ) {
    const root = JSON.parse(trainSchemaJson) as JsonSchema;
    this.learnerField = describe(root.properties?.['learner'] ?? {}, root, 'learner');
  }

  mount(parent: HTMLElement): void {
    const controls = h(
      'div',
      { class: 'train-controls' },
      h('h2', {}, 'Training'),
      h('p', { class: 'backend-line', id: 'train-backend' }, 'Backend: CPU · WebAssembly'),
      h('label', { for: 'algorithm' }, 'Algorithm'),
      this.algorithm,
      h('div', { class: 'buttons', role: 'group', 'aria-label': 'Preset' }, ...this.presetButtons),
      h('label', { for: 'train-seed' }, 'Train seed'),
      this.seedInput,
      h('div', { class: 'buttons' }, this.trainButton, this.resetButton),
      this.status,
      this.message,
      h('h3', {}, 'Policy'),
      h('div', { class: 'buttons' }, this.watchButton, this.pretrainedButton),
      h('div', { class: 'buttons' }, this.saveButton),
      h('label', { for: 'load-checkpoint' }, 'Load a checkpoint (.safetensors)'),
      this.loadInput,
      h(
        'form',
        { class: 'checkpoint-path', 'aria-label': 'Checkpoint beside the page' },
        h('label', { for: 'checkpoint-path' }, 'or one served beside the page (a path a link can name)'),
        h('div', { class: 'path-row' }, this.pathInput, h('button', { id: 'load-path', type: 'submit' }, 'Load')),
      ),
      h('h3', {}, 'Metric history'),
      h('div', { class: 'buttons' }, this.historyCsvButton, this.historyJsonButton),
      h('details', { class: 'hyper', open: true }, h('summary', {}, 'Hyper-parameters'), this.formSlot),
    );
    const stem = () => this.fileStem();
    const failed = (message: string) => this.say(message);
    const charts = this.charts.element(stem, failed);
    const chain = h(
      'div',
      { class: 'train-chain' },
      h('h3', {}, 'Denoising chain'),
      h('p', { class: 'hint' }, 'The policy\'s action distribution after each denoising step, for the simulator\'s current state.'),
      this.chainButton,
      this.chain.element,
    );
    parent.append(controls, charts, chain);

    this.algorithm.addEventListener('change', () => void this.request({ algorithm: this.algorithm.value, learner: null }));
    for (const [i, button] of this.presetButtons.entries()) {
      button.addEventListener('click', () => void this.request({ preset: i === 0 ? 'paper' : 'fast', learner: null }));
    }
    this.seedInput.addEventListener('change', () => {
      const seed = parseSeed('train seed', this.seedInput.value);
      if (typeof seed === 'string') this.say(seed);
      else void this.request({ trainSeed: seed });
    });
    this.trainButton.addEventListener('click', () => (this.training ? this.pause() : this.train()));
    this.resetButton.addEventListener('click', () => void this.request({}, true));
    this.watchButton.addEventListener('click', () => this.sim.watch());
    this.saveButton.addEventListener('click', () => void this.downloadCheckpoint());
    this.loadInput.addEventListener('change', () => void this.uploadCheckpoint());
    this.pretrainedButton.addEventListener('click', () => void this.loadServed({ source: 'pretrained' }));
    this.pathInput.form?.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.loadServed({ source: 'checkpoint', path: this.pathInput.value.trim() });
    });
    this.historyCsvButton.addEventListener('click', () => void this.downloadHistoryCsv());
    this.historyJsonButton.addEventListener('click', () =>
      download(`${this.fileStem()}-history.json`, JSON.stringify(this.history, null, 1), 'application/json'),
    );
    this.charts.onQuantity(() => this.redraw());
    this.chainButton.addEventListener('click', () => void this.refreshChain());
    this.sim.onChange((change) => void this.scenarioChanged(change));
    this.store.subscribe(() => {
      if (this.started) void this.persist();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void this.persist(true);
    });
  }

  /**
   * Starts the panel: the policy a shared link named when `linked` holds it (loaded in the worker
   * already), else the saved run when there is one (its checkpoint), else a new run from the store.
   */
  async start(session: Session | null, linked: { run: LoadedRun; origin: LearnedPolicy } | null): Promise<void> {
    this.started = true;
    const change = this.sim.scenarioChange();
    if (change) this.offer(change);
    this.showSettings();
    if (linked) {
      const name = learnedName(linked.origin, this.sim.scenarioId());
      await this.take(linked.run, `${name[0]!.toUpperCase()}${name.slice(1)}, named by the link,`, linked.origin, false);
      return;
    }
    const saved = this.store.get().learned ?? { source: 'run' };
    if (session?.checkpoint && (await this.load(session.checkpoint, 'The saved session', saved))) return;
    await this.request({}, true);
  }

  // --- the run -------------------------------------------------------------------------------------

  private async call(request: Parameters<Runtime['call']>[0]): Promise<TrainReply | ({ kind: 'error' } & CoreError)> {
    return (await this.runtime.call(request)) as TrainReply | ({ kind: 'error' } & CoreError);
  }

  /**
   * Applies training settings: a new run is built in the core first, and only if that succeeds is the
   * store updated (a bad value shows the core's message next to its field and changes nothing).
   * `restart`: build a new run even when nothing changed (Reset training).
   */
  private async request(asked: Partial<TrainSettings>, restart = false, scenario?: ScenarioChange): Promise<boolean> {
    const target = scenario ?? this.sim.scenarioChange();
    if (!target) return false;
    const before = this.store.get();
    // An algorithm that cannot train on the scenario (the core lists those that can) gives way to the
    // scenario's paper learner.
    const fits = target.algorithms.includes(asked.algorithm ?? before.algorithm);
    const patch: Partial<TrainSettings> = fits ? asked : { ...asked, algorithm: target.paperAlgorithm, learner: null };
    const next = { ...before, ...patch };
    const changed = (Object.keys(patch) as (keyof TrainSettings)[]).some((k) => JSON.stringify(patch[k]) !== JSON.stringify(before[k]));
    if (!changed && !restart && !scenario) return true;
    this.pause();
    return this.serial(async () => {
      const reply = await this.call({
        kind: 'train-create',
        scenario: target.scenario,
        config: JSON.stringify(untagged(JSON.parse(target.config) as Record<string, unknown>)),
        algorithm: next.algorithm,
        preset: next.preset,
        learner: next.learner === null ? null : JSON.stringify(next.learner),
        seed: next.trainSeed,
      });
      if (reply.kind !== 'train-created') {
        this.rejected(reply.kind === 'error' ? reply : coreError('unexpected reply'));
        this.showSettings();
        if (!scenario) return false;
        // The scenario changed under a run that cannot train on it: no run until the settings fit.
        this.config = null;
        this.setEnabled();
        this.sim.setLearned(null);
        return false;
      }
      this.store.update(patch);
      this.adopt(reply);
      this.say('');
      await this.computeLevels();
      void this.persist();
      return true;
    });
  }

  /** Takes a run the worker built or loaded (from `origin`): its config, form and history. */
  private adopt(reply: LoadedRun, origin: LearnedPolicy = { source: 'run' }): void {
    this.config = JSON.parse(reply.config) as TrainConfig;
    this.origin = origin;
    this.history = reply.history;
    this.progress = { envSteps: reply.envSteps, updates: reply.updates };
    this.levels.clear();
    this.showLearner(this.config.learner);
    this.showSettings();
    this.fillQuantities();
    this.redraw();
    this.showStatus();
    this.setEnabled();
    this.showOrigin();
    this.chain.say('Train, or load a policy, then ask for the chain of the current state.');
  }

  /** Tells the simulator where its learned policy (this run) comes from and what to call it. */
  private showOrigin(): void {
    const c = this.config;
    if (!c) return;
    const scenario = c.scenario.scenario;
    this.sim.setLearned(this.origin, learnedTitle(this.origin, scenario, c.algorithm, this.history.length));
  }

  /**
   * Draws the hyper-parameter form holding `learner` (the learner's kind is the algorithm's, not edited
   * here); keeps the focus on the field that had it.
   */
  private showLearner(learner: unknown): void {
    const active = document.activeElement;
    const focused = active && this.formSlot.contains(active) ? active.id : '';
    this.form = new SchemaForm(this.learnerField, learner, {
      idPrefix: 'hp',
      fixed: ['kind'],
      onChange: (path) => void this.editLearner(path),
    });
    this.formSlot.replaceChildren(this.form.element);
    if (focused) document.getElementById(focused)?.focus();
  }

  /** Shows the core's refusal, next to the hyper-parameter it names if it names one. */
  private rejected({ field: named, message }: CoreError): void {
    this.form?.clearErrors();
    const field = within(fieldPath(named, ['train']), 'learner');
    if (field !== null && this.form) {
      this.form.showError(field, message);
      this.say(`Not applied: ${message}`);
    } else {
      this.say(message);
    }
  }

  /** Applies the form after an edit of the field at `path`: a new run with these hyper-parameters. */
  private async editLearner(path: string): Promise<void> {
    const read = this.form?.read();
    if (!read) return;
    if (!read.ok) {
      this.say(`Not applied: ${read.message}`);
      return;
    }
    if (await this.request({ learner: read.value as Record<string, unknown> })) {
      this.say(`${path || 'learner'} applied: a new run starts.`, 'status');
    }
  }

  /** Offers the algorithms that can train on the scenario of `change`, and takes its heuristics' levels. */
  private offer(change: ScenarioChange): void {
    this.heuristics = change.heuristics.filter((p) => !NO_LEVEL.includes(p));
    this.algorithm.replaceChildren(...change.algorithms.map((a) => h('option', { value: a }, a)));
    this.algorithm.value = this.store.get().algorithm;
  }

  private async scenarioChanged(change: ScenarioChange): Promise<void> {
    this.offer(change);
    if (!this.started) return;
    // A loaded run switches the simulator to its own scenario: no new run then.
    if (this.config && JSON.stringify(this.config.scenario) === JSON.stringify(JSON.parse(change.config))) return;
    await this.request({}, true, change);
  }

  /** Each heuristic's level on the run's evaluation episodes, one request each. */
  private async computeLevels(): Promise<void> {
    for (const policy of this.heuristics) {
      const reply = await this.call({ kind: 'train-evaluate-heuristic', policy });
      if (reply.kind === 'train-level') this.levels.set(policy, reply.evaluation);
    }
    const returns = Object.fromEntries([...this.levels].map(([policy, e]) => [policy, e.mean_return]));
    this.status.dataset['levels'] = JSON.stringify(returns);
    this.redraw();
  }

  private train(): void {
    if (!this.config || this.training) return;
    this.training = true;
    this.trainButton.textContent = 'Pause';
    this.trainButton.setAttribute('aria-pressed', 'true');
    this.say('');
    void this.loop();
  }

  private pause(): void {
    if (!this.training) return;
    this.training = false;
    this.trainButton.textContent = 'Train';
    this.trainButton.setAttribute('aria-pressed', 'false');
    void this.persist(true);
  }

  /** Training slices until paused. */
  private async loop(): Promise<void> {
    this.status.dataset['running'] = 'true';
    try {
      await this.slices();
    } finally {
      this.status.dataset['running'] = 'false';
    }
  }

  private async slices(): Promise<void> {
    while (this.training) {
      const reply = await this.serial(() => this.call({ kind: 'train-steps', steps: SLICE_STEPS, budgetMs: SLICE_MS }));
      if (!this.training && reply.kind !== 'train-progress') return;
      if (reply.kind !== 'train-progress') {
        this.pause();
        this.say(reply.kind === 'error' ? reply.message : 'unexpected reply');
        return;
      }
      // Trained further, the run is no longer the file it was loaded from: a link cannot name it.
      if (reply.envSteps > this.progress.envSteps && this.origin.source !== 'run') {
        this.origin = { source: 'run' };
        this.showOrigin();
      }
      this.progress = { envSteps: reply.envSteps, updates: reply.updates };
      if (reply.epochs.length > 0) {
        this.history.push(...reply.epochs);
        if (this.charts.hasNoQuantities()) this.fillQuantities();
        this.redraw();
        void this.refreshChain();
        if (performance.now() - this.lastSave > SAVE_EVERY_MS) void this.persist(true);
      }
      this.showStatus();
      // Let the page paint between slices.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  // --- checkpoints and the session -----------------------------------------------------------------

  /**
   * Loads checkpoint `bytes` (from `origin`) as the run, switching the simulator to its scenario and
   * world; false if refused.
   */
  private async load(bytes: Uint8Array, what: string, origin: LearnedPolicy): Promise<boolean> {
    this.pause();
    const reply = await this.serial(() => this.call({ kind: 'train-load', bytes, expect: null }));
    if (reply.kind !== 'train-created') {
      this.say(`${what}: ${reply.kind === 'error' ? reply.message : 'unexpected reply'}`);
      return false;
    }
    await this.take(reply, what, origin, true);
    return true;
  }

  /**
   * Makes a checkpoint the worker loaded the run: its settings go into the store, and with `switchWorld`
   * the simulator switches to the checkpoint's scenario and world (a link's policy plays in the link's).
   */
  private async take(reply: LoadedRun, what: string, origin: LearnedPolicy, switchWorld: boolean): Promise<void> {
    const config = JSON.parse(reply.config) as TrainConfig;
    this.config = config;
    const tagged: Record<string, unknown> = config.scenario;
    const scenario = config.scenario.scenario;
    const current = this.sim.scenarioChange();
    if (switchWorld && (!current || JSON.stringify(JSON.parse(current.config)) !== JSON.stringify(tagged))) {
      await this.sim.request({ scenario, config: untagged(tagged) });
    }
    this.store.update({ algorithm: config.algorithm, learner: { ...config.learner }, trainSeed: config.seed });
    this.adopt(reply, origin);
    this.say(`${what} is loaded: ${config.algorithm} on ${scenario}, ${reply.history.length} epochs.`, 'status');
    await this.computeLevels();
    await this.refreshChain();
    void this.persist(true);
  }

  private async downloadHistoryCsv(): Promise<void> {
    const reply = await this.serial(() => this.call({ kind: 'train-history-csv' }));
    if (reply.kind === 'train-history-csv') download(`${this.fileStem()}-history.csv`, reply.csv, 'text/csv');
    else this.say(reply.kind === 'error' ? reply.message : 'unexpected reply');
  }

  private async downloadCheckpoint(): Promise<void> {
    const reply = await this.serial(() => this.call({ kind: 'train-save', withoutReplay: false }));
    if (reply.kind === 'train-checkpoint') download(`${this.fileStem()}.safetensors`, reply.bytes as BlobPart, 'application/octet-stream');
    else this.say(reply.kind === 'error' ? reply.message : 'unexpected reply');
  }

  private async uploadCheckpoint(): Promise<void> {
    const file = this.loadInput.files?.[0];
    this.loadInput.value = '';
    if (!file) return;
    const tooLarge = sizeProblem(file.name, file.size);
    if (tooLarge) {
      this.say(tooLarge);
      return;
    }
    await this.load(new Uint8Array(await file.arrayBuffer()), file.name, { source: 'run' });
  }

  /**
   * Loads the current scenario's pretrained policy, or the checkpoint at a path beside the page (checked
   * and capped as a link's would be).
   */
  private async loadServed(learned: Exclude<LearnedPolicy, { source: 'run' }>): Promise<void> {
    const scenario = this.sim.scenarioId();
    try {
      const { bytes } = await fetchLearned(learned, scenario, location.href);
      await this.load(bytes, learned.source === 'checkpoint' ? learned.path : `The pretrained ${scenario} policy`, learned);
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e));
    }
  }

  /** Saves the settings, and with `checkpoint` the run's bytes and history, for the next visit. */
  private async persist(checkpoint = false): Promise<void> {
    const settings = this.store.get();
    let patch: Partial<Session> = {};
    if (checkpoint && this.config) {
      this.lastSave = performance.now();
      const reply = await this.serial(() => this.call({ kind: 'train-save', withoutReplay: false }));
      if (reply.kind === 'train-checkpoint') patch = { checkpoint: reply.bytes, history: this.history };
    } else if (!this.config || this.history.length === 0) {
      patch = { checkpoint: null, history: [] };
    }
    const problem = await saveSession({ settings, ...patch });
    if (problem) this.say(problem);
    else if (patch.history) this.status.dataset['saved'] = String(patch.history.length);
  }

  // --- drawing -------------------------------------------------------------------------------------

  private fileStem(): string {
    const c = this.config;
    const scenario = c?.scenario.scenario ?? this.sim.scenarioId();
    return `diffedge-${scenario}-${c?.algorithm ?? 'run'}-epoch${this.history.at(-1)?.epoch ?? 0}`;
  }

  private say(text: string, kind: 'alert' | 'status' = 'alert'): void {
    this.message.textContent = text;
    this.message.className = text ? kind : '';
  }

  private showSettings(): void {
    const s = this.store.get();
    this.algorithm.value = s.algorithm;
    for (const [i, button] of this.presetButtons.entries()) {
      button.setAttribute('aria-pressed', String((i === 0 ? 'paper' : 'fast') === s.preset && s.learner === null));
    }
    this.seedInput.value = String(s.trainSeed);
  }

  private showStatus(): void {
    const last = this.history.at(-1);
    const evalText = last ? ` · evaluation return ${round(last.eval.mean_return, 2)}` : '';
    this.status.textContent = this.config
      ? `epoch ${last?.epoch ?? 0} · ${this.progress.envSteps} env steps · ${this.progress.updates} updates${evalText}`
      : 'no run';
    this.status.dataset['epochs'] = String(this.history.length);
    if (last) this.status.dataset['lastReturn'] = String(last.eval.mean_return);
  }

  private setEnabled(): void {
    const ok = this.config !== null;
    for (const el of [this.trainButton, this.resetButton, this.saveButton, this.watchButton, this.chainButton]) el.disabled = !ok;
  }


  private fillQuantities(): void {
    this.charts.fillQuantities(this.history, this.sim.scenarioInfo()?.main_metric);
  }

  private redraw(): void {
    this.charts.draw(this.history, this.levels, this.sim.scenarioInfo()?.paper_figures ?? []);
  }

  private async refreshChain(): Promise<void> {
    if (!this.config) return;
    const reply = await this.serial(() => this.call({ kind: 'train-chain' }));
    if (reply.kind === 'train-chain') await this.chain.render(reply.distributions);
    else this.chain.say(reply.kind === 'error' ? reply.message : 'unexpected reply');
  }
}
