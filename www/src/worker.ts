// The simulation worker: owns the wasm core so that the page never blocks on it.
import init, { Simulator, configSchema, defaultConfig, fitCsv, scenarioIds } from '../../pkg/diffedge.js';
import { LEARNED_POLICY, type Envelope, type Reply, type Request, type SimState } from './protocol';
import { handleTrain, watchLearned } from './worker-train';

const ready = init();
let sim: Simulator | null = null;
let scenario = '';
let decisions = 0;

function current(): Simulator {
  if (!sim) throw new Error('scenario: none created yet');
  return sim;
}

function state(s: Simulator): SimState {
  return { snapshot: s.snapshot(), metrics: s.metrics(), decisions, done: s.done() };
}

function handle(req: Request): Reply {
  switch (req.kind) {
    case 'catalog':
      return { kind: 'catalog', scenarios: scenarioIds() };
    case 'create': {
      // Build first: if the config is bad, the running scenario stays as it was.
      const next = new Simulator(req.scenario, req.config);
      sim?.free();
      sim = next;
      scenario = req.scenario;
      decisions = 0;
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
      decisions = 0;
      return { kind: 'state', state: state(s), taken: 0 };
    }
    case 'step': {
      const s = current();
      const taken = req.policy === LEARNED_POLICY ? watchLearned(s, scenario, req.count) : s.runPolicy(req.policy, req.count);
      decisions += taken;
      return { kind: 'state', state: state(s), taken };
    }
    case 'schema':
      return { kind: 'schema', schema: configSchema(req.scenario), defaults: defaultConfig(req.scenario) };
    case 'world':
      return { kind: 'world', json: current().worldParams() };
    case 'fit':
      return { kind: 'fit', json: fitCsv(req.scenario, req.csv, req.scoreMax) };
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
    reply = { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  (self as unknown as Worker).postMessage({ id, body: reply } satisfies Envelope<Reply>);
};
