//! `acrobot`: Acrobot-v1 exactly as Gymnasium defines it, the second sanity task (`design/algorithms.md`,
//! "Sanity tasks").
//!
//! Two links hang from a fixed pivot; only the joint between them is driven, with a torque of −1, 0 or +1 for
//! `dt_s`. Every step costs 1 until the free end rises one link length above the pivot
//! (`−cos θ1 − cos(θ1 + θ2) > 1`), which terminates the episode with reward 0; it is truncated after 500 steps.
//! The "book" equations of motion, the fourth-order Runge–Kutta step, the angle wrapping, the velocity bounds
//! and the order of every floating-point operation follow `gymnasium/envs/classic_control/acrobot.py`
//! (Gymnasium 1.4.0); `crate/tests/gym_replay.rs` replays Gymnasium's own trajectories against it. The state is
//! kept in `f64` as Gymnasium keeps it and the observation is its `f32` cast, as Gymnasium returns it.

use core::f64::consts::PI;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::classic::EpisodeTally;
use super::registry::Scenario;
use super::info::ScenarioInfo;
use super::{
    Action, ActionSpace, Baselines, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step,
};
use crate::error::{Result, check_count, check_range};
use crate::rng::{Rng, Stream};
use crate::stats::Goal;

/// Torque on the second joint for actions 0, 1 and 2 (N·m) — Gymnasium's `AVAIL_TORQUE`.
pub const TORQUES_N_M: [f64; 3] = [-1.0, 0.0, 1.0];

/// Everything that defines an `acrobot` run except the episode seed. Defaults are Gymnasium's Acrobot-v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AcrobotConfig {
    /// Integration time step, one Runge–Kutta step per action (s).
    pub dt_s: f64,
    /// Gravitational acceleration (m/s²).
    pub gravity_m_s2: f64,
    /// Length of the first link (m).
    pub link_length_1_m: f64,
    /// Length of the second link (m); it only changes the drawing, as in Gymnasium.
    pub link_length_2_m: f64,
    /// Mass of the first link (kg).
    pub link_mass_1_kg: f64,
    /// Mass of the second link (kg).
    pub link_mass_2_kg: f64,
    /// Distance of the first link's centre of mass from the pivot (m).
    pub link_com_1_m: f64,
    /// Distance of the second link's centre of mass from the joint (m).
    pub link_com_2_m: f64,
    /// Moment of inertia of each link (kg·m²).
    pub link_moi_kg_m2: f64,
    /// The first joint's angular velocity is clipped to `±max_velocity_1_rad_s`.
    pub max_velocity_1_rad_s: f64,
    /// The second joint's angular velocity is clipped to `±max_velocity_2_rad_s`.
    pub max_velocity_2_rad_s: f64,
    /// Uniform noise on `(−torque_noise_max_n_m, torque_noise_max_n_m)` added to every torque (N·m); 0 is
    /// Gymnasium's default (no noise).
    pub torque_noise_max_n_m: f64,
    /// Each component of the initial state is uniform on `(−reset_bound, reset_bound)`.
    pub reset_bound: f64,
    /// Time limit: the episode is truncated after this many steps.
    pub max_episode_steps: u32,
}

impl Default for AcrobotConfig {
    fn default() -> Self {
        Self {
            dt_s: 0.2,
            gravity_m_s2: 9.8,
            link_length_1_m: 1.0,
            link_length_2_m: 1.0,
            link_mass_1_kg: 1.0,
            link_mass_2_kg: 1.0,
            link_com_1_m: 0.5,
            link_com_2_m: 0.5,
            link_moi_kg_m2: 1.0,
            max_velocity_1_rad_s: 4.0 * PI,
            max_velocity_2_rad_s: 9.0 * PI,
            torque_noise_max_n_m: 0.0,
            reset_bound: 0.1,
            max_episode_steps: 500,
        }
    }
}

impl AcrobotConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        // Strictly positive quantities get a small positive floor so that no division comes near zero; the
        // upper bounds keep one Runge–Kutta step far from overflow.
        check_range("dt_s", self.dt_s, 1.0e-6, 1.0)?;
        check_range("gravity_m_s2", self.gravity_m_s2, 0.0, 1.0e3)?;
        check_range("link_length_1_m", self.link_length_1_m, 1.0e-3, 1.0e2)?;
        check_range("link_length_2_m", self.link_length_2_m, 1.0e-3, 1.0e2)?;
        check_range("link_mass_1_kg", self.link_mass_1_kg, 1.0e-3, 1.0e3)?;
        check_range("link_mass_2_kg", self.link_mass_2_kg, 1.0e-3, 1.0e3)?;
        check_range("link_com_1_m", self.link_com_1_m, 1.0e-3, 1.0e2)?;
        check_range("link_com_2_m", self.link_com_2_m, 1.0e-3, 1.0e2)?;
        check_range("link_moi_kg_m2", self.link_moi_kg_m2, 1.0e-3, 1.0e3)?;
        check_range("max_velocity_1_rad_s", self.max_velocity_1_rad_s, 1.0e-3, 1.0e3)?;
        check_range("max_velocity_2_rad_s", self.max_velocity_2_rad_s, 1.0e-3, 1.0e3)?;
        check_range("torque_noise_max_n_m", self.torque_noise_max_n_m, 0.0, 1.0e3)?;
        check_range("reset_bound", self.reset_bound, 0.0, PI)?;
        check_count("max_episode_steps", u64::from(self.max_episode_steps), 1, 1_000_000)
    }
}

/// The acrobot state `[θ1, θ2, θ̇1, θ̇2]`: the first link's angle from hanging straight down, the second
/// link's angle relative to the first (rad, wrapped to `[−π, π]`), and their angular velocities (rad/s) —
/// Gymnasium's `state`.
pub type AcrobotState = [f64; 4];

/// What the front end draws for `acrobot`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AcrobotSnapshot {
    /// First link's angle from hanging straight down (rad).
    pub theta_1_rad: f64,
    /// Second link's angle relative to the first (rad).
    pub theta_2_rad: f64,
    /// First joint's angular velocity (rad/s).
    pub theta_1_dot_rad_s: f64,
    /// Second joint's angular velocity (rad/s).
    pub theta_2_dot_rad_s: f64,
    /// Torque of the last step, noise included (N·m; 0 before the first step).
    pub torque_n_m: f64,
    /// Length of the first link (m).
    pub link_length_1_m: f64,
    /// Length of the second link (m).
    pub link_length_2_m: f64,
    /// Steps, return and how the episode ended.
    pub episode: EpisodeTally,
}

/// The `acrobot` environment.
#[derive(Debug, Clone)]
pub struct AcrobotEnv {
    config: AcrobotConfig,
    state: AcrobotState,
    torque_n_m: f64,
    tally: EpisodeTally,
    /// Draws of the torque noise (the episode stream, after the initial state's draws).
    noise: Rng,
    obs: [f32; 6],
}

impl AcrobotEnv {
    /// Builds the environment (validating the config) and starts episode seed 0.
    pub fn new(config: AcrobotConfig) -> Result<Self> {
        config.validate()?;
        let mut env = Self {
            config,
            state: [0.0; 4],
            torque_n_m: 0.0,
            tally: EpisodeTally::default(),
            noise: Rng::new(0, Stream::Episode),
            obs: [0.0; 6],
        };
        env.reset(0);
        Ok(env)
    }

    /// The exact state `[θ1, θ2, θ̇1, θ̇2]`.
    pub fn state(&self) -> AcrobotState {
        self.state
    }

    /// Starts an episode from exactly `state` instead of a random draw — for replaying recorded trajectories
    /// (Gymnasium's, in the replay test) and for tests that need a particular state. Torque noise, if any,
    /// continues the stream of the last [`Env::reset`].
    pub fn reset_to_state(&mut self, state: AcrobotState) {
        self.state = state;
        self.torque_n_m = 0.0;
        self.tally = EpisodeTally::default();
        self.write_observation();
    }

    /// Gymnasium's `_dsdt` ("book" dynamics): the time derivative of `s` under `torque`.
    fn derivatives(&self, s: AcrobotState, torque: f64) -> AcrobotState {
        let c = &self.config;
        let (m1, m2, l1) = (c.link_mass_1_kg, c.link_mass_2_kg, c.link_length_1_m);
        let (lc1, lc2, i1, i2, g) =
            (c.link_com_1_m, c.link_com_2_m, c.link_moi_kg_m2, c.link_moi_kg_m2, c.gravity_m_s2);
        let [theta1, theta2, dtheta1, dtheta2] = s;
        let (sin2, cos2) = (libm::sin(theta2), libm::cos(theta2));
        let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2.0 * l1 * lc2 * cos2) + i1 + i2;
        let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + i2;
        let phi2 = m2 * lc2 * g * libm::cos(theta1 + theta2 - PI / 2.0);
        let phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 - 2.0 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
            + (m1 * lc1 + m2 * l1) * g * libm::cos(theta1 - PI / 2.0)
            + phi2;
        let ddtheta2 = (torque + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2)
            / (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1);
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        [dtheta1, dtheta2, ddtheta1, ddtheta2]
    }

    /// One classical Runge–Kutta step of `dt_s` from `s` (Gymnasium's `rk4` over `[0, dt]`).
    fn runge_kutta(&self, s: AcrobotState, torque: f64) -> AcrobotState {
        let dt = self.config.dt_s;
        let dt2 = dt / 2.0;
        let along = |k: &AcrobotState, h: f64| core::array::from_fn(|i| s[i] + h * k[i]);
        let k1 = self.derivatives(s, torque);
        let k2 = self.derivatives(along(&k1, dt2), torque);
        let k3 = self.derivatives(along(&k2, dt2), torque);
        let k4 = self.derivatives(along(&k3, dt), torque);
        core::array::from_fn(|i| s[i] + dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
    }

    /// Gymnasium's termination rule: the free end more than 1 above the pivot, counted in unit-length links
    /// (`−cos θ1 − cos(θ1 + θ2) > 1`) whatever the configured lengths, as in Gymnasium.
    fn is_terminal(state: &AcrobotState) -> bool {
        -libm::cos(state[0]) - libm::cos(state[1] + state[0]) > 1.0
    }

    fn write_observation(&mut self) {
        let [theta1, theta2, dtheta1, dtheta2] = self.state;
        let values = [libm::cos(theta1), libm::sin(theta1), libm::cos(theta2), libm::sin(theta2), dtheta1, dtheta2];
        self.obs = values.map(|v| v as f32);
    }

    /// Gymnasium's Acrobot-v1 `observation_space`, from this config: cosines and sines within `[−1, 1]`,
    /// each velocity within its clip `±max_velocity_*_rad_s` (Gymnasium's `4π` and `9π` by default) — or
    /// within `±reset_bound`, the start's draw, where that is wider (the clip applies only from the first
    /// step on).
    fn observation_bounds(&self) -> ObservationSpace {
        let c = &self.config;
        let velocity = |max_rad_s: f64| {
            let v = max_rad_s.max(c.reset_bound) as f32;
            (-v, v)
        };
        let unit = (-1.0, 1.0);
        ObservationSpace::from_bounds([
            unit,
            unit,
            unit,
            unit,
            velocity(c.max_velocity_1_rad_s),
            velocity(c.max_velocity_2_rad_s),
        ])
    }
}

/// Beyond this many turns outside the range, [`wrap`] takes a remainder before Gymnasium's loop.
const WRAP_LOOP_TURNS: f64 = 1000.0;

/// Gymnasium's `wrap`: shifts `x` by whole turns into `[lo, hi]`, by repeated subtraction as Gymnasium does
/// (which rounds differently from a remainder). Only an `x` so far out that the loop would take (nearly)
/// forever — possible under extreme configs — is first brought near the range by a remainder; an infinite or
/// NaN `x` is returned as it is.
fn wrap(mut x: f64, lo: f64, hi: f64) -> f64 {
    let turn = hi - lo;
    if !x.is_finite() {
        return x;
    }
    if (x - lo).abs() > WRAP_LOOP_TURNS * turn {
        x = lo + libm::fmod(x - lo, turn);
    }
    while x > hi {
        x -= turn;
    }
    while x < lo {
        x += turn;
    }
    x
}

/// Gymnasium's Acrobot-v1, the learners' sanity task: no paper, so D2SAC learns it.
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Acrobot,
    title: "Acrobot-v1 (Gymnasium), the learners' sanity task",
    heuristics: &["random", "energy_pump"],
    start_heuristic: "random",
    cheapest_heuristic: "energy_pump",
    paper_algorithm: "d2sac",
    main_metric: "total_reward",
    goal: Goal::Maximise,
    paper_figures: &[],
    has_world: false,
    measurements: None,
    legacy_fields: &[],
};

impl Scenario for AcrobotConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(AcrobotEnv::new(self.clone())?))
    }
}

impl Env for AcrobotEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Acrobot
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: TORQUES_N_M.len() }
    }

    fn reset(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        let bound = self.config.reset_bound;
        // Gymnasium draws the initial state in float32 precision (`.astype(np.float32)`); so do we.
        let state = core::array::from_fn(|_| f64::from(rng.uniform_in(-bound, bound) as f32));
        self.noise = rng;
        self.reset_to_state(state);
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    /// Action 0 applies torque −1 to the second joint, 1 none, 2 +1.
    fn step(&mut self, action: &Action) -> Result<Step> {
        let index = action.index_below(TORQUES_N_M.len())?;
        self.tally.check_running()?;
        let c = &self.config;
        let mut torque = TORQUES_N_M[index];
        if c.torque_noise_max_n_m > 0.0 {
            torque += self.noise.uniform_in(-c.torque_noise_max_n_m, c.torque_noise_max_n_m);
        }
        let [theta1, theta2, dtheta1, dtheta2] = self.runge_kutta(self.state, torque);
        self.state = [
            wrap(theta1, -PI, PI),
            wrap(theta2, -PI, PI),
            dtheta1.max(-c.max_velocity_1_rad_s).min(c.max_velocity_1_rad_s),
            dtheta2.max(-c.max_velocity_2_rad_s).min(c.max_velocity_2_rad_s),
        ];
        self.torque_n_m = torque;
        self.write_observation();
        let terminated = Self::is_terminal(&self.state);
        let reward = if terminated { 0.0 } else { -1.0 };
        Ok(self.tally.record(reward, terminated, self.config.max_episode_steps))
    }

    fn is_done(&self) -> bool {
        self.tally.is_done()
    }

    fn metrics(&self) -> Metrics {
        self.tally.metrics()
    }

    fn snapshot(&self) -> Snapshot {
        let [theta_1_rad, theta_2_rad, theta_1_dot_rad_s, theta_2_dot_rad_s] = self.state;
        Snapshot::Acrobot(AcrobotSnapshot {
            theta_1_rad,
            theta_2_rad,
            theta_1_dot_rad_s,
            theta_2_dot_rad_s,
            torque_n_m: self.torque_n_m,
            link_length_1_m: self.config.link_length_1_m,
            link_length_2_m: self.config.link_length_2_m,
            episode: self.tally,
        })
    }
}

impl Baselines for AcrobotEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let dtheta2 = self.state[3];
        let index = match heuristic {
            0 => state.rng.below(TORQUES_N_M.len() as u64) as usize,
            // Energy pumping: torque along the second joint's motion feeds the swing.
            _ if dtheta2 > 0.0 => 2,
            _ if dtheta2 < 0.0 => 0,
            _ => 1,
        };
        Action::Discrete(index)
    }
}

#[cfg(test)]
mod tests;
