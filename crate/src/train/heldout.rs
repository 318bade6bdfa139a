//! Held-out comparison: trained policies and the scenario's heuristics on the same episodes, none of which
//! any of the runs trained on, stopped at or was selected on, paired episode by episode.
//!
//! A claim that a learned policy beats a heuristic rests on this: for each run (training seed), the paired
//! advantage of its greedy policy over the heuristic on the held-out episodes, with its 95 % interval; across
//! the runs, the mean of those per-run advantages with the interval over runs (Student t, runs − 1 degrees of
//! freedom). The episodes start at [`HELD_OUT_SEED`] by default: a run trains on episode seeds
//! `seed·φ + k` and evaluates (and `--target` stops) on `eval_seed + i` (1 000 000 onwards), and
//! [`Trainer::check_held_out`] refuses any overlap.

use serde::Serialize;

use super::Trainer;
use crate::error::{Error, Result};
use crate::rng::{Rng, Stream};
use crate::scenario::{Goal, Metrics, ScenarioConfig, run_heuristic_episode};
use crate::stats::{Summary, paired_advantages};

/// First episode seed of the held-out episodes unless told otherwise.
pub const HELD_OUT_SEED: u64 = 5_000_000;

impl Trainer {
    /// Errors naming `field` if any of the `count` episode seeds from `first` was a training episode of this
    /// run (so far) or one of its evaluation episodes.
    pub fn check_held_out(&self, field: &str, first: u64, count: u64) -> Result<()> {
        let trained = self.progress.episode; // episodes 0..=trained have been (or are being) played
        let start = self.episode_seed(0);
        let (eval_seed, eval_count) = (self.config.eval_seed, self.config.eval_episodes as u64);
        for k in 0..count {
            let seed = first.wrapping_add(k);
            if seed.wrapping_sub(start) <= trained {
                return Err(Error::new(
                    field,
                    format!("episode seed {seed} is a training episode of the run with seed {}", self.config.seed),
                ));
            }
            if seed.wrapping_sub(eval_seed) < eval_count {
                return Err(Error::new(
                    field,
                    format!("episode seed {seed} is an evaluation episode of the run with seed {}", self.config.seed),
                ));
            }
        }
        Ok(())
    }
}

/// The metrics of `count` greedy episodes of `trainer`'s policy from episode seed `first` (the chain noise,
/// where there is one, from the evaluation stream seeded with `first`).
pub fn learned_episodes(trainer: &mut Trainer, first: u64, count: u64) -> Result<Vec<Metrics>> {
    let mut rng = Rng::new(first, Stream::Evaluation);
    (0..count).map(|k| Ok(trainer.greedy_episode(first.wrapping_add(k), &mut rng)?.metrics)).collect()
}

/// The metrics of `count` episodes of `heuristic` on `config`'s scenario from episode seed `first`.
pub fn heuristic_episodes(config: &ScenarioConfig, heuristic: &str, first: u64, count: u64) -> Result<Vec<Metrics>> {
    let mut env = config.build()?;
    (0..count).map(|k| Ok(run_heuristic_episode(env.as_mut(), heuristic, first.wrapping_add(k))?.metrics)).collect()
}

/// `metric` of every episode, or an error naming `field` if the scenario has no such metric.
pub fn metric_values(field: &str, episodes: &[Metrics], metric: &str) -> Result<Vec<f64>> {
    episodes
        .iter()
        .map(|m| {
            m.get(metric).ok_or_else(|| {
                let known: Vec<&str> = m.0.iter().map(|(n, _)| *n).collect();
                Error::new(field, format!("unknown metric '{metric}' (expected one of: {})", known.join(", ")))
            })
        })
        .collect()
}

/// One run's policy against one heuristic on the held-out episodes.
#[derive(Debug, Clone, Serialize)]
pub struct Versus {
    /// The heuristic.
    pub heuristic: String,
    /// Paired advantage of the policy over the heuristic per episode (positive: the policy is better),
    /// summarised over the episodes.
    pub advantage: Summary,
    /// The 95 % interval of the advantage lies above zero.
    pub beats: bool,
}

/// One trained run on the held-out episodes.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// Where it came from (the checkpoint's path).
    pub label: String,
    /// The run's training seed.
    pub seed: u64,
    /// Its algorithm.
    pub algorithm: String,
    /// Epochs and gradient updates it was trained for.
    pub epochs: u64,
    /// Gradient updates (summed over agents).
    pub updates: u64,
    /// The metric over the held-out episodes.
    pub metric: Summary,
    /// Against each heuristic.
    pub versus: Vec<Versus>,
}

/// A heuristic on the held-out episodes.
#[derive(Debug, Clone, Serialize)]
pub struct HeuristicResult {
    /// The heuristic.
    pub heuristic: String,
    /// The metric over the held-out episodes.
    pub metric: Summary,
}

/// Across runs, against one heuristic.
#[derive(Debug, Clone, Serialize)]
pub struct AcrossRuns {
    /// The heuristic.
    pub heuristic: String,
    /// The runs' mean advantages over the heuristic, summarised over runs (interval: t with runs − 1 df).
    pub advantage: Summary,
    /// Runs whose own paired interval lies above zero.
    pub runs_beating: usize,
}

/// Every run and heuristic on the same held-out episodes, on one metric.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Scenario id.
    pub scenario: &'static str,
    /// The metric compared.
    pub metric: String,
    /// Which way it is better.
    pub goal: Goal,
    /// The held-out episode seeds: `first_seed .. first_seed + episodes`.
    pub first_seed: u64,
    /// Number of held-out episodes.
    pub episodes: u64,
    /// Each run.
    pub runs: Vec<RunResult>,
    /// Each heuristic.
    pub heuristics: Vec<HeuristicResult>,
    /// The policy's metric over the runs (each run's mean over the episodes).
    pub policy: Summary,
    /// Against each heuristic, over the runs.
    pub across_runs: Vec<AcrossRuns>,
}

/// Compares the greedy policies of `runs` (label, trainer; all on one scenario config) with `heuristics` on
/// the `episodes` held-out episodes from `first`, on `metric` (better as `goal` says). Errors if the runs
/// differ in scenario or world, if a held-out episode was used by a run, or if the metric is unknown.
pub fn compare(
    runs: &mut [(String, Trainer)],
    heuristics: &[String],
    first: u64,
    episodes: u64,
    metric: &str,
    goal: Goal,
) -> Result<Comparison> {
    let Some((_, reference)) = runs.first() else {
        return Err(Error::new("--checkpoint", "give at least one checkpoint"));
    };
    let scenario = reference.config().scenario.clone();
    for (label, trainer) in runs.iter() {
        if trainer.config().scenario != scenario {
            return Err(Error::new("--checkpoint", format!("'{label}' was trained on another scenario or world")));
        }
        trainer.check_held_out("--seed", first, episodes)?;
    }
    let mut heuristic_values = Vec::new();
    let mut heuristic_results = Vec::new();
    for h in heuristics {
        let values = metric_values("--metric", &heuristic_episodes(&scenario, h, first, episodes)?, metric)?;
        heuristic_results.push(HeuristicResult { heuristic: h.clone(), metric: Summary::of(&values) });
        heuristic_values.push(values);
    }
    let mut results = Vec::new();
    for (label, trainer) in runs.iter_mut() {
        let values = metric_values("--metric", &learned_episodes(trainer, first, episodes)?, metric)?;
        let versus = heuristics
            .iter()
            .zip(&heuristic_values)
            .map(|(h, reference)| {
                let advantage = Summary::of(&paired_advantages(goal, &values, reference));
                Versus { heuristic: h.clone(), beats: advantage.clear_above_zero(), advantage }
            })
            .collect();
        results.push(RunResult {
            label: label.clone(),
            seed: trainer.config().seed,
            algorithm: trainer.config().algorithm.clone(),
            epochs: trainer.history().len() as u64,
            updates: trainer.updates(),
            metric: Summary::of(&values),
            versus,
        });
    }
    let across_runs = heuristics
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let means: Vec<f64> = results.iter().map(|r| r.versus[i].advantage.mean).collect();
            AcrossRuns {
                heuristic: h.clone(),
                advantage: Summary::of(&means),
                runs_beating: results.iter().filter(|r| r.versus[i].beats).count(),
            }
        })
        .collect();
    let policy_means: Vec<f64> = results.iter().map(|r| r.metric.mean).collect();
    Ok(Comparison {
        scenario: scenario.id().name(),
        metric: metric.to_owned(),
        goal,
        first_seed: first,
        episodes,
        policy: Summary::of(&policy_means),
        runs: results,
        heuristics: heuristic_results,
        across_runs,
    })
}
