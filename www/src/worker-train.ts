// The worker's training half: one wasm `Trainer` next to the simulator. Training runs in slices of
// environment steps (one request each), so the worker answers the page between slices.
import { Simulator, Trainer, trainSchema } from '../../pkg/diffedge.js';
import { LEARNED_POLICY, type TrainReply, type TrainRequest } from './protocol';
import type { EpochRecord } from './types';

/** What `Trainer.trainSteps` returns. */
interface TrainedSteps {
  env_steps: number;
  updates: number;
  epochs: EpochRecord[];
}

/** Environment steps per call into the core within a slice: few, so that a slice ends close to its budget. */
const CHUNK_STEPS = 4;

let trainer: Trainer | null = null;
/** The scenario id the run trains on. */
let trainedOn = '';

function current(): Trainer {
  if (!trainer) throw new Error(`${LEARNED_POLICY}: no policy yet; train or load one first`);
  return trainer;
}

/** Makes `next` the run (freeing the old one) and describes it. */
function adopt(next: Trainer): TrainReply {
  trainer?.free();
  trainer = next;
  const config = next.config();
  trainedOn = (JSON.parse(config) as { scenario: { scenario: string } }).scenario.scenario;
  const counters = next.trainSteps(0) as TrainedSteps;
  return { kind: 'train-created', config, history: next.history() as EpochRecord[], envSteps: counters.env_steps, updates: counters.updates };
}

/** A run from the preset, its learner replaced by `learner` when given: built once, checked by the core. */
function create(req: Extract<TrainRequest, { kind: 'train-create' }>): Trainer {
  return Trainer.fromPreset(req.scenario, req.config, req.algorithm, req.preset, req.seed, req.learner ?? undefined);
}

/**
 * Checkpoint `bytes` as a run, refused unless its policy can act in `expect`'s scenario and world when
 * given (a shared link names the checkpoint for its own run).
 */
function load(bytes: Uint8Array, expect: { scenario: string; config: string } | null): Trainer {
  const next = Trainer.load(bytes);
  try {
    if (expect) {
      const id = (JSON.parse(next.config()) as { scenario: { scenario: string } }).scenario.scenario;
      if (id !== expect.scenario) throw new Error(`checkpoint: is a policy for ${id}; this run is on ${expect.scenario}`);
      const world = new Simulator(expect.scenario, expect.config);
      const width = world.observation().length;
      world.free();
      if (width !== next.observationDim()) {
        throw new Error(
          `checkpoint: its policy reads observations of ${next.observationDim()} values; this run's ${id} world gives ${width} (it was trained on a world of another size)`,
        );
      }
    }
    return next;
  } catch (e) {
    next.free();
    throw e;
  }
}

/** Restarts the learned policy's noise for the episode with seed `seed` (see `Trainer.startEpisode`). */
export function startEpisode(seed: number): void {
  trainer?.startEpisode(seed);
}

/** Checks that the learned policy can act in `sim`'s scenario (for the chain view). */
function forScenario(scenario: string): Trainer {
  const t = current();
  if (trainedOn !== scenario) {
    throw new Error(`${LEARNED_POLICY}: the policy was trained on ${trainedOn}; train or load one for ${scenario}`);
  }
  return t;
}

/**
 * Lets the learned policy take up to `count` decisions in `sim` (greedy actions for the simulator's own
 * observations, played inside the core); returns the number taken.
 */
export function watchLearned(sim: Simulator, count: number): number {
  return current().play(sim, count);
}

/** Answers a training request; `sim` gives the simulator (for the chain of its current state). */
export function handleTrain(req: TrainRequest, sim: () => { sim: Simulator; scenario: string }): TrainReply {
  switch (req.kind) {
    case 'train-schema':
      return { kind: 'train-schema', schema: trainSchema() };
    case 'train-create':
      // Build first: if the settings are bad, the running training stays as it was.
      return adopt(create(req));
    case 'train-load':
      return adopt(load(req.bytes, req.expect));
    case 'train-steps': {
      const t = current();
      const start = performance.now();
      const epochs: EpochRecord[] = [];
      let progress: TrainedSteps | null = null;
      for (let done = 0; done < req.steps && (progress === null || performance.now() - start < req.budgetMs); done += CHUNK_STEPS) {
        progress = t.trainSteps(Math.min(CHUNK_STEPS, req.steps - done)) as TrainedSteps;
        epochs.push(...progress.epochs);
      }
      progress ??= t.trainSteps(0) as TrainedSteps;
      return { kind: 'train-progress', envSteps: progress.env_steps, updates: progress.updates, epochs };
    }
    case 'train-evaluate-heuristic':
      return { kind: 'train-level', policy: req.policy, evaluation: current().evaluateHeuristic(req.policy) as EpochRecord['eval'] };
    case 'train-chain': {
      const { sim: s, scenario } = sim();
      const t = forScenario(scenario);
      const key = s.decisionKey() as { agent: number; position: number };
      return { kind: 'train-chain', distributions: t.chain(s.observation(), key.agent, key.position) as number[][] | null };
    }
    case 'train-history-csv':
      return { kind: 'train-history-csv', csv: current().historyCsv() };
    case 'train-save': {
      const t = current();
      return { kind: 'train-checkpoint', bytes: req.withoutReplay ? t.saveWithoutReplay() : t.save() };
    }
  }
}
