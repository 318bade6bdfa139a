// The playground page: lays out the panels and starts them. The page only renders; the wasm core runs in
// a Web Worker (runtime.ts / worker.ts).
import { h } from './dom';
import { RunStore } from './run';
import { Runtime } from './runtime';
import { SimPanel } from './sim-panel';

const root = document.getElementById('app');
if (root) {
  const runtime = new Runtime();
  const title = h('p', { class: 'scenario-title' });
  const controls = h('aside', { class: 'controls', 'aria-label': 'Controls' });
  const stage = h('section', { class: 'stage', 'aria-label': 'Topology' });
  const side = h('aside', { class: 'side', 'aria-label': 'Episode and training' });
  root.append(
    h('header', { class: 'top' }, h('h1', {}, 'diffedge'), title, h('p', { class: 'backend' }, 'CPU · WebAssembly in a worker')),
    h('main', { class: 'layout' }, controls, stage, side),
  );
  const store = new RunStore();
  const sim = new SimPanel(runtime, store);
  sim.mount({ controls, stage, side, title });
  void sim.start().then(() => root.setAttribute('data-ready', 'true'));
}
