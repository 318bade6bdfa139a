//! The hybrid learner: its actor gradient against f64 differences, the action the environment decodes
//! against what the critics score, learning on a small `ddc`, checkpoints and configs.

use super::*;
use crate::agent::{Algorithm, LearnerConfig, Preset, presets};
use crate::checkpoint::Checkpoint;
use crate::nn::TensorOps;
use crate::nn::cpu::CpuBackend;
use crate::nn::tests::{hybrid_relaxed_f64, mlp_f64, numeric_grad, random_values, relative_error, widen};
use crate::rng::Stream;
use crate::scenario::ddc::action::{decode, offload_ratio};
use crate::scenario::ddc::{DdcConfig, STEP_CHOICES};
use crate::scenario::{ScenarioConfig, ScenarioId};
use crate::train::{TrainConfig, Trainer, UpdateSchedule};

/// The paper preset shrunk: width 16, batch `rows`.
fn small(rows: usize) -> HybridConfig {
    let paper = HybridConfig::default();
    HybridConfig {
        actor: DiffusionConfig { hidden: 16, ..paper.actor.clone() },
        critic_hidden: vec![16, 16],
        batch_size: rows,
        ..paper
    }
}

fn random_batch(rows: usize, obs_dim: usize, layout: &HybridLayout, rng: &mut Rng) -> Batch {
    let mut action = Vec::new();
    for _ in 0..rows * layout.groups {
        let hot = rng.below(layout.choices as u64) as usize;
        action.extend((0..layout.choices).map(|i| if i == hot { 1.0 } else { 0.0 }));
        action.extend((0..layout.continuous).map(|_| rng.uniform_in(-1.0, 1.0) as f32));
    }
    Batch {
        rows,
        obs: random_values(rows * obs_dim, 1.0, rng),
        action,
        ret: random_values(rows, 1.0, rng),
        next_obs: random_values(rows * obs_dim, 1.0, rng),
        discount: vec![0.95; rows],
        latent: Vec::new(),
        next_latent: Vec::new(),
    }
}

/// `∂L/∂x_0` of the actor loss — through the straight-through sample, `[a | s]`, both critics and the min —
/// against central differences in f64 of its surrogate `−mean min Q(h + r(x) − r(x_0), s) − α·mean H(x) +
/// λ·mean Σ x²` (`h` the hard sample at `x_0`, `r` the relaxed one): the function whose gradient the
/// estimator is.
#[test]
fn actor_gradient_through_the_sample_and_both_critics() {
    let space = ActionSpace::Hybrid { groups: 2, choices: 3, continuous: 1 };
    let (obs_dim, rows) = (3, 5);
    // Critic lr 0 (and no weight decay): the critics stay as the actor loss saw them.
    let config = HybridConfig { critic_lr: 0.0, alpha: 0.3, temperature: 0.8, output_l2: 0.2, ..small(rows) };
    let (alpha, temperature, l2) =
        (f64::from(config.alpha), f64::from(config.temperature), f64::from(config.output_l2));
    let mut learner = Hybrid::new(config, CpuBackend::new(), obs_dim, &space, Rng::new(1, Stream::Learner)).unwrap();
    let layout = learner.layout();
    let width = layout.width();
    let batch = random_batch(rows, obs_dim, &layout, &mut Rng::new(2, Stream::World));
    let critic_before = learner.backend.read_vector(&learner.critic_params.value);
    learner.update(&batch).unwrap();
    let b = &mut learner.backend;
    assert_eq!(b.read_vector(&learner.critic_params.value), critic_before);

    let x0 = widen(&b.read_matrix(learner.train_chain.output()));
    let gumbel = widen(&b.read_matrix(&learner.sample.gumbel));
    let hard = widen(&b.read_matrix(&learner.sample.action));
    let critic = widen(&critic_before);
    let obs = widen(&batch.obs);
    let relaxed = |x: &[f64]| -> (Vec<f64>, f64) {
        let mut out = Vec::new();
        let mut entropy = 0.0;
        for r in 0..rows {
            let span = r * width..(r + 1) * width;
            let (v, h) = hybrid_relaxed_f64(&layout, temperature, &x[span.clone()], &gumbel[span]);
            out.extend(v);
            entropy += h;
        }
        (out, entropy)
    };
    let r0 = relaxed(&x0).0;
    let loss = |x: &[f64]| {
        let (r, entropy) = relaxed(x);
        let mut input = Vec::new();
        for row in 0..rows {
            for j in row * width..(row + 1) * width {
                // Continuous columns: the hard value is tanh(x_0) itself, so a = tanh(x) there.
                let h = if j % layout.block() < layout.choices { hard[j] } else { r0[j] };
                input.push(h + r[j] - r0[j]);
            }
            input.extend_from_slice(&obs[row * obs_dim..(row + 1) * obs_dim]);
        }
        let q1 = mlp_f64(&learner.critics[0], &critic, &input, rows);
        let q2 = mlp_f64(&learner.critics[1], &critic, &input, rows);
        -q1.iter().zip(&q2).map(|(a, b)| a.min(*b)).sum::<f64>() / rows as f64 - alpha * entropy / rows as f64
            + l2 * x.iter().map(|v| v * v).sum::<f64>() / rows as f64
    };
    let stats = b.read_vector(&learner.stats);
    let actor_loss =
        f64::from(stats[ACTOR_Q]) - alpha * f64::from(stats[ACTOR_ENTROPY]) + l2 * f64::from(stats[ACTOR_SQUARES]);
    // (f32 sums: equal to a millionth; the chain's x_0 is large, so the penalty dominates the loss.)
    assert!((actor_loss - loss(&x0)).abs() < 1e-6 * loss(&x0).abs().max(1.0), "{actor_loss} vs {}", loss(&x0));
    let err = relative_error(&widen(&b.read_matrix(&learner.dx0)), &numeric_grad(&x0, loss));
    assert!(err < 1e-3, "relative error {err}");
}

/// For random chain outputs and Gumbel draws, the action vector decodes in the environment to the steps
/// of the one-hot and the offload ratio of its `u`; and through a learner, the vector the environment gets
/// is the one the replay hands to the critics.
#[test]
fn the_environment_decodes_the_action_the_critics_score() {
    let layout = HybridLayout { groups: 5, choices: STEP_CHOICES.len(), continuous: 1 };
    let (rows, width) = (64, layout.width());
    let mut rng = Rng::new(4, Stream::World);
    let mut b = CpuBackend::new();
    let (mut x, mut gumbel) = (b.matrix(rows, width), b.matrix(rows, width));
    let x_host = random_values(rows * width, 3.0, &mut rng);
    b.write_matrix(&mut x, &x_host);
    let mut host = Vec::new();
    draw_gumbel(&mut b, &layout, &mut rng, &mut host, &mut gumbel);
    let mut sample = Sample::new(&mut b, rows, width);
    let mut stats = b.vector(2);
    let s = &mut sample;
    b.hybrid_sample(&layout, 1.0, &x, &gumbel, &mut s.action, &mut s.relaxed, &mut s.entropy, &mut stats, 0);
    let actions = b.read_matrix(&s.action);
    let mut splits = Vec::new();
    for (r, row) in actions.chunks_exact(width).enumerate() {
        decode(&Action::Vector(row.to_vec()), layout.groups, &mut splits).unwrap();
        for (k, split) in splits.iter().enumerate() {
            let at = r * width + k * layout.block();
            let z: Vec<f32> = (0..layout.choices).map(|i| x_host[at + i] + host[at + i]).collect();
            assert_eq!(split.step, crate::agent::argmax(&z));
            let u = crate::nn::kernels::tanh(x_host[at + layout.choices]);
            assert_eq!(row[k * layout.block() + layout.choices], u);
            let steps = f64::from(STEP_CHOICES[split.step]);
            assert_eq!(split.edge_steps, (offload_ratio(u) * steps).round() as u32);
        }
    }

    let mut env = ScenarioConfig::default_for(ScenarioId::Ddc).build().unwrap();
    let mut learner =
        Hybrid::new(small(16), CpuBackend::new(), env.observation_space().dim(), &env.action_space(), rng.split(1))
            .unwrap();
    let (mut taken, mut probs, mut noisy) = (Vec::new(), Vec::new(), 0);
    for i in 0..200 {
        let explore = i % 4 != 0;
        let obs = env.observation().to_vec();
        let action = learner.act(&obs, None, explore, &mut rng, &mut probs);
        let values = action.to_values();
        decode(&action, layout.groups, &mut splits).unwrap();
        let mut moved = false;
        for (k, (block, split)) in values.chunks_exact(layout.block()).zip(&splits).enumerate() {
            let hot: Vec<f32> = (0..layout.choices).map(|i| if i == split.step { 1.0 } else { 0.0 }).collect();
            assert_eq!(block[..layout.choices], hot[..]);
            let (u, u_greedy) = (block[layout.choices], probs[k * layout.block() + layout.choices]);
            assert!((-1.0..=1.0).contains(&u));
            moved |= u != u_greedy;
            if !explore {
                assert_eq!((u, split.step), (u_greedy, crate::agent::argmax(&probs[k * layout.block()..][..6])));
            }
        }
        noisy += usize::from(moved);
        let step = env.step(&action).unwrap();
        learner.observe(Transition {
            obs,
            action: values.clone(),
            reward: step.reward as f32,
            next_obs: env.observation().to_vec(),
            terminated: step.terminated,
            truncated: step.truncated,
            latent: Vec::new(),
            next_latent: Vec::new(),
        });
        taken.push(values);
        if step.terminated {
            env.reset(i);
        }
    }
    // One exploring decision in ten adds noise: ≈ 15 of 150 (a binomial's 3 sd is 11).
    assert!((4..=26).contains(&noisy), "{noisy} noisy decisions of 150");
    let mut batch = Batch::default();
    learner.replay.sample(256, &mut rng, &mut batch);
    assert!(batch.action.chunks_exact(width).all(|a| taken.iter().any(|t| t == a)));
}

/// A short run on `ddc` with two users.
fn ddc_run(seed: u64, epoch_steps: usize) -> TrainConfig {
    let scenario = ScenarioConfig::Ddc(DdcConfig { users: 2, slots: 25, ..DdcConfig::default() });
    let fast = presets::ddc(Preset::Fast);
    TrainConfig {
        scenario,
        algorithm: "ddc".into(),
        learner: LearnerConfig::Hybrid(HybridConfig {
            actor: DiffusionConfig { hidden: 32, ..fast.actor.clone() },
            critic_hidden: vec![32, 32],
            batch_size: 64,
            ..fast
        }),
        schedule: UpdateSchedule {
            epoch_steps,
            collect_steps: 1,
            updates_per_collect: 1,
            warmup_steps: 200,
            per_agent_block: false,
        },
        seed,
        eval_episodes: 4,
        eval_seed: 1_000,
        shared_learner: false,
    }
}

/// A few epochs of a small fast preset lift the greedy return well above the untrained policy's.
#[test]
fn ddc_learner_improves_on_a_small_ddc() {
    let mut trainer = Trainer::new(ddc_run(1, 500)).unwrap();
    let first = trainer.evaluate().unwrap().mean_return;
    let mut best = f64::NEG_INFINITY;
    for _ in 0..4 {
        let record = trainer.run_epoch().unwrap();
        let losses = record.losses.unwrap();
        assert!(losses.critic_loss.is_finite() && losses.actor_loss.is_finite(), "{losses:?}");
        best = best.max(record.eval.mean_return);
    }
    assert!(best > first + 20.0, "greedy return {first:.1} before training, at best {best:.1} after");
}

#[test]
fn checkpoint_round_trip_gives_identical_next_updates() {
    let mut original = Trainer::new(ddc_run(5, 300)).unwrap();
    original.run_epoch().unwrap();
    for _ in 0..37 {
        original.step().unwrap(); // stop mid-episode
    }
    let mut resumed = Trainer::load(&original.save()).unwrap();
    assert_eq!(resumed.history(), original.history());
    assert_eq!(resumed.evaluate().unwrap(), original.evaluate().unwrap());
    assert_eq!(resumed.run_epoch().unwrap(), original.run_epoch().unwrap());
    let (a, b) = (Checkpoint::from_bytes(&resumed.save()).unwrap(), Checkpoint::from_bytes(&original.save()).unwrap());
    assert!(a == b, "checkpoints differ in {:?}", a.differences(&b));
}

#[test]
fn configs_and_spaces_are_checked() {
    assert_eq!(serde_json::from_str::<HybridConfig>("{}").unwrap(), HybridConfig::default());
    assert!(serde_json::from_str::<HybridConfig>(r#"{"temprature": 1}"#).is_err());
    for (config, field) in [
        (HybridConfig { temperature: 0.0, ..HybridConfig::default() }, "temperature"),
        (HybridConfig { explore_prob: 1.5, ..HybridConfig::default() }, "explore_prob"),
        (HybridConfig { critic_hidden: vec![64, 0], ..HybridConfig::default() }, "critic_hidden[1]"),
        (HybridConfig { alpha: f32::NAN, ..HybridConfig::default() }, "alpha"),
    ] {
        assert_eq!(config.validate().unwrap_err().field, field);
    }
    let discrete = ActionSpace::Discrete { n: 4 };
    let err = Hybrid::new(small(4), CpuBackend::new(), 3, &discrete, Rng::new(0, Stream::Learner)).err().unwrap();
    assert_eq!(err.field, "learner");
    // The ddc learner on a discrete scenario is a config error, not a panic.
    let config = TrainConfig::preset(ScenarioConfig::default_for(ScenarioId::Asp), Algorithm::Ddc, Preset::Fast, 0);
    assert_eq!(Trainer::new(config).err().unwrap().field, "learner");
    let LearnerConfig::Hybrid(fast) = Algorithm::Ddc.preset(Preset::Fast).learner else { panic!("ddc is hybrid") };
    assert_eq!((fast.actor.hidden, fast.critic_hidden, fast.batch_size), (64, vec![64, 64], 128));
    assert_eq!(Algorithm::Ddc.preset(Preset::Paper).schedule.warmup_steps, 0);
}
