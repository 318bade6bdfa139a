//! [`ScenarioConfig`]: any scenario's config, as configs, links and checkpoints hold it, and what can be
//! done with it whatever the scenario (each scenario answers through its [`Scenario`](super::registry::Scenario)).

use serde::Serialize;

use super::{Env, ScenarioConfig, ScenarioId};
use crate::error::{Error, Result};

impl ScenarioConfig {
    /// The paper's default config of `id`.
    pub fn default_for(id: ScenarioId) -> Self {
        id.default_config()
    }

    /// Fills into `config` (the JSON of scenario `id`'s config, any of its fields) the fields that later
    /// Readings added (`docs/readings.md`), with the values that reproduce what the config meant before
    /// they existed (each scenario's [`ScenarioInfo::legacy_fields`](super::ScenarioInfo::legacy_fields):
    /// tot's paper observation, finish-increment reward and unit penalty weight; flow's unbounded lateness
    /// and paper observation; lad's `normalize_obs` flag as its `observation`). A config saved before (a checkpoint, share link or
    /// session of that time) so keeps its meaning; fields it already has are kept.
    pub fn upgrade_legacy_json(id: ScenarioId, config: &mut serde_json::Value) {
        let serde_json::Value::Object(fields) = config else { return };
        for legacy in id.info().legacy_fields {
            let mut value = legacy.value.to_json();
            if let Some(replaced) = legacy.replaces
                && let Some(old) = fields.remove(replaced.field)
                && old == serde_json::Value::Bool(true)
            {
                value = replaced.value_when_true.to_json();
            }
            fields.entry(legacy.name).or_insert(value);
        }
    }

    /// Parses the config of scenario `id` from JSON holding that scenario's fields (missing fields take their
    /// defaults; a `scenario` tag, if any, must name `id`) and validates it.
    pub fn from_json(id: ScenarioId, json: &str) -> Result<Self> {
        // A whole config as `eval --format json`, a checkpoint or a download prints it carries its
        // `scenario` tag: taken when it names `id`, refused when it names another.
        let mut value = crate::json::parse_value("config", json)?;
        if let Some(tag) = value.as_object_mut().and_then(|fields| fields.remove("scenario"))
            && tag.as_str() != Some(id.name())
        {
            return Err(Error::new("config.scenario", format!("is {tag}, but this is the config of {}", id.name())));
        }
        let config = id.typed_config(value)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        self.scenario().check().map_err(|e| e.within("config"))
    }

    /// Sets the seed from which the world is drawn (used when no fixed world is given; nothing for a
    /// scenario without a world).
    pub fn set_world_seed(&mut self, seed: u64) {
        self.scenario_mut().set_world_seed(seed);
    }

    /// Replaces the drawn world by the exact world of the paper's published experiments.
    pub fn use_paper_world(&mut self) -> Result<()> {
        self.scenario_mut().use_paper_world()
    }

    /// Replaces the drawn world by a parameter file's world (JSON), validated alone and together with the
    /// rest of this config (lad's `tasks_per_slot` needs that many task indices in the file), so what this
    /// accepts every later step accepts too. A refused file changes nothing.
    pub fn set_world_json(&mut self, json: &str) -> Result<()> {
        let before = self.clone();
        let result = self.scenario_mut().replace_world_json(json).and_then(|()| self.validate());
        if result.is_err() {
            *self = before;
        }
        result
    }

    /// The world this config runs on (its fixed world, or the one drawn from its world seed), as the
    /// parameter file the app downloads; an error for a scenario without a world.
    pub fn world_params_json(&self) -> Result<String> {
        self.scenario().world_params_json()
    }

    /// The JSON Schema of scenario `id`'s config (the front end renders its form from it).
    pub fn config_schema(id: ScenarioId) -> serde_json::Value {
        id.config_schema()
    }

    /// The JSON Schema of scenario `id`'s parameter file (an error for a scenario without a world).
    pub fn params_schema(id: ScenarioId) -> Result<serde_json::Value> {
        id.params_schema()
    }

    /// Fits raw measurements (CSV) of scenario `id`: `asp` `steps,quality` → the piecewise-linear quality
    /// curve; `tot` `tokens,delay_s,score` → the delay line and quality curve (with `score_max`); `ddc` the
    /// profile table `condition,alpha,beta,steps,q_i,q_t,kb` → a parameter file. The result is JSON (fitted
    /// parameters, R², the curve sampled for plotting).
    pub fn fit_csv(id: ScenarioId, csv: &str, score_max: f64) -> Result<serde_json::Value> {
        id.fit_csv(csv, score_max)
    }

    /// The places in this config's world where a fit of measurements can go
    /// ([`Measurements::rule`](super::info::Measurements::rule)): asp a provider's quality ramp, tot the base
    /// station's or a service provider's curves, ddc the whole profile; none for a scenario that takes no
    /// measurements.
    pub fn fit_targets(&self) -> Vec<FitTarget> {
        self.scenario().fit_targets()
    }

    /// Fits `csv` (as [`ScenarioConfig::fit_csv`]) and puts the fit at `target` (a value of
    /// [`ScenarioConfig::fit_targets`]) of this config's world by the scenario's rule; the world's `source`
    /// notes what was fitted to `file_name`. Checked as [`ScenarioConfig::set_world_json`] checks a file; a
    /// refusal changes nothing.
    pub fn apply_fit(&mut self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<()> {
        let world = self.scenario().fitted_world(csv, score_max, target, file_name)?;
        self.set_world_json(&world)
    }

    /// Whether the world is fixed (a parameter file or the paper's) rather than drawn from the seed.
    pub fn has_fixed_world(&self) -> bool {
        self.scenario().has_fixed_world()
    }

    /// Builds the scenario (validating first).
    pub fn build(&self) -> Result<Box<dyn Env>> {
        self.validate()?;
        self.scenario().build_env()
    }
}

/// A place in a world where a fit can go ([`ScenarioConfig::fit_targets`]).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FitTarget {
    /// What [`ScenarioConfig::apply_fit`] takes to mean it: an index, `bs` or `all`.
    pub value: String,
    /// How a person calls it ("provider 3").
    pub label: String,
}

/// Every scenario's parameter-file parser under random text and random edits of its default file: it
/// never panics, and a refusal names a field and a problem.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzzing {
    use super::*;
    use crate::params::fuzz;
    use proptest::prelude::*;

    fn worlds() -> Vec<(ScenarioConfig, String)> {
        ScenarioId::ALL
            .iter()
            .map(|&id| ScenarioConfig::default_for(id))
            .filter_map(|c| c.world_params_json().ok().map(|json| (c, json)))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn mutated_parameter_files_are_accepted_valid_or_refused_with_a_message(edits in fuzz::edits()) {
            for (config, json) in worlds() {
                let mut target = config.clone();
                match target.set_world_json(&fuzz::apply(&json, &edits)) {
                    Ok(()) => prop_assert!(target.validate().is_ok()),
                    Err(e) => {
                        prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                        prop_assert_eq!(&target, &config, "a refused file changed nothing");
                    }
                }
            }
        }

        #[test]
        fn arbitrary_text_is_refused_with_a_message(text in ".{0,300}") {
            for (mut config, _) in worlds() {
                if let Err(e) = config.set_world_json(&text) {
                    prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                }
            }
        }
    }
}
