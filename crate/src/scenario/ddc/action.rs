//! The hybrid action: per user 6 step logits then 1 offload value, decoded into splits.
//!
//! The learner samples the steps with Gumbel-softmax and passes the sample (one-hot or logits); the
//! environment takes the argmax (the first on a tie). The offload value comes out of the actor's `tanh`,
//! so the squash is affine from [−1, 1] onto [0, 1], clamped to [`MIN_OFFLOAD_RATIO`, 1]: 1 and above is
//! all at the edge, and the ratio is never 0 (the paper's `o_k ∈ (0, 1]`). The edge runs
//! `e_k = round(o_k·T_k)` steps (half away from zero), the phone the rest.

use super::STEP_CHOICES;
use super::model::Split;
use crate::error::Result;
use crate::scenario::Action;

/// Smallest offload ratio `o_k`.
pub const MIN_OFFLOAD_RATIO: f64 = 0.01;
/// Numbers per user in the action vector: the step logits, then the offload value.
pub const PER_USER: usize = STEP_CHOICES.len() + 1;

/// The offload ratio `o_k` of the continuous value `x`.
pub fn offload_ratio(x: f32) -> f64 {
    ((f64::from(x) + 1.0) / 2.0).clamp(MIN_OFFLOAD_RATIO, 1.0)
}

/// Index of the largest logit, the first on a tie.
fn argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    best
}

/// Decodes `action` for `users` users into `splits` (replacing its contents). Errors for a wrong length or
/// a non-finite number, leaving `splits` untouched.
pub fn decode(action: &Action, users: usize, splits: &mut Vec<Split>) -> Result<()> {
    let values = action.vector_of_len(users * PER_USER)?;
    splits.clear();
    splits.extend(values.chunks_exact(PER_USER).map(|block| {
        let step = argmax(&block[..STEP_CHOICES.len()]);
        let steps = f64::from(STEP_CHOICES[step]);
        let edge_steps = (offload_ratio(block[STEP_CHOICES.len()]) * steps).round() as u32;
        Split { step, edge_steps }
    }));
    Ok(())
}

/// The action that decodes to `splits`: one-hot step logits and the offload value `2·e_k/T_k − 1`.
pub fn encode(splits: &[Split]) -> Action {
    let mut values = Vec::with_capacity(splits.len() * PER_USER);
    for split in splits {
        values.extend((0..STEP_CHOICES.len()).map(|i| if i == split.step { 1.0 } else { 0.0 }));
        values.push((2.0 * f64::from(split.edge_steps) / f64::from(split.steps()) - 1.0) as f32);
    }
    Action::Vector(values)
}
