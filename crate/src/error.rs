//! The one error type users see, and the checks that produce it.
//!
//! Every problem with user input (a config value, an uploaded file, a URL, an action) becomes an
//! [`Error`] that names the field by its JSON path and says what is wrong with it, so the CLI, the wasm
//! API and the page can show it as one sentence.

use serde::de::DeserializeOwned;

/// A problem with one named field of user input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Error {
    /// JSON path of the offending value (`providers[3].b_x`), or the argument's name.
    pub field: String,
    /// What is wrong, in words, with the value seen where that helps.
    pub problem: String,
}

impl Error {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { field: field.into(), problem: problem.into() }
    }

    /// The same error with `prefix.` put before its field path.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", self.field) };
        self
    }
}

/// Result with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Parses JSON into `T`, naming the path of the first value that does not fit.
pub fn from_json<T: DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path == "?" { what.to_owned() } else { format!("{what}.{path}") };
        Error::new(field, e.into_inner().to_string())
    })
}

/// `value` must be finite and in `lo..=hi`.
pub fn check_range(field: &str, value: f64, lo: f64, hi: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::new(field, format!("must be a finite number, got {value}")));
    }
    if value < lo || value > hi {
        return Err(Error::new(field, format!("must be between {lo} and {hi}, got {value}")));
    }
    Ok(())
}

/// `value` must be finite and strictly positive, at most `hi`.
pub fn check_positive(field: &str, value: f64, hi: f64) -> Result<()> {
    check_range(field, value, 0.0, hi)?;
    if value == 0.0 {
        return Err(Error::new(field, "must be greater than 0"));
    }
    Ok(())
}

/// Integer `value` must be in `lo..=hi`.
pub fn check_count(field: &str, value: u64, lo: u64, hi: u64) -> Result<()> {
    if value < lo || value > hi {
        return Err(Error::new(field, format!("must be between {lo} and {hi}, got {value}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        inner: Vec<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        x: u32,
    }

    #[test]
    fn json_errors_name_the_path() {
        let e = from_json::<Outer>("config", r#"{"inner":[{"x":1},{"x":-4}]}"#).unwrap_err();
        assert_eq!(e.field, "config.inner[1].x");
        assert!(e.problem.contains("-4"), "{e}");
        let e = from_json::<Outer>("config", r#"{"inner":[],"typo":1}"#).unwrap_err();
        assert!(e.problem.contains("typo"), "{e}");
        let e = from_json::<Outer>("config", "{not json").unwrap_err();
        assert_eq!(e.field, "config");
    }

    #[test]
    fn range_checks_reject_nan_infinity_and_out_of_range() {
        assert!(check_range("a", f64::NAN, 0.0, 1.0).unwrap_err().problem.contains("finite"));
        assert!(check_range("a", f64::INFINITY, 0.0, 1.0).is_err());
        assert_eq!(check_range("a", 2.0, 0.0, 1.0).unwrap_err().to_string(), "a: must be between 0 and 1, got 2");
        assert!(check_positive("a", 0.0, 1.0).is_err());
        assert!(check_count("n", 0, 1, 5).is_err());
        assert!(check_range("a", 0.5, 0.0, 1.0).is_ok());
    }
}
