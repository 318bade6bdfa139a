//! The one reader of untrusted JSON: configs (`--config`, the page's forms and links), parameter files
//! (`--world`, `params check`, the page's uploads) and training configs, with one policy wherever they come
//! from:
//!
//! - the bytes must be UTF-8 (an error gives the byte offset, line and column of the first bad byte); a
//!   leading byte-order mark is dropped (editors on Windows write one, and the browser's file reader drops it);
//! - exactly one JSON value, nothing after it but whitespace;
//! - no key twice in one object (JSON leaves it open; a reader that keeps the last would hide a typo);
//! - an object wherever the target type has a struct: serde would also take a struct written as an array
//!   of its fields in order, which no one means on purpose;
//! - then the target type's own rules (unknown fields refused, types, ranges), every error naming the JSON
//!   path of the value.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{Error, Result};

/// `bytes` as text: UTF-8, without a leading byte-order mark. `what` names the input in the error.
pub fn utf8<'a>(what: &str, bytes: &'a [u8]) -> Result<&'a str> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = std::str::from_utf8(&before[before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..])
            .map_or(0, |s| s.chars().count())
            + 1;
        Error::new(
            what,
            format!("is not UTF-8 text: byte {at} (line {line}, column {column}) is not a valid character"),
        )
    })
}

/// `text` as one strict JSON value (see the module's rules); errors are named `what` or `what.<path>` (the
/// path alone when `what` is empty).
pub fn parse_value(what: &str, text: &str) -> Result<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let Strict(value) = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if e.inner().is_data() {
            named(what, e)
        } else {
            Error::new(what, format!("is not valid JSON: {}", e.into_inner()))
        }
    })?;
    de.end().map_err(|e| Error::new(what, format!("has more after its JSON value: {e}")))?;
    Ok(value)
}

/// `text` as a `T`: [`parse_value`], objects where `T` has structs, then `T`'s own rules.
pub fn parse<T: DeserializeOwned + JsonSchema>(what: &str, text: &str) -> Result<T> {
    typed(what, parse_value(what, text)?)
}

/// A `T` from a value [`parse_value`] read: objects where `T` has structs, then `T`'s own rules.
pub fn typed<T: DeserializeOwned + JsonSchema>(what: &str, value: Value) -> Result<T> {
    check_objects::<T>(what, &value)?;
    from_value(what, value)
}

/// A `T` from an already strict `value`, errors naming the path.
pub fn from_value<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| named(what, e))
}

/// An object wherever `T`'s JSON Schema says object: structs, maps and tagged enums.
pub fn check_objects<T: JsonSchema>(what: &str, value: &Value) -> Result<()> {
    let schema = schemars::schema_for!(T).to_value();
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    match misplaced_array(&schema, &defs, value, String::new()) {
        Some(path) => Err(Error::new(
            join(what, path.trim_start_matches('.')),
            "must be an object with named fields, got an array",
        )),
        None => Ok(()),
    }
}

/// The path of the first array in `value` where `schema` wants an object (and no array), if any.
fn misplaced_array(schema: &Value, defs: &Value, value: &Value, path: String) -> Option<String> {
    let schema = resolve(schema, defs)?;
    if value.is_array() && allows(schema, defs, "object") && !allows(schema, defs, "array") {
        return Some(path);
    }
    // Alternatives (enum variants, options) that take this kind of value: misplaced only if in all of them.
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let kind = kind_of(value);
            let found: Vec<Option<String>> = options
                .iter()
                .filter(|o| resolve(o, defs).is_some_and(|o| allows(o, defs, kind)))
                .map(|o| misplaced_array(o, defs, value, path.clone()))
                .collect();
            if !found.is_empty() && found.iter().all(Option::is_some) {
                return found.into_iter().flatten().next();
            }
        }
    }
    match value {
        Value::Object(fields) => fields.iter().find_map(|(key, v)| {
            let sub =
                schema.get("properties").and_then(|p| p.get(key)).or_else(|| schema.get("additionalProperties"))?;
            misplaced_array(sub, defs, v, format!("{path}.{key}"))
        }),
        Value::Array(items) => {
            let sub = schema.get("items")?;
            items.iter().enumerate().find_map(|(i, v)| misplaced_array(sub, defs, v, format!("{path}[{i}]")))
        }
        _ => None,
    }
}

/// `schema` itself, or the definition its `$ref` names.
fn resolve<'a>(schema: &'a Value, defs: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => defs.get(name),
        None => Some(schema),
    }
}

/// Whether `schema` may take a value of JSON type `kind` (no `type` and no alternatives: anything).
fn allows(schema: &Value, defs: &Value, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == kind || (t == "integer" && kind == "number"),
        Some(Value::Array(types)) => types.iter().any(|t| t == kind),
        _ => match ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k)?.as_array()) {
            Some(options) => options.iter().any(|o| resolve(o, defs).is_some_and(|o| allows(o, defs, kind))),
            None => true,
        },
    }
}

/// The JSON Schema type name of `value`.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn named<E: std::fmt::Display>(what: &str, e: serde_path_to_error::Error<E>) -> Error {
    let path = e.path().to_string();
    Error::new(join(what, if path == "." || path == "?" { "" } else { &path }), e.into_inner().to_string())
}

/// `what.path`, or either alone when the other is empty (a parameter file names its fields from its root).
fn join(what: &str, path: &str) -> String {
    match (what.is_empty(), path.is_empty()) {
        (_, true) => what.to_owned(),
        (true, false) => path.to_owned(),
        (false, false) if path.starts_with('[') => format!("{what}{path}"),
        (false, false) => format!("{what}.{path}"),
    }
}

/// A JSON value read with duplicate keys refused.
struct Strict(Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> core::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> core::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> core::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> core::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> core::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> core::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> core::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> core::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> core::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> core::result::Result<Value, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(de::Error::custom(format!("the key \"{key}\" appears twice")));
            }
            let Strict(v) = map.next_value()?;
            fields.insert(key, v);
        }
        Ok(Value::Object(fields.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        inner: Vec<Inner>,
        #[serde(default)]
        tag: Option<Inner>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        x: u32,
    }

    #[test]
    fn one_value_nothing_after_it() {
        assert_eq!(parse::<Outer>("c", r#"{"inner": []}  "#).unwrap(), Outer { inner: vec![], tag: None });
        let e = parse::<Outer>("c", r#"{"inner": []} x"#).unwrap_err();
        assert!(e.field == "c" && e.problem.contains("more after"), "{e}");
        assert!(parse::<Outer>("c", r#"{"inner": []}{}"#).is_err());
        let e = parse::<Outer>("c", "{not json").unwrap_err();
        assert!(e.field == "c" && e.problem.starts_with("is not valid JSON: "), "{e}");
        let e = parse::<Outer>("c", r#"{"inner":[{"x":1},{"x":-4}]}"#).unwrap_err();
        assert!(e.field == "c.inner[1].x" && e.problem.contains("-4"), "{e}");
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_path() {
        let e = parse::<Outer>("c", r#"{"inner": [{"x": 1, "x": 2}]}"#).unwrap_err();
        assert_eq!(e.field, "c.inner[0]");
        assert!(e.problem.contains("\"x\" appears twice"), "{e}");
        assert!(parse_value("c", r#"{"a": 1, "a": 1}"#).is_err());
    }

    #[test]
    fn structs_written_as_arrays_are_refused_with_their_path() {
        let e = parse::<Outer>("c", r#"[[]]"#).unwrap_err();
        assert_eq!((e.field.as_str(), e.problem.as_str()), ("c", "must be an object with named fields, got an array"));
        assert_eq!(parse::<Outer>("c", r#"{"inner": [[5]]}"#).unwrap_err().field, "c.inner[0]");
        assert_eq!(parse::<Outer>("c", r#"{"inner": [], "tag": [5]}"#).unwrap_err().field, "c.tag");
        assert_eq!(parse::<Outer>("c", r#"{"inner": [{"x": 5}], "tag": {"x": 1}}"#).unwrap().inner[0].x, 5);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_bad_utf8_is_located() {
        assert!(parse::<Outer>("c", "\u{feff}{\"inner\": []}").is_ok());
        assert_eq!(utf8("file", b"\xef\xbb\xbf{}").unwrap(), "{}");
        let e = utf8("file", b"{\n  \"a\": \"\xff\"}").unwrap_err();
        assert_eq!(e.to_string(), "file: is not UTF-8 text: byte 10 (line 2, column 9) is not a valid character");
    }
}
