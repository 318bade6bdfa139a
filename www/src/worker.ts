// The simulation worker: owns the wasm core so that the page never blocks on it.
import init, { Simulator, configSchema, defaultConfig, fitCsv, readJson } from '../../pkg/diffedge.js';
import { plottedFit } from './params-files';
import type { FitTarget } from './types';
import { LEARNED_POLICY, coreError, type Compared, type Envelope, type Reply, type Request, type SimState } from './protocol';
import { handleTrain, startEpisode, watchLearned } from './worker-train';

const ready = init();
let sim: Simulator | null = null;
let scenario = '';
/** The config the simulator was built from (JSON), for the comparison's copy. */
let config = '';
let episodeSeed = 0;
let decisions = 0;

/** The comparison heuristic on its own simulator (see `Compared`), or null when none runs. */
let comparison: { sim: Simulator; policy: string; seed: number; decisions: number } | null = null;

function current(): Simulator {
  if (!sim) throw new Error('scenario: none created yet');
  return sim;
}

function state(s: Simulator, compared: Compared | null = null): SimState {
  return { snapshot: s.snapshot(), metrics: s.metrics(), decisions, done: s.done(), compared };
}

const totalReward = (s: Simulator) => (s.metrics() as Record<string, number>)['total_reward'] ?? 0;

function dropComparison(): void {
  comparison?.sim.free();
  comparison = null;
}

/**
 * Runs heuristic `policy` on its own copy of the episode up to `target` decisions (to its end when
 * `toEnd`), one decision at a time so that its curve has a point per decision; the points go on `into`'s
 * when given. A new heuristic, a new episode or a copy already past `target` starts from the episode's
 * start.
 */
function compare(policy: string, target: number, toEnd: boolean, into?: Compared): Compared {
  const points: Compared = into ?? { policy, restart: false, decisions: [], totals: [], done: false };
  if (!comparison || comparison.policy !== policy || comparison.seed !== episodeSeed || comparison.decisions > target) {
    const copy = new Simulator(scenario, config);
    if (!copy.heuristics().includes(policy)) {
      copy.free();
      throw new Error(`compare: "${policy}" is not a heuristic of ${scenario} (${copy.heuristics().join(', ')})`);
    }
    copy.reset(episodeSeed);
    dropComparison();
    comparison = { sim: copy, policy, seed: episodeSeed, decisions: 0 };
    Object.assign(points, { restart: true, decisions: [0], totals: [totalReward(copy)] });
  }
  const c = comparison;
  while ((toEnd || c.decisions < target) && !c.sim.done()) {
    c.decisions += c.sim.runPolicy(policy, 1);
    points.decisions.push(c.decisions);
    points.totals.push(totalReward(c.sim));
  }
  points.done = c.sim.done();
  return points;
}

function handle(req: Request): Reply {
  switch (req.kind) {
    case 'create': {
      // Build first: if the config is bad, the running scenario stays as it was.
      const next = new Simulator(req.scenario, req.config);
      sim?.free();
      sim = next;
      scenario = req.scenario;
      config = req.config;
      episodeSeed = 0;
      decisions = 0;
      dropComparison();
      const heuristics = [...next.heuristics(), LEARNED_POLICY];
      return {
        kind: 'created',
        scenario,
        heuristics,
        algorithms: next.trainingAlgorithms(),
        paperAlgorithm: next.paperAlgorithm(),
        config: next.config(),
        state: state(next),
      };
    }
    case 'reset': {
      const s = current();
      s.reset(req.seed);
      episodeSeed = req.seed;
      decisions = 0;
      // The learned policy's noise restarts with the episode, so that a replay takes the same decisions.
      startEpisode(req.seed);
      dropComparison();
      return { kind: 'state', state: state(s, req.compare === null ? null : compare(req.compare, 0, false)), taken: 0 };
    }
    case 'step': {
      const s = current();
      if (req.compare === null) dropComparison();
      // The comparison catches up first: a heuristic it does not know fails before the episode moves.
      const compared = req.compare === null ? null : compare(req.compare, decisions, false);
      const taken = req.policy === LEARNED_POLICY ? watchLearned(s, req.count) : s.runPolicy(req.policy, req.count);
      decisions += taken;
      if (req.compare !== null && compared) compare(req.compare, decisions, s.done(), compared);
      return { kind: 'state', state: state(s, compared), taken };
    }
    case 'schema':
      return { kind: 'schema', schema: configSchema(req.scenario), defaults: defaultConfig(req.scenario) };
    case 'world':
      return { kind: 'world', json: current().worldParams() };
    case 'fit':
      // Parsed and thinned here: the page only draws what comes back.
      return {
        kind: 'fit',
        fit: plottedFit(JSON.parse(fitCsv(req.scenario, req.csv, req.scoreMax))),
        targets: current().fitTargets() as FitTarget[],
      };
    case 'fit-world':
      return { kind: 'world', json: current().fittedWorld(req.csv, req.scoreMax, req.target, req.fileName) };
    case 'readJson':
      return { kind: 'json', json: readJson(req.bytes) };
    default:
      return handleTrain(req, () => ({ sim: current(), scenario }));
  }
}

self.onmessage = async (event: MessageEvent<Envelope<Request>>) => {
  const { id, body } = event.data;
  let reply: Reply;
  try {
    await ready;
    reply = handle(body);
  } catch (e) {
    reply = { kind: 'error', ...coreError(e) };
  }
  (self as unknown as Worker).postMessage({ id, body: reply } satisfies Envelope<Reply>);
};
