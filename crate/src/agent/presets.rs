//! The papers' hyper-parameters as data, one home per algorithm. [`Algorithm`] names every learner that can
//! be trained (its [`Algorithm::parse`] is the one reader of those names: configs, the page and `--algo`);
//! [`Algorithm::preset`] gives its whole [`AlgorithmPreset`] under a [`Preset`]: the learner's
//! hyper-parameters (network, optimiser, replay: [`SacConfig`], the baselines' [`DqnConfig`] and
//! [`PpoConfig`], the hybrid learner's [`HybridConfig`], each `Default` the paper's), its collect/update
//! [`UpdateSchedule`] and whether one learner serves every agent — the paper's values
//! (`Preset::default()`) or the `fast` variants the playground starts with.
//!
//! *Two warm-ups, on purpose.* [`UpdateSchedule::warmup_steps`] counts the run's environment steps (all
//! agents together) before the loop calls any update: the fast presets' 1000. [`SacConfig::min_replay`] is
//! what one learner's own replay must hold before it draws a batch: LAD-TS's 300 transitions per base
//! station. They are different quantities wherever a run has more than one learner (the lad paper preset:
//! 20 learners, each waiting for 300 of its own transitions, which arrive at their own pace), so neither is
//! derived from the other; each preset sets both, and every other learner's replay warm-up is its batch.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::dqn::DqnConfig;
use super::hybrid::HybridConfig;
use super::ppo::PpoConfig;
use super::sac::{ActorConfig, AlphaTuning, SacConfig};
use super::{LearnerConfig, Preset};
use crate::diffusion::{DiffusionConfig, NoiseSchedule};
use crate::error::{Error, Result, check_count};
use crate::nn::Activation;

/// An algorithm that can be trained. Configs, share links and checkpoints spell it by [`Algorithm::name`]
/// (`"d2sac"`, `"sac_discrete"`, …), in JSON too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Algorithm {
    /// D2SAC, the asp paper's diffusion soft actor-critic ([`d2sac`]).
    D2sac,
    /// LAD-TS, the lad paper's latent-action diffusion ([`lad`]).
    Lad,
    /// DSAC, the tot paper's diffusion soft actor-critic ([`dsac`]).
    Dsac,
    /// The flow paper's diffusion scheduler ([`flowdiff`]).
    Flowdiff,
    /// Discrete SAC with an MLP actor, the diffusion papers' baseline ([`sac_discrete`]).
    SacDiscrete,
    /// DQN ([`dqn`]).
    Dqn,
    /// Double DQN: [`dqn`] with `double`.
    Ddqn,
    /// PPO ([`ppo`]).
    Ppo,
    /// DDC, the ddc paper's hybrid-action diffusion actor-critic ([`ddc`]).
    Ddc,
}

impl Algorithm {
    /// Every algorithm, in the order the page and `--help` list them.
    pub const ALL: [Algorithm; 9] = [
        Algorithm::D2sac,
        Algorithm::Lad,
        Algorithm::Dsac,
        Algorithm::Flowdiff,
        Algorithm::SacDiscrete,
        Algorithm::Dqn,
        Algorithm::Ddqn,
        Algorithm::Ppo,
        Algorithm::Ddc,
    ];

    /// Its name, as configs, the page and `--algo` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::D2sac => "d2sac",
            Algorithm::Lad => "lad",
            Algorithm::Dsac => "dsac",
            Algorithm::Flowdiff => "flowdiff",
            Algorithm::SacDiscrete => "sac_discrete",
            Algorithm::Dqn => "dqn",
            Algorithm::Ddqn => "ddqn",
            Algorithm::Ppo => "ppo",
            Algorithm::Ddc => "ddc",
        }
    }

    /// The algorithm called `name`; `field` names where the name came from, for the error. The one parser
    /// of algorithm names (serde reads them through it too).
    pub fn parse(field: &str, name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
            Error::new(field, format!("unknown algorithm '{name}' (expected one of: {})", known.join(", ")))
        })
    }

    /// Its whole preset under `preset`.
    pub fn preset(self, preset: Preset) -> AlgorithmPreset {
        AlgorithmPreset {
            learner: self.learner(preset),
            schedule: self.schedule(preset),
            shared_learner: shares_learner(preset),
        }
    }

    /// The learner's hyper-parameters under `preset`: the paper's, or for `fast` the paper's through
    /// [`fast`] and the algorithm's own adjustments on top ([`lad_fast`], [`dsac_fast`]).
    fn learner(self, preset: Preset) -> LearnerConfig {
        let sac = |paper: SacConfig, adjust: fn(SacConfig) -> SacConfig| {
            LearnerConfig::Sac(match preset {
                Preset::Paper => paper,
                Preset::Fast => adjust(fast(paper)),
            })
        };
        let unchanged = |fast: SacConfig| fast;
        match self {
            Algorithm::D2sac => sac(d2sac(), unchanged),
            Algorithm::Lad => sac(lad(), lad_fast),
            Algorithm::Dsac => sac(dsac(), dsac_fast),
            Algorithm::Flowdiff => sac(flowdiff(), unchanged),
            Algorithm::SacDiscrete => sac(sac_discrete(), unchanged),
            Algorithm::Dqn => LearnerConfig::Dqn(dqn(preset)),
            Algorithm::Ddqn => LearnerConfig::Dqn(DqnConfig { double: true, ..dqn(preset) }),
            Algorithm::Ppo => LearnerConfig::Ppo(ppo(preset)),
            Algorithm::Ddc => LearnerConfig::Hybrid(ddc(preset)),
        }
    }

    /// The papers' loops: collect 1000 steps, then 1000 updates (LAD: one update per base station per slot,
    /// its buffer's warm-up being the learner's `min_replay`; DDC: one update per step from the first, its
    /// Algorithm 3); the fast preset updates once per step after 1000 warm-up steps. On-policy PPO updates
    /// once per rollout (all its epochs), as soon as a rollout is collected.
    fn schedule(self, preset: Preset) -> UpdateSchedule {
        let every = |collect_steps, updates_per_collect, warmup_steps| UpdateSchedule {
            epoch_steps: 1000,
            collect_steps,
            updates_per_collect,
            warmup_steps,
            per_agent_block: false,
        };
        match (self, preset) {
            // One shared learner (see `shares_learner`) updated every step; an epoch a third of an episode,
            // so that the page's curve moves every few seconds.
            (Algorithm::Lad, Preset::Fast) => UpdateSchedule { epoch_steps: 10_000, ..every(1, 1, 1000) },
            // One update per base station and slot, an epoch about one episode (59 slots × 20 BSs × ~25 tasks).
            (Algorithm::Lad, Preset::Paper) => {
                UpdateSchedule { epoch_steps: 30_000, per_agent_block: true, ..every(1, 1, 0) }
            }
            (Algorithm::Ppo, _) => every(ppo(preset).rollout_steps, 1, 0),
            (Algorithm::Ddc, Preset::Paper) => every(1, 1, 0),
            (_, Preset::Paper) => every(1000, 1000, 0),
            (_, Preset::Fast) => every(1, 1, 1000),
        }
    }
}

impl From<Algorithm> for &'static str {
    fn from(algorithm: Algorithm) -> Self {
        algorithm.name()
    }
}

impl TryFrom<String> for Algorithm {
    type Error = Error;

    fn try_from(name: String) -> Result<Self> {
        Algorithm::parse("algorithm", &name)
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything an algorithm's preset decides about a run (the scenario and the seeds aside): what
/// `train::TrainConfig::preset` copies into the run's config.
#[derive(Debug, Clone, PartialEq)]
pub struct AlgorithmPreset {
    /// The learner's hyper-parameters: network, optimiser, replay and the replay's own warm-up.
    pub learner: LearnerConfig,
    /// When it collects and updates, and the run's warm-up before the first update.
    pub schedule: UpdateSchedule,
    /// One learner acts and learns for every agent of a multi-agent scenario ([`shares_learner`]).
    pub shared_learner: bool,
}

/// Whether a run under `preset` has one learner act for every agent of a multi-agent scenario (parameter
/// sharing): every fast preset, as lad's 20 base stations would otherwise each learn the same load balancing
/// from a twentieth of the experience; the paper presets keep one agent per base station, as LAD-TS and its
/// baselines in the paper.
pub fn shares_learner(preset: Preset) -> bool {
    preset == Preset::Fast
}

/// When updates happen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSchedule {
    /// Environment steps per epoch; evaluation and the metric record follow each epoch.
    pub epoch_steps: usize,
    /// Steps collected between rounds of updates.
    pub collect_steps: usize,
    /// Updates per round.
    pub updates_per_collect: usize,
    /// Steps collected before the first update.
    pub warmup_steps: usize,
    /// Update an agent when its block of consecutive decisions ends (LAD: once per base station per slot),
    /// instead of every `collect_steps`.
    pub per_agent_block: bool,
}

impl UpdateSchedule {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        check_count("epoch_steps", self.epoch_steps as u64, 1, 10_000_000)?;
        check_count("collect_steps", self.collect_steps as u64, 1, 10_000_000)?;
        check_count("updates_per_collect", self.updates_per_collect as u64, 0, 1_000_000)?;
        check_count("warmup_steps", self.warmup_steps as u64, 0, 100_000_000)?;
        Ok(())
    }
}

/// Entropy the fast presets tune α towards (nats): enough that every action keeps some probability, so
/// the policy gradient `π_a·(Q_a − V)` still reaches an action the critic comes to prefer.
pub const FAST_TARGET_ENTROPY: f32 = 0.4;

/// The fast variant of a paper preset: algorithms.md's probe (width 64, batch 128, actor lr 3e−4, 1-step
/// targets, one update per step after 1000 warm-up steps) with a critic rate of at least 1e−3 (flowdiff's
/// 1e−4 critic under a 3e−4 actor let its loss grow), α tuned towards [`FAST_TARGET_ENTROPY`] (with a fixed
/// α 0.05 the exploring policy turns one-hot within a few thousand updates, the policy gradient of every
/// other action vanishes and the actor stops improving: tot's DSAC stayed 3–5 points of delay reduction
/// below greedy, lad's agents piled onto one server), and an unbounded noise prediction (`identity`
/// output): the chain carries `x_T` into `x_0` with gain `1/√ᾱ_T ≈ 12.5`, which a tanh-bounded `ε` cannot
/// cancel, so the logits are mostly noise (`docs/readings.md`, "Fast presets"). The paper presets keep
/// the papers' actors.
fn fast(paper: SacConfig) -> SacConfig {
    let actor = match paper.actor {
        ActorConfig::Diffusion(d) => {
            // LAD's softmax denoiser predicts the probabilities themselves; the others predict the noise.
            let output = if d.predicts_sample() { d.output } else { Activation::Identity };
            ActorConfig::Diffusion(DiffusionConfig { hidden: 64, output, ..d })
        }
        ActorConfig::Mlp { activation, .. } => ActorConfig::Mlp { hidden: vec![64, 64], activation },
    };
    SacConfig {
        actor,
        critic_hidden: paper.critic_hidden.iter().map(|_| 64).collect(),
        actor_lr: paper.actor_lr.max(3e-4),
        critic_lr: paper.critic_lr.max(1e-3),
        alpha_tuning: Some(AlphaTuning { lr: 3e-4, target_entropy: FAST_TARGET_ENTROPY }),
        batch_size: paper.batch_size.min(128),
        buffer_size: paper.buffer_size.min(100_000),
        n_step: 1,
        ..paper
    }
}

/// LAD-TS's fast preset on top of [`fast`]: γ = 0, an actor rate of 1e−3 and rewards scaled by 0.1
/// (measured on the default world, one learner shared by the base stations). A task's delay is fixed when it
/// is placed (the queue it joins is already there); with γ = 0.95 the critic's action-independent part
/// (≈ −200 s) swamps the tenths of a second between servers and DQN oscillated between 10.5 and 460 s of
/// mean delay; with γ = 0 the critic learns the delays themselves, the quantity the paper's Opt-TS
/// minimises. Delays of tens to hundreds of seconds early in training dwarf the entropy bonus, so the
/// softmax denoiser saturated on one server before α could grow (seeds 1 and 2 stalled at 60–380 s; a
/// faster α only made α explode); scaled by 0.1 every seed tried reached Opt-TS's delay within five epochs.
/// The update schedule and the shared learner are in [`Algorithm::preset`] and [`shares_learner`].
fn lad_fast(fast: SacConfig) -> SacConfig {
    SacConfig { gamma: 0.0, actor_lr: 1e-3, reward_scale: 0.1, ..fast }
}

/// DSAC's fast preset on top of [`fast`]: rewards scaled by 0.1 (measured on tot, 5 train seeds at q = 0.8
/// and 0.95). A missed quality threshold costs tens per episode step at first, and the critic's early errors
/// (loss ≈ 700) pushed the unbounded logits of one seed in five to a one-hot policy within 2 000 updates:
/// entropy 10⁻¹³, no gradient left to raise it, α grew to 3.7·10⁵ and the run lost 50 epochs. Scaled by
/// 0.1 the same seed keeps its entropy near the target.
fn dsac_fast(fast: SacConfig) -> SacConfig {
    SacConfig { reward_scale: 0.1, ..fast }
}

/// The diffusion actor of the d2sac-style presets: `T` steps, width `h`, Mish, time MLP, tanh output.
fn diffusion(steps: usize, hidden: usize) -> ActorConfig {
    ActorConfig::Diffusion(DiffusionConfig {
        steps,
        schedule: NoiseSchedule::Vp,
        hidden,
        activation: Activation::Mish,
        time_mlp: true,
        output: Activation::Tanh,
        clip_denoised: false,
    })
}

/// D2SAC (asp): T = 5, h = 256, Mish; critic 256-256; α 0.05; lrs 1e−4 / 1e−3 with weight decay 1e−4;
/// γ 0.95; τ 0.005; batch 512; buffer 1e6; 3-step returns; target actor and critic; no entropy in the target.
pub fn d2sac() -> SacConfig {
    SacConfig {
        actor: diffusion(5, 256),
        critic_hidden: vec![256, 256],
        critic_activation: Activation::Mish,
        alpha: 0.05,
        alpha_tuning: None,
        actor_lr: 1e-4,
        critic_lr: 1e-3,
        weight_decay: 1e-4,
        gamma: 0.95,
        tau: 0.005,
        batch_size: 512,
        buffer_size: 1_000_000,
        n_step: 3,
        target_actor: true,
        entropy_in_target: false,
        latent_start: false,
        min_replay: 0,
        reward_scale: 1.0,
    }
}

/// DSAC (tot): T = 5, h = 400, critic 400-400, γ 0.99, batch 256, buffer 1e5, 1-step, entropy in the target
/// (SAC-discrete style: π' from the current actor).
pub fn dsac() -> SacConfig {
    SacConfig {
        actor: diffusion(5, 400),
        critic_hidden: vec![400, 400],
        weight_decay: 0.0,
        gamma: 0.99,
        batch_size: 256,
        buffer_size: 100_000,
        n_step: 1,
        target_actor: false,
        entropy_in_target: true,
        ..d2sac()
    }
}

/// The diffusion scheduler of the flow paper: T = 10, h = 256, both lrs 1e−4, otherwise as d2sac.
pub fn flowdiff() -> SacConfig {
    SacConfig { actor: diffusion(10, 256), critic_lr: 1e-4, ..d2sac() }
}

/// LAD-TS (lad): T = 5, h = 20, ReLU, no time MLP, softmax output (the denoiser predicts the action
/// probabilities, so π = x_0); critic 20-20 ReLU; α 0.05 auto-tuned (lr 3e−4, target entropy −1); lrs
/// 1e−4 / 1e−3 without weight decay; batch 64, buffer 1000 per agent, updates once its buffer holds more
/// than 300; 1-step; latent start; entropy in the target; no target actor.
pub fn lad() -> SacConfig {
    SacConfig {
        actor: ActorConfig::Diffusion(DiffusionConfig {
            steps: 5,
            schedule: NoiseSchedule::Vp,
            hidden: 20,
            activation: Activation::Relu,
            time_mlp: false,
            output: Activation::Softmax,
            clip_denoised: false,
        }),
        critic_hidden: vec![20, 20],
        critic_activation: Activation::Relu,
        alpha: 0.05,
        alpha_tuning: Some(AlphaTuning { lr: 3e-4, target_entropy: -1.0 }),
        actor_lr: 1e-4,
        critic_lr: 1e-3,
        weight_decay: 0.0,
        gamma: 0.95,
        tau: 0.005,
        batch_size: 64,
        buffer_size: 1000,
        n_step: 1,
        target_actor: false,
        entropy_in_target: true,
        latent_start: true,
        min_replay: 300,
        reward_scale: 1.0,
    }
}

/// Discrete SAC with an MLP actor (256-256, Mish) and everything else as d2sac.
pub fn sac_discrete() -> SacConfig {
    SacConfig { actor: ActorConfig::Mlp { hidden: vec![256, 256], activation: Activation::Mish }, ..d2sac() }
}

/// DQN under `preset`: the reference's (256-256 Mish, batch 512, 3-step returns, target copied every 320
/// updates), or the fast one (64-64, batch 128, buffer 10^5, 1-step returns: on `asp` it beat `crash_avoid`
/// after 3–5 k updates against 11–21 k with 3-step returns, as the SAC probe found). `ddqn` is the same
/// with `double`.
pub fn dqn(preset: Preset) -> DqnConfig {
    let paper = DqnConfig::default();
    match preset {
        Preset::Paper => paper,
        Preset::Fast => DqnConfig { hidden: vec![64, 64], batch_size: 128, buffer_size: 100_000, n_step: 1, ..paper },
    }
}

/// PPO under `preset`: the reference's (256-256 Mish, one full-batch step per 1000-step rollout, which the
/// paper took ~10^6 steps to bring past `crash_avoid`), or the fast one: 64-64, and 10 epochs of minibatches
/// of 100 over each 1000-step rollout (100 steps per rollout). On `asp` that beat `crash_avoid` after 29–40
/// rollouts; 500-step rollouts, smaller minibatches or standardised advantages were slower or noisier.
pub fn ppo(preset: Preset) -> PpoConfig {
    let paper = PpoConfig::default();
    match preset {
        Preset::Paper => paper,
        Preset::Fast => PpoConfig { hidden: vec![64, 64], epochs: 10, minibatch_size: 100, ..paper },
    }
}

/// DDC (ddc) under `preset`: the paper's ([`HybridConfig::default`]), or the fast one: width 64, batch 128,
/// actor lr 3e−4 as the other fast presets, and the actor that learns on `ddc`: the chain from its mean, a
/// penalty 10⁻³ on the chain's output, and N(0, 0.3²) on every exploring offload.
///
/// *Reading — γ.* Both presets use γ = 0. The paper names a discount γ in its target (29) but gives no
/// value; the 0.95 of `design/algorithms.md` was borrowed from the other presets. `ddc` is a contextual
/// bandit: each slot's requests are drawn from the episode seed whatever the edge decided, so the next
/// state does not depend on the action and the best policy maximises each slot's reward; γ > 0 only adds
/// the critics' error on the next state to their target.
///
/// *Reading — the fast actor* (`docs/results/ddc-learning.md`). With the paper's chain the learner stayed in
/// a "few steps, all at the edge" policy (5–10 steps a user, 22–28 % satisfaction after 8 epochs at γ = 0)
/// although its critics fit (loss 0.05). Measured in the actor update: the VP chain with T = 3 carries `x_T` into `x_0` with
/// gain 12.5, which the tanh-bounded denoiser cannot cancel, so `|x_0| ≈ 16` from the first update (10 at
/// initialisation); the step softmax then gives its argmax 0.96 and the offload tanh is saturated for 93 %
/// of the users, and the straight-through gradient reaching `x_0` is 1/200 (logits) and 1/30 (offloads) of
/// the critics' `∂Q/∂a`. The noise decides the action, not the actor. Run from its mean, the chain's `x_0`
/// starts near 1 but reaches |x| ≈ 5–7 within 2000 updates and 8–11 later (the chain multiplies every
/// change of the denoiser by up to 12.5), where both squashes are flat again (gradients ≈ 10⁻¹⁰). The penalty
/// `10⁻³·Σ x_0²` — as SAC's original code regularises its pre-tanh mean — holds `|x_0|` near 1.3–2, where the
/// gradient passes; with the chain's own noise gone, the offload is explored by N(0, 0.3²) on every
/// exploring decision (0.1² on one in ten hardly moves a ratio) and the steps by the Gumbel draws.
pub fn ddc(preset: Preset) -> HybridConfig {
    let paper = HybridConfig::default();
    match preset {
        Preset::Paper => paper,
        Preset::Fast => HybridConfig {
            actor: DiffusionConfig { hidden: 64, ..paper.actor.clone() },
            critic_hidden: vec![64, 64],
            noisy_chain: false,
            output_l2: 1e-3,
            explore_prob: 1.0,
            explore_sd: 0.3,
            actor_lr: 3e-4,
            batch_size: 128,
            ..paper
        },
    }
}
