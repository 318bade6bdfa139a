use super::*;
use crate::scenario::{Heuristic, run_heuristic_episode};

fn provider(capacity_steps: u32, a_x: f64, a_y: f64, b_x: f64, b_y: f64) -> Provider {
    Provider { capacity_steps, a_x, a_y, b_x, b_y }
}

/// An environment on a fixed world whose episode is the given `(arrival_s, steps)` list.
fn built(providers: Vec<Provider>, tasks: &[(f64, u32)]) -> AspEnv {
    let world = AspParams { schema: AspParams::SCHEMA.to_owned(), source: None, providers };
    let mut env = AspEnv::new(AspConfig { world: Some(world), ..AspConfig::default() }).unwrap();
    env.tasks = tasks
        .iter()
        .map(|&(arrival_s, steps)| Task {
            arrival_s,
            steps,
            runtime_s: runtime_s(f64::from(steps)),
            provider: u32::MAX,
            state: TaskState::Pending,
        })
        .collect();
    env.now_s = tasks[0].0;
    env.write_observation();
    env
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn utility_curve_has_three_pieces() {
    let p = provider(500, 40.0, 0.1, 200.0, 0.9);
    assert_eq!(p.utility(30.0), 0.0); // below a_x
    assert_eq!(p.utility(40.0), 0.0); // the ramp starts at 0, not at a_y
    assert!(close(p.utility(120.0), 0.4)); // 0.8 / 160 · 80
    assert!(close(p.utility(200.0), 0.8)); // at b_x: b_y − a_y
    assert!(close(p.utility(250.0), 0.8)); // flat beyond b_x
}

#[test]
fn runtime_formula() {
    assert_eq!(runtime_s(100.0), 14_760.0); // 60 · (10 + 250 − 14)
    assert_eq!(runtime_s(150.0), 23_010.0); // 60 · (22.5 + 375 − 14)
    assert_eq!(runtime_s(250.0), 40_410.0); // 60 · (62.5 + 625 − 14)
}

#[test]
fn observation_layout_and_normalisation() {
    let env = built(vec![provider(900, 0.0, 0.0, 150.0, 0.5), provider(450, 0.0, 0.0, 150.0, 0.5)], &[(0.0, 125)]);
    let obs = env.observation();
    assert_eq!(obs.len(), 2 * 2 + 2);
    assert_eq!(&obs[..4], &[1.0, 1.0, 0.5, 1.0]);
    assert_eq!(obs[4], 0.5); // 125 / 250
    assert_eq!(obs[5], (runtime_s(125.0) / runtime_s(250.0)) as f32);
    assert_eq!(AspEnv::new(AspConfig::default()).unwrap().observation_space().dim(), 42);
}

#[test]
fn crash_penalty_on_a_built_state() {
    let p = provider(300, 0.0, 0.0, 200.0, 1.0);
    let mut env = built(vec![p, p], &[(0.0, 100), (1000.0, 150), (5000.0, 200), (6000.0, 100)]);
    let r1 = env.step(&Action::Discrete(0)).unwrap().reward;
    assert!(close(r1, 0.5)); // utility of 100 steps: 1.0 / 200 · 100
    env.step(&Action::Discrete(0)).unwrap();
    assert_eq!(env.available_steps(0), 50);
    // 200 steps do not fit into 50: provider 0 crashes at t = 5000 s, killing both tasks.
    let step = env.step(&Action::Discrete(0)).unwrap();
    let expected = -(2.0 + 2.0 * (1.0 - 5000.0 / 14_760.0) + 2.0 * (1.0 - 4000.0 / 23_010.0));
    assert!(close(step.reward, expected), "{} vs {expected}", step.reward);
    assert_eq!(env.available_steps(0), 300);
    let c = env.counters();
    assert_eq!((c.crashed, c.rejected, c.crash_events, c.running), (2, 1, 1, 0));
    assert!(close(c.lost_utility, 0.5 + 0.75));
    let states: Vec<TaskState> = env.task_states().collect();
    assert_eq!(states, [TaskState::Killed, TaskState::Killed, TaskState::Rejected, TaskState::Pending]);
}

#[test]
fn finished_tasks_are_released_in_time_order_at_arrival() {
    let p = provider(1000, 0.0, 0.0, 200.0, 1.0);
    // Task 0 (250 steps) finishes at 40410 s, task 1 (100 steps, arriving at 100 s) at 14860 s.
    let mut env = built(vec![p], &[(0.0, 250), (100.0, 100), (14_859.0, 100), (40_410.0, 100)]);
    env.step(&Action::Discrete(0)).unwrap();
    env.step(&Action::Discrete(0)).unwrap();
    // The clock is at 14859 s: task 1 needs one more second.
    assert_eq!(env.counters().finished, 0);
    assert_eq!(env.available_steps(0), 650);
    env.step(&Action::Discrete(0)).unwrap();
    // At 40410 s tasks 1 (14860 s), 2 (29619 s) and 0 (exactly 40410 s) have finished, in that order.
    assert_eq!(env.now_s(), 40_410.0);
    assert_eq!(env.released, vec![1, 2, 0]);
    assert_eq!(env.available_steps(0), 1000);
    let c = env.counters();
    assert_eq!((c.finished, c.running), (3, 0));
    assert!(close(c.obtained_utility, 1.0 + 0.5 + 0.5));
    // The last step terminates the episode; nothing more can be decided.
    let last = env.step(&Action::Discrete(0)).unwrap();
    assert!(last.terminated && env.is_done());
    assert!(env.step(&Action::Discrete(0)).unwrap_err().problem.contains("ended"));
}

#[test]
fn invalid_actions_change_nothing() {
    let mut env = AspEnv::new(AspConfig::default()).unwrap();
    env.reset(3);
    let before = env.snapshot();
    let err = env.step(&Action::Discrete(20)).unwrap_err();
    assert_eq!(err.field, "action");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn heuristics_choose_as_specified() {
    let providers = vec![
        provider(400, 0.0, 0.0, 150.0, 0.9), // best utility, little room
        provider(800, 0.0, 0.0, 150.0, 0.3), // most room
        provider(600, 0.0, 0.0, 150.0, 0.6),
    ];
    let mut env = built(providers, &[(0.0, 250), (1.0, 250), (2.0, 200), (3.0, 100)]);
    let ca = env.heuristic_index("crash_avoid").unwrap();
    let prophet = env.heuristic_index("prophet").unwrap();
    let mut state = HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions: 0 };
    assert_eq!(env.heuristic_action(ca, &mut state), Action::Discrete(1));
    assert_eq!(env.heuristic_action(prophet, &mut state), Action::Discrete(0));
    env.step(&Action::Discrete(0)).unwrap(); // provider 0 now has 150 free
    // 250 steps no longer fit on provider 0: prophet takes the best of the rest.
    assert_eq!(env.heuristic_action(prophet, &mut state), Action::Discrete(2));
    env.step(&Action::Discrete(2)).unwrap(); // provider 2: 350 free
    env.step(&Action::Discrete(1)).unwrap(); // provider 1: 600 free
    // Ties in room go to the lowest index (like numpy.argmax).
    let tie = provider(500, 0.0, 0.0, 150.0, 0.5);
    let env2 = built(vec![tie, tie], &[(0.0, 100)]);
    assert_eq!(env2.heuristic_action(ca, &mut state), Action::Discrete(0));
    // With room nowhere, prophet falls back to the most room.
    let full = built(vec![provider(100, 0.0, 0.0, 150.0, 0.9), provider(200, 0.0, 0.0, 150.0, 0.1)], &[(0.0, 250)]);
    assert_eq!(full.heuristic_action(prophet, &mut state), Action::Discrete(1));
    let rr = env.heuristic_index("round_robin").unwrap();
    let mut h = Heuristic { index: rr, state: HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions: 0 } };
    let picks: Vec<Action> = (0..4).map(|_| h.act(&env)).collect();
    assert_eq!(picks, [0, 1, 2, 0].map(Action::Discrete));
    assert!(env.heuristic_index("greedy").unwrap_err().problem.contains("crash_avoid"));
}

#[test]
fn config_errors_name_the_field() {
    let bad = |f: fn(&mut AspConfig)| {
        let mut c = AspConfig::default();
        f(&mut c);
        c.validate().unwrap_err()
    };
    assert_eq!(bad(|c| c.providers = 0).field, "providers");
    assert_eq!(bad(|c| c.arrival_rate_per_s = f64::NAN).field, "arrival_rate_per_s");
    assert_eq!(bad(|c| c.horizon_s = -1.0).field, "horizon_s");
    assert_eq!(bad(|c| c.b_x.min = 80.0).field, "b_x.min");
    assert_eq!(bad(|c| c.capacity_steps.step = 0.0).field, "capacity_steps.step");
    assert_eq!(bad(|c| c.task_steps.min = 10.5).field, "task_steps");
    assert_eq!(bad(|c| c.arrival_rate_per_s = 10.0).field, "arrival_rate_per_s");
    let mut world = AspParams::paper();
    world.providers[3].b_x = world.providers[3].a_x;
    assert_eq!(bad_world(world), "world.providers[3].b_x");
    let mut world = AspParams::paper();
    world.schema = "lad/v1".into();
    assert_eq!(bad_world(world), "world.schema");
}

fn bad_world(world: AspParams) -> String {
    AspConfig { world: Some(world), ..AspConfig::default() }.validate().unwrap_err().field
}

#[test]
fn grid_matches_numpy_arange_inclusive_of_max() {
    let g = Grid::new(0.0, 0.45, 0.05);
    assert_eq!(g.len(), 10);
    assert!(close(g.last(), 0.45));
    assert_eq!(Grid::new(400.0, 900.0, 100.0).len(), 6);
    assert_eq!(Grid::new(100.0, 250.0, 10.0).len(), 16);
}

#[test]
fn paper_world_is_the_fixture() {
    let world = AspParams::paper();
    world.validate().unwrap();
    assert_eq!(world.providers.len(), 20);
    assert_eq!(world.providers[3], provider(900, 0.0, 0.15, 170.0, 0.6));
}

fn trajectory(config: &AspConfig, episode_seed: u64, policy: &str) -> (Vec<f64>, Vec<Vec<f32>>) {
    crate::scenario::testing::trajectory(&mut AspEnv::new(config.clone()).unwrap(), policy, episode_seed)
}

#[test]
fn same_seeds_same_trajectory_other_seeds_other_trajectory() {
    let config = AspConfig { horizon_s: 2.0e5, ..AspConfig::default() };
    let a = trajectory(&config, 5, "random");
    assert_eq!(a, trajectory(&config, 5, "random"));
    assert_ne!(a.0, trajectory(&config, 6, "random").0);
    let other_world = AspConfig { world_seed: 1, ..config.clone() };
    assert_ne!(a.1[0], trajectory(&other_world, 5, "random").1[0]);
}

#[test]
fn episode_length_is_poisson_plus_one_and_first_arrival_is_zero() {
    let mut env = AspEnv::new(AspConfig::default()).unwrap();
    let mut total = 0usize;
    for seed in 0..20 {
        env.reset(seed);
        assert_eq!(env.tasks[0].arrival_s, 0.0);
        assert!(env.tasks.windows(2).all(|w| w[0].arrival_s <= w[1].arrival_s));
        assert!(env.tasks.iter().all(|t| t.arrival_s.fract() == 0.0 && t.arrival_s < 1.0e6));
        assert!(env.tasks.iter().all(|t| (100..=250).contains(&t.steps) && t.steps % 10 == 0));
        total += env.tasks.len();
    }
    let mean = total as f64 / 20.0;
    assert!((mean - 1001.0).abs() < 25.0, "mean tasks {mean}"); // sd of the mean ≈ 7
}

/// The acceptance figures of the heuristics over 12 drawn worlds × 4 episodes (see the README).
#[test]
fn heuristic_means_over_drawn_worlds() {
    let expected = [
        ("crash_avoid", 385.0, 430.0),
        ("prophet", 545.0, 610.0),
        ("round_robin", 200.0, 290.0),
        ("random", -170.0, -10.0),
    ];
    for (policy, lo, hi) in expected {
        let mut sum = 0.0;
        for world_seed in 0..12 {
            let mut env = AspEnv::new(AspConfig { world_seed, ..AspConfig::default() }).unwrap();
            for episode in 0..4 {
                sum += run_heuristic_episode(&mut env, policy, episode).unwrap().metrics.get("total_reward").unwrap();
            }
        }
        let mean = sum / 48.0;
        assert!((lo..=hi).contains(&mean), "{policy}: {mean} not in {lo}..{hi}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Under any actions: no provider is over capacity, every task is in exactly one state, and the
        /// counters agree with the task states.
        #[test]
        fn capacity_and_task_conservation(world_seed in 0u64..1000, episode_seed in any::<u64>(),
                                          actions in proptest::collection::vec(0usize..20, 1..400)) {
            let config = AspConfig { world_seed, horizon_s: 4.0e5, ..AspConfig::default() };
            let mut env = AspEnv::new(config).unwrap();
            env.reset(episode_seed);
            let mut reward_sum = 0.0;
            for &a in actions.iter().cycle().take(env.tasks.len()) {
                reward_sum += env.step(&Action::Discrete(a)).unwrap().reward;
                for (i, p) in env.providers().iter().enumerate() {
                    let used: u32 = env.running[i].iter().map(|&k| env.tasks[k as usize].steps).sum();
                    prop_assert_eq!(used + env.available_steps(i), p.capacity_steps);
                    prop_assert!(env.running[i].iter().all(|&k| env.tasks[k as usize].state == TaskState::Running));
                }
                let count = |s: TaskState| env.task_states().filter(|&x| x == s).count() as u32;
                let c = env.counters();
                prop_assert_eq!(count(TaskState::Finished), c.finished);
                prop_assert_eq!(count(TaskState::Killed), c.crashed);
                prop_assert_eq!(count(TaskState::Rejected), c.rejected);
                prop_assert_eq!(count(TaskState::Running), c.running);
                prop_assert_eq!(c.finished + c.crashed + c.rejected + c.running, env.next as u32);
                prop_assert_eq!(count(TaskState::Pending) as usize, env.tasks.len() - env.next);
                prop_assert!(env.observation().iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
            }
            prop_assert!(env.is_done());
            prop_assert!((reward_sum - env.counters().total_reward).abs() < 1e-9);
            prop_assert!(reward_sum.is_finite());
        }
    }
}

#[test]
fn observations_stay_in_the_observation_space() {
    use crate::scenario::testing::assert_observations_in_space;
    let small = AspConfig {
        providers: 3,
        // Fewer than 6 steps: `R(t)` is negative, so the runtime share exceeds 1 and changes sign.
        task_steps: Grid::new(1.0, 9.0, 1.0),
        capacity_steps: Grid::new(5.0, 30.0, 5.0),
        arrival_rate_per_s: 0.05,
        horizon_s: 2.0e4,
        ..AspConfig::default()
    };
    let tiny_tasks = AspConfig { task_steps: Grid::new(1.0, 5.0, 2.0), ..small.clone() };
    let paper = AspConfig { world: Some(AspParams::paper()), ..AspConfig::default() };
    for config in [AspConfig::default(), AspConfig { world_seed: 7, ..small }, tiny_tasks, paper] {
        assert_observations_in_space(&mut AspEnv::new(config).unwrap(), &[0, 3]);
    }
}
