//! `flow`: gateway choice and priority class for multi-priority AIGC flows (Jiang et al.; seed 004).
//!
//! Flows from many sources arrive slot by slot at an edge network of `G` gateways and one edge server. Each
//! flow is assigned a gateway and the priority class it is queued in; it waits behind the backlog of its
//! class and the classes above, is sent at the bandwidth it gets, and is processed at the edge server. The
//! reward weighs the flow's lateness against its deadline, the gateways' imbalance and the constraints
//! broken. The spec is `design/environments.md`, section `flow`; the paper (a short workshop paper without
//! reference code) leaves the timeline open, and the readings below settle it.
//!
//! # Readings
//!
//! - **Arrivals.** Each of the `W = 1000` sources emits a flow in a slot with probability `λ`, independently:
//!   a Bernoulli process over the `slots × W` (slot, source) pairs, drawn exactly by geometric gaps (one
//!   draw per flow, not one per pair). The flow's attributes follow in the same stream: rate, deadline, type.
//! - **Decisions.** The episode is the sequence of flows, ordered by slot and, within a slot, by source;
//!   slots without arrivals are skipped. A flow is decided at the start of its slot, `t0 = slot·Δ`; flows of
//!   one slot are decided one after another at the same `t0`, each seeing the earlier ones.
//! - **Action.** `a ∈ 0..3G` means gateway `g = a / 3` and class `c = a mod 3 + 1` (1 low … 3 high), so a
//!   gateway's three classes are adjacent.
//! - **Delay at decision time `t0`** on gateway `g`, class `c`, with `R_avail = max(R_g − held_g, 0)`:
//!   `r_alloc = max(min(r, R_avail), 0.01·R_g)`; `T_tx = D / r_alloc`;
//!   `T_q = Q_g^{≥c} / max(R_avail, 0.01·R_g)` (the same floor keeps a saturated gateway finite);
//!   `T_proc = c_flow · (active + 1) / F`; `T_prop = 1 ms`; `T_act = T_tx + T_q + T_proc + T_prop`.
//! - **Timeline.** The decision fixes the flow's course: its data `D` joins `Q_g` in class `c` at `t0` and
//!   leaves it when its transmission ends; it holds `r_alloc` of the gateway from `t0 + T_q` for `T_tx` (then
//!   the bandwidth is released); it counts as `active` at the edge server for the following `T_proc`. So
//!   `Q_g^{≥c}` is the data of class `≥ c` on `g` not yet fully sent (waiting or being sent), and a flow of a
//!   high class does not wait for lower-class data. Events due at or before a decision time are applied
//!   before that decision (at equal times: transmission starts, then ends, then processing ends).
//! - **Reward** `−(1.0·H_d + 0.5·H_r + 1.0·φ)`: `H_d = (T_act − T_req)/T_req` (negative when early);
//!   `H_r` = max − min over gateways of `held_g / R_g` right after the decision (including this flow when it
//!   starts sending at once); `φ` = deadline missed (`T_act > T_req`) + gateway over capacity (the 1 % floor
//!   gave the flow more than `R_avail`).
//! - **Observation** `paper` (`5 + 2G + 1`): the flow `[r / r_max, T_req / T_req_max, priority one-hot (3)]`
//!   (scaled by the config's range maxima), then per gateway `[R_avail / R_g, Q_g / R_g]` (`Q_g` over all
//!   classes, so in seconds), then `F_avail / F = 1 / (active + 1)`, the share a new flow would get.
//! - **Observation** `queues` (the default, `5 + 5G + 1`; `docs/readings.md`, `flow`): the paper's "queue
//!   state of each gateway" read per class, and bounded. `Q_g / R_g` is unbounded seconds (a saturated
//!   gateway reaches hundreds) and hides what a flow of class `c` waits for, the backlog of classes `≥ c`.
//!   The flow's part is the same; per gateway `[R_avail / R_g, r_alloc / r, s(T_q(c=1)), s(T_q(c=2)),
//!   s(T_q(c=3))]` with `T_q(c) = Q_g^{≥c} / max(R_avail, floor)` the wait the flow would have in class `c`,
//!   relative to its deadline and squashed into `[0, 1)` by `s(x) = x / (1 + x)` of `x = T_q / T_req`; then the
//!   edge share.
//! - **Lateness in the reward.** `H_d = (T_act − T_req)/T_req` is unbounded above: one flow queued behind a
//!   saturated gateway costs hundreds (a random policy's episode return is in the thousands below zero), so a
//!   critic's targets span four orders of magnitude and its loss grows instead of falling. `max_lateness`
//!   (default 1: a flow late by its own deadline or more counts as late by exactly that) bounds it, with the
//!   miss itself still counted in `φ`; `null` is the paper's unbounded term. Early flows keep their negative
//!   `H_d` (at least −1) either way.
//! - **Heuristics.** `round_robin`: gateways in turn; `random`: uniform over all `3G` actions;
//!   `least_loaded`: the gateway with the lowest `held_g / R_g`; `edf`: among gateways where the flow would
//!   meet its deadline the least loaded, else the one with the smallest `T_act`. All but `random` queue the
//!   flow in the class of its own priority. Ties go to the lowest index.
//! - **Metrics.** A flow completes when `T_act ≤ T_req`; rates are over decided flows (per priority: over
//!   the flows of that priority, 0 when there are none). Latencies are means over decided flows, in ms.
//!   `utilisation_spread` is the mean `H_r` over decisions.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::registry::Scenario;
use super::info::{JsonLiteral, LegacyField, ScenarioInfo};
use super::range::Uniform;
use super::{
    Action, ActionSpace, Baselines, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step, argmin,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::params::ParamFile;
pub use crate::params::flow::{FlowParams, Gateway, MAX_GATEWAYS};
use crate::rng::{Rng, Stream};
use crate::spaces::rounded_sum_max;
use crate::stats::Goal;

/// Scheduling priority classes per gateway (1 low … 3 high).
pub const CLASSES: usize = 3;
/// Most flows an episode may expect (`slots · sources · λ`), to bound memory.
pub const MAX_EXPECTED_FLOWS: f64 = 1.0e6;
/// Most flow types a config may list.
pub const MAX_FLOW_TYPES: usize = 16;

/// The refusal of a request for the paper's world: the flow paper publishes none (and no reference code).
/// The field is left empty for the caller to name (`--world` on the command line).
pub fn no_paper_world() -> Error {
    Error::new("", "the flow paper publishes no fixed world; draw one from a world seed or give a parameter file")
}

/// A kind of AIGC flow: its priority and the compute it needs at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowType {
    /// Name shown to people ("text", "image", "scene").
    pub name: String,
    /// Priority, 1 (low) to 3 (high).
    pub priority: u8,
    /// Compute the edge server spends on it (GFLOP).
    pub compute_gflop: f64,
}

impl FlowType {
    fn new(name: &str, priority: u8, compute_gflop: f64) -> Self {
        Self { name: name.to_owned(), priority, compute_gflop }
    }

    fn validate(&self, field: &str) -> Result<()> {
        if self.name.is_empty() || self.name.len() > 32 {
            return Err(Error::new(format!("{field}.name"), "must be 1 to 32 bytes long"));
        }
        check_count(&format!("{field}.priority"), u64::from(self.priority), 1, CLASSES as u64)?;
        check_range(&format!("{field}.compute_gflop"), self.compute_gflop, 1.0e-6, 1.0e9)
    }
}

/// Everything that defines a `flow` run except the episode seed. Defaults are the paper's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlowConfig {
    /// Seed of the world draw (gateway capacities), used when `world` is absent.
    pub world_seed: u64,
    /// A fixed world (parameter file) instead of a drawn one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<FlowParams>,
    /// Number of gateways `G` of a drawn world.
    pub gateways: u32,
    /// Gateway capacity `R_g` (Mbit/s) of a drawn world.
    pub gateway_capacity_mbit_s: Uniform,
    /// Edge server compute `F` (GFLOP/s) of a drawn world.
    pub edge_compute_gflop_s: f64,
    /// Slots per episode.
    pub slots: u32,
    /// Slot length (ms).
    pub slot_ms: f64,
    /// Flow sources (workshops) `W`.
    pub sources: u32,
    /// Probability `λ` that a source emits a flow in a slot.
    pub emit_probability: f64,
    /// Bandwidth need `r` (Mbit/s); its maximum scales the observation.
    pub rate_mbit_s: Uniform,
    /// Deadline `T_req` (ms); its maximum scales the observation.
    pub deadline_ms: Uniform,
    /// The flow types, equally likely.
    pub flow_types: Vec<FlowType>,
    /// Propagation delay `T_prop` (ms).
    pub propagation_ms: f64,
    /// Least bandwidth a flow gets, as a fraction of its gateway's capacity.
    pub min_allocation_fraction: f64,
    /// Weight `α` of the deadline term `H_d`.
    pub weight_deadline: f64,
    /// Weight `β` of the imbalance term `H_r`.
    pub weight_balance: f64,
    /// Weight `κ` of the violation count `φ`.
    pub weight_violation: f64,
    /// Largest lateness `H_d` the reward counts (default 1, a flow late by its whole deadline); `null`: the
    /// paper's unbounded `H_d`.
    pub max_lateness: Option<f64>,
    /// What the learner observes: the paper's per-gateway `[R_avail/R, Q/R]`, or (default) the bounded
    /// per-class queueing the flow would meet on each gateway.
    pub observation: FlowObservation,
}

/// What the learner observes in `flow` (see the module's Readings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlowObservation {
    /// Per gateway the free bandwidth and the whole queue in seconds at capacity (unbounded).
    Paper,
    /// Per gateway the free bandwidth, the share of its rate the flow would get and, per class, the wait it
    /// would have relative to its deadline, squashed into `[0, 1)`.
    Queues,
}

impl FlowObservation {
    /// Observation values per gateway.
    fn per_gateway(self) -> usize {
        match self {
            FlowObservation::Paper => 2,
            FlowObservation::Queues => 2 + CLASSES,
        }
    }
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            world_seed: 0,
            world: None,
            gateways: 8,
            gateway_capacity_mbit_s: Uniform::new(50.0, 200.0),
            edge_compute_gflop_s: 100.0,
            slots: 1000,
            slot_ms: 10.0,
            sources: 1000,
            emit_probability: 0.001,
            rate_mbit_s: Uniform::new(1.0, 20.0),
            deadline_ms: Uniform::new(100.0, 1000.0),
            flow_types: vec![
                FlowType::new("text", 1, 0.05),
                FlowType::new("image", 2, 0.5),
                FlowType::new("scene", 3, 2.0),
            ],
            propagation_ms: 1.0,
            min_allocation_fraction: 0.01,
            weight_deadline: 1.0,
            weight_balance: 0.5,
            weight_violation: 1.0,
            max_lateness: Some(1.0),
            observation: FlowObservation::Queues,
        }
    }
}

impl FlowConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("gateways", u64::from(self.gateways), 1, MAX_GATEWAYS)?;
        self.gateway_capacity_mbit_s.validate("gateway_capacity_mbit_s", 1.0e-3, 1.0e9)?;
        check_range("edge_compute_gflop_s", self.edge_compute_gflop_s, 1.0e-3, 1.0e12)?;
        check_count("slots", u64::from(self.slots), 1, 10_000_000)?;
        check_range("slot_ms", self.slot_ms, 1.0e-3, 1.0e9)?;
        check_count("sources", u64::from(self.sources), 1, 10_000_000)?;
        check_range("emit_probability", self.emit_probability, 1.0e-9, 1.0)?;
        let expected = f64::from(self.slots) * f64::from(self.sources) * self.emit_probability;
        if expected > MAX_EXPECTED_FLOWS {
            return Err(Error::new(
                "emit_probability",
                format!(
                    "times slots times sources gives {expected} expected flows per episode; at most \
                     {MAX_EXPECTED_FLOWS} are allowed"
                ),
            ));
        }
        self.rate_mbit_s.validate("rate_mbit_s", 1.0e-3, 1.0e6)?;
        self.deadline_ms.validate("deadline_ms", 1.0e-3, 1.0e9)?;
        check_count("flow_types", self.flow_types.len() as u64, 1, MAX_FLOW_TYPES as u64)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, t) in self.flow_types.iter().enumerate() {
            t.validate(&format!("flow_types[{i}]"))?;
        }
        check_range("propagation_ms", self.propagation_ms, 0.0, 1.0e9)?;
        check_range("min_allocation_fraction", self.min_allocation_fraction, 1.0e-6, 1.0)?;
        for (name, w) in [
            ("weight_deadline", self.weight_deadline),
            ("weight_balance", self.weight_balance),
            ("weight_violation", self.weight_violation),
        ] {
            check_range(name, w, 0.0, 1.0e6)?;
        }
        if let Some(cap) = self.max_lateness {
            check_range("max_lateness", cap, 0.0, 1.0e6)?;
        }
        if let Some(world) = &self.world {
            world.validate().map_err(|e| e.within("world"))?;
        }
        Ok(())
    }

    /// The world this config runs on: the fixed one if given, else the draw from `world_seed`.
    pub fn resolve_world(&self) -> FlowParams {
        self.world.clone().unwrap_or_else(|| self.draw_world(self.world_seed))
    }

    /// Draws a world from this config with `seed`: `gateways` capacities, and the config's edge compute.
    pub fn draw_world(&self, seed: u64) -> FlowParams {
        let mut rng = Rng::new(seed, Stream::World);
        let gateways = (0..self.gateways)
            .map(|_| Gateway { capacity_mbit_s: self.gateway_capacity_mbit_s.draw(&mut rng) })
            .collect();
        FlowParams {
            schema: FlowParams::SCHEMA.to_owned(),
            source: Some(format!("drawn with world seed {seed}")),
            gateways,
            edge_compute_gflop_s: self.edge_compute_gflop_s,
        }
    }
}

/// One flow of the episode, in decision order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Flow {
    slot: u32,
    source: u32,
    kind: u8,
    priority: u8,
    rate_mbit_s: f64,
    deadline_s: f64,
    data_mbit: f64,
    compute_gflop: f64,
}

/// How a decided flow occupies its gateway.
#[derive(Debug, Clone, Copy, Default)]
struct Placement {
    gateway: u32,
    class: u8,
    r_alloc_mbit_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    // The order breaks ties at equal times: a flow's own events stay in causal order.
    StartTransmission,
    EndTransmission,
    EndProcessing,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Event {
    time_s: f64,
    kind: EventKind,
    flow: u32,
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        self.time_s.total_cmp(&other.time_s).then(self.kind.cmp(&other.kind)).then(self.flow.cmp(&other.flow))
    }
}

/// What a flow would experience on a gateway and class, judged at decision time (seconds, Mbit/s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Outcome {
    /// Bandwidth allocated, `max(min(r, R_avail), floor)`.
    pub r_alloc_mbit_s: f64,
    /// The floor gave more than the gateway had available.
    pub over_capacity: bool,
    /// `T_q`: waiting behind the backlog of equal or higher class.
    pub queueing_s: f64,
    /// `T_tx = D / r_alloc`.
    pub transmission_s: f64,
    /// `T_proc`: compute over the edge share.
    pub processing_s: f64,
    /// `T_prop`.
    pub propagation_s: f64,
    /// `T_act`, the sum of the four.
    pub latency_s: f64,
}

/// The last decision, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FlowDecision {
    /// Index of the decided flow.
    pub flow: u32,
    /// Gateway chosen.
    pub gateway: u32,
    /// Class chosen (1 low … 3 high).
    pub class: u8,
    /// The flow's own priority.
    pub priority: u8,
    /// What it experiences.
    pub outcome: Outcome,
    /// Its deadline (s).
    pub deadline_s: f64,
    /// `T_act ≤ T_req`.
    pub met_deadline: bool,
    /// `H_r` after the decision.
    pub utilisation_spread: f64,
    /// `φ`, constraints violated.
    pub violations: u32,
    /// The reward.
    pub reward: f64,
}

/// One gateway as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GatewayView {
    /// Capacity `R_g` (Mbit/s).
    pub capacity_mbit_s: f64,
    /// Bandwidth held by flows sending now (Mbit/s).
    pub held_mbit_s: f64,
    /// `held / R_g` (above 1 when over-subscribed).
    pub utilisation: f64,
    /// Flows sending now.
    pub transmitting: u32,
    /// Data not yet sent per class 1…3 (Mbit).
    pub queue_mbit: [f64; CLASSES],
    /// Flows not yet fully sent per class 1…3.
    pub queued_flows: [u32; CLASSES],
}

/// The edge server as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EdgeView {
    /// Compute `F` (GFLOP/s).
    pub compute_gflop_s: f64,
    /// Flows being processed now.
    pub active: u32,
}

/// The flow waiting for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PendingFlow {
    /// Its index in the episode.
    pub index: u32,
    /// Its slot.
    pub slot: u32,
    /// Its source.
    pub source: u32,
    /// Its type's name.
    pub kind: String,
    /// Its priority (1 low … 3 high).
    pub priority: u8,
    /// Bandwidth need `r` (Mbit/s).
    pub rate_mbit_s: f64,
    /// Deadline `T_req` (s).
    pub deadline_s: f64,
    /// Data `D` (Mbit).
    pub data_mbit: f64,
    /// Compute needed (GFLOP).
    pub compute_gflop: f64,
}

/// Episode sums.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct FlowTotals {
    /// Sum of rewards.
    pub total_reward: f64,
    /// Flows decided, per priority 1…3.
    pub decided: [u32; CLASSES],
    /// Flows that met their deadline, per priority 1…3.
    pub completed: [u32; CLASSES],
    /// Decisions where the bandwidth floor exceeded what was available.
    pub over_capacity: u32,
    /// Sum of `T_act` (s).
    pub latency_s: f64,
    /// Sum of `T_q` (s).
    pub queueing_s: f64,
    /// Sum of `T_tx` (s).
    pub transmission_s: f64,
    /// Sum of `T_proc` (s).
    pub processing_s: f64,
    /// Sum of `H_r` over decisions.
    pub utilisation_spread: f64,
}

/// What the front end draws for `flow`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FlowSnapshot {
    /// Simulation clock (s): the pending flow's slot start.
    pub time_s: f64,
    /// Slots in the episode.
    pub slots: u32,
    /// Flows in the episode.
    pub flows_total: u32,
    /// Flows decided so far.
    pub decided: u32,
    /// The gateways.
    pub gateways: Vec<GatewayView>,
    /// The edge server.
    pub edge: EdgeView,
    /// The flow awaiting a decision, if any.
    pub pending: Option<PendingFlow>,
    /// The last decision (flow → gateway and class), if any.
    pub last: Option<FlowDecision>,
    /// Episode sums.
    pub totals: FlowTotals,
}

/// The `flow` environment.
#[derive(Debug, Clone)]
pub struct FlowEnv {
    config: FlowConfig,
    gateways: Vec<Gateway>,
    edge_compute_gflop_s: f64,
    slot_s: f64,
    propagation_s: f64,
    flows: Vec<Flow>,
    placements: Vec<Placement>,
    next: usize,
    now_s: f64,
    events: BinaryHeap<Reverse<Event>>,
    held_mbit_s: Vec<f64>,
    transmitting: Vec<u32>,
    queue_mbit: Vec<[f64; CLASSES]>,
    queued: Vec<[u32; CLASSES]>,
    active: u32,
    totals: FlowTotals,
    last: Option<FlowDecision>,
    obs: Vec<f32>,
}

impl FlowEnv {
    /// Builds the environment (validating the config); call [`Env::reset`] before stepping.
    pub fn new(config: FlowConfig) -> Result<Self> {
        config.validate()?;
        let world = config.resolve_world();
        let g = world.gateways.len();
        let obs_len = 5 + config.observation.per_gateway() * g + 1;
        let mut env = Self {
            gateways: world.gateways,
            edge_compute_gflop_s: world.edge_compute_gflop_s,
            slot_s: config.slot_ms / 1000.0,
            propagation_s: config.propagation_ms / 1000.0,
            config,
            flows: Vec::new(),
            placements: Vec::new(),
            next: 0,
            now_s: 0.0,
            events: BinaryHeap::new(),
            held_mbit_s: vec![0.0; g],
            transmitting: vec![0; g],
            queue_mbit: vec![[0.0; CLASSES]; g],
            queued: vec![[0; CLASSES]; g],
            active: 0,
            totals: FlowTotals::default(),
            last: None,
            obs: vec![0.0; obs_len],
        };
        env.reset(0);
        Ok(env)
    }

    /// The gateways of this world.
    pub fn gateways(&self) -> &[Gateway] {
        &self.gateways
    }

    /// Simulation clock (s).
    pub fn now_s(&self) -> f64 {
        self.now_s
    }

    /// Flows in the episode.
    pub fn flows_total(&self) -> usize {
        self.flows.len()
    }

    /// Episode sums.
    pub fn totals(&self) -> FlowTotals {
        self.totals
    }

    /// Bandwidth gateway `g` has free now, `max(R_g − held_g, 0)` (Mbit/s).
    pub fn available_mbit_s(&self, g: usize) -> f64 {
        (self.gateways[g].capacity_mbit_s - self.held_mbit_s[g]).max(0.0)
    }

    /// `held_g / R_g`.
    pub fn utilisation(&self, g: usize) -> f64 {
        self.held_mbit_s[g] / self.gateways[g].capacity_mbit_s
    }

    /// Data on gateway `g` not yet sent in classes `class..=3` (Mbit).
    pub fn backlog_mbit(&self, g: usize, class: u8) -> f64 {
        self.queue_mbit[g][usize::from(class) - 1..].iter().sum()
    }

    /// Flows being processed at the edge server now.
    pub fn active(&self) -> u32 {
        self.active
    }

    /// What the pending flow would experience on gateway `g` in `class` (1…3); `None` once the episode
    /// has ended.
    pub fn outcome_if(&self, g: usize, class: u8) -> Option<Outcome> {
        self.flows.get(self.next).map(|f| self.assess(f, g, class))
    }

    fn assess(&self, flow: &Flow, g: usize, class: u8) -> Outcome {
        let capacity = self.gateways[g].capacity_mbit_s;
        let available = self.available_mbit_s(g);
        let floor = self.config.min_allocation_fraction * capacity;
        let r_alloc = flow.rate_mbit_s.min(available).max(floor);
        let queueing_s = self.backlog_mbit(g, class) / available.max(floor);
        let transmission_s = flow.data_mbit / r_alloc;
        let processing_s = flow.compute_gflop * f64::from(self.active + 1) / self.edge_compute_gflop_s;
        let propagation_s = self.propagation_s;
        Outcome {
            r_alloc_mbit_s: r_alloc,
            over_capacity: r_alloc > available,
            queueing_s,
            transmission_s,
            processing_s,
            propagation_s,
            latency_s: transmission_s + queueing_s + processing_s + propagation_s,
        }
    }

    fn utilisation_spread(&self) -> f64 {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for g in 0..self.gateways.len() {
            let u = self.utilisation(g);
            lo = lo.min(u);
            hi = hi.max(u);
        }
        hi - lo
    }

    /// Applies, in order, every event due at or before `time_s`, and sets the clock there.
    fn advance(&mut self, time_s: f64) {
        self.now_s = time_s;
        while let Some(&Reverse(event)) = self.events.peek() {
            if event.time_s > time_s {
                break;
            }
            self.events.pop();
            let p = self.placements[event.flow as usize];
            let g = p.gateway as usize;
            match event.kind {
                EventKind::StartTransmission => {
                    self.held_mbit_s[g] += p.r_alloc_mbit_s;
                    self.transmitting[g] += 1;
                }
                EventKind::EndTransmission => {
                    self.transmitting[g] -= 1;
                    // An idle gateway holds exactly nothing: no rounding residue carries over.
                    self.held_mbit_s[g] =
                        if self.transmitting[g] == 0 { 0.0 } else { self.held_mbit_s[g] - p.r_alloc_mbit_s };
                    let c = usize::from(p.class) - 1;
                    self.queued[g][c] -= 1;
                    let data = self.flows[event.flow as usize].data_mbit;
                    self.queue_mbit[g][c] = if self.queued[g][c] == 0 { 0.0 } else { self.queue_mbit[g][c] - data };
                    self.active += 1;
                }
                EventKind::EndProcessing => self.active -= 1,
            }
        }
    }

    fn write_observation(&mut self) {
        let g_count = self.gateways.len();
        match self.flows.get(self.next) {
            Some(f) => {
                self.obs[0] = (f.rate_mbit_s / self.config.rate_mbit_s.max) as f32;
                self.obs[1] = (f.deadline_s * 1000.0 / self.config.deadline_ms.max) as f32;
                for c in 0..CLASSES {
                    self.obs[2 + c] = if usize::from(f.priority) == c + 1 { 1.0 } else { 0.0 };
                }
            }
            None => self.obs[..5].fill(0.0),
        }
        let width = self.config.observation.per_gateway();
        let flow = self.flows.get(self.next).copied();
        for g in 0..g_count {
            let capacity = self.gateways[g].capacity_mbit_s;
            let mut values = [0.0; 2 + CLASSES];
            values[0] = self.available_mbit_s(g) / capacity;
            match (self.config.observation, flow) {
                (FlowObservation::Paper, _) => values[1] = self.queue_mbit[g].iter().sum::<f64>() / capacity,
                (FlowObservation::Queues, Some(f)) => {
                    // The classes' outcomes differ only in their queueing.
                    values[1] = (self.assess(&f, g, 1).r_alloc_mbit_s / f.rate_mbit_s).min(1.0);
                    for class in 1..=CLASSES as u8 {
                        let wait = self.assess(&f, g, class).queueing_s / f.deadline_s;
                        values[1 + usize::from(class)] = wait / (1.0 + wait);
                    }
                }
                (FlowObservation::Queues, None) => {}
            }
            for (o, v) in self.obs[5 + width * g..5 + width * (g + 1)].iter_mut().zip(values) {
                *o = v as f32;
            }
        }
        self.obs[5 + width * g_count] = (1.0 / f64::from(self.active + 1)) as f32;
    }

    /// The bounds of [`Self::write_observation`]'s features. The flow's rate and deadline are shares of their
    /// ranges' maxima and its priority a one-hot: `[0, 1]` (0 once done). Per gateway the free share is in
    /// `[0, 1]`; with `queues` so are the rate share (capped at 1) and the squashed waits `x / (1 + x)`. With
    /// `paper` the queue in seconds at capacity is at most the episode's whole data on that gateway: a flow
    /// for every (slot, source) pair, each of the largest data `r_max·T_req,max / 2`. The edge share
    /// `1 / (active + 1)` is in `[0, 1]`.
    fn observation_bounds(&self) -> ObservationSpace {
        let c = &self.config;
        let unit = (0.0, 1.0);
        let flow = [unit; 5];
        let per_gateway: Vec<(f32, f32)> = match c.observation {
            FlowObservation::Paper => {
                let flows = f64::from(c.slots) * f64::from(c.sources);
                let data_mbit = rounded_sum_max(c.rate_mbit_s.max * (c.deadline_ms.max / 1000.0) / 2.0, 4.0);
                // Each flow's data is added to a queue once and taken out once.
                let episode_mbit = rounded_sum_max(flows * data_mbit, 2.0 * flows);
                self.gateways.iter().flat_map(|g| [unit, (0.0, (episode_mbit / g.capacity_mbit_s) as f32)]).collect()
            }
            FlowObservation::Queues => vec![unit; self.gateways.len() * c.observation.per_gateway()],
        };
        ObservationSpace::from_bounds(flow.into_iter().chain(per_gateway).chain([unit]))
    }

    /// Draws the episode's flows: the Bernoulli process over (slot, source) pairs by geometric gaps, each
    /// flow's rate, deadline and type right after its gap.
    fn draw_flows(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        let c = &self.config;
        let sources = u64::from(c.sources);
        let pairs = u64::from(c.slots) * sources;
        self.flows.clear();
        let mut pair = rng.geometric_failures(c.emit_probability);
        while pair < pairs {
            let rate_mbit_s = c.rate_mbit_s.draw(&mut rng);
            let deadline_s = c.deadline_ms.draw(&mut rng) / 1000.0;
            let kind = rng.below(c.flow_types.len() as u64) as usize;
            let t = &c.flow_types[kind];
            self.flows.push(Flow {
                slot: (pair / sources) as u32,
                source: (pair % sources) as u32,
                kind: kind as u8,
                priority: t.priority,
                rate_mbit_s,
                deadline_s,
                data_mbit: rate_mbit_s * deadline_s / 2.0,
                compute_gflop: t.compute_gflop,
            });
            pair = pair.saturating_add(1).saturating_add(rng.geometric_failures(c.emit_probability));
        }
    }

    fn least_loaded(&self, mut allowed: impl FnMut(usize) -> bool) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for g in 0..self.gateways.len() {
            if allowed(g) {
                let u = self.utilisation(g);
                if best.is_none_or(|(_, b)| u < b) {
                    best = Some((g, u));
                }
            }
        }
        best.map(|(g, _)| g)
    }
}

/// The flow-scheduling paper's scenario (its figures are orderings, not values our metrics measure).
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Flow,
    title: "gateway and priority for multi-priority AIGC flows (Jiang et al.)",
    heuristics: &["round_robin", "random", "least_loaded", "edf"],
    start_heuristic: "edf",
    cheapest_heuristic: "round_robin",
    paper_algorithm: "flowdiff",
    main_metric: "completion_rate",
    goal: Goal::Maximise,
    paper_figures: &[],
    has_world: true,
    measurements: None,
    legacy_fields: &[
        LegacyField { name: "max_lateness", value: JsonLiteral::Null, replaces: None },
        LegacyField { name: "observation", value: JsonLiteral::Text("paper"), replaces: None },
    ],
};

impl Scenario for FlowConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(FlowEnv::new(self.clone())?))
    }

    crate::world_methods!(FlowParams, Err(no_paper_world()));
}

impl Env for FlowEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Flow
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: CLASSES * self.gateways.len() }
    }

    fn reset(&mut self, episode_seed: u64) {
        self.draw_flows(episode_seed);
        self.placements.clear();
        self.placements.resize(self.flows.len(), Placement::default());
        self.next = 0;
        self.events.clear();
        self.held_mbit_s.fill(0.0);
        self.transmitting.fill(0);
        self.queue_mbit.fill([0.0; CLASSES]);
        self.queued.fill([0; CLASSES]);
        self.active = 0;
        self.totals = FlowTotals::default();
        self.last = None;
        self.now_s = self.flows.first().map_or(0.0, |f| f64::from(f.slot) * self.slot_s);
        self.write_observation();
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    fn step(&mut self, action: &Action) -> Result<Step> {
        let a = action.index_below(CLASSES * self.gateways.len())?;
        let Some(&flow) = self.flows.get(self.next) else {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        };
        let (g, class) = (a / CLASSES, (a % CLASSES) as u8 + 1);
        let o = self.assess(&flow, g, class);
        let index = self.next as u32;
        self.placements[self.next] = Placement { gateway: g as u32, class, r_alloc_mbit_s: o.r_alloc_mbit_s };
        self.queue_mbit[g][usize::from(class) - 1] += flow.data_mbit;
        self.queued[g][usize::from(class) - 1] += 1;
        let start = self.now_s + o.queueing_s;
        let end = start + o.transmission_s;
        for (time_s, kind) in [
            (start, EventKind::StartTransmission),
            (end, EventKind::EndTransmission),
            (end + o.processing_s, EventKind::EndProcessing),
        ] {
            self.events.push(Reverse(Event { time_s, kind, flow: index }));
        }
        // A flow with nothing ahead of it starts sending at once; the imbalance counts it.
        self.advance(self.now_s);

        let met = o.latency_s <= flow.deadline_s;
        let spread = self.utilisation_spread();
        let violations = u32::from(!met) + u32::from(o.over_capacity);
        let c = &self.config;
        let lateness = (o.latency_s - flow.deadline_s) / flow.deadline_s;
        let lateness = c.max_lateness.map_or(lateness, |cap| lateness.min(cap));
        let reward =
            -(c.weight_deadline * lateness + c.weight_balance * spread + c.weight_violation * f64::from(violations));
        let p = usize::from(flow.priority) - 1;
        let t = &mut self.totals;
        t.total_reward += reward;
        t.decided[p] += 1;
        t.completed[p] += u32::from(met);
        t.over_capacity += u32::from(o.over_capacity);
        t.latency_s += o.latency_s;
        t.queueing_s += o.queueing_s;
        t.transmission_s += o.transmission_s;
        t.processing_s += o.processing_s;
        t.utilisation_spread += spread;
        self.last = Some(FlowDecision {
            flow: index,
            gateway: g as u32,
            class,
            priority: flow.priority,
            outcome: o,
            deadline_s: flow.deadline_s,
            met_deadline: met,
            utilisation_spread: spread,
            violations,
            reward,
        });
        self.next += 1;
        if let Some(next) = self.flows.get(self.next) {
            self.advance(f64::from(next.slot) * self.slot_s);
        }
        self.write_observation();
        Ok(Step { reward, terminated: self.is_done(), truncated: false }.debug_checked(&self.obs))
    }

    fn is_done(&self) -> bool {
        self.next >= self.flows.len()
    }

    fn metrics(&self) -> Metrics {
        let t = &self.totals;
        let rate = |done: u32, of: u32| if of == 0 { 0.0 } else { f64::from(done) / f64::from(of) };
        let decided: u32 = t.decided.iter().sum();
        let completed: u32 = t.completed.iter().sum();
        let mean_ms = |sum_s: f64| if decided == 0 { 0.0 } else { 1000.0 * sum_s / f64::from(decided) };
        Metrics(vec![
            ("total_reward", t.total_reward),
            ("flows", f64::from(decided)),
            ("completion_rate", rate(completed, decided)),
            ("completion_rate_p1", rate(t.completed[0], t.decided[0])),
            ("completion_rate_p2", rate(t.completed[1], t.decided[1])),
            ("completion_rate_p3", rate(t.completed[2], t.decided[2])),
            ("mean_latency_ms", mean_ms(t.latency_s)),
            ("mean_queueing_ms", mean_ms(t.queueing_s)),
            ("mean_transmission_ms", mean_ms(t.transmission_s)),
            ("mean_processing_ms", mean_ms(t.processing_s)),
            ("utilisation_spread", if decided == 0 { 0.0 } else { t.utilisation_spread / f64::from(decided) }),
            ("deadline_misses", f64::from(decided - completed)),
            ("over_capacity", f64::from(t.over_capacity)),
        ])
    }

    fn snapshot(&self) -> Snapshot {
        let gateways = (0..self.gateways.len())
            .map(|g| GatewayView {
                capacity_mbit_s: self.gateways[g].capacity_mbit_s,
                held_mbit_s: self.held_mbit_s[g],
                utilisation: self.utilisation(g),
                transmitting: self.transmitting[g],
                queue_mbit: self.queue_mbit[g],
                queued_flows: self.queued[g],
            })
            .collect();
        let pending = self.flows.get(self.next).map(|f| PendingFlow {
            index: self.next as u32,
            slot: f.slot,
            source: f.source,
            kind: self.config.flow_types[usize::from(f.kind)].name.clone(),
            priority: f.priority,
            rate_mbit_s: f.rate_mbit_s,
            deadline_s: f.deadline_s,
            data_mbit: f.data_mbit,
            compute_gflop: f.compute_gflop,
        });
        Snapshot::Flow(FlowSnapshot {
            time_s: self.now_s,
            slots: self.config.slots,
            flows_total: self.flows.len() as u32,
            decided: self.next as u32,
            gateways,
            edge: EdgeView { compute_gflop_s: self.edge_compute_gflop_s, active: self.active },
            pending,
            last: self.last.clone(),
            totals: self.totals,
        })
    }
}

impl Baselines for FlowEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let g_count = self.gateways.len();
        let Some(flow) = self.flows.get(self.next) else { return Action::Discrete(0) };
        let class = flow.priority;
        let g = match heuristic {
            0 => (state.decisions % g_count as u64) as usize,
            1 => return Action::Discrete(state.rng.below((CLASSES * g_count) as u64) as usize),
            2 => self.least_loaded(|_| true).unwrap_or(0),
            _ => {
                let latency = |g: usize| self.assess(flow, g, class).latency_s;
                self.least_loaded(|g| latency(g) <= flow.deadline_s).unwrap_or_else(|| argmin(g_count, latency))
            }
        };
        Action::Discrete(g * CLASSES + usize::from(class) - 1)
    }
}

#[cfg(test)]
mod tests;
