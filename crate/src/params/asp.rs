//! The `asp` parameter file: the service providers (capacity and quality curve), `{"schema": "asp/v1"}`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ParamFile;
use crate::error::{Error, Result, check_count, check_range};

/// Most providers a world may have (the observation has `2·I + 2` values).
pub const MAX_PROVIDERS: u64 = 1000;

/// One AIGC service provider: its capacity and its quality curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Denoising steps the provider can run at once (`T_i`).
    pub capacity_steps: u32,
    /// Steps below which the content is worthless (`a_x`).
    pub a_x: f64,
    /// Quality at `a_x` (`a_y`); the utility counts quality above it.
    pub a_y: f64,
    /// Steps from which quality no longer improves (`b_x`), above `a_x`.
    pub b_x: f64,
    /// Quality at and beyond `b_x` (`b_y`).
    pub b_y: f64,
}

impl Provider {
    /// Utility of a task needing `steps` on this provider: 0 below `a_x`, rising linearly to `b_y − a_y`
    /// at `b_x`, flat beyond. (The reference code's curve: it starts at 0, not at `a_y`.)
    pub fn utility(&self, steps: f64) -> f64 {
        if steps < self.a_x {
            0.0
        } else if steps <= self.b_x {
            (self.b_y - self.a_y) / (self.b_x - self.a_x) * (steps - self.a_x)
        } else {
            self.b_y - self.a_y
        }
    }

    /// Checks the provider at JSON path `field`.
    pub fn validate(&self, field: &str) -> Result<()> {
        check_count(&format!("{field}.capacity_steps"), u64::from(self.capacity_steps), 1, 10_000_000)?;
        for (name, value) in [("a_x", self.a_x), ("b_x", self.b_x)] {
            check_range(&format!("{field}.{name}"), value, 0.0, 1.0e6)?;
        }
        for (name, value) in [("a_y", self.a_y), ("b_y", self.b_y)] {
            check_range(&format!("{field}.{name}"), value, -1.0e6, 1.0e6)?;
        }
        if self.b_x <= self.a_x {
            return Err(Error::new(
                format!("{field}.b_x"),
                format!("must be greater than a_x ({}), got {}", self.a_x, self.b_x),
            ));
        }
        Ok(())
    }
}

/// A fixed `asp` world: `{"schema": "asp/v1", "source": "...", "providers": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AspParams {
    /// Always `"asp/v1"`.
    pub schema: String,
    /// Where the numbers come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The providers, in action order.
    pub providers: Vec<Provider>,
}

impl AspParams {
    /// The 20 providers the D2SAC paper's experiments ran on (drawn by the AGOD reference code with numpy
    /// seed 0; `shared/fixtures/paper-worlds/asp.json`).
    pub fn paper() -> Self {
        serde_json::from_str(include_str!("../../params/asp-paper.json")).expect("the shipped paper world parses")
    }
}

impl ParamFile for AspParams {
    const SCHEMA: &'static str = "asp/v1";

    fn schema_tag(&self) -> &str {
        &self.schema
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn validate_fields(&self) -> Result<()> {
        check_count("providers", self.providers.len() as u64, 1, MAX_PROVIDERS)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, p) in self.providers.iter().enumerate() {
            p.validate(&format!("providers[{i}]"))?;
        }
        Ok(())
    }
}
