//! Writes the JSON Schema of every type the front end receives from the wasm core, as one document, to
//! the path given (or stdout). `npm run gen:types` turns it into TypeScript (www/src/generated/core.d.ts),
//! so the page's types follow the Rust ones: `cargo run --example export_schemas -- FILE`.

use diffedge::params::fit::{AspFit, TotFit};
use diffedge::scenario::{Action, ActionSpace, DecisionKey, FitTarget, ScenarioConfig, ScenarioInfo, Snapshot};
use diffedge::train::{EpochRecord, TrainConfig};
use schemars::JsonSchema;

/// Everything the page gets from the core (the root only collects them).
#[allow(dead_code)]
#[derive(JsonSchema)]
struct CoreTypes {
    snapshot: Snapshot,
    scenario_config: ScenarioConfig,
    train_config: TrainConfig,
    epoch_record: EpochRecord,
    action_space: ActionSpace,
    action: Action,
    decision_key: DecisionKey,
    tot_fit: TotFit,
    asp_fit: AspFit,
    scenario_info: ScenarioInfo,
    fit_target: FitTarget,
}

/// Rewrites `{"$ref": R, "properties": …}` (an internally tagged enum's variant: the variant's struct
/// plus its tag) as `{"allOf": [{"$ref": R}, {"properties": …}]}`, which TypeScript generators read as an
/// intersection instead of dropping one side.
fn split_ref_siblings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                split_ref_siblings(v);
            }
            if map.contains_key("$ref") && (map.contains_key("properties") || map.contains_key("required")) {
                let reference = map.remove("$ref").expect("checked above");
                let description = map.remove("description");
                let rest = serde_json::Value::Object(std::mem::take(map));
                map.insert("allOf".into(), serde_json::json!([{ "$ref": reference }, rest]));
                if let Some(d) = description {
                    map.insert("description".into(), d);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(split_ref_siblings),
        _ => {}
    }
}

fn main() {
    let mut value = schemars::schema_for!(CoreTypes).to_value();
    split_ref_siblings(&mut value);
    let schema = serde_json::to_string_pretty(&value).expect("schemas serialise") + "\n";
    match std::env::args().nth(1) {
        Some(path) => std::fs::write(&path, schema).expect("the output is writable"),
        None => print!("{schema}"),
    }
}
