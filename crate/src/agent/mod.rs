//! Learners: the diffusion soft actor-critic family and the papers' learning baselines, written against
//! the numeric [`crate::nn::Backend`] and knowing a scenario only through its spaces.

pub mod dqn;
pub mod hybrid;
pub mod memory;
pub mod ppo;
pub mod presets;
pub mod sac;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::nn::cpu::CpuBackend;
use crate::replay::Transition;
use crate::rng::Rng;
use crate::spaces::{Action, ActionSpace};

pub use crate::nn::kernels::argmax;
pub use presets::{Algorithm, AlgorithmPreset, UpdateSchedule};

/// Which hyper-parameters an algorithm starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// The paper's (and its reference code's) values.
    #[default]
    Paper,
    /// Smaller and quicker: what the playground starts with.
    Fast,
}

impl Preset {
    /// Every preset, by its name.
    pub const ALL: [(Preset, &'static str); 2] = [(Preset::Paper, "paper"), (Preset::Fast, "fast")];

    /// The preset called `name` (as configs, the page and `--preset` spell it); `field` names where it came
    /// from, for the error. The one parser of preset names.
    pub fn parse(field: &str, name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|&(p, _)| p)
            .ok_or_else(|| Error::new(field, format!("must be \"paper\" or \"fast\", got \"{name}\"")))
    }
}

/// A learner's hyper-parameters, by family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LearnerConfig {
    /// The discrete soft actor-critic family.
    Sac(sac::SacConfig),
    /// DQN and double DQN.
    Dqn(dqn::DqnConfig),
    /// PPO (discrete actions).
    Ppo(ppo::PpoConfig),
    /// The diffusion actor-critic with a hybrid (discrete + continuous) action (`ddc`).
    Hybrid(hybrid::HybridConfig),
}

impl LearnerConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        match self {
            LearnerConfig::Sac(c) => c.validate(),
            LearnerConfig::Dqn(c) => c.validate(),
            LearnerConfig::Ppo(c) => c.validate(),
            LearnerConfig::Hybrid(c) => c.validate(),
        }
    }

    /// Whether chains start from stored latent actions (LAD).
    pub fn latent_start(&self) -> bool {
        match self {
            LearnerConfig::Sac(c) => c.latent_start,
            LearnerConfig::Dqn(_) | LearnerConfig::Ppo(_) | LearnerConfig::Hybrid(_) => false,
        }
    }

    /// Whether this learner can act in `space`: the soft actor-critic family, DQN and PPO choose one of
    /// `n` actions (a discrete space), the `ddc` learner needs the hybrid space of the `ddc` scenario. The
    /// error names `learner` and says what it needs.
    pub fn check_space(&self, space: &ActionSpace) -> Result<()> {
        let (fits, needs) = match self {
            LearnerConfig::Sac(_) => {
                (space.discrete_n().is_some(), "this soft actor-critic needs a discrete action space")
            }
            LearnerConfig::Dqn(_) => (space.discrete_n().is_some(), "DQN needs a discrete action space"),
            LearnerConfig::Ppo(_) => (space.discrete_n().is_some(), "PPO needs a discrete action space"),
            LearnerConfig::Hybrid(_) => {
                (matches!(space, ActionSpace::Hybrid { .. }), "the ddc learner needs a hybrid action space")
            }
        };
        if fits { Ok(()) } else { Err(Error::new("learner", format!("{needs}, not {space}"))) }
    }

    /// Its memory for observations of `obs_dim` and the action space `space`, estimated before it is built.
    pub fn memory(&self, obs_dim: usize, space: &ActionSpace) -> memory::MemoryEstimate {
        let n = space.discrete_n().unwrap_or(0);
        match self {
            LearnerConfig::Sac(c) => c.memory(obs_dim, n),
            LearnerConfig::Dqn(c) => c.memory(obs_dim, n),
            LearnerConfig::Ppo(c) => c.memory(obs_dim, n),
            LearnerConfig::Hybrid(c) => c.memory(obs_dim, space.vector_dim()),
        }
    }

    /// A learner on the CPU backend for observations of `obs_dim` and the action space `space`,
    /// initialised from `rng`.
    pub fn build(&self, obs_dim: usize, space: &ActionSpace, rng: Rng) -> Result<Box<dyn Learner>> {
        self.check_space(space)?;
        // `check_space` passed: the discrete learners have a discrete space.
        let n = space.discrete_n().unwrap_or(0);
        match self {
            LearnerConfig::Sac(c) => Ok(Box::new(sac::Sac::new(c.clone(), CpuBackend::new(), obs_dim, n, rng)?)),
            LearnerConfig::Dqn(c) => Ok(Box::new(dqn::Dqn::new(c.clone(), CpuBackend::new(), obs_dim, n, rng)?)),
            LearnerConfig::Ppo(c) => Ok(Box::new(ppo::Ppo::new(c.clone(), CpuBackend::new(), obs_dim, n, rng)?)),
            LearnerConfig::Hybrid(c) => {
                Ok(Box::new(hybrid::Hybrid::new(c.clone(), CpuBackend::new(), obs_dim, space, rng)?))
            }
        }
    }
}

/// The algorithms whose learner can act in `space`, in [`Algorithm::ALL`] order: on a discrete space all
/// but `ddc`, on the hybrid space of the `ddc` scenario only `ddc` (see [`LearnerConfig::check_space`]).
pub fn algorithms_for(space: &ActionSpace) -> Vec<Algorithm> {
    Algorithm::ALL.into_iter().filter(|a| a.preset(Preset::Fast).learner.check_space(space).is_ok()).collect()
}

/// What the training loop asks of a learner (one agent). Off-policy learners keep their replay buffer,
/// on-policy ones their rollout; the loop only feeds transitions and calls `update` when the schedule says.
pub trait Learner {
    /// An action for `obs`: exploring (sampled, ε-greedy, …) when `explore`, else greedy. `latent` starts a
    /// diffusion chain (LAD) when given. `probs` receives the policy's distribution over the actions (for
    /// drawing; LAD stores it as the next latent). Every random draw comes from `rng`.
    fn act(
        &mut self,
        obs: &[f32],
        latent: Option<&[f32]>,
        explore: bool,
        rng: &mut Rng,
        probs: &mut Vec<f32>,
    ) -> Action;

    /// The policy's action distribution after every denoising step (`x_T` first, π last) for one
    /// observation, for drawing the chain; `None` for learners without a diffusion chain.
    fn chain(&mut self, _obs: &[f32], _latent: Option<&[f32]>, _rng: &mut Rng) -> Option<Vec<Vec<f32>>> {
        None
    }

    /// Takes one environment transition (with `latent` = the latent starts, for LAD).
    fn observe(&mut self, transition: Transition);

    /// One update as the schedule calls it (a gradient step off-policy; the epochs over a full rollout
    /// on-policy). `None` when there is not enough data yet. Errors stop training (the NaN guard).
    fn update(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>>;

    /// Updates done so far.
    fn updates(&self) -> u64;

    /// Saves everything needed to continue bit-identically under names starting with `prefix`.
    fn save(&mut self, prefix: &str, ck: &mut Checkpoint);

    /// Restores what [`Learner::save`] wrote (into a learner built from the same config).
    fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()>;
}

/// Hidden layer widths must be 1 to 8 layers of 1 to 4096 units; errors name `field[i]`.
pub fn check_widths(field: &str, widths: &[usize]) -> Result<()> {
    crate::error::check_count(field, widths.len() as u64, 1, 8)?;
    for (i, &w) in widths.iter().enumerate() {
        crate::error::check_count(&format!("{field}[{i}]"), w as u64, 1, 4096)?;
    }
    Ok(())
}

/// An index drawn from the distribution `probs` with one uniform draw of `rng`.
pub fn sample_index(probs: &[f32], rng: &mut Rng) -> usize {
    let u = rng.uniform() as f32;
    let mut acc = 0.0;
    for (i, &p) in probs.iter().enumerate() {
        acc += p;
        if u < acc {
            return i;
        }
    }
    probs.len() - 1
}

/// What one gradient update reports.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct UpdateStats {
    /// Critic loss (sum over the critics).
    pub critic_loss: f32,
    /// Actor (policy) loss.
    pub actor_loss: f32,
    /// Mean policy entropy over the batch.
    pub entropy: f32,
    /// Entropy temperature used.
    pub alpha: f32,
    /// Mean `Q(s, a)` over the batch.
    pub mean_q: f32,
}

impl UpdateStats {
    /// The NaN/Inf guard: an error naming the first non-finite figure and the update that produced it.
    pub fn check(&self, update: u64) -> Result<()> {
        let figures = [
            ("critic_loss", self.critic_loss),
            ("actor_loss", self.actor_loss),
            ("entropy", self.entropy),
            ("alpha", self.alpha),
            ("mean_q", self.mean_q),
        ];
        match figures.iter().find(|(_, v)| !v.is_finite()) {
            Some((name, v)) => Err(Error::new(
                "training",
                format!(
                    "{name} became {v} at update {update}; training stopped (lower the learning rates or check the scenario's reward scale)"
                ),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
