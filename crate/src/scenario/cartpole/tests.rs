use super::*;
use crate::scenario::run_heuristic_episode;

fn env() -> CartpoleEnv {
    CartpoleEnv::new(CartpoleConfig::default()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15 * b.abs().max(1.0)
}

#[test]
fn one_push_from_rest_by_hand() {
    // From rest, pushing right with 10 N: sin θ = 0, cos θ = 1, so
    //   temp  = 10 / 1.1 = 100/11,
    //   θ̈     = −temp / (0.5 · (4/3 − 0.1/1.1)) = −(100/11) / (41/66) = −600/41,
    //   ẍ     = temp − 0.05 · θ̈ / 1.1 = 100/11 + 300/451 = 400/41;
    // Euler with τ = 0.02 moves only the velocities: ẋ = 8/41, θ̇ = −12/41.
    let mut env = env();
    env.reset_to_state([0.0; 4]);
    let step = env.step(&Action::Discrete(1)).unwrap();
    let [x, x_dot, theta, theta_dot] = env.state();
    assert_eq!((x, theta), (0.0, 0.0));
    assert!(close(x_dot, 8.0 / 41.0), "{x_dot}");
    assert!(close(theta_dot, -12.0 / 41.0), "{theta_dot}");
    assert_eq!(step, Step { reward: 1.0, terminated: false, truncated: false });
    assert_eq!(env.observation(), &[0.0, (8.0f64 / 41.0) as f32, 0.0, (-12.0f64 / 41.0) as f32]);
    // Pushing left from rest mirrors it exactly.
    env.reset_to_state([0.0; 4]);
    env.step(&Action::Discrete(0)).unwrap();
    assert_eq!(env.state(), [0.0, -x_dot, 0.0, -theta_dot]);
}

#[test]
fn euler_moves_positions_with_the_old_velocities() {
    // Explicit Euler: x and θ advance by τ times the velocities from before the step.
    let mut env = env();
    env.reset_to_state([0.1, 0.5, 0.01, -0.2]);
    env.step(&Action::Discrete(1)).unwrap();
    let [x, _, theta, _] = env.state();
    assert_eq!(x, 0.1 + 0.02 * 0.5);
    assert_eq!(theta, 0.01 + 0.02 * -0.2);
}

#[test]
fn termination_rules() {
    let limit = THETA_THRESHOLD_RAD;
    assert!(close(limit, 0.20943951023931953)); // 12° in radians
    let ends = |state: CartpoleState| {
        let mut env = env();
        env.reset_to_state(state);
        let step = env.step(&Action::Discrete(0)).unwrap();
        (step.terminated, step.reward, env.is_done())
    };
    // Each of the four limits ends the episode on the step that crosses it; the reward is still 1.
    assert_eq!(ends([2.399, 1.0, 0.0, 0.0]), (true, 1.0, true)); // x = 2.419 > 2.4
    assert_eq!(ends([-2.399, -1.0, 0.0, 0.0]), (true, 1.0, true));
    assert_eq!(ends([0.0, 0.0, limit - 0.001, 1.0]), (true, 1.0, true)); // θ grows by 0.02
    assert_eq!(ends([0.0, 0.0, -limit + 0.001, -1.0]), (true, 1.0, true));
    // Inside every limit nothing ends.
    assert_eq!(ends([2.3, 1.0, limit - 0.03, 1.0]), (false, 1.0, false));
}

#[test]
fn episode_is_truncated_at_500_steps() {
    let mut env = env();
    let summary = run_heuristic_episode(&mut env, "balance", 3).unwrap();
    assert_eq!(summary.steps, 500);
    assert_eq!(summary.metrics.0, vec![("total_reward", 500.0), ("terminated", 0.0), ("truncated", 1.0)]);
    assert!(env.step(&Action::Discrete(0)).unwrap_err().problem.contains("ended"));
    // A shorter limit truncates earlier.
    let mut short = CartpoleEnv::new(CartpoleConfig { max_episode_steps: 7, ..CartpoleConfig::default() }).unwrap();
    assert_eq!(run_heuristic_episode(&mut short, "balance", 3).unwrap().steps, 7);
}

#[test]
fn bad_actions_change_nothing() {
    let mut env = env();
    env.reset(4);
    env.step(&Action::Discrete(1)).unwrap();
    let (before, obs) = (env.snapshot(), env.observation().to_vec());
    assert_eq!(env.step(&Action::Discrete(2)).unwrap_err().field, "action");
    assert_eq!(env.step(&Action::Vector(vec![1.0])).unwrap_err().field, "action");
    assert_eq!((env.snapshot(), env.observation().to_vec()), (before, obs));
}

#[test]
fn reset_draws_each_component_within_the_bound() {
    let mut env = env();
    for seed in 0..50 {
        env.reset(seed);
        assert!(env.state().iter().all(|v| v.abs() < 0.05), "{:?}", env.state());
        assert_eq!(env.observation(), &env.state().map(|v| v as f32));
        assert_eq!(env.snapshot(), {
            let [x_m, x_dot_m_s, theta_rad, theta_dot_rad_s] = env.state();
            Snapshot::Cartpole(CartpoleSnapshot {
                x_m,
                x_dot_m_s,
                theta_rad,
                theta_dot_rad_s,
                force_n: 0.0,
                pole_half_length_m: 0.5,
                x_threshold_m: 2.4,
                theta_threshold_rad: THETA_THRESHOLD_RAD,
                episode: EpisodeTally::default(),
            })
        });
    }
}

fn trajectory(seed: u64, policy: &str) -> Vec<CartpoleState> {
    let mut env = env();
    let mut h = crate::scenario::Heuristic::new(&env, policy, seed).unwrap();
    env.reset(seed);
    let mut states = vec![env.state()];
    while !env.is_done() {
        let a = h.act(&env);
        env.step(&a).unwrap();
        states.push(env.state());
    }
    states
}

#[test]
fn same_seed_same_trajectory_other_seed_other_trajectory() {
    let a = trajectory(9, "random");
    assert_eq!(a, trajectory(9, "random"));
    assert_ne!(a[0], trajectory(10, "random")[0]);
}

#[test]
fn heuristics_choose_as_specified() {
    let mut env = env();
    let mut state = HeuristicState { rng: Rng::new(0, Stream::Heuristic), decisions: 0 };
    let balance = env.heuristic_index("balance").unwrap();
    // Leaning right but swinging back fast: θ + 0.25·θ̇ = 0.05 − 0.1 < 0, so push left.
    env.reset_to_state([0.0, 0.0, 0.05, -0.4]);
    assert_eq!(env.heuristic_action(balance, &mut state), Action::Discrete(0));
    env.reset_to_state([0.0, 0.0, 0.05, -0.1]);
    assert_eq!(env.heuristic_action(balance, &mut state), Action::Discrete(1));
    let random = env.heuristic_index("random").unwrap();
    let picks: Vec<Action> = (0..40).map(|_| env.heuristic_action(random, &mut state)).collect();
    assert!(picks.contains(&Action::Discrete(0)) && picks.contains(&Action::Discrete(1)));
    assert!(env.heuristic_index("lqr").unwrap_err().problem.contains("balance"));
}

/// Mean returns over 100 episodes (seeds 0..100), as `diffedge eval --scenario cartpole --episodes 100` reports.
#[test]
fn heuristic_mean_returns() {
    let mut env = env();
    let mean = |env: &mut CartpoleEnv, policy: &str| {
        (0..100)
            .map(|s| run_heuristic_episode(env, policy, s).unwrap().metrics.get("total_reward").unwrap())
            .sum::<f64>()
            / 100.0
    };
    assert_eq!(mean(&mut env, "balance"), 500.0);
    let random = mean(&mut env, "random");
    assert!((18.0..=28.0).contains(&random), "{random}"); // about 22 for a uniformly random policy
}

#[test]
fn config_errors_name_the_field() {
    let bad = |f: fn(&mut CartpoleConfig)| {
        let mut c = CartpoleConfig::default();
        f(&mut c);
        c.validate().unwrap_err().field
    };
    assert_eq!(bad(|c| c.gravity_m_s2 = -1.0), "gravity_m_s2");
    assert_eq!(bad(|c| c.cart_mass_kg = 0.0), "cart_mass_kg");
    assert_eq!(bad(|c| c.pole_mass_kg = f64::NAN), "pole_mass_kg");
    assert_eq!(bad(|c| c.pole_half_length_m = f64::INFINITY), "pole_half_length_m");
    assert_eq!(bad(|c| c.force_n = 0.0), "force_n");
    assert_eq!(bad(|c| c.tau_s = 2.0), "tau_s");
    assert_eq!(bad(|c| c.x_threshold_m = 0.0), "x_threshold_m");
    assert_eq!(bad(|c| c.theta_threshold_rad = 4.0), "theta_threshold_rad");
    assert_eq!(bad(|c| c.reset_bound = 0.3), "reset_bound"); // beyond the 12° limit
    assert_eq!(bad(|c| c.reset_bound = -0.01), "reset_bound");
    assert_eq!(bad(|c| c.max_episode_steps = 0), "max_episode_steps");
    let e = crate::scenario::ScenarioConfig::from_json(ScenarioId::Cartpole, r#"{"tau": 0.01}"#).unwrap_err();
    assert!(e.field == "config.tau" && e.problem.contains("unknown field"), "{e}");
    let parsed = crate::scenario::ScenarioConfig::from_json(ScenarioId::Cartpole, r#"{"tau_s": 0.01}"#).unwrap();
    assert_eq!(
        parsed,
        crate::scenario::ScenarioConfig::Cartpole(CartpoleConfig { tau_s: 0.01, ..CartpoleConfig::default() })
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// From any state inside the limits, under any actions: every value stays finite, the reward is 1, the
        /// episode ends exactly when Gymnasium's rule says, and the tally counts every step.
        #[test]
        fn termination_follows_the_rule(x in -2.4f64..2.4, x_dot in -3.0f64..3.0, theta in -0.2f64..0.2,
                                        theta_dot in -3.0f64..3.0, actions in proptest::collection::vec(0usize..2, 1..600)) {
            let mut env = env();
            env.reset_to_state([x, x_dot, theta, theta_dot]);
            let mut steps = 0u32;
            for &a in &actions {
                if env.is_done() {
                    prop_assert!(env.step(&Action::Discrete(a)).is_err());
                    break;
                }
                let step = env.step(&Action::Discrete(a)).unwrap();
                steps += 1;
                let [x, _, theta, _] = env.state();
                prop_assert!(env.state().iter().all(|v| v.is_finite()));
                prop_assert!(env.observation().iter().all(|v| v.is_finite()));
                prop_assert_eq!(step.reward, 1.0);
                prop_assert_eq!(step.terminated, x.abs() > 2.4 || theta.abs() > THETA_THRESHOLD_RAD);
                prop_assert_eq!(step.truncated, steps == 500);
                prop_assert_eq!(env.tally.steps, steps);
                prop_assert_eq!(env.metrics().get("total_reward"), Some(f64::from(steps)));
            }
        }

        /// Any valid config, run to the end under random actions, keeps every value finite.
        #[test]
        fn any_valid_config_stays_finite(gravity in 0.0f64..1.0e3, cart in 1.0e-6f64..1.0e3, pole in 1.0e-6f64..1.0e3,
                                         half_length in 1.0e-3f64..1.0e2, force in 1.0e-6f64..1.0e4, tau in 1.0e-6f64..1.0,
                                         x_limit in 1.0e-3f64..1.0e3, theta_limit in 1.0e-3f64..core::f64::consts::PI, seed in any::<u64>()) {
            let config = CartpoleConfig {
                gravity_m_s2: gravity, cart_mass_kg: cart, pole_mass_kg: pole, pole_half_length_m: half_length,
                force_n: force, tau_s: tau, x_threshold_m: x_limit, theta_threshold_rad: theta_limit,
                reset_bound: 0.5 * x_limit.min(theta_limit), max_episode_steps: 500,
            };
            let mut env = CartpoleEnv::new(config).unwrap();
            let summary = run_heuristic_episode(&mut env, "random", seed).unwrap();
            prop_assert!(summary.steps >= 1 && summary.steps <= 500);
            prop_assert!(env.state().iter().all(|v| v.is_finite()), "{:?}", env.state());
        }
    }
}

#[test]
fn observations_stay_in_the_observation_space() {
    use crate::scenario::testing::assert_observations_in_space;
    let space = env().observation_space();
    // Gymnasium's CartPole-v1 bounds.
    assert_eq!(space.high, [4.8, f32::INFINITY, (2.0 * THETA_THRESHOLD_RAD) as f32, f32::INFINITY]);
    assert_eq!(space.low, space.high.iter().map(|h| -h).collect::<Vec<_>>());
    let wild = CartpoleConfig {
        force_n: 30.0,
        pole_half_length_m: 2.0,
        x_threshold_m: 1.0,
        theta_threshold_rad: 1.0,
        reset_bound: 0.5,
        ..CartpoleConfig::default()
    };
    for config in [CartpoleConfig::default(), wild] {
        assert_observations_in_space(&mut CartpoleEnv::new(config).unwrap(), &[0, 1, 2, 3]);
    }
}
