//! The Gymnasium-shaped interface every scenario implements ([`Env`]), its heuristic [`Baselines`], and
//! what one step and one episode give back.

use serde::Serialize;

use super::{ScenarioId, Snapshot};
use crate::error::{Error, Result};
use crate::rng::{Rng, Stream};
use crate::spaces::{Action, ActionSpace, ObservationSpace};

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
    pub(super) index: usize,
    pub(super) state: HeuristicState,
}

impl Heuristic {
    /// The heuristic called `name` of `env`'s scenario, for the episode with `episode_seed`.
    pub fn new(env: &dyn Env, name: &str, episode_seed: u64) -> Result<Self> {
        let index = env.heuristic_index(name)?;
        Ok(Self { index, state: HeuristicState { rng: Rng::new(episode_seed, Stream::Heuristic), decisions: 0 } })
    }

    /// Its index into [`ScenarioInfo::heuristics`](super::ScenarioInfo::heuristics).
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
/// heuristics (named, in order, in its [`ScenarioInfo::heuristics`](super::ScenarioInfo::heuristics)).
pub trait Baselines {
    /// The action heuristic number `heuristic` (an index into [`ScenarioInfo::heuristics`](super::ScenarioInfo::heuristics)) takes now.
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

    /// Names of the paper's heuristic baselines for this scenario ([`ScenarioInfo::heuristics`](super::ScenarioInfo::heuristics)).
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
/// [`Baselines::set_system`] for the episode, then back to the scenario's own).
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
