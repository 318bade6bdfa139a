//! `ddc`: the diffusion actor-critic with a hybrid action (Kong et al., Algorithm 3; `design/algorithms.md`,
//! "`ddc` (hybrid action)").
//!
//! The diffusion chain outputs `x_0` with one block per user: the step logits, then the offload value(s)
//! ([`HybridLayout`]). [`HybridOps::hybrid_sample`] decodes it into the action:
//! - steps: a straight-through Gumbel-softmax sample at temperature `τ`. The forward value is the one-hot of
//!   `argmax(logits + g)` with `g` Gumbel noise, i.e. a draw from the categorical `softmax(logits)`; the
//!   backward is the gradient of `softmax((logits + g)/τ)`;
//! - offload: `u = tanh(x)`, which the environment squashes to its ratio `clamp((u + 1)/2, 0.01, 1)`.
//!
//! *Reading — what the critic sees.* The critics take `[a | s]`, where `a` is exactly the vector the
//! environment is given and the replay stores: the one-hot steps (whose argmax the environment reads back)
//! and `u` itself rather than the ratio. So the action a critic scores is, bit for bit, the one taken. The
//! ratio is affine in `u` (clamped below `u = −0.98`), a change the critic's first layer absorbs, and `u`
//! keeps a gradient where the clamp would not. The action comes first so that the critics' input gradient
//! over the leading columns ([`Mlp::backward`]) is `∂Q/∂a` alone.
//!
//! An update, top to bottom in [`Hybrid::update`]:
//! 1. target: `y = R_n + γ^n·(min Q'(s', a') + α·H(s'))` with `a'` sampled from the target actor's chain (the
//!    entropy term where the config says so, as the paper's (29));
//! 2. critics: MSE of `Q1(s, a)` and `Q2(s, a)` to `y`, one Adam step over both;
//! 3. actor: `−mean(min Q(s, a(s)) + α·H(s)) + λ·mean Σ x_0²` with `a(s)` sampled from a fresh chain (or
//!    from the chain's mean, see below), against the updated critics (frozen), backward through the
//!    straight-through sample, the critics and every denoising step; one Adam step;
//! 4. soft updates of the target actor and critics with τ.
//!
//! `H(s) = Σ_users H(softmax(logits))` is the entropy of the step distributions: the paper's `ξ·log π` term
//! of (27) for the discrete part (the chain gives the continuous part no density to take).
//!
//! `λ = output_l2` penalises the chain's output before the squashes, so that neither the softmax nor the
//! tanh saturates: the chain multiplies every change of its denoiser by up to 12.5 (`T = 3`, VP), and a
//! saturated squash passes no gradient back ([`presets::ddc`](super::presets::ddc) has the measurements).
//!
//! Acting: exploring, the chain runs on fresh noise (`noisy_chain`, the paper's) or from its mean (the fast
//! preset: the actor learns one `x_0` per state), the steps are sampled (Gumbel-max) and, with probability
//! `explore_prob` per decision, every offload value gets `N(0, explore_sd²)` noise added and is clamped to
//! `[−1, 1]`. The actor loss and the target take their chains the same way. Every draw (chain, Gumbel,
//! Gaussian) comes from the portable [`Rng`] on the CPU and is uploaded, so any backend sees the same noise.
//!
//! *Reading — the greedy action.* Greedy, the chain starts from the prior's mean `x_T = 0` and adds no step
//! noise; the steps are the argmax and the offload `tanh(x_0)`: the diffusion policy's deterministic action,
//! as SAC evaluates `tanh(μ)`. A noisy chain is no greedy policy here: with `T = 3` (VP) `x_0` carries
//! `12.5·x_T`, which the tanh-bounded denoiser (`|ε| < 1`, gain 11.8 at the first step) cannot cancel once
//! `|x_T| > 0.94`, so about a third of the 35 numbers are set by the noise — random steps and all-phone
//! offloads that overflow the budgets. The same holds for learning through a noisy chain, which is why the
//! fast preset runs the chain from its mean throughout (`docs/results/ddc-learning.md`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::memory::{self, MemoryEstimate};
use super::{Learner, UpdateStats};
use crate::checkpoint::Checkpoint;
use crate::diffusion::{ChainWork, DiffusionActor, DiffusionConfig, NoiseSchedule};
use crate::error::{Error, Result, check_count, check_range};
use crate::nn::{Activation, AdamConfig, HybridLayout, HybridOps, Mlp, MlpWork, Trainable, vector_from};
use crate::replay::{Batch, NStep, ReplayBuffer, Stored, Transition};
use crate::rng::{Rng, RngState};
use crate::spaces::{Action, ActionSpace};

/// Hyper-parameters of the hybrid-action learner. `Default` is the paper preset (algorithms.md, row `ddc`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HybridConfig {
    /// The diffusion actor.
    pub actor: DiffusionConfig,
    /// Hidden widths of each critic (`[action | state]` → Q).
    pub critic_hidden: Vec<usize>,
    /// Hidden activation of the critics.
    pub critic_activation: Activation,
    /// Weight α of the step distributions' entropy. The preset table leaves it open ("—"); 0.05 as the
    /// other presets.
    pub alpha: f32,
    /// Add `α·H(s')` to the bootstrap value (the paper's target (29)).
    pub entropy_in_target: bool,
    /// Gumbel-softmax temperature τ of the straight-through gradient.
    pub temperature: f32,
    /// Probability that an exploring decision adds Gaussian noise to the offload values.
    pub explore_prob: f32,
    /// Standard deviation of that noise (in the units of `u ∈ [−1, 1]`).
    pub explore_sd: f32,
    /// Run the actor's chain from `x_T ~ N(0, I)` with noise at every step when exploring and in the actor
    /// loss (`true`, the chain as the paper draws it), or from the prior's mean without noise (`false`: a
    /// deterministic `x_0` per state, explored by the Gumbel draws and the offload noise alone).
    pub noisy_chain: bool,
    /// Weight λ of the penalty `λ·mean_rows Σ x_0²` on the chain's output before the squashes (the steps'
    /// softmax, the offload's tanh), added to the actor loss: keeps `x_0` where they pass a gradient.
    pub output_l2: f32,
    /// Actor learning rate.
    pub actor_lr: f32,
    /// Critic learning rate.
    pub critic_lr: f32,
    /// Adam weight decay (both networks).
    pub weight_decay: f32,
    /// Discount γ.
    pub gamma: f32,
    /// Soft-update rate τ of the targets.
    pub tau: f32,
    /// Transitions per update.
    pub batch_size: usize,
    /// Replay capacity.
    pub buffer_size: usize,
    /// n of the n-step return.
    pub n_step: usize,
}

impl Default for HybridConfig {
    /// T = 3, h = 256, Mish, time MLP, tanh output; critics 256-256 Mish; α 0.05; τ_Gumbel 1; exploration
    /// N(0, 0.1²) with probability 0.1; the noisy chain, no output penalty; lrs 1e−4 / 1e−3 (no weight
    /// decay: the row names none); γ 0 (see [`presets::ddc`](super::presets::ddc)); τ 0.005; batch 256;
    /// buffer 1e5; 1-step returns.
    fn default() -> Self {
        Self {
            actor: DiffusionConfig {
                steps: 3,
                schedule: NoiseSchedule::Vp,
                hidden: 256,
                activation: Activation::Mish,
                time_mlp: true,
                output: Activation::Tanh,
                clip_denoised: false,
            },
            critic_hidden: vec![256, 256],
            critic_activation: Activation::Mish,
            alpha: 0.05,
            entropy_in_target: true,
            temperature: 1.0,
            explore_prob: 0.1,
            explore_sd: 0.1,
            noisy_chain: true,
            output_l2: 0.0,
            actor_lr: 1e-4,
            critic_lr: 1e-3,
            weight_decay: 0.0,
            gamma: 0.0,
            tau: 0.005,
            batch_size: 256,
            buffer_size: 100_000,
            n_step: 1,
        }
    }
}

impl HybridConfig {
    /// Its memory for observations of `obs_dim` and an action vector of `width` (the hybrid space's), before
    /// it is built.
    pub fn memory(&self, obs_dim: usize, width: usize) -> MemoryEstimate {
        let rows = self.batch_size;
        let actor = DiffusionActor::new(self.actor.clone(), obs_dim, width).len();
        let widths: Vec<usize> =
            std::iter::once(width + obs_dim).chain(self.critic_hidden.iter().copied()).chain([1]).collect();
        let critics = 2 * memory::mlp_parameters(&widths);
        let activations = 2 * memory::diffusion_activations(&self.actor, obs_dim, width, rows)
            + 4 * memory::mlp_activations(&widths, rows);
        let replay = memory::replay_floats(self.buffer_size, obs_dim, width, 0);
        MemoryEstimate::new(actor + critics, 2 * actor + 2 * critics, activations, replay)
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("actor.steps", self.actor.steps as u64, 1, 100)?;
        check_count("actor.hidden", self.actor.hidden as u64, 1, 4096)?;
        check_count("critic_hidden", self.critic_hidden.len() as u64, 1, 8)?;
        for (i, &w) in self.critic_hidden.iter().enumerate() {
            check_count(&format!("critic_hidden[{i}]"), w as u64, 1, 4096)?;
        }
        check_range("alpha", f64::from(self.alpha), 0.0, 100.0)?;
        crate::error::check_range("temperature", f64::from(self.temperature), 1.0e-3, 100.0)?;
        check_range("explore_prob", f64::from(self.explore_prob), 0.0, 1.0)?;
        check_range("explore_sd", f64::from(self.explore_sd), 0.0, 10.0)?;
        check_range("output_l2", f64::from(self.output_l2), 0.0, 100.0)?;
        check_range("actor_lr", f64::from(self.actor_lr), 0.0, 1.0)?;
        check_range("critic_lr", f64::from(self.critic_lr), 0.0, 1.0)?;
        check_range("weight_decay", f64::from(self.weight_decay), 0.0, 1.0)?;
        check_range("gamma", f64::from(self.gamma), 0.0, 1.0)?;
        check_range("tau", f64::from(self.tau), 0.0, 1.0)?;
        check_count("batch_size", self.batch_size as u64, 1, 65_536)?;
        check_count("buffer_size", self.buffer_size as u64, 1, 10_000_000)?;
        check_count("n_step", self.n_step as u64, 1, 100)?;
        Ok(())
    }
}

/// The buffers of one batch of decoded actions.
struct Sample<B: HybridOps> {
    /// Gumbel draws in the logit columns, 0 elsewhere.
    gumbel: B::Matrix,
    /// The hard action (what the environment and the critics get).
    action: B::Matrix,
    /// The relaxed sample whose gradient the straight-through estimator uses.
    relaxed: B::Matrix,
    /// Entropy of each row's step distributions.
    entropy: B::Matrix,
}

impl<B: HybridOps> Sample<B> {
    fn new(backend: &mut B, rows: usize, width: usize) -> Self {
        Self {
            gumbel: backend.matrix(rows, width),
            action: backend.matrix(rows, width),
            relaxed: backend.matrix(rows, width),
            entropy: backend.matrix(rows, 1),
        }
    }
}

/// Stats slots written by the loss kernels ([`HybridOps::hybrid_sample`] writes two: the entropy, then the
/// squares of `x_0`).
const NEXT_ENTROPY: usize = 0;
const CRITIC1: usize = 2;
const CRITIC2: usize = 4;
const ACTOR_Q: usize = 6;
const ACTOR_ENTROPY: usize = 7;
const ACTOR_SQUARES: usize = 8;
const STATS: usize = 9;

/// The hybrid-action diffusion actor-critic learner.
pub struct Hybrid<B: HybridOps> {
    config: HybridConfig,
    backend: B,
    layout: HybridLayout,
    actor: DiffusionActor,
    actor_params: Trainable<B>,
    actor_target: B::Vector,
    critics: [Mlp; 2],
    /// Both critics' parameters in one vector (`q1` first), trained by one Adam step.
    critic_params: Trainable<B>,
    critic_target: B::Vector,
    updates: u64,
    rng: Rng,
    replay: ReplayBuffer,
    nstep: NStep,
    completed: Vec<Stored>,
    batch: Batch,
    gumbel_host: Vec<f32>,
    // One decision.
    act_obs: B::Matrix,
    act_chain: ChainWork<B>,
    act_sample: Sample<B>,
    /// Zero Gumbel noise: the greedy action.
    act_no_noise: B::Matrix,
    act_stats: B::Vector,
    // A training batch.
    obs: B::Matrix,
    next_obs: B::Matrix,
    taken: B::Matrix,
    returns: B::Matrix,
    discounts: B::Matrix,
    target: B::Matrix,
    /// Column 0 for [`LossOps::critic_mse`] (each critic has one output).
    first_column: B::Matrix,
    critic_input: B::Matrix,
    train_chain: ChainWork<B>,
    next_chain: ChainWork<B>,
    sample: Sample<B>,
    q_work: [MlpWork<B>; 2],
    daction: [B::Matrix; 2],
    dx0: B::Matrix,
    stats: B::Vector,
}

impl<B: HybridOps> Hybrid<B> {
    /// A learner for `obs_dim` observations and the hybrid action space `space`, initialised from `rng`.
    pub fn new(
        config: HybridConfig,
        mut backend: B,
        obs_dim: usize,
        space: &ActionSpace,
        mut rng: Rng,
    ) -> Result<Self> {
        config.validate()?;
        let &ActionSpace::Hybrid { groups, choices, continuous } = space else {
            return Err(Error::new("learner", format!("the ddc learner needs a hybrid action space, not {space}")));
        };
        let layout = HybridLayout { groups, choices, continuous };
        let (rows, width) = (config.batch_size, layout.width());
        let actor = DiffusionActor::new(config.actor.clone(), obs_dim, width);
        let mut init = vec![0.0; actor.len()];
        actor.init(&mut init, &mut rng);
        let actor_params = Trainable::new(&mut backend, &init);
        let actor_target = vector_from(&mut backend, &init);
        let widths: Vec<usize> =
            std::iter::once(width + obs_dim).chain(config.critic_hidden.iter().copied()).chain([1]).collect();
        let q1 = Mlp::new(&widths, config.critic_activation, Activation::Identity, 0);
        let q2 = Mlp::new(&widths, config.critic_activation, Activation::Identity, q1.len());
        let mut init = vec![0.0; q1.len() + q2.len()];
        q1.init(&mut init, &mut rng);
        q2.init(&mut init, &mut rng);
        let critic_params = Trainable::new(&mut backend, &init);
        let critic_target = vector_from(&mut backend, &init);
        Ok(Self {
            replay: ReplayBuffer::new(config.buffer_size, obs_dim, width, 0),
            nstep: NStep::new(config.n_step, f64::from(config.gamma)),
            completed: Vec::new(),
            batch: Batch::default(),
            gumbel_host: Vec::with_capacity(rows * width),
            act_obs: backend.matrix(1, obs_dim),
            act_chain: actor.workspace(&mut backend, 1),
            act_sample: Sample::new(&mut backend, 1, width),
            act_no_noise: backend.matrix(1, width),
            act_stats: backend.vector(2),
            obs: backend.matrix(rows, obs_dim),
            next_obs: backend.matrix(rows, obs_dim),
            taken: backend.matrix(rows, width),
            returns: backend.matrix(rows, 1),
            discounts: backend.matrix(rows, 1),
            target: backend.matrix(rows, 1),
            first_column: backend.matrix(rows, 1),
            critic_input: backend.matrix(rows, width + obs_dim),
            train_chain: actor.workspace(&mut backend, rows),
            next_chain: actor.workspace(&mut backend, rows),
            sample: Sample::new(&mut backend, rows, width),
            q_work: [q1.workspace(&mut backend, rows), q2.workspace(&mut backend, rows)],
            daction: [backend.matrix(rows, width), backend.matrix(rows, width)],
            dx0: backend.matrix(rows, width),
            stats: backend.vector(STATS),
            critics: [q1, q2],
            critic_params,
            critic_target,
            actor_params,
            actor_target,
            actor,
            layout,
            updates: 0,
            config,
            backend,
            rng,
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &HybridConfig {
        &self.config
    }

    /// The action vector's layout.
    pub fn layout(&self) -> HybridLayout {
        self.layout
    }

    /// One gradient update from a replay batch drawn by `rng` (`None` while the buffer is empty).
    pub fn update_from_replay(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        if self.replay.is_empty() {
            return Ok(None);
        }
        let mut batch = std::mem::take(&mut self.batch);
        self.replay.sample(self.config.batch_size, rng, &mut batch);
        let stats = self.update(&batch);
        self.batch = batch;
        stats.map(Some)
    }

    /// One gradient update from `batch` (of `batch_size` rows).
    pub fn update(&mut self, batch: &Batch) -> Result<UpdateStats> {
        let c = &self.config;
        let b = &mut self.backend;
        let (layout, temperature, alpha, output_l2) = (self.layout, c.temperature, c.alpha, c.output_l2);
        b.write_matrix(&mut self.obs, &batch.obs);
        b.write_matrix(&mut self.next_obs, &batch.next_obs);
        b.write_matrix(&mut self.taken, &batch.action);
        b.write_matrix(&mut self.returns, &batch.ret);
        b.write_matrix(&mut self.discounts, &batch.discount);
        let [w1, w2] = &mut self.q_work;
        let [q1, q2] = &self.critics;
        let s = &mut self.sample;

        // 1. Target: a' from the target actor's chain on s', the target critics on [a' | s'].
        let actor = &self.actor;
        chain_noise(actor, b, &mut self.next_chain, &mut self.rng, c.noisy_chain);
        actor.infer(b, &self.actor_target, &self.next_obs, &mut self.next_chain);
        draw_gumbel(b, &layout, &mut self.rng, &mut self.gumbel_host, &mut s.gumbel);
        let x = self.next_chain.output();
        b.hybrid_sample(
            &layout,
            temperature,
            x,
            &s.gumbel,
            &mut s.action,
            &mut s.relaxed,
            &mut s.entropy,
            &mut self.stats,
            NEXT_ENTROPY,
        );
        b.concat_cols(&s.action, &self.next_obs, &mut self.critic_input);
        q1.infer(b, &self.critic_target, &self.critic_input, w1);
        q2.infer(b, &self.critic_target, &self.critic_input, w2);
        let entropy_weight = if c.entropy_in_target { alpha } else { 0.0 };
        b.min_q_td_target(
            w1.output(),
            w2.output(),
            &s.entropy,
            entropy_weight,
            &self.returns,
            &self.discounts,
            &mut self.target,
        );

        // 2. Critics on the stored actions.
        b.concat_cols(&self.taken, &self.obs, &mut self.critic_input);
        q1.forward(b, &self.critic_params.value, &self.critic_input, w1);
        q2.forward(b, &self.critic_params.value, &self.critic_input, w2);
        let (q, dq) = w1.output_and_grad();
        b.critic_mse(q, &self.first_column, &self.target, dq, &mut self.stats, CRITIC1);
        let (q, dq) = w2.output_and_grad();
        b.critic_mse(q, &self.first_column, &self.target, dq, &mut self.stats, CRITIC2);
        let critic = &mut self.critic_params;
        critic.zero_grad(b);
        q1.backward(b, &critic.value, &self.critic_input, w1, &mut critic.grad, None);
        q2.backward(b, &critic.value, &self.critic_input, w2, &mut critic.grad, None);
        let step = self.updates + 1;
        let adam = AdamConfig::new(c.critic_lr, c.weight_decay);
        critic.adam(b, step, &adam);

        // 3. Actor: a fresh chain on s, sampled, scored by the updated critics; ∂/∂a through both critics
        // (their parameter gradients land in `critic.grad`, which the next update zeroes before use).
        chain_noise(actor, b, &mut self.train_chain, &mut self.rng, self.config.noisy_chain);
        actor.forward(b, &self.actor_params.value, &self.obs, &mut self.train_chain);
        draw_gumbel(b, &layout, &mut self.rng, &mut self.gumbel_host, &mut s.gumbel);
        let x = self.train_chain.output();
        b.hybrid_sample(
            &layout,
            temperature,
            x,
            &s.gumbel,
            &mut s.action,
            &mut s.relaxed,
            &mut s.entropy,
            &mut self.stats,
            ACTOR_ENTROPY,
        );
        b.concat_cols(&s.action, &self.obs, &mut self.critic_input);
        q1.forward(b, &critic.value, &self.critic_input, w1);
        q2.forward(b, &critic.value, &self.critic_input, w2);
        let ((q1_out, dq1), (q2_out, dq2)) = (w1.output_and_grad(), w2.output_and_grad());
        b.min_q_loss(q1_out, q2_out, dq1, dq2, &mut self.stats, ACTOR_Q);
        let [da1, da2] = &mut self.daction;
        q1.backward(b, &critic.value, &self.critic_input, w1, &mut critic.grad, Some(da1));
        q2.backward(b, &critic.value, &self.critic_input, w2, &mut critic.grad, Some(da2));
        b.add_assign(da1, da2);
        let rows = self.config.batch_size as f32;
        b.hybrid_sample_backward(
            &layout,
            temperature,
            x,
            &s.relaxed,
            da1,
            alpha / rows,
            output_l2 / rows,
            &mut self.dx0,
        );
        let weights = &mut self.actor_params;
        weights.zero_grad(b);
        actor.backward(b, &weights.value, &self.dx0, &mut self.train_chain, &mut weights.grad);
        let adam = AdamConfig::new(self.config.actor_lr, self.config.weight_decay);
        weights.adam(b, step, &adam);

        // 4. Targets.
        let tau = self.config.tau;
        b.soft_update(&mut self.critic_target, &critic.value, tau);
        b.soft_update(&mut self.actor_target, &weights.value, tau);
        self.updates = step;

        let stats = b.read_vector(&self.stats);
        let out = UpdateStats {
            critic_loss: stats[CRITIC1] + stats[CRITIC2],
            actor_loss: stats[ACTOR_Q] - alpha * stats[ACTOR_ENTROPY] + output_l2 * stats[ACTOR_SQUARES],
            entropy: stats[ACTOR_ENTROPY],
            alpha,
            mean_q: 0.5 * (stats[CRITIC1 + 1] + stats[CRITIC2 + 1]),
        };
        out.check(self.updates)?;
        Ok(out)
    }
}

/// Sets the noise of a chain: fresh draws from `rng` (`noisy`), or none (the chain from the prior's mean).
fn chain_noise<B: HybridOps>(
    actor: &DiffusionActor,
    backend: &mut B,
    work: &mut ChainWork<B>,
    rng: &mut Rng,
    noisy: bool,
) {
    if noisy {
        actor.draw_noise(backend, work, rng, false);
    } else {
        actor.zero_noise(backend, work);
    }
}

/// Fills `gumbel` (`rows × layout.width()`) with Gumbel draws from `rng` in the logit columns and zeros in
/// the continuous ones, row by row.
fn draw_gumbel<B: HybridOps>(
    backend: &mut B,
    layout: &HybridLayout,
    rng: &mut Rng,
    host: &mut Vec<f32>,
    gumbel: &mut B::Matrix,
) {
    let rows = backend.shape(gumbel).0;
    host.clear();
    for _ in 0..rows * layout.groups {
        host.extend((0..layout.choices).map(|_| rng.gumbel() as f32));
        host.extend(std::iter::repeat_n(0.0, layout.continuous));
    }
    backend.write_matrix(gumbel, host);
}

impl<B: HybridOps> Learner for Hybrid<B> {
    /// Exploring: a noisy chain, sampled steps and, with probability `explore_prob`, noisy offload values;
    /// greedy: the mean chain (no noise, no draws from `rng`), the argmax steps and `tanh` offload values.
    /// `probs` receives the relaxed sample without Gumbel noise in the action's layout: per user
    /// `softmax(logits/τ)` (the step distribution at τ = 1) and `u`.
    fn act(
        &mut self,
        obs: &[f32],
        _latent: Option<&[f32]>,
        explore: bool,
        rng: &mut Rng,
        probs: &mut Vec<f32>,
    ) -> Action {
        let b = &mut self.backend;
        let (layout, temperature) = (self.layout, self.config.temperature);
        b.write_matrix(&mut self.act_obs, obs);
        chain_noise(&self.actor, b, &mut self.act_chain, rng, explore && self.config.noisy_chain);
        self.actor.infer(b, &self.actor_params.value, &self.act_obs, &mut self.act_chain);
        let s = &mut self.act_sample;
        let x = self.act_chain.output();
        b.hybrid_sample(
            &layout,
            temperature,
            x,
            &self.act_no_noise,
            &mut s.action,
            &mut s.relaxed,
            &mut s.entropy,
            &mut self.act_stats,
            0,
        );
        probs.clear();
        probs.extend(b.read_matrix(&s.relaxed));
        if !explore {
            return Action::Vector(b.read_matrix(&s.action));
        }
        draw_gumbel(b, &layout, rng, &mut self.gumbel_host, &mut s.gumbel);
        b.hybrid_sample(
            &layout,
            temperature,
            x,
            &s.gumbel,
            &mut s.action,
            &mut s.relaxed,
            &mut s.entropy,
            &mut self.act_stats,
            0,
        );
        let mut values = b.read_matrix(&s.action);
        if rng.uniform() < f64::from(self.config.explore_prob) {
            let sd = f64::from(self.config.explore_sd);
            for block in values.chunks_exact_mut(layout.block()) {
                for u in &mut block[layout.choices..] {
                    *u = (f64::from(*u) + sd * rng.normal()).clamp(-1.0, 1.0) as f32;
                }
            }
        }
        Action::Vector(values)
    }

    fn observe(&mut self, transition: Transition) {
        self.nstep.push(transition, &mut self.completed);
        for s in self.completed.drain(..) {
            self.replay.push(&s);
        }
    }

    fn update(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        self.update_from_replay(rng)
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn save(&mut self, prefix: &str, ck: &mut Checkpoint) {
        let b = &mut self.backend;
        for (name, weights) in [("actor", &self.actor_params.value), ("target_actor", &self.actor_target)] {
            let values = b.read_vector(weights);
            for (net, mlp) in self.actor.networks() {
                ck.put_mlp(&format!("{prefix}{name}.{net}"), mlp, &values);
            }
        }
        for (name, weights) in [("critic", &self.critic_params.value), ("target_critic", &self.critic_target)] {
            let values = b.read_vector(weights);
            for (net, mlp) in ["q1", "q2"].iter().zip(&self.critics) {
                ck.put_mlp(&format!("{prefix}{name}.{net}"), mlp, &values);
            }
        }
        for (name, weights) in [("actor", &self.actor_params), ("critic", &self.critic_params)] {
            let (m, v) = (b.read_vector(&weights.m), b.read_vector(&weights.v));
            ck.put(format!("{prefix}optim.{name}.m"), vec![m.len()], m);
            ck.put(format!("{prefix}optim.{name}.v"), vec![v.len()], v);
        }
        self.replay.save(&format!("{prefix}replay"), ck);
        self.nstep.save(&format!("{prefix}nstep"), ck);
        ck.put_state(format!("{prefix}hybrid"), &HybridState { updates: self.updates, rng: self.rng.state() });
    }

    fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        let b = &mut self.backend;
        let mut values = vec![0.0; self.actor.len()];
        for (name, weights) in [("actor", &mut self.actor_params.value), ("target_actor", &mut self.actor_target)] {
            for (net, mlp) in self.actor.networks() {
                ck.get_mlp(&format!("{prefix}{name}.{net}"), mlp, &mut values)?;
            }
            b.write_vector(weights, &values);
        }
        let mut values = vec![0.0; self.critics.iter().map(Mlp::len).sum()];
        for (name, weights) in [("critic", &mut self.critic_params.value), ("target_critic", &mut self.critic_target)] {
            for (net, mlp) in ["q1", "q2"].iter().zip(&self.critics) {
                ck.get_mlp(&format!("{prefix}{name}.{net}"), mlp, &mut values)?;
            }
            b.write_vector(weights, &values);
        }
        let lens = [self.actor.len(), values.len()];
        for ((name, weights), len) in
            [("actor", &mut self.actor_params), ("critic", &mut self.critic_params)].into_iter().zip(lens)
        {
            b.write_vector(&mut weights.m, ck.get(&format!("{prefix}optim.{name}.m"), &[len])?);
            b.write_vector(&mut weights.v, ck.get(&format!("{prefix}optim.{name}.v"), &[len])?);
        }
        self.replay.load(&format!("{prefix}replay"), ck)?;
        self.nstep.load(&format!("{prefix}nstep"), ck)?;
        let state: HybridState = ck.state(&format!("{prefix}hybrid"))?;
        self.updates = state.updates;
        self.rng = Rng::from_state(&state.rng).ok_or_else(|| Error::new("checkpoint", "random state is malformed"))?;
        Ok(())
    }
}

/// The scalars of a [`Hybrid`] learner, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct HybridState {
    updates: u64,
    rng: RngState,
}

#[cfg(test)]
mod tests;
