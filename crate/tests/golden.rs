//! Golden episode results, shared with the browser test (`web.rs`) so that native and WebAssembly runs
//! are checked to give bit-identical numbers. `DIFFEDGE_UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites the fixture after a deliberate change of the simulation.
#![cfg(not(target_arch = "wasm32"))]

mod common;

#[test]
fn golden_episodes_match_the_fixture() {
    let computed = common::compute_golden();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden.json");
    if std::env::var_os("DIFFEDGE_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&computed).unwrap() + "\n").unwrap();
    }
    let stored: Vec<common::Golden> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(stored, computed);
}

#[test]
fn golden_training_matches_the_fixture() {
    let computed = common::training_history();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/golden-training.json");
    if std::env::var_os("DIFFEDGE_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&computed).unwrap() + "\n").unwrap();
    }
    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(stored, computed);
}
