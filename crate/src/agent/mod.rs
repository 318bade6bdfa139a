//! Learners: the diffusion soft actor-critic family and the papers' learning baselines, written against
//! the numeric [`crate::nn::Backend`] and knowing a scenario only through its spaces.

pub mod presets;
pub mod sac;

use serde::Serialize;

use crate::error::{Error, Result};

/// What one gradient update reports.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct UpdateStats {
    /// Critic loss (sum over the critics).
    pub critic_loss: f32,
    /// Actor (policy) loss.
    pub actor_loss: f32,
    /// Mean policy entropy over the batch.
    pub entropy: f32,
    /// Entropy temperature used.
    pub alpha: f32,
    /// Mean `Q(s, a)` over the batch.
    pub mean_q: f32,
}

impl UpdateStats {
    /// The NaN/Inf guard: an error naming the first non-finite figure and the update that produced it.
    pub fn check(&self, update: u64) -> Result<()> {
        let figures = [
            ("critic_loss", self.critic_loss),
            ("actor_loss", self.actor_loss),
            ("entropy", self.entropy),
            ("alpha", self.alpha),
            ("mean_q", self.mean_q),
        ];
        match figures.iter().find(|(_, v)| !v.is_finite()) {
            Some((name, v)) => Err(Error::new(
                "training",
                format!(
                    "{name} became {v} at update {update}; training stopped (lower the learning rates or check the scenario's reward scale)"
                ),
            )),
            None => Ok(()),
        }
    }
}
