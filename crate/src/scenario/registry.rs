//! What a scenario gives the rest of the library.
//!
//! A scenario's folder implements [`Scenario`] for its config type ([`world_methods!`](crate::world_methods)
//! gives the world methods of one with a world); the `scenarios!` macro in `scenario/mod.rs` then names it
//! once, and generates from that list [`ScenarioId`], [`ScenarioConfig`](super::ScenarioConfig),
//! [`Snapshot`](super::Snapshot) and every dispatch over them. Adding a scenario is its folder plus one
//! entry there.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::info::ScenarioInfo;
use super::{Env, FitTarget, ScenarioId};
use crate::error::{Error, Result};
use crate::params;

/// A scenario, as its config type: what it is, how it is checked and built, its world and measurements.
/// The world and measurement methods default to "this scenario has none".
pub trait Scenario: Sized + Clone + Default + Serialize + DeserializeOwned + JsonSchema {
    /// The scenario's facts.
    const INFO: &'static ScenarioInfo;

    /// Checks every field; errors name the field (relative to the config).
    fn check(&self) -> Result<()>;

    /// Builds the scenario from this (already checked) config.
    fn build_env(&self) -> Result<Box<dyn Env>>;

    /// Sets the seed the world is drawn from (nothing without a world).
    fn set_world_seed(&mut self, seed: u64) {
        let _ = seed;
    }

    /// Replaces the drawn world by the paper's.
    fn use_paper_world(&mut self) -> Result<()> {
        Err(no_world(Self::INFO.id))
    }

    /// Replaces the drawn world by a parameter file's (JSON), checked alone.
    fn replace_world_json(&mut self, json: &str) -> Result<()> {
        let _ = json;
        Err(no_world(Self::INFO.id))
    }

    /// The world this config runs on, as a parameter file.
    fn world_params_json(&self) -> Result<String> {
        Err(no_world(Self::INFO.id))
    }

    /// The JSON Schema of the parameter file.
    fn params_schema() -> Result<serde_json::Value> {
        Err(no_world(Self::INFO.id))
    }

    /// Whether the world is fixed (a parameter file or the paper's) rather than drawn from the seed.
    fn has_fixed_world(&self) -> bool {
        false
    }

    /// Fits raw measurements (CSV); the result as JSON (fitted parameters, R², the curve for plotting).
    fn fit_csv(csv: &str, score_max: f64) -> Result<serde_json::Value> {
        let _ = (csv, score_max);
        Err(no_measurements(Self::INFO.id))
    }

    /// The places in the world a fit can go.
    fn fit_targets(&self) -> Vec<FitTarget> {
        Vec::new()
    }

    /// The world (as a parameter file, JSON) with the fit of `csv` put at `target`, noting in its `source`
    /// what was fitted to `file_name`.
    fn fitted_world(&self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<String> {
        let _ = (csv, score_max, target, file_name);
        Err(no_measurements(Self::INFO.id))
    }
}

/// The part of [`Scenario`] that a config's value answers, callable on any scenario's config
/// ([`ScenarioConfig`](super::ScenarioConfig) dispatches to it); every [`Scenario`] is one.
pub trait DynScenario {
    /// See [`Scenario::check`].
    fn check(&self) -> Result<()>;
    /// See [`Scenario::build_env`].
    fn build_env(&self) -> Result<Box<dyn Env>>;
    /// See [`Scenario::set_world_seed`].
    fn set_world_seed(&mut self, seed: u64);
    /// See [`Scenario::use_paper_world`].
    fn use_paper_world(&mut self) -> Result<()>;
    /// See [`Scenario::replace_world_json`].
    fn replace_world_json(&mut self, json: &str) -> Result<()>;
    /// See [`Scenario::world_params_json`].
    fn world_params_json(&self) -> Result<String>;
    /// See [`Scenario::has_fixed_world`].
    fn has_fixed_world(&self) -> bool;
    /// See [`Scenario::fit_targets`].
    fn fit_targets(&self) -> Vec<FitTarget>;
    /// See [`Scenario::fitted_world`].
    fn fitted_world(&self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<String>;
}

impl<T: Scenario> DynScenario for T {
    fn check(&self) -> Result<()> {
        Scenario::check(self)
    }
    fn build_env(&self) -> Result<Box<dyn Env>> {
        Scenario::build_env(self)
    }
    fn set_world_seed(&mut self, seed: u64) {
        Scenario::set_world_seed(self, seed)
    }
    fn use_paper_world(&mut self) -> Result<()> {
        Scenario::use_paper_world(self)
    }
    fn replace_world_json(&mut self, json: &str) -> Result<()> {
        Scenario::replace_world_json(self, json)
    }
    fn world_params_json(&self) -> Result<String> {
        Scenario::world_params_json(self)
    }
    fn has_fixed_world(&self) -> bool {
        Scenario::has_fixed_world(self)
    }
    fn fit_targets(&self) -> Vec<FitTarget> {
        Scenario::fit_targets(self)
    }
    fn fitted_world(&self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<String> {
        Scenario::fitted_world(self, csv, score_max, target, file_name)
    }
}

/// The [`Scenario`] world methods of a config with a world, inside its `impl Scenario`: the config has the
/// fields `world_seed: u64` and `world: Option<$World>` and the method `resolve_world(&self) -> $World`
/// (the fixed world, or the one drawn from the seed); `$paper` is the paper's world (`Result<$World>`).
#[macro_export]
macro_rules! world_methods {
    ($World:ty, $paper:expr) => {
        fn set_world_seed(&mut self, seed: u64) {
            self.world_seed = seed;
        }

        fn use_paper_world(&mut self) -> $crate::error::Result<()> {
            let world: $crate::error::Result<$World> = $paper;
            self.world = Some(world?);
            Ok(())
        }

        fn replace_world_json(&mut self, json: &str) -> $crate::error::Result<()> {
            self.world = Some($crate::params::parse(json).map_err(|e| e.within("world"))?);
            Ok(())
        }

        fn world_params_json(&self) -> $crate::error::Result<String> {
            Ok($crate::params::to_json(&self.resolve_world()))
        }

        fn params_schema() -> $crate::error::Result<serde_json::Value> {
            Ok($crate::params::schema::<$World>())
        }

        fn has_fixed_world(&self) -> bool {
            self.world.is_some()
        }
    };
}

/// The error for asking a scenario without a world (the Gymnasium sanity tasks) for one.
pub fn no_world(id: ScenarioId) -> Error {
    Error::new("scenario", format!("{} has no world or parameter file", id.name()))
}

/// The error for giving measurements to a scenario that fits none.
pub fn no_measurements(id: ScenarioId) -> Error {
    Error::new("scenario", format!("{} takes no measurement CSV (asp, tot and ddc do)", id.name()))
}

/// The index a fit's `target` names among `count` places, or the error naming `target`.
pub fn fit_index(target: &str, count: usize) -> Result<usize> {
    target.parse::<usize>().ok().filter(|&i| i < count).ok_or_else(|| unknown_target(target))
}

/// The error for a fit target the world does not have.
pub fn unknown_target(target: &str) -> Error {
    Error::new("target", format!("no place '{target}' in this world to put the fit"))
}

/// `count` numbered fit targets called `what` ("provider 1", …).
pub fn numbered_targets(count: usize, what: &str) -> Vec<FitTarget> {
    (0..count).map(|i| FitTarget { value: i.to_string(), label: format!("{what} {}", i + 1) }).collect()
}

/// `source` with a fit's note appended ([`params::noted_source`]).
pub fn noted(source: &Option<String>, note: &str) -> Option<String> {
    Some(params::noted_source(source.as_deref(), note))
}
