//! The `lad` parameter file: the edge servers (capacity, link rate) and the attributes of each task index
//! within a slot, `{"schema": "lad/v1"}`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ParamFile;
use crate::error::{Error, Result, check_count, check_range};

/// Most edge servers a world may have (the observation has `2 + B` values).
pub const MAX_SERVERS: u64 = 1000;
/// Most task indices per slot a world may describe (`N_max`).
pub const MAX_TASK_INDICES: u64 = 10_000;

/// One base station with its edge server.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Computing capacity `f_b` (GHz, i.e. Gcycles/s).
    pub capacity_ghz: f64,
    /// Rate `r_b` of the links into and out of this server (Mbit/s).
    pub link_rate_mbit_s: f64,
}

impl Server {
    fn validate(&self, field: &str) -> Result<()> {
        check_range(&format!("{field}.capacity_ghz"), self.capacity_ghz, 1.0e-3, 1.0e6)?;
        check_range(&format!("{field}.link_rate_mbit_s"), self.link_rate_mbit_s, 1.0e-3, 1.0e9)
    }
}

/// The attributes of the task with a given index within its slot (the reference code keys them by that
/// index, shared by every base station and slot).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskProfile {
    /// Compute density `ρ_n` (Gcycles per denoising step).
    pub compute_density_gcycles_per_step: f64,
    /// Quality demand `z_n` (denoising steps).
    pub quality_steps: u32,
    /// Result size `d̃_n` (Mbit).
    pub result_size_mbit: f64,
}

impl TaskProfile {
    /// The task's workload `ρ_n · z_n` (Gcycles).
    pub fn work_gcycles(&self) -> f64 {
        self.compute_density_gcycles_per_step * f64::from(self.quality_steps)
    }

    fn validate(&self, field: &str) -> Result<()> {
        check_range(
            &format!("{field}.compute_density_gcycles_per_step"),
            self.compute_density_gcycles_per_step,
            1.0e-6,
            1.0e6,
        )?;
        check_count(&format!("{field}.quality_steps"), u64::from(self.quality_steps), 1, 1_000_000)?;
        check_range(&format!("{field}.result_size_mbit"), self.result_size_mbit, 0.0, 1.0e6)
    }
}

/// A fixed `lad` world: `{"schema": "lad/v1", "source": "...", "servers": [...], "per_index": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LadParams {
    /// Always `"lad/v1"`.
    pub schema: String,
    /// Where the numbers come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The base stations / edge servers, in action order.
    pub servers: Vec<Server>,
    /// Attributes of the task with index `n` in its slot, `n = 0, 1, …`; at least as many as the most
    /// tasks a base station receives in a slot.
    pub per_index: Vec<TaskProfile>,
}

impl LadParams {
    /// The world of the LAD-TS paper's experiments (drawn by the DEdgeAI reference code from fixed numpy
    /// seeds; `shared/fixtures/paper-worlds/lad.json`).
    pub fn paper() -> Self {
        serde_json::from_str(include_str!("../../params/lad-paper.json")).expect("the shipped paper world parses")
    }
}

impl ParamFile for LadParams {
    const SCHEMA: &'static str = "lad/v1";

    fn schema_tag(&self) -> &str {
        &self.schema
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn validate_fields(&self) -> Result<()> {
        check_count("servers", self.servers.len() as u64, 1, MAX_SERVERS)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, s) in self.servers.iter().enumerate() {
            s.validate(&format!("servers[{i}]"))?;
        }
        check_count("per_index", self.per_index.len() as u64, 1, MAX_TASK_INDICES)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (n, t) in self.per_index.iter().enumerate() {
            t.validate(&format!("per_index[{n}]"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{parse, to_json};

    #[test]
    fn paper_world_keeps_the_fixture_numbers() {
        let world = LadParams::paper();
        world.validate().unwrap();
        assert_eq!(world.servers.len(), 20);
        assert_eq!(world.per_index.len(), 50);
        assert_eq!(world.servers[0], Server { capacity_ghz: 50.0, link_rate_mbit_s: 499.0 });
        assert_eq!(world.servers[19], Server { capacity_ghz: 14.0, link_rate_mbit_s: 475.0 });
        let first =
            TaskProfile { compute_density_gcycles_per_step: 0.187806, quality_steps: 6, result_size_mbit: 0.766809 };
        assert_eq!(world.per_index[0], first);
        let last =
            TaskProfile { compute_density_gcycles_per_step: 0.12903, quality_steps: 4, result_size_mbit: 0.652011 };
        assert_eq!(world.per_index[49], last);
        let total_ghz: f64 = world.servers.iter().map(|s| s.capacity_ghz).sum();
        assert_eq!(total_ghz, 656.0);
    }

    #[test]
    fn download_then_upload_is_lossless() {
        let paper = LadParams::paper();
        let text = to_json(&paper);
        assert_eq!(parse::<LadParams>(&text).unwrap(), paper);
        assert_eq!(to_json(&parse::<LadParams>(&text).unwrap()), text);
    }

    #[test]
    fn errors_name_the_json_path() {
        let err = |text: &str| parse::<LadParams>(text).unwrap_err();
        let one = r#"{"compute_density_gcycles_per_step": 0.2, "quality_steps": 3, "result_size_mbit": 0.7}"#;
        let server = r#"{"capacity_ghz": 10, "link_rate_mbit_s": 400}"#;
        let file = |servers: &str, per_index: &str| {
            format!(r#"{{"schema": "lad/v1", "servers": [{servers}], "per_index": [{per_index}]}}"#)
        };
        parse::<LadParams>(&file(server, one)).unwrap();
        let e = err(&file(&format!("{server}, {{\"capacity_ghz\": 0, \"link_rate_mbit_s\": 400}}"), one));
        assert_eq!(e.to_string(), "servers[1].capacity_ghz: must be between 0.001 and 1000000, got 0");
        let e = err(&file(server, &format!("{one}, {}", one.replace("\"quality_steps\": 3", "\"quality_steps\": 0"))));
        assert_eq!(e.field, "per_index[1].quality_steps");
        let e = err(&file(server, &one.replace("0.7", "-1")));
        assert_eq!(e.field, "per_index[0].result_size_mbit");
        let e = err(&file(server, &one.replace("3,", "2.5,")));
        assert_eq!(e.field, "per_index[0].quality_steps");
        let e = err(&file(&server.replace("400", "\"fast\""), one));
        assert_eq!(e.field, "servers[0].link_rate_mbit_s");
        assert_eq!(err(&file("", one)).to_string(), "servers: list length must be between 1 and 1000, got 0");
        assert_eq!(err(&file(server, "")).field, "per_index");
        let e = err(&file(server, &one.replace("}", ", \"steps\": 4}")));
        assert!(e.field == "per_index[0].steps" && e.problem.contains("unknown field"), "{e}");
        assert_eq!(err(r#"{"schema": "asp/v1", "providers": []}"#).field, "schema");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod fuzzing {
        use super::*;
        use crate::params::fuzz;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Arbitrary text never panics the parser, and every refusal says where and what.
            #[test]
            fn arbitrary_text_is_refused_with_a_message(text in ".{0,200}") {
                if let Err(e) = parse::<LadParams>(&text) {
                    prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                }
            }

            /// The paper file with random byte edits either parses to a valid world or is refused with a
            /// message naming a field.
            #[test]
            fn mutated_paper_file_never_panics(edits in fuzz::edits()) {
                let text = fuzz::apply(&to_json(&LadParams::paper()), &edits);
                match parse::<LadParams>(&text) {
                    Ok(world) => prop_assert!(world.validate().is_ok()),
                    Err(e) => prop_assert!(!e.field.is_empty() && !e.problem.is_empty()),
                }
            }
        }
    }
}
