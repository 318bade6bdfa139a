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

/// Every policy the page ships (`www/public/pretrained/`, some saved by earlier versions) still loads, and
/// what it is saved as loads to the same run: a renamed field or tensor would break every checkpoint saved
/// before it.
#[test]
fn shipped_checkpoints_load_and_round_trip() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/public/pretrained");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "safetensors") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let mut trainer = diffedge::train::Trainer::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let saved = trainer.save();
        let mut again = diffedge::train::Trainer::load(&saved).unwrap();
        assert!(again.save() == saved, "{}: a saved run loads to another run", path.display());
        seen += 1;
    }
    assert!(seen >= 7, "the scenarios' pretrained policies are shipped ({seen} found)");
}
