//! What a learner will hold in memory, estimated from its config before anything is allocated: each
//! field's limit is sane alone (eight layers of 4096, a batch of 65 536, ten million transitions), but
//! together they can ask for gigabytes, which grew the CLI past 6 GB and ended a browser tab in a bare
//! "unreachable". The training loop refuses a config past the budget with the estimate in the message.
//!
//! Counted in `f32`s: parameters (with target copies), gradients and Adam's two moments, the activations of
//! a batch (pre- and post-activation and their gradient per layer; a diffusion actor keeps every denoising
//! step), and the replay buffer at capacity (it grows to that as it fills). Small buffers (one decision's
//! workspace, counters) are left out: the estimate is of what can grow.

use crate::diffusion::{DiffusionConfig, EMBEDDING};
use crate::error::{Error, Result};
use crate::nn::Mlp;

/// Memory a native run may plan for (the CLI): a workstation's. The largest paper preset, lad's D2SAC-TS
/// baseline with one 10⁶-transition buffer per base station, plans for 7.6 GiB at capacity.
pub const NATIVE_BUDGET_BYTES: u64 = 8 << 30;
/// Memory a run in the browser may plan for: a wasm32 module addresses at most 4 GiB, and a tab that asks
/// for much more than one is often killed before it gets it.
pub const BROWSER_BUDGET_BYTES: u64 = 1 << 30;

/// The budget where this build runs.
pub fn budget_bytes() -> u64 {
    if cfg!(target_arch = "wasm32") { BROWSER_BUDGET_BYTES } else { NATIVE_BUDGET_BYTES }
}

/// A learner's memory by part, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Network parameters, target networks included.
    pub parameters: u64,
    /// Gradients and Adam's first and second moments.
    pub optimiser: u64,
    /// Activations and their gradients for a batch.
    pub activations: u64,
    /// Replay buffer (or PPO's rollout) at capacity.
    pub replay: u64,
    /// LAD's latent actions, one per decision position (the training loop's, not a learner's).
    pub latents: u64,
}

const F32: u64 = 4;

impl MemoryEstimate {
    /// For networks of `trainable` parameters (`held` in all, target copies included), `activations`
    /// floats for a batch and `replay` floats of stored experience.
    pub fn new(trainable: usize, held: usize, activations: u64, replay: u64) -> Self {
        Self {
            parameters: held as u64 * F32,
            optimiser: 3 * trainable as u64 * F32,
            activations: activations * F32,
            replay: replay * F32,
            latents: 0,
        }
    }

    /// With a latent store of `floats`.
    pub fn with_latents(self, floats: u64) -> Self {
        Self { latents: floats * F32, ..self }
    }

    /// The whole.
    pub fn total(&self) -> u64 {
        self.parameters + self.optimiser + self.activations + self.replay + self.latents
    }

    /// `n` learners of this size (one per agent when they do not share one); the latent store is one.
    pub fn times(self, n: usize) -> Self {
        let n = n as u64;
        Self {
            parameters: self.parameters * n,
            optimiser: self.optimiser * n,
            activations: self.activations * n,
            replay: self.replay * n,
            latents: self.latents,
        }
    }

    /// An error naming `learner` with the estimate by part if the whole is past `budget` bytes.
    pub fn check(&self, budget: u64) -> Result<()> {
        if self.total() <= budget {
            return Ok(());
        }
        Err(Error::new(
            "learner",
            format!(
                "needs about {} (parameters {}, gradients and Adam moments {}, activations {}, replay {}, latent \
                 store {}); at most {} can be planned for here: use fewer or narrower layers, a smaller batch_size \
                 or buffer_size (or a smaller world)",
                size(self.total()),
                size(self.parameters),
                size(self.optimiser),
                size(self.activations),
                size(self.replay),
                size(self.latents),
                size(budget)
            ),
        ))
    }
}

/// Bytes as people read them.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.1} KiB", b as f64 / 1024.0),
    }
}

/// Parameters of an MLP of layer `widths` (input first).
pub fn mlp_parameters(widths: &[usize]) -> usize {
    Mlp::new(widths, crate::nn::Activation::Relu, crate::nn::Activation::Identity, 0).len()
}

/// Activation floats of one pass of `rows` through an MLP of `widths`, kept for the backward pass.
pub fn mlp_activations(widths: &[usize], rows: usize) -> u64 {
    3 * rows as u64 * widths.iter().map(|&w| w as u64).sum::<u64>()
}

/// Activation floats of a batch of `rows` through a diffusion actor's whole chain (every denoising step's
/// pass is kept for the backward pass through the chain).
pub fn diffusion_activations(config: &DiffusionConfig, state_dim: usize, action_dim: usize, rows: usize) -> u64 {
    let denoiser = [action_dim + EMBEDDING + state_dim, config.hidden, config.hidden, action_dim];
    let time = if config.time_mlp { mlp_activations(&[EMBEDDING, 2 * EMBEDDING, EMBEDDING], rows) } else { 0 };
    config.steps as u64 * (mlp_activations(&denoiser, rows) + time)
}

/// Floats of a replay buffer of `capacity` transitions of observations `obs_dim` (and the next), an action
/// of `action_width`, `extra_width` more (LAD's latents), a reward and a done flag.
pub fn replay_floats(capacity: usize, obs_dim: usize, action_width: usize, extra_width: usize) -> u64 {
    capacity as u64 * (2 * obs_dim + action_width + extra_width + 2) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_and_the_message_names_them() {
        let m = MemoryEstimate::new(1000, 2000, 500, 250);
        assert_eq!((m.parameters, m.optimiser, m.activations, m.replay), (8000, 12000, 2000, 1000));
        assert_eq!(m.times(3).total(), 3 * m.total());
        assert!(m.check(m.total()).is_ok());
        let e = m.check(m.total() - 1).unwrap_err();
        assert_eq!(e.field, "learner");
        assert!(e.problem.starts_with("needs about 22.5 KiB (parameters 7.8 KiB"), "{e}");
        assert_eq!(mlp_parameters(&[3, 4, 2]), 3 * 4 + 4 + 4 * 2 + 2);
    }
}
