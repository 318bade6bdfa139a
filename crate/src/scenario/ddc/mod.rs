//! `ddc`: distributed, controllable text-to-image generation (Kong et al., TMC 2026; seed 002).
//!
//! One edge server and `K` phones. Each slot every user draws a preference between perceptual similarity
//! and prompt alignment, a QoE threshold and up/down bandwidths. On the phone, Visual Condition
//! Engineering ([`vce`], not learned) picks the visual condition and its compression; the edge then
//! decides, per user, the denoising steps `T_k` and how many of them it runs itself (`e_k`), the phone
//! running the rest after downloading the intermediate latent. The reward is the total utility minus
//! penalties for exceeding the step budgets, missing a threshold and exceeding the latency limit.
//! The spec is `design/environments.md`, section `ddc`.
//!
//! The heuristic baselines are the paper's whole systems; a heuristic's user side is switched in with
//! [`Baselines::set_system`] (see [`systems`]).
//!
//! Choices made where the paper and the spec are silent (*Readings*), each documented where it lives: the
//! details of Algorithm 2's walk ([`vce`]), the action's squash and rounding ([`action`]), `e_k = 0`
//! ([`model::World::denoise_s`]), the baselines' user sides ([`systems`]) and the search baselines'
//! objective ([`search`]). Sizes are in KB of 1000 bytes, bandwidths in Mbit/s of 10⁶ bits. A request is
//! satisfied when `Q_k ≥ Q̃_k` and `L_k ≤ L̃` (the spec's metric); the step budgets enter the reward as
//! penalties and are reported as overflow counts, not as part of satisfaction.

pub mod action;
pub mod model;
pub mod profile;
pub mod search;
pub mod systems;
pub mod vce;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::registry::{self, Scenario};
use super::info::{Measurements, PaperFigure, ScenarioInfo};
use super::{
    Action, FitTarget, ActionSpace, Baselines, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::params::ParamFile;
pub use crate::params::ddc::{
    Condition, ConditionProfile, DdcParams, STEP_CHOICES, parse_ddc_profile_csv, profile_csv,
};
use crate::rng::{Rng, Stream};
use crate::stats::Goal;
use action::PER_USER;
use model::{Device, Outcome, Penalties, Request, Split, Upload, World};
use profile::Profile;
use systems::{HEURISTICS, ORACLE, UserSide};
use vce::Frontiers;

/// Most users a run may have (the observation has `10·K + 2` values).
pub const MAX_USERS: u64 = 64;
/// Most users the `oracle` baseline searches for (its cost grows with every user's settings × splits).
pub const ORACLE_MAX_USERS: usize = 6;
/// Observation values per user: condition one-hot (4), α, β, `Q̃_k`, `C_k/C_E`, up and down bandwidth.
pub const OBS_PER_USER: usize = 10;
/// The observation gives `L̃` in units of the paper's 10 s.
const OBS_LATENCY_SCALE_S: f64 = 10.0;
/// The observation gives `C_E` in units of the paper's 60 steps.
const OBS_BUDGET_SCALE_STEPS: f64 = 60.0;

/// An interval `[min, max]` a value is drawn from uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Smallest value.
    pub min: f64,
    /// Largest value (at least `min`).
    pub max: f64,
}

impl Range {
    fn validate(&self, field: &str, lo: f64, hi: f64) -> Result<()> {
        check_range(&format!("{field}.min"), self.min, lo, hi)?;
        check_range(&format!("{field}.max"), self.max, lo, hi)?;
        if self.max < self.min {
            return Err(Error::new(
                format!("{field}.max"),
                format!("must be at least min ({}), got {}", self.min, self.max),
            ));
        }
        Ok(())
    }

    fn draw(&self, rng: &mut Rng) -> f64 {
        rng.uniform_in(self.min, self.max)
    }
}

/// Everything that defines a `ddc` run except the episode seed. Defaults are the paper's (Table I) except
/// the QoE penalty weight δ₃ (see [`Penalties::default`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DdcConfig {
    /// Seed of the world draw. `ddc` draws no world (its profile is fixed and every request comes from the
    /// episode seed); the field is there so that every scenario's config, URL and page form carry one.
    pub world_seed: u64,
    /// The profile and measured sizes (parameter file); absent: the synthetic default profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<DdcParams>,
    /// Number of users `K`; user `k` has phone profile `k mod` the number of profiles.
    pub users: u32,
    /// Phone speed as a fraction of the edge's, `c = f_k / f_E`, per phone profile.
    pub speed_ratios: Vec<f64>,
    /// Phone step budget as a fraction of the edge's, `b = C_k / C_E`, per phone profile.
    pub budget_ratios: Vec<f64>,
    /// Seconds per denoising step at the edge (`ε₀ / f_E`).
    pub edge_step_s: f64,
    /// Denoising steps the edge may run per slot, `C_E`.
    pub edge_budget_steps: f64,
    /// Latency limit `L̃`, s.
    pub latency_limit_s: f64,
    /// Utility lost per second of latency, `η`.
    pub latency_weight_per_s: f64,
    /// Reward penalty weights `δ₁…δ₄`.
    pub penalties: Penalties,
    /// Range of each user's QoE threshold `Q̃_k`, drawn per slot.
    pub qoe_threshold: Range,
    /// Range of each user's up- and downlink bandwidth (drawn separately per slot), Mbit/s; its largest
    /// value normalises the observation.
    pub bandwidth_mbit_s: Range,
    /// Decisions (slots) per episode.
    pub slots: u32,
}

impl Default for DdcConfig {
    fn default() -> Self {
        Self {
            world_seed: 0,
            world: None,
            users: 5,
            speed_ratios: vec![1.0 / 10.0, 1.0 / 4.0, 1.0 / 2.0, 1.0 / 3.0, 1.0 / 5.0],
            budget_ratios: vec![1.0 / 50.0, 1.0 / 10.0, 1.0 / 5.0, 1.0 / 10.0, 1.0 / 5.0],
            edge_step_s: 0.11,
            edge_budget_steps: 60.0,
            latency_limit_s: 10.0,
            latency_weight_per_s: 0.01,
            penalties: Penalties::default(),
            qoe_threshold: Range { min: 0.6, max: 0.8 },
            bandwidth_mbit_s: Range { min: 5.0, max: 20.0 },
            slots: 100,
        }
    }
}

impl DdcConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("users", u64::from(self.users), 1, MAX_USERS)?;
        check_count("speed_ratios", self.speed_ratios.len() as u64, 1, MAX_USERS)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, &c) in self.speed_ratios.iter().enumerate() {
            check_range(&format!("speed_ratios[{i}]"), c, 1.0e-3, 1000.0)?;
        }
        if self.budget_ratios.len() != self.speed_ratios.len() {
            return Err(Error::new(
                "budget_ratios",
                format!(
                    "must have one entry per phone profile, like speed_ratios ({}), got {}",
                    self.speed_ratios.len(),
                    self.budget_ratios.len()
                ),
            ));
        }
        for (i, &b) in self.budget_ratios.iter().enumerate() {
            check_range(&format!("budget_ratios[{i}]"), b, 0.0, 1000.0)?;
        }
        check_range("edge_step_s", self.edge_step_s, 1.0e-6, 1.0e4)?;
        check_range("edge_budget_steps", self.edge_budget_steps, 0.0, 1.0e6)?;
        check_range("latency_limit_s", self.latency_limit_s, 1.0e-3, 1.0e6)?;
        check_range("latency_weight_per_s", self.latency_weight_per_s, 0.0, 1.0e6)?;
        let p = &self.penalties;
        for (name, w) in
            [("edge_budget", p.edge_budget), ("phone_budget", p.phone_budget), ("qoe", p.qoe), ("latency", p.latency)]
        {
            check_range(&format!("penalties.{name}"), w, 0.0, 1.0e6)?;
        }
        self.qoe_threshold.validate("qoe_threshold", 0.0, 1.0)?;
        self.bandwidth_mbit_s.validate("bandwidth_mbit_s", 1.0e-3, 1.0e6)?;
        check_count("slots", u64::from(self.slots), 1, 1_000_000)?;
        if let Some(world) = &self.world {
            world.validate().map_err(|e| e.within("world"))?;
        }
        Ok(())
    }

    /// The profile this config runs on: the given one, else the synthetic default.
    pub fn resolve_world(&self) -> DdcParams {
        self.world.clone().unwrap_or_else(DdcParams::synthetic)
    }
}

/// Episode counters.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct Counters {
    /// Sum of rewards.
    pub total_reward: f64,
    /// User requests served (users × slots decided).
    pub requests: u32,
    /// Requests meeting their threshold within the latency limit.
    pub satisfied: u32,
    /// Sum of `Q_k`.
    pub qoe_sum: f64,
    /// Sum of `L_k`, s.
    pub latency_sum_s: f64,
    /// Sum of `U_k`.
    pub utility_sum: f64,
    /// Data sent up, KB.
    pub uplink_kb: f64,
    /// Data sent down, KB.
    pub downlink_kb: f64,
    /// Denoising steps run.
    pub steps: u64,
    /// Of which at the edge.
    pub edge_steps: u64,
    /// Edge steps beyond the edge budget, summed over slots.
    pub edge_overflow_steps: f64,
    /// Phone steps beyond the phones' budgets, summed over users and slots.
    pub phone_overflow_steps: f64,
}

/// A user's request and how its condition is sent, as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RequestView {
    /// Preference for perceptual similarity `ω_I`.
    pub omega_i: f64,
    /// QoE threshold `Q̃_k`.
    pub qoe_threshold: f64,
    /// Uplink bandwidth, Mbit/s.
    pub up_mbit_s: f64,
    /// Downlink bandwidth, Mbit/s.
    pub down_mbit_s: f64,
    /// The visual condition chosen.
    pub condition: Condition,
    /// Its resolution level α.
    pub alpha: f64,
    /// Its quality level β.
    pub beta: f64,
    /// Data sent up (the compressed condition, or AaaS's raw image), KB.
    pub upload_kb: f64,
    /// Extraction time before the upload, s.
    pub prepare_s: f64,
}

/// What became of one user's request in the last slot.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DecisionView {
    /// The request and its condition.
    pub request: RequestView,
    /// Denoising steps `T_k`.
    pub steps: u32,
    /// Steps at the edge `e_k`.
    pub edge_steps: u32,
    /// Steps on the phone `T_k − e_k`.
    pub phone_steps: u32,
    /// `L¹_k`, s.
    pub upload_s: f64,
    /// `L²_k`, s.
    pub denoise_s: f64,
    /// `L_k`, s.
    pub latency_s: f64,
    /// `Q_k`.
    pub qoe: f64,
    /// `U_k`.
    pub utility: f64,
    /// Met its threshold within the latency limit.
    pub satisfied: bool,
    /// Data sent down, KB.
    pub downlink_kb: f64,
}

/// One user as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct UserView {
    /// The phone.
    pub device: Device,
    /// The request awaiting the edge's decision (none once the episode has ended).
    pub pending: Option<RequestView>,
    /// The last slot's outcome (none before the first decision).
    pub last: Option<DecisionView>,
}

/// The edge server as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EdgeView {
    /// Seconds per denoising step.
    pub step_s: f64,
    /// Steps it may run per slot.
    pub budget_steps: f64,
    /// Steps it ran in the last slot.
    pub used_steps: u32,
}

/// What the front end draws for `ddc`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DdcSnapshot {
    /// Slots decided so far.
    pub slot: u32,
    /// Slots in the episode.
    pub slots: u32,
    /// How users pick and send their condition.
    pub user_side: UserSide,
    /// The edge server.
    pub edge: EdgeView,
    /// Latency limit `L̃`, s.
    pub latency_limit_s: f64,
    /// The users.
    pub users: Vec<UserView>,
    /// Reward of the last slot.
    pub last_reward: Option<f64>,
    /// Episode totals (as in `metrics()`).
    pub totals: Counters,
}

/// One user's part of the last slot.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Record {
    request: Request,
    upload: Upload,
    split: Split,
    outcome: Outcome,
}

/// The `ddc` environment.
#[derive(Debug, Clone)]
pub struct DdcEnv {
    config: DdcConfig,
    world: World,
    frontiers: Frontiers,
    semgen_conditions: [Condition; 2],
    equal_step: usize,
    user_side: UserSide,
    rng: Rng,
    slot: u32,
    requests: Vec<Request>,
    uploads: Vec<Upload>,
    /// The oracle's splits for the pending slot (when the user side is the oracle's).
    oracle_splits: Vec<Split>,
    /// Decoding buffer.
    splits: Vec<Split>,
    last: Vec<Record>,
    last_reward: Option<f64>,
    counters: Counters,
    obs: Vec<f32>,
}

impl DdcEnv {
    /// Builds the environment (validating the config); call [`Env::reset`] before stepping.
    pub fn new(config: DdcConfig) -> Result<Self> {
        config.validate()?;
        let params = config.resolve_world();
        let profile = Profile::new(&params);
        let users = config.users as usize;
        let devices = (0..users)
            .map(|k| {
                let i = k % config.speed_ratios.len();
                let speed_ratio = config.speed_ratios[i];
                Device {
                    speed_ratio,
                    step_s: config.edge_step_s / speed_ratio,
                    budget_steps: config.budget_ratios[i] * config.edge_budget_steps,
                    extraction_s: profile.extraction_s / speed_ratio,
                }
            })
            .collect();
        let frontiers = Frontiers::new(&profile);
        let semgen_conditions = systems::semgen_conditions(&profile);
        let world = World {
            profile,
            devices,
            edge_step_s: config.edge_step_s,
            edge_budget_steps: config.edge_budget_steps,
            latency_limit_s: config.latency_limit_s,
            latency_weight_per_s: config.latency_weight_per_s,
            penalties: config.penalties,
        };
        let first = Upload { setting: world.profile.uncompressed(Condition::Canny), kb: 0.0, prepare_s: 0.0 };
        let mut env = Self {
            equal_step: systems::equal_step(users, config.edge_budget_steps),
            config,
            world,
            frontiers,
            semgen_conditions,
            user_side: UserSide::Vce,
            rng: Rng::new(0, Stream::Episode),
            slot: 0,
            requests: vec![Request::default(); users],
            uploads: vec![first; users],
            oracle_splits: Vec::new(),
            splits: Vec::with_capacity(users),
            last: Vec::with_capacity(users),
            last_reward: None,
            counters: Counters::default(),
            obs: vec![0.0; OBS_PER_USER * users + 2],
        };
        env.reset(0);
        Ok(env)
    }

    /// The scoring model (profile, phones, limits).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The requests of the pending slot.
    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    /// How each user of the pending slot sends its condition.
    pub fn uploads(&self) -> &[Upload] {
        &self.uploads
    }

    /// The user side in use.
    pub fn user_side(&self) -> UserSide {
        self.user_side
    }

    /// Episode counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Draws the pending slot's requests, then the user side's choices.
    fn begin_slot(&mut self) {
        let (alphas, betas) = (self.world.profile.alphas().len() as u64, self.world.profile.betas().len() as u64);
        for request in &mut self.requests {
            *request = Request {
                omega_i: self.rng.uniform(),
                qoe_threshold: self.config.qoe_threshold.draw(&mut self.rng),
                up_mbit_s: self.config.bandwidth_mbit_s.draw(&mut self.rng),
                down_mbit_s: self.config.bandwidth_mbit_s.draw(&mut self.rng),
                pick: [self.rng.below(Condition::ALL.len() as u64), self.rng.below(alphas), self.rng.below(betas)],
            };
        }
        self.choose_uploads();
    }

    /// The user side's choices for the pending slot, and the observation showing them.
    fn choose_uploads(&mut self) {
        let world = &self.world;
        let users = self.requests.len();
        if self.user_side == UserSide::Oracle {
            (self.uploads, self.oracle_splits) = search::oracle_plan(world, &self.requests);
        } else {
            for (k, (request, upload)) in self.requests.iter().zip(&mut self.uploads).enumerate() {
                *upload = match self.user_side {
                    UserSide::Vce => vce::phone_upload(world, k, vce::vce(world, &self.frontiers, k, request)),
                    UserSide::Random => systems::random_upload(world, k, request),
                    UserSide::SemGen => {
                        systems::semgen_upload(world, &self.semgen_conditions, k, request, self.equal_step)
                    }
                    // (The oracle's user side is chosen jointly with its splits, above.)
                    UserSide::Aaas | UserSide::Oracle => systems::aaas_upload(world, users, request),
                };
            }
        }
        self.write_observation();
    }

    fn write_observation(&mut self) {
        let profile = &self.world.profile;
        let bandwidth_norm = self.config.bandwidth_mbit_s.max;
        for (k, (request, upload)) in self.requests.iter().zip(&self.uploads).enumerate() {
            let o = &mut self.obs[OBS_PER_USER * k..OBS_PER_USER * (k + 1)];
            o[..4].fill(0.0);
            o[upload.setting.condition.index()] = 1.0;
            o[4] = profile.alphas()[upload.setting.alpha] as f32;
            o[5] = profile.betas()[upload.setting.beta] as f32;
            o[6] = request.qoe_threshold as f32;
            o[7] = self.config.budget_ratios[k % self.config.budget_ratios.len()] as f32;
            o[8] = (request.up_mbit_s / bandwidth_norm) as f32;
            o[9] = (request.down_mbit_s / bandwidth_norm) as f32;
        }
        let n = self.obs.len();
        self.obs[n - 2] = (self.config.latency_limit_s / OBS_LATENCY_SCALE_S) as f32;
        self.obs[n - 1] = (self.config.edge_budget_steps / OBS_BUDGET_SCALE_STEPS) as f32;
    }

    /// The bounds of [`Self::write_observation`]'s features. Per user: the condition one-hot in `[0, 1]`; α and
    /// β between the profile's smallest and largest (every upload picks one of its settings); the QoE
    /// threshold within its range; the phone's budget ratio, fixed (`low == high`); the bandwidths between
    /// their range's ends over its maximum. The latency limit and the edge budget are fixed too.
    fn observation_bounds(&self) -> ObservationSpace {
        let profile = &self.world.profile;
        let span = |values: &[f64]| {
            let (lo, hi) =
                values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            (lo as f32, hi as f32)
        };
        let c = &self.config;
        let fixed = |v: f64| (v as f32, v as f32);
        let bandwidth = ((c.bandwidth_mbit_s.min / c.bandwidth_mbit_s.max) as f32, 1.0);
        let users = (0..self.requests.len()).flat_map(|k| {
            [(0.0, 1.0); 4].into_iter().chain([
                span(profile.alphas()),
                span(profile.betas()),
                (c.qoe_threshold.min as f32, c.qoe_threshold.max as f32),
                fixed(c.budget_ratios[k % c.budget_ratios.len()]),
                bandwidth,
                bandwidth,
            ])
        });
        ObservationSpace::from_bounds(users.chain([
            fixed(c.latency_limit_s / OBS_LATENCY_SCALE_S),
            fixed(c.edge_budget_steps / OBS_BUDGET_SCALE_STEPS),
        ]))
    }

    fn request_view(&self, request: &Request, upload: &Upload) -> RequestView {
        let profile = &self.world.profile;
        RequestView {
            omega_i: request.omega_i,
            qoe_threshold: request.qoe_threshold,
            up_mbit_s: request.up_mbit_s,
            down_mbit_s: request.down_mbit_s,
            condition: upload.setting.condition,
            alpha: profile.alphas()[upload.setting.alpha],
            beta: profile.betas()[upload.setting.beta],
            upload_kb: upload.kb,
            prepare_s: upload.prepare_s,
        }
    }

    fn oracle_refusal(&self) -> Error {
        Error::new(
            "policy",
            format!(
                "oracle searches every condition, compression and split exhaustively and runs for at most \
                 {ORACLE_MAX_USERS} users; this config has {}",
                self.requests.len()
            ),
        )
    }
}

/// Kong et al.'s scenario and its figure (Fig. 9: satisfaction rate of DDC).
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Ddc,
    title: "splitting denoising between edge and phones, visual-condition engineering (Kong et al.)",
    heuristics: &HEURISTICS,
    start_heuristic: "oqc_plus",
    cheapest_heuristic: "aaas",
    paper_algorithm: "ddc",
    main_metric: "satisfaction_rate",
    goal: Goal::Maximise,
    paper_figures: &[PaperFigure { label: "paper (ours)", metric: "satisfaction_rate", value: 0.91 }],
    has_world: true,
    measurements: Some(Measurements {
        header: "condition,alpha,beta,steps,q_i,q_t,kb",
        rule: "The fitted profile replaces the whole world.",
    }),
    legacy_fields: &[],
};

impl Scenario for DdcConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(DdcEnv::new(self.clone())?))
    }

    crate::world_methods!(DdcParams, Ok(DdcParams::synthetic()));

    fn fit_csv(csv: &str, _score_max: f64) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(crate::params::ddc::parse_ddc_profile_csv(csv)?).expect("fits serialise"))
    }

    fn fit_targets(&self) -> Vec<FitTarget> {
        vec![FitTarget { value: "all".into(), label: "the whole profile".into() }]
    }

    /// The fitted profile replaces the whole world.
    fn fitted_world(&self, csv: &str, _score_max: f64, target: &str, file_name: &str) -> Result<String> {
        if target != "all" {
            return Err(registry::unknown_target(target));
        }
        let mut world = crate::params::ddc::parse_ddc_profile_csv(csv)?;
        world.source = registry::noted(&world.source, &format!("the profile fitted to {file_name}"));
        Ok(crate::params::to_json(&world))
    }
}

impl Env for DdcEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Ddc
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Hybrid { groups: self.requests.len(), choices: STEP_CHOICES.len(), continuous: 1 }
    }

    fn reset(&mut self, episode_seed: u64) {
        self.rng = Rng::new(episode_seed, Stream::Episode);
        self.slot = 0;
        self.counters = Counters::default();
        self.last.clear();
        self.last_reward = None;
        self.begin_slot();
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    fn step(&mut self, action: &Action) -> Result<Step> {
        if self.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        action::decode(action, self.requests.len(), &mut self.splits)?;
        self.last.clear();
        let mut edge_steps = 0;
        for (k, ((request, upload), &split)) in self.requests.iter().zip(&self.uploads).zip(&self.splits).enumerate() {
            let outcome = self.world.outcome(k, request, upload, split);
            let c = &mut self.counters;
            c.requests += 1;
            c.satisfied += u32::from(outcome.satisfied);
            c.qoe_sum += outcome.qoe;
            c.latency_sum_s += outcome.latency_s;
            c.utility_sum += outcome.utility;
            c.uplink_kb += upload.kb;
            c.downlink_kb += outcome.downlink_kb;
            c.steps += u64::from(split.steps());
            c.edge_steps += u64::from(split.edge_steps);
            c.phone_overflow_steps += outcome.phone_overflow_steps;
            edge_steps += split.edge_steps;
            self.last.push(Record { request: *request, upload: *upload, split, outcome });
        }
        let reward = self.world.reward(self.last.iter().map(|r| &r.outcome), edge_steps);
        self.counters.edge_overflow_steps += self.world.edge_overflow_steps(edge_steps);
        self.counters.total_reward += reward;
        self.last_reward = Some(reward);
        self.slot += 1;
        let terminated = self.is_done();
        if !terminated {
            self.begin_slot();
        }
        Ok(Step { reward, terminated, truncated: false }.debug_checked(&self.obs))
    }

    fn is_done(&self) -> bool {
        self.slot >= self.config.slots
    }

    fn metrics(&self) -> Metrics {
        let c = &self.counters;
        let requests = f64::from(c.requests.max(1));
        Metrics(vec![
            ("total_reward", c.total_reward),
            ("slots", f64::from(self.slot)),
            ("satisfaction_rate", f64::from(c.satisfied) / requests),
            ("mean_qoe", c.qoe_sum / requests),
            ("mean_latency_s", c.latency_sum_s / requests),
            ("mean_utility", c.utility_sum / requests),
            ("uplink_kb", c.uplink_kb / requests),
            ("downlink_kb", c.downlink_kb / requests),
            ("mean_steps", c.steps as f64 / requests),
            ("edge_step_share", c.edge_steps as f64 / (c.steps.max(1) as f64)),
            ("edge_overflow_steps", c.edge_overflow_steps),
            ("phone_overflow_steps", c.phone_overflow_steps),
        ])
    }

    fn snapshot(&self) -> Snapshot {
        let done = self.is_done();
        let users = (0..self.requests.len())
            .map(|k| UserView {
                device: self.world.devices[k],
                pending: (!done).then(|| self.request_view(&self.requests[k], &self.uploads[k])),
                last: self.last.get(k).map(|r| DecisionView {
                    request: self.request_view(&r.request, &r.upload),
                    steps: r.split.steps(),
                    edge_steps: r.split.edge_steps,
                    phone_steps: r.split.phone_steps(),
                    upload_s: r.outcome.upload_s,
                    denoise_s: r.outcome.denoise_s,
                    latency_s: r.outcome.latency_s,
                    qoe: r.outcome.qoe,
                    utility: r.outcome.utility,
                    satisfied: r.outcome.satisfied,
                    downlink_kb: r.outcome.downlink_kb,
                }),
            })
            .collect();
        Snapshot::Ddc(DdcSnapshot {
            slot: self.slot,
            slots: self.config.slots,
            user_side: self.user_side,
            edge: EdgeView {
                step_s: self.world.edge_step_s,
                budget_steps: self.world.edge_budget_steps,
                used_steps: self.last.iter().map(|r| r.split.edge_steps).sum(),
            },
            latency_limit_s: self.world.latency_limit_s,
            users,
            last_reward: self.last_reward,
            totals: self.counters,
        })
    }
}

impl Baselines for DdcEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let users = self.requests.len();
        let splits: Vec<Split> = match heuristic {
            0 => {
                let mut values = Vec::with_capacity(users * PER_USER);
                for _ in 0..users {
                    let step = state.rng.below(STEP_CHOICES.len() as u64) as usize;
                    values.extend((0..STEP_CHOICES.len()).map(|i| if i == step { 1.0 } else { 0.0 }));
                    values.push(state.rng.uniform_in(-1.0, 1.0) as f32);
                }
                return Action::Vector(values);
            }
            1 | 2 => {
                let step = self.equal_step;
                vec![Split { step, edge_steps: STEP_CHOICES[step] }; users]
            }
            3 => search::best_splits(&self.world, &self.requests, &self.uploads, true),
            _ if self.user_side == UserSide::Oracle => self.oracle_splits.clone(),
            _ => search::best_splits(&self.world, &self.requests, &self.uploads, false),
        };
        action::encode(&splits)
    }

    fn check_heuristic(&self, heuristic: usize) -> Result<()> {
        if heuristic == ORACLE && self.requests.len() > ORACLE_MAX_USERS {
            return Err(self.oracle_refusal());
        }
        Ok(())
    }

    fn set_system(&mut self, heuristic: Option<usize>) -> Result<()> {
        match heuristic {
            Some(i) if i >= HEURISTICS.len() => {
                return Err(Error::new(
                    "policy",
                    format!("must be a heuristic index below {}, got {i}", HEURISTICS.len()),
                ));
            }
            Some(ORACLE) if self.requests.len() > ORACLE_MAX_USERS => return Err(self.oracle_refusal()),
            _ => {}
        }
        self.user_side = systems::user_side_of(heuristic);
        if !self.is_done() {
            self.choose_uploads();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
