//! Training: replay, the collect/update loop, deterministic evaluation, metric streams and checkpoints.
//!
//! A [`Trainer`] is a pure function of its [`TrainConfig`]: the scenario config (with its world seed), the
//! learner's hyper-parameters, the schedule and one run seed. Training episode `k` uses episode seed
//! `seed·φ + k` (φ = 2^64/golden ratio, so runs of nearby seeds share no episodes); evaluation always
//! replays the same `eval_episodes` episodes (seeds `eval_seed, eval_seed + 1, …`) greedily, with its own
//! random stream, so figures of different epochs and of heuristics compare like for like.

pub mod replay;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agent::UpdateStats;
use crate::agent::sac::{Sac, SacConfig};
use crate::error::{Error, Result, check_count};
use crate::nn::cpu::CpuBackend;
use crate::rng::{Rng, Stream};
use crate::scenario::{Action, Env, Metrics, ScenarioConfig, run_heuristic_episode};
use replay::{Batch, NStep, ReplayBuffer, Stored, Transition};

/// When updates happen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Environment steps per epoch; evaluation and the metric record follow each epoch.
    pub epoch_steps: usize,
    /// Steps collected between rounds of updates.
    pub collect_steps: usize,
    /// Updates per round.
    pub updates_per_collect: usize,
    /// Steps collected before the first update.
    pub warmup_steps: usize,
}

impl Schedule {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        check_count("epoch_steps", self.epoch_steps as u64, 1, 10_000_000)?;
        check_count("collect_steps", self.collect_steps as u64, 1, 10_000_000)?;
        check_count("updates_per_collect", self.updates_per_collect as u64, 0, 1_000_000)?;
        check_count("warmup_steps", self.warmup_steps as u64, 0, 100_000_000)?;
        Ok(())
    }
}

/// The learner's hyper-parameters, by family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LearnerConfig {
    /// The discrete soft actor-critic family.
    Sac(SacConfig),
}

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
    pub schedule: Schedule,
    /// The run's seed: network initialisation, exploration, training episodes.
    pub seed: u64,
    /// Episodes per evaluation.
    pub eval_episodes: usize,
    /// Episode seed of the first evaluation episode.
    pub eval_seed: u64,
}

impl TrainConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.scenario.validate()?;
        match &self.learner {
            LearnerConfig::Sac(c) => c.validate().map_err(|e| e.within("learner"))?,
        }
        self.schedule.validate().map_err(|e| e.within("schedule"))?;
        check_count("eval_episodes", self.eval_episodes as u64, 1, 1000)?;
        Ok(())
    }
}

/// Mean and spread of episode figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Evaluation {
    /// Mean episode return.
    pub mean_return: f64,
    /// Sample standard deviation of the episode returns.
    pub sd_return: f64,
    /// The scenario's metrics, averaged over the episodes.
    pub metrics: Vec<(String, f64)>,
}

impl Evaluation {
    fn from_episodes(episodes: &[Metrics], returns: &[f64]) -> Self {
        let n = returns.len() as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let sd = if returns.len() > 1 {
            (returns.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let metrics = episodes[0]
            .0
            .iter()
            .map(|&(name, _)| (name.to_owned(), episodes.iter().filter_map(|m| m.get(name)).sum::<f64>() / n))
            .collect();
        Self { mean_return: mean, sd_return: sd, metrics }
    }
}

/// What one epoch produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// A training run in progress.
pub struct Trainer {
    config: TrainConfig,
    env: Box<dyn Env>,
    eval_env: Box<dyn Env>,
    learner: Sac<CpuBackend>,
    buffer: ReplayBuffer,
    nstep: NStep,
    rng: Rng,
    batch: Batch,
    stored: Vec<Stored>,
    probs: Vec<f32>,
    episode: u64,
    episode_return: f64,
    steps: u64,
    since_collect: usize,
    epoch: u64,
    epoch_returns: Vec<f64>,
    epoch_losses: Vec<UpdateStats>,
    history: Vec<EpochRecord>,
}

impl Trainer {
    /// Starts a run (validating the config first).
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        let env = config.scenario.build()?;
        let eval_env = config.scenario.build()?;
        let actions = env.action_space().discrete_n().ok_or_else(|| {
            Error::new(
                "algorithm",
                format!(
                    "{} needs a discrete action space; {} has {}",
                    config.algorithm,
                    env.id().name(),
                    env.action_space()
                ),
            )
        })?;
        let LearnerConfig::Sac(sac) = &config.learner;
        let learner = Sac::new(
            sac.clone(),
            CpuBackend::new(),
            env.observation_dim(),
            actions,
            Rng::new(config.seed, Stream::Learner),
        )?;
        let buffer = ReplayBuffer::new(sac.buffer_size, env.observation_dim(), 1, 0);
        let nstep = NStep::new(sac.n_step, f64::from(sac.gamma));
        let mut trainer = Self {
            rng: Rng::new(config.seed, Stream::Exploration),
            env,
            eval_env,
            learner,
            buffer,
            nstep,
            batch: Batch::default(),
            stored: Vec::new(),
            probs: Vec::new(),
            episode: 0,
            episode_return: 0.0,
            steps: 0,
            since_collect: 0,
            epoch: 0,
            epoch_returns: Vec::new(),
            epoch_losses: Vec::new(),
            history: Vec::new(),
            config,
        };
        let seed = trainer.episode_seed(0);
        trainer.env.reset(seed);
        Ok(trainer)
    }

    /// The run's config.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Every epoch's record so far.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// Environment steps taken.
    pub fn env_steps(&self) -> u64 {
        self.steps
    }

    /// Gradient updates done.
    pub fn updates(&self) -> u64 {
        self.learner.updates()
    }

    fn episode_seed(&self, k: u64) -> u64 {
        self.config.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k)
    }

    /// One environment step with the exploring policy, then the updates the schedule calls for.
    pub fn step(&mut self) -> Result<()> {
        let obs = self.env.observation().to_vec();
        let action = self.learner.act(&obs, None, true, &mut self.rng, &mut self.probs);
        let step = self.env.step(&Action::Discrete(action))?;
        self.episode_return += step.reward;
        let transition = Transition {
            obs,
            action: vec![action as f32],
            reward: step.reward as f32,
            next_obs: self.env.observation().to_vec(),
            terminated: step.terminated,
            truncated: step.truncated,
            extra: Vec::new(),
            next_extra: Vec::new(),
        };
        self.nstep.push(transition, &mut self.stored);
        for s in self.stored.drain(..) {
            self.buffer.push(&s);
        }
        if step.terminated || step.truncated {
            self.epoch_returns.push(self.episode_return);
            self.episode_return = 0.0;
            self.episode += 1;
            let seed = self.episode_seed(self.episode);
            self.env.reset(seed);
        }
        self.steps += 1;
        self.since_collect += 1;
        let s = self.config.schedule;
        if self.steps as usize >= s.warmup_steps && self.since_collect >= s.collect_steps {
            self.since_collect = 0;
            for _ in 0..s.updates_per_collect {
                self.update()?;
            }
        }
        Ok(())
    }

    /// One gradient update from a fresh replay batch.
    pub fn update(&mut self) -> Result<UpdateStats> {
        self.buffer.sample(self.learner.config().batch_size, &mut self.rng, &mut self.batch);
        let stats = self.learner.update(&self.batch)?;
        self.epoch_losses.push(stats);
        Ok(stats)
    }

    /// Runs a whole epoch (its steps, then an evaluation) and returns its record.
    pub fn run_epoch(&mut self) -> Result<EpochRecord> {
        for _ in 0..self.config.schedule.epoch_steps {
            self.step()?;
        }
        self.epoch += 1;
        let eval = self.evaluate()?;
        let train_return = (!self.epoch_returns.is_empty())
            .then(|| self.epoch_returns.iter().sum::<f64>() / self.epoch_returns.len() as f64);
        let losses = mean_stats(&self.epoch_losses);
        self.epoch_returns.clear();
        self.epoch_losses.clear();
        let record = EpochRecord {
            epoch: self.epoch,
            env_steps: self.steps,
            updates: self.updates(),
            train_return,
            eval,
            losses,
        };
        self.history.push(record.clone());
        Ok(record)
    }

    /// The greedy policy on the evaluation episodes.
    pub fn evaluate(&mut self) -> Result<Evaluation> {
        let mut rng = Rng::new(self.config.seed, Stream::Evaluation);
        let mut episodes = Vec::new();
        let mut returns = Vec::new();
        for i in 0..self.config.eval_episodes as u64 {
            self.eval_env.reset(self.config.eval_seed.wrapping_add(i));
            let mut total = 0.0;
            while !self.eval_env.is_done() {
                let obs = self.eval_env.observation().to_vec();
                let action = self.learner.act(&obs, None, false, &mut rng, &mut self.probs);
                total += self.eval_env.step(&Action::Discrete(action))?.reward;
            }
            episodes.push(self.eval_env.metrics());
            returns.push(total);
        }
        Ok(Evaluation::from_episodes(&episodes, &returns))
    }

    /// A heuristic of the scenario on the same evaluation episodes (the level to beat).
    pub fn evaluate_heuristic(&mut self, policy: &str) -> Result<Evaluation> {
        let mut episodes = Vec::new();
        let mut returns = Vec::new();
        for i in 0..self.config.eval_episodes as u64 {
            let summary = run_heuristic_episode(self.eval_env.as_mut(), policy, self.config.eval_seed.wrapping_add(i))?;
            returns.push(summary.total_reward);
            episodes.push(summary.metrics);
        }
        Ok(Evaluation::from_episodes(&episodes, &returns))
    }
}

fn mean_stats(all: &[UpdateStats]) -> Option<UpdateStats> {
    if all.is_empty() {
        return None;
    }
    let n = all.len() as f32;
    let sum = |f: fn(&UpdateStats) -> f32| all.iter().map(f).sum::<f32>() / n;
    Some(UpdateStats {
        critic_loss: sum(|s| s.critic_loss),
        actor_loss: sum(|s| s.actor_loss),
        entropy: sum(|s| s.entropy),
        alpha: sum(|s| s.alpha),
        mean_q: sum(|s| s.mean_q),
    })
}
