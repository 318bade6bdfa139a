//! Gymnasium's own CartPole-v1 and Acrobot-v1 trajectories, replayed through `cartpole` and `acrobot`.
//!
//! `fixtures/gym/make_fixture.py` (Gymnasium 1.4.0) recorded each episode: its exact initial state, the actions
//! taken, and after every step the state, observation, reward and flags. Starting from the same state and
//! taking the same actions, ours must stay within 1e-6 of every state and observation value, give the same
//! rewards and end on the same step for the same reason.
#![cfg(not(target_arch = "wasm32"))]

use diffedge::scenario::acrobot::{AcrobotConfig, AcrobotEnv};
use diffedge::scenario::cartpole::{CartpoleConfig, CartpoleEnv};
use diffedge::scenario::{Action, Env};
use serde::Deserialize;

const TOLERANCE: f64 = 1e-6;

#[derive(Deserialize)]
struct Fixture {
    env: String,
    gymnasium: String,
    episodes: Vec<Episode>,
}

#[derive(Deserialize)]
struct Episode {
    name: String,
    /// The initial state as the bits of each float64, so it is exact whatever the JSON parser rounds.
    initial_state_bits: Vec<String>,
    actions: Vec<usize>,
    states: Vec<Vec<f64>>,
    observations: Vec<Vec<f64>>,
    rewards: Vec<f64>,
    terminated: Vec<bool>,
    truncated: Vec<bool>,
}

fn load(file: &str) -> Fixture {
    let path = format!("{}/tests/fixtures/gym/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture exists")).expect("fixture parses")
}

fn initial_state(episode: &Episode) -> [f64; 4] {
    let values: Vec<f64> =
        episode.initial_state_bits.iter().map(|b| f64::from_bits(u64::from_str_radix(b, 16).unwrap())).collect();
    values.try_into().expect("four state components")
}

/// Steps `env` (already started from the episode's initial state) through the episode, comparing each step
/// with Gymnasium's record; returns the largest deviation seen.
fn replay<E: Env>(env: &mut E, state: impl Fn(&E) -> [f64; 4], episode: &Episode) -> f64 {
    let name = &episode.name;
    let steps = episode.actions.len();
    assert!(steps > 0 && [&episode.states.len(), &episode.observations.len()].iter().all(|&&n| n == steps));
    let mut worst: f64 = 0.0;
    for (k, &action) in episode.actions.iter().enumerate() {
        assert!(!env.is_done(), "{name}: ended before step {k}");
        let step = env.step(&Action::Discrete(action)).unwrap();
        let ours = state(&*env);
        for (i, (&a, &b)) in ours.iter().zip(&episode.states[k]).enumerate() {
            let deviation = (a - b).abs();
            worst = worst.max(deviation);
            assert!(deviation <= TOLERANCE, "{name}: step {k} state[{i}] is {a}, Gymnasium's {b}");
        }
        for (i, (&a, &b)) in env.observation().iter().zip(&episode.observations[k]).enumerate() {
            assert!((f64::from(a) - b).abs() <= TOLERANCE, "{name}: step {k} obs[{i}] is {a}, Gymnasium's {b}");
        }
        assert_eq!(env.observation().len(), episode.observations[k].len(), "{name}: observation length");
        assert_eq!(step.reward, episode.rewards[k], "{name}: step {k} reward");
        assert_eq!(step.terminated, episode.terminated[k], "{name}: step {k} terminated");
        assert_eq!(step.truncated, episode.truncated[k], "{name}: step {k} truncated");
    }
    assert!(env.is_done(), "{name}: Gymnasium's episode ended after {steps} steps, ours goes on");
    worst
}

#[test]
fn cartpole_replays_gymnasium() {
    let fixture = load("cartpole.json");
    assert_eq!((fixture.env.as_str(), fixture.gymnasium.as_str()), ("CartPole-v1", "1.4.0"));
    let mut env = CartpoleEnv::new(CartpoleConfig::default()).unwrap();
    let mut worst: f64 = 0.0;
    for episode in &fixture.episodes {
        env.reset_to_state(initial_state(episode));
        worst = worst.max(replay(&mut env, CartpoleEnv::state, episode));
    }
    eprintln!("cartpole: largest deviation from Gymnasium {worst:e}");
}

#[test]
fn acrobot_replays_gymnasium() {
    let fixture = load("acrobot.json");
    assert_eq!((fixture.env.as_str(), fixture.gymnasium.as_str()), ("Acrobot-v1", "1.4.0"));
    let mut env = AcrobotEnv::new(AcrobotConfig::default()).unwrap();
    let mut worst: f64 = 0.0;
    for episode in &fixture.episodes {
        env.reset_to_state(initial_state(episode));
        worst = worst.max(replay(&mut env, AcrobotEnv::state, episode));
    }
    eprintln!("acrobot: largest deviation from Gymnasium {worst:e}");
}
