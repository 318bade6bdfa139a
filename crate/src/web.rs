//! The WebAssembly API (wasm-bindgen). An adapter only: it converts between JavaScript values and the
//! library's types and never decides anything itself. Errors reach JavaScript as `Error` objects with the
//! offending `field` and the `problem` as properties (and both in the message); nothing a caller passes
//! can panic the module.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::agent::sac::Sac;
use crate::agent::{Algorithm, Learner, Preset};
use crate::error::Error;
use crate::nn::cpu::CpuBackend;
use crate::replay::Batch;
use crate::rng::{Rng, Stream};
use crate::scenario::{Action, DecisionKey, Env, Heuristic, ScenarioConfig, ScenarioId};
use crate::train::{self, TrainConfig};

/// Installs the panic hook so that a bug (never user input) shows its message in the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// An error as JavaScript receives it: an `Error` whose `message` is the whole text and whose `field` and
/// `problem` properties hold its two parts, so that the page finds the field without parsing the text.
fn js_error(e: Error) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    for (key, value) in [("field", &e.field), ("problem", &e.problem)] {
        js_sys::Reflect::set(&error, &key.into(), &value.as_str().into()).expect("an Error object takes properties");
    }
    error.into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(Error::new("internal", format!("cannot convert a result to JavaScript: {e}"))))
}

/// Largest integer a JavaScript number holds exactly; seeds are limited to it.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A seed given as a JavaScript number: a whole number in `0..=2^53 - 1`.
fn seed_from_js(field: &str, value: f64) -> Result<u64, Error> {
    if value.is_finite() && value >= 0.0 && value <= MAX_SAFE_INTEGER && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(Error::new(field, format!("must be a whole number from 0 to {MAX_SAFE_INTEGER}, got {value}")))
    }
}

/// The scenario ids, in display order.
#[wasm_bindgen(js_name = scenarioIds)]
pub fn scenario_ids() -> Vec<String> {
    ScenarioId::ALL.iter().map(|id| id.name().to_owned()).collect()
}

/// The paper's default config of `scenario`, as JSON.
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config(scenario: &str) -> Result<String, JsValue> {
    let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
    Ok(serde_json::to_string(&ScenarioConfig::default_for(id)).expect("configs serialise"))
}

/// An uploaded file's bytes as JSON text, read as the CLI reads a file (UTF-8 with the position of a bad
/// byte, a byte-order mark dropped, one value, no key twice: [`crate::json`]); errors are named `file`.
#[wasm_bindgen(js_name = readJson)]
pub fn read_json(bytes: &[u8]) -> Result<String, JsValue> {
    let text = crate::json::utf8("file", bytes).map_err(js_error)?;
    Ok(crate::json::parse_value("file", text).map_err(js_error)?.to_string())
}

/// The JSON Schema of `scenario`'s config (forms are generated from it).
#[wasm_bindgen(js_name = configSchema)]
pub fn config_schema(scenario: &str) -> Result<String, JsValue> {
    let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
    Ok(ScenarioConfig::config_schema(id).to_string())
}

/// The JSON Schema of `scenario`'s parameter file.
#[wasm_bindgen(js_name = paramsSchema)]
pub fn params_schema(scenario: &str) -> Result<String, JsValue> {
    let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
    Ok(ScenarioConfig::params_schema(id).map_err(js_error)?.to_string())
}

/// The JSON Schema of a whole training run's config.
#[wasm_bindgen(js_name = trainSchema)]
pub fn train_schema() -> String {
    schemars::schema_for!(TrainConfig).to_value().to_string()
}

/// Fits raw measurements (CSV text) of `scenario` (asp, tot, ddc); returns the fit as JSON (parameters, R²,
/// the curve sampled for plotting).
#[wasm_bindgen(js_name = fitCsv)]
pub fn fit_csv(scenario: &str, csv: &str, score_max: f64) -> Result<String, JsValue> {
    let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
    Ok(ScenarioConfig::fit_csv(id, csv, score_max).map_err(js_error)?.to_string())
}

/// The training algorithms, by name.
#[wasm_bindgen]
pub fn algorithms() -> Vec<String> {
    crate::agent::Algorithm::ALL.iter().map(|a| a.name().to_owned()).collect()
}

/// The outcome of one step, as JavaScript sees it.
#[derive(Serialize)]
struct StepResult {
    action: Action,
    reward: f64,
    terminated: bool,
    truncated: bool,
}

/// One scenario being stepped by hand or by a heuristic.
#[wasm_bindgen]
pub struct Simulator {
    env: Box<dyn Env>,
    config: ScenarioConfig,
    episode_seed: u64,
    heuristic: Option<Heuristic>,
}

#[wasm_bindgen]
impl Simulator {
    /// Builds `scenario` from `config_json` (any of its fields; the rest take the paper's defaults) and
    /// starts episode seed 0.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: &str, config_json: &str) -> Result<Simulator, JsValue> {
        let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
        let config = ScenarioConfig::from_json(id, config_json).map_err(js_error)?;
        let mut env = config.build().map_err(js_error)?;
        env.reset(0);
        Ok(Simulator { env, config, episode_seed: 0, heuristic: None })
    }

    /// The config in use (with every field), as JSON tagged with the scenario id.
    pub fn config(&self) -> String {
        serde_json::to_string(&self.config).expect("configs serialise")
    }

    /// Names of the scenario's heuristics.
    pub fn heuristics(&self) -> Vec<String> {
        self.env.heuristics().iter().map(|h| (*h).to_owned()).collect()
    }

    /// The training algorithms whose learner can act in this scenario's action space (`ddc` alone on ddc,
    /// all the others elsewhere), in `algorithms()` order: what a training panel offers for it.
    #[wasm_bindgen(js_name = trainingAlgorithms)]
    pub fn training_algorithms(&self) -> Vec<String> {
        crate::agent::algorithms_for(&self.env.action_space()).into_iter().map(|a| a.name().to_owned()).collect()
    }

    /// The learner of this scenario's paper (one of `trainingAlgorithms`): what to train when the chosen
    /// algorithm does not fit the scenario.
    #[wasm_bindgen(js_name = paperAlgorithm)]
    pub fn paper_algorithm(&self) -> String {
        self.config.id().paper_algorithm().to_owned()
    }

    /// Number of choices of a discrete action space.
    #[wasm_bindgen(js_name = actionCount)]
    pub fn action_count(&self) -> Option<u32> {
        self.env.action_space().discrete_n().map(|n| n as u32)
    }

    /// Starts the episode with `seed` (a whole number) and returns its first observation.
    pub fn reset(&mut self, seed: f64) -> Result<Vec<f32>, JsValue> {
        let seed = seed_from_js("seed", seed).map_err(js_error)?;
        self.episode_seed = seed;
        self.env.reset(seed);
        if let Some(h) = &mut self.heuristic {
            h.reset(seed);
        }
        Ok(self.env.observation().to_vec())
    }

    /// The current observation.
    pub fn observation(&self) -> Vec<f32> {
        self.env.observation().to_vec()
    }

    /// Whether the episode has ended.
    pub fn done(&self) -> bool {
        self.env.is_done()
    }

    /// The world in use as a parameter file (JSON), to download.
    #[wasm_bindgen(js_name = worldParams)]
    pub fn world_params(&self) -> Result<String, JsValue> {
        self.config.world_params_json().map_err(js_error)
    }

    /// Replaces the world by an uploaded parameter file and restarts the episode; on any error nothing
    /// changes.
    #[wasm_bindgen(js_name = setWorld)]
    pub fn set_world(&mut self, json: &str) -> Result<(), JsValue> {
        let mut config = self.config.clone();
        config.set_world_json(json).map_err(js_error)?;
        let mut env = config.build().map_err(js_error)?;
        env.reset(self.episode_seed);
        self.env = env;
        self.config = config;
        self.heuristic = None;
        Ok(())
    }

    /// The places in the world a fit of measurements can go (`FitTarget[]`; empty where the scenario takes
    /// none).
    #[wasm_bindgen(js_name = fitTargets)]
    pub fn fit_targets(&self) -> Result<JsValue, JsValue> {
        to_js(&self.config.fit_targets())
    }

    /// The world in use with the fit of measurements `csv` put at `target` (a `FitTarget` value) by the
    /// scenario's rule, as a parameter file (JSON) to apply; the simulator does not change.
    #[wasm_bindgen(js_name = fittedWorld)]
    pub fn fitted_world(&self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<String, JsValue> {
        let mut config = self.config.clone();
        config.apply_fit(csv, score_max, target, file_name).map_err(js_error)?;
        config.world_params_json().map_err(js_error)
    }

    /// Who decides next and at which position: `{agent, position}`.
    #[wasm_bindgen(js_name = decisionKey)]
    pub fn decision_key(&self) -> Result<JsValue, JsValue> {
        to_js(&self.env.decision_key())
    }

    /// Takes the vector action `values` (`Box`/`Hybrid` spaces); returns what `step` returns.
    #[wasm_bindgen(js_name = stepVector)]
    pub fn step_vector(&mut self, values: Vec<f32>) -> Result<JsValue, JsValue> {
        self.apply(Action::Vector(values))
    }

    /// Takes discrete action `action`; returns `{action, reward, terminated, truncated}`.
    pub fn step(&mut self, action: f64) -> Result<JsValue, JsValue> {
        if !(action.is_finite() && action >= 0.0 && action.fract() == 0.0 && action <= u32::MAX as f64) {
            return Err(js_error(Error::new("action", format!("must be a whole number from 0, got {action}"))));
        }
        self.apply(Action::Discrete(action as usize))
    }

    /// Lets the heuristic called `name` take the pending decision; returns what `step` returns.
    #[wasm_bindgen(js_name = stepPolicy)]
    pub fn step_policy(&mut self, name: &str) -> Result<JsValue, JsValue> {
        let action = self.policy_action(name).map_err(js_error)?;
        self.apply(action)
    }

    /// Lets the heuristic `name` take up to `count` decisions (fewer if the episode ends); returns the
    /// number taken. For fast play: one call per animation frame instead of one per decision.
    #[wasm_bindgen(js_name = runPolicy)]
    pub fn run_policy(&mut self, name: &str, count: u32) -> Result<u32, JsValue> {
        let mut taken = 0;
        while taken < count && !self.env.is_done() {
            let action = self.policy_action(name).map_err(js_error)?;
            self.env.step(&action).map_err(js_error)?;
            taken += 1;
        }
        Ok(taken)
    }

    /// What the front end draws (scenario-specific, tagged by `scenario`).
    pub fn snapshot(&self) -> Result<JsValue, JsValue> {
        to_js(&self.env.snapshot())
    }

    /// The episode's figures so far, `{name: value}`.
    pub fn metrics(&self) -> Result<JsValue, JsValue> {
        to_js(&self.env.metrics())
    }
}

impl Simulator {
    fn policy_action(&mut self, name: &str) -> Result<Action, Error> {
        if self.env.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        let same = self.heuristic.as_ref().is_some_and(|h| h.name(self.env.as_ref()) == name);
        if !same {
            let heuristic = Heuristic::new(self.env.as_ref(), name, self.episode_seed)?;
            self.env.set_system(Some(heuristic.index()))?;
            self.heuristic = Some(heuristic);
        }
        let heuristic = self.heuristic.as_mut().expect("set just above");
        Ok(heuristic.act(self.env.as_ref()))
    }

    fn apply(&mut self, action: Action) -> Result<JsValue, JsValue> {
        let step = self.env.step(&action).map_err(js_error)?;
        to_js(&StepResult { action, reward: step.reward, terminated: step.terminated, truncated: step.truncated })
    }
}

/// A training run in the browser (CPU backend, synchronous: call it from a Web Worker in slices); the
/// page knows it as `Trainer`, a [`train::Trainer`] with the learned policy's own noise for display.
#[wasm_bindgen(js_name = Trainer)]
pub struct BrowserTrainer {
    inner: train::Trainer,
    display: Rng,
}

#[wasm_bindgen(js_class = Trainer)]
impl BrowserTrainer {
    /// A run from a whole training config (JSON of `TrainConfig`; see `trainSchema`).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<BrowserTrainer, JsValue> {
        let config: TrainConfig = crate::json::parse("train", config_json).map_err(js_error)?;
        Self::start(config)
    }

    /// A run of `algorithm` with its `preset` ("paper" or "fast") on `scenario` (its config as JSON), seed
    /// `seed`; `learner` (JSON of a whole `LearnerConfig`), when given, replaces the preset's learner and is
    /// checked as part of the run's config (errors name `train.learner.…`).
    #[wasm_bindgen(js_name = fromPreset)]
    pub fn from_preset(
        scenario: &str,
        scenario_config: &str,
        algorithm: &str,
        preset: &str,
        seed: f64,
        learner: Option<String>,
    ) -> Result<BrowserTrainer, JsValue> {
        let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
        let scenario = ScenarioConfig::from_json(id, scenario_config).map_err(js_error)?;
        let algorithm = Algorithm::parse("algorithm", algorithm).map_err(js_error)?;
        let preset = Preset::parse("preset", preset).map_err(js_error)?;
        let seed = seed_from_js("seed", seed).map_err(js_error)?;
        let config = TrainConfig::preset(scenario, algorithm, preset, seed);
        let Some(learner) = learner else { return Self::start(config) };
        let learner = crate::json::parse_value("train.learner", &learner).map_err(js_error)?;
        let mut value = serde_json::to_value(&config).expect("configs serialise");
        value["learner"] = learner;
        Self::start(crate::json::typed("train", value).map_err(js_error)?)
    }

    fn start(config: TrainConfig) -> Result<BrowserTrainer, JsValue> {
        let display = Rng::new(config.seed, Stream::Evaluation);
        Ok(BrowserTrainer { inner: train::Trainer::new(config).map_err(js_error)?, display })
    }

    /// Continues a run from checkpoint bytes (safetensors, as `save` gives).
    pub fn load(bytes: &[u8]) -> Result<BrowserTrainer, JsValue> {
        let inner = train::Trainer::load(bytes).map_err(js_error)?;
        let display = Rng::new(inner.config().seed, Stream::Evaluation);
        Ok(BrowserTrainer { inner, display })
    }

    /// The run's config (JSON).
    pub fn config(&self) -> String {
        serde_json::to_string(self.inner.config()).expect("configs serialise")
    }

    /// Takes `steps` environment steps with their updates; returns `{env_steps, updates, epochs}` with the
    /// records of the epochs that ended (each after its evaluation).
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, steps: u32) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct TrainedSteps {
            env_steps: u64,
            updates: u64,
            epochs: Vec<train::EpochRecord>,
        }
        let epochs = self.inner.advance(u64::from(steps)).map_err(js_error)?;
        to_js(&TrainedSteps { env_steps: self.inner.env_steps(), updates: self.inner.updates(), epochs })
    }

    /// Every epoch record so far.
    pub fn history(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.history())
    }

    /// Every epoch record so far as the metrics CSV, the same file as a CLI run's `metrics.csv`.
    #[wasm_bindgen(js_name = historyCsv)]
    pub fn history_csv(&self) -> String {
        train::history_csv(self.inner.history())
    }

    /// A heuristic of the scenario on the run's evaluation episodes (the level to beat).
    #[wasm_bindgen(js_name = evaluateHeuristic)]
    pub fn evaluate_heuristic(&mut self, policy: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.evaluate_heuristic(policy).map_err(js_error)?)
    }

    /// How many values the policy reads from an observation: a world of the same scenario but another size
    /// (more providers, say) gives observations it cannot read.
    #[wasm_bindgen(js_name = observationDim)]
    pub fn observation_dim(&self) -> u32 {
        self.inner.observation_dim() as u32
    }

    /// Restarts the noise that `act` and `chain` draw (a diffusion policy's chain starts from noise) for the
    /// episode with seed `episode_seed`, as `diffedge eval --checkpoint` does for its first episode: the
    /// same policy on the same episode takes the same decisions however often the episode is replayed.
    #[wasm_bindgen(js_name = startEpisode)]
    pub fn start_episode(&mut self, episode_seed: f64) -> Result<(), JsValue> {
        let seed = seed_from_js("episode_seed", episode_seed).map_err(js_error)?;
        self.display = Rng::new(seed, Stream::Evaluation);
        Ok(())
    }

    /// The greedy action of the learned policy for `obs` at decision (`agent`, `position`).
    pub fn act(&mut self, obs: Vec<f32>, agent: u32, position: u32) -> Result<JsValue, JsValue> {
        let key = self.key(&obs, DecisionKey { agent: agent as usize, position: position as usize })?;
        to_js(&self.inner.act(&obs, key, &mut self.display).map_err(js_error)?)
    }

    /// Lets the learned policy take up to `count` decisions in `sim` (greedy actions for the simulator's own
    /// observations, in Rust: no crossing per decision); returns the number taken. Refused, changing
    /// nothing, when the policy was trained on another scenario or reads observations of another width.
    pub fn play(&mut self, sim: &mut Simulator, count: u32) -> Result<u32, JsValue> {
        let trained_on = self.inner.config().scenario.id();
        if trained_on != sim.config.id() {
            let problem = format!(
                "the policy was trained on {}; train or load one for {}",
                trained_on.name(),
                sim.config.id().name()
            );
            return Err(js_error(Error::new("learned", problem)));
        }
        let mut taken = 0;
        while taken < count && !sim.env.is_done() {
            let obs = sim.env.observation().to_vec();
            let key = self.key(&obs, sim.env.decision_key())?;
            let action = self.inner.act(&obs, key, &mut self.display).map_err(js_error)?;
            sim.env.step(&action).map_err(js_error)?;
            taken += 1;
        }
        Ok(taken)
    }

    /// The action distribution after every denoising step for `obs` (x_T first), or null without a chain:
    /// the chain `act` would run for it next, drawn from a copy of its noise, so that looking at the chain
    /// never changes the decisions the policy takes.
    pub fn chain(&mut self, obs: Vec<f32>, agent: u32, position: u32) -> Result<JsValue, JsValue> {
        let key = self.key(&obs, DecisionKey { agent: agent as usize, position: position as usize })?;
        let mut noise = self.display.clone();
        to_js(&self.inner.chain(&obs, key, &mut noise).map_err(js_error)?)
    }

    /// The whole run as checkpoint bytes (safetensors; PyTorch's `safetensors.torch.load_file` reads it).
    pub fn save(&mut self) -> Vec<u8> {
        self.inner.save()
    }

    /// The run as checkpoint bytes with empty replay buffers (a fraction of the size; loading it continues
    /// with an empty replay).
    #[wasm_bindgen(js_name = saveWithoutReplay)]
    pub fn save_without_replay(&mut self) -> Vec<u8> {
        self.inner.save_without_replay()
    }
}

impl BrowserTrainer {
    /// `key`, once `obs` is checked to be an observation the policy reads.
    fn key(&self, obs: &[f32], key: DecisionKey) -> Result<DecisionKey, JsValue> {
        let dim = self.inner.observation_dim();
        if obs.len() != dim {
            return Err(js_error(Error::new("obs", format!("must have {dim} values, got {}", obs.len()))));
        }
        if let Some(i) = obs.iter().position(|v| !v.is_finite()) {
            return Err(js_error(Error::new(format!("obs[{i}]"), "must be a finite number")));
        }
        Ok(key)
    }
}

/// The learner figures of `diffedge bench`, for timing in the browser (the bench page times the calls;
/// building the networks and the batch is left out of the timing).
#[wasm_bindgen]
pub struct LearnerBench {
    paper: Sac<CpuBackend>,
    obs: Vec<f32>,
    batch: Batch,
    rng: Rng,
    probs: Vec<f32>,
}

#[wasm_bindgen]
impl LearnerBench {
    /// The d2sac asp networks of the paper preset (T = 5, width 256) and a random batch of 512.
    #[wasm_bindgen(constructor)]
    pub fn new() -> LearnerBench {
        let paper = crate::bench::d2sac(Preset::Paper);
        let batch =
            crate::replay::Batch::synthetic(paper.config().batch_size, crate::bench::OBS, crate::bench::ACTIONS, 1);
        let obs = batch.obs[..crate::bench::OBS].to_vec();
        LearnerBench { paper, obs, batch, rng: Rng::new(2, Stream::Evaluation), probs: Vec::new() }
    }

    /// `n` greedy decisions (batch 1).
    pub fn decisions(&mut self, n: u32) {
        for _ in 0..n {
            self.paper.act(&self.obs, None, false, &mut self.rng, &mut self.probs);
        }
    }

    /// `n` training updates on the batch of 512.
    pub fn updates(&mut self, n: u32) -> Result<(), JsValue> {
        for _ in 0..n {
            self.paper.update(&self.batch).map_err(js_error)?;
        }
        Ok(())
    }
}

impl Default for LearnerBench {
    fn default() -> Self {
        Self::new()
    }
}
