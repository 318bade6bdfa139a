//! Learner speed: one decision of the d2sac asp network and one training update, and the baselines'
//! updates (a DQN gradient step; PPO's epochs over a full rollout).
//! Run: `cargo bench -p diffedge --bench learners` (`diffedge bench` prints the same figures).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use diffedge::agent::dqn::Dqn;
use diffedge::agent::ppo::Ppo;
use diffedge::agent::sac::Sac;
use diffedge::agent::{Algorithm, Learner, LearnerConfig, Preset};
use diffedge::nn::cpu::CpuBackend;
use diffedge::replay::{Batch, Transition};
use diffedge::rng::{Rng, Stream};

const OBS: usize = 42;
const ACTIONS: usize = 20;

fn learner(preset: Preset) -> Sac<CpuBackend> {
    let LearnerConfig::Sac(config) = Algorithm::D2sac.preset(preset).learner else { panic!("d2sac is a SAC preset") };
    Sac::new(config, CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner)).expect("a valid preset")
}

fn decision(c: &mut Criterion) {
    // As the command line does: this thread is one of the kernels' workers (the updates' parallel products
    // then do not wake the pool from outside).
    diffedge::nn::kernels::work_on_this_thread();
    let mut sac = learner(Preset::Paper);
    let obs = Batch::synthetic(1, OBS, ACTIONS, 1).obs;
    let mut rng = Rng::new(2, Stream::Evaluation);
    let mut probs = Vec::new();
    c.bench_function("d2sac_decision_T5_w256_batch1", |b| b.iter(|| sac.act(&obs, None, false, &mut rng, &mut probs)));
}

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("d2sac_update");
    group.sample_size(20);
    for (name, preset) in [("paper_w256_batch512", Preset::Paper), ("fast_w64_batch128", Preset::Fast)] {
        let mut sac = learner(preset);
        let rows = sac.config().batch_size;
        let data = Batch::synthetic(rows, OBS, ACTIONS, 1);
        group.bench_function(name, |b| b.iter(|| sac.update(&data).expect("finite")));
    }
    group.finish();
}

fn baselines(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline_update");
    group.sample_size(20);
    for (name, preset) in [("paper", Preset::Paper), ("fast", Preset::Fast)] {
        let LearnerConfig::Dqn(config) = Algorithm::Dqn.preset(preset).learner else { panic!("dqn is a DQN preset") };
        let data = Batch::synthetic(config.batch_size, OBS, ACTIONS, 1);
        let mut dqn = Dqn::new(config, CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner)).expect("valid");
        group.bench_function(format!("dqn_{name}_step"), |b| b.iter(|| dqn.update(&data).expect("finite")));

        let LearnerConfig::Ppo(config) = Algorithm::Ppo.preset(preset).learner else { panic!("ppo is a PPO preset") };
        let data = Batch::synthetic(config.rollout_steps, OBS, ACTIONS, 1);
        let rollout: Vec<Transition> = (0..data.rows)
            .map(|i| Transition {
                obs: data.obs[i * OBS..(i + 1) * OBS].to_vec(),
                action: vec![data.action[i]],
                reward: data.ret[i],
                next_obs: data.next_obs[i * OBS..(i + 1) * OBS].to_vec(),
                terminated: false,
                truncated: false,
                latent: Vec::new(),
                next_latent: Vec::new(),
            })
            .collect();
        let mut rng = Rng::new(3, Stream::Exploration);
        // A fresh learner for every measured update: hundreds of PPO updates on one synthetic rollout drive
        // its logits apart until the loss is no longer finite, which says nothing about an update's cost.
        group.bench_function(format!("ppo_{name}_rollout"), |b| {
            b.iter_batched(
                || {
                    let mut ppo =
                        Ppo::new(config.clone(), CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner))
                            .expect("valid");
                    for t in &rollout {
                        ppo.observe(t.clone());
                    }
                    ppo
                },
                |mut ppo| ppo.update(&mut rng).expect("finite").expect("a full rollout"),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, decision, update, baselines);
criterion_main!(benches);
