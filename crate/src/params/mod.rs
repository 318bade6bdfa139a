//! Parameter files: the world / fitted part of each scenario, which users download, edit and upload.
//!
//! Each scenario's file is a typed struct `{"schema": "<scenario>/v1", "source": "...", ...}` implementing
//! [`ParamFile`]. Serde reads and writes it (a download → upload round trip is lossless), schemars derives
//! its JSON Schema (the page renders forms from it), and [`ParamFile::validate_fields`] checks every value,
//! naming the JSON path and the rule it breaks. [`parse`] is the one way in for untrusted text.

pub mod asp;
pub mod csv;
pub mod ddc;
pub mod fit;
pub mod flow;
pub mod lad;
pub mod tot;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Largest parameter file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Longest `source` note accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1000;

/// `source` with `note` appended (after "; "), what a fit says of itself in the world it changed. Past
/// [`MAX_SOURCE_BYTES`] the oldest notes give way ("…" marks the cut), so a world fitted many times still
/// loads.
pub fn noted_source(source: Option<&str>, note: &str) -> String {
    let full = match source {
        Some(s) if !s.is_empty() => format!("{s}; {note}"),
        _ => note.to_owned(),
    };
    if full.len() <= MAX_SOURCE_BYTES {
        return full;
    }
    const CUT: &str = "…";
    let mut start = full.len() - (MAX_SOURCE_BYTES - CUT.len());
    while !full.is_char_boundary(start) {
        start += 1;
    }
    format!("{CUT}{}", &full[start..])
}

/// A scenario's parameter file.
pub trait ParamFile: Serialize + DeserializeOwned + JsonSchema + Clone {
    /// The tag its `schema` field must carry, e.g. `"asp/v1"`.
    const SCHEMA: &'static str;

    /// The tag this file carries.
    fn schema_tag(&self) -> &str;

    /// Its free-text note on where the numbers come from.
    fn source(&self) -> Option<&str>;

    /// Checks every field but the tag and the note; error paths are relative to the file's root.
    fn validate_fields(&self) -> Result<()>;

    /// Checks the whole file.
    fn validate(&self) -> Result<()> {
        if self.schema_tag() != Self::SCHEMA {
            return Err(Error::new("schema", format!("must be \"{}\", got \"{}\"", Self::SCHEMA, self.schema_tag())));
        }
        if self.source().is_some_and(|s| s.len() > MAX_SOURCE_BYTES) {
            return Err(Error::new("source", format!("must be at most {MAX_SOURCE_BYTES} bytes long")));
        }
        self.validate_fields()
    }
}

/// Reads an untrusted parameter file: size limit, JSON, the schema tag first (so a file of another
/// scenario gets a message saying so), then every field.
pub fn parse<P: ParamFile>(text: &str) -> Result<P> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Error::new("file", format!("is {} bytes; at most {MAX_FILE_BYTES} are accepted", text.len())));
    }
    let value = crate::json::parse_value("", text).map_err(in_file)?;
    match value.get("schema") {
        Some(serde_json::Value::String(tag)) if tag == P::SCHEMA => {}
        Some(serde_json::Value::String(tag)) => {
            return Err(Error::new("schema", format!("this is a \"{tag}\" file; expected \"{}\"", P::SCHEMA)));
        }
        Some(_) => return Err(Error::new("schema", format!("must be the string \"{}\"", P::SCHEMA))),
        None => return Err(Error::new("schema", format!("missing; expected \"{}\"", P::SCHEMA))),
    }
    let params: P = crate::json::typed("", value).map_err(in_file)?;
    params.validate()?;
    Ok(params)
}

/// An error about the whole file (an empty path) named `file`.
fn in_file(e: Error) -> Error {
    if e.field.is_empty() { Error::new("file", e.problem) } else { e }
}

/// The file as pretty JSON, as the app downloads it.
pub fn to_json<P: ParamFile>(params: &P) -> String {
    serde_json::to_string_pretty(params).expect("parameter files serialise") + "\n"
}

/// The JSON Schema of `P`'s files.
pub fn schema<P: ParamFile>() -> serde_json::Value {
    schemars::schema_for!(P).to_value()
}

/// Fuzz-style test helpers: random edits of a file's text.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod fuzz {
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// One to five edits, each replacing a character with a fragment likely to break the JSON or a value.
    pub fn edits() -> impl Strategy<Value = Vec<(Index, &'static str)>> {
        let fragments = vec!["", "0", "-", "1e400", "\"", "}", "[", ",", "null", "9e9", ".5", "-1"];
        proptest::collection::vec((any::<Index>(), prop::sample::select(fragments)), 1..6)
    }

    /// `text` with `edits` applied in turn (edits that would split a multi-byte character are skipped).
    pub fn apply(text: &str, edits: &[(Index, &str)]) -> String {
        let mut text = text.to_owned();
        for (at, with) in edits {
            let i = at.index(text.len().max(1)).min(text.len());
            let end = (i + 1).min(text.len());
            if text.is_char_boundary(i) && text.is_char_boundary(end) {
                text.replace_range(i..end, with);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::asp::AspParams;
    use super::*;

    #[test]
    fn parse_checks_size_json_tag_and_fields_in_that_order() {
        let big = " ".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(parse::<AspParams>(&big).unwrap_err().field, "file");
        assert_eq!(parse::<AspParams>("{").unwrap_err().field, "file");
        let other = parse::<AspParams>(r#"{"schema": "lad/v1", "servers": []}"#).unwrap_err();
        assert_eq!(other.to_string(), "schema: this is a \"lad/v1\" file; expected \"asp/v1\"");
        assert_eq!(parse::<AspParams>(r#"{"providers": []}"#).unwrap_err().field, "schema");
        let typo = parse::<AspParams>(r#"{"schema": "asp/v1", "providers": [{"capacity_steps": 1, "a_x": 0, "a_y": 0, "b_x": 1, "b_y": 1, "c": 2}]}"#)
            .unwrap_err();
        assert_eq!(typo.field, "providers[0].c");
        assert!(typo.problem.contains("unknown field `c`"), "{typo}");
        let rule = parse::<AspParams>(
            r#"{"schema": "asp/v1", "providers": [{"capacity_steps": 1, "a_x": 5, "a_y": 0, "b_x": 5, "b_y": 1}]}"#,
        )
        .unwrap_err();
        assert_eq!(rule.field, "providers[0].b_x");
    }

    #[test]
    fn download_then_upload_is_lossless() {
        let paper = AspParams::paper();
        let text = to_json(&paper);
        assert_eq!(parse::<AspParams>(&text).unwrap(), paper);
        assert_eq!(to_json(&parse::<AspParams>(&text).unwrap()), text);
    }

    #[test]
    fn schema_names_the_fields() {
        let schema = schema::<AspParams>().to_string();
        for field in ["schema", "providers", "capacity_steps", "a_x", "b_y"] {
            assert!(schema.contains(field), "{field} missing from {schema}");
        }
    }
}
