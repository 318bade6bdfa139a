//! The learner benchmark's fixtures, shared by `diffedge bench` and the browser's bench page: the d2sac
//! learner on asp's shapes and a batch of random transitions.

use crate::agent::sac::Sac;
use crate::agent::{LearnerConfig, Preset, presets};
use crate::nn::cpu::CpuBackend;
use crate::rng::{Rng, Stream};
use crate::train::replay::Batch;

/// Observation width of asp.
pub const OBS: usize = 42;
/// Actions of asp (providers).
pub const ACTIONS: usize = 20;

/// A d2sac learner of `preset` for asp's observation and action sizes.
pub fn d2sac(preset: Preset) -> Sac<CpuBackend> {
    let Ok(LearnerConfig::Sac(config)) = presets::learner("d2sac", preset) else {
        unreachable!("d2sac is a soft actor-critic preset")
    };
    Sac::new(config, CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner)).expect("a valid preset")
}

/// `rows` random transitions shaped like asp's.
pub fn random_batch(rows: usize) -> Batch {
    let mut rng = Rng::new(1, Stream::Episode);
    let mut uniform = |n: usize| (0..n).map(|_| rng.uniform() as f32).collect::<Vec<f32>>();
    Batch {
        rows,
        obs: uniform(rows * OBS),
        action: (0..rows).map(|i| (i % ACTIONS) as f32).collect(),
        ret: uniform(rows),
        next_obs: uniform(rows * OBS),
        discount: vec![0.95; rows],
        extra: Vec::new(),
        next_extra: Vec::new(),
    }
}
