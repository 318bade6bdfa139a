use super::*;
use crate::rng::Stream;
use crate::scenario::{ScenarioConfig, run_heuristic_episode};

fn server(capacity_ghz: f64, link_rate_mbit_s: f64) -> Server {
    Server { capacity_ghz, link_rate_mbit_s }
}

fn profile(rho: f64, z: u32, result_size_mbit: f64) -> TaskProfile {
    TaskProfile { compute_density_gcycles_per_step: rho, quality_steps: z, result_size_mbit }
}

fn world(servers: Vec<Server>, per_index: Vec<TaskProfile>) -> LadParams {
    LadParams { schema: LadParams::SCHEMA.to_owned(), source: None, servers, per_index }
}

/// An environment on a fixed world whose episode is the given `(slot, source, index, size_mbit)` list,
/// with `slots − 1` decision slots and `N_max` = the world's per-index count.
fn built(servers: Vec<Server>, per_index: Vec<TaskProfile>, slots: u32, tasks: &[(u32, u32, u32, f64)]) -> LadEnv {
    let n_max = per_index.len() as u32;
    let config = LadConfig {
        world: Some(world(servers, per_index)),
        slots,
        tasks_per_slot: IntRange::new(1, n_max),
        observation: LadObservation::Raw,
        ..LadConfig::default()
    };
    let mut env = LadEnv::new(config).unwrap();
    env.tasks = tasks
        .iter()
        .map(|&(slot, source, index, size_mbit)| Task {
            slot,
            source,
            index,
            size_mbit,
            profile: env.per_index[index as usize],
        })
        .collect();
    env.write_observation();
    env
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn delay_on_server_versus_offloaded() {
    // Server 0: 10 GHz, 400 Mbit/s; server 1: 20 GHz, 500 Mbit/s. Task index 0: ρ·z = 0.2·5 = 1 Gcycle,
    // result 0.8 Mbit.
    let mut env = built(
        vec![server(10.0, 400.0), server(20.0, 500.0)],
        vec![profile(0.2, 5, 0.8)],
        2,
        &[(0, 0, 0, 4.0), (0, 1, 0, 2.0)],
    );
    // At its own server: wait 0, compute 1/10 = 0.1, transfer only the result 0.8/400 = 0.002.
    let local = env.delay_if(0).unwrap();
    assert!(close(local.wait_s, 0.0) && close(local.compute_s, 0.1) && close(local.transfer_s, 0.002));
    assert!(close(local.total_s(), 0.102));
    // Off-loaded to server 1: compute 1/20 = 0.05, transfer input and result 4/500 + 0.8/500 = 0.0096.
    let away = env.delay_if(1).unwrap();
    assert!(close(away.compute_s, 0.05) && close(away.transfer_s, 0.0096));
    assert!(close(away.total_s(), 0.0596));
    let step = env.step(&Action::Discrete(1)).unwrap();
    assert!(close(step.reward, -0.0596));
    assert!(close(env.slot_work_gcycles()[1], 1.0));
    // The second task comes from base station 1: local is now server 1, which waits (0 + 1)/20 = 0.05 for
    // the first task; total 0.05 + 0.05 + 0.8/500 = 0.1016. Server 0 is now the off-load target:
    // 0 + 0.1 + 2/400 + 0.8/400 = 0.107.
    assert!(close(env.delay_if(1).unwrap().total_s(), 0.1016));
    assert!(close(env.delay_if(0).unwrap().total_s(), 0.107));
    let step = env.step(&Action::Discrete(0)).unwrap();
    assert!(close(step.reward, -0.107) && step.terminated);
    let m = env.metrics();
    assert!(close(m.get("mean_delay_s").unwrap(), (0.0596 + 0.107) / 2.0));
    assert_eq!(m.get("offloaded_rate"), Some(1.0));
    assert_eq!(m.get("tasks"), Some(2.0));
}

#[test]
fn end_of_slot_queue_update() {
    // Works: index 0 → 1.0·6 = 6, index 1 → 1.5·4 = 6, index 2 → 0.5·10 = 5 Gcycles.
    let per_index = vec![profile(1.0, 6, 0.8), profile(1.5, 4, 0.8), profile(0.5, 10, 0.8)];
    let tasks = [(0, 0, 0, 3.0), (0, 0, 1, 3.0), (0, 0, 2, 3.0), (1, 1, 0, 2.0), (1, 1, 1, 2.0)];
    let mut env = built(vec![server(10.0, 400.0), server(20.0, 500.0)], per_index, 3, &tasks);
    env.step(&Action::Discrete(0)).unwrap();
    // P grows during the slot but the observation shows Q_t, the backlog at the slot's start.
    assert_eq!(env.slot_work_gcycles(), &[6.0, 0.0]);
    assert_eq!(&env.observation()[2..], &[0.0, 0.0]);
    env.step(&Action::Discrete(0)).unwrap();
    // The third task waits behind 12 Gcycles on server 0: 12/10 = 1.2 s.
    assert!(close(env.delay_if(0).unwrap().wait_s, 1.2));
    env.step(&Action::Discrete(1)).unwrap();
    // End of slot 0: Q[0] = max(0 + 12 − 10·1, 0) = 2, Q[1] = max(0 + 5 − 20, 0) = 0; P starts afresh.
    assert_eq!(env.backlog_gcycles(), &[2.0, 0.0]);
    assert_eq!(env.slot_work_gcycles(), &[0.0, 0.0]);
    assert_eq!(env.observation(), &[2.0, 6.0, 2.0, 0.0]);
    // Slot 1: waiting on server 0 is (2 + 0)/10 = 0.2 s; the task is off-loaded from base station 1, so
    // 0.2 + 6/10 + 2/400 + 0.8/400 = 0.807.
    let step = env.step(&Action::Discrete(0)).unwrap();
    assert!(close(step.reward, -0.807));
    // Now (2 + 6)/10 = 0.8 s of waiting there.
    assert!(close(env.delay_if(0).unwrap().wait_s, 0.8));
    env.step(&Action::Discrete(0)).unwrap();
    // End of slot 1 (the episode's last): Q[0] = max(2 + 12 − 10, 0) = 4.
    assert!(env.is_done());
    assert_eq!(env.backlog_gcycles(), &[4.0, 0.0]);
    // Loads over the 2 slots: server 0 got 24 of 2·10, server 1 got 5 of 2·20.
    let m = env.metrics();
    assert_eq!((m.get("load_max"), m.get("load_min")), (Some(1.2), Some(0.125)));
    assert!(close(m.get("load_mean").unwrap(), (1.2 + 0.125) / 2.0));
    assert!(env.step(&Action::Discrete(0)).unwrap_err().problem.contains("ended"));
}

#[test]
fn p95_is_the_nearest_rank_percentile() {
    let tasks: Vec<(u32, u32, u32, f64)> = (0..20).map(|n| (0, 0, n, 1.0)).collect();
    let per_index: Vec<TaskProfile> = (0..20).map(|_| profile(1.0, 1, 0.0)).collect();
    // All on one 1 GHz server: task k waits k seconds and computes 1, so delays are 1, 2, …, 20.
    let mut env = built(vec![server(1.0, 100.0)], per_index, 2, &tasks);
    while !env.is_done() {
        env.step(&Action::Discrete(0)).unwrap();
    }
    let m = env.metrics();
    assert_eq!(m.get("p95_delay_s"), Some(19.0)); // rank ⌈0.95·20⌉ = 19
    assert_eq!(m.get("mean_delay_s"), Some(10.5));
}

#[test]
fn decision_keys_and_agent_modes() {
    let per_index = vec![profile(0.2, 1, 0.6); 3];
    let tasks = [(0, 0, 0, 2.0), (0, 1, 0, 2.0), (0, 1, 1, 2.0), (1, 0, 0, 2.0), (1, 1, 2, 2.0)];
    let mut env = built(vec![server(10.0, 400.0), server(10.0, 400.0)], per_index, 3, &tasks);
    assert_eq!((env.agents(), env.positions()), (2, 2 * 2 * 3));
    // position = (t·B + b)·N_max + n
    let mut keys = Vec::new();
    while !env.is_done() {
        keys.push(env.decision_key());
        env.step(&Action::Discrete(0)).unwrap();
    }
    let expected = [(0, 0), (1, 3), (1, 4), (0, 6), (1, 11)].map(|(agent, position)| DecisionKey { agent, position });
    assert_eq!(keys, expected);
    let shared = LadEnv::new(LadConfig { agent_mode: AgentMode::Shared, ..LadConfig::default() }).unwrap();
    assert_eq!((shared.agents(), shared.decision_key().agent), (1, 0));
    let paper = LadEnv::new(LadConfig { observation: LadObservation::Raw, ..LadConfig::default() }).unwrap();
    assert_eq!((paper.agents(), paper.positions(), paper.observation_space().dim()), (20, 59 * 20 * 50, 22));
    assert_eq!(LadEnv::new(LadConfig::default()).unwrap().observation_space().dim(), 2 * 20 + 4);
    assert_eq!(paper.action_space(), ActionSpace::Discrete { n: 20 });
}

#[test]
fn heuristics_choose_as_specified() {
    let per_index = vec![profile(1.0, 4, 0.5), profile(1.0, 4, 0.5)];
    // Server 2 is fast but far (slow link); server 1 is loaded by the first decision.
    let servers = vec![server(10.0, 400.0), server(40.0, 400.0), server(50.0, 1.0)];
    let mut env = built(servers, per_index, 2, &[(0, 0, 0, 4.0), (0, 0, 1, 4.0)]);
    let pick = |env: &LadEnv, name: &str| {
        let mut state = HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions: 1 };
        env.heuristic_action(env.heuristic_index(name).unwrap(), &mut state)
    };
    assert_eq!(pick(&env, "local"), Action::Discrete(0));
    assert_eq!(pick(&env, "round_robin"), Action::Discrete(1)); // decisions = 1
    // All queues empty: least_loaded takes the first of the ties.
    assert_eq!(pick(&env, "least_loaded"), Action::Discrete(0));
    // opt: server 0: 4/10 + 0.5/400 = 0.40125; server 1: 4/40 + 4.5/400 = 0.11125; server 2: 0.08 + 4.5 s.
    assert_eq!(pick(&env, "opt"), Action::Discrete(1));
    env.step(&Action::Discrete(1)).unwrap();
    // Now server 1 waits 4/40 = 0.1 s, the others 0: least_loaded takes server 0; opt still server 1
    // (0.21125 < 0.40125).
    assert_eq!(pick(&env, "least_loaded"), Action::Discrete(0));
    assert_eq!(pick(&env, "opt"), Action::Discrete(1));
    let Action::Discrete(r) = pick(&env, "random") else { panic!("discrete") };
    assert!(r < 3);
    assert!(env.heuristic_index("greedy").unwrap_err().problem.contains("least_loaded"));
}

#[test]
fn episode_follows_the_decision_order_and_ranges() {
    let mut env = LadEnv::new(LadConfig::default()).unwrap();
    env.reset(4);
    // Tasks of one (slot, station) are contiguous, numbered from 0, 1..=50 of them, stations in order
    // within a slot, slots 0..59.
    let groups: Vec<&[Task]> = env.tasks.chunk_by(|a, b| (a.slot, a.source) == (b.slot, b.source)).collect();
    assert_eq!(groups.len(), 59 * 20);
    for (k, group) in groups.iter().enumerate() {
        assert_eq!((group[0].slot, group[0].source), ((k / 20) as u32, (k % 20) as u32));
        assert!((1..=50).contains(&group.len()));
        assert!(group.iter().enumerate().all(|(n, t)| t.index == n as u32));
    }
    for t in &env.tasks {
        assert!((2.0..5.0).contains(&t.size_mbit));
        assert_eq!(t.profile, env.per_index[t.index as usize]);
    }
    // Per-task attributes: fresh draws within the ranges.
    let mut env = LadEnv::new(LadConfig { task_attributes: TaskAttributes::PerTask, ..LadConfig::default() }).unwrap();
    env.reset(4);
    let firsts: Vec<TaskProfile> = env.tasks.iter().filter(|t| t.index == 0).map(|t| t.profile).collect();
    assert!(firsts.windows(2).any(|w| w[0] != w[1]));
    for t in &env.tasks {
        let p = t.profile;
        assert!((0.1024..0.3072).contains(&p.compute_density_gcycles_per_step));
        assert!((1..=14).contains(&p.quality_steps) && (0.6..1.0).contains(&p.result_size_mbit));
    }
}

/// Servers of 10 and 40 GHz, three slots, and three tasks of ρz = 2.1504 Gcycles (the largest possible):
/// two in slot 0 (base stations 0 and 1), one in slot 1; observed as `observation` says.
fn two_servers(observation: LadObservation) -> LadEnv {
    let per_index = vec![profile(0.3072, 7, 0.6)];
    let config = LadConfig {
        world: Some(world(vec![server(10.0, 400.0), server(40.0, 400.0)], per_index)),
        slots: 3,
        tasks_per_slot: IntRange::new(1, 1),
        observation,
        ..LadConfig::default()
    };
    let mut env = LadEnv::new(config).unwrap();
    env.tasks = vec![
        Task { slot: 0, source: 0, index: 0, size_mbit: 2.5, profile: env.per_index[0] },
        Task { slot: 0, source: 1, index: 0, size_mbit: 2.5, profile: env.per_index[0] },
        Task { slot: 1, source: 0, index: 0, size_mbit: 4.0, profile: env.per_index[0] },
    ];
    env.write_observation();
    env
}

#[test]
fn normalized_observation_is_scaled() {
    let mut env = two_servers(LadObservation::Normalized);
    // d / 5, ρz / (0.3072·14) = 0.5, queues empty.
    assert_eq!(env.observation(), &[0.5, 0.5, 0.0, 0.0]);
    // Load server 0 by hand with 30 Gcycles this slot (the task itself brings only 2.1504).
    env.step(&Action::Discrete(0)).unwrap();
    env.slot_work_gcycles[0] = 30.0;
    env.step(&Action::Discrete(1)).unwrap();
    // Q[0] = 30 − 10 = 20 → 20 / (10·1) = 2 slots of work; Q[1] = max(2.1504 − 40, 0) = 0.
    assert_eq!(env.observation(), &[0.8, 0.5, 2.0, 0.0]);
}

#[test]
fn load_observation_shows_the_current_waits() {
    let mut env = two_servers(LadObservation::Load);
    // [d / 5, ρz / (0.3072·14)], waits above the least (both 0), least / (3 slots), base station 0, slot 0.
    assert_eq!(env.observation(), &[0.5, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    // Within the slot, server 0 now holds 2.1504 Gcycles: a wait of 0.21504 s, shown at once (the raw
    // observation would still show the slot's start).
    env.step(&Action::Discrete(0)).unwrap();
    assert_eq!(env.observation(), &[0.5, 0.5, 0.21504, 0.0, 0.0, 0.0, 1.0, 0.0]);
    env.slot_work_gcycles[0] = 30.0;
    env.step(&Action::Discrete(1)).unwrap();
    // Slot 1: Q[0] = 30 − 10 = 20 Gcycles, a wait of 2 s; server 1 has drained: least 0; slot 1 of 3.
    let obs = env.observation();
    assert_eq!(&obs[..6], &[0.8, 0.5, 2.0, 0.0, 0.0, 1.0]);
    assert!((obs[7] - 1.0 / 3.0).abs() < 1e-7);
}

#[test]
fn config_errors_name_the_field() {
    let bad = |f: fn(&mut LadConfig)| {
        let mut c = LadConfig::default();
        f(&mut c);
        c.validate().unwrap_err()
    };
    assert_eq!(bad(|c| c.servers = 0).field, "servers");
    assert_eq!(bad(|c| c.capacity_ghz = IntRange::new(50, 10)).field, "capacity_ghz.max");
    assert_eq!(bad(|c| c.slots = 1).field, "slots");
    assert_eq!(bad(|c| c.slot_s = f64::NAN).field, "slot_s");
    assert_eq!(bad(|c| c.tasks_per_slot.min = 0).field, "tasks_per_slot.min");
    assert_eq!(bad(|c| c.compute_density_gcycles_per_step.min = 0.0).field, "compute_density_gcycles_per_step.min");
    assert_eq!(bad(|c| c.task_size_mbit.max = f64::INFINITY).field, "task_size_mbit.max");
    assert!(bad(|c| c.slots = 100_000).problem.contains("decision positions"));
    let e = bad(|c| {
        c.world = Some(LadParams::paper());
        c.tasks_per_slot.max = 70;
    });
    assert_eq!(e.to_string(), "tasks_per_slot.max: is 70, but world.per_index describes only 50 task indices");
    // With fresh draws per task the world's per-index list may be shorter.
    let mut ok =
        LadConfig { world: Some(LadParams::paper()), task_attributes: TaskAttributes::PerTask, ..LadConfig::default() };
    ok.tasks_per_slot.max = 70;
    ok.validate().unwrap();
    let e = bad(|c| {
        let mut w = LadParams::paper();
        w.servers[3].capacity_ghz = 0.0;
        c.world = Some(w);
    });
    assert_eq!(e.field, "world.servers[3].capacity_ghz");
    let e = ScenarioConfig::from_json(ScenarioId::Lad, r#"{"agent_mode": "central"}"#).unwrap_err();
    assert!(e.field == "config.agent_mode" && e.problem.contains("per_server"), "{e}");
    let e = ScenarioConfig::from_json(ScenarioId::Lad, r#"{"tasks_per_slot": {"min": 1, "max": 0}}"#).unwrap_err();
    assert_eq!(e.field, "config.tasks_per_slot.max");
    let e = ScenarioConfig::from_json(ScenarioId::Lad, r#"{"servrs": 3}"#).unwrap_err();
    assert!(e.problem.contains("servrs"), "{e}");
}

/// A parameter file that passes alone but not with the config it is set on (fewer task indices than
/// `tasks_per_slot.max`) is refused where it is set, not later by `build` (issue 11, class 6: `params check`
/// accepted the file that `eval --world` then refused).
#[test]
fn a_world_is_checked_with_its_config_where_it_is_set() {
    let mut config = ScenarioConfig::default_for(ScenarioId::Lad);
    let few = world(vec![server(10.0, 400.0)], vec![profile(1.0, 6, 0.8); 3]);
    let e = config.set_world_json(&crate::params::to_json(&few)).unwrap_err();
    assert_eq!(e.field, "config.tasks_per_slot.max");
    assert!(e.problem.contains("3 task indices"), "{e}");
    assert_eq!(config, ScenarioConfig::default_for(ScenarioId::Lad), "a refused world changes nothing");
}

#[test]
fn config_json_round_trips_and_schemas_name_the_fields() {
    let config = LadConfig::default();
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(ScenarioConfig::from_json(ScenarioId::Lad, &json).unwrap(), ScenarioConfig::Lad(config));
    let schema = ScenarioConfig::config_schema(ScenarioId::Lad).to_string();
    for field in ["agent_mode", "task_attributes", "observation", "tasks_per_slot"] {
        assert!(schema.contains(field), "{field} missing from the config schema");
    }
    let schema = ScenarioConfig::params_schema(ScenarioId::Lad).unwrap().to_string();
    for field in ["servers", "per_index", "capacity_ghz"] {
        assert!(schema.contains(field), "{field} missing from the parameter-file schema");
    }
}

#[test]
fn invalid_actions_change_nothing() {
    let mut env = LadEnv::new(LadConfig::default()).unwrap();
    env.reset(3);
    let before = env.snapshot();
    assert_eq!(env.step(&Action::Discrete(20)).unwrap_err().field, "action");
    assert_eq!(env.step(&Action::Vector(vec![0.0])).unwrap_err().field, "action");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn paper_world_is_selectable_and_round_trips() {
    let mut config = ScenarioConfig::default_for(ScenarioId::Lad);
    config.use_paper_world().unwrap();
    assert!(config.has_fixed_world());
    let text = config.world_params_json().unwrap();
    assert_eq!(crate::params::parse::<LadParams>(&text).unwrap(), LadParams::paper());
    // A drawn world downloads and uploads losslessly too.
    let drawn = ScenarioConfig::default_for(ScenarioId::Lad).world_params_json().unwrap();
    let mut other = ScenarioConfig::default_for(ScenarioId::Lad);
    other.set_world_json(&drawn).unwrap();
    assert_eq!(other.world_params_json().unwrap(), drawn);
    assert_eq!(
        other.build().unwrap().observation(),
        ScenarioConfig::default_for(ScenarioId::Lad).build().unwrap().observation()
    );
}

#[test]
fn snapshot_shows_source_destination_and_queues() {
    let mut env = LadEnv::new(LadConfig { world: Some(LadParams::paper()), ..LadConfig::default() }).unwrap();
    env.reset(1);
    env.step(&Action::Discrete(5)).unwrap();
    let Snapshot::Lad(s) = env.snapshot() else { panic!("lad snapshot") };
    let last = s.last.unwrap();
    assert_eq!((last.source, last.destination, last.slot), (0, 5, 0));
    assert!(close(s.servers[5].slot_work_gcycles, LadParams::paper().per_index[0].work_gcycles()));
    assert_eq!(s.servers[5].slot_tasks, 1);
    let pending = s.pending.unwrap();
    assert_eq!(pending.key, env.decision_key());
    assert_eq!((s.decided, s.servers.len()), (1, 20));
    let json = serde_json::to_value(env.snapshot()).unwrap();
    assert_eq!(json["scenario"], "lad");
    assert!(json["servers"][5]["queue_s"].as_f64().unwrap() > 0.0);
}

fn trajectory(config: &LadConfig, episode_seed: u64, policy: &str) -> (Vec<f64>, Vec<Vec<f32>>) {
    crate::scenario::testing::trajectory(&mut LadEnv::new(config.clone()).unwrap(), policy, episode_seed)
}

#[test]
fn same_seeds_same_trajectory_other_seeds_other_trajectory() {
    let config = LadConfig { slots: 8, ..LadConfig::default() };
    let a = trajectory(&config, 5, "random");
    assert_eq!(a, trajectory(&config, 5, "random"));
    assert_ne!(a.0, trajectory(&config, 6, "random").0);
    let other_world = LadConfig { world_seed: 1, ..config.clone() };
    assert_ne!(a.0, trajectory(&other_world, 5, "random").0);
    // Resetting reuses the environment without carrying anything over.
    let mut env = LadEnv::new(config.clone()).unwrap();
    run_heuristic_episode(&mut env, "opt", 9).unwrap();
    let again = run_heuristic_episode(&mut env, "opt", 9).unwrap();
    assert_eq!(again, run_heuristic_episode(&mut LadEnv::new(config).unwrap(), "opt", 9).unwrap());
}

/// The acceptance figures on the paper's world (fixture README: opt ≈ 7.8 s, local ≈ 17.4, random ≈ 16.9
/// on the reference environment over 5 episodes).
#[test]
fn paper_world_mean_delays() {
    let config = LadConfig { world: Some(LadParams::paper()), ..LadConfig::default() };
    let mut env = LadEnv::new(config).unwrap();
    for (policy, lo, hi) in [("opt", 7.0, 8.6), ("local", 15.5, 19.5), ("random", 15.0, 19.0)] {
        let mean = (0..5)
            .map(|seed| run_heuristic_episode(&mut env, policy, seed).unwrap().metrics.get("mean_delay_s").unwrap())
            .sum::<f64>()
            / 5.0;
        assert!((lo..=hi).contains(&mean), "{policy}: {mean} not in {lo}..{hi}");
    }
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
            let text = fuzz::apply(&serde_json::to_string_pretty(&LadConfig::default()).unwrap(), &edits);
            match ScenarioConfig::from_json(ScenarioId::Lad, &text) {
                Ok(config) => prop_assert!(config.validate().is_ok()),
                Err(e) => prop_assert!(e.field.starts_with("config") && !e.problem.is_empty()),
            }
        }

        /// Under any actions: observations and delays finite, queues never negative, every decided task's
        /// work accounted for on exactly one server, time never going back, rewards summing to the total.
        #[test]
        fn queues_work_and_time(world_seed in 0u64..1000, episode_seed in any::<u64>(), servers in 1u32..7,
                                max_tasks in 1u32..12, per_task in any::<bool>(), observation in 0usize..3,
                                actions in proptest::collection::vec(0usize..7, 1..200)) {
            let config = LadConfig {
                world_seed,
                servers,
                slots: 7,
                tasks_per_slot: IntRange::new(1, max_tasks),
                task_attributes: if per_task { TaskAttributes::PerTask } else { TaskAttributes::PerIndex },
                observation: [LadObservation::Raw, LadObservation::Normalized, LadObservation::Load][observation],
                ..LadConfig::default()
            };
            let mut env = LadEnv::new(config).unwrap();
            env.reset(episode_seed);
            let b = servers as usize;
            let (mut reward_sum, mut work_sum) = (0.0, 0.0);
            let mut last_position = None;
            for &a in actions.iter().cycle().take(env.tasks_total()) {
                let key = env.decision_key();
                prop_assert!(key.agent < env.agents() && key.position < env.positions());
                prop_assert!(last_position.is_none_or(|p| key.position > p));
                last_position = Some(key.position);
                work_sum += env.tasks[env.next].profile.work_gcycles();
                let step = env.step(&Action::Discrete(a % b)).unwrap();
                prop_assert!(step.reward.is_finite() && step.reward < 0.0);
                reward_sum += step.reward;
                prop_assert!(env.observation().iter().all(|x| x.is_finite() && *x >= 0.0));
                prop_assert!(env.backlog_gcycles().iter().chain(env.slot_work_gcycles()).all(|&q| q >= 0.0));
                prop_assert_eq!(env.total_tasks.iter().sum::<u32>() as usize, env.next);
                let assigned: f64 = env.total_work_gcycles.iter().sum();
                prop_assert!((assigned - work_sum).abs() <= 1e-9 * work_sum.max(1.0));
                // A backlog is work assigned and not yet served: never more than was assigned.
                for j in 0..b {
                    prop_assert!(env.backlog_gcycles()[j] <= env.total_work_gcycles[j] + 1e-9);
                }
            }
            prop_assert!(env.is_done());
            prop_assert!((reward_sum - env.totals().total_reward).abs() < 1e-9 * reward_sum.abs().max(1.0));
            let m = env.metrics();
            prop_assert!(m.0.iter().all(|(_, v)| v.is_finite()));
            let lo = env.delays_s().iter().copied().fold(f64::INFINITY, f64::min);
            let hi = env.delays_s().iter().copied().fold(0.0, f64::max);
            for name in ["mean_delay_s", "p95_delay_s"] {
                let v = m.get(name).unwrap();
                // The mean is a rounded sum: allow it an ulp or so beyond the extremes.
                prop_assert!(lo * (1.0 - 1e-12) <= v && v <= hi * (1.0 + 1e-12), "{} = {} outside {}..{}", name, v, lo, hi);
            }
        }
    }
}

#[test]
fn observations_stay_in_the_observation_space() {
    use crate::scenario::testing::assert_observations_in_space;
    // Few, slow servers and many tasks: queues build up over the whole episode.
    let crowded = LadConfig {
        servers: 3,
        capacity_ghz: IntRange::new(1, 4),
        slots: 6,
        slot_s: 0.5,
        tasks_per_slot: IntRange::new(20, 80),
        ..LadConfig::default()
    };
    let configs = [
        LadConfig::default(),
        LadConfig { world: Some(LadParams::paper()), ..LadConfig::default() },
        LadConfig { world_seed: 5, ..crowded.clone() },
        LadConfig { task_attributes: TaskAttributes::PerTask, agent_mode: AgentMode::Shared, ..crowded },
    ];
    for observation in [LadObservation::Raw, LadObservation::Normalized, LadObservation::Load] {
        for config in &configs {
            let config = LadConfig { observation, ..config.clone() };
            assert_observations_in_space(&mut LadEnv::new(config).unwrap(), &[0, 1]);
        }
    }
}
