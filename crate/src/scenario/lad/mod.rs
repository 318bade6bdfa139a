//! `lad`: offloading AIGC tasks among edge servers (Xu et al., LAD-TS / DEdgeAI; seed 001).
//!
//! `B` base stations, each with an edge server, receive AIGC tasks slot by slot. Each task is sent to one
//! server `j`; it waits for the work queued there, runs for `ρ_n·z_n / f_j`, and pays the transfers: the
//! input only when off-loaded (`j ≠ b`), the result always. The reward is minus that service delay. The
//! spec is `design/environments.md`, section `lad`; the DEdgeAI reference code settles what the paper
//! leaves open.
//!
//! # Readings
//!
//! - **Decision slots.** An episode has `slots` (60) slots but, as in the reference (`range(time_slots − 1)`),
//!   tasks are decided in slots `0..slots−1` only: 59 slots by default. Within a slot, base stations decide in
//!   order `b = 0..B−1`, each its tasks `n = 0..N_{b,t}−1`. The end-of-slot queue update
//!   `Q_{t+1}[j] = max(Q_t[j] + P_t[j] − f_j·Δ, 0)` runs right after the slot's last decision (also after the
//!   episode's last one, so the final snapshot shows the drained queues).
//! - **Task attributes.** `per_index` (default): `ρ_n`, `z_n`, `d̃_n` come from the world, keyed by the task's
//!   index `n` within its slot; `per_task` draws them afresh per task from the config's ranges (episode stream).
//! - **Observation** `raw`: `[d, ρ_n·z_n, Q_t[0..B)]` in raw units (Mbit, Gcycles, Gcycles): the backlog at
//!   the start of the slot, without the work `P_t` assigned during the slot, exactly as the reference
//!   observes it. `normalized`: `d / d_max`, `ρ_n·z_n / (ρ_max·z_max)` (the config's range maxima) and
//!   `Q_t[j] / (f_j·Δ)` (backlog in slots of that server's work).
//! - **Observation** `load` (the default; `docs/readings.md`, `lad`): what a task would wait for, now. The
//!   reference's `Q_t` is the backlog at the start of the slot, but some 500 tasks are decided within a slot,
//!   so the work `P_t` assigned since (more than a slot's capacity of all servers together) is invisible: the
//!   agents pile onto the servers that looked empty at the slot's start, and their delay ends near a random
//!   policy's. `load` is `[d / d_max, ρ_n·z_n / (ρ_max·z_max)]`, per server the wait `W_j = (Q_t[j] +
//!   P_t[j]) / f_j` above the smallest, `(W_j − min_k W_k)/Δ`, then `min_k W_k / (slots·Δ)`, the deciding base
//!   station one-hot (`B` values) and the slot `/ slots`: `2B + 4` values. (Relative waits keep the critic's
//!   job linear: a task's delay is its server's wait plus a little.)
//! - **Agents and latent actions.** [`Env::agents`] is `B` with `agent_mode = "per_server"` (the paper's
//!   distributed design: the deciding base station's agent) and 1 with `"shared"`. [`Env::positions`] is
//!   `(slots−1)·B·N_max` and the pending decision's position is `(t·B + b)·N_max + n`, the same in every
//!   episode. The latent-action store (a vector per position, drawn `N(0, I)` once per run, overwritten with
//!   the agent's output probabilities, kept across episodes) belongs to the learner; the environment only
//!   provides these keys.
//! - **Metrics.** `p95_delay_s` is the nearest-rank 95th percentile of the decided tasks' delays. Server `j`'s
//!   load is the work assigned to it over the slots begun so far divided by what it can process in them,
//!   `Σ ρ·z / (f_j·Δ·slots)`; 1 means exactly saturated. `load_mean/max/min` summarise it over servers
//!   (the snapshot has every server's).
//! - **Ties.** `least_loaded` and `opt` take the lowest index among equals (the reference's strict `<`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::registry::Scenario;
use super::info::{JsonLiteral, LegacyField, PaperFigure, ReplacedFlag, ScenarioInfo};
use super::range::{IntRange, Uniform};
use super::{
    Action, ActionSpace, Baselines, DecisionKey, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot,
    Step, argmin,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::params::ParamFile;
pub use crate::params::lad::{LadParams, MAX_SERVERS, MAX_TASK_INDICES, Server, TaskProfile};
use crate::rng::{Rng, Stream};
use crate::spaces::rounded_sum_max;
use crate::stats::Goal;

/// Most decision positions an episode may have (`(slots−1)·B·N_max`), which bounds the tasks held per
/// episode and a learner's latent-action store.
pub const MAX_POSITIONS: u64 = 5_000_000;

/// Where a task's compute density, quality demand and result size come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAttributes {
    /// The world's attributes of the task's index within its slot (the reference code).
    PerIndex,
    /// A fresh draw for every task from the config's ranges.
    PerTask,
}

/// Who decides: one agent per base station, or one shared by all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentMode {
    /// The deciding base station's own agent (the paper's distributed design).
    PerServer,
    /// One agent for every decision.
    Shared,
}

/// Everything that defines a `lad` run except the episode seed. Defaults are the paper's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LadConfig {
    /// Seed of the world draw (servers and per-index task attributes), used when `world` is absent.
    pub world_seed: u64,
    /// A fixed world (parameter file) instead of a drawn one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<LadParams>,
    /// Number of base stations / edge servers `B` of a drawn world.
    pub servers: u32,
    /// Server capacity `f_b` (GHz), uniform integer.
    pub capacity_ghz: IntRange,
    /// Link rate `r_b` (Mbit/s), uniform integer.
    pub link_rate_mbit_s: IntRange,
    /// Compute density `ρ_n` (Gcycles per step).
    pub compute_density_gcycles_per_step: Uniform,
    /// Quality demand `z_n` (denoising steps), uniform integer.
    pub quality_steps: IntRange,
    /// Result size `d̃_n` (Mbit).
    pub result_size_mbit: Uniform,
    /// Whether task attributes are keyed by index within the slot (world) or drawn per task.
    pub task_attributes: TaskAttributes,
    /// Slots per episode; tasks are decided in the first `slots − 1`.
    pub slots: u32,
    /// Slot length `Δ` (s).
    pub slot_s: f64,
    /// Tasks `N_{b,t}` a base station receives per slot, uniform integer; `max` is `N_max`.
    pub tasks_per_slot: IntRange,
    /// Task input size `d` (Mbit).
    pub task_size_mbit: Uniform,
    /// One agent per base station or one shared agent.
    pub agent_mode: AgentMode,
    /// What the agents observe (see the module docs): the reference's raw or scaled slot-start backlog, or
    /// (default) the current wait at every server.
    pub observation: LadObservation,
}

/// What the agents observe in `lad` (see the module's Readings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LadObservation {
    /// `[d, ρ·z, Q_t]` in Mbit and Gcycles, as the reference code.
    Raw,
    /// `[d, ρ·z, Q_t]` scaled by the ranges' maxima and each server's work per slot.
    Normalized,
    /// The task, each server's current wait above the smallest, the smallest, the deciding base station
    /// and the slot.
    Load,
}

impl Default for LadConfig {
    fn default() -> Self {
        Self {
            world_seed: 0,
            world: None,
            servers: 20,
            capacity_ghz: IntRange::new(10, 50),
            link_rate_mbit_s: IntRange::new(400, 500),
            compute_density_gcycles_per_step: Uniform::new(0.1024, 0.3072),
            quality_steps: IntRange::new(1, 14),
            result_size_mbit: Uniform::new(0.6, 1.0),
            task_attributes: TaskAttributes::PerIndex,
            slots: 60,
            slot_s: 1.0,
            tasks_per_slot: IntRange::new(1, 50),
            task_size_mbit: Uniform::new(2.0, 5.0),
            agent_mode: AgentMode::PerServer,
            observation: LadObservation::Load,
        }
    }
}

impl LadConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("servers", u64::from(self.servers), 1, MAX_SERVERS)?;
        self.capacity_ghz.validate("capacity_ghz", 1, 1_000_000)?;
        self.link_rate_mbit_s.validate("link_rate_mbit_s", 1, 1_000_000_000)?;
        self.compute_density_gcycles_per_step.validate("compute_density_gcycles_per_step", 1.0e-6, 1.0e6)?;
        self.quality_steps.validate("quality_steps", 1, 1_000_000)?;
        self.result_size_mbit.validate("result_size_mbit", 0.0, 1.0e6)?;
        check_count("slots", u64::from(self.slots), 2, 100_000)?;
        check_range("slot_s", self.slot_s, 1.0e-3, 1.0e6)?;
        self.tasks_per_slot.validate("tasks_per_slot", 1, MAX_TASK_INDICES as u32)?;
        self.task_size_mbit.validate("task_size_mbit", 0.0, 1.0e6)?;
        if let Some(world) = &self.world {
            world.validate().map_err(|e| e.within("world"))?;
            let described = world.per_index.len();
            if self.task_attributes == TaskAttributes::PerIndex && (self.tasks_per_slot.max as usize) > described {
                return Err(Error::new(
                    "tasks_per_slot.max",
                    format!(
                        "is {}, but world.per_index describes only {described} task indices",
                        self.tasks_per_slot.max
                    ),
                ));
            }
        }
        let servers = self.world.as_ref().map_or(self.servers as u64, |w| w.servers.len() as u64);
        let positions = u64::from(self.slots - 1) * servers * u64::from(self.tasks_per_slot.max);
        if positions > MAX_POSITIONS {
            return Err(Error::new(
                "slots",
                format!(
                    "({}) − 1 times {servers} servers times tasks_per_slot.max ({}) gives {positions} decision \
                     positions; at most {MAX_POSITIONS} are allowed",
                    self.slots, self.tasks_per_slot.max
                ),
            ));
        }
        Ok(())
    }

    /// The world this config runs on: the fixed one if given, else the draw from `world_seed`.
    pub fn resolve_world(&self) -> LadParams {
        self.world.clone().unwrap_or_else(|| self.draw_world(self.world_seed))
    }

    /// Draws a world from this config's ranges with `seed`: `servers` servers and `tasks_per_slot.max`
    /// task indices.
    pub fn draw_world(&self, seed: u64) -> LadParams {
        let mut rng = Rng::new(seed, Stream::World);
        let b = self.servers as usize;
        let n_max = self.tasks_per_slot.max as usize;
        // Same order as the reference: every capacity, every link rate, then each attribute for all indices.
        let capacities: Vec<u32> = (0..b).map(|_| self.capacity_ghz.draw(&mut rng)).collect();
        let rates: Vec<u32> = (0..b).map(|_| self.link_rate_mbit_s.draw(&mut rng)).collect();
        let servers = capacities
            .iter()
            .zip(&rates)
            .map(|(&f, &r)| Server { capacity_ghz: f64::from(f), link_rate_mbit_s: f64::from(r) })
            .collect();
        let densities: Vec<f64> = (0..n_max).map(|_| self.compute_density_gcycles_per_step.draw(&mut rng)).collect();
        let steps: Vec<u32> = (0..n_max).map(|_| self.quality_steps.draw(&mut rng)).collect();
        let per_index = densities
            .iter()
            .zip(&steps)
            .map(|(&rho, &z)| TaskProfile {
                compute_density_gcycles_per_step: rho,
                quality_steps: z,
                result_size_mbit: self.result_size_mbit.draw(&mut rng),
            })
            .collect();
        LadParams {
            schema: LadParams::SCHEMA.to_owned(),
            source: Some(format!("drawn with world seed {seed}")),
            servers,
            per_index,
        }
    }

    fn draw_profile(&self, rng: &mut Rng) -> TaskProfile {
        TaskProfile {
            compute_density_gcycles_per_step: self.compute_density_gcycles_per_step.draw(rng),
            quality_steps: self.quality_steps.draw(rng),
            result_size_mbit: self.result_size_mbit.draw(rng),
        }
    }
}

/// One task of the episode, in decision order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Task {
    slot: u32,
    source: u32,
    index: u32,
    size_mbit: f64,
    profile: TaskProfile,
}

/// The parts of a task's service delay on one server (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DelayParts {
    /// Waiting for the work queued there: `(Q_t[j] + P_t[j]) / f_j`.
    pub wait_s: f64,
    /// Computing: `ρ_n·z_n / f_j`.
    pub compute_s: f64,
    /// Transfers: the input `d / r_j` when off-loaded, plus the result `d̃_n / r_j`.
    pub transfer_s: f64,
}

impl DelayParts {
    /// The service delay `wait + compute + transfer`.
    pub fn total_s(&self) -> f64 {
        self.wait_s + self.compute_s + self.transfer_s
    }
}

/// The last decision, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LadDecision {
    /// Slot of the decided task.
    pub slot: u32,
    /// Base station it arrived at.
    pub source: u32,
    /// Its index within the slot at that base station.
    pub index: u32,
    /// Server it was sent to.
    pub destination: u32,
    /// The delay's parts.
    pub delay: DelayParts,
    /// The service delay (s).
    pub delay_s: f64,
    /// The reward, `−delay_s`.
    pub reward: f64,
}

/// One base station / edge server as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ServerView {
    /// Capacity `f_b` (GHz).
    pub capacity_ghz: f64,
    /// Link rate `r_b` (Mbit/s).
    pub link_rate_mbit_s: f64,
    /// Backlog `Q_t` at the start of the slot (Gcycles).
    pub backlog_gcycles: f64,
    /// Work `P_t` assigned so far this slot (Gcycles).
    pub slot_work_gcycles: f64,
    /// What a task sent here now would wait, `(Q_t + P_t) / f` (s).
    pub queue_s: f64,
    /// Tasks assigned to it this slot.
    pub slot_tasks: u32,
    /// Tasks assigned to it this episode.
    pub total_tasks: u32,
    /// Its load so far (see the module docs).
    pub load: f64,
}

/// The task waiting for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PendingTask {
    /// Its slot.
    pub slot: u32,
    /// The base station it arrived at (the deciding one).
    pub source: u32,
    /// Its index within the slot at that base station.
    pub index: u32,
    /// Input size `d` (Mbit).
    pub size_mbit: f64,
    /// Its attributes.
    pub profile: TaskProfile,
    /// Workload `ρ_n·z_n` (Gcycles).
    pub work_gcycles: f64,
    /// Which agent decides it, and its position.
    pub key: DecisionKey,
}

/// Episode sums.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct LadTotals {
    /// Sum of rewards.
    pub total_reward: f64,
    /// Sum of waiting times (s).
    pub wait_s: f64,
    /// Sum of computing times (s).
    pub compute_s: f64,
    /// Sum of transfer times (s).
    pub transfer_s: f64,
    /// Tasks sent to a server other than their own base station's.
    pub offloaded: u32,
}

/// What the front end draws for `lad`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LadSnapshot {
    /// The current slot (`decision_slots` once the episode has ended).
    pub slot: u32,
    /// Slots with decisions.
    pub decision_slots: u32,
    /// Tasks in the episode.
    pub tasks_total: u32,
    /// Tasks decided so far.
    pub decided: u32,
    /// The servers.
    pub servers: Vec<ServerView>,
    /// The task awaiting a decision (its source is the deciding base station), if any.
    pub pending: Option<PendingTask>,
    /// The last decision (source → destination), if any.
    pub last: Option<LadDecision>,
    /// Episode sums.
    pub totals: LadTotals,
}

/// The `lad` environment.
#[derive(Debug, Clone)]
pub struct LadEnv {
    config: LadConfig,
    servers: Vec<Server>,
    per_index: Vec<TaskProfile>,
    tasks_max: usize,
    decision_slots: u32,
    tasks: Vec<Task>,
    next: usize,
    backlog_gcycles: Vec<f64>,
    slot_work_gcycles: Vec<f64>,
    total_work_gcycles: Vec<f64>,
    slot_tasks: Vec<u32>,
    total_tasks: Vec<u32>,
    counts: Vec<u32>,
    delays_s: Vec<f64>,
    totals: LadTotals,
    last: Option<LadDecision>,
    /// Divisors of the observation's entries (1 for raw units).
    size_scale: f64,
    work_scale: f64,
    queue_scale: Vec<f64>,
    obs: Vec<f32>,
}

impl LadEnv {
    /// Builds the environment (validating the config); call [`Env::reset`] before stepping.
    pub fn new(config: LadConfig) -> Result<Self> {
        config.validate()?;
        let world = config.resolve_world();
        let b = world.servers.len();
        let (size_scale, work_scale, queue_scale) = match config.observation {
            LadObservation::Raw => (1.0, 1.0, vec![1.0; b]),
            LadObservation::Normalized | LadObservation::Load => {
                let work_max = config.compute_density_gcycles_per_step.max * f64::from(config.quality_steps.max);
                let queue = world.servers.iter().map(|s| s.capacity_ghz * config.slot_s).collect();
                (config.task_size_mbit.max, work_max, queue)
            }
        };
        let obs_len = match config.observation {
            LadObservation::Raw | LadObservation::Normalized => 2 + b,
            LadObservation::Load => 2 * b + 4,
        };
        let mut env = Self {
            tasks_max: config.tasks_per_slot.max as usize,
            decision_slots: config.slots - 1,
            servers: world.servers,
            per_index: world.per_index,
            config,
            tasks: Vec::new(),
            next: 0,
            backlog_gcycles: vec![0.0; b],
            slot_work_gcycles: vec![0.0; b],
            total_work_gcycles: vec![0.0; b],
            slot_tasks: vec![0; b],
            total_tasks: vec![0; b],
            counts: vec![0; b],
            delays_s: Vec::new(),
            totals: LadTotals::default(),
            last: None,
            size_scale,
            work_scale,
            queue_scale,
            obs: vec![0.0; obs_len],
        };
        env.reset(0);
        Ok(env)
    }

    /// The servers of this world.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// The backlog `Q_t` of every server at the start of the current slot (Gcycles).
    pub fn backlog_gcycles(&self) -> &[f64] {
        &self.backlog_gcycles
    }

    /// The work `P_t` assigned to every server so far in the current slot (Gcycles).
    pub fn slot_work_gcycles(&self) -> &[f64] {
        &self.slot_work_gcycles
    }

    /// The service delays of the tasks decided so far, in decision order (s).
    pub fn delays_s(&self) -> &[f64] {
        &self.delays_s
    }

    /// Tasks in the episode.
    pub fn tasks_total(&self) -> usize {
        self.tasks.len()
    }

    /// Episode sums.
    pub fn totals(&self) -> LadTotals {
        self.totals
    }

    /// What the pending task's delay would be on server `j` (`None` once the episode has ended).
    pub fn delay_if(&self, j: usize) -> Option<DelayParts> {
        self.tasks.get(self.next).map(|t| self.delay_parts(t, j))
    }

    fn delay_parts(&self, task: &Task, j: usize) -> DelayParts {
        let server = &self.servers[j];
        let upload_s = if j == task.source as usize { 0.0 } else { task.size_mbit / server.link_rate_mbit_s };
        DelayParts {
            wait_s: (self.backlog_gcycles[j] + self.slot_work_gcycles[j]) / server.capacity_ghz,
            compute_s: task.profile.work_gcycles() / server.capacity_ghz,
            transfer_s: upload_s + task.profile.result_size_mbit / server.link_rate_mbit_s,
        }
    }

    /// `Q_{t+1}[j] = max(Q_t[j] + P_t[j] − f_j·Δ, 0)`, and a fresh slot.
    fn end_slot(&mut self) {
        for (j, server) in self.servers.iter().enumerate() {
            let left = self.backlog_gcycles[j] + self.slot_work_gcycles[j] - server.capacity_ghz * self.config.slot_s;
            self.backlog_gcycles[j] = left.max(0.0);
        }
        self.slot_work_gcycles.fill(0.0);
        self.slot_tasks.fill(0);
    }

    /// Slots in which tasks have been decided so far.
    fn slots_begun(&self) -> u32 {
        self.next.checked_sub(1).map_or(0, |k| self.tasks[k].slot + 1)
    }

    fn load(&self, j: usize) -> f64 {
        match self.slots_begun() {
            0 => 0.0,
            slots => {
                self.total_work_gcycles[j] / (self.servers[j].capacity_ghz * self.config.slot_s * f64::from(slots))
            }
        }
    }

    fn key_of(&self, task: &Task) -> DecisionKey {
        let agent = match self.config.agent_mode {
            AgentMode::PerServer => task.source as usize,
            AgentMode::Shared => 0,
        };
        let b = self.servers.len();
        DecisionKey {
            agent,
            position: (task.slot as usize * b + task.source as usize) * self.tasks_max + task.index as usize,
        }
    }

    fn write_observation(&mut self) {
        let task = self.tasks.get(self.next);
        let (size, work) = task.map_or((0.0, 0.0), |t| (t.size_mbit, t.profile.work_gcycles()));
        self.obs[0] = (size / self.size_scale) as f32;
        self.obs[1] = (work / self.work_scale) as f32;
        let b = self.servers.len();
        if self.config.observation != LadObservation::Load {
            for (j, q) in self.backlog_gcycles.iter().enumerate() {
                self.obs[2 + j] = (q / self.queue_scale[j]) as f32;
            }
            return;
        }
        let wait_s = |j: usize| (self.backlog_gcycles[j] + self.slot_work_gcycles[j]) / self.servers[j].capacity_ghz;
        let least_s = (0..b).map(wait_s).fold(f64::INFINITY, f64::min);
        let slot_s = self.config.slot_s;
        for j in 0..b {
            self.obs[2 + j] = ((wait_s(j) - least_s) / slot_s) as f32;
        }
        let slots = f64::from(self.config.slots);
        self.obs[2 + b] = (least_s / (slots * slot_s)) as f32;
        let source = &mut self.obs[3 + b..3 + 2 * b];
        source.fill(0.0);
        if let Some(t) = task {
            source[t.source as usize] = 1.0;
        }
        self.obs[3 + 2 * b] = task.map_or(1.0, |t| f64::from(t.slot) / slots) as f32;
    }

    /// The bounds of [`Self::write_observation`]'s features. The task's size and work are at most the largest a
    /// task can have: `task_size_mbit.max`, and `ρ·z` of the world's task indices in use (`per_index`) or of
    /// the ranges' maxima (`per_task`); both 0 once done. A backlog or wait is at most the whole episode's work
    /// (every task of every decision slot at every base station, each of the largest work) at one server;
    /// the smallest wait, at most that work at the fastest server. The one-hot and the slot share are in
    /// `[0, 1]`. Draws and sums get [`rounded_sum_max`]'s room for their rounding.
    fn observation_bounds(&self) -> ObservationSpace {
        let c = &self.config;
        let b = self.servers.len();
        let task_work = match c.task_attributes {
            TaskAttributes::PerIndex => {
                self.per_index[..self.tasks_max].iter().map(TaskProfile::work_gcycles).fold(0.0, f64::max)
            }
            TaskAttributes::PerTask => c.compute_density_gcycles_per_step.max * f64::from(c.quality_steps.max),
        };
        let (size_max, work_max) = (rounded_sum_max(c.task_size_mbit.max, 2.0), rounded_sum_max(task_work, 2.0));
        let tasks = f64::from(self.decision_slots) * b as f64 * self.tasks_max as f64;
        let episode_work = rounded_sum_max(tasks * work_max, 2.0 * (tasks + f64::from(c.slots)) + 2.0);
        let task = [(0.0, (size_max / self.size_scale) as f32), (0.0, (work_max / self.work_scale) as f32)];
        let unit = (0.0, 1.0);
        let per_server: Vec<(f32, f32)> = match c.observation {
            LadObservation::Raw | LadObservation::Normalized => {
                self.queue_scale.iter().map(|scale| (0.0, (episode_work / scale) as f32)).collect()
            }
            LadObservation::Load => {
                let waits = self.servers.iter().map(|s| (0.0, (episode_work / s.capacity_ghz / c.slot_s) as f32));
                let fastest = self.servers.iter().map(|s| s.capacity_ghz).fold(0.0, f64::max);
                let least = (0.0, (episode_work / fastest / (f64::from(c.slots) * c.slot_s)) as f32);
                waits.chain([least]).chain(core::iter::repeat_n(unit, b)).chain([unit]).collect()
            }
        };
        ObservationSpace::from_bounds(task.into_iter().chain(per_server))
    }

    /// Draws the episode's tasks: per slot, every base station's count, then each station's tasks in turn
    /// (the reference's order).
    fn draw_tasks(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        self.tasks.clear();
        for slot in 0..self.decision_slots {
            for count in &mut self.counts {
                *count = self.config.tasks_per_slot.draw(&mut rng);
            }
            for (source, &count) in self.counts.iter().enumerate() {
                for index in 0..count {
                    let size_mbit = self.config.task_size_mbit.draw(&mut rng);
                    let profile = match self.config.task_attributes {
                        TaskAttributes::PerIndex => self.per_index[index as usize],
                        TaskAttributes::PerTask => self.config.draw_profile(&mut rng),
                    };
                    self.tasks.push(Task { slot, source: source as u32, index, size_mbit, profile });
                }
            }
        }
    }
}

/// The LAD-TS paper's scenario and its figure (Fig. 5: converged mean delay).
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Lad,
    title: "offloading AIGC tasks among 20 edge servers (LAD-TS, Xu et al.)",
    heuristics: &["random", "round_robin", "local", "least_loaded", "opt"],
    start_heuristic: "opt",
    cheapest_heuristic: "local",
    paper_algorithm: "lad",
    main_metric: "mean_delay_s",
    goal: Goal::Minimise,
    paper_figures: &[PaperFigure { label: "paper LAD-TS", metric: "mean_delay_s", value: 7.7 }],
    has_world: true,
    measurements: None,
    legacy_fields: &[LegacyField {
        name: "observation",
        value: JsonLiteral::Text("raw"),
        replaces: Some(ReplacedFlag { field: "normalize_obs", value_when_true: JsonLiteral::Text("normalized") }),
    }],
};

impl Scenario for LadConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(LadEnv::new(self.clone())?))
    }

    crate::world_methods!(LadParams, Ok(LadParams::paper()));
}

impl Env for LadEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Lad
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: self.servers.len() }
    }

    fn reset(&mut self, episode_seed: u64) {
        self.draw_tasks(episode_seed);
        self.next = 0;
        self.backlog_gcycles.fill(0.0);
        self.slot_work_gcycles.fill(0.0);
        self.total_work_gcycles.fill(0.0);
        self.slot_tasks.fill(0);
        self.total_tasks.fill(0);
        self.delays_s.clear();
        self.totals = LadTotals::default();
        self.last = None;
        self.write_observation();
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    fn step(&mut self, action: &Action) -> Result<Step> {
        let j = action.index_below(self.servers.len())?;
        let Some(&task) = self.tasks.get(self.next) else {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        };
        let delay = self.delay_parts(&task, j);
        let delay_s = delay.total_s();
        let work = task.profile.work_gcycles();
        self.slot_work_gcycles[j] += work;
        self.total_work_gcycles[j] += work;
        self.slot_tasks[j] += 1;
        self.total_tasks[j] += 1;
        self.delays_s.push(delay_s);
        let t = &mut self.totals;
        t.total_reward -= delay_s;
        t.wait_s += delay.wait_s;
        t.compute_s += delay.compute_s;
        t.transfer_s += delay.transfer_s;
        t.offloaded += u32::from(j != task.source as usize);
        self.last = Some(LadDecision {
            slot: task.slot,
            source: task.source,
            index: task.index,
            destination: j as u32,
            delay,
            delay_s,
            reward: -delay_s,
        });
        self.next += 1;
        if self.tasks.get(self.next).is_none_or(|next| next.slot != task.slot) {
            self.end_slot();
        }
        self.write_observation();
        Ok(Step { reward: -delay_s, terminated: self.is_done(), truncated: false }.debug_checked(&self.obs))
    }

    fn is_done(&self) -> bool {
        self.next >= self.tasks.len()
    }

    fn metrics(&self) -> Metrics {
        let decided = self.delays_s.len();
        let per_task = 1.0 / decided.max(1) as f64;
        let p95 = if decided == 0 {
            0.0
        } else {
            let mut sorted = self.delays_s.clone();
            let rank = (95 * decided).div_ceil(100) - 1;
            *sorted.select_nth_unstable_by(rank, f64::total_cmp).1
        };
        let loads: Vec<f64> = (0..self.servers.len()).map(|j| self.load(j)).collect();
        let t = &self.totals;
        Metrics(vec![
            ("mean_delay_s", -t.total_reward * per_task),
            ("p95_delay_s", p95),
            ("total_reward", t.total_reward),
            ("tasks", decided as f64),
            ("mean_wait_s", t.wait_s * per_task),
            ("mean_compute_s", t.compute_s * per_task),
            ("mean_transfer_s", t.transfer_s * per_task),
            ("offloaded_rate", f64::from(t.offloaded) * per_task),
            ("load_mean", loads.iter().sum::<f64>() / loads.len() as f64),
            ("load_max", loads.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            ("load_min", loads.iter().copied().fold(f64::INFINITY, f64::min)),
        ])
    }

    fn snapshot(&self) -> Snapshot {
        let servers = self
            .servers
            .iter()
            .enumerate()
            .map(|(j, s)| ServerView {
                capacity_ghz: s.capacity_ghz,
                link_rate_mbit_s: s.link_rate_mbit_s,
                backlog_gcycles: self.backlog_gcycles[j],
                slot_work_gcycles: self.slot_work_gcycles[j],
                queue_s: (self.backlog_gcycles[j] + self.slot_work_gcycles[j]) / s.capacity_ghz,
                slot_tasks: self.slot_tasks[j],
                total_tasks: self.total_tasks[j],
                load: self.load(j),
            })
            .collect();
        let pending = self.tasks.get(self.next).map(|t| PendingTask {
            slot: t.slot,
            source: t.source,
            index: t.index,
            size_mbit: t.size_mbit,
            profile: t.profile,
            work_gcycles: t.profile.work_gcycles(),
            key: self.key_of(t),
        });
        Snapshot::Lad(LadSnapshot {
            slot: pending.as_ref().map_or(self.decision_slots, |p| p.slot),
            decision_slots: self.decision_slots,
            tasks_total: self.tasks.len() as u32,
            decided: self.next as u32,
            servers,
            pending,
            last: self.last.clone(),
            totals: self.totals,
        })
    }

    fn agents(&self) -> usize {
        match self.config.agent_mode {
            AgentMode::PerServer => self.servers.len(),
            AgentMode::Shared => 1,
        }
    }

    fn positions(&self) -> usize {
        self.decision_slots as usize * self.servers.len() * self.tasks_max
    }

    /// The pending task's agent and position; `{0, 0}` once the episode has ended.
    fn decision_key(&self) -> DecisionKey {
        self.tasks.get(self.next).map_or(DecisionKey { agent: 0, position: 0 }, |t| self.key_of(t))
    }
}

impl Baselines for LadEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let b = self.servers.len();
        let Some(task) = self.tasks.get(self.next) else { return Action::Discrete(0) };
        let j = match heuristic {
            0 => state.rng.below(b as u64) as usize,
            1 => (state.decisions % b as u64) as usize,
            2 => task.source as usize,
            3 => argmin(b, |j| (self.backlog_gcycles[j] + self.slot_work_gcycles[j]) / self.servers[j].capacity_ghz),
            _ => argmin(b, |j| self.delay_parts(task, j).total_s()),
        };
        Action::Discrete(j)
    }
}

#[cfg(test)]
mod tests;
