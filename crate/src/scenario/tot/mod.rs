//! `tot`: assigning the thoughts of a Tree-of-Thoughts to the base station or to service providers (Liu et
//! al., DSAC; seed 000).
//!
//! A ToT prompt of `S` steps × `M` thoughts, plus an input and an output thought generated at the BS, runs
//! breadth first: every thought of step `ℓ` needs the best-scoring thought of step `ℓ − 1` and may start
//! only once all of step `ℓ − 1` is generated. Each thought goes to the BS (a strong model with a fixed token
//! count) or to one of `U` service providers (SPs: weaker models whose token budget follows a Markov chain),
//! one decision per thought. Moving the best thought between servers costs a wireless transfer over a
//! Rayleigh-faded link; each server generates its thoughts one at a time. The goal is a short total delay
//! `T_tot` while the summed quality stays above `q` times that of generating everything at the BS.
//!
//! The spec is `design/environments.md`, section `tot`. Choices it leaves open, made here:
//! - Link distances below [`MIN_DISTANCE_M`] count as that distance, so two nodes at one spot (possible in a
//!   parameter file) do not get an infinite rate; and `|g|²` is floored at [`MIN_FADING`] so no link ever has
//!   rate 0 (a draw of exactly 0 has probability 2⁻⁵³).
//! - The episode's random draws are made at reset, slot by slot in the order fading (all ordered links,
//!   row-major), SP token budgets (SP order), then the data sizes of the step's thoughts; nothing drawn
//!   depends on the actions, so this is the same as drawing each slot when its step begins.
//! - The penalties of the input and output thoughts (zero unless the BS's own score is below the per-thought
//!   share) land in the first and last rewards, so the rewards always sum to `−T_tot − Σ penalties`.
//! - `greedy` falls back to the highest-scoring server when no server keeps the share.
//! - Once the episode ends, the observation's pending part (fading, tokens, data size) reads 0.
//!
//! Two Readings where the paper's learner, as printed, cannot learn the task (`docs/readings.md`, `tot`):
//! - **Observation** ([`TotObservation`]). The paper's state (eq. 22) holds the fading gains, the SP token
//!   counts, the assignment vector and the data size, but not when each server is free, when the previous
//!   step ended (the barrier every thought of this step waits for) or which server holds its best thought
//!   `j*`: the finish time a decision causes is not a function of that state, and DSAC, SAC and DQN trained
//!   on it all stay at the random policy's delay. The default (`timing`) appends that timing state, per
//!   server `[(A_m − t)⁺, F_m − t, Score_m − Score_min/|I|, m holds j*]` with `t` the barrier, `A_m` when `m` is
//!   free and `F_m` when the pending thought would finish on `m` (times in units of the BS's generation
//!   delay), then `(makespan − t)`, the thought's index in its step `/ M` and its step `(ℓ − 1)/S`. `paper`
//!   is eq. 22 alone.
//! - **Delay in the reward** ([`TotDelayReward`]). Eq. 24 prints `F_i − F_{i−1}`, the finish-time increment
//!   in decision order: a thought sent to a fast server after one sent to a slow server earns a reward for
//!   the previous decision's slowness, so a decision's reward depends on an earlier, unobserved one. The
//!   text calls it "the incremental increase in total generation delay incurred by assigning thought i";
//!   the default (`makespan`) is exactly that, `max_{k≤i} F_k − max_{k<i} F_k`. Both telescope to `T_tot`
//!   over an episode (`F` before the first decision is 0 in both), so returns and every metric are the same
//!   figures; only the per-decision credit differs. `finish_increment` is eq. 24 as printed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::registry::{self, Scenario};
use super::info::{JsonLiteral, LegacyField, Measurements, PaperFigure, ScenarioInfo};
use super::{
    Action, FitTarget, ActionSpace, Baselines, DecisionKey, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot,
    Step,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::params::ParamFile;
pub use crate::params::tot::{BaseStation, Curve, MAX_SERVICE_PROVIDERS, ServiceProvider, TokenChain, TotParams};
use crate::rng::{Rng, Stream};
use crate::spaces::rounded_sum_max;
use crate::stats::Goal;

/// Most ToT steps `S`.
pub const MAX_TOT_STEPS: u64 = 12;
/// Most thoughts per step `M`.
pub const MAX_THOUGHTS_PER_STEP: u64 = 12;
/// Shortest link distance the path-loss model is evaluated at (m).
pub const MIN_DISTANCE_M: f64 = 1.0;
/// Smallest small-scale fading power gain `|g|²` used.
pub const MIN_FADING: f64 = 1e-12;
/// Why `--world paper` is refused: the paper publishes the BS's curve but draws the SPs afresh per run.
pub const NO_PAPER_WORLD: &str =
    "the ToT paper publishes no fixed world (its SPs are drawn per run); use a world seed or a parameter file";
/// Bits in one KB of thought data (`1 KB = 8·1024 bits`).
pub const BITS_PER_KB: f64 = 8.0 * 1024.0;
/// Values per server in the timing part of the observation ([`TotObservation::Timing`]).
pub const TIMING_PER_SERVER: usize = 4;
/// Values after the per-server ones in the timing part: makespan, index in the step, step.
pub const TIMING_GLOBAL: usize = 3;

/// Length of the timing part of the observation for `servers` servers (0 for the paper's state).
fn timing_len(observation: TotObservation, servers: usize) -> usize {
    match observation {
        TotObservation::Paper => 0,
        TotObservation::Timing => TIMING_PER_SERVER * servers + TIMING_GLOBAL,
    }
}

/// Large-scale path loss (dB) over `distance_m`: `PL = 127 + 30·log10(d)`, `d` in kilometres (the spec's
/// Reading: in metres no offloading could pay).
pub fn path_loss_db(distance_m: f64) -> f64 {
    127.0 + 30.0 * libm::log10(distance_m.max(MIN_DISTANCE_M) / 1000.0)
}

/// Large-scale power gain `10^(−PL/10)` over `distance_m`.
pub fn path_gain(distance_m: f64) -> f64 {
    libm::pow(10.0, -path_loss_db(distance_m) / 10.0)
}

/// Achievable rate (bit/s) of a link: `R = B·log2(1 + p·h/(B·N0))`, `h = |g|²/10^(PL/10)`.
pub fn link_rate_bit_s(bandwidth_hz: f64, power_w: f64, noise_w_per_hz: f64, distance_m: f64, fading: f64) -> f64 {
    shannon_rate_bit_s(bandwidth_hz, power_w, noise_w_per_hz, fading.max(MIN_FADING) * path_gain(distance_m))
}

/// `B·log2(1 + p·h/(B·N0))` for a channel power gain `h`. Below an SNR of 10⁻⁶ it is computed as
/// `B·ln(1 + x)/ln 2` with `ln_1p`: `1 + x` rounds to 1 below x ≈ 10⁻¹⁶, which made a weak link's rate 0 and
/// its delay infinite; above, the formula as before, so every published figure stays bit-identical.
fn shannon_rate_bit_s(bandwidth_hz: f64, power_w: f64, noise_w_per_hz: f64, gain: f64) -> f64 {
    let snr = power_w * gain / (bandwidth_hz * noise_w_per_hz);
    if snr < 1e-6 {
        bandwidth_hz * libm::log1p(snr) / core::f64::consts::LN_2
    } else {
        bandwidth_hz * libm::log2(1.0 + snr)
    }
}

/// A value drawn uniformly from `[min, max)` (always `min` when they are equal).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Uniform {
    /// Lower end.
    pub min: f64,
    /// Upper end, not below `min`.
    pub max: f64,
}

impl Uniform {
    const fn new(min: f64, max: f64) -> Self {
        Self { min, max }
    }

    fn draw(&self, rng: &mut Rng) -> f64 {
        rng.uniform_in(self.min, self.max)
    }

    fn validate(&self, field: &str, lo: f64, hi: f64) -> Result<()> {
        check_range(&format!("{field}.min"), self.min, lo, hi)?;
        check_range(&format!("{field}.max"), self.max, lo, hi)?;
        if self.max < self.min {
            return Err(Error::new(field, format!("max ({}) is below min ({})", self.max, self.min)));
        }
        Ok(())
    }
}

/// Everything that defines a `tot` run except the episode seed. Defaults are the paper's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TotConfig {
    /// Seed of the world draw (SP positions and curves), used when `world` is absent.
    pub world_seed: u64,
    /// A fixed world (parameter file) instead of a drawn one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<TotParams>,
    /// Number of service providers `U` of a drawn world (0–12).
    pub service_providers: u32,
    /// ToT steps `S` (1–12).
    pub tot_steps: u32,
    /// Thoughts per step `M` (1–12).
    pub thoughts_per_step: u32,
    /// Quality threshold `q`: `Score_min = q·Score_LG`, the all-at-BS total (the paper sweeps 0.8–0.95).
    pub quality_threshold: f64,
    /// Side of the square area (m); a drawn world has its BS at the centre and SPs uniform in it.
    pub area_m: f64,
    /// Bandwidth `B` of every link (Hz).
    pub bandwidth_hz: f64,
    /// Transmit power of the BS `p_0` (W).
    pub bs_power_w: f64,
    /// Transmit power of each SP `p_u` (W).
    pub sp_power_w: f64,
    /// Noise power spectral density `N0` (W/Hz).
    pub noise_w_per_hz: f64,
    /// Size `e` of the best thought sent to each thought of the next step (KB).
    pub data_kb: Uniform,
    /// SP initial score deficit `σ_u` of a drawn world.
    pub sp_sigma: Uniform,
    /// SP quality rate `ρ_u` (per token) of a drawn world.
    pub sp_rho_per_token: Uniform,
    /// SP delay per token `η_u` (s) of a drawn world.
    pub sp_eta_s_per_token: Uniform,
    /// SP generation overhead `ψ_u` (s) of a drawn world.
    pub sp_psi_s: Uniform,
    /// What the learner observes: the paper's state, or (default) the paper's state with the timing state
    /// it leaves out.
    pub observation: TotObservation,
    /// How a decision's delay enters its reward: the finish-time increment in decision order (the paper's
    /// eq. 24 as printed) or (default) the increase of the makespan so far.
    pub delay_reward: TotDelayReward,
    /// Weight of the quality penalty `max(0, Score_min/|I| − Score_i)` in the reward, in seconds per score
    /// point (the paper's eq. 24: 1; see the module's Readings for the default).
    pub quality_penalty_weight: f64,
}

/// What the learner observes in `tot` (see the module's Readings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TotObservation {
    /// The paper's state `s_i = {g, C, X, e}` (eq. 22): fading gains, SP token counts, the assignment
    /// vector and the data size.
    Paper,
    /// The paper's state followed by the timing state it leaves out: per server when it is free and when
    /// the pending thought would finish there (relative to the step's barrier, in units of the BS's
    /// generation delay), its score margin over the per-thought share, whether it holds the previous
    /// step's best thought; then the makespan so far, the thought's place in its step and the step.
    Timing,
}

/// How the delay of a decision enters its reward in `tot` (see the module's Readings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TotDelayReward {
    /// `−(F_i − F_{i−1})`, `F` the finish times in decision order: eq. (24) as printed.
    FinishIncrement,
    /// `−(max_{k≤i} F_k − max_{k<i} F_k)`: the increase of the total delay so far (the text's "incremental
    /// increase in total generation delay").
    Makespan,
}

impl Default for TotConfig {
    fn default() -> Self {
        Self {
            world_seed: 0,
            world: None,
            service_providers: 6,
            tot_steps: 6,
            thoughts_per_step: 6,
            quality_threshold: 0.9,
            area_m: 100.0,
            bandwidth_hz: 2.0e6,
            bs_power_w: 1.0,
            sp_power_w: 0.1,
            noise_w_per_hz: 4.0e-21,
            data_kb: Uniform::new(5.0, 10.0),
            sp_sigma: Uniform::new(30.0, 55.0),
            sp_rho_per_token: Uniform::new(0.035, 0.055),
            sp_eta_s_per_token: Uniform::new(0.02, 0.04),
            sp_psi_s: Uniform::new(0.05, 0.15),
            observation: TotObservation::Timing,
            delay_reward: TotDelayReward::Makespan,
            quality_penalty_weight: 10.0,
        }
    }
}

impl TotConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("service_providers", u64::from(self.service_providers), 0, MAX_SERVICE_PROVIDERS)?;
        check_count("tot_steps", u64::from(self.tot_steps), 1, MAX_TOT_STEPS)?;
        check_count("thoughts_per_step", u64::from(self.thoughts_per_step), 1, MAX_THOUGHTS_PER_STEP)?;
        check_range("quality_threshold", self.quality_threshold, 0.0, 1.0)?;
        check_range("area_m", self.area_m, 1.0, 1.0e5)?;
        check_range("bandwidth_hz", self.bandwidth_hz, 1.0, 1.0e10)?;
        check_range("bs_power_w", self.bs_power_w, 1.0e-6, 1.0e6)?;
        check_range("sp_power_w", self.sp_power_w, 1.0e-6, 1.0e6)?;
        check_range("noise_w_per_hz", self.noise_w_per_hz, 1.0e-25, 1.0e-15)?;
        check_range("quality_penalty_weight", self.quality_penalty_weight, 0.0, 1.0e3)?;
        self.data_kb.validate("data_kb", 0.0, 1.0e6)?;
        self.sp_sigma.validate("sp_sigma", 0.0, 1.0e6)?;
        self.sp_rho_per_token.validate("sp_rho_per_token", 0.0, 100.0)?;
        self.sp_eta_s_per_token.validate("sp_eta_s_per_token", 0.0, 1000.0)?;
        self.sp_psi_s.validate("sp_psi_s", 0.0, 1.0e6)?;
        if let Some(world) = &self.world {
            world.validate().map_err(|e| e.within("world"))?;
        }
        Ok(())
    }

    /// The world this config runs on: the fixed one if given, else the draw from `world_seed`.
    pub fn resolve_world(&self) -> TotParams {
        self.world.clone().unwrap_or_else(|| self.draw_world(self.world_seed))
    }

    /// Draws a world with `seed`: the paper's BS at the centre, SPs uniform in the square with curves from
    /// this config's ranges (per SP: x, y, σ, ρ, η, ψ).
    pub fn draw_world(&self, seed: u64) -> TotParams {
        let mut rng = Rng::new(seed, Stream::World);
        let service_providers = (0..self.service_providers)
            .map(|_| ServiceProvider {
                x_m: rng.uniform_in(0.0, self.area_m),
                y_m: rng.uniform_in(0.0, self.area_m),
                curve: Curve {
                    sigma: self.sp_sigma.draw(&mut rng),
                    rho_per_token: self.sp_rho_per_token.draw(&mut rng),
                    eta_s_per_token: self.sp_eta_s_per_token.draw(&mut rng),
                    psi_s: self.sp_psi_s.draw(&mut rng),
                },
            })
            .collect();
        TotParams {
            schema: TotParams::SCHEMA.to_owned(),
            source: Some(format!("drawn with world seed {seed}")),
            score_max: TotParams::PAPER_SCORE_MAX,
            bs: TotParams::paper_bs(self.area_m),
            token_chain: TokenChain::paper(),
            service_providers,
        }
    }
}

/// Where and when one thought is generated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThoughtSchedule {
    /// Server: 0 = BS, `u` = SP `u`.
    pub server: u32,
    /// When the best thought of the previous step has arrived (s).
    pub ready_s: f64,
    /// When generation starts: the later of ready and the server being free (s).
    pub start_s: f64,
    /// When generation ends (s).
    pub finish_s: f64,
    /// Output tokens it was generated with.
    pub tokens: u32,
    /// Its quality score.
    pub score: f64,
}

/// Per-episode facts of a thought: what it receives, and its schedule once assigned.
#[derive(Debug, Clone, Copy)]
struct Thought {
    data_bits: f64,
    schedule: Option<ThoughtSchedule>,
}

/// One thought of the DAG, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThoughtView {
    /// Index in the DAG: 0 = input, then step by step, `S·M + 1` = output.
    pub id: u32,
    /// ToT step: 0 = input, `1..=S`, `S + 1` = output.
    pub step: u32,
    /// Position within its step.
    pub index: u32,
    /// The thought it builds on (the best of the previous step), once that step is complete.
    pub parent: Option<u32>,
    /// Size of the data it receives from its parent (KB; 0 for the input thought).
    pub data_kb: f64,
    /// Whether it is the best of its step (known once the step is complete).
    pub best: bool,
    /// Its schedule, once assigned.
    pub schedule: Option<ThoughtSchedule>,
}

/// One generation on a server's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Interval {
    /// The thought generated.
    pub thought: u32,
    /// Start (s).
    pub start_s: f64,
    /// End (s).
    pub finish_s: f64,
}

/// One server (BS or SP), for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ServerView {
    /// 0 = BS, `u` = SP `u` (the action that picks it).
    pub index: u32,
    /// East coordinate (m).
    pub x_m: f64,
    /// North coordinate (m).
    pub y_m: f64,
    /// Its token count in the current slot.
    pub tokens: u32,
    /// Its score per thought in the current slot.
    pub score: f64,
    /// Its generation delay per thought in the current slot (s).
    pub generation_s: f64,
    /// When it finishes its last assigned thought (s).
    pub busy_until_s: f64,
    /// Its Gantt chart: the thoughts it generated, in order.
    pub intervals: Vec<Interval>,
}

/// The thought awaiting a decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PendingView {
    /// Its id.
    pub thought: u32,
    /// Its step.
    pub step: u32,
    /// Position within its step.
    pub index: u32,
    /// Latest finish of the previous step (the barrier, s).
    pub barrier_s: f64,
    /// Server holding the best thought of the previous step.
    pub source_server: u32,
    /// Data it needs (KB).
    pub data_kb: f64,
    /// Per server: when this thought would finish there (s).
    pub finish_if_s: Vec<f64>,
    /// Per server: the score it would get there.
    pub score_if: Vec<f64>,
}

/// The last decision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Decision {
    /// The thought decided.
    pub thought: u32,
    /// The server chosen.
    pub server: u32,
    /// Its reward.
    pub reward: f64,
    /// The quality penalty inside the reward.
    pub penalty: f64,
}

/// Episode counters.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct Counters {
    /// Sum of rewards.
    pub total_reward: f64,
    /// Sum of quality penalties.
    pub penalty: f64,
    /// Sum of the scores of generated thoughts (`Score_tot` at the end).
    pub score: f64,
    /// Latest finish so far (`T_tot` at the end, s).
    pub makespan_s: f64,
    /// Thoughts generated away from the BS.
    pub offloaded: u32,
}

/// What the front end draws for `tot`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TotSnapshot {
    /// ToT steps `S`.
    pub steps: u32,
    /// Thoughts per step `M`.
    pub thoughts_per_step: u32,
    /// The current slot (the pending thought's step; `S + 1` once done).
    pub slot: u32,
    /// Servers, BS first.
    pub servers: Vec<ServerView>,
    /// The DAG's thoughts in id order.
    pub thoughts: Vec<ThoughtView>,
    /// The thought awaiting a decision, if any.
    pub pending: Option<PendingView>,
    /// The last decision, if any.
    pub last: Option<Decision>,
    /// `Score_min = q·Score_LG`.
    pub score_min: f64,
    /// Per-thought quality share `Score_min / |I|`.
    pub score_share: f64,
    /// Delay of generating everything at the BS (s).
    pub local_delay_s: f64,
    /// Episode totals.
    pub totals: Counters,
}

/// The `tot` environment.
#[derive(Debug, Clone)]
pub struct TotEnv {
    config: TotConfig,
    world: TotParams,
    /// `S`, `M`, `U + 1`.
    steps: usize,
    per_step: usize,
    servers: usize,
    /// Transmit power of each server, and `10^(−PL/10)` of each ordered link (row = sender).
    power_w: Vec<f64>,
    path_gain: Vec<f64>,
    /// Cumulative transition rows of the token chain.
    chain_cdf: Vec<f64>,
    bs_delay_s: f64,
    bs_score: f64,
    score_min: f64,
    score_share: f64,
    local_delay_s: f64,
    /// Episode draws: `|g|²` per slot `1..=S+1` and ordered link; SP token budgets per step `1..=S`; and per
    /// slot and server the generation delay and score those budgets give.
    fading: Vec<f64>,
    tokens: Vec<u32>,
    generation_s: Vec<f64>,
    score: Vec<f64>,
    thoughts: Vec<Thought>,
    busy_until_s: Vec<f64>,
    /// Per step `0..=S`, once complete: its best thought and its latest finish.
    best: Vec<usize>,
    step_end_s: Vec<f64>,
    /// Decisions taken.
    next: usize,
    /// The delay the rewards have counted so far: `F` of the previous decision ([`TotDelayReward::FinishIncrement`])
    /// or the makespan before this decision ([`TotDelayReward::Makespan`]); 0 before the first (s).
    counted_delay_s: f64,
    counters: Counters,
    last: Option<Decision>,
    obs: Vec<f32>,
}

impl TotEnv {
    /// Builds the environment (validating the config); call [`Env::reset`] before stepping.
    pub fn new(config: TotConfig) -> Result<Self> {
        config.validate()?;
        let world = config.resolve_world();
        let servers = world.service_providers.len() + 1;
        let (steps, per_step) = (config.tot_steps as usize, config.thoughts_per_step as usize);
        let positions: Vec<(f64, f64)> = core::iter::once((world.bs.x_m, world.bs.y_m))
            .chain(world.service_providers.iter().map(|sp| (sp.x_m, sp.y_m)))
            .collect();
        let mut path_gain = vec![0.0; servers * servers];
        for (a, &(xa, ya)) in positions.iter().enumerate() {
            for (b, &(xb, yb)) in positions.iter().enumerate() {
                if a != b {
                    let d = ((xa - xb) * (xa - xb) + (ya - yb) * (ya - yb)).sqrt();
                    path_gain[a * servers + b] = self::path_gain(d);
                }
            }
        }
        let mut power_w = vec![config.sp_power_w; servers];
        power_w[0] = config.bs_power_w;
        let chain_cdf = world
            .token_chain
            .transition
            .iter()
            .flat_map(|row| {
                row.iter().scan(0.0, |acc, p| {
                    *acc += p;
                    Some(*acc)
                })
            })
            .collect();
        let bs_tokens = f64::from(world.bs.tokens);
        let bs_delay_s = world.bs.curve.delay_s(bs_tokens);
        let bs_score = world.bs.curve.score(world.score_max, bs_tokens);
        let all = (steps * per_step + 2) as f64;
        let score_min = config.quality_threshold * all * bs_score;
        let u = servers - 1;
        let n_thoughts = steps * per_step + 2;
        let mut env = Self {
            steps,
            per_step,
            servers,
            power_w,
            path_gain,
            chain_cdf,
            bs_delay_s,
            bs_score,
            score_min,
            score_share: score_min / all,
            local_delay_s: (0..n_thoughts).fold(0.0, |t, _| t + bs_delay_s),
            fading: vec![0.0; (steps + 1) * servers * servers],
            tokens: vec![0; steps * u],
            generation_s: vec![bs_delay_s; (steps + 2) * servers],
            score: vec![bs_score; (steps + 2) * servers],
            thoughts: vec![Thought { data_bits: 0.0, schedule: None }; n_thoughts],
            busy_until_s: vec![0.0; servers],
            best: vec![0; steps + 1],
            step_end_s: vec![0.0; steps + 1],
            next: 0,
            counted_delay_s: 0.0,
            counters: Counters::default(),
            last: None,
            obs: vec![0.0; servers * servers + u + n_thoughts + 1 + timing_len(config.observation, servers)],
            world,
            config,
        };
        env.reset(0);
        Ok(env)
    }

    /// The world this environment runs on.
    pub fn world(&self) -> &TotParams {
        &self.world
    }

    /// Decisions of an episode (`S·M`).
    pub fn decisions(&self) -> usize {
        self.steps * self.per_step
    }

    /// The step of thought `id` (0 = input, `S + 1` = output).
    fn step_of(&self, id: usize) -> usize {
        match id {
            0 => 0,
            _ if id > self.decisions() => self.steps + 1,
            _ => (id - 1) / self.per_step + 1,
        }
    }

    /// The schedule of thought `id` if it is generated on `server` now (its previous step complete).
    fn plan(&self, id: usize, server: usize) -> ThoughtSchedule {
        let step = self.step_of(id);
        let source = self.thoughts[self.best[step - 1]].schedule.expect("the previous step is generated").server;
        let transfer_s = if source as usize == server {
            0.0
        } else {
            self.thoughts[id].data_bits / self.rate_bit_s(step, source as usize, server)
        };
        let ready_s = self.step_end_s[step - 1] + transfer_s;
        let start_s = ready_s.max(self.busy_until_s[server]);
        let k = step * self.servers + server;
        let tokens = match (server, step) {
            (0, _) => self.world.bs.tokens,
            (u, s) => self.tokens[(s - 1) * (self.servers - 1) + u - 1],
        };
        ThoughtSchedule {
            server: server as u32,
            ready_s,
            start_s,
            finish_s: start_s + self.generation_s[k],
            tokens,
            score: self.score[k],
        }
    }

    /// Rate (bit/s) from server `a` to server `b` in slot `step` (`1..=S+1`).
    fn rate_bit_s(&self, step: usize, a: usize, b: usize) -> f64 {
        let n = self.servers;
        let fading = self.fading[(step - 1) * n * n + a * n + b];
        let gain = fading.max(MIN_FADING) * self.path_gain[a * n + b];
        shannon_rate_bit_s(self.config.bandwidth_hz, self.power_w[a], self.config.noise_w_per_hz, gain)
    }

    /// Records `schedule` for thought `id`; returns its quality penalty.
    fn assign(&mut self, id: usize, schedule: ThoughtSchedule) -> f64 {
        let server = schedule.server as usize;
        self.thoughts[id].schedule = Some(schedule);
        self.busy_until_s[server] = schedule.finish_s;
        self.counters.score += schedule.score;
        self.counters.makespan_s = self.counters.makespan_s.max(schedule.finish_s);
        if server != 0 {
            self.counters.offloaded += 1;
        }
        (self.score_share - schedule.score).max(0.0)
    }

    /// Marks step `step` complete: its best thought (highest score, lowest id on ties) and its last finish.
    fn close_step(&mut self, step: usize) {
        let ids = if step == 0 { 0..1 } else { (step - 1) * self.per_step + 1..step * self.per_step + 1 };
        let (mut best, mut best_score, mut end) = (ids.start, f64::NEG_INFINITY, 0.0f64);
        for id in ids {
            let s = self.thoughts[id].schedule.expect("a closed step is generated");
            if s.score > best_score {
                (best, best_score) = (id, s.score);
            }
            end = end.max(s.finish_s);
        }
        self.best[step] = best;
        self.step_end_s[step] = end;
    }

    fn draw_episode(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        let (n, u) = (self.servers, self.servers - 1);
        let states = self.world.token_chain.tokens.len();
        let mut state = vec![0usize; u];
        let data_kb = self.config.data_kb;
        for slot in 1..=self.steps + 1 {
            for a in 0..n {
                for b in 0..n {
                    self.fading[(slot - 1) * n * n + a * n + b] = if a == b { 0.0 } else { rng.exponential() };
                }
            }
            if slot <= self.steps {
                for (sp, s) in state.iter_mut().enumerate() {
                    *s = if slot == 1 {
                        rng.below(states as u64) as usize
                    } else {
                        let row = &self.chain_cdf[*s * states..(*s + 1) * states];
                        let x = rng.uniform();
                        // Rounding may leave the row's total a hair below 1: then the last state.
                        row.iter().position(|&c| x < c).unwrap_or(states - 1)
                    };
                    self.set_budget(slot, sp + 1, self.world.token_chain.tokens[*s]);
                }
            }
            let first = (slot - 1) * self.per_step + 1;
            let count = if slot <= self.steps { self.per_step } else { 1 };
            for thought in &mut self.thoughts[first..first + count] {
                thought.data_bits = data_kb.draw(&mut rng) * BITS_PER_KB;
            }
        }
    }

    /// Gives SP `server` a budget of `tokens` in step `slot`, with the delay and score that follow.
    fn set_budget(&mut self, slot: usize, server: usize, tokens: u32) {
        let n = self.servers;
        self.tokens[(slot - 1) * (n - 1) + server - 1] = tokens;
        let curve = &self.world.service_providers[server - 1].curve;
        self.generation_s[slot * n + server] = curve.delay_s(f64::from(tokens));
        self.score[slot * n + server] = curve.score(self.world.score_max, f64::from(tokens));
    }

    fn write_observation(&mut self) {
        let n = self.servers;
        let u = n - 1;
        let pending = (!self.is_done()).then(|| (self.next + 1, self.step_of(self.next + 1)));
        let (links, rest) = self.obs.split_at_mut(n * n);
        let (tokens, rest) = rest.split_at_mut(u);
        let (assigned, data) = rest.split_at_mut(self.thoughts.len());
        match pending {
            Some((id, step)) => {
                let slot = &self.fading[(step - 1) * n * n..step * n * n];
                links.iter_mut().zip(slot).for_each(|(o, &g)| *o = g as f32);
                let norm = f64::from(self.world.token_chain.max_tokens());
                let now = &self.tokens[(step - 1) * u..step * u];
                tokens.iter_mut().zip(now).for_each(|(o, &t)| *o = (f64::from(t) / norm) as f32);
                data[0] = (self.thoughts[id].data_bits / (self.config.data_kb.max.max(1e-9) * BITS_PER_KB)) as f32;
            }
            None => {
                links.fill(0.0);
                tokens.fill(0.0);
                data[0] = 0.0;
            }
        }
        let norm = u.max(1) as f64;
        for (o, t) in assigned.iter_mut().zip(&self.thoughts) {
            *o = t.schedule.map_or(-1.0, |s| (f64::from(s.server) / norm) as f32);
        }
        if self.config.observation == TotObservation::Timing {
            self.write_timing(pending);
        }
    }

    /// The timing part of the observation (after the paper's state) for the pending thought `(id, step)`:
    /// per server `[(A_m − t)⁺, F_m − t, score margin, holds j*]`, then `[(makespan − t), index / M,
    /// (step − 1) / S]`, times in units of the BS's generation delay; zeros once the episode has ended.
    fn write_timing(&mut self, pending: Option<(usize, usize)>) {
        let n = self.servers;
        let start = self.obs.len() - timing_len(TotObservation::Timing, n);
        let Some((id, step)) = pending else {
            self.obs[start..].fill(0.0);
            return;
        };
        let barrier_s = self.step_end_s[step - 1];
        let unit_s = self.bs_delay_s;
        let source = self.thoughts[self.best[step - 1]].schedule.expect("the previous step is generated").server;
        for m in 0..n {
            let plan = self.plan(id, m);
            let o = &mut self.obs[start + TIMING_PER_SERVER * m..start + TIMING_PER_SERVER * (m + 1)];
            o[0] = ((self.busy_until_s[m] - barrier_s).max(0.0) / unit_s) as f32;
            o[1] = ((plan.finish_s - barrier_s) / unit_s) as f32;
            o[2] = (plan.score - self.score_share) as f32;
            o[3] = if source as usize == m { 1.0 } else { 0.0 };
        }
        let g = &mut self.obs[start + TIMING_PER_SERVER * n..];
        g[0] = ((self.counters.makespan_s - barrier_s).max(0.0) / unit_s) as f32;
        g[1] = ((id - 1) % self.per_step) as f32 / self.per_step as f32;
        g[2] = (step - 1) as f32 / self.steps as f32;
    }

    /// The bounds of [`Self::write_observation`]'s features; every one holds the 0 an ended episode reads.
    /// - Fading gains `|g|²` (exponential draws) are in `[0, Rng::exponential_max()]`; a server's link to
    ///   itself is always 0.
    /// - Token budgets are shares of the chain's largest, the data size a share of `data_kb.max`: `[0, 1]`.
    /// - Assignments are `−1` (not yet) or a server index over `max(U, 1)`: `[−1, 1]`.
    /// - Timing ([`TotObservation::Timing`]): every thought of the pending step is ready within the slowest
    ///   transfer `T` after the barrier (the data size's maximum over the link of the lowest rate, fading at
    ///   its floor), and a server runs at most `M` of them one after another, each within the slowest
    ///   generation `G` (the BS's or any SP's at any budget); earlier steps' thoughts all end by the barrier.
    ///   So a server's free time, the pending thought's finish and the makespan lie within `T + M·G` after
    ///   it, in units of the BS's delay. The score margin lies between the lowest and highest score any
    ///   server can give, less the per-thought share; the holder flag and the places in `[0, 1]`.
    fn observation_bounds(&self) -> ObservationSpace {
        let n = self.servers;
        let links = (0..n * n).map(|i| if i / n == i % n { (0.0, 0.0) } else { (0.0, Rng::exponential_max() as f32) });
        let unit = (0.0, 1.0);
        let paper = links
            .chain(core::iter::repeat_n(unit, n - 1))
            .chain(core::iter::repeat_n((-1.0, 1.0), self.thoughts.len()))
            .chain([unit]);
        if self.config.observation == TotObservation::Paper {
            return ObservationSpace::from_bounds(paper);
        }
        let sp_curves = || self.world.service_providers.iter().map(|sp| &sp.curve);
        let budgets = || self.world.token_chain.tokens.iter().map(|&t| f64::from(t));
        let generation_s =
            sp_curves().flat_map(|curve| budgets().map(|t| curve.delay_s(t))).fold(self.bs_delay_s, f64::max);
        let scores = sp_curves().flat_map(|curve| budgets().map(|t| curve.score(self.world.score_max, t)));
        let (score_lo, score_hi) = scores.fold((self.bs_score, self.bs_score), |(lo, hi), s| (lo.min(s), hi.max(s)));
        let data_bits = rounded_sum_max(self.config.data_kb.max * BITS_PER_KB, 2.0);
        let transfer_s = (0..n * n)
            .filter(|i| i / n != i % n)
            .map(|i| {
                let gain = MIN_FADING * self.path_gain[i];
                data_bits
                    / shannon_rate_bit_s(
                        self.config.bandwidth_hz,
                        self.power_w[i / n],
                        self.config.noise_w_per_hz,
                        gain,
                    )
            })
            .fold(0.0, f64::max);
        // Finish times are sums of up to `(S + 2)·(M + 2)` transfers and generations, each rounded.
        let operations = 8.0 * (self.steps as f64 + 2.0) * (self.per_step as f64 + 2.0);
        let step_s = rounded_sum_max(transfer_s + self.per_step as f64 * generation_s, operations);
        let time = (0.0, (step_s / self.bs_delay_s) as f32);
        let margin = ((score_lo - self.score_share).min(0.0) as f32, (score_hi - self.score_share).max(0.0) as f32);
        let per_server = core::iter::repeat_n([time, time, margin, unit], n).flatten();
        ObservationSpace::from_bounds(paper.chain(per_server).chain([time, unit, unit]))
    }

    /// The current slot: the pending thought's step, `S + 1` once done.
    fn slot(&self) -> usize {
        self.step_of(self.next + 1).min(self.steps + 1)
    }

    /// Server the heuristic `greedy` picks for the pending thought: the earliest finish among servers
    /// whose score keeps the per-thought share (lowest index on ties); with none, the best score.
    fn greedy_server(&self) -> usize {
        let id = self.next + 1;
        let mut keep: Option<(usize, f64)> = None;
        let mut fallback: Option<(usize, f64)> = None;
        for server in 0..self.servers {
            let s = self.plan(id, server);
            if s.score >= self.score_share && keep.is_none_or(|(_, f)| s.finish_s < f) {
                keep = Some((server, s.finish_s));
            }
            if fallback.is_none_or(|(_, b)| s.score > b) {
                fallback = Some((server, s.score));
            }
        }
        keep.or(fallback).map_or(0, |(server, _)| server)
    }
}

/// The DSAC paper's scenario and its figure (DSAC's delay reduction against local generation at q = 0.8).
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Tot,
    title: "assigning Tree-of-Thoughts thoughts to the BS or service providers (DSAC, Liu et al.)",
    heuristics: &["local", "random", "round_robin", "greedy"],
    start_heuristic: "greedy",
    cheapest_heuristic: "local",
    paper_algorithm: "dsac",
    main_metric: "delay_reduction",
    goal: Goal::Maximise,
    paper_figures: &[PaperFigure { label: "paper DSAC (q = 0.8)", metric: "delay_reduction", value: 0.8123 }],
    has_world: true,
    measurements: Some(Measurements {
        header: "tokens,delay_s,score",
        rule: "The chosen server keeps its place (the base station its token count); the fit sets its curves σ, ρ, η, ψ.",
    }),
    legacy_fields: &[
        LegacyField { name: "observation", value: JsonLiteral::Text("paper"), replaces: None },
        LegacyField { name: "delay_reward", value: JsonLiteral::Text("finish_increment"), replaces: None },
        LegacyField { name: "quality_penalty_weight", value: JsonLiteral::Number(1.0), replaces: None },
    ],
};

impl Scenario for TotConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(TotEnv::new(self.clone())?))
    }

    crate::world_methods!(TotParams, Err(Error::new("world", NO_PAPER_WORLD)));

    fn fit_csv(csv: &str, score_max: f64) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(crate::params::fit::fit_tot_csv(csv, score_max)?).expect("fits serialise"))
    }

    fn fit_targets(&self) -> Vec<FitTarget> {
        let mut targets = vec![FitTarget { value: "bs".into(), label: "the base station".into() }];
        targets.extend(registry::numbered_targets(self.resolve_world().service_providers.len(), "service provider"));
        targets
    }

    /// The server keeps its place (the base station its token count); the fit sets its curves.
    fn fitted_world(&self, csv: &str, score_max: f64, target: &str, file_name: &str) -> Result<String> {
        let fit = crate::params::fit::fit_tot_csv(csv, score_max)?;
        let mut world = self.resolve_world();
        let place = if target == "bs" {
            world.bs.curve = fit.curve_params();
            "the base station's curves".to_owned()
        } else {
            let i = registry::fit_index(target, world.service_providers.len())?;
            world.service_providers[i].curve = fit.curve_params();
            format!("service provider {}'s curves", i + 1)
        };
        world.source = registry::noted(&world.source, &format!("{place} fitted to {file_name}"));
        Ok(crate::params::to_json(&world))
    }
}

impl Env for TotEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Tot
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: self.servers }
    }

    fn reset(&mut self, episode_seed: u64) {
        self.draw_episode(episode_seed);
        for t in &mut self.thoughts {
            t.schedule = None;
        }
        self.busy_until_s.fill(0.0);
        self.counters = Counters::default();
        self.last = None;
        self.next = 0;
        self.counted_delay_s = 0.0;
        let input = ThoughtSchedule {
            server: 0,
            ready_s: 0.0,
            start_s: 0.0,
            finish_s: self.bs_delay_s,
            tokens: self.world.bs.tokens,
            score: self.bs_score,
        };
        self.assign(0, input);
        self.close_step(0);
        self.write_observation();
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    fn step(&mut self, action: &Action) -> Result<Step> {
        let server = action.index_below(self.servers)?;
        if self.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        let id = self.next + 1;
        let schedule = self.plan(id, server);
        let mut penalty = self.assign(id, schedule);
        if self.next == 0 {
            penalty += (self.score_share - self.bs_score).max(0.0); // the input thought's
        }
        let mut finish_s = schedule.finish_s;
        if id.is_multiple_of(self.per_step) {
            self.close_step(self.step_of(id));
        }
        let terminated = id == self.decisions();
        if terminated {
            // The output thought follows the last decision at once, at the BS.
            let output = self.plan(id + 1, 0);
            penalty += self.assign(id + 1, output);
            finish_s = output.finish_s;
        }
        let delay_s = match self.config.delay_reward {
            TotDelayReward::FinishIncrement => finish_s,
            TotDelayReward::Makespan => self.counters.makespan_s,
        };
        let reward = -(delay_s - self.counted_delay_s) - self.config.quality_penalty_weight * penalty;
        self.counted_delay_s = delay_s;
        self.counters.total_reward += reward;
        self.counters.penalty += penalty;
        self.last = Some(Decision { thought: id as u32, server: server as u32, reward, penalty });
        self.next += 1;
        self.write_observation();
        Ok(Step { reward, terminated, truncated: false }.debug_checked(&self.obs))
    }

    fn is_done(&self) -> bool {
        self.next >= self.decisions()
    }

    fn metrics(&self) -> Metrics {
        let c = &self.counters;
        Metrics(vec![
            ("total_reward", c.total_reward),
            ("total_delay_s", c.makespan_s),
            ("total_score", c.score),
            ("score_min", self.score_min),
            ("quality_met", f64::from(u8::from(c.score >= self.score_min))),
            ("delay_reduction", 1.0 - c.makespan_s / self.local_delay_s),
            ("local_delay_s", self.local_delay_s),
            ("penalty", c.penalty),
            ("offloaded", f64::from(c.offloaded)),
        ])
    }

    fn snapshot(&self) -> Snapshot {
        let slot = self.slot();
        let n = self.servers;
        let k = slot.min(self.steps) * n;
        let mut servers: Vec<ServerView> = (0..n)
            .map(|m| {
                let (x_m, y_m) = match m {
                    0 => (self.world.bs.x_m, self.world.bs.y_m),
                    u => (self.world.service_providers[u - 1].x_m, self.world.service_providers[u - 1].y_m),
                };
                let tokens = match (m, slot.min(self.steps)) {
                    (0, _) => self.world.bs.tokens,
                    (u, s) => self.tokens[(s - 1) * (n - 1) + u - 1],
                };
                ServerView {
                    index: m as u32,
                    x_m,
                    y_m,
                    tokens,
                    score: self.score[k + m],
                    generation_s: self.generation_s[k + m],
                    busy_until_s: self.busy_until_s[m],
                    intervals: Vec::new(),
                }
            })
            .collect();
        let closed = |step: usize| step == 0 || self.next >= step * self.per_step;
        let thoughts = (0..self.thoughts.len())
            .map(|id| {
                let step = self.step_of(id);
                let t = &self.thoughts[id];
                if let Some(s) = t.schedule {
                    servers[s.server as usize].intervals.push(Interval {
                        thought: id as u32,
                        start_s: s.start_s,
                        finish_s: s.finish_s,
                    });
                }
                ThoughtView {
                    id: id as u32,
                    step: step as u32,
                    index: if step == 0 || step > self.steps { 0 } else { ((id - 1) % self.per_step) as u32 },
                    parent: (step > 0 && closed(step - 1)).then(|| self.best[step - 1] as u32),
                    data_kb: t.data_bits / BITS_PER_KB,
                    best: step <= self.steps && closed(step) && self.best[step] == id,
                    schedule: t.schedule,
                }
            })
            .collect();
        for server in &mut servers {
            server.intervals.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        }
        let pending = (!self.is_done()).then(|| {
            let id = self.next + 1;
            let step = self.step_of(id);
            let plans: Vec<ThoughtSchedule> = (0..n).map(|m| self.plan(id, m)).collect();
            PendingView {
                thought: id as u32,
                step: step as u32,
                index: ((id - 1) % self.per_step) as u32,
                barrier_s: self.step_end_s[step - 1],
                source_server: self.thoughts[self.best[step - 1]].schedule.map_or(0, |s| s.server),
                data_kb: self.thoughts[id].data_bits / BITS_PER_KB,
                finish_if_s: plans.iter().map(|s| s.finish_s).collect(),
                score_if: plans.iter().map(|s| s.score).collect(),
            }
        });
        Snapshot::Tot(TotSnapshot {
            steps: self.steps as u32,
            thoughts_per_step: self.per_step as u32,
            slot: slot as u32,
            servers,
            thoughts,
            pending,
            last: self.last,
            score_min: self.score_min,
            score_share: self.score_share,
            local_delay_s: self.local_delay_s,
            totals: self.counters,
        })
    }

    fn positions(&self) -> usize {
        self.decisions()
    }

    fn decision_key(&self) -> DecisionKey {
        DecisionKey { agent: 0, position: self.next.min(self.decisions() - 1) }
    }
}

impl Baselines for TotEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let n = self.servers as u64;
        Action::Discrete(match heuristic {
            0 => 0,
            1 => state.rng.below(n) as usize,
            2 => (state.decisions % n) as usize,
            _ if self.is_done() => 0,
            _ => self.greedy_server(),
        })
    }
}

#[cfg(test)]
mod tests;
