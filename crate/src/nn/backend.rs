//! The [`Backend`] trait, the whole set of numeric operations the learners use, and the small typed
//! values its operations take (layer layouts, activations, Adam's settings, the fused steps' parameters).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Activation of a dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `z`.
    Identity,
    /// `max(z, 0)`.
    Relu,
    /// `z·tanh(softplus(z))` (Misra 2019), the papers' default.
    Mish,
    /// `tanh(z)`.
    Tanh,
    /// Row-wise `softmax(z)` (an output layer of probabilities, as LAD's denoiser).
    Softmax,
}

impl Activation {
    /// Whether backward needs the slopes `act'(z)` kept by the forward pass (else the output suffices).
    pub fn needs_slope(self) -> bool {
        matches!(self, Activation::Relu | Activation::Mish)
    }
}

/// Where one dense layer's parameters sit in its network's flat parameter vector: `W` (`inputs × outputs`,
/// row-major) at `weight`, then `b` (`outputs`) at `bias`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinearLayout {
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// Offset of `W`.
    pub weight: usize,
    /// Offset of `b`.
    pub bias: usize,
}

impl LinearLayout {
    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.inputs * self.outputs + self.outputs
    }

    /// Always false: a layer has at least one bias.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Adam's hyper-parameters (PyTorch's `torch.optim.Adam`, weight decay added to the gradient).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f32,
    /// First-moment decay.
    pub beta1: f32,
    /// Second-moment decay.
    pub beta2: f32,
    /// Denominator guard.
    pub eps: f32,
    /// L2 weight decay added to the gradient.
    pub weight_decay: f32,
}

impl AdamConfig {
    /// PyTorch's defaults with learning rate `lr` and weight decay `weight_decay`.
    pub fn new(lr: f32, weight_decay: f32) -> Self {
        Self { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay }
    }
}

/// How the diffusion chain steps from `x_t` to `x_{t−1}` (the scalars of one denoising step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReverseStep {
    /// The network predicts `x̂_0` itself (LAD's softmax output) rather than the noise.
    pub predict_sample: bool,
    /// `1/√ᾱ_t`.
    pub recip_sqrt_alpha_bar: f32,
    /// `√(1/ᾱ_t − 1)`.
    pub recipm1_sqrt_alpha_bar: f32,
    /// Posterior mean coefficient of `x̂_0`.
    pub coef_x0: f32,
    /// Posterior mean coefficient of `x_t`.
    pub coef_xt: f32,
    /// Posterior standard deviation (0 on the last step).
    pub sigma: f32,
    /// Clamp `x̂_0` to `[−1, 1]`.
    pub clip: bool,
}

/// What a discrete policy network's output means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyOutput {
    /// Logits: π = softmax(output).
    Logits,
    /// Probabilities already (π = output).
    Probs,
}

/// The scalars of PPO's clipped policy loss ([`PpoOps::ppo_policy_loss`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpoLoss {
    /// Clip range ε of the probability ratio.
    pub clip: f32,
    /// Weight `c_H` of the entropy bonus.
    pub entropy_coef: f32,
    /// Standardise the advantages over the rows (`(Â − mean)/(sd + 1e-8)`, sample sd) first.
    pub normalize_advantage: bool,
}

/// The layout of a hybrid action vector: `groups` blocks, each of `choices` logits of a categorical choice
/// followed by `continuous` reals (the `ddc` per-user steps choice and offload value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HybridLayout {
    /// Number of blocks.
    pub groups: usize,
    /// Logits per block.
    pub choices: usize,
    /// Reals per block, after the logits.
    pub continuous: usize,
}

impl HybridLayout {
    /// Numbers per block.
    pub fn block(&self) -> usize {
        self.choices + self.continuous
    }

    /// Length of the whole vector.
    pub fn width(&self) -> usize {
        self.groups * self.block()
    }
}

/// Storage and elementwise operations: matrices and flat vectors, their transfers to and from the
/// host, and the row-wise reductions every learner uses.
pub trait TensorOps {
    /// A `rows × cols` matrix of `f32`.
    type Matrix;
    /// A flat vector of `f32` (parameters, gradients, moments).
    type Vector;

    /// A zero matrix.
    fn matrix(&mut self, rows: usize, cols: usize) -> Self::Matrix;

    /// A zero vector.
    fn vector(&mut self, len: usize) -> Self::Vector;

    /// Rows and columns of `m`.
    fn shape(&self, m: &Self::Matrix) -> (usize, usize);

    /// Sets `m` from row-major `data`.
    fn write_matrix(&mut self, m: &mut Self::Matrix, data: &[f32]);

    /// `m`'s contents, row-major.
    fn read_matrix(&mut self, m: &Self::Matrix) -> Vec<f32>;

    /// Sets `v` from `data`.
    fn write_vector(&mut self, v: &mut Self::Vector, data: &[f32]);

    /// `v`'s contents.
    fn read_vector(&mut self, v: &Self::Vector) -> Vec<f32>;

    /// Row-wise softmax.
    fn softmax_rows(&mut self, x: &Self::Matrix, out: &mut Self::Matrix);

    /// `out = min(a, b)` elementwise.
    fn min_elementwise(&mut self, a: &Self::Matrix, b: &Self::Matrix, out: &mut Self::Matrix);

    /// `out = [a | b]` (columns side by side).
    fn concat_cols(&mut self, a: &Self::Matrix, b: &Self::Matrix, out: &mut Self::Matrix);

    /// `dst += src` elementwise.
    fn add_assign(&mut self, dst: &mut Self::Matrix, src: &Self::Matrix);

    /// `v = value` everywhere.
    fn fill(&mut self, v: &mut Self::Vector, value: f32);

    /// `m = value` everywhere.
    fn fill_matrix(&mut self, m: &mut Self::Matrix, value: f32);

    /// `dst = src`.
    fn copy(&mut self, dst: &mut Self::Vector, src: &Self::Vector);
}

/// Dense layers (fused with their activation) and the time-embedding concatenation, forward and backward.
pub trait ModuleOps: TensorOps {
    /// `out = act(x·W + b)` for the layer `layer` of `weights`, and `slope = act'(x·W + b)` when given (what
    /// the backward pass of ReLU and Mish needs, computed while the forward pass has `z` at hand).
    fn linear_forward(
        &mut self,
        x: &Self::Matrix,
        weights: &Self::Vector,
        layer: &LinearLayout,
        act: Activation,
        slope: Option<&mut Self::Matrix>,
        out: &mut Self::Matrix,
    );

    /// Backward through a layer: `grad` holds `∂L/∂out` and is turned into `∂L/∂z` in place (with the
    /// `slope` its forward pass kept, or from `out`); `∂L/∂W` and `∂L/∂b` are added to `grads` at the
    /// layer's offsets; `∂L/∂x` is written to `dx` (its first `cols(dx)` columns only) when given.
    #[allow(clippy::too_many_arguments)]
    fn linear_backward(
        &mut self,
        x: &Self::Matrix,
        weights: &Self::Vector,
        layer: &LinearLayout,
        act: Activation,
        slope: Option<&Self::Matrix>,
        out: &Self::Matrix,
        grad: &mut Self::Matrix,
        grads: &mut Self::Vector,
        dx: Option<&mut Self::Matrix>,
    );

    /// `out = [a | row `row` of b, repeated on every row | c]` (columns side by side).
    fn concat_broadcast(
        &mut self,
        a: &Self::Matrix,
        b: &Self::Matrix,
        row: usize,
        c: &Self::Matrix,
        out: &mut Self::Matrix,
    );

    /// Splits the gradient of a [`ModuleOps::concat_broadcast`] output: adds its first `cols(da)` columns to
    /// `da`, and the column sums of the next `cols(db)` columns to row `row` of `db`.
    fn concat_broadcast_backward(
        &mut self,
        dout: &Self::Matrix,
        da: &mut Self::Matrix,
        db: &mut Self::Matrix,
        row: usize,
    );
}

/// The reverse-diffusion step, forward and backward.
pub trait DiffusionOps: TensorOps {
    /// One reverse diffusion step: `x̂0 = r·x − q·eps` (or `x̂0 = eps` when the network predicts the
    /// sample), clamped to ±1 if `clip`; `x_prev = c0·x̂0 + ct·x + σ·noise`.
    fn reverse_step(
        &mut self,
        step: &ReverseStep,
        x: &Self::Matrix,
        eps: &Self::Matrix,
        noise: &Self::Matrix,
        x_prev: &mut Self::Matrix,
    );

    /// Backward of [`DiffusionOps::reverse_step`]: from `∂L/∂x_prev` writes `∂L/∂eps` into `deps` and
    /// `∂L/∂x` into `dx` (overwriting both). `x` and `eps` are the step's inputs.
    #[allow(clippy::too_many_arguments)]
    fn reverse_step_backward(
        &mut self,
        step: &ReverseStep,
        x: &Self::Matrix,
        eps: &Self::Matrix,
        dx_prev: &Self::Matrix,
        deps: &mut Self::Matrix,
        dx: &mut Self::Matrix,
    );
}

/// Optimisation: Adam, Polyak soft updates, gradient clipping.
pub trait OptimOps: TensorOps {
    /// Clips the global L2 norm of `grads` to `max_norm` (PyTorch's `clip_grad_norm_`: scaled by
    /// `max_norm / (‖g‖ + 1e-6)` when that is below 1) and writes `‖g‖` before clipping into `stats[slot]`, so
    /// no value has to be read back in the middle of an update.
    fn clip_grad_norm(&mut self, grads: &mut Self::Vector, max_norm: f32, stats: &mut Self::Vector, slot: usize);

    /// `target = τ·source + (1 − τ)·target`.
    fn soft_update(&mut self, target: &mut Self::Vector, source: &Self::Vector, tau: f32);

    /// One Adam step (PyTorch semantics) on `weights` with `grads`, moments `m`, `v`, at step `t` (from 1).
    fn adam(
        &mut self,
        weights: &mut Self::Vector,
        grads: &Self::Vector,
        m: &mut Self::Vector,
        v: &mut Self::Vector,
        t: u64,
        config: &AdamConfig,
    );
}

/// The critics' regression loss, shared by every value-based learner.
pub trait LossOps: TensorOps {
    /// Mean squared error of `Q(s, a)` (row `i`, column `actions[i]`) to `target`: writes `∂L/∂q` (zero but
    /// at the taken actions) into `dq`, and the loss and mean `Q(s, a)` into `stats[slot..slot + 2]`.
    fn critic_mse(
        &mut self,
        q: &Self::Matrix,
        actions: &Self::Matrix,
        target: &Self::Matrix,
        dq: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );
}

/// The numeric operations every network here needs. Matrices are batch-major (`rows` = batch); vectors are flat.
/// Every operation is deterministic: the same inputs give the same bits on every implementation of the
/// CPU kind, natively and in WebAssembly.
///
/// It is split by family (as burn splits its tensor, module and activation ops): the core every
/// network needs here, and one extension trait per learner family ([`SacOps`], [`DqnOps`],
/// [`HybridOps`], [`PpoOps`]), so a new backend implements the diffusion-SAC family first.
pub trait Backend: TensorOps + ModuleOps + DiffusionOps + OptimOps + LossOps {}

impl<T: TensorOps + ModuleOps + DiffusionOps + OptimOps + LossOps> Backend for T {}

/// The discrete soft actor-critic's losses (D2SAC, LAD-TS, DSAC, the flow scheduler, SAC).
pub trait SacOps: Backend {
    /// The discrete soft actor loss on the policy output `x` (logits, π = softmax(x); or probabilities,
    /// π = x with LAD's `H = −Σ π·log(π + 1e−8)`) against action values `q`:
    /// `L = −mean_rows(α·H(π) + Σ_a π_a·q_a)`. Writes `∂L/∂x` into `dlogits`, and `L`, the mean entropy and
    /// the mean `Σ_a π_a·q_a` into `stats[slot..slot + 3]`.
    #[allow(clippy::too_many_arguments)]
    fn discrete_policy_loss(
        &mut self,
        output: PolicyOutput,
        logits: &Self::Matrix,
        q: &Self::Matrix,
        alpha: f32,
        dlogits: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );

    /// The n-step target `y = returns + discounts ⊙ (Σ_a π'_a·q'_a + α·H(π'))` with π' from the policy
    /// output `logits` as in [`SacOps::discrete_policy_loss`] (`alpha` = 0 leaves the entropy out);
    /// `returns`, `discounts` and `target` are one column.
    #[allow(clippy::too_many_arguments)]
    fn soft_td_target(
        &mut self,
        output: PolicyOutput,
        logits: &Self::Matrix,
        q: &Self::Matrix,
        alpha: f32,
        returns: &Self::Matrix,
        discounts: &Self::Matrix,
        target: &mut Self::Matrix,
    );
}

/// DQN's and DDQN's target.
pub trait DqnOps: Backend {
    /// The Q-learning target `y = returns + discounts ⊙ value[a*]` with `a* = argmax_a select[a]` per row (the
    /// first on ties): `select = value = Q_target(s')` is DQN's `max_a Q_target(s', a)`, `select = Q_online(s')`
    /// double DQN's `Q_target(s', argmax_a Q_online(s', a))`. `returns`, `discounts` and `target` are one column.
    fn dqn_target(
        &mut self,
        select: &Self::Matrix,
        value: &Self::Matrix,
        returns: &Self::Matrix,
        discounts: &Self::Matrix,
        target: &mut Self::Matrix,
    );
}

/// The hybrid (categorical + continuous) actor of the ddc learner and its twin-critic targets.
pub trait HybridOps: Backend {
    /// A straight-through Gumbel-softmax sample of the hybrid action `x` (rows laid out as `layout`), with
    /// the Gumbel draws `gumbel` (same shape; read in the logit columns only). Per block, with
    /// `z = (logits + g)/temperature`: `action` gets the one-hot of `argmax z` (the first on a tie) and
    /// `relaxed` gets `softmax(z)`; in the continuous columns both get `tanh(x)`. `entropy` (one column)
    /// gets `Σ_blocks H(softmax(logits))`, the entropy of the row's step distributions without the noise,
    /// `stats[slot]` its mean over the rows and `stats[slot + 1]` the mean over the rows of `Σ_columns x²`
    /// (what [`HybridOps::hybrid_sample_backward`]'s output penalty is a multiple of).
    #[allow(clippy::too_many_arguments)]
    fn hybrid_sample(
        &mut self,
        layout: &HybridLayout,
        temperature: f32,
        x: &Self::Matrix,
        gumbel: &Self::Matrix,
        action: &mut Self::Matrix,
        relaxed: &mut Self::Matrix,
        entropy: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );

    /// Backward of [`HybridOps::hybrid_sample`] (straight-through: the gradient of `relaxed`, the forward value
    /// of `action`) plus an entropy bonus and a penalty on `x`: from `∂L/∂action` in `daction`, writes into
    /// `dx` the gradient of `L − entropy_weight·Σ_rows entropy + output_l2·Σ_rows Σ_columns x²`. Logit
    /// columns: `(1/temperature)·p ⊙ (d − Σ p·d)` with `p` the relaxed sample, plus
    /// `entropy_weight·π ⊙ (log π + H)` with `π = softmax(logits)`; continuous columns: `d·(1 − tanh²)`;
    /// every column plus `2·output_l2·x`.
    #[allow(clippy::too_many_arguments)]
    fn hybrid_sample_backward(
        &mut self,
        layout: &HybridLayout,
        temperature: f32,
        x: &Self::Matrix,
        relaxed: &Self::Matrix,
        daction: &Self::Matrix,
        entropy_weight: f32,
        output_l2: f32,
        dx: &mut Self::Matrix,
    );

    /// The deterministic-policy actor loss `L = −mean_rows min(q1, q2)` (one column each): writes `∂L/∂q1`
    /// and `∂L/∂q2` (`−1/rows` on the critic giving the minimum, `q1` on a tie, 0 on the other) and `L` into
    /// `stats[slot]`.
    fn min_q_loss(
        &mut self,
        q1: &Self::Matrix,
        q2: &Self::Matrix,
        dq1: &mut Self::Matrix,
        dq2: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );

    /// The n-step target `y = returns + discounts ⊙ (min(q1, q2) + α·entropy)` (every argument one column;
    /// `alpha` = 0 leaves the entropy out).
    #[allow(clippy::too_many_arguments)]
    fn min_q_td_target(
        &mut self,
        q1: &Self::Matrix,
        q2: &Self::Matrix,
        entropy: &Self::Matrix,
        alpha: f32,
        returns: &Self::Matrix,
        discounts: &Self::Matrix,
        target: &mut Self::Matrix,
    );
}

/// PPO's advantage estimation and losses.
pub trait PpoOps: Backend {
    /// `out` row `i` = `src` row `index[i]` (`index`: one column of row numbers, exact in `f32` below 2^24).
    fn gather_rows(&mut self, src: &Self::Matrix, index: &Self::Matrix, out: &mut Self::Matrix);

    /// `out[i] = log softmax(logits row i)[actions[i]]` (`actions` and `out` are one column).
    fn action_log_prob(&mut self, logits: &Self::Matrix, actions: &Self::Matrix, out: &mut Self::Matrix);

    /// Generalised advantage estimation over one rollout in time order (a scan from its last row back):
    /// `δ_t = r_t + γ·(1 − terminated_t)·V(s'_t) − V(s_t)`, `A_t = δ_t + γλ·(1 − ends_t)·A_{t+1}` with
    /// `A_{t+1} = 0` past the last row, `returns_t = A_t + V(s_t)`. `terminated` (no bootstrap) and `ends`
    /// (episode boundary: terminated or truncated) are 0/1 flags; every argument is one column.
    #[allow(clippy::too_many_arguments)]
    fn gae(
        &mut self,
        rewards: &Self::Matrix,
        values: &Self::Matrix,
        next_values: &Self::Matrix,
        terminated: &Self::Matrix,
        ends: &Self::Matrix,
        gamma: f32,
        lambda: f32,
        advantages: &mut Self::Matrix,
        returns: &mut Self::Matrix,
    );

    /// PPO's clipped policy loss on logits `x` (π = softmax(x)) for the taken `actions`:
    /// `L = −mean_rows(min(ρ·Â, clip(ρ, 1 ± ε)·Â)) − c_H·mean_rows(H(π))` with `ρ = exp(log π(a) − old_log_prob)`
    /// and `Â` the advantages (standardised over the rows when the loss says so). Writes `∂L/∂x` into
    /// `dlogits` (zero from the surrogate where the clipped term is the smaller one), and `L`, the mean
    /// entropy, the approximate KL `mean(old_log_prob − log π(a))` and the fraction of clipped ratios into
    /// `stats[slot..slot + 4]`. `actions`, `old_log_prob` and `advantages` are one column.
    #[allow(clippy::too_many_arguments)]
    fn ppo_policy_loss(
        &mut self,
        logits: &Self::Matrix,
        actions: &Self::Matrix,
        old_log_prob: &Self::Matrix,
        advantages: &Self::Matrix,
        loss: &PpoLoss,
        dlogits: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );

    /// The value loss `L = coef·mean((v − returns)²)` (one column each): writes `∂L/∂v` into `dv`, and the
    /// mean squared error (without `coef`) and the mean `v` into `stats[slot..slot + 2]`.
    fn value_mse(
        &mut self,
        values: &Self::Matrix,
        returns: &Self::Matrix,
        coef: f32,
        dv: &mut Self::Matrix,
        stats: &mut Self::Vector,
        slot: usize,
    );
}
