//! What the front ends say about a scenario: the facts of its paper, held in one [`ScenarioInfo`] by the
//! scenario's own module (`asp::INFO`, …) and read by the CLI, the benchmarks and the page alike, so that no
//! front end keeps its own copy of a title, a baseline's name or a paper's figure.

use serde::Serialize;

use super::ScenarioId;
use crate::stats::Goal;

/// A scenario's facts: how it is titled, its paper's baselines and learner, the figure a policy is judged
/// by and what the paper reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScenarioInfo {
    /// The scenario's id.
    pub id: ScenarioId,
    /// What the scenario is, and its paper, in a line.
    pub title: &'static str,
    /// The names of the paper's heuristic baselines, in the order the paper lists them.
    pub heuristics: &'static [&'static str],
    /// The heuristic the playground starts with and compares a learned policy against: the paper's
    /// strongest practical baseline (the first one on the sanity tasks).
    pub start_heuristic: &'static str,
    /// The heuristic that decides fastest (the benchmarks time stepping with it).
    pub cheapest_heuristic: &'static str,
    /// The learner of the scenario's paper, what a run on it starts from (and what `scripts/pretrain.sh`
    /// trains).
    pub paper_algorithm: &'static str,
    /// The metric the paper judges a policy by (a name among the scenario's `Metrics`).
    pub main_metric: &'static str,
    /// Which way [`ScenarioInfo::main_metric`] is better.
    pub goal: Goal,
    /// The figures the paper reports that our metrics measure (reference lines on the learning curve).
    pub paper_figures: &'static [PaperFigure],
    /// Whether the scenario has a world (a parameter file, a world seed); the Gymnasium sanity tasks do
    /// not.
    pub has_world: bool,
    /// The measurement table the scenario fits into its world, if it takes one.
    pub measurements: Option<Measurements>,
    /// The fields later Readings added to the config (`docs/readings.md`), with the values that keep a
    /// config saved before them (a checkpoint, share link or session of that time) what it meant then.
    pub legacy_fields: &'static [LegacyField],
}

/// A field a later Reading added to a scenario's config, and its value for a config saved before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LegacyField {
    /// The field.
    pub name: &'static str,
    /// Its value in a config saved before it existed.
    pub value: JsonLiteral,
    /// The older field it replaces, if any (taken out of the config).
    pub replaces: Option<ReplacedFlag>,
}

/// An older boolean field that a [`LegacyField`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReplacedFlag {
    /// The older field.
    pub field: &'static str,
    /// The new field's value where the older one was `true` (else [`LegacyField::value`]).
    pub value_when_true: JsonLiteral,
}

/// A JSON value written as data: `null`, a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum JsonLiteral {
    /// `null`.
    Null,
    /// A number.
    Number(f64),
    /// A string.
    Text(&'static str),
}

impl JsonLiteral {
    /// As a JSON value.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            JsonLiteral::Null => serde_json::Value::Null,
            JsonLiteral::Number(x) => serde_json::Value::from(x),
            JsonLiteral::Text(s) => serde_json::Value::from(s),
        }
    }
}

/// A figure a paper reports, in the units of one of the scenario's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PaperFigure {
    /// What it is, for a legend ("paper D2SAC").
    pub label: &'static str,
    /// The metric it is a value of.
    pub metric: &'static str,
    /// The paper's value.
    pub value: f64,
}

/// The raw measurements (CSV) a scenario fits, and where a fit goes in its world.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Measurements {
    /// The table's header line, its required columns.
    pub header: &'static str,
    /// Where a fit goes in the world and what it keeps, for the user (the rule
    /// [`super::ScenarioConfig::apply_fit`] implements).
    pub rule: &'static str,
}
