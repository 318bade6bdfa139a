//! Networks behind one numeric backend trait.
//!
//! [`Backend`] is the set of numeric operations every network here needs, split by family:
//! [`TensorOps`] (batch-major `f32` matrices and flat `f32` vectors: each network's weights, gradients and
//! Adam moments live in one flat vector, with [`LinearLayout`] views per layer), [`ModuleOps`] (dense layers
//! fused with their activation), [`DiffusionOps`] (the reverse-diffusion step), [`OptimOps`] (Adam, soft
//! updates) and [`LossOps`]; each learner family adds its own losses in an extension trait ([`SacOps`],
//! [`DqnOps`], [`HybridOps`], [`PpoOps`]). Model code ([`Mlp`], `diffusion`, `agent`) is written once
//! against them; [`cpu::CpuBackend`] is the reference implementation (ndarray storage, deterministic
//! kernels in [`kernels`]), and a GPU one can implement the diffusion-SAC family first without stubs.
//!
//! Files: the operation traits and their parameters in `backend.rs`, [`Mlp`] in `mlp.rs`, [`Trainable`]
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
