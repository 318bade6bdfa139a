//! The registry's facts and the fits' application, for every scenario.

use super::*;
use crate::params;

#[test]
fn every_scenario_holds_its_facts_consistently() {
    for &id in ScenarioId::ALL {
        let info = id.info();
        assert_eq!(info.id, id);
        let env = ScenarioConfig::default_for(id).build().unwrap();
        assert_eq!(env.heuristics(), info.heuristics, "{}", id.name());
        for name in [info.start_heuristic, info.cheapest_heuristic] {
            assert!(info.heuristics.contains(&name), "{}: {name} is not a heuristic", id.name());
        }
        let metrics = env.metrics();
        assert!(metrics.get(info.main_metric).is_some(), "{}: no metric {}", id.name(), info.main_metric);
        for figure in info.paper_figures {
            assert!(metrics.get(figure.metric).is_some(), "{}: no metric {}", id.name(), figure.metric);
        }
        let config = ScenarioConfig::default_for(id);
        assert_eq!(info.has_world, config.world_params_json().is_ok(), "{}", id.name());
        assert_eq!(info.measurements.is_some(), !config.fit_targets().is_empty(), "{}", id.name());
        assert!(crate::agent::Algorithm::parse("algorithm", info.paper_algorithm).is_ok(), "{}", id.name());
    }
}

fn asp_csv() -> &'static str {
    "steps,quality\n10,0\n20,0\n40,0.4\n60,0.8\n80,0.8\n100,0.8\n"
}

#[test]
fn an_asp_fit_replaces_the_chosen_providers_ramp_keeping_capacity_and_base_quality() {
    let mut config = ScenarioConfig::default_for(ScenarioId::Asp);
    let ScenarioConfig::Asp(before) = config.clone() else { unreachable!() };
    let world = before.resolve_world();
    assert_eq!(config.fit_targets().len(), world.providers.len());
    assert_eq!(config.fit_targets()[1], FitTarget { value: "1".into(), label: "provider 2".into() });
    config.apply_fit(asp_csv(), 10.0, "1", "lab.csv").unwrap();
    let ScenarioConfig::Asp(after) = &config else { unreachable!() };
    let fitted = after.world.as_ref().unwrap();
    let fit = params::fit::fit_asp_csv(asp_csv()).unwrap();
    let (old, new) = (&world.providers[1], &fitted.providers[1]);
    assert_eq!((new.capacity_steps, new.a_y), (old.capacity_steps, old.a_y));
    assert_eq!((new.a_x, new.b_x, new.b_y), (fit.a_x, fit.b_x, old.a_y + fit.height));
    assert_eq!(fitted.providers[0], world.providers[0]);
    assert!(fitted.source.as_deref().unwrap().ends_with("provider 2's quality ramp fitted to lab.csv"));
}

#[test]
fn a_tot_fit_replaces_the_base_stations_or_a_providers_curves() {
    let csv = "tokens,delay_s,score\n10,0.5,3\n20,1,5\n30,1.5,7\n40,2,8\n";
    let fit = params::fit::fit_tot_csv(csv, 10.0).unwrap();
    let mut config = ScenarioConfig::default_for(ScenarioId::Tot);
    let labels: Vec<String> = config.fit_targets().into_iter().map(|t| t.label).take(2).collect();
    assert_eq!(labels, ["the base station", "service provider 1"]);
    config.apply_fit(csv, 10.0, "bs", "bs.csv").unwrap();
    let ScenarioConfig::Tot(c) = &config else { unreachable!() };
    let world = c.world.clone().unwrap();
    assert_eq!(world.bs.curve, fit.curve_params());
    assert!(world.source.as_deref().unwrap().ends_with("; the base station's curves fitted to bs.csv"));
    config.apply_fit(csv, 10.0, "0", "sp.csv").unwrap();
    let ScenarioConfig::Tot(c) = &config else { unreachable!() };
    assert_eq!(c.world.as_ref().unwrap().service_providers[0].curve, fit.curve_params());
    let providers = world.service_providers.len();
    let e = config.clone().apply_fit(csv, 10.0, &providers.to_string(), "sp.csv").unwrap_err();
    assert_eq!(e.field, "target");
}

#[test]
fn a_refused_fit_or_target_changes_nothing() {
    for (id, target) in [(ScenarioId::Asp, "99"), (ScenarioId::Asp, "x"), (ScenarioId::Ddc, "0")] {
        let mut config = ScenarioConfig::default_for(id);
        let before = config.clone();
        assert_eq!(config.apply_fit(asp_csv(), 10.0, target, "f.csv").unwrap_err().field, "target");
        assert_eq!(config, before);
    }
    let mut config = ScenarioConfig::default_for(ScenarioId::Asp);
    assert!(config.apply_fit("steps,quality\n", 10.0, "0", "f.csv").is_err());
    assert_eq!(config, ScenarioConfig::default_for(ScenarioId::Asp));
    let mut lad = ScenarioConfig::default_for(ScenarioId::Lad);
    assert_eq!(lad.apply_fit(asp_csv(), 10.0, "0", "f.csv").unwrap_err().field, "scenario");
}

#[test]
fn a_long_source_keeps_its_latest_notes_within_the_limit() {
    let long = "é".repeat(600);
    let noted = params::noted_source(Some(&long), "provider 1's quality ramp fitted to x.csv");
    assert!(noted.len() <= params::MAX_SOURCE_BYTES);
    assert!(noted.starts_with('…') && noted.ends_with("provider 1's quality ramp fitted to x.csv"));
    assert_eq!(params::noted_source(None, "a"), "a");
    assert_eq!(params::noted_source(Some("old"), "a"), "old; a");
}

#[test]
fn a_legacy_config_gets_the_fields_later_readings_added_with_their_old_meaning() {
    use serde_json::json;
    let upgraded = |id, mut config: serde_json::Value| {
        ScenarioConfig::upgrade_legacy_json(id, &mut config);
        config
    };
    assert_eq!(
        upgraded(ScenarioId::Tot, json!({"world_seed": 2, "observation": "timing"})),
        json!({"world_seed": 2, "observation": "timing", "delay_reward": "finish_increment", "quality_penalty_weight": 1.0})
    );
    assert_eq!(upgraded(ScenarioId::Flow, json!({})), json!({"max_lateness": null, "observation": "paper"}));
    assert_eq!(upgraded(ScenarioId::Lad, json!({"normalize_obs": true})), json!({"observation": "normalized"}));
    assert_eq!(upgraded(ScenarioId::Lad, json!({"normalize_obs": false})), json!({"observation": "raw"}));
    assert_eq!(upgraded(ScenarioId::Lad, json!({})), json!({"observation": "raw"}));
    assert_eq!(upgraded(ScenarioId::Asp, json!({"world_seed": 1})), json!({"world_seed": 1}));
    for &id in ScenarioId::ALL {
        let upgraded = upgraded(id, json!({}));
        assert!(ScenarioConfig::from_json(id, &upgraded.to_string()).is_ok(), "{}: {upgraded}", id.name());
    }
}
