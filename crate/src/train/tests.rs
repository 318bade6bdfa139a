use super::*;
use crate::agent::sac::{ActorConfig, SacConfig};
use crate::agent::{Algorithm, LearnerConfig, Preset};
use crate::diffusion::{DiffusionConfig, NoiseSchedule};
use crate::nn::Activation;
use crate::scenario::asp::AspConfig;
use crate::scenario::{ActionSpace, Baselines, HeuristicState, Metrics, ObservationSpace, ScenarioId, Snapshot, Step};

/// A contextual bandit: each step shows one of `CONTEXTS` contexts (one-hot); arm `(c + 1) mod ARMS` pays
/// 1, the other 0. Episodes of 10 steps.
///
/// Two arms, because D2SAC's unclipped chain has an error floor that grows with the number of actions:
/// `x_0` depends on `x_T` with gain ≈ 12.5 (VP, T = 5) while the tanh-bounded denoiser can move each logit by
/// at most ≈ 17.5, so for some noise draws a wrong logit wins by a margin that saturates the softmax, and
/// there the policy gradient vanishes. Measured greedy accuracy: ≈ 89 % with 5 arms, ≈ 94.5 % with 3, and
/// above 95 % with 2 (docs/results/learning.md).
struct Bandit {
    rng: Rng,
    context: usize,
    step: usize,
    obs: Vec<f32>,
    total: f64,
}

const CONTEXTS: usize = 4;
const ARMS: usize = 2;

fn best_arm(context: usize) -> usize {
    (context + 1) % ARMS
}

impl Bandit {
    fn new() -> Self {
        Self { rng: Rng::new(0, Stream::Episode), context: 0, step: 0, obs: vec![0.0; CONTEXTS], total: 0.0 }
    }

    fn draw(&mut self) {
        self.context = self.rng.below(CONTEXTS as u64) as usize;
        self.obs.fill(0.0);
        self.obs[self.context] = 1.0;
    }
}

impl Env for Bandit {
    fn id(&self) -> ScenarioId {
        ScenarioId::Asp
    }
    fn observation_space(&self) -> ObservationSpace {
        ObservationSpace::from_bounds([(0.0, 1.0); CONTEXTS])
    }
    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete { n: ARMS }
    }
    fn reset(&mut self, episode_seed: u64) {
        self.rng = Rng::new(episode_seed, Stream::Episode);
        self.step = 0;
        self.total = 0.0;
        self.draw();
    }
    fn observation(&self) -> &[f32] {
        &self.obs
    }
    fn step(&mut self, action: &Action) -> Result<Step> {
        let arm = action.index_below(ARMS)?;
        let reward = if arm == best_arm(self.context) { 1.0 } else { 0.0 };
        self.total += reward;
        self.step += 1;
        self.draw();
        Ok(Step { reward, terminated: self.step == 10, truncated: false })
    }
    fn is_done(&self) -> bool {
        self.step == 10
    }
    fn metrics(&self) -> Metrics {
        Metrics(vec![("total_reward", self.total)])
    }
    fn snapshot(&self) -> Snapshot {
        unreachable!("not drawn")
    }
    fn heuristics(&self) -> &'static [&'static str] {
        &["random"]
    }
}

impl Baselines for Bandit {
    fn heuristic_action(&self, _: usize, state: &mut HeuristicState) -> Action {
        Action::Discrete(state.rng.below(ARMS as u64) as usize)
    }
}

fn small_d2sac(batch: usize) -> SacConfig {
    SacConfig {
        actor: ActorConfig::Diffusion(DiffusionConfig {
            steps: 5,
            schedule: NoiseSchedule::Vp,
            hidden: 32,
            activation: Activation::Mish,
            time_mlp: true,
            output: Activation::Tanh,
            clip_denoised: false,
        }),
        critic_hidden: vec![32, 32],
        actor_lr: 1e-3,
        batch_size: batch,
        buffer_size: 10_000,
        n_step: 1,
        ..crate::agent::presets::d2sac()
    }
}

fn bandit_config(seed: u64) -> TrainConfig {
    TrainConfig {
        scenario: ScenarioConfig::default_for(ScenarioId::Asp),
        algorithm: "d2sac".into(),
        learner: LearnerConfig::Sac(small_d2sac(64)),
        schedule: UpdateSchedule {
            epoch_steps: 500,
            collect_steps: 1,
            updates_per_collect: 1,
            warmup_steps: 200,
            per_agent_block: false,
        },
        seed,
        eval_episodes: 20,
        eval_seed: 1_000,
        shared_learner: false,
    }
}

/// D2SAC learns to pick the best arm of a contextual bandit at least 95 % of the time.
#[test]
fn d2sac_learns_a_contextual_bandit() {
    let config = bandit_config(3);
    let mut trainer = Trainer::with_envs(config, Box::new(Bandit::new()), Box::new(Bandit::new())).unwrap();
    let mut last = 0.0;
    for _ in 0..8 {
        last = trainer.run_epoch().unwrap().eval.mean_return / 10.0;
        if last >= 0.95 {
            break;
        }
    }
    assert!(last >= 0.95, "best arm picked {:.0} % of the time", last * 100.0);
}

/// A short asp run: small networks, short epochs.
fn asp_config(seed: u64) -> TrainConfig {
    let scenario = ScenarioConfig::Asp(AspConfig { horizon_s: 1.5e5, ..AspConfig::default() });
    TrainConfig {
        scenario,
        algorithm: "d2sac".into(),
        learner: LearnerConfig::Sac(SacConfig { n_step: 3, ..small_d2sac(32) }),
        schedule: UpdateSchedule {
            epoch_steps: 120,
            collect_steps: 10,
            updates_per_collect: 5,
            warmup_steps: 50,
            per_agent_block: false,
        },
        seed,
        eval_episodes: 1,
        eval_seed: 7,
        shared_learner: false,
    }
}

#[test]
fn same_config_same_run_and_another_seed_another_run() {
    let run = |seed| {
        let mut t = Trainer::new(asp_config(seed)).unwrap();
        (0..2).map(|_| t.run_epoch().unwrap()).collect::<Vec<_>>()
    };
    let a = run(1);
    assert_eq!(a, run(1));
    assert_ne!(a, run(2));
    assert!(a[1].updates > 0 && a[1].losses.is_some());
}

/// Save → load gives identical actions and identical next training steps.
#[test]
fn checkpoint_round_trip_resumes_bit_identically() {
    let mut original = Trainer::new(asp_config(5)).unwrap();
    original.run_epoch().unwrap();
    for _ in 0..37 {
        original.step().unwrap(); // stop mid-episode and mid-collect
    }
    let bytes = original.save();
    let mut resumed = Trainer::load(&bytes).unwrap();
    assert_eq!(resumed.history(), original.history());
    assert_eq!(resumed.env.observation(), original.env.observation());
    assert_eq!(resumed.evaluate().unwrap(), original.evaluate().unwrap());
    let next_original = original.run_epoch().unwrap();
    let next_resumed = resumed.run_epoch().unwrap();
    assert_eq!(next_resumed, next_original);
    // And the checkpoint of the resumed run holds the same tensors and state.
    let (a, b) = (Checkpoint::from_bytes(&resumed.save()).unwrap(), Checkpoint::from_bytes(&original.save()).unwrap());
    assert!(a == b, "checkpoints differ in {:?}", a.differences(&b));
}

/// A checkpoint without replay keeps the policy (same evaluation) in a fraction of the bytes, and the run
/// it loads into goes on training.
#[test]
fn checkpoint_without_replay_keeps_the_policy() {
    let mut original = Trainer::new(asp_config(5)).unwrap();
    original.run_epoch().unwrap();
    let (full, small) = (original.save(), original.save_without_replay());
    assert!(small.len() < full.len(), "{} bytes vs {} with replay", small.len(), full.len());
    // 120 steps with 3-step returns: 118 stored transitions in the full checkpoint, none in the small one.
    let rows = |bytes: &[u8]| Checkpoint::from_bytes(bytes).unwrap().get_any("agent0.replay.obs").unwrap().0.to_vec();
    assert_eq!((rows(&full), rows(&small)), (vec![118, 42], vec![0, 42]));
    let mut loaded = Trainer::load(&small).unwrap();
    assert_eq!(loaded.history(), original.history());
    assert_eq!(loaded.evaluate().unwrap(), original.evaluate().unwrap());
    let record = loaded.run_epoch().unwrap();
    assert_eq!(record.epoch, 2);
    assert!(record.eval.mean_return.is_finite());
}

/// A checkpoint written before the Readings of docs/readings.md (no `format`, none of the new fields)
/// loads as the run it was: tot with the paper's observation, reward and penalty weight.
#[test]
fn a_legacy_checkpoint_keeps_its_scenario() {
    use crate::scenario::Env;
    use crate::scenario::tot::{TotConfig, TotDelayReward, TotEnv, TotObservation};
    let literal = TotConfig {
        observation: TotObservation::Paper,
        delay_reward: TotDelayReward::FinishIncrement,
        quality_penalty_weight: 1.0,
        ..TotConfig::default()
    };
    let mut config = TrainConfig::preset(ScenarioConfig::Tot(literal), Algorithm::Dqn, Preset::Fast, 3);
    config.schedule.epoch_steps = 50;
    let mut trainer = Trainer::new(config.clone()).unwrap();
    trainer.run_epoch().unwrap();
    let mut ck = Checkpoint::from_bytes(&trainer.save()).unwrap();
    ck.remove_state("format");
    let mut json = serde_json::to_value(&config).unwrap();
    for field in ["observation", "delay_reward", "quality_penalty_weight"] {
        json["scenario"].as_object_mut().unwrap().remove(field);
    }
    ck.put_state("config", &json);
    let loaded = Trainer::load(&ck.to_bytes()).unwrap();
    assert_eq!(loaded.config(), &config);
    // Without the upgrade the same file would mean today's defaults, whose observation is wider.
    assert_ne!(loaded.observation_dim(), TotEnv::new(TotConfig::default()).unwrap().observation_space().dim());
}

#[test]
fn bad_checkpoints_and_configs_are_errors() {
    assert_eq!(Trainer::load(b"not a checkpoint").err().unwrap().field, "checkpoint");
    let mut config = asp_config(0);
    config.eval_episodes = 0;
    assert_eq!(Trainer::new(config).err().unwrap().field, "eval_episodes");
    let mut config = asp_config(0);
    let LearnerConfig::Sac(c) = &mut config.learner else { unreachable!("asp_config trains d2sac") };
    c.gamma = 1.5;
    assert_eq!(Trainer::new(config).err().unwrap().field, "learner.gamma");
}

/// Every algorithm's paper preset trains on its paper's scenario without NaN (a short schedule, the
/// preset's networks, batch sizes and hyper-parameters unchanged).
#[test]
fn every_paper_preset_trains_on_its_scenario() {
    let pairs = [
        (Algorithm::D2sac, ScenarioId::Asp),
        (Algorithm::SacDiscrete, ScenarioId::Asp),
        (Algorithm::Dqn, ScenarioId::Asp),
        (Algorithm::Ddqn, ScenarioId::Asp),
        (Algorithm::Ppo, ScenarioId::Asp),
        (Algorithm::Lad, ScenarioId::Lad),
        (Algorithm::Dsac, ScenarioId::Tot),
        (Algorithm::Flowdiff, ScenarioId::Flow),
        (Algorithm::Ddc, ScenarioId::Ddc),
    ];
    for (algorithm, id) in pairs {
        let mut config = TrainConfig::preset(ScenarioConfig::default_for(id), algorithm, Preset::Paper, 1);
        config.schedule = UpdateSchedule {
            epoch_steps: 700,
            collect_steps: 300,
            updates_per_collect: 2,
            warmup_steps: 0,
            per_agent_block: false,
        };
        if algorithm == Algorithm::Lad {
            // LAD's own schedule; enough steps for the first base stations to pass their 300-transition warm-up.
            config.schedule = UpdateSchedule { epoch_steps: 7000, ..Algorithm::Lad.preset(Preset::Paper).schedule };
        }
        if algorithm == Algorithm::Ppo {
            config.schedule.collect_steps = 1000;
            config.schedule.epoch_steps = 1000;
        }
        config.eval_episodes = 1;
        let mut trainer = Trainer::new(config).unwrap();
        let record = trainer.run_epoch().unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert!(trainer.updates() > 0, "{algorithm} did not update");
        let losses = record.losses.unwrap_or_else(|| panic!("{algorithm}: no update statistics"));
        losses.check(trainer.updates()).unwrap();
        assert!(record.eval.mean_return.is_finite(), "{algorithm}");
    }
}

/// The learner's smoke test: d2sac's fast preset balances CartPole-v1 (mean evaluation return ≥ 475 over 5
/// episodes). About 40 epochs (40 000 updates): run in release, `cargo test --release -- --ignored`.
#[test]
#[ignore = "minutes in a debug build; npm test runs it in release"]
fn d2sac_fast_balances_cartpole() {
    let scenario = ScenarioConfig::default_for(ScenarioId::Cartpole);
    let mut config = TrainConfig::preset(scenario, Algorithm::D2sac, Preset::Fast, 0);
    config.eval_episodes = 5;
    let mut trainer = Trainer::new(config).unwrap();
    let started = std::time::Instant::now();
    let mut best = 0.0f64;
    for _ in 0..70 {
        best = best.max(trainer.run_epoch().unwrap().eval.mean_return);
        if best >= 475.0 {
            break;
        }
    }
    eprintln!(
        "cartpole: best mean return {best} after {} updates, {:.1} s",
        trainer.updates(),
        started.elapsed().as_secs_f64()
    );
    assert!(best >= 475.0, "best mean evaluation return {best}");
}

/// The ddc learner's regression test: its fast preset on the default config (seed 0) satisfies more
/// requests on the evaluation episodes than SemGen, the weakest heuristic but random, within 20 epochs.
/// Run in release, `cargo test --release -- --ignored`: it gets there at epoch 14 (13 001 updates, 34 s on
/// the 2-core machine beside other work); with the actor's gradient sign flipped it stays at 46 % and
/// fails after 20 epochs (49 s).
#[test]
#[ignore = "minutes in a debug build; scripts/test.sh runs it in release"]
fn ddc_fast_satisfies_more_than_semgen() {
    let scenario = ScenarioConfig::default_for(ScenarioId::Ddc);
    let mut trainer = Trainer::new(TrainConfig::preset(scenario, Algorithm::Ddc, Preset::Fast, 0)).unwrap();
    let satisfaction = |e: &Evaluation| e.metrics.iter().find(|(name, _)| name == "satisfaction_rate").unwrap().1;
    let semgen = satisfaction(&trainer.evaluate_heuristic("semgen").unwrap());
    let started = std::time::Instant::now();
    let mut best = 0.0f64;
    for _ in 0..20 {
        best = best.max(satisfaction(&trainer.run_epoch().unwrap().eval));
        if best > semgen {
            break;
        }
    }
    eprintln!(
        "ddc: best satisfaction {best} (semgen {semgen}) after {} updates, {:.1} s",
        trainer.updates(),
        started.elapsed().as_secs_f64()
    );
    assert!(best > semgen, "best satisfaction {best}, semgen {semgen}");
}

/// Learning regression (release; `npm test` runs the ignored tests): the fast preset of `id`'s paper learner,
/// trained with seed 0 for `epochs`, beats `heuristic` — the scenario's weakest heuristic that is not random —
/// on 10 held-out episodes: the 95 % interval of the paired return advantage lies above zero. Training is
/// deterministic, so this is not flaky: it fails when a change breaks learning.
fn fast_preset_learns(id: ScenarioId, epochs: u64, heuristic: &str) {
    use super::heldout::{HELD_OUT_SEED, compare};
    use crate::scenario::Goal;
    let algorithm = Algorithm::parse("paper_algorithm", id.paper_algorithm()).unwrap();
    let config = TrainConfig::preset(ScenarioConfig::default_for(id), algorithm, Preset::Fast, 0);
    let mut trainer = Trainer::new(config).unwrap();
    let started = std::time::Instant::now();
    for _ in 0..epochs {
        trainer.run_epoch().unwrap();
    }
    let updates = trainer.updates();
    let mut runs = vec![("seed 0".to_owned(), trainer)];
    let c = compare(&mut runs, &[heuristic.to_owned()], HELD_OUT_SEED, 10, "total_reward", Goal::Maximise).unwrap();
    let (run, versus) = (&c.runs[0], &c.runs[0].versus[0]);
    eprintln!(
        "{} {algorithm} fast, {epochs} epochs ({updates} updates, {:.1} s): return {} against {heuristic}'s {}, \
         advantage {}",
        id.name(),
        started.elapsed().as_secs_f64(),
        run.metric,
        c.heuristics[0].metric,
        versus.advantage
    );
    assert!(versus.beats, "{} did not beat {heuristic}: advantage {}", id.name(), versus.advantage);
}

#[test]
#[ignore = "a minute in release; npm test runs it"]
fn fast_preset_learns_asp() {
    fast_preset_learns(ScenarioId::Asp, 20, "round_robin");
}

#[test]
#[ignore = "seconds in release; npm test runs it"]
fn fast_preset_learns_tot() {
    fast_preset_learns(ScenarioId::Tot, 4, "round_robin");
}

#[test]
#[ignore = "a minute in release; npm test runs it"]
fn fast_preset_learns_lad() {
    fast_preset_learns(ScenarioId::Lad, 3, "local");
}

#[test]
#[ignore = "a minute in release; npm test runs it"]
fn fast_preset_learns_flow() {
    fast_preset_learns(ScenarioId::Flow, 10, "round_robin");
}

/// The fast preset of every algorithm on every scenario's default world fits the browser's budget, and the
/// paper preset of each paper's learner and baselines the native one; the configs that grew past
/// 6 GB are refused before anything is allocated, with the estimate (issue 11, class 3).
#[test]
fn memory_is_estimated_and_bounded_before_allocating() {
    use crate::agent::memory::{BROWSER_BUDGET_BYTES, NATIVE_BUDGET_BYTES};
    use Algorithm::*;
    let papers: &[(ScenarioId, &[Algorithm])] = &[
        (ScenarioId::Asp, &[D2sac, Dqn, Ppo, SacDiscrete]),
        (ScenarioId::Lad, &[Lad, D2sac, SacDiscrete, Dqn]),
        (ScenarioId::Tot, &[Dsac, Ppo, SacDiscrete, Ddqn]),
        (ScenarioId::Flow, &[Flowdiff, Dqn, Ppo]),
        (ScenarioId::Ddc, &[Ddc]),
    ];
    for &id in ScenarioId::ALL {
        let env = ScenarioConfig::default_for(id).build().unwrap();
        let space = env.action_space();
        for algorithm in crate::agent::algorithms_for(&space) {
            let paper = papers.iter().any(|(s, algorithms)| *s == id && algorithms.contains(&algorithm));
            let presets = [(Preset::Fast, BROWSER_BUDGET_BYTES)]
                .into_iter()
                .chain(paper.then_some((Preset::Paper, NATIVE_BUDGET_BYTES)));
            for (preset, budget) in presets {
                let config = TrainConfig::preset(ScenarioConfig::default_for(id), algorithm, preset, 0);
                let count = if config.shared_learner { 1 } else { env.agents() };
                let m = config.learner.memory(env.observation_space().dim(), &space).times(count);
                assert!(m.check(budget).is_ok(), "{} {algorithm} {preset:?}: {m:?}", id.name());
            }
        }
    }
    let mut wide = TrainConfig::preset(ScenarioConfig::default_for(ScenarioId::Asp), Algorithm::D2sac, Preset::Fast, 0);
    let LearnerConfig::Sac(sac) = &mut wide.learner else { unreachable!() };
    sac.critic_hidden = vec![4096; 8];
    sac.batch_size = 65_536;
    let e = Trainer::new(wide).err().unwrap();
    assert!(e.field == "learner" && e.problem.starts_with("needs about"), "{e}");
    let mut lad = TrainConfig::preset(ScenarioConfig::default_for(ScenarioId::Lad), Algorithm::Lad, Preset::Paper, 0);
    let LearnerConfig::Sac(sac) = &mut lad.learner else { unreachable!() };
    sac.batch_size = 65_536;
    let e = Trainer::new(lad).err().unwrap();
    assert!(e.problem.contains("activations"), "{e}");
}

/// Each scenario's paper learner fits it, and the algorithms offered for a scenario are exactly those whose
/// learner builds on its action space: `ddc` alone on ddc, every other algorithm on the discrete scenarios.
#[test]
fn algorithms_for_a_scenario_are_those_that_build_on_it() {
    use crate::agent::{Algorithm, algorithms_for};
    use crate::rng::Stream;
    for &id in ScenarioId::ALL {
        let env = ScenarioConfig::default_for(id).build().unwrap();
        let space = env.action_space();
        let offered = algorithms_for(&space);
        let paper = Algorithm::parse("paper_algorithm", id.paper_algorithm()).unwrap();
        assert!(offered.contains(&paper), "{id:?}: {offered:?}");
        for algorithm in Algorithm::ALL {
            let learner = for_scenario(algorithm.preset(Preset::Fast).learner, Preset::Fast, id);
            let built = learner.build(env.observation_space().dim(), &space, Rng::new(1, Stream::Learner));
            assert_eq!(built.is_ok(), offered.contains(&algorithm), "{algorithm} on {id:?}");
        }
        let expected: Vec<Algorithm> = if id == ScenarioId::Ddc {
            vec![Algorithm::Ddc]
        } else {
            Algorithm::ALL.into_iter().filter(|&a| a != Algorithm::Ddc).collect()
        };
        assert_eq!(offered, expected, "{id:?}");
    }
}

/// Episodes that end before their first decision (a flow episode whose sources emit nothing) are passed
/// over, and a config whose episodes are all empty is refused by name; before, the first step acted on an
/// ended episode (found by the fuzz targets, issue 11).
#[test]
fn empty_episodes_are_passed_over_and_an_empty_world_refused() {
    use crate::scenario::flow::FlowConfig;
    let flow = |emit_probability: f64| {
        let scenario = ScenarioConfig::Flow(FlowConfig { emit_probability, ..FlowConfig::default() });
        TrainConfig::preset(scenario, Algorithm::Dqn, Preset::Fast, 0)
    };
    // About one flow an episode: a third of the episodes have none.
    let mut trainer = Trainer::new(flow(1e-6)).unwrap();
    for _ in 0..200 {
        trainer.step().unwrap();
    }
    let e = Trainer::new(flow(1e-9)).err().unwrap();
    assert!(e.field == "training" && e.problem.contains("before their first decision"), "{e}");
}

#[test]
fn the_history_is_one_csv_with_empty_cells_for_absent_values() {
    let record = |epoch: u64, losses: Option<UpdateStats>| EpochRecord {
        epoch,
        env_steps: epoch * 1000,
        updates: epoch * 900,
        train_return: losses.map(|_| 440.0),
        eval: Evaluation {
            mean_return: 400.0,
            sd_return: 1.5,
            metrics: vec![("total_reward".into(), 400.0), ("crashed".into(), 2.0)],
        },
        losses,
    };
    let losses = UpdateStats { critic_loss: 0.5, actor_loss: -3.0, entropy: 2.5, alpha: 0.25, mean_q: 4.0 };
    assert_eq!(history_csv(&[]), "");
    assert_eq!(
        history_csv(&[record(1, None), record(2, Some(losses))]),
        "epoch,env_steps,updates,train_return,eval_return,eval_sd,critic_loss,actor_loss,entropy,alpha,mean_q,\
         eval_total_reward,eval_crashed\n\
         1,1000,900,,400,1.5,,,,,,400,2\n\
         2,2000,1800,440,400,1.5,0.5,-3,2.5,0.25,4,400,2\n"
    );
}
