use super::*;
use crate::error::Error;
use crate::scenario::{Heuristic, run_heuristic_episode};

fn env() -> AcrobotEnv {
    AcrobotEnv::new(AcrobotConfig::default()).unwrap()
}

#[test]
fn derivatives_at_rest_by_hand() {
    // Hanging at rest with torque +1 (m = l = 1, lc = 0.5, I = 1): the gravity terms carry cos(−π/2), which is
    // 6.1e-17 in floating point rather than 0, so they are only almost zero;
    //   d1 = 0.25 + (1 + 0.25 + 1) + 1 + 1 = 4.5,   d2 = (0.25 + 0.5) + 1 = 1.75,
    //   θ̈2 = 1 / (1.25 − 1.75²/4.5) = 1 / (41/72) = 72/41,   θ̈1 = −1.75 · (72/41) / 4.5 = −28/41.
    let env = env();
    let [dtheta1, dtheta2, ddtheta1, ddtheta2] = env.derivatives([0.0; 4], 1.0);
    assert_eq!((dtheta1, dtheta2), (0.0, 0.0));
    assert!((ddtheta1 - -28.0 / 41.0).abs() < 1e-14, "{ddtheta1}");
    assert!((ddtheta2 - 72.0 / 41.0).abs() < 1e-14, "{ddtheta2}");
    // Without torque the hanging acrobot stays (all but) still.
    let still = env.derivatives([0.0; 4], 0.0);
    assert!(still.iter().all(|v| v.abs() < 1e-14), "{still:?}");
}

#[test]
fn one_short_step_from_rest_follows_the_torque() {
    // Over a short step the accelerations hardly change, so one Runge–Kutta step of dt = 1 ms from rest under
    // torque +1 moves the velocities by dt · θ̈ and the angles by dt²/2 · θ̈ (θ̈ from the test above), to a
    // relative error of order dt².
    let env = AcrobotEnv::new(AcrobotConfig { dt_s: 1.0e-3, ..AcrobotConfig::default() }).unwrap();
    let moved = env.runge_kutta([0.0; 4], 1.0);
    let (acc1, acc2) = (-28.0 / 41.0, 72.0 / 41.0);
    let expected = [0.5e-6 * acc1, 0.5e-6 * acc2, 1.0e-3 * acc1, 1.0e-3 * acc2];
    for (got, want) in moved.iter().zip(expected) {
        assert!((got - want).abs() < 1e-5 * want.abs(), "{moved:?} vs {expected:?}");
    }
}

#[test]
fn wrap_subtracts_whole_turns_like_gymnasium() {
    let turn = 2.0 * PI;
    assert_eq!(wrap(0.5, -PI, PI), 0.5);
    assert_eq!(wrap(PI, -PI, PI), PI); // the bounds themselves stay
    assert_eq!(wrap(4.0, -PI, PI), 4.0 - turn);
    assert_eq!(wrap(10.0, -PI, PI), 10.0 - turn - turn); // repeated subtraction, not 10 mod 2π
    assert_eq!(wrap(-7.0, -PI, PI), -7.0 + turn);
    assert_eq!(wrap(f64::INFINITY, -PI, PI), f64::INFINITY);
    // Far out (where the loop would never finish) a remainder brings it into the range first.
    let far = wrap(1.0e20, -PI, PI);
    assert!((-PI..=PI).contains(&far), "{far}");
    assert!(wrap(f64::NAN, -PI, PI).is_nan());
}

#[test]
fn velocities_are_bounded_and_angles_wrapped_after_a_step() {
    let mut env = env();
    env.reset_to_state([3.1, -3.1, 12.5, -28.2]);
    env.step(&Action::Discrete(0)).unwrap();
    let [theta1, theta2, dtheta1, dtheta2] = env.state();
    assert!((-PI..=PI).contains(&theta1) && (-PI..=PI).contains(&theta2));
    // Gymnasium's recorded step (fixtures/gym/acrobot.json, velocity_bounds_and_wrap) clips both.
    assert_eq!(dtheta1, 4.0 * PI);
    assert_eq!(dtheta2, -9.0 * PI);
}

#[test]
fn termination_and_rewards() {
    let mut env = env();
    // The first link almost straight up: −cos 3 − cos 3 = 1.98 > 1, so the first step terminates with reward 0.
    env.reset_to_state([3.0, 0.0, 0.0, 0.0]);
    assert_eq!(env.step(&Action::Discrete(1)).unwrap(), Step { reward: 0.0, terminated: true, truncated: false });
    assert!(env.is_done());
    assert!(env.step(&Action::Discrete(1)).unwrap_err().problem.contains("ended"));
    assert_eq!(env.metrics().0, vec![("total_reward", 0.0), ("terminated", 1.0), ("truncated", 0.0)]);
    // Hanging still without torque: −1 per step until the 500-step limit.
    env.reset_to_state([0.0; 4]);
    let mut total = 0.0;
    while !env.is_done() {
        let step = env.step(&Action::Discrete(1)).unwrap();
        assert_eq!((step.reward, step.terminated), (-1.0, false));
        total += step.reward;
    }
    assert_eq!(total, -500.0);
    assert_eq!(env.metrics().0, vec![("total_reward", -500.0), ("terminated", 0.0), ("truncated", 1.0)]);
}

#[test]
fn observation_is_cos_sin_and_velocities() {
    let mut env = env();
    env.reset_to_state([0.3, -1.2, 0.7, -2.5]);
    let expected = [libm::cos(0.3), libm::sin(0.3), libm::cos(-1.2), libm::sin(-1.2), 0.7, -2.5].map(|v| v as f32);
    assert_eq!(env.observation(), &expected);
    assert_eq!(env.observation_space().dim(), 6);
    assert_eq!(env.action_space(), ActionSpace::Discrete { n: 3 });
}

#[test]
fn reset_draws_float32_values_within_the_bound() {
    let mut env = env();
    for seed in 0..50 {
        env.reset(seed);
        for v in env.state() {
            assert!(v.abs() < 0.1, "{v}");
            assert_eq!(f64::from(v as f32), v);
        }
    }
}

#[test]
fn torque_noise_is_drawn_from_the_episode_stream() {
    let noisy = AcrobotConfig { torque_noise_max_n_m: 0.3, ..AcrobotConfig::default() };
    let torques = |seed: u64| {
        let mut env = AcrobotEnv::new(noisy.clone()).unwrap();
        env.reset(seed);
        (0..20)
            .map(|_| {
                env.step(&Action::Discrete(2)).unwrap();
                env.torque_n_m
            })
            .collect::<Vec<f64>>()
    };
    let a = torques(1);
    assert!(a.iter().all(|t| (0.7..1.3).contains(t)), "{a:?}");
    assert!(a.windows(2).any(|w| w[0] != w[1]));
    assert_eq!(a, torques(1));
    assert_ne!(a, torques(2));
    // Without noise the torque is exactly the action's.
    let mut quiet = env();
    quiet.step(&Action::Discrete(0)).unwrap();
    assert_eq!(quiet.torque_n_m, -1.0);
}

#[test]
fn bad_actions_change_nothing() {
    let mut env = env();
    env.reset(4);
    env.step(&Action::Discrete(2)).unwrap();
    let (before, obs) = (env.snapshot(), env.observation().to_vec());
    assert_eq!(env.step(&Action::Discrete(3)).unwrap_err().field, "action");
    assert_eq!(env.step(&Action::Vector(vec![0.0, 1.0, 0.0])).unwrap_err().field, "action");
    assert_eq!((env.snapshot(), env.observation().to_vec()), (before, obs));
}

fn trajectory(seed: u64, policy: &str) -> Vec<AcrobotState> {
    let mut env = env();
    let mut h = Heuristic::new(&env, policy, seed).unwrap();
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
    let pump = env.heuristic_index("energy_pump").unwrap();
    for (dtheta2, action) in [(0.4, 2), (-0.4, 0), (0.0, 1)] {
        env.reset_to_state([0.0, 0.0, -1.0, dtheta2]);
        assert_eq!(env.heuristic_action(pump, &mut state), Action::Discrete(action), "θ̇2 = {dtheta2}");
    }
    let random = env.heuristic_index("random").unwrap();
    let picks: Vec<Action> = (0..60).map(|_| env.heuristic_action(random, &mut state)).collect();
    assert!((0..3).all(|a| picks.contains(&Action::Discrete(a))));
}

/// Mean returns over 100 episodes (seeds 0..100), as `diffedge eval --scenario acrobot --episodes 100` reports.
#[test]
fn heuristic_mean_returns() {
    let mut env = env();
    let mut mean = |policy: &str| {
        (0..100)
            .map(|s| run_heuristic_episode(&mut env, policy, s).unwrap().metrics.get("total_reward").unwrap())
            .sum::<f64>()
            / 100.0
    };
    let pump = mean("energy_pump");
    assert!((-110.0..=-80.0).contains(&pump), "{pump}"); // −93.2 measured
    let random = mean("random");
    assert!((-500.0..=-480.0).contains(&random), "{random}"); // −496.6 measured
}

#[test]
fn config_errors_name_the_field() {
    let bad = |f: fn(&mut AcrobotConfig)| -> Error {
        let mut c = AcrobotConfig::default();
        f(&mut c);
        c.validate().unwrap_err()
    };
    assert_eq!(bad(|c| c.dt_s = 0.0).field, "dt_s");
    assert_eq!(bad(|c| c.gravity_m_s2 = f64::NAN).field, "gravity_m_s2");
    assert_eq!(bad(|c| c.link_length_1_m = -1.0).field, "link_length_1_m");
    assert_eq!(bad(|c| c.link_length_2_m = 0.0).field, "link_length_2_m");
    assert_eq!(bad(|c| c.link_mass_1_kg = 0.0).field, "link_mass_1_kg");
    assert_eq!(bad(|c| c.link_mass_2_kg = 1.0e9).field, "link_mass_2_kg");
    assert_eq!(bad(|c| c.link_com_1_m = 0.0).field, "link_com_1_m");
    assert_eq!(bad(|c| c.link_com_2_m = f64::INFINITY).field, "link_com_2_m");
    assert_eq!(bad(|c| c.link_moi_kg_m2 = 0.0).field, "link_moi_kg_m2");
    assert_eq!(bad(|c| c.max_velocity_1_rad_s = 0.0).field, "max_velocity_1_rad_s");
    assert_eq!(bad(|c| c.max_velocity_2_rad_s = -1.0).field, "max_velocity_2_rad_s");
    assert_eq!(bad(|c| c.torque_noise_max_n_m = -0.1).field, "torque_noise_max_n_m");
    assert_eq!(bad(|c| c.reset_bound = 4.0).field, "reset_bound");
    assert_eq!(bad(|c| c.max_episode_steps = 0).field, "max_episode_steps");
    assert_eq!(bad(|c| c.dt_s = 2.0).to_string(), "dt_s: must be between 1e-6 and 1, got 2");
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// From any state, under any actions: angles stay wrapped, velocities bounded, values finite, and the
        /// episode terminates exactly when the tip is above the bar, with reward 0 then and −1 otherwise.
        #[test]
        fn termination_follows_the_rule(theta1 in -PI..PI, theta2 in -PI..PI, dtheta1 in -13.0f64..13.0,
                                        dtheta2 in -29.0f64..29.0, actions in proptest::collection::vec(0usize..3, 1..600)) {
            let mut env = env();
            env.reset_to_state([theta1, theta2, dtheta1, dtheta2]);
            let mut steps = 0u32;
            for &a in &actions {
                if env.is_done() {
                    prop_assert!(env.step(&Action::Discrete(a)).is_err());
                    break;
                }
                let step = env.step(&Action::Discrete(a)).unwrap();
                steps += 1;
                let [t1, t2, d1, d2] = env.state();
                prop_assert!((-PI..=PI).contains(&t1) && (-PI..=PI).contains(&t2));
                prop_assert!(d1.abs() <= 4.0 * PI && d2.abs() <= 9.0 * PI);
                prop_assert!(env.observation().iter().all(|v| v.is_finite()));
                let above = -libm::cos(t1) - libm::cos(t2 + t1) > 1.0;
                prop_assert_eq!(step.terminated, above);
                prop_assert_eq!(step.reward, if above { 0.0 } else { -1.0 });
                prop_assert_eq!(step.truncated, steps == 500);
            }
        }

        /// Any valid config, run under random actions, keeps every value finite.
        #[test]
        fn any_valid_config_stays_finite(dt in 1.0e-6f64..1.0, gravity in 0.0f64..1.0e3, l1 in 1.0e-3f64..1.0e2,
                                         m1 in 1.0e-3f64..1.0e3, m2 in 1.0e-3f64..1.0e3, lc1 in 1.0e-3f64..1.0e2,
                                         lc2 in 1.0e-3f64..1.0e2, moi in 1.0e-3f64..1.0e3, v1 in 1.0e-3f64..1.0e3,
                                         v2 in 1.0e-3f64..1.0e3, noise in 0.0f64..1.0e3, seed in any::<u64>()) {
            let config = AcrobotConfig {
                dt_s: dt, gravity_m_s2: gravity, link_length_1_m: l1, link_mass_1_kg: m1, link_mass_2_kg: m2,
                link_com_1_m: lc1, link_com_2_m: lc2, link_moi_kg_m2: moi, max_velocity_1_rad_s: v1,
                max_velocity_2_rad_s: v2, torque_noise_max_n_m: noise, max_episode_steps: 200,
                ..AcrobotConfig::default()
            };
            let mut env = AcrobotEnv::new(config).unwrap();
            run_heuristic_episode(&mut env, "random", seed).unwrap();
            prop_assert!(env.state().iter().all(|v| v.is_finite()), "{:?}", env.state());
        }
    }
}

#[test]
fn observations_stay_in_the_observation_space() {
    use crate::scenario::testing::assert_observations_in_space;
    use core::f64::consts::PI;
    let space = env().observation_space();
    // Gymnasium's Acrobot-v1 bounds.
    assert_eq!(space.high, [1.0, 1.0, 1.0, 1.0, (4.0 * PI) as f32, (9.0 * PI) as f32]);
    assert_eq!(space.low, space.high.iter().map(|h| -h).collect::<Vec<_>>());
    // Velocity clips below the start's draw: the first observation may pass the clip, never the bound.
    let clipped = AcrobotConfig {
        max_velocity_1_rad_s: 0.5,
        max_velocity_2_rad_s: 1.0,
        reset_bound: 2.0,
        torque_noise_max_n_m: 0.5,
        ..AcrobotConfig::default()
    };
    for config in [AcrobotConfig::default(), clipped] {
        assert_observations_in_space(&mut AcrobotEnv::new(config).unwrap(), &[0, 1, 2]);
    }
}
