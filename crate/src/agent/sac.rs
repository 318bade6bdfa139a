//! Discrete soft actor-critic with a diffusion (or MLP) policy: D2SAC and its relatives.
//!
//! One implementation; the papers' variants are presets of [`SacConfig`] (`agent::presets`):
//! `d2sac` (asp), `lad` (lad), `dsac` (tot), `flowdiff` (flow), and the MLP-actor baseline `sac_discrete`.
//!
//! An update, read top to bottom in [`Sac::update`]:
//! 1. target: `y = R_n + γ^n·(Σ_a π'(a|s')·min Q'(s',a) + α·H(π'))` — π' from the target actor or the
//!    current one, the entropy term only where the preset says so;
//! 2. critics: MSE of `Q1(s,a)`, `Q2(s,a)` to `y`, one Adam step over both;
//! 3. actor: `−mean(α·H(π) + Σ_a π(a|s)·min Q(s,a))` with the updated critics frozen, backward through
//!    every denoising step, one Adam step;
//! 4. α (when auto-tuned): LAD's rule, `log α −= lr·α·(H − H_target)` through a scalar Adam ([`ScalarAdam`]);
//! 5. soft updates of the targets with τ.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::memory::{self, MemoryEstimate};
use super::{Learner, UpdateStats, argmax, sample_index};
use crate::checkpoint::Checkpoint;
use crate::diffusion::{ChainWork, DiffusionActor, DiffusionConfig};
use crate::error::{Error, Result};
use crate::nn::{Activation, AdamConfig, Mlp, MlpWork, PolicyOutput, SacOps, ScalarAdam, Trainable, vector_from};
use crate::replay::{Batch, Experience, Transition};
use crate::rng::{Rng, RngState};
use crate::spaces::Action;

/// The policy network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActorConfig {
    /// A conditional DDPM; π = softmax(x_0).
    Diffusion(DiffusionConfig),
    /// An MLP from the state to the logits (the `sac_discrete` baseline).
    Mlp {
        /// Hidden widths.
        hidden: Vec<usize>,
        /// Hidden activation.
        activation: Activation,
    },
}

/// Automatic tuning of the entropy temperature α (LAD).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlphaTuning {
    /// Learning rate of `log α`.
    pub lr: f32,
    /// Target entropy.
    pub target_entropy: f32,
}

/// Hyper-parameters of the discrete soft actor-critic family; presets in `agent::presets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SacConfig {
    /// The policy network.
    pub actor: ActorConfig,
    /// Hidden widths of each critic (state → Q of every action).
    pub critic_hidden: Vec<usize>,
    /// Hidden activation of the critics.
    pub critic_activation: Activation,
    /// Entropy temperature α (the start value when tuned).
    pub alpha: f32,
    /// Tune α towards a target entropy.
    pub alpha_tuning: Option<AlphaTuning>,
    /// Actor learning rate.
    pub actor_lr: f32,
    /// Critic learning rate.
    pub critic_lr: f32,
    /// Adam weight decay (both networks).
    pub weight_decay: f32,
    /// Discount γ.
    pub gamma: f32,
    /// Soft-update rate τ.
    pub tau: f32,
    /// Transitions per update.
    pub batch_size: usize,
    /// Replay capacity.
    pub buffer_size: usize,
    /// n of the n-step return.
    pub n_step: usize,
    /// Use a target actor for π' (else the current actor).
    pub target_actor: bool,
    /// Add `α·H(π')` to the bootstrap value (SAC-discrete).
    pub entropy_in_target: bool,
    /// Start each chain from the stored latent action of the decision position (LAD).
    pub latent_start: bool,
    /// Transitions the replay buffer must hold before updates start (LAD's per-agent `minimal_size`).
    pub min_replay: usize,
    /// Rewards are multiplied by this before they are learned from (SAC's reward scale): it sets how far
    /// the critic's values spread against the entropy bonus `α·H`. 1 in every paper preset.
    #[serde(default = "unit_reward_scale")]
    pub reward_scale: f32,
}

fn unit_reward_scale() -> f32 {
    1.0
}

impl SacConfig {
    /// Its memory for observations of `obs_dim` and `actions` choices, before it is built.
    pub fn memory(&self, obs_dim: usize, actions: usize) -> MemoryEstimate {
        let rows = self.batch_size;
        let (actor, actor_activations) = match &self.actor {
            ActorConfig::Diffusion(d) => (
                DiffusionActor::new(d.clone(), obs_dim, actions).len(),
                memory::diffusion_activations(d, obs_dim, actions, rows),
            ),
            ActorConfig::Mlp { hidden, .. } => {
                let widths: Vec<usize> =
                    std::iter::once(obs_dim).chain(hidden.iter().copied()).chain([actions]).collect();
                (memory::mlp_parameters(&widths), memory::mlp_activations(&widths, rows))
            }
        };
        let widths: Vec<usize> =
            std::iter::once(obs_dim).chain(self.critic_hidden.iter().copied()).chain([actions]).collect();
        let critics = 2 * memory::mlp_parameters(&widths);
        // The actor on the batch and on the next states; both critics; the targets of each.
        let activations = 2 * actor_activations + 2 * memory::mlp_activations(&widths, rows);
        let held = actor * (1 + usize::from(self.target_actor)) + 2 * critics;
        let latent = if self.latent_start { actions } else { 0 };
        MemoryEstimate::new(
            actor + critics,
            held,
            activations,
            memory::replay_floats(self.buffer_size, obs_dim, 1, latent),
        )
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        use crate::error::{check_count, check_range};
        match &self.actor {
            ActorConfig::Diffusion(d) => {
                check_count("actor.steps", d.steps as u64, 1, 100)?;
                check_count("actor.hidden", d.hidden as u64, 1, 4096)?;
            }
            ActorConfig::Mlp { hidden, .. } => {
                super::check_widths("actor.hidden", hidden)?;
            }
        }
        super::check_widths("critic_hidden", &self.critic_hidden)?;
        check_range("alpha", f64::from(self.alpha), 0.0, 100.0)?;
        if let Some(t) = &self.alpha_tuning {
            check_range("alpha_tuning.lr", f64::from(t.lr), 0.0, 1.0)?;
            check_range("alpha_tuning.target_entropy", f64::from(t.target_entropy), -1e3, 1e3)?;
            if self.alpha <= 0.0 {
                return Err(Error::new("alpha", "must be positive when it is tuned (its logarithm is learned)"));
            }
        }
        check_range("actor_lr", f64::from(self.actor_lr), 0.0, 1.0)?;
        check_range("critic_lr", f64::from(self.critic_lr), 0.0, 1.0)?;
        check_range("weight_decay", f64::from(self.weight_decay), 0.0, 1.0)?;
        check_range("gamma", f64::from(self.gamma), 0.0, 1.0)?;
        check_range("tau", f64::from(self.tau), 0.0, 1.0)?;
        check_count("batch_size", self.batch_size as u64, 1, 65_536)?;
        check_count("buffer_size", self.buffer_size as u64, 1, 10_000_000)?;
        check_count("n_step", self.n_step as u64, 1, 100)?;
        check_count("min_replay", self.min_replay as u64, 0, self.buffer_size as u64)?;
        crate::error::check_range("reward_scale", f64::from(self.reward_scale), 1.0e-6, 1e6)?;
        if self.latent_start && !matches!(self.actor, ActorConfig::Diffusion(_)) {
            return Err(Error::new("latent_start", "needs a diffusion actor"));
        }
        Ok(())
    }
}

/// The policy: its network and the buffers of its forward/backward passes (one per learner, so the size
/// difference between the variants does not matter).
#[allow(clippy::large_enum_variant)]
enum Policy<B: SacOps> {
    Diffusion { actor: DiffusionActor, act: ChainWork<B>, train: ChainWork<B>, next: ChainWork<B> },
    Mlp { mlp: Mlp, act: MlpWork<B>, train: MlpWork<B>, next: MlpWork<B> },
}

/// Stats slots written by the loss kernels.
const CRITIC1: usize = 0;
const CRITIC2: usize = 2;
const ACTOR: usize = 4;

/// A discrete soft actor-critic learner.
pub struct Sac<B: SacOps> {
    config: SacConfig,
    backend: B,
    obs_dim: usize,
    actions: usize,
    /// Logits (π = softmax) or, for LAD's softmax denoiser, probabilities.
    output: PolicyOutput,
    policy: Policy<B>,
    actor: Trainable<B>,
    /// The target actor that π' comes from, where the preset has one (else π' is the current actor).
    actor_target: Option<B::Vector>,
    q1: Mlp,
    q2: Mlp,
    /// Both critics' parameters in one vector (`q1` first), trained by one Adam step.
    critic: Trainable<B>,
    critic_target: B::Vector,
    log_alpha: f32,
    /// The optimiser of `log_alpha` (used when α is tuned).
    alpha_adam: ScalarAdam,
    updates: u64,
    rng: Rng,
    experience: Experience,
    // Batch buffers.
    obs: B::Matrix,
    next_obs: B::Matrix,
    taken: B::Matrix,
    returns: B::Matrix,
    discounts: B::Matrix,
    target: B::Matrix,
    q_min: B::Matrix,
    dlogits: B::Matrix,
    q_work: [MlpWork<B>; 2],
    act_obs: B::Matrix,
    act_probs: B::Matrix,
    stats: B::Vector,
}

impl<B: SacOps> Sac<B> {
    /// A learner for `obs_dim` observations and `actions` choices, initialised from `rng`.
    pub fn new(config: SacConfig, mut backend: B, obs_dim: usize, actions: usize, mut rng: Rng) -> Result<Self> {
        config.validate()?;
        let rows = config.batch_size;
        let (policy, init) = match &config.actor {
            ActorConfig::Diffusion(d) => {
                let actor = DiffusionActor::new(d.clone(), obs_dim, actions);
                let mut init = vec![0.0; actor.len()];
                actor.init(&mut init, &mut rng);
                let act = actor.workspace(&mut backend, 1);
                let train = actor.workspace(&mut backend, rows);
                let next = actor.workspace(&mut backend, rows);
                (Policy::Diffusion { actor, act, train, next }, init)
            }
            ActorConfig::Mlp { hidden, activation } => {
                let widths: Vec<usize> =
                    std::iter::once(obs_dim).chain(hidden.iter().copied()).chain([actions]).collect();
                let mlp = Mlp::new(&widths, *activation, Activation::Identity, 0);
                let mut init = vec![0.0; mlp.len()];
                mlp.init(&mut init, &mut rng);
                let act = mlp.workspace(&mut backend, 1);
                let train = mlp.workspace(&mut backend, rows);
                let next = mlp.workspace(&mut backend, rows);
                (Policy::Mlp { mlp, act, train, next }, init)
            }
        };
        let actor = Trainable::new(&mut backend, &init);
        let actor_target = config.target_actor.then(|| vector_from(&mut backend, &init));
        let widths: Vec<usize> =
            std::iter::once(obs_dim).chain(config.critic_hidden.iter().copied()).chain([actions]).collect();
        let q1 = Mlp::new(&widths, config.critic_activation, Activation::Identity, 0);
        let q2 = Mlp::new(&widths, config.critic_activation, Activation::Identity, q1.len());
        let mut init = vec![0.0; q1.len() + q2.len()];
        q1.init(&mut init, &mut rng);
        q2.init(&mut init, &mut rng);
        let critic = Trainable::new(&mut backend, &init);
        let critic_target = vector_from(&mut backend, &init);
        let q_work = [q1.workspace(&mut backend, rows), q2.workspace(&mut backend, rows)];
        let latent = if config.latent_start { actions } else { 0 };
        Ok(Self {
            experience: Experience::new(config.buffer_size, obs_dim, 1, latent, config.n_step, f64::from(config.gamma)),
            log_alpha: libm::logf(config.alpha.max(f32::MIN_POSITIVE)),
            alpha_adam: ScalarAdam::default(),
            updates: 0,
            obs: backend.matrix(rows, obs_dim),
            next_obs: backend.matrix(rows, obs_dim),
            taken: backend.matrix(rows, 1),
            returns: backend.matrix(rows, 1),
            discounts: backend.matrix(rows, 1),
            target: backend.matrix(rows, 1),
            q_min: backend.matrix(rows, actions),
            dlogits: backend.matrix(rows, actions),
            act_obs: backend.matrix(1, obs_dim),
            act_probs: backend.matrix(1, actions),
            stats: backend.vector(8),
            output: match &config.actor {
                ActorConfig::Diffusion(d) if d.predicts_sample() => PolicyOutput::Probs,
                _ => PolicyOutput::Logits,
            },
            q_work,
            q1,
            q2,
            critic,
            critic_target,
            actor,
            actor_target,
            policy,
            obs_dim,
            actions,
            config,
            backend,
            rng,
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &SacConfig {
        &self.config
    }

    /// Current α.
    pub fn alpha(&self) -> f32 {
        if self.config.alpha_tuning.is_some() { libm::expf(self.log_alpha) } else { self.config.alpha }
    }

    /// π(·|obs) for one observation into `probs`; `latent` starts the chain (LAD) when given; the chain's
    /// noise comes from `rng`.
    pub fn policy_probs(&mut self, obs: &[f32], latent: Option<&[f32]>, rng: &mut Rng, probs: &mut Vec<f32>) {
        let b = &mut self.backend;
        b.write_matrix(&mut self.act_obs, obs);
        let logits = match &mut self.policy {
            Policy::Diffusion { actor, act, .. } => {
                actor.draw_noise(b, act, rng, latent.is_some());
                if let Some(start) = latent {
                    b.write_matrix(act.start_mut(), start);
                }
                actor.infer(b, &self.actor.value, &self.act_obs, act);
                act.output()
            }
            Policy::Mlp { mlp, act, .. } => {
                mlp.infer(b, &self.actor.value, &self.act_obs, act);
                act.output()
            }
        };
        probs.clear();
        match self.output {
            PolicyOutput::Logits => {
                b.softmax_rows(logits, &mut self.act_probs);
                probs.extend(b.read_matrix(&self.act_probs));
            }
            PolicyOutput::Probs => probs.extend(b.read_matrix(logits)),
        }
    }

    /// Number of actor parameters.
    fn actor_len(&self) -> usize {
        match &self.policy {
            Policy::Diffusion { actor, .. } => actor.len(),
            Policy::Mlp { mlp, .. } => mlp.len(),
        }
    }

    /// One gradient update from a replay batch drawn by `rng` (`None` while the buffer is empty).
    pub fn update_from_replay(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        let Some(batch) = self.experience.take_batch(self.config.batch_size, self.config.min_replay, rng) else {
            return Ok(None);
        };
        let stats = self.update(&batch);
        self.experience.return_batch(batch);
        stats.map(Some)
    }
}

impl<B: SacOps> Learner for Sac<B> {
    /// Sampled from π when `explore`, else π's most likely action.
    fn act(
        &mut self,
        obs: &[f32],
        latent: Option<&[f32]>,
        explore: bool,
        rng: &mut Rng,
        probs: &mut Vec<f32>,
    ) -> Action {
        self.policy_probs(obs, latent, rng, probs);
        Action::Discrete(if explore { sample_index(probs, rng) } else { argmax(probs) })
    }

    /// softmax(x_t) for every step; for LAD's probability output the last entry is x_0 itself.
    fn chain(&mut self, obs: &[f32], latent: Option<&[f32]>, rng: &mut Rng) -> Option<Vec<Vec<f32>>> {
        let mut last = Vec::new();
        self.policy_probs(obs, latent, rng, &mut last);
        let Policy::Diffusion { act, .. } = &self.policy else { return None };
        let b = &mut self.backend;
        let mut out: Vec<Vec<f32>> = Vec::new();
        for x in act.trajectory() {
            b.softmax_rows(x, &mut self.act_probs);
            out.push(b.read_matrix(&self.act_probs));
        }
        if let Some(final_step) = out.last_mut() {
            *final_step = last;
        }
        Some(out)
    }

    fn observe(&mut self, transition: Transition) {
        let reward = transition.reward * self.config.reward_scale;
        self.experience.observe(Transition { reward, ..transition });
    }

    fn update(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        self.update_from_replay(rng)
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn save(&mut self, prefix: &str, ck: &mut Checkpoint) {
        let b = &mut self.backend;
        let actor = b.read_vector(&self.actor.value);
        put_policy(ck, &format!("{prefix}actor"), &self.policy, &actor);
        if let Some(t) = &self.actor_target {
            let target = b.read_vector(t);
            put_policy(ck, &format!("{prefix}target_actor"), &self.policy, &target);
        }
        let critic = b.read_vector(&self.critic.value);
        ck.put_mlp(&format!("{prefix}critic.q1"), &self.q1, &critic);
        ck.put_mlp(&format!("{prefix}critic.q2"), &self.q2, &critic);
        let target = b.read_vector(&self.critic_target);
        ck.put_mlp(&format!("{prefix}target_critic.q1"), &self.q1, &target);
        ck.put_mlp(&format!("{prefix}target_critic.q2"), &self.q2, &target);
        for (name, weights) in [("actor", &self.actor), ("critic", &self.critic)] {
            let (m, v) = (b.read_vector(&weights.m), b.read_vector(&weights.v));
            ck.put(format!("{prefix}optim.{name}.m"), vec![m.len()], m);
            ck.put(format!("{prefix}optim.{name}.v"), vec![v.len()], v);
        }
        self.experience.save(prefix, ck);
        let scalars = SacState {
            updates: self.updates,
            log_alpha: self.log_alpha,
            alpha_m: self.alpha_adam.m,
            alpha_v: self.alpha_adam.v,
            rng: self.rng.state(),
        };
        ck.put_state(format!("{prefix}sac"), &scalars);
    }

    fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        let n = self.actor_len();
        let b = &mut self.backend;
        let mut actor = vec![0.0; n];
        get_policy(ck, &format!("{prefix}actor"), &self.policy, &mut actor)?;
        b.write_vector(&mut self.actor.value, &actor);
        if let Some(t) = self.actor_target.as_mut() {
            get_policy(ck, &format!("{prefix}target_actor"), &self.policy, &mut actor)?;
            b.write_vector(t, &actor);
        }
        let mut critic = vec![0.0; self.q1.len() + self.q2.len()];
        ck.get_mlp(&format!("{prefix}critic.q1"), &self.q1, &mut critic)?;
        ck.get_mlp(&format!("{prefix}critic.q2"), &self.q2, &mut critic)?;
        b.write_vector(&mut self.critic.value, &critic);
        ck.get_mlp(&format!("{prefix}target_critic.q1"), &self.q1, &mut critic)?;
        ck.get_mlp(&format!("{prefix}target_critic.q2"), &self.q2, &mut critic)?;
        b.write_vector(&mut self.critic_target, &critic);
        for (name, weights, len) in [("actor", &mut self.actor, n), ("critic", &mut self.critic, critic.len())] {
            b.write_vector(&mut weights.m, ck.get(&format!("{prefix}optim.{name}.m"), &[len])?);
            b.write_vector(&mut weights.v, ck.get(&format!("{prefix}optim.{name}.v"), &[len])?);
        }
        self.experience.load(prefix, ck)?;
        let scalars: SacState = ck.state(&format!("{prefix}sac"))?;
        self.updates = scalars.updates;
        self.log_alpha = scalars.log_alpha;
        self.alpha_adam = ScalarAdam { m: scalars.alpha_m, v: scalars.alpha_v };
        self.rng =
            Rng::from_state(&scalars.rng).ok_or_else(|| Error::new("checkpoint", "random state is malformed"))?;
        Ok(())
    }
}

/// The scalars of a [`Sac`] learner, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SacState {
    updates: u64,
    log_alpha: f32,
    alpha_m: f32,
    alpha_v: f32,
    rng: RngState,
}

fn put_policy<B: SacOps>(ck: &mut Checkpoint, prefix: &str, policy: &Policy<B>, weights: &[f32]) {
    match policy {
        Policy::Diffusion { actor, .. } => {
            for (name, mlp) in actor.networks() {
                ck.put_mlp(&format!("{prefix}.{name}"), mlp, weights);
            }
        }
        Policy::Mlp { mlp, .. } => ck.put_mlp(prefix, mlp, weights),
    }
}

fn get_policy<B: SacOps>(ck: &Checkpoint, prefix: &str, policy: &Policy<B>, weights: &mut [f32]) -> Result<()> {
    match policy {
        Policy::Diffusion { actor, .. } => {
            for (name, mlp) in actor.networks() {
                ck.get_mlp(&format!("{prefix}.{name}"), mlp, weights)?;
            }
            Ok(())
        }
        Policy::Mlp { mlp, .. } => ck.get_mlp(prefix, mlp, weights),
    }
}

impl<B: SacOps> Sac<B> {
    /// One gradient update from `batch` (of `batch_size` rows).
    pub fn update(&mut self, batch: &Batch) -> Result<UpdateStats> {
        let c = &self.config;
        let b = &mut self.backend;
        b.write_matrix(&mut self.obs, &batch.obs);
        b.write_matrix(&mut self.next_obs, &batch.next_obs);
        b.write_matrix(&mut self.taken, &batch.action);
        b.write_matrix(&mut self.returns, &batch.ret);
        b.write_matrix(&mut self.discounts, &batch.discount);
        let alpha = if c.alpha_tuning.is_some() { libm::expf(self.log_alpha) } else { c.alpha };

        // 1. Target: π' on s' (no gradient), target critics on s'.
        let next_params = self.actor_target.as_ref().unwrap_or(&self.actor.value);
        let next_logits = match &mut self.policy {
            Policy::Diffusion { actor, next, .. } => {
                actor.draw_noise(b, next, &mut self.rng, c.latent_start);
                if c.latent_start {
                    b.write_matrix(next.start_mut(), &batch.next_latent);
                }
                actor.infer(b, next_params, &self.next_obs, next);
                next.output()
            }
            Policy::Mlp { mlp, next, .. } => {
                mlp.infer(b, next_params, &self.next_obs, next);
                next.output()
            }
        };
        let [w1, w2] = &mut self.q_work;
        self.q1.infer(b, &self.critic_target, &self.next_obs, w1);
        self.q2.infer(b, &self.critic_target, &self.next_obs, w2);
        b.min_elementwise(w1.output(), w2.output(), &mut self.q_min);
        let entropy_weight = if c.entropy_in_target { alpha } else { 0.0 };
        b.soft_td_target(
            self.output,
            next_logits,
            &self.q_min,
            entropy_weight,
            &self.returns,
            &self.discounts,
            &mut self.target,
        );

        // 2. Critics.
        self.q1.forward(b, &self.critic.value, &self.obs, w1);
        self.q2.forward(b, &self.critic.value, &self.obs, w2);
        let (q, dq) = w1.output_and_grad();
        b.critic_mse(q, &self.taken, &self.target, dq, &mut self.stats, CRITIC1);
        let (q, dq) = w2.output_and_grad();
        b.critic_mse(q, &self.taken, &self.target, dq, &mut self.stats, CRITIC2);
        self.critic.zero_grad(b);
        self.q1.backward(b, &self.critic.value, &self.obs, w1, &mut self.critic.grad, None);
        self.q2.backward(b, &self.critic.value, &self.obs, w2, &mut self.critic.grad, None);
        let step = self.updates + 1;
        let critic_adam = AdamConfig::new(c.critic_lr, c.weight_decay);
        self.critic.adam(b, step, &critic_adam);

        // 3. Actor, against the updated critics (constants in its loss: no backward through them).
        self.q1.infer(b, &self.critic.value, &self.obs, w1);
        self.q2.infer(b, &self.critic.value, &self.obs, w2);
        b.min_elementwise(w1.output(), w2.output(), &mut self.q_min);
        self.actor.zero_grad(b);
        match &mut self.policy {
            Policy::Diffusion { actor, train, .. } => {
                actor.draw_noise(b, train, &mut self.rng, c.latent_start);
                if c.latent_start {
                    b.write_matrix(train.start_mut(), &batch.latent);
                }
                actor.forward(b, &self.actor.value, &self.obs, train);
                b.discrete_policy_loss(
                    self.output,
                    train.output(),
                    &self.q_min,
                    alpha,
                    &mut self.dlogits,
                    &mut self.stats,
                    ACTOR,
                );
                actor.backward(b, &self.actor.value, &self.dlogits, train, &mut self.actor.grad);
            }
            Policy::Mlp { mlp, train, .. } => {
                mlp.forward(b, &self.actor.value, &self.obs, train);
                let (logits, dlogits) = train.output_and_grad();
                b.discrete_policy_loss(self.output, logits, &self.q_min, alpha, dlogits, &mut self.stats, ACTOR);
                mlp.backward(b, &self.actor.value, &self.obs, train, &mut self.actor.grad, None);
            }
        }
        let actor_adam = AdamConfig::new(c.actor_lr, c.weight_decay);
        self.actor.adam(b, step, &actor_adam);

        let stats = b.read_vector(&self.stats);
        let entropy = stats[ACTOR + 1];

        // 4. α: the gradient of α·(H − H_target) with respect to log α, through a scalar Adam step.
        if let Some(tuning) = c.alpha_tuning {
            let grad = alpha * (entropy - tuning.target_entropy);
            self.alpha_adam.step(&mut self.log_alpha, grad, step, tuning.lr);
        }

        // 5. Targets.
        b.soft_update(&mut self.critic_target, &self.critic.value, c.tau);
        if let Some(target) = self.actor_target.as_mut() {
            b.soft_update(target, &self.actor.value, c.tau);
        }
        self.updates = step;

        let out = UpdateStats {
            critic_loss: stats[CRITIC1] + stats[CRITIC2],
            actor_loss: stats[ACTOR],
            entropy,
            alpha,
            mean_q: 0.5 * (stats[CRITIC1 + 1] + stats[CRITIC2 + 1]),
        };
        out.check(self.updates)?;
        Ok(out)
    }

    /// Observation width.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Number of actions.
    pub fn actions(&self) -> usize {
        self.actions
    }
}
