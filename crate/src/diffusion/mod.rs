//! The diffusion actor: a conditional DDPM whose reverse chain turns Gaussian (or latent) noise into an
//! action vector in `T` denoising steps of a small MLP conditioned on the state, and the backward pass
//! through the whole chain (the actor loss is a function of `x_0`).
//!
//! Follows `design/algorithms.md` ("The diffusion actor") and the D2SAC reference code: ε-prediction,
//! sinusoidal time embedding of the step index `t` (`T−1 … 0`) with an optional MLP, input
//! `[x_t | embedding | state]`, no clamp of `x̂_0` unless `clip_denoised`, no noise on the last step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::nn::{Activation, Backend, Mlp, MlpWork, ReverseStep};
use crate::rng::Rng;

/// Width of the sinusoidal time embedding.
pub const EMBEDDING: usize = 16;

/// How the noise variances `β_t` are laid out over the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoiseSchedule {
    /// Variance-preserving: `α_t = exp(−b_min/T − ½(b_max − b_min)(2t − 1)/T²)`, `b_min = 0.1`, `b_max = 10`.
    Vp,
    /// `β` linear from 1e−4 to 2e−2.
    Linear,
    /// Nichol & Dhariwal's cosine schedule, `s = 0.008`.
    Cosine,
}

impl NoiseSchedule {
    /// `β_1 … β_T` (computed in f64).
    pub fn betas(self, steps: usize) -> Vec<f64> {
        let t_max = steps as f64;
        match self {
            NoiseSchedule::Vp => (1..=steps)
                .map(|t| {
                    let (b_min, b_max) = (0.1, 10.0);
                    1.0 - libm::exp(-b_min / t_max - 0.5 * (b_max - b_min) * (2.0 * t as f64 - 1.0) / (t_max * t_max))
                })
                .collect(),
            NoiseSchedule::Linear => {
                let (start, end) = (1e-4, 2e-2);
                (0..steps)
                    .map(|i| if steps == 1 { start } else { start + (end - start) * i as f64 / (t_max - 1.0) })
                    .collect()
            }
            NoiseSchedule::Cosine => {
                // As the reference: ᾱ on np.linspace(0, T + 1, T + 1), normalised, β clipped to [0, 0.999].
                let s = 0.008;
                let points = steps + 1;
                let alpha_bar = |i: usize| {
                    let x = (points as f64) * i as f64 / (points as f64 - 1.0);
                    let c = libm::cos(((x / points as f64) + s) / (1.0 + s) * core::f64::consts::FRAC_PI_2);
                    c * c
                };
                let first = alpha_bar(0);
                (1..points)
                    .map(|i| (1.0 - (alpha_bar(i) / first) / (alpha_bar(i - 1) / first)).clamp(0.0, 0.999))
                    .collect()
            }
        }
    }
}

/// The per-step scalars of a chain of `steps` with `schedule`: entry `t` takes `x_{t+1}` to `x_t`
/// (`t = T−1` first).
pub fn reverse_steps(schedule: NoiseSchedule, steps: usize, clip: bool, predict_sample: bool) -> Vec<ReverseStep> {
    let betas = schedule.betas(steps);
    let mut alpha_bar = 1.0;
    let mut out = Vec::with_capacity(steps);
    for &beta in &betas {
        let alpha = 1.0 - beta;
        let prev = alpha_bar;
        alpha_bar *= alpha;
        let variance = beta * (1.0 - prev) / (1.0 - alpha_bar);
        out.push(ReverseStep {
            recip_sqrt_alpha_bar: libm::sqrt(1.0 / alpha_bar) as f32,
            recipm1_sqrt_alpha_bar: libm::sqrt(1.0 / alpha_bar - 1.0) as f32,
            coef_x0: (beta * libm::sqrt(prev) / (1.0 - alpha_bar)) as f32,
            coef_xt: ((1.0 - prev) * libm::sqrt(alpha) / (1.0 - alpha_bar)) as f32,
            // The reference's exp(½·log(clamp(var, 1e−20))); the first step (t = 0) adds no noise.
            sigma: if out.is_empty() { 0.0 } else { libm::sqrt(variance.max(1e-20)) as f32 },
            clip,
            predict_sample,
        });
    }
    out
}

/// `[sin(t·f_0) … sin(t·f_7), cos(t·f_0) … cos(t·f_7)]` with `f_i = 10000^{−i/7}` (the reference's
/// `SinusoidalPosEmb(16)`).
pub fn sinusoidal_embedding(t: usize) -> [f32; EMBEDDING] {
    let half = EMBEDDING / 2;
    let scale = libm::log(10_000.0) / (half as f64 - 1.0);
    let mut out = [0.0; EMBEDDING];
    for i in 0..half {
        let angle = t as f64 * libm::exp(-scale * i as f64);
        out[i] = libm::sin(angle) as f32;
        out[half + i] = libm::cos(angle) as f32;
    }
    out
}

/// Shape of a diffusion actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffusionConfig {
    /// Denoising steps `T`.
    pub steps: usize,
    /// Noise schedule.
    pub schedule: NoiseSchedule,
    /// Hidden width `h` of the denoiser.
    pub hidden: usize,
    /// Hidden activation.
    pub activation: Activation,
    /// Pass the sinusoidal embedding through Linear 16→32 → act → Linear 32→16.
    pub time_mlp: bool,
    /// Output activation of the denoiser: `tanh` keeps the predicted noise small (ε-prediction); `softmax`
    /// makes the network predict the action probabilities `x̂_0` themselves (LAD), so that `x_0`, which
    /// equals the last step's `x̂_0`, is the policy.
    pub output: Activation,
    /// Clamp `x̂_0` to `[−1, 1]` at each step.
    pub clip_denoised: bool,
}

impl DiffusionConfig {
    /// Whether the denoiser predicts `x̂_0` (a softmax output) rather than the noise.
    pub fn predicts_sample(&self) -> bool {
        self.output == Activation::Softmax
    }
}

/// A conditional DDPM actor: time-embedding MLP (optional) and denoiser MLP in one flat parameter vector.
#[derive(Debug, Clone)]
pub struct DiffusionActor {
    config: DiffusionConfig,
    state_dim: usize,
    action_dim: usize,
    time_mlp: Option<Mlp>,
    denoiser: Mlp,
    steps: Vec<ReverseStep>,
}

impl DiffusionActor {
    /// An actor for `state_dim` inputs and `action_dim` outputs.
    pub fn new(config: DiffusionConfig, state_dim: usize, action_dim: usize) -> Self {
        let time_mlp = config
            .time_mlp
            .then(|| Mlp::new(&[EMBEDDING, 2 * EMBEDDING, EMBEDDING], config.activation, Activation::Identity, 0));
        let offset = time_mlp.as_ref().map_or(0, Mlp::len);
        let widths = [action_dim + EMBEDDING + state_dim, config.hidden, config.hidden, action_dim];
        let denoiser = Mlp::new(&widths, config.activation, config.output, offset);
        let steps = reverse_steps(config.schedule, config.steps, config.clip_denoised, config.predicts_sample());
        Self { config, state_dim, action_dim, time_mlp, denoiser, steps }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.time_mlp.as_ref().map_or(0, Mlp::len) + self.denoiser.len()
    }

    /// Always false.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The shape it was built with.
    pub fn config(&self) -> &DiffusionConfig {
        &self.config
    }

    /// Action width.
    pub fn action_dim(&self) -> usize {
        self.action_dim
    }

    /// The networks, for naming parameters in checkpoints: `(name, mlp)`.
    pub fn networks(&self) -> Vec<(&'static str, &Mlp)> {
        let mut out = Vec::new();
        if let Some(t) = &self.time_mlp {
            out.push(("time_mlp", t));
        }
        out.push(("denoiser", &self.denoiser));
        out
    }

    /// PyTorch-default initialisation of every layer.
    pub fn init(&self, weights: &mut [f32], rng: &mut Rng) {
        if let Some(t) = &self.time_mlp {
            t.init(weights, rng);
        }
        self.denoiser.init(weights, rng);
    }

    /// Buffers for chains over a batch of `rows` states.
    pub fn workspace<B: Backend>(&self, backend: &mut B, rows: usize) -> ChainWork<B> {
        let t = self.config.steps;
        let a = self.action_dim;
        let mut embedding = backend.matrix(t, EMBEDDING);
        let flat: Vec<f32> = (0..t).flat_map(sinusoidal_embedding).collect();
        backend.write_matrix(&mut embedding, &flat);
        ChainWork {
            rows,
            embedding,
            time: self.time_mlp.as_ref().map(|m| m.workspace(backend, t)),
            d_time: backend.matrix(t, EMBEDDING),
            x: (0..=t).map(|_| backend.matrix(rows, a)).collect(),
            noise: (0..t).map(|_| backend.matrix(rows, a)).collect(),
            input: (0..t).map(|_| backend.matrix(rows, a + EMBEDDING + self.state_dim)).collect(),
            net: (0..t).map(|_| self.denoiser.workspace(backend, rows)).collect(),
            d_input: backend.matrix(rows, a + EMBEDDING),
            deps: backend.matrix(rows, a),
            dx: [backend.matrix(rows, a), backend.matrix(rows, a)],
            noise_host: vec![0.0; rows * a],
        }
    }

    /// Draws the chain's noise from `rng`: `x_T ~ N(0, I)` unless `latent_start`, then one draw per step
    /// with noise (all but the last). Noise is an input of the chain, so a replayed chain is deterministic.
    pub fn draw_noise<B: Backend>(&self, backend: &mut B, work: &mut ChainWork<B>, rng: &mut Rng, latent_start: bool) {
        let t = self.config.steps;
        if !latent_start {
            rng.fill_normal_f32(&mut work.noise_host);
            backend.write_matrix(&mut work.x[t], &work.noise_host);
        }
        for step in 1..t {
            rng.fill_normal_f32(&mut work.noise_host);
            backend.write_matrix(&mut work.noise[step], &work.noise_host);
        }
    }

    /// Sets the chain's start `x_T` and every step's noise to zero: the chain from the prior's mean without
    /// step noise, a deterministic action for the state.
    pub fn zero_noise<B: Backend>(&self, backend: &mut B, work: &mut ChainWork<B>) {
        let t = self.config.steps;
        backend.fill_matrix(&mut work.x[t], 0.0);
        for step in 1..t {
            backend.fill_matrix(&mut work.noise[step], 0.0);
        }
    }

    /// Runs the reverse chain from `work.start()` for the states `state` (`rows × state_dim`), keeping
    /// what [`DiffusionActor::backward`] needs; the result `x_0` is `work.output()`.
    pub fn forward<B: Backend>(
        &self,
        backend: &mut B,
        weights: &B::Vector,
        state: &B::Matrix,
        work: &mut ChainWork<B>,
    ) {
        self.run(backend, weights, state, work, true);
    }

    /// The reverse chain with no backward to follow (acting, targets): the same `x_0` as
    /// [`DiffusionActor::forward`] without the activations' slopes.
    pub fn infer<B: Backend>(&self, backend: &mut B, weights: &B::Vector, state: &B::Matrix, work: &mut ChainWork<B>) {
        self.run(backend, weights, state, work, false);
    }

    fn run<B: Backend>(&self, b: &mut B, weights: &B::Vector, state: &B::Matrix, work: &mut ChainWork<B>, grad: bool) {
        let pass = |mlp: &Mlp, b: &mut B, x: &B::Matrix, w: &mut MlpWork<B>| {
            if grad { mlp.forward(b, weights, x, w) } else { mlp.infer(b, weights, x, w) }
        };
        if let (Some(mlp), Some(time)) = (&self.time_mlp, work.time.as_mut()) {
            pass(mlp, b, &work.embedding, time);
        }
        for t in (0..self.config.steps).rev() {
            let embedding = work.time.as_ref().map_or(&work.embedding, MlpWork::output);
            let (lower, upper) = work.x.split_at_mut(t + 1);
            b.concat_broadcast(&upper[0], embedding, t, state, &mut work.input[t]);
            pass(&self.denoiser, b, &work.input[t], &mut work.net[t]);
            b.reverse_step(&self.steps[t], &upper[0], work.net[t].output(), &work.noise[t], &mut lower[t]);
        }
    }

    /// Backward through the whole chain after [`DiffusionActor::forward`]: `dx0` is `∂L/∂x_0`; parameter
    /// gradients are added to `grads`.
    pub fn backward<B: Backend>(
        &self,
        backend: &mut B,
        weights: &B::Vector,
        dx0: &B::Matrix,
        work: &mut ChainWork<B>,
        grads: &mut B::Vector,
    ) {
        let ChainWork { embedding, time, d_time, x, input, net, d_input, deps, dx, .. } = work;
        // The embedding's gradient goes straight into the time MLP's output gradient (or a scratch buffer).
        let d_embedding = match time.as_mut() {
            Some(work) => work.output_grad(),
            None => d_time,
        };
        backend.fill_matrix(d_embedding, 0.0);
        let [even, odd] = dx;
        for t in 0..self.config.steps {
            // ∂L/∂x_t arrives in `dx0` (t = 0) or in the buffer the previous step wrote; ∂L/∂x_{t+1} goes
            // into the other one.
            let (incoming, outgoing) = match t {
                0 => (dx0, &mut *even),
                _ if t % 2 == 1 => (&*even, &mut *odd),
                _ => (&*odd, &mut *even),
            };
            backend.reverse_step_backward(&self.steps[t], &x[t + 1], net[t].output(), incoming, deps, outgoing);
            // The denoiser's backward reads ∂L/∂eps from its output-gradient buffer: swap `deps` in.
            std::mem::swap(net[t].output_grad(), deps);
            self.denoiser.backward(backend, weights, &input[t], &mut net[t], grads, Some(d_input));
            backend.concat_broadcast_backward(d_input, outgoing, d_embedding, t);
        }
        if let (Some(mlp), Some(work)) = (&self.time_mlp, time.as_mut()) {
            mlp.backward(backend, weights, embedding, work, grads, None);
        }
    }
}

/// The buffers of one batch of chains: every step's input, denoiser activations and output.
pub struct ChainWork<B: Backend> {
    rows: usize,
    embedding: B::Matrix,
    time: Option<MlpWork<B>>,
    d_time: B::Matrix,
    /// `x[T]` is the start, `x[0]` the result.
    x: Vec<B::Matrix>,
    noise: Vec<B::Matrix>,
    input: Vec<B::Matrix>,
    net: Vec<MlpWork<B>>,
    d_input: B::Matrix,
    deps: B::Matrix,
    dx: [B::Matrix; 2],
    noise_host: Vec<f32>,
}

impl<B: Backend> ChainWork<B> {
    /// Batch size.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The chain's start `x_T`, to write a latent start into.
    pub fn start_mut(&mut self) -> &mut B::Matrix {
        self.x.last_mut().expect("a chain has a start")
    }

    /// `x_0` after `forward`.
    pub fn output(&self) -> &B::Matrix {
        &self.x[0]
    }

    /// `x_t` for every step, `x_T` first (for drawing the chain).
    pub fn trajectory(&self) -> impl Iterator<Item = &B::Matrix> {
        self.x.iter().rev()
    }
}

#[cfg(test)]
mod tests;
