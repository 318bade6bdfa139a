//! The one error type users see, and the checks that produce it.
//!
//! Every problem with user input (a config value, an uploaded file, a URL, an action) becomes an
//! [`Error`] that names the field by its JSON path and says what is wrong with it, so the CLI, the wasm
//! API and the page can show it as one sentence.

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

    /// The same error with the document's root `root` (the first segment of its path) named `name` instead:
    /// a config whose errors read `config.x` read `--config.x` when it came from `--config`, not
    /// `--config.config.x`. A path outside `root` gets `name` put before it, as [`Error::within`] does.
    pub fn rerooted(self, root: &str, name: &str) -> Self {
        match self.field.strip_prefix(root) {
            Some("") => Self { field: name.to_owned(), ..self },
            Some(rest) if rest.starts_with(['.', '[']) => Self { field: format!("{name}{rest}"), ..self },
            _ => self.within(name),
        }
    }
}

/// Result with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// `value` must be finite and in `lo..=hi`. A quantity that must be positive gets a positive `lo` that the
/// model survives (a subnormal rate or slot length would pass "greater than 0" and give infinite delays).
pub fn check_range(field: &str, value: f64, lo: f64, hi: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::new(field, format!("must be a finite number, got {value}")));
    }
    if value < lo || value > hi {
        return Err(Error::new(field, format!("must be between {} and {}, got {value}", bound(lo), bound(hi))));
    }
    Ok(())
}

/// A bound as people write it: `0.001`, `1000000`, but `1e-6` rather than `0.000001`.
fn bound(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 { format!("{x:e}") } else { x.to_string() }
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

    #[test]
    fn a_path_names_its_root_once() {
        let e = Error::new("config.inner[1].x", "bad");
        assert_eq!(e.clone().rerooted("config", "--config").field, "--config.inner[1].x");
        assert_eq!(Error::new("config", "bad").rerooted("config", "--config").field, "--config");
        assert_eq!(Error::new("configs.x", "bad").rerooted("config", "--config").field, "--config.configs.x");
        assert_eq!(e.within("--config").field, "--config.config.inner[1].x", "within keeps the whole path");
    }

    #[test]
    fn range_checks_reject_nan_infinity_and_out_of_range() {
        assert!(check_range("a", f64::NAN, 0.0, 1.0).unwrap_err().problem.contains("finite"));
        assert!(check_range("a", f64::INFINITY, 0.0, 1.0).is_err());
        assert_eq!(check_range("a", 2.0, 0.0, 1.0).unwrap_err().to_string(), "a: must be between 0 and 1, got 2");
        assert!(check_count("n", 0, 1, 5).is_err());
        assert!(check_range("a", 0.5, 0.0, 1.0).is_ok());
        assert_eq!(check_range("a", 0.0, 1e-6, 1.0).unwrap_err().problem, "must be between 1e-6 and 1, got 0");
    }
}
