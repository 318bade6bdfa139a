//! Networks behind one numeric backend trait.
//!
//! [`Backend`] is the whole set of numeric operations the learners use: batch-major `f32` matrices,
//! flat `f32` vectors (each network's parameters, gradients and Adam moments live in one flat vector, with
//! [`LinearLayout`] views per layer), dense layers fused with their activation, the diffusion chain's
//! elementwise steps, the loss kernels, Adam and soft updates. Model code ([`Mlp`], `diffusion`, `agent`)
//! is written once against it; [`cpu::CpuBackend`] is the reference implementation (ndarray storage,
//! deterministic kernels in [`kernels`]) and a GPU one can follow without changing callers.
//!
//! Files: [`Backend`] and its operations' parameters in `backend.rs`, [`Mlp`] in `mlp.rs`, [`Trainable`]
//! and α's [`ScalarAdam`] in `trainable.rs`.

mod backend;
pub mod cpu;
pub mod kernels;
mod mlp;
mod trainable;

pub use backend::*;
pub use mlp::*;
pub use trainable::*;

#[cfg(test)]
pub(crate) mod tests;
