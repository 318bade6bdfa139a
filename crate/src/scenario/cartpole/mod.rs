//! `cartpole`: CartPole-v1 exactly as Gymnasium defines it, the learners' smoke test (`design/algorithms.md`,
//! "Sanity tasks").
//!
//! A pole stands on a cart that moves along a frictionless track; each step pushes the cart left or right with
//! a fixed force for `tau_s`. Every step earns 1; the episode terminates when the pole leans past 12° or the
//! cart leaves ±2.4 m, and is truncated after 500 steps. The dynamics, the explicit Euler integrator, the
//! thresholds and the order of every floating-point operation follow `gymnasium/envs/classic_control/cartpole.py`
//! (Gymnasium 1.4.0); `crate/tests/gym_replay.rs` replays Gymnasium's own trajectories against it. The state is
//! kept in `f64` as Gymnasium keeps it and the observation is its `f32` cast, as Gymnasium returns it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::classic::EpisodeTally;
use super::registry::Scenario;
use super::info::ScenarioInfo;
use super::{
    Action, ActionSpace, Baselines, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::rng::{Rng, Stream};
use crate::stats::Goal;

/// Gymnasium's pole-angle limit, 12° in radians computed as Gymnasium computes it.
pub const THETA_THRESHOLD_RAD: f64 = 12.0 * 2.0 * core::f64::consts::PI / 360.0;
/// The `balance` heuristic looks this many seconds ahead: it pushes towards `θ + 0.25·θ̇`.
pub const BALANCE_LOOKAHEAD_S: f64 = 0.25;

/// Everything that defines a `cartpole` run except the episode seed. Defaults are Gymnasium's CartPole-v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CartpoleConfig {
    /// Gravitational acceleration (m/s²).
    pub gravity_m_s2: f64,
    /// Mass of the cart (kg).
    pub cart_mass_kg: f64,
    /// Mass of the pole (kg).
    pub pole_mass_kg: f64,
    /// Half the pole's length (m) — Gymnasium's `length`.
    pub pole_half_length_m: f64,
    /// Magnitude of the push of each action (N).
    pub force_n: f64,
    /// Time between state updates (s).
    pub tau_s: f64,
    /// The episode terminates when the cart's position leaves `±x_threshold_m`.
    pub x_threshold_m: f64,
    /// The episode terminates when the pole's angle leaves `±theta_threshold_rad`.
    pub theta_threshold_rad: f64,
    /// Each component of the initial state is uniform on `(−reset_bound, reset_bound)`.
    pub reset_bound: f64,
    /// Time limit: the episode is truncated after this many steps.
    pub max_episode_steps: u32,
}

impl Default for CartpoleConfig {
    fn default() -> Self {
        Self {
            gravity_m_s2: 9.8,
            cart_mass_kg: 1.0,
            pole_mass_kg: 0.1,
            pole_half_length_m: 0.5,
            force_n: 10.0,
            tau_s: 0.02,
            x_threshold_m: 2.4,
            theta_threshold_rad: THETA_THRESHOLD_RAD,
            reset_bound: 0.05,
            max_episode_steps: 500,
        }
    }
}

impl CartpoleConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        // Strictly positive quantities get a small positive floor so that no division comes near zero.
        check_range("gravity_m_s2", self.gravity_m_s2, 0.0, 1.0e3)?;
        check_range("cart_mass_kg", self.cart_mass_kg, 1.0e-6, 1.0e3)?;
        check_range("pole_mass_kg", self.pole_mass_kg, 1.0e-6, 1.0e3)?;
        check_range("pole_half_length_m", self.pole_half_length_m, 1.0e-3, 1.0e2)?;
        check_range("force_n", self.force_n, 1.0e-6, 1.0e4)?;
        check_range("tau_s", self.tau_s, 1.0e-6, 1.0)?;
        check_range("x_threshold_m", self.x_threshold_m, 1.0e-3, 1.0e3)?;
        check_range("theta_threshold_rad", self.theta_threshold_rad, 1.0e-3, core::f64::consts::PI)?;
        // A start beyond a threshold would end the episode before it began.
        let limit = self.x_threshold_m.min(self.theta_threshold_rad);
        if !(0.0..limit).contains(&self.reset_bound) {
            return Err(Error::new(
                "reset_bound",
                format!("must be at least 0 and below both thresholds ({limit}), got {}", self.reset_bound),
            ));
        }
        check_count("max_episode_steps", u64::from(self.max_episode_steps), 1, 1_000_000)
    }
}

/// The cart-pole state `[x, ẋ, θ, θ̇]`: cart position (m), cart velocity (m/s), pole angle from upright
/// (rad, positive leaning right) and its angular velocity (rad/s) — Gymnasium's `state`.
pub type CartpoleState = [f64; 4];

/// What the front end draws for `cartpole`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CartpoleSnapshot {
    /// Cart position (m).
    pub x_m: f64,
    /// Cart velocity (m/s).
    pub x_dot_m_s: f64,
    /// Pole angle from upright (rad, positive leaning right).
    pub theta_rad: f64,
    /// Pole angular velocity (rad/s).
    pub theta_dot_rad_s: f64,
    /// Force of the last push (N, positive to the right; 0 before the first step).
    pub force_n: f64,
    /// Half the pole's length (m), to draw it to scale.
    pub pole_half_length_m: f64,
    /// Track limit (m).
    pub x_threshold_m: f64,
    /// Angle limit (rad).
    pub theta_threshold_rad: f64,
    /// Steps, return and how the episode ended.
    pub episode: EpisodeTally,
}

/// The `cartpole` environment.
#[derive(Debug, Clone)]
pub struct CartpoleEnv {
    config: CartpoleConfig,
    state: CartpoleState,
    force_n: f64,
    tally: EpisodeTally,
    obs: [f32; 4],
}

impl CartpoleEnv {
    /// Builds the environment (validating the config) and starts episode seed 0.
    pub fn new(config: CartpoleConfig) -> Result<Self> {
        config.validate()?;
        let mut env = Self { config, state: [0.0; 4], force_n: 0.0, tally: EpisodeTally::default(), obs: [0.0; 4] };
        env.reset(0);
        Ok(env)
    }

    /// The exact state `[x, ẋ, θ, θ̇]`.
    pub fn state(&self) -> CartpoleState {
        self.state
    }

    /// Starts an episode from exactly `state` instead of a random draw — for replaying recorded trajectories
    /// (Gymnasium's, in the replay test) and for tests that need a particular state.
    pub fn reset_to_state(&mut self, state: CartpoleState) {
        self.state = state;
        self.force_n = 0.0;
        self.tally = EpisodeTally::default();
        self.write_observation();
    }

    /// The state one step after `state` under the push `force_n`: Gymnasium's equations and Euler update, with
    /// its order of operations.
    fn advance(&self, state: CartpoleState, force_n: f64) -> CartpoleState {
        let c = &self.config;
        let [x, x_dot, theta, theta_dot] = state;
        let total_mass = c.pole_mass_kg + c.cart_mass_kg;
        let polemass_length = c.pole_mass_kg * c.pole_half_length_m;
        let (sin_theta, cos_theta) = (libm::sin(theta), libm::cos(theta));
        let temp = (force_n + polemass_length * (theta_dot * theta_dot) * sin_theta) / total_mass;
        let theta_acc = (c.gravity_m_s2 * sin_theta - cos_theta * temp)
            / (c.pole_half_length_m * (4.0 / 3.0 - c.pole_mass_kg * (cos_theta * cos_theta) / total_mass));
        let x_acc = temp - polemass_length * theta_acc * cos_theta / total_mass;
        let tau = c.tau_s;
        [x + tau * x_dot, x_dot + tau * x_acc, theta + tau * theta_dot, theta_dot + tau * theta_acc]
    }

    /// Gymnasium's termination rule: the cart off the track or the pole past its angle limit.
    fn is_terminal(&self, state: &CartpoleState) -> bool {
        let (x_limit, theta_limit) = (self.config.x_threshold_m, self.config.theta_threshold_rad);
        let [x, _, theta, _] = *state;
        x < -x_limit || x > x_limit || theta < -theta_limit || theta > theta_limit
    }

    fn write_observation(&mut self) {
        self.obs = self.state.map(|v| v as f32);
    }

    /// Gymnasium's CartPole-v1 `observation_space`, from this config's thresholds: the position within twice
    /// `x_threshold_m` and the angle within twice `theta_threshold_rad`, the velocities unbounded (nothing in
    /// the dynamics limits them). A running episode stays within the thresholds themselves; the terminating
    /// step passes them by one step's travel, `tau_s` times a velocity, which keeps within the doubled bounds
    /// under CartPole-v1's physics (and every test's) but, the velocities being unbounded, not under every
    /// accepted config (a huge force and `tau_s` near 1 throw the cart far past them): there, as in
    /// Gymnasium, only the terminal observation may lie outside this space.
    fn observation_bounds(&self) -> ObservationSpace {
        let x = (2.0 * self.config.x_threshold_m) as f32;
        let theta = (2.0 * self.config.theta_threshold_rad) as f32;
        ObservationSpace::from_bounds([
            (-x, x),
            (f32::NEG_INFINITY, f32::INFINITY),
            (-theta, theta),
            (f32::NEG_INFINITY, f32::INFINITY),
        ])
    }
}

/// Gymnasium's CartPole-v1, the learners' sanity task: no paper, so D2SAC learns it.
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Cartpole,
    title: "CartPole-v1 (Gymnasium), the learners' sanity task",
    heuristics: &["random", "balance"],
    start_heuristic: "random",
    cheapest_heuristic: "balance",
    paper_algorithm: "d2sac",
    main_metric: "total_reward",
    goal: Goal::Maximise,
    paper_figures: &[],
    has_world: false,
    measurements: None,
    legacy_fields: &[],
};

impl Scenario for CartpoleConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(CartpoleEnv::new(self.clone())?))
    }
}

impl Env for CartpoleEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Cartpole
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: 2 }
    }

    fn reset(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        let bound = self.config.reset_bound;
        let state = core::array::from_fn(|_| rng.uniform_in(-bound, bound));
        self.reset_to_state(state);
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    /// Action 0 pushes the cart left, 1 right.
    fn step(&mut self, action: &Action) -> Result<Step> {
        let push = action.index_below(2)?;
        self.tally.check_running()?;
        self.force_n = if push == 1 { self.config.force_n } else { -self.config.force_n };
        self.state = self.advance(self.state, self.force_n);
        self.write_observation();
        let terminated = self.is_terminal(&self.state);
        // Gymnasium pays 1 for every step, the terminating one included.
        Ok(self.tally.record(1.0, terminated, self.config.max_episode_steps))
    }

    fn is_done(&self) -> bool {
        self.tally.is_done()
    }

    fn metrics(&self) -> Metrics {
        self.tally.metrics()
    }

    fn snapshot(&self) -> Snapshot {
        let [x_m, x_dot_m_s, theta_rad, theta_dot_rad_s] = self.state;
        Snapshot::Cartpole(CartpoleSnapshot {
            x_m,
            x_dot_m_s,
            theta_rad,
            theta_dot_rad_s,
            force_n: self.force_n,
            pole_half_length_m: self.config.pole_half_length_m,
            x_threshold_m: self.config.x_threshold_m,
            theta_threshold_rad: self.config.theta_threshold_rad,
            episode: self.tally,
        })
    }
}

impl Baselines for CartpoleEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let [_, _, theta, theta_dot] = self.state;
        let push = match heuristic {
            0 => state.rng.below(2) as usize,
            // Balance: push the cart under the pole, towards where it will lean a moment from now.
            _ => usize::from(theta + BALANCE_LOOKAHEAD_S * theta_dot > 0.0),
        };
        Action::Discrete(push)
    }
}

#[cfg(test)]
mod tests;
