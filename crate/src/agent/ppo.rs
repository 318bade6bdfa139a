//! PPO for discrete actions (Schulman et al. 2017): the papers' on-policy baseline.
//!
//! An actor (state → logits, π = softmax) and a critic (state → V), separate MLPs trained together by one
//! Adam optimiser over one flat parameter vector. The learner keeps its own rollout of the last
//! `rollout_steps` transitions; [`Learner::update`] does nothing until it is full, then, read top to bottom
//! in `Ppo::train_rollout`:
//! 1. the rollout under the current networks: `log π_old(a|s)`, `V(s)`, `V(s')`, and GAE(γ, λ) advantages
//!    `Â` with returns `Â + V(s)` (bootstrapping from `V(s')` after a truncation and at the rollout's end,
//!    not after a termination);
//! 2. `epochs` passes over the rollout in shuffled minibatches, each one step of
//!    `L = −mean(min(ρÂ, clip(ρ, 1 ± ε)Â)) + c_V·mean((V − R)²) − c_H·mean(H(π))`, `ρ = π(a|s)/π_old(a|s)`,
//!    with the global gradient norm clipped before Adam;
//! 3. the rollout is emptied (on-policy: the next one is collected by the new policy).
//!
//! Acting samples from π while exploring and takes its most likely action in evaluation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::memory::{self, MemoryEstimate};
use super::{Learner, UpdateStats, argmax, sample_index};
use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result, check_count, check_range};
use crate::nn::{Activation, AdamConfig, Mlp, MlpWork, PpoLoss, PpoOps, Trainable};
use crate::replay::Transition;
use crate::rng::Rng;
use crate::spaces::Action;

/// Hyper-parameters of PPO. `Default` is the reference code's PPO for `asp` (AGOD `benchmark/ppo.py`,
/// tianshou's `PPOPolicy`): one full-batch gradient step per 1000 collected steps. Presets in
/// `agent::presets` (the fast one takes more, smaller steps per rollout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PpoConfig {
    /// Hidden widths of the actor and of the critic: 256-256. (The reference shares one such trunk
    /// between two linear heads; here each has its own.)
    pub hidden: Vec<usize>,
    /// Hidden activation: Mish.
    pub activation: Activation,
    /// Orthogonal weights (gain 1) and zero biases, as the reference initialises; else PyTorch's default.
    pub orthogonal_init: bool,
    /// Adam learning rate: 1e−3.
    pub lr: f32,
    /// Adam weight decay: 1e−4.
    pub weight_decay: f32,
    /// Discount γ: 0.95.
    pub gamma: f32,
    /// GAE λ: 0.95.
    pub gae_lambda: f32,
    /// Clip range ε of the probability ratio: 0.2.
    pub clip: f32,
    /// Weight of the value loss: 0.5.
    pub value_coef: f32,
    /// Weight of the entropy bonus: 0.
    pub entropy_coef: f32,
    /// Largest global L2 norm of the gradient: 0.5.
    pub max_grad_norm: f32,
    /// Standardise the advantages of each minibatch: off, as in the reference.
    pub normalize_advantage: bool,
    /// Transitions collected per update: 1000 (the reference's `step_per_collect`).
    pub rollout_steps: usize,
    /// Passes over the rollout per update: 1 (the reference's `repeat_per_collect`).
    pub epochs: usize,
    /// Transitions per gradient step; must divide `rollout_steps`: 1000, the whole rollout (the reference's
    /// batch size of 99999 takes all of it).
    pub minibatch_size: usize,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            hidden: vec![256, 256],
            activation: Activation::Mish,
            orthogonal_init: true,
            lr: 1e-3,
            weight_decay: 1e-4,
            gamma: 0.95,
            gae_lambda: 0.95,
            clip: 0.2,
            value_coef: 0.5,
            entropy_coef: 0.0,
            max_grad_norm: 0.5,
            normalize_advantage: false,
            rollout_steps: 1000,
            epochs: 1,
            minibatch_size: 1000,
        }
    }
}

impl PpoConfig {
    /// Its memory for observations of `obs_dim` and `actions` choices, before it is built.
    pub fn memory(&self, obs_dim: usize, actions: usize) -> MemoryEstimate {
        let widths = |out: usize| -> Vec<usize> {
            std::iter::once(obs_dim).chain(self.hidden.iter().copied()).chain([out]).collect()
        };
        let weights = memory::mlp_parameters(&widths(actions)) + memory::mlp_parameters(&widths(1));
        let activations = memory::mlp_activations(&widths(actions), self.minibatch_size)
            + memory::mlp_activations(&widths(1), self.minibatch_size);
        // The rollout: observations, actions, rewards, values, log-probabilities, done flags.
        let rollout = self.rollout_steps as u64 * (2 * obs_dim as u64 + 5);
        MemoryEstimate::new(weights, weights, activations, rollout)
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        super::check_widths("hidden", &self.hidden)?;
        check_range("lr", f64::from(self.lr), 0.0, 1.0)?;
        check_range("weight_decay", f64::from(self.weight_decay), 0.0, 1.0)?;
        check_range("gamma", f64::from(self.gamma), 0.0, 1.0)?;
        check_range("gae_lambda", f64::from(self.gae_lambda), 0.0, 1.0)?;
        check_range("clip", f64::from(self.clip), 1.0e-6, 1.0)?;
        check_range("value_coef", f64::from(self.value_coef), 0.0, 1000.0)?;
        check_range("entropy_coef", f64::from(self.entropy_coef), 0.0, 100.0)?;
        check_range("max_grad_norm", f64::from(self.max_grad_norm), 1.0e-6, 1e9)?;
        // Row numbers travel as f32 (exact below 2^24).
        check_count("rollout_steps", self.rollout_steps as u64, 1, 1_000_000)?;
        check_count("epochs", self.epochs as u64, 1, 1000)?;
        check_count("minibatch_size", self.minibatch_size as u64, 1, self.rollout_steps as u64)?;
        if !self.rollout_steps.is_multiple_of(self.minibatch_size) {
            return Err(Error::new(
                "minibatch_size",
                format!("must divide rollout_steps ({}), got {}", self.rollout_steps, self.minibatch_size),
            ));
        }
        Ok(())
    }
}

/// Stats slots: policy loss (loss, entropy, approximate KL, clip fraction), value loss (MSE, mean V), norm.
const POLICY: usize = 0;
const VALUE: usize = 4;
const NORM: usize = 6;

/// The transitions collected since the last update, in time order (host side).
#[derive(Debug, Clone, Default)]
struct Rollout {
    len: usize,
    obs: Vec<f32>,
    next_obs: Vec<f32>,
    action: Vec<f32>,
    reward: Vec<f32>,
    terminated: Vec<f32>,
    ends: Vec<f32>,
}

impl Rollout {
    fn flag(on: bool) -> f32 {
        if on { 1.0 } else { 0.0 }
    }

    /// Appends `t`; at `capacity` the oldest transition goes first, so the rollout stays the latest
    /// contiguous stretch of experience (its advantages only look forward).
    fn push(&mut self, t: &Transition, capacity: usize) {
        if self.len == capacity {
            let d = t.obs.len();
            self.obs.drain(..d);
            self.next_obs.drain(..d);
            for v in [&mut self.action, &mut self.reward, &mut self.terminated, &mut self.ends] {
                v.remove(0);
            }
            self.len -= 1;
        }
        self.obs.extend_from_slice(&t.obs);
        self.next_obs.extend_from_slice(&t.next_obs);
        self.action.push(t.action[0]);
        self.reward.push(t.reward);
        self.terminated.push(Self::flag(t.terminated));
        self.ends.push(Self::flag(t.terminated || t.truncated));
        self.len += 1;
    }

    /// The columns by name with their widths (`obs_dim` for the observations, else 1).
    fn columns(&mut self, obs_dim: usize) -> [(&'static str, &mut Vec<f32>, usize); 6] {
        [
            ("obs", &mut self.obs, obs_dim),
            ("next_obs", &mut self.next_obs, obs_dim),
            ("action", &mut self.action, 1),
            ("reward", &mut self.reward, 1),
            ("terminated", &mut self.terminated, 1),
            ("ends", &mut self.ends, 1),
        ]
    }

    /// Saves the columns as tensors `<prefix>.<column>` (`len × width`).
    fn save(&mut self, prefix: &str, ck: &mut Checkpoint, obs_dim: usize) {
        let len = self.len;
        for (name, column, width) in self.columns(obs_dim) {
            ck.put(format!("{prefix}.{name}"), vec![len, width], column.clone());
        }
    }

    /// Restores columns saved by [`Rollout::save`] (at most `capacity` transitions of `obs_dim`).
    fn load(&mut self, prefix: &str, ck: &Checkpoint, obs_dim: usize, capacity: usize) -> Result<()> {
        let (shape, _) = ck.get_any(&format!("{prefix}.action"))?;
        let len = shape.first().copied().unwrap_or(0);
        if len > capacity {
            return Err(Error::new(
                "checkpoint",
                format!("rollout '{prefix}' holds {len} steps; at most {capacity} fit"),
            ));
        }
        for (name, column, width) in self.columns(obs_dim) {
            *column = ck.get(&format!("{prefix}.{name}"), &[len, width])?.to_vec();
        }
        self.len = len;
        Ok(())
    }

    fn clear(&mut self) {
        self.len = 0;
        for v in [
            &mut self.obs,
            &mut self.next_obs,
            &mut self.action,
            &mut self.reward,
            &mut self.terminated,
            &mut self.ends,
        ] {
            v.clear();
        }
    }
}

/// The rollout on the backend (`rollout_steps` rows) and what step 1 computes from it.
struct RolloutMatrices<B: PpoOps> {
    obs: B::Matrix,
    next_obs: B::Matrix,
    actions: B::Matrix,
    rewards: B::Matrix,
    terminated: B::Matrix,
    ends: B::Matrix,
    old_log_prob: B::Matrix,
    advantages: B::Matrix,
    returns: B::Matrix,
    actor: MlpWork<B>,
    value: MlpWork<B>,
    next_value: MlpWork<B>,
}

/// One minibatch gathered from the rollout (`minibatch_size` rows).
struct Minibatch<B: PpoOps> {
    index: B::Matrix,
    obs: B::Matrix,
    actions: B::Matrix,
    old_log_prob: B::Matrix,
    advantages: B::Matrix,
    returns: B::Matrix,
    actor: MlpWork<B>,
    critic: MlpWork<B>,
}

/// A PPO learner.
pub struct Ppo<B: PpoOps> {
    config: PpoConfig,
    backend: B,
    actor: Mlp,
    critic: Mlp,
    weights: Trainable<B>,
    updates: u64,
    gradient_steps: u64,
    rollout: Rollout,
    roll: RolloutMatrices<B>,
    mb: Minibatch<B>,
    /// The rollout's row numbers, reshuffled every epoch.
    order: Vec<usize>,
    index: Vec<f32>,
    act_obs: B::Matrix,
    act_work: MlpWork<B>,
    act_probs: B::Matrix,
    stats: B::Vector,
}

impl<B: PpoOps> Ppo<B> {
    /// A learner for `obs_dim` observations and `actions` choices, initialised from `rng`.
    pub fn new(config: PpoConfig, mut backend: B, obs_dim: usize, actions: usize, mut rng: Rng) -> Result<Self> {
        config.validate()?;
        let widths = |out: usize| -> Vec<usize> {
            std::iter::once(obs_dim).chain(config.hidden.iter().copied()).chain([out]).collect()
        };
        let actor = Mlp::new(&widths(actions), config.activation, Activation::Identity, 0);
        let critic = Mlp::new(&widths(1), config.activation, Activation::Identity, actor.len());
        let mut init = vec![0.0; actor.len() + critic.len()];
        for net in [&actor, &critic] {
            if config.orthogonal_init {
                net.init_orthogonal(&mut init, &mut rng, 1.0);
            } else {
                net.init(&mut init, &mut rng);
            }
        }
        let weights = Trainable::new(&mut backend, &init);
        let (n, m) = (config.rollout_steps, config.minibatch_size);
        let b = &mut backend;
        let roll = RolloutMatrices {
            obs: b.matrix(n, obs_dim),
            next_obs: b.matrix(n, obs_dim),
            actions: b.matrix(n, 1),
            rewards: b.matrix(n, 1),
            terminated: b.matrix(n, 1),
            ends: b.matrix(n, 1),
            old_log_prob: b.matrix(n, 1),
            advantages: b.matrix(n, 1),
            returns: b.matrix(n, 1),
            actor: actor.workspace(b, n),
            value: critic.workspace(b, n),
            next_value: critic.workspace(b, n),
        };
        let mb = Minibatch {
            index: b.matrix(m, 1),
            obs: b.matrix(m, obs_dim),
            actions: b.matrix(m, 1),
            old_log_prob: b.matrix(m, 1),
            advantages: b.matrix(m, 1),
            returns: b.matrix(m, 1),
            actor: actor.workspace(b, m),
            critic: critic.workspace(b, m),
        };
        Ok(Self {
            updates: 0,
            gradient_steps: 0,
            rollout: Rollout::default(),
            order: (0..n).collect(),
            index: Vec::with_capacity(m),
            act_obs: b.matrix(1, obs_dim),
            act_work: actor.workspace(b, 1),
            act_probs: b.matrix(1, actions),
            stats: b.vector(NORM + 1),
            roll,
            mb,
            weights,
            actor,
            critic,
            config,
            backend,
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &PpoConfig {
        &self.config
    }

    /// Transitions waiting in the rollout.
    pub fn rollout_len(&self) -> usize {
        self.rollout.len
    }

    /// Gradient (minibatch) steps taken so far; [`Learner::updates`] counts whole rollouts.
    pub fn gradient_steps(&self) -> u64 {
        self.gradient_steps
    }

    /// π(·|obs) into `probs`.
    pub fn policy_probs(&mut self, obs: &[f32], probs: &mut Vec<f32>) {
        let b = &mut self.backend;
        b.write_matrix(&mut self.act_obs, obs);
        self.actor.infer(b, &self.weights.value, &self.act_obs, &mut self.act_work);
        b.softmax_rows(self.act_work.output(), &mut self.act_probs);
        probs.clear();
        probs.extend(b.read_matrix(&self.act_probs));
    }

    /// The update on the full rollout (steps 1–3 of the module docs); `rng` shuffles the minibatches. The
    /// stats are those of the last minibatch.
    fn train_rollout(&mut self, rng: &mut Rng) -> Result<UpdateStats> {
        let c = &self.config;
        let b = &mut self.backend;
        let (roll, mb, p) = (&mut self.roll, &mut self.mb, &mut self.weights);

        // 1. The rollout under the networks that collected it.
        b.write_matrix(&mut roll.obs, &self.rollout.obs);
        b.write_matrix(&mut roll.next_obs, &self.rollout.next_obs);
        b.write_matrix(&mut roll.actions, &self.rollout.action);
        b.write_matrix(&mut roll.rewards, &self.rollout.reward);
        b.write_matrix(&mut roll.terminated, &self.rollout.terminated);
        b.write_matrix(&mut roll.ends, &self.rollout.ends);
        self.actor.infer(b, &p.value, &roll.obs, &mut roll.actor);
        b.action_log_prob(roll.actor.output(), &roll.actions, &mut roll.old_log_prob);
        self.critic.infer(b, &p.value, &roll.obs, &mut roll.value);
        self.critic.infer(b, &p.value, &roll.next_obs, &mut roll.next_value);
        b.gae(
            &roll.rewards,
            roll.value.output(),
            roll.next_value.output(),
            &roll.terminated,
            &roll.ends,
            c.gamma,
            c.gae_lambda,
            &mut roll.advantages,
            &mut roll.returns,
        );

        // 2. Epochs of shuffled minibatches.
        let loss = PpoLoss { clip: c.clip, entropy_coef: c.entropy_coef, normalize_advantage: c.normalize_advantage };
        let adam = AdamConfig::new(c.lr, c.weight_decay);
        for _ in 0..c.epochs {
            rng.shuffle(&mut self.order);
            for rows in self.order.chunks_exact(c.minibatch_size) {
                self.index.clear();
                self.index.extend(rows.iter().map(|&i| i as f32));
                b.write_matrix(&mut mb.index, &self.index);
                b.gather_rows(&roll.obs, &mb.index, &mut mb.obs);
                b.gather_rows(&roll.actions, &mb.index, &mut mb.actions);
                b.gather_rows(&roll.old_log_prob, &mb.index, &mut mb.old_log_prob);
                b.gather_rows(&roll.advantages, &mb.index, &mut mb.advantages);
                b.gather_rows(&roll.returns, &mb.index, &mut mb.returns);

                self.actor.forward(b, &p.value, &mb.obs, &mut mb.actor);
                let (logits, dlogits) = mb.actor.output_and_grad();
                b.ppo_policy_loss(
                    logits,
                    &mb.actions,
                    &mb.old_log_prob,
                    &mb.advantages,
                    &loss,
                    dlogits,
                    &mut self.stats,
                    POLICY,
                );
                self.critic.forward(b, &p.value, &mb.obs, &mut mb.critic);
                let (values, dv) = mb.critic.output_and_grad();
                b.value_mse(values, &mb.returns, c.value_coef, dv, &mut self.stats, VALUE);
                p.zero_grad(b);
                self.actor.backward(b, &p.value, &mb.obs, &mut mb.actor, &mut p.grad, None);
                self.critic.backward(b, &p.value, &mb.obs, &mut mb.critic, &mut p.grad, None);
                b.clip_grad_norm(&mut p.grad, c.max_grad_norm, &mut self.stats, NORM);
                self.gradient_steps += 1;
                p.adam(b, self.gradient_steps, &adam);
            }
        }

        // 3. On-policy: start a new rollout.
        self.rollout.clear();
        self.updates += 1;
        let stats = b.read_vector(&self.stats);
        let out = UpdateStats {
            critic_loss: stats[VALUE],
            actor_loss: stats[POLICY],
            entropy: stats[POLICY + 1],
            alpha: 0.0,
            mean_q: stats[VALUE + 1],
        };
        out.check(self.updates)?;
        Ok(out)
    }
}

impl<B: PpoOps> Learner for Ppo<B> {
    /// Sampled from π when `explore`, else π's most likely action.
    fn act(
        &mut self,
        obs: &[f32],
        _latent: Option<&[f32]>,
        explore: bool,
        rng: &mut Rng,
        probs: &mut Vec<f32>,
    ) -> Action {
        self.policy_probs(obs, probs);
        Action::Discrete(if explore { sample_index(probs, rng) } else { argmax(probs) })
    }

    fn observe(&mut self, transition: Transition) {
        self.rollout.push(&transition, self.config.rollout_steps);
    }

    /// The epochs over the rollout once it holds `rollout_steps` transitions; `None` before.
    fn update(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        if self.rollout.len < self.config.rollout_steps {
            return Ok(None);
        }
        self.train_rollout(rng).map(Some)
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn save(&mut self, prefix: &str, ck: &mut Checkpoint) {
        let b = &mut self.backend;
        let weights = b.read_vector(&self.weights.value);
        ck.put_mlp(&format!("{prefix}actor"), &self.actor, &weights);
        ck.put_mlp(&format!("{prefix}critic"), &self.critic, &weights);
        let (m, v) = (b.read_vector(&self.weights.m), b.read_vector(&self.weights.v));
        ck.put(format!("{prefix}optim.m"), vec![m.len()], m);
        ck.put(format!("{prefix}optim.v"), vec![v.len()], v);
        self.rollout.save(&format!("{prefix}rollout"), ck, self.actor.inputs());
        let state = PpoState { updates: self.updates, gradient_steps: self.gradient_steps, order: self.order.clone() };
        ck.put_state(format!("{prefix}ppo"), &state);
    }

    fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        let b = &mut self.backend;
        let mut weights = vec![0.0; self.actor.len() + self.critic.len()];
        ck.get_mlp(&format!("{prefix}actor"), &self.actor, &mut weights)?;
        ck.get_mlp(&format!("{prefix}critic"), &self.critic, &mut weights)?;
        b.write_vector(&mut self.weights.value, &weights);
        b.write_vector(&mut self.weights.m, ck.get(&format!("{prefix}optim.m"), &[weights.len()])?);
        b.write_vector(&mut self.weights.v, ck.get(&format!("{prefix}optim.v"), &[weights.len()])?);
        let obs_dim = self.actor.inputs();
        self.rollout.load(&format!("{prefix}rollout"), ck, obs_dim, self.config.rollout_steps)?;
        let state: PpoState = ck.state(&format!("{prefix}ppo"))?;
        let mut sorted = state.order.clone();
        sorted.sort_unstable();
        if !sorted.iter().copied().eq(0..self.config.rollout_steps) {
            return Err(Error::new("checkpoint", format!("'{prefix}ppo' does not hold an order of this rollout")));
        }
        (self.updates, self.gradient_steps, self.order) = (state.updates, state.gradient_steps, state.order);
        Ok(())
    }
}

/// The counters of a [`Ppo`] learner and its minibatch order, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PpoState {
    updates: u64,
    gradient_steps: u64,
    order: Vec<usize>,
}
