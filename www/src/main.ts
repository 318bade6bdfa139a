// The playground page: lays out the panels and starts them. The page only renders; the wasm core runs in
// a Web Worker (runtime.ts / worker.ts). A shared run in the URL hash (`#run=…`) is read first and wins over
// the saved session (unless it is the session's own run: a reload), so that its settings are in the store
// before any panel starts, and the learned policy it names is loaded into the worker before the simulator
// starts. The hash follows the run on every change, as TensorFlow Playground's does, so the address is
// always a link to what is shown. `?embed` lays out the compact view for an iframe (no training, no saved
// session).
import { h } from './dom';
import { learnedTitle, loadLearned } from './learned';
import { ParamsPanel } from './params-panel';
import { RewardChart } from './reward-chart';
import { RunStore, defaultSettings, upgradeSettings, type RunSettings } from './run';
import { Runtime } from './runtime';
import { loadSession, type Session } from './session';
import { ShareError, decodeRun, encodeRun, isEmbed, policyProblem, runUrl, sameRun, shareable, type Restored } from './share';
import { SharePanel } from './share-panel';
import { SimPanel } from './sim-panel';
import { TrainPanel } from './train-panel';
import type { TrainConfig } from './types';
import { WorldPanel } from './world-panel';

async function start(root: HTMLElement): Promise<void> {
  const linkedRun = await decodeRun(location.hash);
  const embed = isEmbed(location.search);
  const stored = embed ? null : await loadSession();
  // A session saved before runs named a learned policy says so the old way.
  const storedSettings = stored ? (upgradeSettings(stored.settings as unknown as Record<string, unknown>) as unknown as RunSettings) : null;
  // The address of a page follows its run, so a reload finds the hash of the saved session's own run: that
  // is the session, not a shared link. Another run's link describes it from its start: the saved session
  // (and its checkpoint) is not restored then.
  const reloaded = linkedRun.kind === 'run' && storedSettings !== null && sameRun(linkedRun.settings, storedSettings);
  const restored: Restored = reloaded ? { kind: 'none' } : linkedRun;
  const session: Session | null = restored.kind === 'run' ? null : stored;
  const saved = session ? storedSettings : null;
  const store = new RunStore(restored.kind === 'run' ? restored.settings : { ...defaultSettings(), ...saved });
  const runtime = new Runtime();
  const sim = new SimPanel(runtime, store);
  // The policy a link names plays from its first decision, or, if it cannot be loaded, the heuristic
  // does and the notice says why.
  const origin = store.get().learned;
  const linked = restored.kind === 'run' ? await loadLearned(runtime, store.get(), location.href) : null;
  if (linked?.kind === 'error') store.update({ learned: null });
  if (linked?.kind === 'loaded' && origin) {
    const config = JSON.parse(linked.run.config) as TrainConfig;
    sim.setLearned(origin, learnedTitle(origin, store.get().scenario, config.algorithm, linked.run.history.length));
  }
  // What of a link could not be used and what plays instead, once the simulator has built the run
  // (`built`: as the link gave it; only then can the heuristic it names be checked).
  const sayWhatWasReplaced = (built: boolean) => {
    const { scenario, policy, learned } = store.get();
    const notes = linked?.kind === 'error' ? [`${linked.message} — ${policy} plays instead.`] : [];
    const heuristics = sim.scenarioChange()?.heuristics ?? [];
    const refused = built && restored.kind === 'run' && restored.heuristic !== null ? policyProblem(restored.heuristic, scenario, heuristics) : null;
    if (refused) notes.push(`${refused} — ${policy} ${learned ? 'is compared' : 'plays'} instead.`);
    if (notes.length > 0) notice.textContent = notes.join(' ');
  };
  const title = h('p', { class: 'scenario-title' });
  const controls = h('aside', { class: 'controls', 'aria-label': 'Controls' });
  const stage = h('section', { class: 'stage', 'aria-label': 'Topology' });
  const side = h('aside', { class: 'side', 'aria-label': 'Episode and training' });
  const rewards = new RewardChart(embed ? 170 : 140);
  sim.onState((state) => rewards.push(state));
  const notice = h('p', { id: 'share-notice', class: 'share-notice', role: 'alert' });
  if (restored.kind === 'error') notice.textContent = `${restored.message} — the default run is shown instead.`;

  if (embed) {
    // Topology, one chart and the play controls; the full page is one click away.
    document.documentElement.classList.add('embed');
    const full = h('a', { href: runUrl(location.href, location.hash.slice(1), false), target: '_blank', rel: 'noopener' }, 'Open in diffedge ↗');
    root.append(
      h('header', { class: 'top' }, h('h1', {}, 'diffedge'), title, full),
      notice,
      h('main', { class: 'layout' }, stage, h('div', { class: 'embed-side' }, controls, side)),
    );
    sim.mount({ controls, stage, side, title });
    side.append(h('h2', {}, 'Episode reward'), rewards.element);
    sayWhatWasReplaced(await sim.start());
    root.setAttribute('data-ready', 'true');
    return;
  }

  const share = h('div', { class: 'share-slot' });
  const settings = h('section', { class: 'tool settings', 'aria-labelledby': 'config-heading' });
  const params = h('section', { class: 'tool params', 'aria-labelledby': 'world-heading' });
  const training = h('section', { class: 'training', 'aria-label': 'Training' });
  root.append(
    h('header', { class: 'top' }, h('h1', {}, 'diffedge'), title, share, h('p', { class: 'backend' }, 'CPU · WebAssembly in a worker')),
    notice,
    h('main', { class: 'layout' }, controls, stage, side, h('div', { class: 'tools' }, settings, params)),
    training,
  );
  sim.mount({ controls, stage, side, title });
  side.append(h('h2', {}, 'Episode reward'), rewards.element);
  new SharePanel(store).mount(share);
  new ParamsPanel(runtime, store, sim).mount(settings);
  new WorldPanel(runtime, store, sim).mount(params);
  const schema = await runtime.call({ kind: 'train-schema' });
  const train = schema.kind === 'train-schema' ? new TrainPanel(runtime, store, sim, schema.schema) : null;
  train?.mount(training);
  store.subscribe(() => void followRun(store.get()));
  sayWhatWasReplaced(await sim.start());
  await followRun(store.get());
  await train?.start(session, linked?.kind === 'loaded' && origin ? { run: linked.run, origin } : null);
  root.setAttribute('data-ready', 'true');
}

let followed = 0;

/**
 * Puts `settings` in the address as a link's hash (the newest call wins when encodings overlap); a run too
 * large for a link (an uploaded world) leaves the address bare, as no link can hold it.
 */
async function followRun(settings: RunSettings): Promise<void> {
  const call = ++followed;
  let hash = '';
  try {
    hash = await encodeRun(shareable(settings).settings);
  } catch (e) {
    if (!(e instanceof ShareError)) throw e;
  }
  if (call === followed) history.replaceState(null, '', `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`);
}

const root = document.getElementById('app');
if (root) void start(root);
