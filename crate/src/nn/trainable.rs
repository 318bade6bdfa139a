//! What one optimiser trains ([`Trainable`]: flat parameters with their gradient and Adam moments) and
//! the scalar Adam of the entropy temperature α.

use super::{AdamConfig, Backend};

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
/// `1 − β^t` (in f64) before the step. It is deliberately not [`OptimOps::adam`](super::OptimOps::adam) with an [`AdamConfig`]:
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
