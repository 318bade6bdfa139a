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
