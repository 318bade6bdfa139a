//! What the golden tests compute, natively and in the browser alike.

use diffedge::scenario::{ScenarioConfig, ScenarioId, run_heuristic_episode};
use serde::{Deserialize, Serialize};

/// One golden episode: which run, and its total reward as a number and as exact bits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Golden {
    pub scenario: String,
    pub policy: String,
    pub world_seed: u64,
    pub episode_seed: u64,
    pub steps: u64,
    pub total_reward: f64,
    pub total_reward_bits: String,
}

/// The runs the fixture records.
pub const RUNS: &[(ScenarioId, &str, u64, u64)] = &[
    (ScenarioId::Asp, "crash_avoid", 0, 7),
    (ScenarioId::Asp, "random", 3, 11),
    (ScenarioId::Asp, "prophet", 5, 2),
    (ScenarioId::Lad, "opt", 0, 1),
    (ScenarioId::Lad, "random", 2, 3),
    (ScenarioId::Flow, "edf", 0, 2),
    (ScenarioId::Flow, "random", 1, 4),
    (ScenarioId::Tot, "greedy", 0, 7),
    (ScenarioId::Tot, "random", 3, 11),
    (ScenarioId::Cartpole, "random", 0, 7),
    (ScenarioId::Acrobot, "energy_pump", 0, 3),
    (ScenarioId::Ddc, "random", 0, 7),
    (ScenarioId::Ddc, "oqc_plus", 0, 3),
    (ScenarioId::Ddc, "semgen", 0, 5),
];

pub fn compute_golden() -> Vec<Golden> {
    RUNS.iter()
        .map(|&(id, policy, world_seed, episode_seed)| {
            let mut config = ScenarioConfig::default_for(id);
            config.set_world_seed(world_seed);
            let mut env = config.build().unwrap();
            let summary = run_heuristic_episode(env.as_mut(), policy, episode_seed).unwrap();
            let total_reward = summary.metrics.get("total_reward").unwrap();
            Golden {
                scenario: id.name().to_owned(),
                policy: policy.to_owned(),
                world_seed,
                episode_seed,
                steps: summary.steps,
                total_reward,
                total_reward_bits: format!("{:016x}", total_reward.to_bits()),
            }
        })
        .collect()
}

/// A short, small d2sac training run on a shortened asp, whose whole metric history must be the same
/// natively and in the browser.
pub fn training_config() -> diffedge::train::TrainConfig {
    use diffedge::agent::LearnerConfig;
    use diffedge::agent::sac::{ActorConfig, SacConfig};
    use diffedge::train::{TrainConfig, UpdateSchedule};
    let mut scenario = ScenarioConfig::default_for(ScenarioId::Asp);
    if let ScenarioConfig::Asp(c) = &mut scenario {
        c.horizon_s = 1.0e5;
    }
    let paper = diffedge::agent::presets::d2sac();
    let actor = match paper.actor.clone() {
        ActorConfig::Diffusion(d) => ActorConfig::Diffusion(diffedge::diffusion::DiffusionConfig { hidden: 16, ..d }),
        other => other,
    };
    TrainConfig {
        scenario,
        algorithm: "d2sac".to_owned(),
        learner: LearnerConfig::Sac(SacConfig {
            actor,
            critic_hidden: vec![16, 16],
            batch_size: 16,
            buffer_size: 1000,
            ..paper
        }),
        schedule: UpdateSchedule {
            epoch_steps: 100,
            collect_steps: 10,
            updates_per_collect: 5,
            warmup_steps: 50,
            per_agent_block: false,
        },
        seed: 4,
        eval_episodes: 1,
        eval_seed: 9,
        shared_learner: false,
    }
}

/// The history of [`training_config`]'s first two epochs, as JSON.
pub fn training_history() -> serde_json::Value {
    let mut trainer = diffedge::train::Trainer::new(training_config()).unwrap();
    trainer.advance(200).unwrap();
    serde_json::to_value(trainer.history()).unwrap()
}
