//! What a run reports: each epoch's [`EpochRecord`] with its greedy [`Evaluation`].

use std::fmt::Write as _;

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

impl EpochRecord {
    /// The header of the metrics CSV (`metrics.csv` of a CLI run, the page's history download): counters,
    /// returns, losses, then `eval_<metric>` for each of this record's metrics.
    pub fn csv_header(&self) -> String {
        let mut header =
            "epoch,env_steps,updates,train_return,eval_return,eval_sd,critic_loss,actor_loss,entropy,alpha,mean_q"
                .to_owned();
        for (name, _) in &self.eval.metrics {
            let _ = write!(header, ",eval_{name}");
        }
        header + "\n"
    }

    /// This record as a row of the metrics CSV (an absent figure is an empty cell).
    pub fn csv_row(&self) -> String {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let l = self.losses;
        let mut row = format!(
            "{},{},{},{},{},{},{},{},{},{},{}",
            self.epoch,
            self.env_steps,
            self.updates,
            opt(self.train_return),
            self.eval.mean_return,
            self.eval.sd_return,
            opt(l.map(|l| f64::from(l.critic_loss))),
            opt(l.map(|l| f64::from(l.actor_loss))),
            opt(l.map(|l| f64::from(l.entropy))),
            opt(l.map(|l| f64::from(l.alpha))),
            opt(l.map(|l| f64::from(l.mean_q))),
        );
        for (_, v) in &self.eval.metrics {
            let _ = write!(row, ",{v}");
        }
        row + "\n"
    }
}

/// `history` as the metrics CSV (empty before the first epoch).
pub fn history_csv(history: &[EpochRecord]) -> String {
    let Some(first) = history.first() else { return String::new() };
    history.iter().fold(first.csv_header(), |csv, record| csv + &record.csv_row())
}
