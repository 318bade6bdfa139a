//! The learner benchmark's fixtures, shared by `diffedge bench` and the browser's bench page: the d2sac
//! learner on asp's shapes (the batches are [`crate::replay::Batch::synthetic`] of these shapes).

use crate::agent::sac::Sac;
use crate::agent::{Algorithm, LearnerConfig, Preset};
use crate::nn::cpu::CpuBackend;
use crate::rng::{Rng, Stream};

/// Observation width of asp.
pub const OBS: usize = 42;
/// Actions of asp (providers).
pub const ACTIONS: usize = 20;

/// A d2sac learner of `preset` for asp's observation and action sizes.
pub fn d2sac(preset: Preset) -> Sac<CpuBackend> {
    let LearnerConfig::Sac(config) = Algorithm::D2sac.preset(preset).learner else {
        unreachable!("d2sac is a soft actor-critic preset")
    };
    Sac::new(config, CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner)).expect("a valid preset")
}
