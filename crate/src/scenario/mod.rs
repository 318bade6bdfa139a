//! The simulated systems of the five papers, behind one Gymnasium-shaped interface.
//!
//! A scenario knows nothing about learning: an agent sees it only through [`Env`] (its observation
//! vector in its [`ObservationSpace`], its [`ActionSpace`], rewards) and the front end only through
//! [`Snapshot`] and [`Metrics`].
//! Each scenario also carries its paper's heuristic baselines ([`Env::heuristic_action`]).
//!
//! A scenario is built from its [`ScenarioConfig`], which holds its world seed; the episode seed is given
//! to [`Env::reset`]. Both seeds together determine every number of an episode.

pub mod acrobot;
pub mod asp;
pub mod cartpole;
pub mod classic;
pub mod ddc;
pub mod flow;
pub mod info;
pub mod lad;
pub mod range;
pub mod tot;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params;
use crate::rng::{Rng, Stream};
pub use crate::spaces::{Action, ActionSpace, ObservationSpace};
pub use crate::stats::Goal;
pub use info::ScenarioInfo;

/// Names of the scenarios, as used in configs, URLs and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioId {
    /// AIGC service-provider selection (D2SAC paper).
    Asp,
    /// Task offloading among edge servers (LAD-TS paper).
    Lad,
    /// Gateway and priority choice for multi-priority AIGC flows.
    Flow,
    /// Tree-of-Thoughts thought assignment (DSAC paper).
    Tot,
    /// Gymnasium's CartPole-v1 (sanity task).
    Cartpole,
    /// Gymnasium's Acrobot-v1 (sanity task).
    Acrobot,
    /// Split denoising between edge and phones with visual-condition engineering (Kong et al.).
    Ddc,
}

impl ScenarioId {
    /// Every scenario, in the order the front end lists them.
    pub const ALL: &'static [ScenarioId] = &[
        ScenarioId::Asp,
        ScenarioId::Lad,
        ScenarioId::Tot,
        ScenarioId::Ddc,
        ScenarioId::Flow,
        ScenarioId::Cartpole,
        ScenarioId::Acrobot,
    ];

    /// The scenario's id string.
    pub fn name(self) -> &'static str {
        match self {
            ScenarioId::Asp => "asp",
            ScenarioId::Lad => "lad",
            ScenarioId::Flow => "flow",
            ScenarioId::Tot => "tot",
            ScenarioId::Cartpole => "cartpole",
            ScenarioId::Acrobot => "acrobot",
            ScenarioId::Ddc => "ddc",
        }
    }

    /// The scenario's facts, held by its own module.
    pub fn info(self) -> &'static ScenarioInfo {
        match self {
            ScenarioId::Asp => &asp::INFO,
            ScenarioId::Lad => &lad::INFO,
            ScenarioId::Flow => &flow::INFO,
            ScenarioId::Tot => &tot::INFO,
            ScenarioId::Cartpole => &cartpole::INFO,
            ScenarioId::Acrobot => &acrobot::INFO,
            ScenarioId::Ddc => &ddc::INFO,
        }
    }

    /// The figure the scenario's paper judges a policy by, and whether a higher value is better: asp's
    /// total reward (Table III), lad's mean delay (Fig. 5), tot's delay reduction against local generation
    /// (Fig. 11), ddc's satisfaction rate (Fig. 9), flow's completion rate (Fig. 5); the return on the
    /// Gymnasium sanity tasks.
    pub fn main_metric(self) -> (&'static str, Goal) {
        (self.info().main_metric, self.info().goal)
    }

    /// The learner of the scenario's paper (see [`ScenarioInfo::paper_algorithm`]).
    pub fn paper_algorithm(self) -> &'static str {
        self.info().paper_algorithm
    }

    /// Parses an id string; `field` names where it came from, for the error.
    pub fn parse(field: &str, name: &str) -> Result<Self> {
        Self::ALL.iter().copied().find(|id| id.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|id| id.name()).collect();
            Error::new(field, format!("unknown scenario '{name}' (expected one of: {})", known.join(", ")))
        })
    }
}

/// Which agent takes the pending decision, and which position in the episode it is (LAD keeps a latent
/// action per position, and one agent per base station).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DecisionKey {
    /// The deciding agent, `0..agents`.
    pub agent: usize,
    /// The decision's position, `0..positions`, the same position in every episode.
    pub position: usize,
}

/// What one [`Env::step`] returned besides the new observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// Reward of the decision just taken.
    pub reward: f64,
    /// The episode reached its natural end.
    pub terminated: bool,
    /// The episode was cut off by a limit outside the task (time limit).
    pub truncated: bool,
}

impl Step {
    /// The step itself, after a debug-build check that its reward and the new observation are finite. The
    /// scenarios' step functions end with it, so every test that steps one (the property test over the
    /// accepted ranges above all) fails at the first non-finite figure: a bound missing from validation.
    pub(crate) fn debug_checked(self, observation: &[f32]) -> Self {
        debug_assert!(self.reward.is_finite(), "non-finite reward {}", self.reward);
        debug_assert!(
            observation.iter().all(|x| x.is_finite()),
            "non-finite observation {:?}",
            observation.iter().find(|x| !x.is_finite())
        );
        self
    }
}

/// Named episode figures in a fixed order (the order a scenario's paper reports them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metrics(pub Vec<(&'static str, f64)>);

impl Metrics {
    /// The value of `name`, if this scenario reports it.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }
}

impl schemars::JsonSchema for Metrics {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Metrics".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Named episode figures, in the order the scenario's paper reports them.",
            "type": "object",
            "additionalProperties": { "type": "number" }
        })
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// What the front end draws: the scenario's state after the last decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum Snapshot {
    /// See [`asp::AspSnapshot`].
    Asp(asp::AspSnapshot),
    /// See [`lad::LadSnapshot`].
    Lad(lad::LadSnapshot),
    /// See [`flow::FlowSnapshot`].
    Flow(flow::FlowSnapshot),
    /// See [`tot::TotSnapshot`].
    Tot(tot::TotSnapshot),
    /// See [`cartpole::CartpoleSnapshot`].
    Cartpole(cartpole::CartpoleSnapshot),
    /// See [`acrobot::AcrobotSnapshot`].
    Acrobot(acrobot::AcrobotSnapshot),
    /// See [`ddc::DdcSnapshot`].
    Ddc(ddc::DdcSnapshot),
}

/// Per-episode state a heuristic may use: its own random stream and the number of decisions taken so far
/// (round robin).
#[derive(Debug, Clone)]
pub struct HeuristicState {
    /// Random draws of randomised heuristics, seeded from the episode seed.
    pub rng: Rng,
    /// Decisions taken so far this episode.
    pub decisions: u64,
}

/// A heuristic baseline of a scenario, ready to act episode after episode.
#[derive(Debug, Clone)]
pub struct Heuristic {
    index: usize,
    state: HeuristicState,
}

impl Heuristic {
    /// The heuristic called `name` of `env`'s scenario, for the episode with `episode_seed`.
    pub fn new(env: &dyn Env, name: &str, episode_seed: u64) -> Result<Self> {
        let index = env.heuristic_index(name)?;
        Ok(Self { index, state: HeuristicState { rng: Rng::new(episode_seed, Stream::Heuristic), decisions: 0 } })
    }

    /// Its index into [`ScenarioInfo::heuristics`].
    pub fn index(&self) -> usize {
        self.index
    }

    /// The heuristic's name.
    pub fn name(&self, env: &dyn Env) -> &'static str {
        env.heuristics()[self.index]
    }

    /// Starts over for a new episode.
    pub fn reset(&mut self, episode_seed: u64) {
        self.state = HeuristicState { rng: Rng::new(episode_seed, Stream::Heuristic), decisions: 0 };
    }

    /// The action for `env`'s pending decision.
    pub fn act(&mut self, env: &dyn Env) -> Action {
        let action = env.heuristic_action(self.index, &mut self.state);
        self.state.decisions += 1;
        action
    }
}

/// The index in `0..n` with the smallest `cost`, the first on ties (like `numpy.argmin`); 0 when `n` is 0.
/// The greedy heuristics' choice.
pub fn argmin(n: usize, mut cost: impl FnMut(usize) -> f64) -> usize {
    let mut best = (0, f64::INFINITY);
    for i in 0..n {
        let c = cost(i);
        if c < best.1 {
            best = (i, c);
        }
    }
    best.0
}

/// A scenario's heuristic baselines, apart from the system they act in: the actions of its paper's
/// heuristics (named, in order, in its [`ScenarioInfo::heuristics`]).
pub trait Baselines {
    /// The action heuristic number `heuristic` (an index into [`ScenarioInfo::heuristics`]) takes now.
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action;

    /// Refuses, saying why, a heuristic this scenario's config cannot run (ddc's oracle past its size
    /// limit); every heuristic runs by default.
    fn check_heuristic(&self, heuristic: usize) -> Result<()> {
        let _ = heuristic;
        Ok(())
    }

    /// Runs the non-learned rest of the system as heuristic number `heuristic`'s system does (`None`: the
    /// scenario's own system, the one agents learn in), from the pending decision on. Only scenarios whose
    /// paper compares whole systems use it (`ddc`: AaaS uploads the raw image where the others upload an
    /// engineered condition); the default does nothing. Errors, changing nothing, where the scenario
    /// cannot run that system.
    fn set_system(&mut self, heuristic: Option<usize>) -> Result<()> {
        let _ = heuristic;
        Ok(())
    }
}

/// A simulated scenario, Gymnasium-shaped, with its heuristic [`Baselines`].
pub trait Env: Baselines {
    /// Which scenario this is.
    fn id(&self) -> ScenarioId;
    /// The observation space: every feature's bounds, fixed by the config and world (the same for every
    /// episode), holding every observation of every episode (but `cartpole`'s terminal one under extreme
    /// configs, which keeps Gymnasium's bounds); its `dim()` is the observation's length.
    fn observation_space(&self) -> ObservationSpace;
    /// The action space.
    fn action_space(&self) -> ActionSpace;
    /// Starts an episode; every draw of it comes from `episode_seed`.
    fn reset(&mut self, episode_seed: u64);
    /// The current observation (after `reset` or the last `step`).
    fn observation(&self) -> &[f32];
    /// Applies `action` to the pending decision. Errors if the action is outside the space or the episode
    /// has ended (nothing changes then).
    fn step(&mut self, action: &Action) -> Result<Step>;
    /// The episode has ended; `reset` starts another.
    fn is_done(&self) -> bool;
    /// The episode's figures so far.
    fn metrics(&self) -> Metrics;
    /// What the front end draws.
    fn snapshot(&self) -> Snapshot;

    /// Number of agents that share the decisions (one per base station in `lad`); 1 unless a scenario
    /// is multi-agent.
    fn agents(&self) -> usize {
        1
    }

    /// Number of decision positions of an episode (the latent-action store's size); 0 where the
    /// scenario has no fixed positions.
    fn positions(&self) -> usize {
        0
    }

    /// Who takes the pending decision, and at which position.
    fn decision_key(&self) -> DecisionKey {
        DecisionKey { agent: 0, position: 0 }
    }

    /// Names of the paper's heuristic baselines for this scenario ([`ScenarioInfo::heuristics`]).
    fn heuristics(&self) -> &'static [&'static str] {
        self.id().info().heuristics
    }

    /// The index of the heuristic called `name`, or an error listing the known ones (or saying why this
    /// scenario cannot run it, [`Baselines::check_heuristic`]).
    fn heuristic_index(&self, name: &str) -> Result<usize> {
        let index = find_heuristic(self.id(), self.heuristics(), name)?;
        self.check_heuristic(index)?;
        Ok(index)
    }
}

/// The index of `name` among scenario `id`'s heuristics `names`, or an error listing them.
pub fn find_heuristic(id: ScenarioId, names: &[&str], name: &str) -> Result<usize> {
    names.iter().position(|n| *n == name).ok_or_else(|| {
        Error::new(
            "policy",
            format!("unknown policy '{name}' for scenario {} (expected one of: {})", id.name(), names.join(", ")),
        )
    })
}

/// The config of any scenario, tagged by its id (`{"scenario": "asp", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum ScenarioConfig {
    /// See [`asp::AspConfig`].
    Asp(asp::AspConfig),
    /// See [`lad::LadConfig`].
    Lad(lad::LadConfig),
    /// See [`flow::FlowConfig`].
    Flow(flow::FlowConfig),
    /// See [`tot::TotConfig`].
    Tot(tot::TotConfig),
    /// See [`cartpole::CartpoleConfig`].
    Cartpole(cartpole::CartpoleConfig),
    /// See [`acrobot::AcrobotConfig`].
    Acrobot(acrobot::AcrobotConfig),
    /// See [`ddc::DdcConfig`].
    Ddc(ddc::DdcConfig),
}

impl ScenarioConfig {
    /// The paper's default config of `id`.
    pub fn default_for(id: ScenarioId) -> Self {
        match id {
            ScenarioId::Asp => ScenarioConfig::Asp(asp::AspConfig::default()),
            ScenarioId::Lad => ScenarioConfig::Lad(lad::LadConfig::default()),
            ScenarioId::Flow => ScenarioConfig::Flow(flow::FlowConfig::default()),
            ScenarioId::Tot => ScenarioConfig::Tot(tot::TotConfig::default()),
            ScenarioId::Cartpole => ScenarioConfig::Cartpole(cartpole::CartpoleConfig::default()),
            ScenarioId::Acrobot => ScenarioConfig::Acrobot(acrobot::AcrobotConfig::default()),
            ScenarioId::Ddc => ScenarioConfig::Ddc(ddc::DdcConfig::default()),
        }
    }

    /// Fills into `config` (the JSON of scenario `id`'s config, any of its fields) the fields that later
    /// Readings added (`docs/readings.md`), with the values that reproduce what the config meant before
    /// they existed: tot's paper observation, finish-increment reward and unit penalty weight; flow's
    /// unbounded lateness and paper observation; lad's `normalize_obs` flag as its `observation`. A config
    /// saved before (a checkpoint, share link or session of that time) so keeps its meaning; fields it
    /// already has are kept.
    pub fn upgrade_legacy_json(id: ScenarioId, config: &mut serde_json::Value) {
        use serde_json::{Value, json};
        let Value::Object(fields) = config else { return };
        let added: Vec<(&str, Value)> = match id {
            ScenarioId::Tot => vec![
                ("observation", json!("paper")),
                ("delay_reward", json!("finish_increment")),
                ("quality_penalty_weight", json!(1.0)),
            ],
            ScenarioId::Flow => vec![("max_lateness", Value::Null), ("observation", json!("paper"))],
            ScenarioId::Lad => {
                let normalized = fields.remove("normalize_obs").is_some_and(|v| v == json!(true));
                vec![("observation", json!(if normalized { "normalized" } else { "raw" }))]
            }
            _ => Vec::new(),
        };
        for (name, value) in added {
            fields.entry(name).or_insert(value);
        }
    }

    /// Parses the config of scenario `id` from JSON holding that scenario's fields (missing fields take their
    /// defaults; a `scenario` tag, if any, must name `id`) and validates it.
    pub fn from_json(id: ScenarioId, json: &str) -> Result<Self> {
        // A whole config as `eval --format json`, a checkpoint or a download prints it carries its
        // `scenario` tag: taken when it names `id`, refused when it names another.
        let mut value = crate::json::parse_value("config", json)?;
        if let Some(tag) = value.as_object_mut().and_then(|fields| fields.remove("scenario")) {
            if tag.as_str() != Some(id.name()) {
                return Err(Error::new(
                    "config.scenario",
                    format!("is {tag}, but this is the config of {}", id.name()),
                ));
            }
        }
        use crate::json::typed;
        let config = match id {
            ScenarioId::Asp => ScenarioConfig::Asp(typed("config", value)?),
            ScenarioId::Lad => ScenarioConfig::Lad(typed("config", value)?),
            ScenarioId::Flow => ScenarioConfig::Flow(typed("config", value)?),
            ScenarioId::Tot => ScenarioConfig::Tot(typed("config", value)?),
            ScenarioId::Cartpole => ScenarioConfig::Cartpole(typed("config", value)?),
            ScenarioId::Acrobot => ScenarioConfig::Acrobot(typed("config", value)?),
            ScenarioId::Ddc => ScenarioConfig::Ddc(typed("config", value)?),
        };
        config.validate()?;
        Ok(config)
    }

    /// Which scenario this configures.
    pub fn id(&self) -> ScenarioId {
        match self {
            ScenarioConfig::Asp(_) => ScenarioId::Asp,
            ScenarioConfig::Lad(_) => ScenarioId::Lad,
            ScenarioConfig::Flow(_) => ScenarioId::Flow,
            ScenarioConfig::Tot(_) => ScenarioId::Tot,
            ScenarioConfig::Cartpole(_) => ScenarioId::Cartpole,
            ScenarioConfig::Acrobot(_) => ScenarioId::Acrobot,
            ScenarioConfig::Ddc(_) => ScenarioId::Ddc,
        }
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        match self {
            ScenarioConfig::Asp(c) => c.validate(),
            ScenarioConfig::Lad(c) => c.validate(),
            ScenarioConfig::Flow(c) => c.validate(),
            ScenarioConfig::Tot(c) => c.validate(),
            ScenarioConfig::Cartpole(c) => c.validate(),
            ScenarioConfig::Acrobot(c) => c.validate(),
            ScenarioConfig::Ddc(c) => c.validate(),
        }
        .map_err(|e| e.within("config"))
    }

    /// Sets the seed from which the world is drawn (used when no fixed world is given; nothing for a
    /// scenario without a world).
    pub fn set_world_seed(&mut self, seed: u64) {
        match self {
            ScenarioConfig::Asp(c) => c.world_seed = seed,
            ScenarioConfig::Lad(c) => c.world_seed = seed,
            ScenarioConfig::Flow(c) => c.world_seed = seed,
            ScenarioConfig::Tot(c) => c.world_seed = seed,
            ScenarioConfig::Cartpole(_) | ScenarioConfig::Acrobot(_) => {}
            ScenarioConfig::Ddc(c) => c.world_seed = seed,
        }
    }

    /// Replaces the drawn world by the exact world of the paper's published experiments.
    pub fn use_paper_world(&mut self) -> Result<()> {
        match self {
            ScenarioConfig::Asp(c) => c.world = Some(asp::AspParams::paper()),
            ScenarioConfig::Lad(c) => c.world = Some(lad::LadParams::paper()),
            ScenarioConfig::Flow(_) => return Err(flow::no_paper_world()),
            ScenarioConfig::Tot(_) => return Err(Error::new("world", tot::NO_PAPER_WORLD)),
            ScenarioConfig::Cartpole(_) | ScenarioConfig::Acrobot(_) => return Err(self.no_world()),
            ScenarioConfig::Ddc(c) => c.world = Some(ddc::DdcParams::synthetic()),
        }
        Ok(())
    }

    /// Replaces the drawn world by a parameter file's world (JSON), validated alone and together with the
    /// rest of this config (lad's `tasks_per_slot` needs that many task indices in the file), so what this
    /// accepts every later step accepts too. A refused file changes nothing.
    pub fn set_world_json(&mut self, json: &str) -> Result<()> {
        let before = self.clone();
        self.replace_world_json(json)?;
        if let Err(e) = self.validate() {
            *self = before;
            return Err(e);
        }
        Ok(())
    }

    fn replace_world_json(&mut self, json: &str) -> Result<()> {
        match self {
            ScenarioConfig::Lad(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
            ScenarioConfig::Flow(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
            ScenarioConfig::Asp(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
            ScenarioConfig::Tot(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
            ScenarioConfig::Ddc(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
            ScenarioConfig::Cartpole(_) | ScenarioConfig::Acrobot(_) => return Err(self.no_world()),
        }
        Ok(())
    }

    /// The error for asking a scenario without a world (the Gymnasium sanity tasks) for one.
    fn no_world(&self) -> Error {
        Error::new("scenario", format!("{} has no world or parameter file", self.id().name()))
    }

    /// The world this config runs on (its fixed world, or the one drawn from its world seed), as the
    /// parameter file the app downloads; an error for a scenario without a world.
    pub fn world_params_json(&self) -> Result<String> {
        Ok(match self {
            ScenarioConfig::Asp(c) => params::to_json(&c.resolve_world()),
            ScenarioConfig::Lad(c) => params::to_json(&c.resolve_world()),
            ScenarioConfig::Flow(c) => params::to_json(&c.resolve_world()),
            ScenarioConfig::Tot(c) => params::to_json(&c.resolve_world()),
            ScenarioConfig::Cartpole(_) | ScenarioConfig::Acrobot(_) => return Err(self.no_world()),
            ScenarioConfig::Ddc(c) => params::to_json(&c.resolve_world()),
        })
    }

    /// The JSON Schema of scenario `id`'s config (the front end renders its form from it).
    pub fn config_schema(id: ScenarioId) -> serde_json::Value {
        match id {
            ScenarioId::Asp => schemars::schema_for!(asp::AspConfig).to_value(),
            ScenarioId::Lad => schemars::schema_for!(lad::LadConfig).to_value(),
            ScenarioId::Flow => schemars::schema_for!(flow::FlowConfig).to_value(),
            ScenarioId::Tot => schemars::schema_for!(tot::TotConfig).to_value(),
            ScenarioId::Cartpole => schemars::schema_for!(cartpole::CartpoleConfig).to_value(),
            ScenarioId::Acrobot => schemars::schema_for!(acrobot::AcrobotConfig).to_value(),
            ScenarioId::Ddc => schemars::schema_for!(ddc::DdcConfig).to_value(),
        }
    }

    /// The JSON Schema of scenario `id`'s parameter file (JSON `null` for a scenario without a world).
    pub fn params_schema(id: ScenarioId) -> Result<serde_json::Value> {
        Ok(match id {
            ScenarioId::Asp => params::schema::<asp::AspParams>(),
            ScenarioId::Lad => params::schema::<lad::LadParams>(),
            ScenarioId::Flow => params::schema::<flow::FlowParams>(),
            ScenarioId::Tot => params::schema::<tot::TotParams>(),
            ScenarioId::Ddc => params::schema::<ddc::DdcParams>(),
            ScenarioId::Cartpole | ScenarioId::Acrobot => return Err(ScenarioConfig::default_for(id).no_world()),
        })
    }

    /// Fits raw measurements (CSV) of scenario `id`: `asp` `steps,quality` → the piecewise-linear quality
    /// curve; `tot` `tokens,delay_s,score` → the delay line and quality curve (with `score_max`); `ddc` the
    /// profile table `condition,alpha,beta,steps,q_i,q_t,kb` → a parameter file. The result is JSON (fitted
    /// parameters, R², the curve sampled for plotting).
    pub fn fit_csv(id: ScenarioId, csv: &str, score_max: f64) -> Result<serde_json::Value> {
        let value = match id {
            ScenarioId::Asp => serde_json::to_value(params::fit::fit_asp_csv(csv)?),
            ScenarioId::Tot => serde_json::to_value(params::fit::fit_tot_csv(csv, score_max)?),
            ScenarioId::Ddc => serde_json::to_value(params::ddc::parse_ddc_profile_csv(csv)?),
            _ => return Err(no_measurements(id)),
        };
        Ok(value.expect("fits serialise"))
    }

    /// The places in this config's world where a fit of measurements can go ([`info::Measurements::rule`]):
    /// asp a provider's quality ramp, tot the base station's or a service provider's curves, ddc the whole
    /// profile; none for a scenario that takes no measurements.
    pub fn fit_targets(&self) -> Vec<FitTarget> {
        let numbered = |count: usize, what: &str| {
            (0..count).map(|i| FitTarget { value: i.to_string(), label: format!("{what} {}", i + 1) }).collect()
        };
        match self {
            ScenarioConfig::Asp(c) => numbered(c.resolve_world().providers.len(), "provider"),
            ScenarioConfig::Tot(c) => {
                let mut targets = vec![FitTarget { value: "bs".into(), label: "the base station".into() }];
                targets.extend(numbered(c.resolve_world().service_providers.len(), "service provider"));
                targets
            }
            ScenarioConfig::Ddc(_) => vec![FitTarget { value: "all".into(), label: "the whole profile".into() }],
            _ => Vec::new(),
        }
    }

    /// Fits `csv` (as [`ScenarioConfig::fit_csv`]) and puts the fit at `target` (a value of
    /// [`ScenarioConfig::fit_targets`]) of this config's world, by the scenario's rule
    /// ([`info::Measurements::rule`]); the world's `source` notes what was fitted to `file_name`. Checked as
    /// [`ScenarioConfig::set_world_json`] checks a file; a refusal changes nothing.
    pub fn apply_fit(&mut self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<()> {
        let unknown = || Error::new("target", format!("no place '{target}' in this world to put the fit"));
        let index = |count: usize| target.parse::<usize>().ok().filter(|&i| i < count).ok_or_else(unknown);
        let world = match self {
            ScenarioConfig::Asp(c) => {
                let fit = params::fit::fit_asp_csv(csv)?;
                let mut world = c.resolve_world();
                let i = index(world.providers.len())?;
                let p = &world.providers[i];
                world.providers[i] = fit.provider(p.capacity_steps, p.a_y);
                let note = format!("provider {}'s quality ramp fitted to {file_name}", i + 1);
                world.source = Some(params::noted_source(world.source.as_deref(), &note));
                params::to_json(&world)
            }
            ScenarioConfig::Tot(c) => {
                let fit = params::fit::fit_tot_csv(csv, score_max)?;
                let mut world = c.resolve_world();
                let place = if target == "bs" {
                    world.bs.curve = fit.curve_params();
                    "the base station's curves".to_owned()
                } else {
                    let i = index(world.service_providers.len())?;
                    world.service_providers[i].curve = fit.curve_params();
                    format!("service provider {}'s curves", i + 1)
                };
                world.source =
                    Some(params::noted_source(world.source.as_deref(), &format!("{place} fitted to {file_name}")));
                params::to_json(&world)
            }
            ScenarioConfig::Ddc(_) if target == "all" => {
                let mut world = params::ddc::parse_ddc_profile_csv(csv)?;
                let note = format!("the profile fitted to {file_name}");
                world.source = Some(params::noted_source(world.source.as_deref(), &note));
                params::to_json(&world)
            }
            ScenarioConfig::Ddc(_) => return Err(unknown()),
            _ => return Err(no_measurements(self.id())),
        };
        self.set_world_json(&world)
    }

    /// Whether the world is fixed (a parameter file or the paper's) rather than drawn from the seed.
    pub fn has_fixed_world(&self) -> bool {
        match self {
            ScenarioConfig::Asp(c) => c.world.is_some(),
            ScenarioConfig::Lad(c) => c.world.is_some(),
            ScenarioConfig::Flow(c) => c.world.is_some(),
            ScenarioConfig::Tot(c) => c.world.is_some(),
            ScenarioConfig::Cartpole(_) | ScenarioConfig::Acrobot(_) => false,
            ScenarioConfig::Ddc(c) => c.world.is_some(),
        }
    }

    /// Builds the scenario (validating first).
    pub fn build(&self) -> Result<Box<dyn Env>> {
        self.validate()?;
        Ok(match self {
            ScenarioConfig::Asp(c) => Box::new(asp::AspEnv::new(c.clone())?),
            ScenarioConfig::Lad(c) => Box::new(lad::LadEnv::new(c.clone())?),
            ScenarioConfig::Flow(c) => Box::new(flow::FlowEnv::new(c.clone())?),
            ScenarioConfig::Tot(c) => Box::new(tot::TotEnv::new(c.clone())?),
            ScenarioConfig::Cartpole(c) => Box::new(cartpole::CartpoleEnv::new(c.clone())?),
            ScenarioConfig::Acrobot(c) => Box::new(acrobot::AcrobotEnv::new(c.clone())?),
            ScenarioConfig::Ddc(c) => Box::new(ddc::DdcEnv::new(c.clone())?),
        })
    }
}

/// The error for giving measurements to a scenario that fits none.
fn no_measurements(id: ScenarioId) -> Error {
    Error::new("scenario", format!("{} takes no measurement CSV (asp, tot and ddc do)", id.name()))
}

/// A place in a world where a fit can go ([`ScenarioConfig::fit_targets`]).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FitTarget {
    /// What [`ScenarioConfig::apply_fit`] takes to mean it: an index, `bs` or `all`.
    pub value: String,
    /// How a person calls it ("provider 3").
    pub label: String,
}

/// The outcome of one episode.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EpisodeSummary {
    /// The episode seed.
    pub episode_seed: u64,
    /// Decisions taken.
    pub steps: u64,
    /// Sum of the rewards.
    pub total_reward: f64,
    /// The scenario's figures at the end (including its total reward).
    pub metrics: Metrics,
}

/// Runs one whole episode of `env` under the heuristic called `policy` (in that heuristic's system, see
/// [`Env::set_system`] for the episode, then back to the scenario's own).
pub fn run_heuristic_episode(env: &mut dyn Env, policy: &str, episode_seed: u64) -> Result<EpisodeSummary> {
    let mut heuristic = Heuristic::new(env, policy, episode_seed)?;
    env.set_system(Some(heuristic.index))?;
    env.reset(episode_seed);
    let (mut steps, mut total_reward) = (0, 0.0);
    while !env.is_done() {
        let action = heuristic.act(env);
        total_reward += env.step(&action)?.reward;
        steps += 1;
    }
    let metrics = env.metrics();
    // Back to the scenario's own system, so that a learner evaluated on this env next sees the paper's.
    env.set_system(None)?;
    Ok(EpisodeSummary { episode_seed, steps, total_reward, metrics })
}

/// Helpers shared by the scenarios' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Action, ActionSpace, Env, Heuristic};
    use crate::rng::{Rng, Stream};

    /// The rewards and observations (the first included) of one whole episode of `env` under the heuristic
    /// `policy`, in that heuristic's system.
    pub(crate) fn trajectory(env: &mut dyn Env, policy: &str, episode_seed: u64) -> (Vec<f64>, Vec<Vec<f32>>) {
        let mut h = Heuristic::new(env, policy, episode_seed).unwrap();
        env.set_system(Some(h.index())).unwrap();
        env.reset(episode_seed);
        let (mut rewards, mut observations) = (Vec::new(), vec![env.observation().to_vec()]);
        while !env.is_done() {
            let a = h.act(env);
            rewards.push(env.step(&a).unwrap().reward);
            observations.push(env.observation().to_vec());
        }
        (rewards, observations)
    }

    /// A random action of `space`: a uniform index, or a vector of normal draws times 3 (past where a squash
    /// saturates, so extreme actions are played too).
    pub(crate) fn random_action(space: &ActionSpace, rng: &mut Rng) -> Action {
        match *space {
            ActionSpace::Discrete { n } => Action::Discrete(rng.below(n as u64) as usize),
            _ => Action::Vector((0..space.vector_dim()).map(|_| (3.0 * rng.normal()) as f32).collect()),
        }
    }

    /// Plays whole episodes of `env` with each of `episode_seeds`, under every heuristic and under random
    /// actions, and asserts that every observation, the first included, lies in `env`'s observation space,
    /// and that the space stays the one `env` had before (it is fixed by the config and world).
    pub(crate) fn assert_observations_in_space(env: &mut dyn Env, episode_seeds: &[u64]) {
        let space = env.observation_space();
        let check = |env: &dyn Env, observation: &[f32], policy: &str, seed: u64| {
            assert_eq!(observation.len(), space.dim(), "{:?} {policy} seed {seed}: observation length", env.id());
            if let Some((i, x, lo, hi)) = space.first_outside(observation) {
                panic!("{:?} {policy} seed {seed}: observation[{i}] = {x} is outside [{lo}, {hi}]", env.id());
            }
        };
        for &seed in episode_seeds {
            for &policy in env.heuristics() {
                // A heuristic the scenario cannot run here (ddc's oracle beyond its users) is skipped.
                if env.heuristic_index(policy).is_err() {
                    continue;
                }
                for observation in trajectory(env, policy, seed).1 {
                    check(env, &observation, policy, seed);
                }
                env.set_system(None).unwrap();
            }
            let mut rng = Rng::new(seed, Stream::Heuristic);
            let actions = env.action_space();
            env.reset(seed);
            check(env, env.observation(), "random", seed);
            while !env.is_done() {
                env.step(&random_action(&actions, &mut rng)).unwrap();
                check(env, env.observation(), "random", seed);
            }
        }
        assert_eq!(env.observation_space(), space, "{:?}: the space changed over episodes", env.id());
    }
}

/// Every scenario's parameter-file parser under random text and random edits of its default file: it
/// never panics, and a refusal names a field and a problem.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzzing {
    use super::*;
    use crate::params::fuzz;
    use proptest::prelude::*;

    fn worlds() -> Vec<(ScenarioConfig, String)> {
        ScenarioId::ALL
            .iter()
            .map(|&id| ScenarioConfig::default_for(id))
            .filter_map(|c| c.world_params_json().ok().map(|json| (c, json)))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn mutated_parameter_files_are_accepted_valid_or_refused_with_a_message(edits in fuzz::edits()) {
            for (config, json) in worlds() {
                let mut target = config.clone();
                match target.set_world_json(&fuzz::apply(&json, &edits)) {
                    Ok(()) => prop_assert!(target.validate().is_ok()),
                    Err(e) => {
                        prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                        prop_assert_eq!(&target, &config, "a refused file changed nothing");
                    }
                }
            }
        }

        #[test]
        fn arbitrary_text_is_refused_with_a_message(text in ".{0,300}") {
            for (mut config, _) in worlds() {
                if let Err(e) = config.set_world_json(&text) {
                    prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
