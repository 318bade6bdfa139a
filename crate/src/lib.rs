//! diffedge: the scenarios of five edge-AIGC scheduling papers and the diffusion soft actor-critic
//! learners that all of them use, as one library that runs natively (the `diffedge` command) and in the
//! browser (WebAssembly, module [`web`]).
//!
//! Layers, each using only those below it: `web` / `cli` → [`scenario`] → [`params`] → [`json`], [`rng`] → [`error`].
#![warn(missing_docs)]

pub mod agent;
pub mod bench;
pub mod diffusion;
pub mod error;
pub mod json;
pub mod nn;
pub mod params;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;
