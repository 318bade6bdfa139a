//! What a run reports: each epoch's [`EpochRecord`] with its greedy [`Evaluation`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agent::UpdateStats;
use crate::scenario::Metrics;

/// Mean and spread of episode figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// Mean episode return.
    pub mean_return: f64,
    /// Sample standard deviation of the episode returns.
    pub sd_return: f64,
    /// The scenario's metrics, averaged over the episodes.
    pub metrics: Vec<(String, f64)>,
}

impl Evaluation {
    pub(super) fn from_episodes(episodes: &[Metrics], returns: &[f64]) -> Self {
        let n = returns.len() as f64;
        let crate::stats::Summary { mean, sd, .. } = crate::stats::Summary::of(returns);
        let metrics = episodes[0]
            .0
            .iter()
            .map(|&(name, _)| (name.to_owned(), episodes.iter().filter_map(|m| m.get(name)).sum::<f64>() / n))
            .collect();
        Self { mean_return: mean, sd_return: sd, metrics }
    }
}

/// What one epoch produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: u64,
    /// Environment steps so far.
    pub env_steps: u64,
    /// Gradient updates so far.
    pub updates: u64,
    /// Mean return of the training episodes that ended in this epoch (exploring), if any.
    pub train_return: Option<f64>,
    /// Greedy evaluation after the epoch.
    pub eval: Evaluation,
    /// Update statistics averaged over the epoch (absent before the first update).
    pub losses: Option<UpdateStats>,
}
