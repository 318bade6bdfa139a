//! The simulated systems of the five papers, behind one Gymnasium-shaped interface.
//!
//! A scenario knows nothing about learning: an agent sees it only through [`Env`] (its observation
//! vector, its [`ActionSpace`], rewards) and the front end only through [`Snapshot`] and [`Metrics`].
//! Each scenario also carries its paper's heuristic baselines ([`Env::heuristic_action`]).
//!
//! A scenario is built from its [`ScenarioConfig`], which holds its world seed; the episode seed is given
//! to [`Env::reset`]. Both seeds together determine every number of an episode.

pub mod asp;
pub mod ddc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params;
use crate::rng::{Rng, Stream};

/// Names of the scenarios, as used in configs, URLs and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioId {
    /// AIGC service-provider selection (D2SAC paper).
    Asp,
    /// Split denoising between edge and phones with visual-condition engineering (Kong et al.).
    Ddc,
}

impl ScenarioId {
    /// Every scenario, in the order the front end lists them.
    pub const ALL: &'static [ScenarioId] = &[ScenarioId::Asp, ScenarioId::Ddc];

    /// The scenario's id string.
    pub fn name(self) -> &'static str {
        match self {
            ScenarioId::Asp => "asp",
            ScenarioId::Ddc => "ddc",
        }
    }

    /// Parses an id string; `field` names where it came from, for the error.
    pub fn parse(field: &str, name: &str) -> Result<Self> {
        Self::ALL.iter().copied().find(|id| id.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|id| id.name()).collect();
            Error::new(field, format!("unknown scenario '{name}' (expected one of: {})", known.join(", ")))
        })
    }
}

/// What an agent may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionSpace {
    /// One of `n` choices, `0..n` ([`Action::Discrete`]).
    Discrete {
        /// Number of choices.
        n: usize,
    },
    /// A vector of `dim` reals ([`Action::Vector`]); the scenario documents how it reads them.
    Box {
        /// Length of the vector.
        dim: usize,
    },
    /// `groups` blocks of `choices` logits followed by `continuous` reals each ([`Action::Vector`] of
    /// length `groups · (choices + continuous)`): the `ddc` per-user steps choice and offload ratio.
    Hybrid {
        /// Number of blocks (users).
        groups: usize,
        /// Logits per block (a categorical choice).
        choices: usize,
        /// Reals per block after the logits.
        continuous: usize,
    },
}

impl std::fmt::Display for ActionSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionSpace::Discrete { n } => write!(f, "Discrete({n})"),
            ActionSpace::Box { dim } => write!(f, "Box({dim})"),
            ActionSpace::Hybrid { groups, choices, continuous } => {
                write!(f, "Hybrid({groups}x({choices}+{continuous}))")
            }
        }
    }
}

impl ActionSpace {
    /// Number of choices of a discrete space.
    pub fn discrete_n(&self) -> Option<usize> {
        match self {
            ActionSpace::Discrete { n } => Some(*n),
            _ => None,
        }
    }

    /// Length of the vector an agent's network outputs for this space (the logits for a discrete space).
    pub fn vector_dim(&self) -> usize {
        match self {
            ActionSpace::Discrete { n } => *n,
            ActionSpace::Box { dim } => *dim,
            ActionSpace::Hybrid { groups, choices, continuous } => groups * (choices + continuous),
        }
    }
}

/// One action, shaped by the scenario's [`ActionSpace`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Action {
    /// An index into a discrete space.
    Discrete(usize),
    /// A vector for a `Box` or `Hybrid` space.
    Vector(Vec<f32>),
}

impl Action {
    /// The index of a discrete action, checked to be below `n`.
    pub fn index_below(&self, n: usize) -> Result<usize> {
        match *self {
            Action::Discrete(i) if i < n => Ok(i),
            Action::Discrete(i) => Err(Error::new("action", format!("must be an index below {n}, got {i}"))),
            Action::Vector(_) => Err(Error::new("action", format!("must be an index below {n}, got a vector"))),
        }
    }

    /// The values of a vector action, checked to have length `dim` and only finite entries.
    pub fn vector_of_len(&self, dim: usize) -> Result<&[f32]> {
        match self {
            Action::Vector(v) if v.len() != dim => {
                Err(Error::new("action", format!("must have {dim} values, got {}", v.len())))
            }
            Action::Vector(v) => match v.iter().position(|x| !x.is_finite()) {
                Some(i) => Err(Error::new(format!("action[{i}]"), format!("must be a finite number, got {}", v[i]))),
                None => Ok(v),
            },
            Action::Discrete(_) => Err(Error::new("action", format!("must be a vector of {dim} values, got an index"))),
        }
    }
}

/// Which agent takes the pending decision, and which position in the episode it is (LAD keeps a latent
/// action per position, and one agent per base station).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DecisionKey {
    /// The deciding agent, `0..agents`.
    pub agent: usize,
    /// The decision's position, `0..positions`, the same position in every episode.
    pub position: usize,
}

/// What one [`Env::step`] returned besides the new observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// Reward of the decision just taken.
    pub reward: f64,
    /// The episode reached its natural end.
    pub terminated: bool,
    /// The episode was cut off by a limit outside the task (time limit).
    pub truncated: bool,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum Snapshot {
    /// See [`asp::AspSnapshot`].
    Asp(asp::AspSnapshot),
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

    /// Its index into [`Env::heuristics`].
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

/// A simulated scenario, Gymnasium-shaped.
pub trait Env {
    /// Which scenario this is.
    fn id(&self) -> ScenarioId;
    /// Length of the observation vector.
    fn observation_dim(&self) -> usize;
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
    /// Names of the paper's heuristic baselines for this scenario.
    fn heuristics(&self) -> &'static [&'static str];
    /// The action heuristic number `heuristic` (an index into [`Env::heuristics`]) takes now.
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action;

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

    /// The index of the heuristic called `name`, or an error listing the known ones (or saying why this
    /// scenario cannot run it).
    fn heuristic_index(&self, name: &str) -> Result<usize> {
        find_heuristic(self.id(), self.heuristics(), name)
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum ScenarioConfig {
    /// See [`asp::AspConfig`].
    Asp(asp::AspConfig),
    /// See [`ddc::DdcConfig`].
    Ddc(ddc::DdcConfig),
}

impl ScenarioConfig {
    /// The paper's default config of `id`.
    pub fn default_for(id: ScenarioId) -> Self {
        match id {
            ScenarioId::Asp => ScenarioConfig::Asp(asp::AspConfig::default()),
            ScenarioId::Ddc => ScenarioConfig::Ddc(ddc::DdcConfig::default()),
        }
    }

    /// Parses the config of scenario `id` from JSON holding only that scenario's fields (missing fields take
    /// their defaults) and validates it.
    pub fn from_json(id: ScenarioId, json: &str) -> Result<Self> {
        let config = match id {
            ScenarioId::Asp => ScenarioConfig::Asp(crate::error::from_json("config", json)?),
            ScenarioId::Ddc => ScenarioConfig::Ddc(crate::error::from_json("config", json)?),
        };
        config.validate()?;
        Ok(config)
    }

    /// Which scenario this configures.
    pub fn id(&self) -> ScenarioId {
        match self {
            ScenarioConfig::Asp(_) => ScenarioId::Asp,
            ScenarioConfig::Ddc(_) => ScenarioId::Ddc,
        }
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        match self {
            ScenarioConfig::Asp(c) => c.validate(),
            ScenarioConfig::Ddc(c) => c.validate(),
        }
        .map_err(|e| e.within("config"))
    }

    /// Sets the seed from which the world is drawn (used when no fixed world is given).
    pub fn set_world_seed(&mut self, seed: u64) {
        match self {
            ScenarioConfig::Asp(c) => c.world_seed = seed,
            ScenarioConfig::Ddc(c) => c.world_seed = seed,
        }
    }

    /// Replaces the drawn world by the exact world of the paper's published experiments.
    pub fn use_paper_world(&mut self) -> Result<()> {
        match self {
            ScenarioConfig::Asp(c) => c.world = Some(asp::AspParams::paper()),
            ScenarioConfig::Ddc(c) => c.world = Some(ddc::DdcParams::synthetic()),
        }
        Ok(())
    }

    /// Replaces the drawn world by a parameter file's world (JSON), validated.
    pub fn set_world_json(&mut self, json: &str) -> Result<()> {
        match self {
            ScenarioConfig::Asp(c) => {
                c.world = Some(params::parse(json).map_err(|e| e.within("world"))?);
            }
            ScenarioConfig::Ddc(c) => c.world = Some(params::parse(json).map_err(|e| e.within("world"))?),
        }
        Ok(())
    }

    /// The world this config runs on (its fixed world, or the one drawn from its world seed), as the
    /// parameter file the app downloads.
    pub fn world_params_json(&self) -> String {
        match self {
            ScenarioConfig::Asp(c) => params::to_json(&c.resolve_world()),
            ScenarioConfig::Ddc(c) => params::to_json(&c.resolve_world()),
        }
    }

    /// The JSON Schema of scenario `id`'s config (the front end renders its form from it).
    pub fn config_schema(id: ScenarioId) -> serde_json::Value {
        match id {
            ScenarioId::Asp => schemars::schema_for!(asp::AspConfig).to_value(),
            ScenarioId::Ddc => schemars::schema_for!(ddc::DdcConfig).to_value(),
        }
    }

    /// The JSON Schema of scenario `id`'s parameter file.
    pub fn params_schema(id: ScenarioId) -> serde_json::Value {
        match id {
            ScenarioId::Asp => params::schema::<asp::AspParams>(),
            ScenarioId::Ddc => params::schema::<ddc::DdcParams>(),
        }
    }

    /// Whether the world is fixed (a parameter file or the paper's) rather than drawn from the seed.
    pub fn has_fixed_world(&self) -> bool {
        match self {
            ScenarioConfig::Asp(c) => c.world.is_some(),
            ScenarioConfig::Ddc(c) => c.world.is_some(),
        }
    }

    /// Builds the scenario (validating first).
    pub fn build(&self) -> Result<Box<dyn Env>> {
        self.validate()?;
        Ok(match self {
            ScenarioConfig::Asp(c) => Box::new(asp::AspEnv::new(c.clone())?),
            ScenarioConfig::Ddc(c) => Box::new(ddc::DdcEnv::new(c.clone())?),
        })
    }
}

/// The outcome of one episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeSummary {
    /// The episode seed.
    pub episode_seed: u64,
    /// Decisions taken.
    pub steps: u64,
    /// The scenario's figures at the end (including its total reward).
    pub metrics: Metrics,
}

/// Runs one whole episode of `env` under the heuristic called `policy` (in that heuristic's system, see
/// [`Env::set_system`], which stays set afterwards).
pub fn run_heuristic_episode(env: &mut dyn Env, policy: &str, episode_seed: u64) -> Result<EpisodeSummary> {
    let mut heuristic = Heuristic::new(env, policy, episode_seed)?;
    env.set_system(Some(heuristic.index))?;
    env.reset(episode_seed);
    let mut steps = 0;
    while !env.is_done() {
        let action = heuristic.act(env);
        env.step(&action)?;
        steps += 1;
    }
    Ok(EpisodeSummary { episode_seed, steps, metrics: env.metrics() })
}
