//! Training: the collect/update loop, deterministic evaluation, metric streams and checkpoints (the
//! run's config in `config.rs`, its epoch records in `record.rs`).
//!
//! A [`Trainer`] is a pure function of its [`TrainConfig`]: the scenario config (with its world seed), the
//! learner's hyper-parameters, the schedule and one run seed. Training episode `k` uses episode seed
//! `seed·φ + k` (φ = 2^64/golden ratio, so runs of nearby seeds share no episodes); evaluation always
//! replays the same `eval_episodes` episodes (seeds `eval_seed, eval_seed + 1, …`) greedily, with its own
//! random stream, so figures of different epochs and of heuristics compare like for like.

mod config;
pub mod heldout;
mod record;

pub use config::TrainConfig;
#[cfg(test)]
use config::for_scenario;
pub use record::{EpochRecord, Evaluation, history_csv};

use serde::{Deserialize, Serialize};

pub use crate::agent::UpdateSchedule;
use crate::agent::{Learner, UpdateStats};
use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::replay::Transition;
use crate::rng::{Rng, RngState, Stream};
use crate::scenario::{Action, DecisionKey, Env, EpisodeSummary, ScenarioConfig, ScenarioId, run_heuristic_episode};

/// The checkpoint format [`Trainer::save`] writes (metadata `format`). Checkpoints without it come from
/// before scenario configs gained the fields of `docs/readings.md`; [`Trainer::load`] fills those in with
/// the values that keep such a run what it was ([`ScenarioConfig::upgrade_legacy_json`]).
pub const CHECKPOINT_FORMAT: u32 = 2;

/// Training episodes in a row that may end before their first decision before a run gives up.
pub const MAX_EMPTY_EPISODES: u64 = 100;

/// A training run in progress.
pub struct Trainer {
    config: TrainConfig,
    env: Box<dyn Env>,
    eval_env: Box<dyn Env>,
    /// One learner per agent of the scenario (LAD: one per base station).
    learners: Vec<Box<dyn Learner>>,
    /// LAD's latent action per decision position: `N(0, I)` at the start of the run, then the agent's
    /// last output for that position. Empty unless the learner starts chains from latents.
    latents: Vec<f32>,
    actions: usize,
    rng: Rng,
    probs: Vec<f32>,
    progress: RunState,
}

/// Where the run is: counters, the current epoch's figures, the history; saved as is in a checkpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct RunState {
    /// Training episodes started before the current one.
    episode: u64,
    episode_return: f64,
    steps: u64,
    since_collect: usize,
    epoch: u64,
    epoch_returns: Vec<f64>,
    epoch_losses: Vec<UpdateStats>,
    history: Vec<EpochRecord>,
    /// Actions of the current training episode, so a checkpoint can replay the environment to this point.
    episode_actions: Vec<Action>,
}

impl Trainer {
    /// Starts a run (validating the config first).
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        let env = config.scenario.build()?;
        let eval_env = config.scenario.build()?;
        Self::with_envs(config, env, eval_env)
    }

    /// Starts a run on given environments (tests use environments that are not scenarios).
    pub(crate) fn with_envs(config: TrainConfig, env: Box<dyn Env>, eval_env: Box<dyn Env>) -> Result<Self> {
        let space = env.action_space();
        let observation_dim = env.observation_space().dim();
        let mut init = Rng::new(config.seed, Stream::Learner);
        let count = if config.shared_learner { 1 } else { env.agents() };
        let latent_floats = if config.learner.latent_start() { env.positions() * space.vector_dim() } else { 0 };
        // Before anything is allocated: a config past the budget is refused with its estimate.
        config
            .learner
            .memory(observation_dim, &space)
            .times(count)
            .with_latents(latent_floats as u64)
            .check(crate::agent::memory::budget_bytes())?;
        let learners = (0..count)
            .map(|agent| config.learner.build(observation_dim, &space, init.split(agent as u64)))
            .collect::<Result<Vec<_>>>()?;
        let actions = space.vector_dim();
        let latents = if config.learner.latent_start() {
            let mut latents = vec![0.0; env.positions() * actions];
            init.fill_normal_f32(&mut latents);
            latents
        } else {
            Vec::new()
        };
        let mut trainer = Self {
            rng: Rng::new(config.seed, Stream::Exploration),
            env,
            eval_env,
            learners,
            latents,
            actions,
            probs: Vec::new(),
            progress: RunState::default(),
            config,
        };
        trainer.begin_episode()?;
        Ok(trainer)
    }

    /// Resets the training environment for episode `progress.episode`, passing over episodes that end before
    /// their first decision (a flow episode whose sources emit nothing has nothing to learn from, and no
    /// decision to take); an error after [`MAX_EMPTY_EPISODES`] of them in a row.
    fn begin_episode(&mut self) -> Result<()> {
        for _ in 0..MAX_EMPTY_EPISODES {
            let seed = self.episode_seed(self.progress.episode);
            self.env.reset(seed);
            if !self.env.is_done() {
                return Ok(());
            }
            self.progress.episode += 1;
        }
        Err(Error::new(
            "training",
            format!(
                "{MAX_EMPTY_EPISODES} episodes in a row ended before their first decision: this config gives the \
                 learner nothing to decide (raise the arrival rate or the episode length)"
            ),
        ))
    }

    /// The run's config.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Every epoch's record so far.
    pub fn history(&self) -> &[EpochRecord] {
        &self.progress.history
    }

    /// Environment steps taken.
    pub fn env_steps(&self) -> u64 {
        self.progress.steps
    }

    /// Gradient updates done (summed over the agents).
    pub fn updates(&self) -> u64 {
        self.learners.iter().map(|l| l.updates()).sum()
    }

    fn episode_seed(&self, k: u64) -> u64 {
        self.config.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k)
    }

    /// The latent start of decision position `key` (empty without latents).
    fn latent(&self, key: DecisionKey) -> &[f32] {
        if self.latents.is_empty() {
            return &[];
        }
        &self.latents[key.position * self.actions..(key.position + 1) * self.actions]
    }

    /// One environment step with the exploring policy, then the updates the schedule calls for.
    pub fn step(&mut self) -> Result<()> {
        let key = self.env.decision_key();
        let obs = self.env.observation().to_vec();
        let latent = self.latent(key).to_vec();
        let agent = self.learner_of(key);
        let learner = &mut self.learners[agent];
        let action =
            learner.act(&obs, (!latent.is_empty()).then_some(&latent[..]), true, &mut self.rng, &mut self.probs);
        if !self.latents.is_empty() {
            // LAD: the agent's output becomes this position's latent for the next episode.
            self.latents[key.position * self.actions..(key.position + 1) * self.actions].copy_from_slice(&self.probs);
        }
        let step = self.env.step(&action)?;
        self.progress.episode_return += step.reward;
        let next_latent = if step.terminated || step.truncated {
            latent.clone()
        } else {
            self.latent(self.env.decision_key()).to_vec()
        };
        let values = action.to_values();
        self.progress.episode_actions.push(action);
        self.learners[agent].observe(Transition {
            obs,
            action: values,
            reward: step.reward as f32,
            next_obs: self.env.observation().to_vec(),
            terminated: step.terminated,
            truncated: step.truncated,
            latent,
            next_latent,
        });
        if step.terminated || step.truncated {
            self.progress.epoch_returns.push(self.progress.episode_return);
            self.progress.episode_return = 0.0;
            self.progress.episode_actions.clear();
            self.progress.episode += 1;
            self.begin_episode()?;
        }
        self.progress.steps += 1;
        self.progress.since_collect += 1;
        let s = self.config.schedule;
        let due = if s.per_agent_block {
            // The block ends when the next decision (of this or the next episode) is another agent's.
            self.env.decision_key().agent != key.agent || step.terminated || step.truncated
        } else {
            self.progress.since_collect >= s.collect_steps
        };
        if self.progress.steps as usize >= s.warmup_steps && due {
            self.progress.since_collect = 0;
            for _ in 0..s.updates_per_collect {
                if let Some(stats) = self.learners[agent].update(&mut self.rng)? {
                    self.progress.epoch_losses.push(stats);
                }
            }
        }
        Ok(())
    }

    /// Takes `steps` environment steps (with their updates), finishing every epoch it reaches the end of
    /// (evaluation and record); returns the records of those epochs. For callers that must return
    /// often (the browser's worker).
    pub fn advance(&mut self, steps: u64) -> Result<Vec<EpochRecord>> {
        let mut records = Vec::new();
        for _ in 0..steps {
            self.step()?;
            if self.progress.steps.is_multiple_of(self.config.schedule.epoch_steps as u64) {
                records.push(self.finish_epoch()?);
            }
        }
        Ok(records)
    }

    /// Runs the rest of the current epoch (its steps, then an evaluation) and returns its record.
    pub fn run_epoch(&mut self) -> Result<EpochRecord> {
        let epoch_steps = self.config.schedule.epoch_steps as u64;
        let remaining = epoch_steps - self.progress.steps % epoch_steps;
        let mut records = self.advance(remaining)?;
        Ok(records.pop().expect("the last step ends the epoch"))
    }

    /// Evaluates and records the epoch that just ended.
    fn finish_epoch(&mut self) -> Result<EpochRecord> {
        self.progress.epoch += 1;
        let eval = self.evaluate()?;
        let train_return = (!self.progress.epoch_returns.is_empty())
            .then(|| self.progress.epoch_returns.iter().sum::<f64>() / self.progress.epoch_returns.len() as f64);
        let losses = mean_stats(&self.progress.epoch_losses);
        self.progress.epoch_returns.clear();
        self.progress.epoch_losses.clear();
        let record = EpochRecord {
            epoch: self.progress.epoch,
            env_steps: self.progress.steps,
            updates: self.updates(),
            train_return,
            eval,
            losses,
        };
        self.progress.history.push(record.clone());
        Ok(record)
    }

    /// The greedy policy on the evaluation episodes (latent starts are read, not written).
    pub fn evaluate(&mut self) -> Result<Evaluation> {
        let mut rng = Rng::new(self.config.seed, Stream::Evaluation);
        let mut episodes = Vec::new();
        let mut returns = Vec::new();
        for i in 0..self.config.eval_episodes as u64 {
            let summary = self.greedy_episode(self.config.eval_seed.wrapping_add(i), &mut rng)?;
            returns.push(summary.total_reward);
            episodes.push(summary.metrics);
        }
        Ok(Evaluation::from_episodes(&episodes, &returns))
    }

    /// One whole episode with seed `episode_seed` under the greedy learned policy (noise from `rng`).
    pub fn greedy_episode(&mut self, episode_seed: u64, rng: &mut Rng) -> Result<EpisodeSummary> {
        self.eval_env.reset(episode_seed);
        let (mut steps, mut total_reward) = (0, 0.0);
        while !self.eval_env.is_done() {
            let key = self.eval_env.decision_key();
            let obs = self.eval_env.observation();
            let latent = if self.latents.is_empty() {
                None
            } else {
                Some(&self.latents[key.position * self.actions..(key.position + 1) * self.actions])
            };
            let agent = self.learner_of(key);
            let action = self.learners[agent].act(obs, latent, false, rng, &mut self.probs);
            total_reward += self.eval_env.step(&action)?.reward;
            steps += 1;
        }
        Ok(EpisodeSummary { episode_seed, steps, total_reward, metrics: self.eval_env.metrics() })
    }

    /// The whole run as a checkpoint (safetensors bytes): config, every learner, latents, counters.
    pub fn save(&mut self) -> Vec<u8> {
        self.save_into(Checkpoint::new())
    }

    /// The run as a checkpoint with empty replay buffers: what a shipped policy needs (networks, optimiser,
    /// counters, history) at a fraction of the size. Loading it continues the run with an empty replay.
    pub fn save_without_replay(&mut self) -> Vec<u8> {
        self.save_into(Checkpoint::without_replay())
    }

    fn save_into(&mut self, mut ck: Checkpoint) -> Vec<u8> {
        ck.put_state("format", &CHECKPOINT_FORMAT);
        ck.put_state("config", &self.config);
        ck.put_state("trainer", &self.progress);
        ck.put_state("rng", &self.rng.state());
        if !self.latents.is_empty() {
            ck.put("latents", vec![self.latents.len() / self.actions, self.actions], self.latents.clone());
        }
        for (i, learner) in self.learners.iter_mut().enumerate() {
            learner.save(&format!("agent{i}."), &mut ck);
        }
        ck.to_bytes()
    }

    /// A run continued from a checkpoint written by [`Trainer::save`]: it goes on exactly as the saved run
    /// would have.
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let ck = Checkpoint::from_bytes(bytes)?;
        let mut config: serde_json::Value = ck.state("config")?;
        if ck.state::<u32>("format").is_err() {
            // Written before the format was recorded (and before the Readings of docs/readings.md).
            let id = config.pointer("/scenario/scenario").cloned().map(serde_json::from_value::<ScenarioId>);
            if let (Some(Ok(id)), Some(scenario)) = (id, config.get_mut("scenario")) {
                ScenarioConfig::upgrade_legacy_json(id, scenario);
            }
        }
        let config: TrainConfig = serde_json::from_value(config)
            .map_err(|e| Error::new("checkpoint", format!("its config cannot be read: {e}")))?;
        let mut trainer = Self::new(config)?;
        let progress: RunState = ck.state("trainer")?;
        let rng: RngState = ck.state("rng")?;
        if !trainer.latents.is_empty() {
            let shape = [trainer.latents.len() / trainer.actions, trainer.actions];
            trainer.latents.copy_from_slice(ck.get("latents", &shape)?);
        }
        for (i, learner) in trainer.learners.iter_mut().enumerate() {
            learner.load(&format!("agent{i}."), &ck)?;
        }
        trainer.rng = Rng::from_state(&rng).ok_or_else(|| Error::new("checkpoint", "random state is malformed"))?;
        // The environment is deterministic: replay the current episode's actions to reach the saved state.
        let seed = trainer.episode_seed(progress.episode);
        trainer.env.reset(seed);
        for action in &progress.episode_actions {
            trainer
                .env
                .step(action)
                .map_err(|e| Error::new("checkpoint", format!("cannot replay the episode: {e}")))?;
        }
        trainer.progress = progress;
        Ok(trainer)
    }

    /// The learned policy's greedy action for observation `obs` at decision `key` (for playing it in a
    /// simulator), with the evaluation stream's noise.
    pub fn act(&mut self, obs: &[f32], key: DecisionKey, rng: &mut Rng) -> Result<Action> {
        let learner = self.learner_for(key)?;
        let latent = self.latent_at(key);
        Ok(self.learners[learner].act(obs, latent.as_deref(), false, rng, &mut self.probs))
    }

    /// The action distribution after every denoising step for `obs` at decision `key` (`None` without a
    /// diffusion chain).
    pub fn chain(&mut self, obs: &[f32], key: DecisionKey, rng: &mut Rng) -> Result<Option<Vec<Vec<f32>>>> {
        let learner = self.learner_for(key)?;
        let latent = self.latent_at(key);
        Ok(self.learners[learner].chain(obs, latent.as_deref(), rng))
    }

    /// The learner that takes decision `key`'s agent's decisions.
    fn learner_of(&self, key: DecisionKey) -> usize {
        if self.config.shared_learner { 0 } else { key.agent }
    }

    fn learner_for(&self, key: DecisionKey) -> Result<usize> {
        let agents = self.env.agents();
        if key.agent >= agents {
            return Err(Error::new("agent", format!("must be below {agents}, got {}", key.agent)));
        }
        if !self.latents.is_empty() && (key.position + 1) * self.actions > self.latents.len() {
            return Err(Error::new("position", format!("is outside the latent store ({})", key.position)));
        }
        Ok(self.learner_of(key))
    }

    fn latent_at(&self, key: DecisionKey) -> Option<Vec<f32>> {
        (!self.latents.is_empty()).then(|| self.latent(key).to_vec())
    }

    /// Observation width of the scenario.
    pub fn observation_dim(&self) -> usize {
        self.env.observation_space().dim()
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

#[cfg(test)]
mod tests;
