// The playground page: lays out the panels and starts them. The page only renders; the wasm core runs in
// a Web Worker (runtime.ts / worker.ts).
import { h } from './dom';
import { RunStore, defaultSettings } from './run';
import { Runtime } from './runtime';
import { loadSession } from './session';
import { SimPanel } from './sim-panel';
import { TrainPanel } from './train-panel';

async function main(root: HTMLElement): Promise<void> {
  const runtime = new Runtime();
  const title = h('p', { class: 'scenario-title' });
  const controls = h('aside', { class: 'controls', 'aria-label': 'Controls' });
  const stage = h('section', { class: 'stage', 'aria-label': 'Topology' });
  const side = h('aside', { class: 'side', 'aria-label': 'Episode and training' });
  const training = h('section', { class: 'training', 'aria-label': 'Training' });
  root.append(
    h('header', { class: 'top' }, h('h1', {}, 'diffedge'), title, h('p', { class: 'backend' }, 'CPU · WebAssembly in a worker')),
    h('main', { class: 'layout' }, controls, stage, side),
    training,
  );
  // The saved session's settings go into the store before any panel starts.
  const session = await loadSession();
  const store = new RunStore({ ...defaultSettings(), ...session?.settings });
  const sim = new SimPanel(runtime, store);
  sim.mount({ controls, stage, side, title });
  const [catalog, schema] = await Promise.all([runtime.call({ kind: 'catalog' }), runtime.call({ kind: 'train-schema' })]);
  const train = schema.kind === 'train-schema' ? new TrainPanel(runtime, store, sim, schema.schema) : null;
  train?.mount(training, catalog.kind === 'catalog' ? catalog.algorithms : []);
  await sim.start();
  await train?.start(session);
  root.setAttribute('data-ready', 'true');
}

const root = document.getElementById('app');
if (root) void main(root);
