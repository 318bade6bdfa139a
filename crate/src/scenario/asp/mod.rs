//! `asp`: choosing an AIGC service provider for each arriving task (Du et al., D2SAC; seed 003).
//!
//! Providers run diffusion tasks side by side up to a capacity counted in denoising steps. A task assigned
//! to a provider with room runs for `R(t)` seconds and earns the provider's utility for `t` steps; assigned
//! to one without room, it crashes the provider: every task running there is killed, the new one is
//! rejected, and the reward is a penalty growing with the work lost. The spec is
//! `design/environments.md`, section `asp`; the reference code (AGOD) settles what the paper leaves open.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::registry::{self, Scenario};
use super::info::{Measurements, PaperFigure, ScenarioInfo};
use super::{
    Action, FitTarget, ActionSpace, Baselines, Env, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step,
};
use crate::error::{Error, Result, check_count, check_range};
use crate::params::ParamFile;
pub use crate::params::asp::{AspParams, Provider};
use crate::rng::{Rng, Stream};
use crate::stats::Goal;

pub use crate::params::asp::MAX_PROVIDERS;
/// Most tasks an episode may expect (`λ·H`), to bound memory.
pub const MAX_EXPECTED_TASKS: f64 = 2.0e6;

/// Runtime of a task needing `steps` denoising steps: `R(t) = 60·(0.001·t² + 2.5·t − 14)` seconds.
pub fn runtime_s(steps: f64) -> f64 {
    60.0 * (0.001 * steps * steps + 2.5 * steps - 14.0)
}

/// Values `min, min + step, …` up to `max` (inclusive), each equally likely: how the reference code draws a
/// world parameter (`np.random.choice(np.arange(…))`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// First value.
    pub min: f64,
    /// Last value (included when it lies on the grid).
    pub max: f64,
    /// Spacing, positive.
    pub step: f64,
}

impl Grid {
    const fn new(min: f64, max: f64, step: f64) -> Self {
        Self { min, max, step }
    }

    /// Number of values on the grid (never 0 for a valid grid).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        // The small slack keeps `max` on the grid despite rounding in (max - min) / step.
        ((self.max - self.min) / self.step + 1e-9).floor() as u64 + 1
    }

    /// Value number `k`.
    pub fn value(&self, k: u64) -> f64 {
        self.min + k as f64 * self.step
    }

    /// Largest value on the grid.
    pub fn last(&self) -> f64 {
        self.value(self.len() - 1)
    }

    fn draw(&self, rng: &mut Rng) -> f64 {
        self.value(rng.below(self.len()))
    }

    fn validate(&self, field: &str, lo: f64, hi: f64, integral: bool) -> Result<()> {
        check_range(&format!("{field}.min"), self.min, lo, hi)?;
        check_range(&format!("{field}.max"), self.max, lo, hi)?;
        check_range(&format!("{field}.step"), self.step, 1.0e-6, hi - lo + 1.0)?;
        if self.max < self.min {
            return Err(Error::new(field, format!("max ({}) is below min ({})", self.max, self.min)));
        }
        if (self.max - self.min) / self.step > 100_000.0 {
            return Err(Error::new(field, "has more than 100000 values; use a larger step"));
        }
        if integral && (self.min.fract() != 0.0 || self.step.fract() != 0.0) {
            return Err(Error::new(field, "min and step must be whole numbers (they count denoising steps)"));
        }
        Ok(())
    }
}

/// Everything that defines an `asp` run except the episode seed. Defaults are the paper's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AspConfig {
    /// Seed of the world draw (capacities and quality curves), used when `world` is absent.
    pub world_seed: u64,
    /// A fixed world (parameter file) instead of a drawn one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<AspParams>,
    /// Number of providers `I` of a drawn world.
    pub providers: u32,
    /// Capacity `T_i` in denoising steps; its largest value also normalises the observation.
    pub capacity_steps: Grid,
    /// Quality-curve start `a_x` (steps).
    pub a_x: Grid,
    /// Quality at the start `a_y`.
    pub a_y: Grid,
    /// Quality-curve end `b_x` (steps).
    pub b_x: Grid,
    /// Quality at the end `b_y`.
    pub b_y: Grid,
    /// Task arrival rate `λ` (tasks per second).
    pub arrival_rate_per_s: f64,
    /// Episode horizon `H` (seconds).
    pub horizon_s: f64,
    /// Denoising steps `t` a task needs; its largest value normalises the observation.
    pub task_steps: Grid,
    /// Fixed crash penalty; each killed task adds it times its remaining progress.
    pub crash_penalty: f64,
}

impl Default for AspConfig {
    fn default() -> Self {
        Self {
            world_seed: 0,
            world: None,
            providers: 20,
            capacity_steps: Grid::new(400.0, 900.0, 100.0),
            a_x: Grid::new(0.0, 90.0, 10.0),
            a_y: Grid::new(0.0, 0.45, 0.05),
            b_x: Grid::new(150.0, 240.0, 10.0),
            b_y: Grid::new(0.5, 0.95, 0.05),
            arrival_rate_per_s: 0.001,
            horizon_s: 1.0e6,
            task_steps: Grid::new(100.0, 250.0, 10.0),
            crash_penalty: 2.0,
        }
    }
}

impl AspConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        check_count("providers", u64::from(self.providers), 1, MAX_PROVIDERS)?;
        self.capacity_steps.validate("capacity_steps", 1.0, 1.0e7, true)?;
        self.a_x.validate("a_x", 0.0, 1.0e6, false)?;
        self.a_y.validate("a_y", -1.0e6, 1.0e6, false)?;
        self.b_x.validate("b_x", 0.0, 1.0e6, false)?;
        self.b_y.validate("b_y", -1.0e6, 1.0e6, false)?;
        if self.b_x.min <= self.a_x.last() {
            return Err(Error::new(
                "b_x.min",
                format!("must be greater than the largest a_x ({}), got {}", self.a_x.last(), self.b_x.min),
            ));
        }
        self.task_steps.validate("task_steps", 1.0, 1.0e6, true)?;
        check_range("arrival_rate_per_s", self.arrival_rate_per_s, 1.0e-9, 1.0e6)?;
        check_range("horizon_s", self.horizon_s, 1.0e-3, 1.0e12)?;
        let expected = self.arrival_rate_per_s * self.horizon_s;
        if expected > MAX_EXPECTED_TASKS {
            return Err(Error::new(
                "arrival_rate_per_s",
                format!(
                    "times horizon_s gives {expected} expected tasks per episode; at most {MAX_EXPECTED_TASKS} are allowed"
                ),
            ));
        }
        check_range("crash_penalty", self.crash_penalty, 0.0, 1.0e6)?;
        if let Some(world) = &self.world {
            world.validate().map_err(|e| e.within("world"))?;
        }
        Ok(())
    }

    /// The world this config runs on: the fixed one if given, else the draw from `world_seed`.
    pub fn resolve_world(&self) -> AspParams {
        self.world.clone().unwrap_or_else(|| self.draw_world(self.world_seed))
    }

    /// Draws a world from this config's ranges with `seed`.
    pub fn draw_world(&self, seed: u64) -> AspParams {
        let mut rng = Rng::new(seed, Stream::World);
        let providers = (0..self.providers)
            .map(|_| {
                // Same draw order as the reference: the curve first, then the capacity.
                let a_x = self.a_x.draw(&mut rng);
                let a_y = self.a_y.draw(&mut rng);
                let b_x = self.b_x.draw(&mut rng);
                let b_y = self.b_y.draw(&mut rng);
                let capacity_steps = self.capacity_steps.draw(&mut rng) as u32;
                Provider { capacity_steps, a_x, a_y, b_x, b_y }
            })
            .collect();
        AspParams {
            schema: AspParams::SCHEMA.to_owned(),
            source: Some(format!("drawn with world seed {seed}")),
            providers,
        }
    }
}

/// What became of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Not decided yet.
    Pending,
    /// Running on a provider.
    Running,
    /// Ran to completion.
    Finished,
    /// Was running on a provider that crashed.
    Killed,
    /// Crashed the provider it was sent to, and was not run.
    Rejected,
}

#[derive(Debug, Clone, Copy)]
struct Task {
    arrival_s: f64,
    steps: u32,
    runtime_s: f64,
    provider: u32,
    state: TaskState,
}

/// A running task's finish time, ordered by time then task index (so releases happen in time order).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Finish {
    time_s: f64,
    task: u32,
}
impl Eq for Finish {}
impl PartialOrd for Finish {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Finish {
    fn cmp(&self, other: &Self) -> Ordering {
        self.time_s.total_cmp(&other.time_s).then(self.task.cmp(&other.task))
    }
}

/// The outcome of the last decision, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Decision {
    /// Index of the decided task.
    pub task: u32,
    /// Provider it was sent to.
    pub provider: u32,
    /// Steps the task needed.
    pub steps: u32,
    /// Whether it crashed the provider.
    pub crashed: bool,
    /// Tasks killed by the crash (0 when admitted).
    pub killed: u32,
    /// The reward of the decision.
    pub reward: f64,
}

/// One provider as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProviderView {
    /// Capacity in steps.
    pub capacity_steps: u32,
    /// Steps in use.
    pub used_steps: u32,
    /// Tasks running.
    pub running: u32,
    /// Tasks finished this episode.
    pub finished: u32,
    /// Crashes this episode.
    pub crashes: u32,
    /// Utility the pending task would earn here (0 when none is pending).
    pub utility: f64,
    /// Its quality curve `[a_x, a_y, b_x, b_y]`.
    pub curve: [f64; 4],
}

/// The task waiting for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PendingTask {
    /// Its index in the episode.
    pub index: u32,
    /// Arrival time (s).
    pub arrival_s: f64,
    /// Denoising steps needed.
    pub steps: u32,
    /// Runtime `R(t)` (s).
    pub runtime_s: f64,
}

/// What the front end draws for `asp`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AspSnapshot {
    /// Simulation clock (s).
    pub time_s: f64,
    /// Tasks in the episode.
    pub tasks_total: u32,
    /// Tasks decided so far.
    pub decided: u32,
    /// The providers.
    pub providers: Vec<ProviderView>,
    /// The task awaiting a decision, if any.
    pub pending: Option<PendingTask>,
    /// The last decision, if any.
    pub last: Option<Decision>,
    /// Tasks that finished when the clock advanced after the last decision, in finishing order.
    pub released: Vec<u32>,
    /// Episode totals (the same as `metrics()`).
    pub totals: Counters,
}

/// Episode counters.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct Counters {
    /// Sum of rewards.
    pub total_reward: f64,
    /// Tasks that ran to completion.
    pub finished: u32,
    /// Tasks killed by crashes.
    pub crashed: u32,
    /// Tasks rejected because they crashed their provider.
    pub rejected: u32,
    /// Tasks running now.
    pub running: u32,
    /// Provider crashes.
    pub crash_events: u32,
    /// Utility of finished tasks.
    pub obtained_utility: f64,
    /// Utility of killed tasks.
    pub lost_utility: f64,
}

/// The `asp` environment.
#[derive(Debug, Clone)]
pub struct AspEnv {
    config: AspConfig,
    providers: Vec<Provider>,
    capacity_norm: f64,
    steps_norm: f64,
    runtime_norm: f64,
    tasks: Vec<Task>,
    next: usize,
    now_s: f64,
    available: Vec<u32>,
    running: Vec<Vec<u32>>,
    provider_finished: Vec<u32>,
    provider_crashes: Vec<u32>,
    finishing: BinaryHeap<Reverse<Finish>>,
    counters: Counters,
    last: Option<Decision>,
    released: Vec<u32>,
    obs: Vec<f32>,
}

impl AspEnv {
    /// Builds the environment (validating the config); call [`Env::reset`] before stepping.
    pub fn new(config: AspConfig) -> Result<Self> {
        config.validate()?;
        let world = config.resolve_world();
        let n = world.providers.len();
        let steps_norm = config.task_steps.last();
        let mut env = Self {
            capacity_norm: config.capacity_steps.last(),
            steps_norm,
            runtime_norm: runtime_s(steps_norm),
            providers: world.providers,
            config,
            tasks: Vec::new(),
            next: 0,
            now_s: 0.0,
            available: vec![0; n],
            running: vec![Vec::new(); n],
            provider_finished: vec![0; n],
            provider_crashes: vec![0; n],
            finishing: BinaryHeap::new(),
            counters: Counters::default(),
            last: None,
            released: Vec::new(),
            obs: vec![0.0; 2 * n + 2],
        };
        env.reset(0);
        Ok(env)
    }

    /// The providers of this world.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// Steps provider `i` has free now.
    pub fn available_steps(&self, i: usize) -> u32 {
        self.available[i]
    }

    /// Steps the pending task needs (`None` once the episode has ended).
    pub fn pending_steps(&self) -> Option<u32> {
        self.tasks.get(self.next).map(|t| t.steps)
    }

    /// Current simulation time (s).
    pub fn now_s(&self) -> f64 {
        self.now_s
    }

    /// The state of every task of the episode.
    pub fn task_states(&self) -> impl Iterator<Item = TaskState> + '_ {
        self.tasks.iter().map(|t| t.state)
    }

    /// Episode counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    fn start(&mut self, provider: usize, task: u32) {
        let t = &self.tasks[task as usize];
        self.available[provider] -= t.steps;
        self.running[provider].push(task);
        self.finishing.push(Reverse(Finish { time_s: t.arrival_s + t.runtime_s, task }));
        self.counters.running += 1;
    }

    /// Kills everything on `provider`; returns (killed count, penalty sum over killed tasks).
    fn crash(&mut self, provider: usize) -> (u32, f64) {
        let penalty_unit = self.config.crash_penalty;
        let mut penalty = 0.0;
        let killed = self.running[provider].len() as u32;
        for &task in &self.running[provider] {
            let t = &mut self.tasks[task as usize];
            t.state = TaskState::Killed;
            let progress = (self.now_s - t.arrival_s) / t.runtime_s;
            penalty += penalty_unit * (1.0 - progress);
            self.counters.lost_utility += self.providers[provider].utility(f64::from(t.steps));
        }
        self.running[provider].clear();
        self.available[provider] = self.providers[provider].capacity_steps;
        self.provider_crashes[provider] += 1;
        self.counters.crashed += killed;
        self.counters.running -= killed;
        self.counters.crash_events += 1;
        (killed, penalty)
    }

    /// Releases, in time order, every running task whose finish time is not after `now`.
    fn release_finished(&mut self) {
        self.released.clear();
        while let Some(&Reverse(Finish { time_s, task })) = self.finishing.peek() {
            if time_s > self.now_s {
                break;
            }
            self.finishing.pop();
            let t = &mut self.tasks[task as usize];
            if t.state != TaskState::Running {
                continue; // killed by a crash after it was scheduled
            }
            t.state = TaskState::Finished;
            let provider = t.provider as usize;
            self.available[provider] += t.steps;
            let list = &mut self.running[provider];
            let at = list.iter().position(|&k| k == task).expect("a running task is listed on its provider");
            list.remove(at);
            self.provider_finished[provider] += 1;
            self.counters.finished += 1;
            self.counters.running -= 1;
            self.counters.obtained_utility += self.providers[provider].utility(f64::from(t.steps));
            self.released.push(task);
        }
    }

    fn write_observation(&mut self) {
        for (i, p) in self.providers.iter().enumerate() {
            let capacity = f64::from(p.capacity_steps);
            self.obs[2 * i] = (capacity / self.capacity_norm) as f32;
            self.obs[2 * i + 1] = (f64::from(self.available[i]) / capacity) as f32;
        }
        let n = self.providers.len();
        let (steps, runtime) = match self.tasks.get(self.next) {
            Some(t) => (f64::from(t.steps) / self.steps_norm, t.runtime_s / self.runtime_norm),
            None => (0.0, 0.0),
        };
        self.obs[2 * n] = steps as f32;
        self.obs[2 * n + 1] = runtime as f32;
    }

    /// The bounds of [`Self::write_observation`]'s features. A provider's capacity share is fixed by the
    /// world (`low == high`); its free share is in `[0, 1]` (free steps never exceed the capacity). The task's
    /// steps are drawn from `task_steps`, so their share of its largest value is in `[0, 1]` (0 once done). Its
    /// runtime share `R(t)/R(t_max)` is monotone in `t` (`R` increases for `t > 0`), so it lies between the
    /// grid's ends' — and 0, once done; `R` is negative below 6 steps, so the share may exceed 1 or be negative.
    fn observation_bounds(&self) -> ObservationSpace {
        let providers = self.providers.iter().flat_map(|p| {
            let share = (f64::from(p.capacity_steps) / self.capacity_norm) as f32;
            [(share, share), (0.0, 1.0)]
        });
        let grid = &self.config.task_steps;
        let (first, last) = (runtime_s(grid.value(0)) / self.runtime_norm, runtime_s(grid.last()) / self.runtime_norm);
        let runtime = (first.min(last).min(0.0) as f32, first.max(last).max(0.0) as f32);
        ObservationSpace::from_bounds(providers.chain([(0.0, 1.0), runtime]))
    }

    fn draw_tasks(&mut self, episode_seed: u64) {
        let mut rng = Rng::new(episode_seed, Stream::Episode);
        let horizon = self.config.horizon_s;
        let n = rng.poisson(self.config.arrival_rate_per_s * horizon) as usize;
        let mut arrivals: Vec<f64> = (0..n).map(|_| rng.uniform() * horizon).collect();
        arrivals.sort_by(f64::total_cmp);
        self.tasks.clear();
        self.tasks.reserve(n + 1);
        for arrival in core::iter::once(0.0).chain(arrivals) {
            let steps = self.config.task_steps.draw(&mut rng);
            self.tasks.push(Task {
                arrival_s: libm::floor(arrival),
                steps: steps as u32,
                runtime_s: runtime_s(steps),
                provider: u32::MAX,
                state: TaskState::Pending,
            });
        }
    }
}

/// The D2SAC paper's scenario and its figures (Table III: test reward after 1000 training steps).
pub const INFO: ScenarioInfo = ScenarioInfo {
    id: ScenarioId::Asp,
    title: "choosing an AIGC service provider for each task (D2SAC, Du et al.)",
    heuristics: &["random", "round_robin", "crash_avoid", "prophet"],
    start_heuristic: "crash_avoid",
    cheapest_heuristic: "crash_avoid",
    paper_algorithm: "d2sac",
    main_metric: "total_reward",
    goal: Goal::Maximise,
    paper_figures: &[
        PaperFigure { label: "paper D2SAC", metric: "total_reward", value: 537.0 },
        PaperFigure { label: "paper crash_avoid", metric: "total_reward", value: 400.0 },
        PaperFigure { label: "paper prophet", metric: "total_reward", value: 596.0 },
    ],
    has_world: true,
    measurements: Some(Measurements {
        header: "steps,quality",
        rule: "The chosen provider keeps its capacity and base quality a_y; the fit sets a_x, b_x and b_y = a_y + height.",
    }),
    legacy_fields: &[],
};

impl Scenario for AspConfig {
    const INFO: &'static ScenarioInfo = &INFO;

    fn check(&self) -> Result<()> {
        self.validate()
    }

    fn build_env(&self) -> Result<Box<dyn Env>> {
        Ok(Box::new(AspEnv::new(self.clone())?))
    }

    crate::world_methods!(AspParams, Ok(AspParams::paper()));

    fn fit_csv(csv: &str, _score_max: f64) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(crate::params::fit::fit_asp_csv(csv)?).expect("fits serialise"))
    }

    fn fit_targets(&self) -> Vec<FitTarget> {
        registry::numbered_targets(self.resolve_world().providers.len(), "provider")
    }

    /// The provider keeps its capacity and base quality `a_y`; the fit sets `a_x`, `b_x` and
    /// `b_y = a_y + height`.
    fn fitted_world(&self, csv: &str, _score_max: f64, target: &str, file_name: &str) -> Result<String> {
        let fit = crate::params::fit::fit_asp_csv(csv)?;
        let mut world = self.resolve_world();
        let i = registry::fit_index(target, world.providers.len())?;
        let p = &world.providers[i];
        world.providers[i] = fit.provider(p.capacity_steps, p.a_y);
        world.source = registry::noted(&world.source, &format!("provider {}'s quality ramp fitted to {file_name}", i + 1));
        Ok(crate::params::to_json(&world))
    }
}

impl Env for AspEnv {
    fn id(&self) -> ScenarioId {
        ScenarioId::Asp
    }

    fn observation_space(&self) -> ObservationSpace {
        self.observation_bounds()
    }

    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: self.providers.len() }
    }

    fn reset(&mut self, episode_seed: u64) {
        self.draw_tasks(episode_seed);
        self.next = 0;
        self.now_s = self.tasks[0].arrival_s;
        for (i, p) in self.providers.iter().enumerate() {
            self.available[i] = p.capacity_steps;
            self.running[i].clear();
        }
        self.provider_finished.fill(0);
        self.provider_crashes.fill(0);
        self.finishing.clear();
        self.counters = Counters::default();
        self.last = None;
        self.released.clear();
        self.write_observation();
    }

    fn observation(&self) -> &[f32] {
        &self.obs
    }

    fn step(&mut self, action: &Action) -> Result<Step> {
        let provider = action.index_below(self.providers.len())?;
        if self.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        let index = self.next as u32;
        let steps = self.tasks[self.next].steps;
        let crashed = steps > self.available[provider];
        let (reward, killed) = if !crashed {
            let t = &mut self.tasks[self.next];
            t.state = TaskState::Running;
            t.provider = provider as u32;
            self.start(provider, index);
            (self.providers[provider].utility(f64::from(steps)), 0)
        } else {
            let (killed, penalty) = self.crash(provider);
            let t = &mut self.tasks[self.next];
            t.state = TaskState::Rejected;
            t.provider = provider as u32;
            self.counters.rejected += 1;
            (-(self.config.crash_penalty + penalty), killed)
        };
        self.counters.total_reward += reward;
        self.last = Some(Decision { task: index, provider: provider as u32, steps, crashed, killed, reward });
        self.next += 1;
        let terminated = self.is_done();
        if terminated {
            self.released.clear();
        } else {
            self.now_s = self.tasks[self.next].arrival_s;
            self.release_finished();
        }
        self.write_observation();
        Ok(Step { reward, terminated, truncated: false }.debug_checked(&self.obs))
    }

    fn is_done(&self) -> bool {
        self.next >= self.tasks.len()
    }

    fn metrics(&self) -> Metrics {
        let c = &self.counters;
        let decided = self.next.max(1) as f64;
        Metrics(vec![
            ("total_reward", c.total_reward),
            ("tasks", self.next as f64),
            ("finished", f64::from(c.finished)),
            ("crashed", f64::from(c.crashed)),
            ("rejected", f64::from(c.rejected)),
            ("running", f64::from(c.running)),
            ("finished_rate", f64::from(c.finished) / decided),
            ("crashed_rate", f64::from(c.crashed) / decided),
            ("rejected_rate", f64::from(c.rejected) / decided),
            ("crash_events", f64::from(c.crash_events)),
            ("obtained_utility", c.obtained_utility),
            ("lost_utility", c.lost_utility),
        ])
    }

    fn snapshot(&self) -> Snapshot {
        let pending = self.tasks.get(self.next).map(|t| PendingTask {
            index: self.next as u32,
            arrival_s: t.arrival_s,
            steps: t.steps,
            runtime_s: t.runtime_s,
        });
        let providers = self
            .providers
            .iter()
            .enumerate()
            .map(|(i, p)| ProviderView {
                capacity_steps: p.capacity_steps,
                used_steps: p.capacity_steps - self.available[i],
                running: self.running[i].len() as u32,
                finished: self.provider_finished[i],
                crashes: self.provider_crashes[i],
                utility: pending.as_ref().map_or(0.0, |t| p.utility(f64::from(t.steps))),
                curve: [p.a_x, p.a_y, p.b_x, p.b_y],
            })
            .collect();
        Snapshot::Asp(AspSnapshot {
            time_s: self.now_s,
            tasks_total: self.tasks.len() as u32,
            decided: self.next as u32,
            providers,
            pending,
            last: self.last.clone(),
            released: self.released.clone(),
            totals: self.counters,
        })
    }
}

impl Baselines for AspEnv {
    fn heuristic_action(&self, heuristic: usize, state: &mut HeuristicState) -> Action {
        let n = self.providers.len();
        let steps = self.pending_steps().unwrap_or(0);
        let provider = match heuristic {
            0 => state.rng.below(n as u64) as usize,
            1 => (state.decisions % n as u64) as usize,
            2 => most_available(&self.available),
            _ => {
                // Prophet: the best utility among providers with room; with no room anywhere, the most room.
                let mut best: Option<(usize, f64)> = None;
                for (i, p) in self.providers.iter().enumerate() {
                    if self.available[i] >= steps {
                        let u = p.utility(f64::from(steps));
                        if best.is_none_or(|(_, b)| u > b) {
                            best = Some((i, u));
                        }
                    }
                }
                best.map_or_else(|| most_available(&self.available), |(i, _)| i)
            }
        };
        Action::Discrete(provider)
    }
}

/// Index of the largest value (the first on ties, like `numpy.argmax`).
fn most_available(available: &[u32]) -> usize {
    let mut best = 0;
    for (i, &a) in available.iter().enumerate() {
        if a > available[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests;
