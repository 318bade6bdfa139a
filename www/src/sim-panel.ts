// The simulation panel: scenario and policy controls (a heuristic, or the learned policy with the heuristic
// it is compared with), the scenario's topology view, counters and the decision log. It only renders; the
// simulation runs in the worker (runtime.ts) on the wasm core, the learned policy and the comparison too.
import { h } from './dom';
import { parseSeed, round, signed } from './format';
import { learnedName } from './learned';
import { LEARNED_POLICY, type CoreError, type Reply, type SimState } from './protocol';
import { Runtime, serialQueue } from './runtime';
import { defaultSettings, type LearnedPolicy, type RunSettings, type RunStore } from './run';
import { SCENARIOS } from './generated/scenarios';
import type { ScenarioInfo, Snapshot } from './types';
import { createView } from './views';
import type { ScenarioView } from './views/view';

/** Decisions per second for each speed setting; Infinity = as fast as the core goes. */
const SPEEDS: { label: string; perSecond: number }[] = [
  { label: '1 / s', perSecond: 1 },
  { label: '5 / s', perSecond: 5 },
  { label: '20 / s', perSecond: 20 },
  { label: '100 / s', perSecond: 100 },
  { label: '1000 / s', perSecond: 1000 },
  { label: 'as fast as possible', perSecond: Number.POSITIVE_INFINITY },
];
/** Decisions per request when playing as fast as possible (one request per frame). */
const MAX_BATCH = 2000;
/** Decisions slower than this are animated. */
const ANIMATE_UP_TO_PER_SECOND = 20;
const LOG_LENGTH = 12;

/** Metrics shown as counters, at most. */
const COUNTERS = 10;

/** Where the panel puts its parts. */
export interface SimSlots {
  controls: HTMLElement;
  stage: HTMLElement;
  side: HTMLElement;
  title: HTMLElement;
}

/** What the panel tells others when the scenario (or its config) changes. */
export interface ScenarioChange {
  scenario: string;
  /** The full config in use, JSON tagged with the scenario id. */
  config: string;
  heuristics: string[];
  /** The training algorithms that can train on it (the core's answer for its action space). */
  algorithms: string[];
  /** Its paper's learner, one of `algorithms`: what training switches to when the chosen one does not fit. */
  paperAlgorithm: string;
}

export class SimPanel {
  private readonly listeners: ((change: ScenarioChange) => void)[] = [];
  private readonly stateListeners: ((state: SimState) => void)[] = [];
  private failure: CoreError = { message: '', field: '', problem: '' };
  private configJson = '';
  private heuristicNames: string[] = [];
  private learners = { algorithms: [] as string[], paperAlgorithm: '' };
  /** Where the worker's learned policy comes from and what to call it, or null while there is none. */
  private learnedPolicy: { origin: LearnedPolicy; name: string } | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly store: RunStore,
  ) {}

  /**
   * Applies `patch` to the run: a new scenario or config rebuilds the scenario first, and only if that
   * succeeds is the store updated (a bad config shows the core's message and changes nothing). Returns
   * whether it was applied.
   */
  async request(patch: Partial<RunSettings>): Promise<boolean> {
    const next = { ...this.store.get(), ...patch };
    const rebuild = patch.scenario !== undefined || patch.config !== undefined;
    if (rebuild) {
      this.pause();
      if (!(await this.create(next.scenario, JSON.stringify(next.config), next.policy))) return false;
      next.policy = this.compare.value;
    }
    this.store.update({ ...patch, policy: next.policy });
    this.showPolicy();
    if (rebuild || patch.episodeSeed !== undefined) await this.reset();
    return true;
  }

  /** Calls `listener` after every successful scenario (re)build. */
  onChange(listener: (change: ScenarioChange) => void): void {
    this.listeners.push(listener);
  }

  /** The scenario id in use. */
  scenarioId(): string {
    return this.scenario;
  }

  /** The core's facts of the scenario in use (title, heuristics, main metric, paper figures, …). */
  scenarioInfo(): ScenarioInfo | undefined {
    return SCENARIOS.find((s) => s.id === this.scenario);
  }

  /** The last state drawn. */
  current(): SimState | null {
    return this.state;
  }

  /** The scenario as last built (as `onChange` reported it), or null before the first build. */
  scenarioChange(): ScenarioChange | null {
    return this.configJson ? { scenario: this.scenario, config: this.configJson, heuristics: this.heuristicNames, ...this.learners } : null;
  }

  /** Lets the learned policy drive the simulator (compared with the heuristic chosen) and plays. */
  watch(): void {
    this.playLearned();
    this.play();
  }

  /**
   * Says where the worker's learned policy now comes from (`origin`, null when there is none) and what
   * to call it (`name`, e.g. "the pretrained asp policy (d2sac, 25 epochs)"). While it plays, the run's
   * `learned` follows it, so that a link names the policy that is playing.
   */
  setLearned(origin: LearnedPolicy | null, name = ''): void {
    this.learnedPolicy = origin ? { origin, name } : null;
    if (this.store.get().learned !== null) this.store.update({ learned: origin });
    this.showPolicy();
  }

  /** Calls `listener` with every state drawn. */
  onState(listener: (state: SimState) => void): void {
    this.stateListeners.push(listener);
  }

  /** The core's refusal of the last request that failed (e.g. a config it refused). */
  lastError(): CoreError {
    return this.failure;
  }

  private view: ScenarioView | null = null;
  private state: SimState | null = null;
  private playing = false;
  /** Counts play loops, so that only the newest one runs. */
  private loop = 0;
  private lastFrame = 0;
  private budget = 0;
  /** Requests to the worker, one at a time. */
  private readonly serial = serialQueue();
  /** The scenario the worker has built (the store's, but for a moment while a new one is built). */
  private scenario = '';

  private readonly scenarioSelect = h('select', { id: 'scenario', name: 'scenario' });
  private readonly policy = h('select', { id: 'policy', name: 'policy' });
  /** The heuristic compared with the learned policy (while it plays; otherwise the one playing). */
  private readonly compare = h('select', { id: 'compare', name: 'compare' });
  private readonly compareLabel = h('label', { for: 'compare' }, 'Compared with');
  private readonly playingLine = h('p', { id: 'playing', class: 'playing', 'aria-live': 'polite' });
  private readonly speed = h('select', { id: 'speed', name: 'speed' });
  private readonly stepButton = h('button', { id: 'step', type: 'button', title: 'One decision (S or →)' }, 'Step');
  private readonly playButton = h('button', { id: 'play', type: 'button', 'aria-pressed': 'false', title: 'Play or pause (Space)' }, 'Play');
  private readonly resetButton = h('button', { id: 'reset', type: 'button', title: 'Back to the start of the episode (R)' }, 'Reset');
  private readonly worldInput = h('input', { id: 'world-seed', name: 'world-seed', inputmode: 'numeric', value: '0', autocomplete: 'off' });
  private readonly episodeInput = h('input', { id: 'episode-seed', name: 'episode-seed', inputmode: 'numeric', value: '0', autocomplete: 'off' });
  private readonly applyButton = h('button', { id: 'apply-seeds', type: 'submit' }, 'Apply seeds');
  private readonly message = h('p', { id: 'message', role: 'alert', 'aria-live': 'assertive' });
  private readonly stage = h('div', { class: 'stage-view' });
  private readonly log = h('ol', { id: 'decisions', class: 'decisions', 'aria-label': 'Recent decisions, newest first' });
  private readonly counterList = h('dl', { class: 'counters', 'aria-label': 'Episode counters' });

  private title: HTMLElement = h('p');

  mount(slots: SimSlots): void {
    this.title = slots.title;
    for (const [i, s] of SPEEDS.entries()) this.speed.append(h('option', { value: i, selected: i === 2 }, s.label));
    const seeds = h(
      'form',
      { class: 'seeds', 'aria-label': 'Seeds' },
      h('label', { for: 'world-seed' }, 'World seed'),
      this.worldInput,
      h('label', { for: 'episode-seed' }, 'Episode seed'),
      this.episodeInput,
      this.applyButton,
    );
    seeds.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.applySeeds();
    });
    slots.controls.append(
      h('label', { for: 'scenario' }, 'Scenario'),
      this.scenarioSelect,
      h('label', { for: 'policy' }, 'Policy'),
      this.policy,
      this.compareLabel,
      this.compare,
      this.playingLine,
      h('div', { class: 'buttons' }, this.stepButton, this.playButton, this.resetButton),
      h('label', { for: 'speed' }, 'Speed'),
      this.speed,
      seeds,
      this.message,
      h('p', { class: 'hint' }, 'Keys: Space play/pause · S or → step · R reset'),
    );
    slots.stage.append(this.stage, h('h2', {}, 'Recent decisions'), this.log);
    slots.side.append(h('h2', {}, 'This episode'), this.counterList);

    this.stepButton.addEventListener('click', () => void this.stepOnce());
    this.playButton.addEventListener('click', () => this.togglePlay());
    this.resetButton.addEventListener('click', () => void this.reset());
    this.policy.addEventListener('change', () => {
      this.announce('');
      if (this.policy.value === LEARNED_POLICY) this.playLearned();
      else this.store.update({ policy: this.policy.value, learned: null });
      this.showPolicy();
    });
    this.compare.addEventListener('change', () => {
      this.store.update({ policy: this.compare.value });
      this.showPolicy();
    });
    this.speed.addEventListener('change', () => this.store.update({ speed: Number(this.speed.value) }));
    this.scenarioSelect.addEventListener('change', () => void this.switchScenario(this.scenarioSelect.value));
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  /**
   * Builds the run in the store and starts its episode. Returns whether the run was built as it is: false
   * when the core refused it and the default run is shown instead (the message says why).
   */
  async start(): Promise<boolean> {
    this.setEnabled(false);
    this.scenarioSelect.replaceChildren(...SCENARIOS.map(({ id }) => h('option', { value: id }, id)));
    const settings = this.store.get();
    this.scenarioSelect.value = settings.scenario;
    this.speed.value = String(settings.speed);
    this.episodeInput.value = String(settings.episodeSeed);
    const built = await this.create(settings.scenario, JSON.stringify(settings.config), settings.policy);
    let ok = built;
    if (!ok) {
      // A restored or shared run that no longer builds: say so and start from the defaults.
      const message = this.message.textContent;
      const { scenario, config } = defaultSettings();
      ok = await this.create(scenario, JSON.stringify(config), '');
      this.store.update({ scenario, config, policy: this.compare.value, learned: null });
      this.announce(`${message ?? ''} — the default run is shown instead.`);
    }
    // A heuristic the scenario does not have gave way to its starting one (a link that named it is told so).
    if (ok && this.compare.value !== this.store.get().policy) this.store.update({ policy: this.compare.value });
    this.showPolicy();
    if (ok) await this.reset();
    this.setEnabled(ok);
    return built;
  }

  private async switchScenario(id: string): Promise<void> {
    this.announce('');
    // Scenarios without a world have no world seed (their configs reject unknown fields).
    const info = SCENARIOS.find((s) => s.id === id);
    const config = info?.has_world === false ? {} : { world_seed: 0 };
    await this.request({ scenario: id, config, policy: info?.start_heuristic ?? '', learned: null });
  }

  // --- requests to the worker --------------------------------------------------------------------------

  private accept(reply: Reply): reply is Exclude<Reply, { kind: 'error' }> {
    if (reply.kind === 'error') {
      this.failure = reply;
      this.announce(reply.message);
      return false;
    }
    return true;
  }

  /**
   * Builds `scenario` from `config` (JSON) with heuristic `policy` chosen (the scenario's starting one
   * when it has no such heuristic); on a refusal the scenario built before stays.
   */
  private create(scenario: string, config: string, policy: string): Promise<boolean> {
    return this.serial(async () => {
      const reply = await this.runtime.call({ kind: 'create', scenario, config });
      if (!this.accept(reply) || reply.kind !== 'created') {
        this.scenarioSelect.value = this.scenario;
        return false;
      }
      this.scenario = scenario;
      const heuristics = reply.heuristics.filter((name) => name !== LEARNED_POLICY);
      const info = this.scenarioInfo();
      const preferred = info?.start_heuristic;
      this.policy.replaceChildren(...reply.heuristics.map((name) => h('option', { value: name }, name)));
      this.compare.replaceChildren(...heuristics.map((name) => h('option', { value: name }, name)));
      this.compare.value = heuristics.includes(policy)
        ? policy
        : preferred !== undefined && heuristics.includes(preferred)
          ? preferred
          : heuristics[0] ?? '';
      this.title.textContent = `${this.scenario} — ${info?.title ?? ''}`;
      this.scenarioSelect.value = this.scenario;
      this.counterList.replaceChildren();
      this.configJson = reply.config;
      this.heuristicNames = reply.heuristics;
      this.learners = { algorithms: reply.algorithms, paperAlgorithm: reply.paperAlgorithm };
      const change = { scenario: this.scenario, config: this.configJson, heuristics: this.heuristicNames, ...this.learners };
      for (const listener of this.listeners) listener(change);
      this.view = createView(reply.state.snapshot);
      this.stage.replaceChildren(this.view.element);
      const worldSeed = JSON.parse(config)?.world_seed;
      this.worldInput.value = typeof worldSeed === 'number' ? String(worldSeed) : '0';
      this.worldInput.disabled = info?.has_world === false;
      this.show(reply.state, false);
      return true;
    });
  }

  private reset(): Promise<void> {
    this.pause();
    return this.serial(async () => {
      const reply = await this.runtime.call({ kind: 'reset', seed: this.store.get().episodeSeed, compare: this.comparedWith() });
      if (!this.accept(reply) || reply.kind !== 'state') return;
      this.log.replaceChildren();
      this.show(reply.state, false);
    });
  }

  private advance(count: number, animate: boolean): Promise<void> {
    return this.serial(async () => {
      if (this.state?.done) return;
      const { policy, learned } = this.store.get();
      const reply = await this.runtime.call({ kind: 'step', policy: learned ? LEARNED_POLICY : policy, count, compare: this.comparedWith() });
      if (!this.accept(reply) || reply.kind !== 'state') {
        this.pause();
        return;
      }
      this.show(reply.state, animate);
    });
  }

  /** The heuristic run beside the learned policy on the same episode, or null while a heuristic plays. */
  private comparedWith(): string | null {
    const { policy, learned } = this.store.get();
    return learned ? policy : null;
  }

  // --- user actions --------------------------------------------------------------------------------

  /** Makes the learned policy the one that plays (the Training panel's run when none is known). */
  private playLearned(): void {
    this.store.update({ learned: this.learnedPolicy?.origin ?? { source: 'run' } });
    this.showPolicy();
  }

  private async stepOnce(): Promise<void> {
    this.pause();
    this.announce('');
    await this.advance(1, true);
  }

  private async applySeeds(): Promise<void> {
    const world = parseSeed('world seed', this.worldInput.value);
    const episode = parseSeed('episode seed', this.episodeInput.value);
    for (const parsed of [world, episode]) {
      if (typeof parsed === 'string') {
        this.announce(parsed);
        return;
      }
    }
    this.pause();
    this.announce('');
    const config = { ...this.store.get().config };
    if (!this.worldInput.disabled) config['world_seed'] = world as number;
    await this.request({ config, episodeSeed: episode as number });
  }

  private togglePlay(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  private play(): void {
    if (this.playing || this.state?.done) return;
    this.announce('');
    this.playing = true;
    const loop = ++this.loop;
    this.budget = 1; // the first decision right away
    this.lastFrame = performance.now();
    this.showPlaying(true);
    requestAnimationFrame((t) => void this.frame(t, loop));
  }

  /** Stops playing; the button says so once the batch already sent has landed, so nothing changes after it. */
  private pause(): void {
    if (!this.playing) return;
    this.playing = false;
    void this.serial(() => Promise.resolve()).then(() => {
      if (!this.playing) this.showPlaying(false);
    });
  }

  private showPlaying(playing: boolean): void {
    this.playButton.textContent = playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-pressed', String(playing));
  }

  /** One animation frame of play loop `loop` (a pause and a quick play again start a new loop; the old one ends). */
  private async frame(now: number, loop: number): Promise<void> {
    if (!this.playing || loop !== this.loop) return;
    const perSecond = SPEEDS[Number(this.speed.value)]?.perSecond ?? 20;
    this.budget = Math.min(this.budget + ((now - this.lastFrame) / 1000) * perSecond, MAX_BATCH);
    this.lastFrame = now;
    const count = Number.isFinite(perSecond) ? Math.floor(this.budget) : MAX_BATCH;
    if (count >= 1) {
      this.budget -= Math.min(count, this.budget);
      await this.advance(count, perSecond <= ANIMATE_UP_TO_PER_SECOND);
    }
    if (this.state?.done) this.pause();
    if (this.playing && loop === this.loop) requestAnimationFrame((t) => void this.frame(t, loop));
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    // Space on a focused button, link or summary activates it (keyboard users rely on that), not play.
    if (e.key === ' ' && target && ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName)) return;
    if (e.key === ' ') {
      e.preventDefault();
      this.togglePlay();
    } else if (e.key === 's' || e.key === 'ArrowRight') {
      void this.stepOnce();
    } else if (e.key === 'r') {
      void this.reset();
    }
  }

  // --- rendering -----------------------------------------------------------------------------------

  private show(state: SimState, animate: boolean): void {
    this.state = state;
    this.view?.render(state.snapshot, animate);
    this.showCounters(state);
    this.logDecision(state.snapshot);
    for (const listener of this.stateListeners) listener(state);
    if (state.done) {
      const total = signed(state.metrics['total_reward'] ?? Number.NaN);
      const c = state.compared;
      const rewards = c?.done ? `learned policy ${total}, ${c.policy} ${signed(c.totals.at(-1) ?? Number.NaN)} on the same episode` : `reward ${total}`;
      this.announce(`Episode finished: ${rewards}. Reset or change the seeds to run again.`, 'status');
    }
    this.stepButton.disabled = state.done;
    this.playButton.disabled = state.done;
  }

  private showCounters(state: SimState): void {
    const entries: [string, string][] = [
      ['decisions', String(state.decisions)],
      ...Object.entries(state.metrics)
        .slice(0, COUNTERS)
        .map(([name, value]): [string, string] => [name, name === 'total_reward' ? signed(value) : round(value, 3)]),
    ];
    if (this.counterList.children.length !== entries.length * 2) {
      this.counterList.replaceChildren(
        ...entries.flatMap(([name]) => [h('dt', {}, name.replaceAll('_', ' ')), h('dd', { 'data-counter': name }, '–')]),
      );
    }
    for (const [name, text] of entries) {
      const el = this.counterList.querySelector(`[data-counter="${name}"]`);
      if (el) el.textContent = text;
    }
  }

  private logDecision(snapshot: Snapshot): void {
    const line = this.view?.describe(snapshot);
    if (!line) return;
    const first = this.log.firstElementChild;
    if (first?.getAttribute('data-key') === line.key) return;
    const item = h('li', { class: line.bad ? 'crashed' : 'admitted', 'data-key': line.key, 'data-target': line.target }, line.text);
    this.log.prepend(item);
    while (this.log.children.length > LOG_LENGTH) this.log.lastElementChild?.remove();
  }

  /** Shows the run's policy in the selects and says which one plays. */
  private showPolicy(): void {
    const { policy, learned } = this.store.get();
    this.policy.value = learned ? LEARNED_POLICY : policy;
    this.compare.value = policy;
    this.compare.hidden = this.compareLabel.hidden = learned === null;
    const name = this.learnedPolicy?.name || (learned ? learnedName(learned, this.scenario) : '');
    this.playingLine.textContent = learned ? `Playing: ${name} · compared with ${policy}` : `Playing: ${policy}`;
  }

  private announce(text: string, kind: 'alert' | 'status' = 'alert'): void {
    this.message.textContent = text;
    this.message.className = text ? kind : '';
  }

  private setEnabled(enabled: boolean): void {
    for (const el of [this.stepButton, this.playButton, this.resetButton, this.applyButton, this.policy, this.compare, this.scenarioSelect]) {
      el.disabled = !enabled;
    }
  }
}
