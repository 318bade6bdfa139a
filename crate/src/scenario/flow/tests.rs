use super::*;
use crate::scenario::{ScenarioConfig, run_heuristic_episode};

/// Flow type indices of the default config.
const TEXT: u8 = 0;
const IMAGE: u8 = 1;
const SCENE: u8 = 2;

fn world(capacities: &[f64], edge_compute_gflop_s: f64) -> FlowParams {
    FlowParams {
        schema: FlowParams::SCHEMA.to_owned(),
        source: None,
        gateways: capacities.iter().map(|&capacity_mbit_s| Gateway { capacity_mbit_s }).collect(),
        edge_compute_gflop_s,
    }
}

/// An environment on a fixed world whose episode is the given `(slot, type, rate_mbit_s, deadline_ms)`
/// list (10 ms slots, the default flow types), with the default config otherwise.
fn built(capacities: &[f64], flows: &[(u32, u8, f64, f64)]) -> FlowEnv {
    built_with(FlowConfig::default(), capacities, flows)
}

/// The paper's literal reading: unbounded lateness, the paper's observation.
fn paper() -> FlowConfig {
    FlowConfig { max_lateness: None, observation: FlowObservation::Paper, ..FlowConfig::default() }
}

/// [`built`] from `config` (its world replaced).
fn built_with(config: FlowConfig, capacities: &[f64], flows: &[(u32, u8, f64, f64)]) -> FlowEnv {
    let config = FlowConfig { world: Some(world(capacities, 100.0)), ..config };
    let mut env = FlowEnv::new(config).unwrap();
    env.flows = flows
        .iter()
        .enumerate()
        .map(|(source, &(slot, kind, rate_mbit_s, deadline_ms))| {
            let t = &env.config.flow_types[usize::from(kind)];
            let deadline_s = deadline_ms / 1000.0;
            Flow {
                slot,
                source: source as u32,
                kind,
                priority: t.priority,
                rate_mbit_s,
                deadline_s,
                data_mbit: rate_mbit_s * deadline_s / 2.0,
                compute_gflop: t.compute_gflop,
            }
        })
        .collect();
    env.placements = vec![Placement::default(); flows.len()];
    env.now_s = f64::from(flows[0].0) * env.slot_s;
    env.write_observation();
    env
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// Action for gateway `g` and class `c` (1…3).
fn act(g: usize, c: usize) -> Action {
    Action::Discrete(g * CLASSES + c - 1)
}

#[test]
fn delay_components_and_priority_effect() {
    // Gateways of 100 and 50 Mbit/s, edge compute 100 GFLOP/s.
    let flows = [
        (0, SCENE, 10.0, 400.0),   // D = 10 · 0.4 / 2 = 2 Mbit, 2 GFLOP
        (5, IMAGE, 20.0, 200.0),   // D = 2 Mbit, 0.5 GFLOP, at 0.05 s
        (19, TEXT, 95.0, 100.0),   // D = 4.75 Mbit, 0.05 GFLOP, at 0.19 s
        (21, SCENE, 20.0, 1000.0), // D = 10 Mbit, at 0.21 s
    ];
    let mut env = built(&[100.0, 50.0], &flows);

    // Flow 0 on gateway 0, class 1: nothing queued, full rate. T_tx = 2/10 = 0.2, T_q = 0,
    // T_proc = 2·1/100 = 0.02, T_prop = 0.001: T_act = 0.221 ≤ 0.4.
    let o = env.outcome_if(0, 1).unwrap();
    assert_eq!((o.r_alloc_mbit_s, o.over_capacity, o.queueing_s), (10.0, false, 0.0));
    assert!(close(o.transmission_s, 0.2) && close(o.processing_s, 0.02) && close(o.propagation_s, 0.001));
    assert!(close(o.latency_s, 0.221));
    let step = env.step(&act(0, 1)).unwrap();
    // H_d = (0.221 − 0.4)/0.4 = −0.4475; it sends at once, so H_r = 10/100 − 0 = 0.1; φ = 0.
    // Reward −(−0.4475 + 0.5·0.1) = 0.3975.
    assert!(close(step.reward, 0.3975), "{}", step.reward);

    // Flow 1 at 0.05 s: gateway 0 has 90 Mbit/s free and flow 0's 2 Mbit queued in class 1.
    // In class 1 it waits 2/90 s behind it; in class 2 or 3 it does not.
    let low = env.outcome_if(0, 1).unwrap();
    let high = env.outcome_if(0, 3).unwrap();
    assert!(close(low.queueing_s, 2.0 / 90.0));
    assert_eq!((env.outcome_if(0, 2).unwrap().queueing_s, high.queueing_s), (0.0, 0.0));
    // T_tx = 2/20 = 0.1, T_proc = 0.5·1/100 = 0.005 (flow 0 is still sending, not processing).
    assert!(close(high.latency_s, 0.1 + 0.005 + 0.001));
    assert!(close(low.latency_s, 0.1 + 2.0 / 90.0 + 0.005 + 0.001));
    let step = env.step(&act(0, 3)).unwrap();
    // It sends at once: gateway 0 holds 30 of 100, gateway 1 nothing: H_r = 0.3.
    // H_d = (0.106 − 0.2)/0.2 = −0.47; reward −(−0.47 + 0.15) = 0.32.
    assert!(close(step.reward, 0.32), "{}", step.reward);
    let Snapshot::Flow(snap) = env.snapshot() else { panic!("flow snapshot") };
    assert_eq!(snap.last.unwrap().utilisation_spread, 0.3);

    // Flow 2 at 0.19 s: flow 1 has finished sending (0.15 s) and processing (0.155 s); flow 0 still
    // sends at 10 Mbit/s until 0.2 s with its 2 Mbit in class 1.
    assert_eq!(
        (env.available_mbit_s(0), env.backlog_mbit(0, 1), env.backlog_mbit(0, 3), env.active()),
        (90.0, 2.0, 0.0, 0)
    );
    let o = env.outcome_if(0, 1).unwrap();
    // r_alloc = min(95, 90) = 90: T_tx = 4.75/90, T_q = 2/90, T_proc = 0.05/100.
    assert_eq!(o.r_alloc_mbit_s, 90.0);
    assert!(close(o.latency_s, 4.75 / 90.0 + 2.0 / 90.0 + 0.0005 + 0.001));
    let on_1 = env.outcome_if(1, 1).unwrap(); // 50 Mbit/s free: 4.75/50 + 0.0005 + 0.001 = 0.0965
    assert!(close(on_1.latency_s, 0.0965));
    env.step(&act(0, 1)).unwrap();
    // Flow 2 waits until 0.19 + 2/90 ≈ 0.2122 s before sending.

    // Flow 3 at 0.21 s: flow 0 stopped sending at 0.2 s (bandwidth released, data off the queue) and is
    // processing until 0.22 s; flow 2 has not started. Gateway 0: all 100 free, 4.75 Mbit in class 1.
    assert_eq!((env.available_mbit_s(0), env.active()), (100.0, 1));
    assert_eq!(env.backlog_mbit(0, 1), 4.75);
    let o = env.outcome_if(0, 3).unwrap();
    // T_tx = 10/20 = 0.5, T_q = 0 in class 3, T_proc = 2·(1 + 1)/100 = 0.04: T_act = 0.541.
    assert!(close(o.latency_s, 0.541));
    assert!(close(env.outcome_if(0, 1).unwrap().queueing_s, 0.0475)); // 4.75/100 in class 1
    env.step(&act(0, 3)).unwrap();
    assert!(env.is_done());

    let m = env.metrics();
    assert_eq!((m.get("flows"), m.get("completion_rate"), m.get("deadline_misses")), (Some(4.0), Some(1.0), Some(0.0)));
    assert_eq!((m.get("completion_rate_p1"), m.get("completion_rate_p3")), (Some(1.0), Some(1.0)));
    let mean_latency_ms = 1000.0 * (0.221 + 0.106 + (4.75 + 2.0) / 90.0 + 0.0015 + 0.541) / 4.0;
    assert!(close(m.get("mean_latency_ms").unwrap(), mean_latency_ms));
}

#[test]
fn saturated_gateway_floor_violations_and_release() {
    // One 10 Mbit/s gateway (floor 0.1 Mbit/s).
    let flows = [(0, TEXT, 20.0, 100.0), (0, TEXT, 2.0, 1000.0), (11, TEXT, 1.0, 1000.0)];
    let mut env = built_with(paper(), &[10.0], &flows);
    // Flow 0 needs 20 and gets all 10: T_tx = 1/10 = 0.1, T_act = 0.1 + 0.0005 + 0.001 = 0.1015 > 0.1:
    // missed. H_d = 0.0015/0.1 = 0.015, H_r = 0 (one gateway), φ = 1: reward −1.015.
    let step = env.step(&act(0, 1)).unwrap();
    assert!(close(step.reward, -1.015), "{}", step.reward);
    // Flow 1, same slot: nothing free, so the floor gives 0.1 Mbit/s (over capacity). T_tx = 1/0.1 = 10,
    // T_q = 1/0.1 = 10 behind flow 0's data, T_proc = 0.0005: T_act = 20.0015, missed.
    // H_d = 19.0015, φ = 2: reward −21.0015.
    let o = env.outcome_if(0, 1).unwrap();
    assert!(
        o.over_capacity && close(o.r_alloc_mbit_s, 0.1) && close(o.transmission_s, 10.0) && close(o.queueing_s, 10.0)
    );
    let step = env.step(&act(0, 1)).unwrap();
    assert!(close(step.reward, -21.0015), "{}", step.reward);
    // The default bounds the lateness at 1: reward −(1 + 2) = −3 (the first flow's 0.015 is below the cap).
    let mut bounded = built(&[10.0], &flows);
    assert!(close(bounded.step(&act(0, 1)).unwrap().reward, -1.015));
    assert!(close(bounded.step(&act(0, 1)).unwrap().reward, -3.0));
    // At 0.11 s flow 0 has released its 10 Mbit/s (it stopped at 0.1 s); flow 1 waits until 10 s.
    // Flow 0 also finished processing (at 0.1005 s).
    assert_eq!((env.available_mbit_s(0), env.backlog_mbit(0, 1), env.active()), (10.0, 1.0, 0));
    let Snapshot::Flow(s) = env.snapshot() else { panic!("flow snapshot") };
    assert_eq!((s.gateways[0].transmitting, s.gateways[0].queued_flows), (0, [1, 0, 0]));
    let m = env.metrics();
    assert_eq!(
        (m.get("over_capacity"), m.get("deadline_misses"), m.get("completion_rate")),
        (Some(1.0), Some(2.0), Some(0.0))
    );
}

#[test]
fn observation_layout() {
    let flows = [(0, IMAGE, 10.0, 500.0), (3, SCENE, 5.0, 250.0)];
    let mut env = built_with(paper(), &[100.0, 50.0], &flows);
    assert_eq!(env.observation_space().dim(), 5 + 2 * 2 + 1);
    // [10/20, 500/1000, one-hot priority 2, gateways free with empty queues, edge share 1].
    assert_eq!(env.observation(), &[0.5, 0.5, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    env.step(&act(1, 2)).unwrap();
    // Gateway 1 holds 10 of 50 and has 2.5 Mbit unsent: 2.5/50 = 0.05 s.
    assert_eq!(env.observation(), &[0.25, 0.25, 0.0, 0.0, 1.0, 1.0, 0.0, 0.8, 0.05, 1.0]);
    assert_eq!(FlowEnv::new(FlowConfig::default()).unwrap().action_space(), ActionSpace::Discrete { n: 24 });

    // The default: per gateway free share, r_alloc/r and the squashed wait per class.
    let mut env = built(&[100.0, 50.0], &flows);
    assert_eq!(env.observation_space().dim(), 5 + 5 * 2 + 1);
    assert_eq!(env.observation(), &[0.5, 0.5, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    env.step(&act(1, 2)).unwrap();
    // Flow 1 (5 Mbit/s, 250 ms, class 3) at 30 ms: gateway 1 has 40 free and 2.5 Mbit unsent in class 2,
    // so in class 1 or 2 it would wait 2.5/40 = 0.0625 s = 0.25 of its deadline (squashed: 0.2); in class 3
    // not at all.
    let obs = env.observation();
    assert_eq!(&obs[..10], &[0.25, 0.25, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    assert_eq!(&obs[10..], &[0.8, 1.0, 0.2, 0.2, 0.0, 1.0]);
}

#[test]
fn heuristics_choose_as_specified() {
    let flows = [(0, IMAGE, 20.0, 300.0), (0, SCENE, 20.0, 120.0), (0, TEXT, 1.0, 1000.0)];
    let mut env = built(&[100.0, 25.0, 100.0], &flows);
    let pick = |env: &FlowEnv, name: &str, decisions: u64| {
        let mut state = HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions };
        env.heuristic_action(env.heuristic_index(name).unwrap(), &mut state)
    };
    // Round robin: gateway decisions mod G, class = priority (2).
    assert_eq!(pick(&env, "round_robin", 4), act(1, 2));
    // All idle: least loaded is the first gateway.
    assert_eq!(pick(&env, "least_loaded", 0), act(0, 2));
    env.step(&act(0, 2)).unwrap(); // gateway 0 holds 20 of 100
    // Least loaded: gateway 1 (0 of 25). EDF for the scene flow (D = 1.2 Mbit, 120 ms): gateway 1 gives
    // 1.2/20 + 0.02 + 0.001 = 0.081 s ≤ 0.12 and is least loaded; class = priority 3.
    assert_eq!(pick(&env, "least_loaded", 1), act(1, 3));
    assert_eq!(pick(&env, "edf", 1), act(1, 3));
    env.step(&act(1, 3)).unwrap(); // gateway 1 now holds 20 of 25
    // Text flow: least loaded is gateway 2 (idle); EDF agrees.
    assert_eq!(pick(&env, "least_loaded", 2), act(2, 1));
    assert_eq!(pick(&env, "edf", 2), act(2, 1));
    let Action::Discrete(r) = pick(&env, "random", 2) else { panic!("discrete") };
    assert!(r < 9);
    assert!(env.heuristic_index("greedy").unwrap_err().problem.contains("edf"));
}

#[test]
fn edf_falls_back_to_the_fastest_when_no_gateway_meets_the_deadline() {
    let mut env = built(&[10.0, 15.0], &[(0, TEXT, 20.0, 250.0)]);
    // D = 2.5 Mbit: gateway 0: 0.25 + 0.0015 > 0.25; gateway 1: 0.1667 + 0.0015 ≤ 0.25 — meets.
    let mut state = HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions: 0 };
    let edf = env.heuristic_index("edf").unwrap();
    assert_eq!(env.heuristic_action(edf, &mut state), act(1, 1));
    env.flows[0].deadline_s = 0.1; // now both miss; gateway 1 is faster
    assert_eq!(env.heuristic_action(edf, &mut state), act(1, 1));
    env.flows[0].rate_mbit_s = 5.0; // both give 5 Mbit/s: equal, so the first
    assert_eq!(env.heuristic_action(edf, &mut state), act(0, 1));
}

#[test]
fn arrivals_are_a_bernoulli_process() {
    let mut env = FlowEnv::new(FlowConfig::default()).unwrap();
    let mut counts = Vec::new();
    for seed in 0..20 {
        env.reset(seed);
        assert!(env.flows.windows(2).all(|w| (w[0].slot, w[0].source) < (w[1].slot, w[1].source)));
        for f in &env.flows {
            assert!(f.slot < 1000 && f.source < 1000);
            assert!((1.0..20.0).contains(&f.rate_mbit_s) && (0.1..1.0).contains(&f.deadline_s));
            assert!(close(f.data_mbit, f.rate_mbit_s * f.deadline_s / 2.0));
            assert_eq!(f.priority, f.kind + 1);
        }
        counts.push(env.flows_total() as f64);
    }
    // 10⁶ (slot, source) pairs at λ = 0.001: 1000 flows per episode, sd ≈ 31.6, so the mean of 20 has
    // sd ≈ 7.1.
    let mean = counts.iter().sum::<f64>() / 20.0;
    assert!((mean - 1000.0).abs() < 30.0, "mean flows {mean}");
    // Types equally likely.
    let mut kinds = [0u32; 3];
    for f in &env.flows {
        kinds[usize::from(f.kind)] += 1;
    }
    assert!(kinds.iter().all(|&k| k > 250), "{kinds:?}");
}

#[test]
fn an_episode_without_arrivals_is_over_at_once() {
    let config = FlowConfig { slots: 1, sources: 1, emit_probability: 1.0e-9, ..FlowConfig::default() };
    let mut env = FlowEnv::new(config).unwrap();
    env.reset(0);
    assert!(env.is_done() && env.flows_total() == 0);
    assert!(env.observation().iter().all(|x| x.is_finite()));
    assert!(env.step(&Action::Discrete(0)).unwrap_err().problem.contains("ended"));
    let summary = run_heuristic_episode(&mut env, "edf", 0).unwrap();
    assert_eq!(summary.steps, 0);
    assert!(summary.metrics.0.iter().all(|(_, v)| v.is_finite()));
}

#[test]
fn config_errors_name_the_field() {
    let bad = |f: fn(&mut FlowConfig)| {
        let mut c = FlowConfig::default();
        f(&mut c);
        c.validate().unwrap_err()
    };
    assert_eq!(bad(|c| c.gateways = 0).field, "gateways");
    assert_eq!(bad(|c| c.gateway_capacity_mbit_s.min = 0.0).field, "gateway_capacity_mbit_s.min");
    assert_eq!(bad(|c| c.emit_probability = 1.5).field, "emit_probability");
    let e = bad(|c| c.sources = 2_000_000); // 1000 · 2·10⁶ · 0.001 = 2·10⁶ expected flows
    assert!(e.field == "emit_probability" && e.problem.contains("expected flows"), "{e}");
    assert_eq!(bad(|c| c.deadline_ms = Uniform::new(500.0, 100.0)).field, "deadline_ms.max");
    assert_eq!(
        bad(|c| c.flow_types[1].priority = 4).to_string(),
        "flow_types[1].priority: must be between 1 and 3, got 4"
    );
    assert_eq!(bad(|c| c.flow_types[2].compute_gflop = f64::NAN).field, "flow_types[2].compute_gflop");
    assert_eq!(bad(|c| c.flow_types[0].name.clear()).field, "flow_types[0].name");
    assert_eq!(bad(|c| c.flow_types.clear()).field, "flow_types");
    assert_eq!(bad(|c| c.min_allocation_fraction = 0.0).field, "min_allocation_fraction");
    assert_eq!(bad(|c| c.weight_balance = -1.0).field, "weight_balance");
    assert_eq!(bad(|c| c.world = Some(world(&[1.0, -2.0], 1.0))).field, "world.gateways[1].capacity_mbit_s");
    let e =
        ScenarioConfig::from_json(ScenarioId::Flow, r#"{"flow_types": [{"name": "x", "priority": 1}]}"#).unwrap_err();
    assert!(e.field.starts_with("config.flow_types[0]") && e.problem.contains("compute_gflop"), "{e}");
    let e = ScenarioConfig::from_json(ScenarioId::Flow, r#"{"slots": -1}"#).unwrap_err();
    assert_eq!(e.field, "config.slots");
}

#[test]
fn config_json_round_trips_and_schemas_name_the_fields() {
    let config = FlowConfig::default();
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(ScenarioConfig::from_json(ScenarioId::Flow, &json).unwrap(), ScenarioConfig::Flow(config));
    let schema = ScenarioConfig::config_schema(ScenarioId::Flow).to_string();
    for field in ["flow_types", "emit_probability", "min_allocation_fraction"] {
        assert!(schema.contains(field), "{field} missing from the config schema");
    }
    let schema = ScenarioConfig::params_schema(ScenarioId::Flow).unwrap().to_string();
    for field in ["gateways", "capacity_mbit_s", "edge_compute_gflop_s"] {
        assert!(schema.contains(field), "{field} missing from the parameter-file schema");
    }
}

#[test]
fn invalid_actions_change_nothing() {
    let mut env = FlowEnv::new(FlowConfig::default()).unwrap();
    env.reset(3);
    let before = env.snapshot();
    assert_eq!(env.step(&Action::Discrete(24)).unwrap_err().field, "action");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn worlds_round_trip_and_the_paper_world_is_refused() {
    let mut config = ScenarioConfig::default_for(ScenarioId::Flow);
    let e = config.use_paper_world().unwrap_err().within("--world");
    assert!(e.field == "--world" && e.problem.contains("no fixed world"), "{e}");
    let drawn = config.world_params_json().unwrap();
    config.set_world_json(&drawn).unwrap();
    assert!(config.has_fixed_world());
    assert_eq!(config.world_params_json().unwrap(), drawn);
    let default = ScenarioConfig::default_for(ScenarioId::Flow).build().unwrap();
    assert_eq!(config.build().unwrap().observation(), default.observation());
}

#[test]
fn snapshot_shows_gateways_queues_and_the_decision() {
    let mut env = FlowEnv::new(FlowConfig::default()).unwrap();
    env.reset(2);
    let Snapshot::Flow(s) = env.snapshot() else { panic!("flow snapshot") };
    let pending = s.pending.unwrap();
    assert_eq!((pending.index, s.gateways.len(), s.decided), (0, 8, 0));
    let class = usize::from(pending.priority);
    env.step(&act(3, class)).unwrap();
    let Snapshot::Flow(s) = env.snapshot() else { panic!("flow snapshot") };
    let last = s.last.unwrap();
    assert_eq!((last.flow, last.gateway, usize::from(last.class)), (0, 3, class));
    let json = serde_json::to_value(env.snapshot()).unwrap();
    assert_eq!(json["scenario"], "flow");
    assert_eq!(json["gateways"][3]["queue_mbit"].as_array().unwrap().len(), 3);
    assert!(json["pending"]["kind"].is_string());
}

fn trajectory(config: &FlowConfig, episode_seed: u64, policy: &str) -> (Vec<f64>, Vec<Vec<f32>>) {
    crate::scenario::testing::trajectory(&mut FlowEnv::new(config.clone()).unwrap(), policy, episode_seed)
}

#[test]
fn same_seeds_same_trajectory_other_seeds_other_trajectory() {
    let config = FlowConfig { slots: 300, ..FlowConfig::default() };
    let a = trajectory(&config, 5, "random");
    assert_eq!(a, trajectory(&config, 5, "random"));
    assert_ne!(a.0, trajectory(&config, 6, "random").0);
    let other_world = FlowConfig { world_seed: 1, ..config.clone() };
    assert_ne!(a.0, trajectory(&other_world, 5, "random").0);
    let mut env = FlowEnv::new(config.clone()).unwrap();
    run_heuristic_episode(&mut env, "edf", 9).unwrap();
    let again = run_heuristic_episode(&mut env, "edf", 9).unwrap();
    assert_eq!(again, run_heuristic_episode(&mut FlowEnv::new(config).unwrap(), "edf", 9).unwrap());
}

/// The acceptance check: `least_loaded` completes more flows within their deadline than `round_robin`
/// (4 drawn worlds × 3 episodes).
#[test]
fn least_loaded_completes_more_than_round_robin() {
    let mean_completion = |policy: &str| {
        let mut sum = 0.0;
        for world_seed in 0..4 {
            let mut env = FlowEnv::new(FlowConfig { world_seed, ..FlowConfig::default() }).unwrap();
            for seed in 0..3 {
                sum += run_heuristic_episode(&mut env, policy, seed).unwrap().metrics.get("completion_rate").unwrap();
            }
        }
        sum / 12.0
    };
    let (least, rr) = (mean_completion("least_loaded"), mean_completion("round_robin"));
    assert!(least > rr + 0.05, "least_loaded {least} vs round_robin {rr}");
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use crate::params::fuzz;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// A config file with random edits is read or refused with a message; never a panic.
        #[test]
        fn mutated_config_never_panics(edits in fuzz::edits()) {
            let text = fuzz::apply(&serde_json::to_string_pretty(&FlowConfig::default()).unwrap(), &edits);
            match ScenarioConfig::from_json(ScenarioId::Flow, &text) {
                Ok(config) => prop_assert!(config.validate().is_ok()),
                Err(e) => prop_assert!(e.field.starts_with("config") && !e.problem.is_empty()),
            }
        }

        /// Under any actions: finite observations, no negative bandwidth or queue, every decided flow
        /// accounted for (unsent on exactly one gateway and class, or sent), the clock never going back and
        /// no event left in the past.
        #[test]
        fn bandwidth_queues_and_time(world_seed in 0u64..1000, episode_seed in any::<u64>(), gateways in 1u32..6,
                                     actions in proptest::collection::vec(0usize..18, 1..200)) {
            let config = FlowConfig { world_seed, gateways, slots: 200, emit_probability: 0.002, ..FlowConfig::default() };
            let mut env = FlowEnv::new(config).unwrap();
            env.reset(episode_seed);
            let n = CLASSES * gateways as usize;
            let mut reward_sum = 0.0;
            let mut clock = env.now_s();
            for &a in actions.iter().cycle().take(env.flows_total()) {
                let step = env.step(&Action::Discrete(a % n)).unwrap();
                prop_assert!(step.reward.is_finite());
                reward_sum += step.reward;
                prop_assert!(env.now_s() >= clock);
                clock = env.now_s();
                prop_assert!(env.events.iter().all(|Reverse(e)| e.time_s > env.now_s() || env.is_done()));
                prop_assert!(env.observation().iter().all(|x| x.is_finite() && *x >= 0.0));
                prop_assert!(env.held_mbit_s.iter().all(|&h| h >= 0.0));
                prop_assert!(env.queue_mbit.iter().flatten().all(|&q| q >= 0.0));
                let unsent: u32 = env.queued.iter().flatten().sum();
                let sending: u32 = env.transmitting.iter().sum();
                prop_assert!(sending <= unsent && unsent as usize <= env.next);
                prop_assert!(env.active as usize <= env.next - unsent as usize);
                // Each unsent flow is queued where it was placed.
                let mut expected = vec![[0u32; CLASSES]; gateways as usize];
                for Reverse(e) in env.events.iter().filter(|Reverse(e)| e.kind == EventKind::EndTransmission) {
                    let p = env.placements[e.flow as usize];
                    expected[p.gateway as usize][usize::from(p.class) - 1] += 1;
                }
                prop_assert_eq!(&expected, &env.queued);
                let t = env.totals();
                prop_assert_eq!(t.decided.iter().sum::<u32>() as usize, env.next);
                prop_assert!(t.completed.iter().zip(&t.decided).all(|(c, d)| c <= d));
            }
            prop_assert!(env.is_done());
            prop_assert!((reward_sum - env.totals().total_reward).abs() < 1e-9 * reward_sum.abs().max(1.0));
            prop_assert!(env.metrics().0.iter().all(|(_, v)| v.is_finite()));
        }
    }
}

#[test]
fn observations_stay_in_the_observation_space() {
    use crate::scenario::testing::assert_observations_in_space;
    // Two slow gateways and many flows: queues of many seconds, floors and over-capacity.
    let saturated = FlowConfig {
        gateways: 2,
        gateway_capacity_mbit_s: Uniform::new(1.0, 5.0),
        slots: 200,
        emit_probability: 0.01,
        world_seed: 4,
        ..FlowConfig::default()
    };
    let configs =
        [FlowConfig::default(), FlowConfig { world_seed: 9, gateways: 1, ..FlowConfig::default() }, saturated];
    for observation in [FlowObservation::Paper, FlowObservation::Queues] {
        for config in &configs {
            let config = FlowConfig { observation, ..config.clone() };
            assert_observations_in_space(&mut FlowEnv::new(config).unwrap(), &[0, 1]);
        }
    }
}
