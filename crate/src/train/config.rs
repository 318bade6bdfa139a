//! [`TrainConfig`]: everything a run is a function of, and the presets' runs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::UpdateSchedule;
use crate::agent::{Algorithm, AlgorithmPreset, LearnerConfig, Preset};
use crate::error::{Result, check_count};
use crate::scenario::{ScenarioConfig, ScenarioId};

/// A whole training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// The scenario and its world.
    pub scenario: ScenarioConfig,
    /// The algorithm's name (the preset it started from), for display.
    pub algorithm: String,
    /// The learner's hyper-parameters.
    pub learner: LearnerConfig,
    /// When updates happen.
    pub schedule: UpdateSchedule,
    /// The run's seed: network initialisation, exploration, training episodes.
    pub seed: u64,
    /// Episodes per evaluation.
    pub eval_episodes: usize,
    /// Episode seed of the first evaluation episode.
    pub eval_seed: u64,
    /// One learner acts and learns for every agent of a multi-agent scenario (parameter sharing: `lad`'s
    /// base stations then pool their experience), instead of one learner per agent.
    #[serde(default)]
    pub shared_learner: bool,
}

impl TrainConfig {
    /// A run of `algorithm` under `preset` on `scenario` with `seed`, evaluated on 3 episodes.
    pub fn preset(scenario: ScenarioConfig, algorithm: Algorithm, preset: Preset, seed: u64) -> Self {
        let AlgorithmPreset { learner, schedule, shared_learner } = algorithm.preset(preset);
        Self {
            learner: for_scenario(learner, preset, scenario.id()),
            scenario,
            algorithm: algorithm.name().to_owned(),
            schedule,
            seed,
            eval_episodes: 3,
            eval_seed: 1_000_000,
            shared_learner,
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.scenario.validate()?;
        self.learner.validate().map_err(|e| e.within("learner"))?;
        self.schedule.validate().map_err(|e| e.within("schedule"))?;
        check_count("eval_episodes", self.eval_episodes as u64, 1, 1000)?;
        Ok(())
    }
}

/// A preset's learner `config` (under `preset`) as it runs on `scenario`: unchanged, but the `fast`
/// preset's balance tasks (CartPole, Acrobot) look further ahead (γ 0.99, 3-step returns), as their reward
/// only comes from staying alive — with γ 0.95 d2sac plateaus near 200 on CartPole, with 0.99 and 3 steps
/// it reaches 500.
pub(crate) fn for_scenario(mut config: LearnerConfig, preset: Preset, scenario: ScenarioId) -> LearnerConfig {
    if preset == Preset::Fast && matches!(scenario, ScenarioId::Cartpole | ScenarioId::Acrobot) {
        match &mut config {
            LearnerConfig::Sac(c) => {
                c.gamma = 0.99;
                c.n_step = 3;
            }
            LearnerConfig::Dqn(c) => {
                c.gamma = 0.99;
                c.n_step = 3;
            }
            LearnerConfig::Ppo(c) => c.gamma = 0.99,
            LearnerConfig::Hybrid(c) => c.gamma = 0.99,
        }
    }
    config
}
