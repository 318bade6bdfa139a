//! Networks behind one numeric backend trait.
//!
//! [`Backend`] is the whole set of numeric operations the learners use: batch-major `f32` matrices,
//! flat `f32` vectors (each network's parameters, gradients and Adam moments live in one flat vector, with
//! [`LinearLayout`] views per layer), dense layers fused with their activation, the diffusion chain's
//! elementwise steps, the loss kernels, Adam and soft updates. Model code ([`Mlp`], `diffusion`, `agent`)
//! is written once against it; [`cpu::CpuBackend`] is the reference implementation (ndarray storage,
//! deterministic kernels in [`kernels`]) and a GPU one can follow without changing callers.

pub mod cpu;
pub mod kernels;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

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

/// The scalars of PPO's clipped policy loss ([`Backend::ppo_policy_loss`]).
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

/// The numeric operations the learners use. Matrices are batch-major (`rows` = batch); vectors are flat.
/// Every operation is deterministic: the same inputs give the same bits on every implementation of the
/// CPU kind, natively and in WebAssembly.
pub trait Backend {
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

    /// `out = act(x·W + b)` for the layer `layer` of `params`, and `slope = act'(x·W + b)` when given (what
    /// the backward pass of ReLU and Mish needs, computed while the forward pass has `z` at hand).
    fn linear_forward(
        &mut self,
        x: &Self::Matrix,
        params: &Self::Vector,
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
        params: &Self::Vector,
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

    /// Splits the gradient of a [`Backend::concat_broadcast`] output: adds its first `cols(da)` columns to
    /// `da`, and the column sums of the next `cols(db)` columns to row `row` of `db`.
    fn concat_broadcast_backward(
        &mut self,
        dout: &Self::Matrix,
        da: &mut Self::Matrix,
        db: &mut Self::Matrix,
        row: usize,
    );

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

    /// Backward of [`Backend::reverse_step`]: from `∂L/∂x_prev` writes `∂L/∂eps` into `deps` and
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

    /// Row-wise softmax.
    fn softmax_rows(&mut self, x: &Self::Matrix, out: &mut Self::Matrix);

    /// `out = min(a, b)` elementwise.
    fn min_elementwise(&mut self, a: &Self::Matrix, b: &Self::Matrix, out: &mut Self::Matrix);

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
    /// output `logits` as in [`Backend::discrete_policy_loss`] (`alpha` = 0 leaves the entropy out);
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

    /// `out = [a | b]` (columns side by side).
    fn concat_cols(&mut self, a: &Self::Matrix, b: &Self::Matrix, out: &mut Self::Matrix);

    /// `dst += src` elementwise.
    fn add_assign(&mut self, dst: &mut Self::Matrix, src: &Self::Matrix);

    /// A straight-through Gumbel-softmax sample of the hybrid action `x` (rows laid out as `layout`), with
    /// the Gumbel draws `gumbel` (same shape; read in the logit columns only). Per block, with
    /// `z = (logits + g)/temperature`: `action` gets the one-hot of `argmax z` (the first on a tie) and
    /// `relaxed` gets `softmax(z)`; in the continuous columns both get `tanh(x)`. `entropy` (one column)
    /// gets `Σ_blocks H(softmax(logits))`, the entropy of the row's step distributions without the noise,
    /// `stats[slot]` its mean over the rows and `stats[slot + 1]` the mean over the rows of `Σ_columns x²`
    /// (what [`Backend::hybrid_sample_backward`]'s output penalty is a multiple of).
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

    /// Backward of [`Backend::hybrid_sample`] (straight-through: the gradient of `relaxed`, the forward value
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

    /// Clips the global L2 norm of `grads` to `max_norm` (PyTorch's `clip_grad_norm_`: scaled by
    /// `max_norm / (‖g‖ + 1e-6)` when that is below 1) and writes `‖g‖` before clipping into `stats[slot]`, so
    /// no value has to be read back in the middle of an update.
    fn clip_grad_norm(&mut self, grads: &mut Self::Vector, max_norm: f32, stats: &mut Self::Vector, slot: usize);

    /// `v = value` everywhere.
    fn fill(&mut self, v: &mut Self::Vector, value: f32);
    /// `m = value` everywhere.
    fn fill_matrix(&mut self, m: &mut Self::Matrix, value: f32);
    /// `dst = src`.
    fn copy(&mut self, dst: &mut Self::Vector, src: &Self::Vector);
    /// `target = τ·source + (1 − τ)·target`.
    fn soft_update(&mut self, target: &mut Self::Vector, source: &Self::Vector, tau: f32);
    /// One Adam step (PyTorch semantics) on `params` with `grads`, moments `m`, `v`, at step `t` (from 1).
    fn adam(
        &mut self,
        params: &mut Self::Vector,
        grads: &Self::Vector,
        m: &mut Self::Vector,
        v: &mut Self::Vector,
        t: u64,
        config: &AdamConfig,
    );
}

/// A flat parameter vector with its gradient and Adam moments: what one optimiser trains.
pub struct Trainable<B: Backend> {
    /// The parameters.
    pub value: B::Vector,
    /// Their gradient, accumulated by the backward passes.
    pub grad: B::Vector,
    /// Adam's first moments.
    pub m: B::Vector,
    /// Adam's second moments.
    pub v: B::Vector,
}

impl<B: Backend> Trainable<B> {
    /// Parameters set to `init`, zero gradient and moments.
    pub fn new(backend: &mut B, init: &[f32]) -> Self {
        let value = vector_from(backend, init);
        Self { grad: backend.vector(init.len()), m: backend.vector(init.len()), v: backend.vector(init.len()), value }
    }

    /// Zeroes the gradient before the backward passes of a step.
    pub fn zero_grad(&mut self, backend: &mut B) {
        backend.fill(&mut self.grad, 0.0);
    }

    /// Adam step number `t` (from 1) with the accumulated gradient.
    pub fn adam(&mut self, backend: &mut B, t: u64, config: &AdamConfig) {
        backend.adam(&mut self.value, &self.grad, &mut self.m, &mut self.v, t, config);
    }
}

/// A vector of the backend holding `data`: a network's starting parameters, or the target copy that
/// follows them (soft-updated by the learner, never trained itself, so no gradient or moments).
pub fn vector_from<B: Backend>(backend: &mut B, data: &[f32]) -> B::Vector {
    let mut v = backend.vector(data.len());
    backend.write_vector(&mut v, data);
    v
}

/// Adam on one host scalar: the auto-tuned entropy temperature's `log α` (the soft actor-critic's step 4).
///
/// The textbook form with PyTorch's default β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸: moments decay by `β` and take
/// `1 − β` of the new gradient (both rounded to f32 from the f64 β), then are bias-corrected by
/// `1 − β^t` (in f64) before the step. It is deliberately not [`Backend::adam`] with an [`AdamConfig`]:
/// that kernel holds β in f32 (so its `1 − β₁` is 0.100000024 where this one's is 0.1) and folds the bias
/// corrections into the step size, so routed through it α would move in its last bits and every α-tuned
/// run (and every saved one continued) would come out different. `agent::tests` pins its results.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScalarAdam {
    /// First moment.
    pub m: f32,
    /// Second moment.
    pub v: f32,
}

impl ScalarAdam {
    /// β₁, the first moment's decay.
    pub const BETA1: f64 = 0.9;
    /// β₂, the second moment's decay.
    pub const BETA2: f64 = 0.999;
    /// ε, the denominator's guard.
    pub const EPS: f32 = 1e-8;

    /// Adam step number `t` (from 1) of `x` with gradient `grad` and learning rate `lr`.
    pub fn step(&mut self, x: &mut f32, grad: f32, t: u64, lr: f32) {
        let t = t as f64;
        self.m = Self::BETA1 as f32 * self.m + (1.0 - Self::BETA1) as f32 * grad;
        self.v = Self::BETA2 as f32 * self.v + (1.0 - Self::BETA2) as f32 * grad * grad;
        let m_hat = self.m / (1.0 - libm::pow(Self::BETA1, t)) as f32;
        let v_hat = self.v / (1.0 - libm::pow(Self::BETA2, t)) as f32;
        *x -= lr * m_hat / (v_hat.sqrt() + Self::EPS);
    }
}

/// One dense layer of an [`Mlp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dense {
    /// Where its parameters are.
    pub layout: LinearLayout,
    /// Its activation.
    pub act: Activation,
}

/// A multilayer perceptron whose parameters occupy `offset..offset + len()` of a flat vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Dense>,
}

impl Mlp {
    /// Layers of `widths[0] → widths[1] → …`, `hidden` after every layer but the last, `output` after the
    /// last; parameters start at `offset` of the flat vector.
    pub fn new(widths: &[usize], hidden: Activation, output: Activation, offset: usize) -> Self {
        assert!(widths.len() >= 2, "an MLP needs an input and an output width");
        let mut at = offset;
        let layers = widths
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let layout = LinearLayout { inputs: w[0], outputs: w[1], weight: at, bias: at + w[0] * w[1] };
                at += layout.len();
                let act = if i + 2 == widths.len() { output } else { hidden };
                Dense { layout, act }
            })
            .collect();
        Self { layers }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.layers.iter().map(|l| l.layout.len()).sum()
    }

    /// Always false: an MLP has at least one layer.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.layers[0].layout.inputs
    }

    /// Output width.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].layout.outputs
    }

    /// First parameter index.
    pub fn offset(&self) -> usize {
        self.layers[0].layout.weight
    }

    /// PyTorch's `nn.Linear` initialisation: `W` and `b` uniform on `±1/√fan_in`.
    pub fn init(&self, params: &mut [f32], rng: &mut Rng) {
        for layer in &self.layers {
            let l = layer.layout;
            let bound = 1.0 / (l.inputs as f64).sqrt();
            for p in &mut params[l.weight..l.weight + l.len()] {
                *p = rng.uniform_in(-bound, bound) as f32;
            }
        }
    }

    /// Orthogonal initialisation with zero biases (`torch.nn.init.orthogonal_(W, gain)`, as the PPO reference
    /// code initialises its networks): each `W` (`inputs × outputs`) gets orthonormal columns, or orthonormal
    /// rows when it is wider than tall, times `gain`. The orthonormal vectors come from a Gaussian matrix by
    /// modified Gram–Schmidt in f64 (the Q of its QR decomposition with a positive diagonal of R).
    pub fn init_orthogonal(&self, params: &mut [f32], rng: &mut Rng, gain: f64) {
        for layer in &self.layers {
            let l = layer.layout;
            let (long, short) = (l.inputs.max(l.outputs), l.inputs.min(l.outputs));
            let mut q: Vec<Vec<f64>> = (0..short).map(|_| (0..long).map(|_| rng.normal()).collect()).collect();
            for j in 0..short {
                let (done, rest) = q.split_at_mut(j);
                let v = &mut rest[0];
                for u in done.iter() {
                    let dot: f64 = u.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
                    for (x, &y) in v.iter_mut().zip(u) {
                        *x -= dot * y;
                    }
                }
                let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                for x in v.iter_mut() {
                    *x /= norm;
                }
            }
            let w = &mut params[l.weight..l.weight + l.inputs * l.outputs];
            for r in 0..l.inputs {
                for c in 0..l.outputs {
                    let value = if l.inputs >= l.outputs { q[c][r] } else { q[r][c] };
                    w[r * l.outputs + c] = (gain * value) as f32;
                }
            }
            params[l.bias..l.bias + l.outputs].fill(0.0);
        }
    }

    /// Buffers for a batch of `rows`.
    pub fn workspace<B: Backend>(&self, backend: &mut B, rows: usize) -> MlpWork<B> {
        let mut slope = Vec::new();
        let mut out = Vec::new();
        let mut grad = Vec::new();
        for layer in &self.layers {
            let n = layer.layout.outputs;
            slope.push(layer.act.needs_slope().then(|| backend.matrix(rows, n)));
            out.push(backend.matrix(rows, n));
            grad.push(backend.matrix(rows, n));
        }
        MlpWork { slope, out, grad }
    }

    /// Forward pass of `x` that keeps what [`Mlp::backward`] needs; the result is `work.output()`.
    pub fn forward<B: Backend>(&self, backend: &mut B, params: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>) {
        self.run(backend, params, x, work, true);
    }

    /// Forward pass of `x` with no backward to follow (acting, targets): the same outputs as
    /// [`Mlp::forward`] without the activations' slopes.
    pub fn infer<B: Backend>(&self, backend: &mut B, params: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>) {
        self.run(backend, params, x, work, false);
    }

    fn run<B: Backend>(&self, backend: &mut B, params: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>, grad: bool) {
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = work.out.split_at_mut(l);
            let input = if l == 0 { x } else { &before[l - 1] };
            let slope = work.slope[l].as_mut().filter(|_| grad);
            backend.linear_forward(input, params, &layer.layout, layer.act, slope, &mut after[0]);
        }
    }

    /// Backward pass after [`Mlp::forward`] (not [`Mlp::infer`]) on the same `x`: the caller has put `∂L/∂output` into
    /// `work.output_grad()`. Adds parameter gradients to `grads` and writes `∂L/∂x` (first `cols(dx)`
    /// columns) into `dx` when given.
    pub fn backward<B: Backend>(
        &self,
        backend: &mut B,
        params: &B::Vector,
        x: &B::Matrix,
        work: &mut MlpWork<B>,
        grads: &mut B::Vector,
        dx: Option<&mut B::Matrix>,
    ) {
        let mut dx = dx;
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let input = if l == 0 { x } else { &work.out[l - 1] };
            let (lower, upper) = work.grad.split_at_mut(l);
            let d_input = if l == 0 { dx.take() } else { Some(&mut lower[l - 1]) };
            backend.linear_backward(
                input,
                params,
                &layer.layout,
                layer.act,
                work.slope[l].as_ref(),
                &work.out[l],
                &mut upper[0],
                grads,
                d_input,
            );
        }
    }
}

/// The saved activations and gradient buffers of one [`Mlp`] pass over a batch.
pub struct MlpWork<B: Backend> {
    slope: Vec<Option<B::Matrix>>,
    out: Vec<B::Matrix>,
    grad: Vec<B::Matrix>,
}

impl<B: Backend> MlpWork<B> {
    /// The network's output after `forward`.
    pub fn output(&self) -> &B::Matrix {
        self.out.last().expect("an MLP has layers")
    }

    /// Where the caller puts `∂L/∂output` before `backward`.
    pub fn output_grad(&mut self) -> &mut B::Matrix {
        self.grad.last_mut().expect("an MLP has layers")
    }

    /// The output and its gradient buffer at once.
    pub fn output_and_grad(&mut self) -> (&B::Matrix, &mut B::Matrix) {
        (self.out.last().expect("an MLP has layers"), self.grad.last_mut().expect("an MLP has layers"))
    }
}

#[cfg(test)]
pub(crate) mod tests;
