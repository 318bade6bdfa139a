// The bench page: times the wasm core's d2sac decision and update (the figures `diffedge bench` prints
// natively) and prints the medians; `data-done` marks the end for scripts.
import init, { LearnerBench } from '../../pkg/diffedge.js';
import { h } from './dom';
import { round } from './format';

/** Median over `rounds` of the mean seconds per call of `run(perRound)`. */
function median(rounds: number, perRound: number, run: (n: number) => void): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    run(perRound);
    times.push((performance.now() - start) / 1000 / perRound);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Calls `run(batch)` for at least `ms` milliseconds. V8 starts WebAssembly on its baseline compiler and swaps
 * in optimised code in the background, so timing straight away measures the baseline (decisions came out
 * anywhere between 51 and 93 µs with a 20-call warm-up).
 */
function warmUp(ms: number, batch: number, run: (n: number) => void): void {
  const end = performance.now() + ms;
  while (performance.now() < end) run(batch);
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

async function main(): Promise<void> {
  const results = document.getElementById('bench-results')!;
  const status = document.getElementById('bench-status')!;
  const show = (id: string, label: string, value: string) => results.append(h('dt', {}, label), h('dd', { id, 'data-counter': id }, value));
  await init();
  const bench = new LearnerBench();
  warmUp(1000, 50, (n) => bench.decisions(n));
  const decisionUs = median(7, 200, (n) => bench.decisions(n)) * 1e6;
  show('decision-us', 'd2sac decision (T = 5, width 256, batch 1)', `${round(decisionUs, 1)} µs`);
  await pause();
  warmUp(1000, 1, (n) => bench.updates(n));
  const updateMs = median(5, 3, (n) => bench.updates(n)) * 1e3;
  show('update-ms', 'd2sac update, paper preset (width 256, batch 512)', `${round(updateMs, 1)} ms`);
  bench.free();
  status.textContent = 'Done.';
  document.body.dataset['done'] = 'true';
  document.body.dataset['decisionUs'] = String(decisionUs);
  document.body.dataset['updateMs'] = String(updateMs);
}

main().catch((e: unknown) => {
  const status = document.getElementById('bench-status');
  if (status) status.textContent = e instanceof Error ? e.message : String(e);
});
