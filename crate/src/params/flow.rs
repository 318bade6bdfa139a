//! The `flow` parameter file: the gateways' capacities and the edge server's compute,
//! `{"schema": "flow/v1"}`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ParamFile;
use crate::error::{Error, Result, check_count, check_range};

/// Most gateways a world may have (the action space has `3·G` choices).
pub const MAX_GATEWAYS: u64 = 1000;

/// One gateway.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    /// Total bandwidth `R_g` (Mbit/s).
    pub capacity_mbit_s: f64,
}

/// A fixed `flow` world: `{"schema": "flow/v1", "source": "...", "gateways": [...], "edge_compute_gflop_s": F}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowParams {
    /// Always `"flow/v1"`.
    pub schema: String,
    /// Where the numbers come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The gateways, in action order.
    pub gateways: Vec<Gateway>,
    /// Compute `F` of the edge server (GFLOP/s), shared by the flows it processes at once.
    pub edge_compute_gflop_s: f64,
}

impl ParamFile for FlowParams {
    const SCHEMA: &'static str = "flow/v1";

    fn schema_tag(&self) -> &str {
        &self.schema
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn validate_fields(&self) -> Result<()> {
        check_count("gateways", self.gateways.len() as u64, 1, MAX_GATEWAYS)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, g) in self.gateways.iter().enumerate() {
            check_range(&format!("gateways[{i}].capacity_mbit_s"), g.capacity_mbit_s, 1.0e-3, 1.0e9)?;
        }
        check_range("edge_compute_gflop_s", self.edge_compute_gflop_s, 1.0e-3, 1.0e12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{parse, to_json};

    fn sample() -> FlowParams {
        FlowParams {
            schema: FlowParams::SCHEMA.to_owned(),
            source: Some("three measured gateways".to_owned()),
            gateways: [50.0, 123.456789012345, 200.0].map(|capacity_mbit_s| Gateway { capacity_mbit_s }).to_vec(),
            edge_compute_gflop_s: 100.0,
        }
    }

    #[test]
    fn download_then_upload_is_lossless() {
        let world = sample();
        let text = to_json(&world);
        assert_eq!(parse::<FlowParams>(&text).unwrap(), world);
        assert_eq!(to_json(&parse::<FlowParams>(&text).unwrap()), text);
    }

    #[test]
    fn errors_name_the_json_path() {
        let err = |text: &str| parse::<FlowParams>(text).unwrap_err();
        let e = err(
            r#"{"schema": "flow/v1", "gateways": [{"capacity_mbit_s": 5}, {"capacity_mbit_s": -5}], "edge_compute_gflop_s": 1}"#,
        );
        assert_eq!(e.to_string(), "gateways[1].capacity_mbit_s: must be between 0.001 and 1000000000, got -5");
        let e = err(r#"{"schema": "flow/v1", "gateways": [], "edge_compute_gflop_s": 1}"#);
        assert_eq!(e.field, "gateways");
        let e = err(r#"{"schema": "flow/v1", "gateways": [{"capacity_mbit_s": 5}], "edge_compute_gflop_s": 0}"#);
        assert_eq!(e.to_string(), "edge_compute_gflop_s: must be between 0.001 and 1000000000000, got 0");
        let e = err(r#"{"schema": "flow/v1", "gateways": [{"capacity_mbit_s": 5}]}"#);
        assert!(e.problem.contains("edge_compute_gflop_s"), "{e}");
        let e = err(r#"{"schema": "flow/v1", "gateways": [{"capacity": 5}], "edge_compute_gflop_s": 1}"#);
        assert!(e.field.starts_with("gateways[0]") && e.problem.contains("capacity"), "{e}");
        assert_eq!(
            err(r#"{"schema": "lad/v1"}"#).to_string(),
            "schema: this is a \"lad/v1\" file; expected \"flow/v1\""
        );
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
                if let Err(e) = parse::<FlowParams>(&text) {
                    prop_assert!(!e.field.is_empty() && !e.problem.is_empty());
                }
            }

            /// A valid file with random byte edits either parses to a valid world or is refused with a
            /// message naming a field.
            #[test]
            fn mutated_file_never_panics(edits in fuzz::edits()) {
                let text = fuzz::apply(&to_json(&sample()), &edits);
                match parse::<FlowParams>(&text) {
                    Ok(world) => prop_assert!(world.validate().is_ok()),
                    Err(e) => prop_assert!(!e.field.is_empty() && !e.problem.is_empty()),
                }
            }
        }
    }
}
