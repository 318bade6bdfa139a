//! The simulated systems of the five papers, behind one Gymnasium-shaped interface.
//!
//! A scenario knows nothing about learning: an agent sees it only through [`Env`] (its observation
//! vector in its [`ObservationSpace`], its [`ActionSpace`], rewards) and the front end only through
//! [`Snapshot`], [`Metrics`] and its [`ScenarioInfo`]. Each scenario also carries its paper's heuristic
//! [`Baselines`].
//!
//! A scenario is built from its [`ScenarioConfig`], which holds its world seed; the episode seed is given
//! to [`Env::reset`]. Both seeds together determine every number of an episode.
//!
//! Each scenario lives in its own folder and implements [`registry::Scenario`] for its config; the one
//! list below (the `scenarios!` macro) names them all.

pub mod classic;
mod config;
mod env;
pub mod info;
pub mod range;
pub mod registry;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use registry::Scenario;

pub use crate::spaces::{Action, ActionSpace, ObservationSpace};
pub use crate::stats::Goal;
pub use config::FitTarget;
pub use env::{
    Baselines, DecisionKey, Env, EpisodeSummary, Heuristic, HeuristicState, Metrics, Step, argmin, find_heuristic,
    run_heuristic_episode,
};
pub use info::ScenarioInfo;

#[cfg(test)]
pub(crate) use env::testing;

/// Declares the scenarios from one list: each entry's module (its folder), its id (the variant, whose
/// snake_case name is the module's), its config type (which implements [`Scenario`]) and its snapshot
/// type. Generates [`ScenarioId`], [`ScenarioConfig`], [`Snapshot`] and the dispatch over them.
macro_rules! scenarios {
    ($( $(#[$doc:meta])* $module:ident: $Variant:ident($Config:ident, $Snapshot:ident); )*) => {
        $( pub mod $module; )*

        /// Names of the scenarios, as used in configs, URLs and on the command line.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ScenarioId {
            $( $(#[$doc])* $Variant, )*
        }

        /// The config of any scenario, tagged by its id (`{"scenario": "asp", ...}`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(tag = "scenario", rename_all = "snake_case")]
        pub enum ScenarioConfig {
            $( #[doc = concat!("See [`", stringify!($module), "::", stringify!($Config), "`].")] $Variant($module::$Config), )*
        }

        /// What the front end draws: the scenario's state after the last decision.
        #[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
        #[serde(tag = "scenario", rename_all = "snake_case")]
        pub enum Snapshot {
            $( #[doc = concat!("See [`", stringify!($module), "::", stringify!($Snapshot), "`].")] $Variant($module::$Snapshot), )*
        }

        impl ScenarioId {
            /// Every scenario, in the order the front end lists them.
            pub const ALL: &'static [ScenarioId] = &[$( ScenarioId::$Variant ),*];

            /// The scenario's id string.
            pub fn name(self) -> &'static str {
                match self { $( ScenarioId::$Variant => stringify!($module), )* }
            }

            /// The scenario's facts, held by its own module.
            pub fn info(self) -> &'static ScenarioInfo {
                match self { $( ScenarioId::$Variant => <$module::$Config as Scenario>::INFO, )* }
            }

            /// The paper's default config.
            fn default_config(self) -> ScenarioConfig {
                match self { $( ScenarioId::$Variant => ScenarioConfig::$Variant(Default::default()), )* }
            }

            /// The config in `value` (strictly typed; not yet checked).
            fn typed_config(self, value: serde_json::Value) -> Result<ScenarioConfig> {
                Ok(match self { $( ScenarioId::$Variant => ScenarioConfig::$Variant(crate::json::typed("config", value)?), )* })
            }

            /// The JSON Schema of the config.
            fn config_schema(self) -> serde_json::Value {
                match self { $( ScenarioId::$Variant => schemars::schema_for!($module::$Config).to_value(), )* }
            }

            /// See [`Scenario::params_schema`].
            fn params_schema(self) -> Result<serde_json::Value> {
                match self { $( ScenarioId::$Variant => <$module::$Config as Scenario>::params_schema(), )* }
            }

            /// See [`Scenario::fit_csv`].
            fn fit_csv(self, csv: &str, score_max: f64) -> Result<serde_json::Value> {
                match self { $( ScenarioId::$Variant => <$module::$Config as Scenario>::fit_csv(csv, score_max), )* }
            }
        }

        impl ScenarioConfig {
            /// Which scenario this configures.
            pub fn id(&self) -> ScenarioId {
                match self { $( ScenarioConfig::$Variant(_) => ScenarioId::$Variant, )* }
            }

            /// The config as its scenario's [`Scenario`].
            fn scenario(&self) -> &dyn registry::DynScenario {
                match self { $( ScenarioConfig::$Variant(c) => c, )* }
            }

            /// The config as its scenario's [`Scenario`], to change.
            fn scenario_mut(&mut self) -> &mut dyn registry::DynScenario {
                match self { $( ScenarioConfig::$Variant(c) => c, )* }
            }
        }
    };
}

scenarios! {
    /// AIGC service-provider selection (D2SAC paper).
    asp: Asp(AspConfig, AspSnapshot);
    /// Task offloading among edge servers (LAD-TS paper).
    lad: Lad(LadConfig, LadSnapshot);
    /// Tree-of-Thoughts thought assignment (DSAC paper).
    tot: Tot(TotConfig, TotSnapshot);
    /// Split denoising between edge and phones with visual-condition engineering (Kong et al.).
    ddc: Ddc(DdcConfig, DdcSnapshot);
    /// Gateway and priority choice for multi-priority AIGC flows.
    flow: Flow(FlowConfig, FlowSnapshot);
    /// Gymnasium's CartPole-v1 (sanity task).
    cartpole: Cartpole(CartpoleConfig, CartpoleSnapshot);
    /// Gymnasium's Acrobot-v1 (sanity task).
    acrobot: Acrobot(AcrobotConfig, AcrobotSnapshot);
}

impl ScenarioId {
    /// The figure the scenario's paper judges a policy by, and whether a higher value is better: asp's
    /// total reward (Table III), lad's mean delay (Fig. 5), tot's delay reduction against local generation
    /// (Fig. 11), ddc's satisfaction rate (Fig. 9), flow's completion rate (Fig. 5); the return on the
    /// Gymnasium sanity tasks.
    pub fn main_metric(self) -> (&'static str, Goal) {
        (self.info().main_metric, self.info().goal)
    }

    /// The learner of the scenario's paper (see [`ScenarioInfo::paper_algorithm`]).
    pub fn paper_algorithm(self) -> &'static str {
        self.info().paper_algorithm
    }

    /// Parses an id string; `field` names where it came from, for the error.
    pub fn parse(field: &str, name: &str) -> Result<Self> {
        Self::ALL.iter().copied().find(|id| id.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|id| id.name()).collect();
            Error::new(field, format!("unknown scenario '{name}' (expected one of: {})", known.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests;
