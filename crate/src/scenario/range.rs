//! Ranges that scenario configs draw values from: a continuous uniform range and an inclusive integer
//! range, each with its validation (errors name the JSON path) and its draw from an [`Rng`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_count, check_range};
use crate::rng::Rng;

/// Uniform on `[min, max)` (a point when `min == max`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Uniform {
    /// Lower end.
    pub min: f64,
    /// Upper end, not below `min`.
    pub max: f64,
}

impl Uniform {
    /// The range `[min, max)`.
    pub const fn new(min: f64, max: f64) -> Self {
        Self { min, max }
    }

    /// One draw.
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        rng.uniform_in(self.min, self.max)
    }

    /// Both ends finite and in `lo..=hi`, `max ≥ min`; errors name `field.min` / `field.max`.
    pub fn validate(&self, field: &str, lo: f64, hi: f64) -> Result<()> {
        check_range(&format!("{field}.min"), self.min, lo, hi)?;
        check_range(&format!("{field}.max"), self.max, lo, hi)?;
        if self.max < self.min {
            return Err(Error::new(
                format!("{field}.max"),
                format!("must not be below min ({}), got {}", self.min, self.max),
            ));
        }
        Ok(())
    }
}

/// Uniform on the integers `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntRange {
    /// Smallest value.
    pub min: u32,
    /// Largest value (included), not below `min`.
    pub max: u32,
}

impl IntRange {
    /// The range `min..=max`.
    pub const fn new(min: u32, max: u32) -> Self {
        Self { min, max }
    }

    /// One draw.
    pub fn draw(&self, rng: &mut Rng) -> u32 {
        rng.int_inclusive(i64::from(self.min), i64::from(self.max)) as u32
    }

    /// Both ends in `lo..=hi`, `max ≥ min`; errors name `field.min` / `field.max`.
    pub fn validate(&self, field: &str, lo: u32, hi: u32) -> Result<()> {
        check_count(&format!("{field}.min"), u64::from(self.min), u64::from(lo), u64::from(hi))?;
        check_count(&format!("{field}.max"), u64::from(self.max), u64::from(lo), u64::from(hi))?;
        if self.max < self.min {
            return Err(Error::new(
                format!("{field}.max"),
                format!("must not be below min ({}), got {}", self.min, self.max),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    #[test]
    fn draws_stay_in_range_and_errors_name_the_end() {
        let mut rng = Rng::new(0, Stream::World);
        let u = Uniform::new(2.0, 5.0);
        let i = IntRange::new(1, 14);
        for _ in 0..1000 {
            assert!((2.0..5.0).contains(&u.draw(&mut rng)));
            assert!((1..=14).contains(&i.draw(&mut rng)));
        }
        assert_eq!(Uniform::new(1.0, 1.0).draw(&mut rng), 1.0);
        assert_eq!(Uniform::new(3.0, 2.0).validate("x", 0.0, 10.0).unwrap_err().field, "x.max");
        assert_eq!(Uniform::new(f64::NAN, 2.0).validate("x", 0.0, 10.0).unwrap_err().field, "x.min");
        assert_eq!(Uniform::new(0.0, 2.0).validate("x", 1e-3, 10.0).unwrap_err().field, "x.min");
        assert_eq!(IntRange::new(5, 4).validate("n", 1, 10).unwrap_err().field, "n.max");
        assert_eq!(
            IntRange::new(0, 4).validate("n", 1, 10).unwrap_err().to_string(),
            "n.min: must be between 1 and 10, got 0"
        );
    }
}
