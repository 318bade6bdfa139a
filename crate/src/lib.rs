//! diffedge: the scenarios of five edge-AIGC scheduling papers and the diffusion soft actor-critic
//! learners that all of them use, as one library that runs natively (the `diffedge` command) and in the
//! browser (WebAssembly, module [`web`]).
//!
//! Layers, top down; a module uses only modules on lines below its own (no import cycles):
//!
//! 1. `cli` (the `diffedge` command) and `web` (the WebAssembly API the page calls): the front ends.
//! 2. [`train`]: the training loop, evaluation and held-out comparison; [`bench`](mod@bench): the benchmarks' shapes.
//! 3. [`agent`]: the learners and each algorithm's whole preset, knowing a scenario only through
//!    [`spaces`]; [`scenario`]: the simulated systems (one folder each, registered in one list), their
//!    facts, heuristics and configs.
//! 4. [`diffusion`]: the diffusion actor; [`replay`]: experience buffers; [`params`]: parameter files and
//!    the fits of raw measurements.
//! 5. [`checkpoint`]: safetensors files of weights and state; [`spaces`]: observations and actions;
//!    [`stats`]: means and intervals; [`json`]: the one strict reader of untrusted JSON.
//! 6. [`nn`]: the numeric backend and the MLP.
//! 7. [`rng`]: the seeded random streams; [`error`]: the one error type.
#![warn(missing_docs)]

pub mod agent;
pub mod bench;
pub mod checkpoint;
pub mod diffusion;
pub mod error;
pub mod json;
pub mod nn;
pub mod params;
pub mod replay;
pub mod rng;
pub mod scenario;
pub mod spaces;
pub mod stats;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;
