//! The baselines' mechanics (rollout bookkeeping, target copies, presets, validation) and learning smoke
//! tests on a two-armed contextual bandit.

use super::dqn::{Dqn, DqnConfig};
use super::ppo::{Ppo, PpoConfig};
use super::presets::ppo;
use super::*;
use crate::checkpoint::Checkpoint;
use crate::rng::Stream;
use crate::train::TrainConfig;

/// A two-armed contextual bandit in episodes of `EPISODE` steps, each truncated at its end: the context is
/// ±1 (observed as `[c, 1]`), arm `c > 0` pays +1, the other −1.
const EPISODE: usize = 5;

fn context(rng: &mut Rng) -> Vec<f32> {
    vec![if rng.below(2) == 1 { 1.0 } else { -1.0 }, 1.0]
}

fn best_arm(obs: &[f32]) -> usize {
    usize::from(obs[0] > 0.0)
}

/// The index of a discrete action.
fn index(action: Action) -> usize {
    action.index_below(usize::MAX).expect("a discrete action")
}

/// Trains `learner` for `steps` bandit steps, updating after every step from `warmup` on; returns the greedy
/// policy's action for each context.
fn train_on_bandit(learner: &mut dyn Learner, steps: usize, warmup: usize, seed: u64) -> [usize; 2] {
    let mut env = Rng::new(seed, Stream::Episode);
    let mut rng = Rng::new(seed, Stream::Exploration);
    let mut probs = Vec::new();
    let mut obs = context(&mut env);
    for step in 0..steps {
        let action = index(learner.act(&obs, None, true, &mut rng, &mut probs));
        let next_obs = context(&mut env);
        learner.observe(Transition {
            obs: obs.clone(),
            action: vec![action as f32],
            reward: if action == best_arm(&obs) { 1.0 } else { -1.0 },
            next_obs: next_obs.clone(),
            terminated: false,
            truncated: step % EPISODE == EPISODE - 1,
            latent: Vec::new(),
            next_latent: Vec::new(),
        });
        if step >= warmup {
            let stats = learner.update(&mut rng).expect("finite updates");
            assert!(stats.is_none_or(|s| s.critic_loss.is_finite() && s.actor_loss.is_finite()));
        }
        obs = next_obs;
    }
    [-1.0f32, 1.0].map(|c| index(learner.act(&[c, 1.0], None, false, &mut rng, &mut probs)))
}

fn small_dqn(double: bool) -> DqnConfig {
    DqnConfig {
        hidden: vec![16],
        double,
        batch_size: 32,
        buffer_size: 1000,
        n_step: 1,
        gamma: 0.5,
        target_update_every: 20,
        ..DqnConfig::default()
    }
}

fn small_ppo() -> PpoConfig {
    PpoConfig {
        hidden: vec![16],
        rollout_steps: 50,
        epochs: 4,
        minibatch_size: 25,
        lr: 3e-3,
        gamma: 0.5,
        ..PpoConfig::default()
    }
}

#[test]
fn dqn_and_double_dqn_learn_the_bandit() {
    for double in [false, true] {
        let mut dqn = Dqn::new(small_dqn(double), CpuBackend::new(), 2, 2, Rng::new(1, Stream::Learner)).unwrap();
        assert_eq!(train_on_bandit(&mut dqn, 400, 50, 2), [0, 1], "double={double}");
        assert_eq!(dqn.updates(), 350);
        let q = dqn.q_values(&[1.0, 1.0]);
        // Every step bootstraps (truncations too): Q*(s, best) = 1 + γ·Q*(s', best) = 2, Q*(s, worst) = 0.
        assert!((q[1] - 2.0).abs() < 0.5 && q[0].abs() < 0.5, "double={double}: {q:?}");
    }
}

#[test]
fn ppo_learns_the_bandit() {
    let mut ppo = Ppo::new(small_ppo(), CpuBackend::new(), 2, 2, Rng::new(1, Stream::Learner)).unwrap();
    assert_eq!(train_on_bandit(&mut ppo, 1000, 0, 3), [0, 1]);
    // 20 rollouts of 50 steps, each 4 epochs of 2 minibatches.
    assert_eq!((ppo.updates(), ppo.gradient_steps()), (20, 160));
    let mut probs = Vec::new();
    ppo.policy_probs(&[1.0, 1.0], &mut probs);
    assert!(probs[1] > 0.9, "{probs:?}");
}

fn step(obs: f32, action: usize, end: bool) -> Transition {
    Transition {
        obs: vec![obs, 1.0],
        action: vec![action as f32],
        reward: obs,
        next_obs: vec![obs + 1.0, 1.0],
        terminated: end,
        truncated: false,
        latent: Vec::new(),
        next_latent: Vec::new(),
    }
}

#[test]
fn ppo_updates_once_per_full_rollout_and_starts_a_new_one() {
    let config = PpoConfig { rollout_steps: 4, minibatch_size: 2, epochs: 3, hidden: vec![8], ..PpoConfig::default() };
    let mut ppo = Ppo::new(config, CpuBackend::new(), 2, 3, Rng::new(1, Stream::Learner)).unwrap();
    let mut rng = Rng::new(2, Stream::Exploration);
    for i in 0..3 {
        ppo.observe(step(i as f32, i, i == 1));
        assert!(ppo.update(&mut rng).unwrap().is_none());
    }
    ppo.observe(step(3.0, 0, false));
    assert!(ppo.update(&mut rng).unwrap().is_some());
    assert_eq!((ppo.updates(), ppo.gradient_steps(), ppo.rollout_len()), (1, 6, 0));
    // Observed past a full rollout (a schedule that updates less often), the oldest steps make room.
    for i in 0..6 {
        ppo.observe(step(i as f32, 0, false));
    }
    assert_eq!(ppo.rollout_len(), 4);
}

/// Runs `steps` steps of a toy stream through `learner` (updating from step `update_from` on) and returns
/// every action and loss bit pattern.
fn run_stream(learner: &mut dyn Learner, steps: usize, update_from: usize, rng: &mut Rng) -> Vec<u32> {
    let mut probs = Vec::new();
    let mut out = Vec::new();
    for i in 0..steps {
        let obs = [(i % 7) as f32 / 7.0, 1.0];
        let action = index(learner.act(&obs, None, true, rng, &mut probs));
        learner.observe(step(obs[0], action, i % 10 == 9));
        if i >= update_from
            && let Some(stats) = learner.update(rng).unwrap()
        {
            out.push(stats.critic_loss.to_bits());
            out.push(stats.actor_loss.to_bits());
        }
        out.push(action as u32);
    }
    out
}

fn fast_learner(algorithm: Algorithm, seed: u64) -> Box<dyn Learner> {
    let config = algorithm.preset(Preset::Fast).learner;
    config.build(2, &ActionSpace::Discrete { n: 3 }, Rng::new(seed, Stream::Learner)).unwrap()
}

/// The same seed gives the same actions and the same update, bit for bit.
#[test]
fn baselines_are_deterministic() {
    for algorithm in [Algorithm::Dqn, Algorithm::Ddqn, Algorithm::Ppo] {
        let run = || run_stream(fast_learner(algorithm, 7).as_mut(), 1000, 900, &mut Rng::new(8, Stream::Exploration));
        let first = run();
        assert!(first.len() > 1000, "{algorithm} never updated");
        assert_eq!(first, run(), "{algorithm}");
    }
}

/// Saved mid-rollout / mid-window and loaded into a learner of another seed, a baseline goes on exactly as
/// the original.
#[test]
fn baselines_resume_from_a_checkpoint_bit_identically() {
    for algorithm in [Algorithm::Dqn, Algorithm::Ppo] {
        let mut original = fast_learner(algorithm, 7);
        let mut rng = Rng::new(8, Stream::Exploration);
        run_stream(original.as_mut(), 1234, 1100, &mut rng);
        let mut ck = Checkpoint::new();
        original.save("agent0.", &mut ck);
        let ck = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
        let mut resumed = fast_learner(algorithm, 99);
        resumed.load("agent0.", &ck).unwrap();
        let mut again = Checkpoint::new();
        resumed.save("agent0.", &mut again);
        assert!(again == ck, "{algorithm}: checkpoints differ in {:?}", again.differences(&ck));
        let mut rng2 = rng.clone();
        let next = run_stream(original.as_mut(), 1000, 0, &mut rng);
        assert_eq!(run_stream(resumed.as_mut(), 1000, 0, &mut rng2), next, "{algorithm}");
        assert!(next.len() > 1000, "{algorithm} never updated after resuming");
    }
    let mut ppo = fast_learner(Algorithm::Ppo, 1);
    assert!(ppo.load("agent0.", &Checkpoint::new()).unwrap_err().problem.contains("missing"));
}

#[test]
fn dqn_target_network_is_a_hard_copy_every_n_updates() {
    let config = DqnConfig { hidden: vec![8], batch_size: 4, target_update_every: 3, ..DqnConfig::default() };
    let mut dqn = Dqn::new(config, CpuBackend::new(), 2, 2, Rng::new(1, Stream::Learner)).unwrap();
    let mut rng = Rng::new(2, Stream::Exploration);
    for i in 0..8 {
        dqn.observe(step(i as f32, i % 2, false));
    }
    let online = |dqn: &mut Dqn<CpuBackend>| dqn.q_values(&[0.5, 1.0]);
    let start = online(&mut dqn);
    for update in 1..=3 {
        dqn.update_from_replay(&mut rng).unwrap();
        let copied = dqn.target_q_values(&[0.5, 1.0]) == online(&mut dqn);
        assert_eq!(copied, update == 3, "after update {update}");
        assert_eq!(dqn.target_q_values(&[0.5, 1.0]) == start, update < 3, "after update {update}");
    }
}

#[test]
fn every_algorithm_has_presets_and_a_schedule() {
    for algorithm in Algorithm::ALL {
        for preset in [Preset::Paper, Preset::Fast] {
            let AlgorithmPreset { learner: config, schedule, .. } = algorithm.preset(preset);
            config.validate().unwrap_or_else(|e| panic!("{algorithm} {preset:?}: {e}"));
            schedule.validate().unwrap_or_else(|e| panic!("{algorithm} {preset:?}: {e}"));
            if let LearnerConfig::Ppo(c) = &config {
                assert_eq!((schedule.collect_steps, schedule.updates_per_collect), (c.rollout_steps, 1));
            }
        }
    }
    let LearnerConfig::Dqn(ddqn) = Algorithm::Ddqn.preset(Preset::Paper).learner else { panic!("ddqn is DQN") };
    assert_eq!(ddqn, DqnConfig { double: true, ..DqnConfig::default() });
    let scenario = crate::scenario::ScenarioConfig::default_for(crate::scenario::ScenarioId::Asp);
    let train = TrainConfig::preset(scenario, Algorithm::Ppo, Preset::Fast, 1);
    assert!(crate::train::Trainer::new(train).is_ok());
}

#[test]
fn bad_baseline_configs_name_the_field() {
    let field = |config: LearnerConfig| config.validate().unwrap_err().field;
    assert_eq!(field(LearnerConfig::Dqn(DqnConfig { epsilon: f32::NAN, ..DqnConfig::default() })), "epsilon");
    assert_eq!(field(LearnerConfig::Dqn(DqnConfig { hidden: vec![64, 0], ..DqnConfig::default() })), "hidden[1]");
    assert_eq!(field(LearnerConfig::Ppo(PpoConfig { clip: 0.0, ..PpoConfig::default() })), "clip");
    let e = LearnerConfig::Ppo(PpoConfig { minibatch_size: 300, ..PpoConfig::default() }).validate().unwrap_err();
    assert_eq!(e.to_string(), "minibatch_size: must divide rollout_steps (1000), got 300");
    let json = r#"{"kind": "ppo", "epochs": 4, "typo": 1}"#;
    assert!(crate::json::parse::<LearnerConfig>("learner", json).unwrap_err().problem.contains("typo"));
    let json = r#"{"kind": "dqn", "double": true}"#;
    let parsed: LearnerConfig = crate::json::parse("learner", json).unwrap();
    assert_eq!(parsed, LearnerConfig::Dqn(DqnConfig { double: true, ..DqnConfig::default() }));
    let hybrid = ActionSpace::Hybrid { groups: 2, choices: 3, continuous: 1 };
    let e = Algorithm::Ppo.preset(Preset::Fast).learner.build(4, &hybrid, Rng::new(1, Stream::Learner));
    assert!(e.err().unwrap().problem.contains("discrete"));
}

/// α's own Adam step (the fast presets tune α), pinned bit for bit: every update's α over 150 updates of
/// the fast d2sac learner, folded into one FNV-1a hash. The values are those of the scalar step as it was
/// written out in `sac.rs` before [`crate::nn::ScalarAdam`] (checked equal bit for bit over 10⁵ steps when
/// it moved); a change of that step's arithmetic (its order, its constants) shows here.
#[test]
fn tuned_alpha_is_pinned_bit_for_bit() {
    let mut learner = fast_learner(Algorithm::D2sac, 7);
    let mut rng = Rng::new(8, Stream::Exploration);
    let mut probs = Vec::new();
    let (mut hash, mut last) = (0xcbf2_9ce4_8422_2325u64, 0.0f32);
    for i in 0..300 {
        let obs = [(i % 7) as f32 / 7.0, 1.0];
        let action = index(learner.act(&obs, None, true, &mut rng, &mut probs));
        learner.observe(step(obs[0], action, i % 10 == 9));
        if i >= 150
            && let Some(stats) = learner.update(&mut rng).unwrap()
        {
            for byte in stats.alpha.to_bits().to_le_bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
            last = stats.alpha;
        }
    }
    // α rose from 0.05 to 0.0524 (the fast target entropy is above what the policy keeps at first).
    assert_eq!((hash, last.to_bits()), (0x57f4_0520_217d_2b86, 0x3d56_8166), "last α {last}");
}

/// Algorithm names: serde writes and reads each as its `name` (the strings configs have always held), and
/// the one parser refuses any other with the list.
#[test]
fn algorithm_names_are_one_spelling() {
    for a in Algorithm::ALL {
        assert_eq!(serde_json::to_value(a).unwrap(), a.name());
        assert_eq!(serde_json::from_value::<Algorithm>(a.name().into()).unwrap(), a);
        assert_eq!(Algorithm::parse("algorithm", a.name()).unwrap(), a);
    }
    let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names, ["d2sac", "lad", "dsac", "flowdiff", "sac_discrete", "dqn", "ddqn", "ppo", "ddc"]);
    let e = Algorithm::parse("--algo", "nope").unwrap_err();
    assert_eq!(
        e.to_string(),
        "--algo: unknown algorithm 'nope' (expected one of: d2sac, lad, dsac, flowdiff, sac_discrete, dqn, ddqn, ppo, ddc)"
    );
    assert!(serde_json::from_str::<Algorithm>("\"nope\"").is_err());
}

/// Every preset's schedule, as the string match in `train` gave it before the presets moved into one value.
#[test]
fn preset_schedules_are_those_of_before() {
    for algorithm in Algorithm::ALL {
        for preset in [Preset::Paper, Preset::Fast] {
            let rollout = ppo(preset).rollout_steps;
            let expected = match (algorithm, preset) {
                (Algorithm::Lad, Preset::Fast) => (10_000, 1, 1, 1000, false),
                (Algorithm::Lad, Preset::Paper) => (30_000, 1, 1, 0, true),
                (Algorithm::Ppo, _) => (1000, rollout, 1, 0, false),
                (Algorithm::Ddc, Preset::Paper) => (1000, 1, 1, 0, false),
                (_, Preset::Paper) => (1000, 1000, 1000, 0, false),
                (_, Preset::Fast) => (1000, 1, 1, 1000, false),
            };
            let s = algorithm.preset(preset).schedule;
            let got = (s.epoch_steps, s.collect_steps, s.updates_per_collect, s.warmup_steps, s.per_agent_block);
            assert_eq!(got, expected, "{algorithm} {preset:?}");
            assert_eq!(algorithm.preset(preset).shared_learner, preset == Preset::Fast);
        }
    }
    assert_eq!(Preset::default(), Preset::Paper);
}
