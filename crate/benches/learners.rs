//! Learner speed: one decision of the d2sac asp network and one training update.
//! Run: `cargo bench -p diffedge --bench learners` (`diffedge bench` prints the same figures).

use criterion::{Criterion, criterion_group, criterion_main};
use diffedge::agent::sac::Sac;
use diffedge::agent::{Learner, LearnerConfig, Preset, presets};
use diffedge::nn::cpu::CpuBackend;
use diffedge::rng::{Rng, Stream};
use diffedge::train::replay::Batch;

const OBS: usize = 42;
const ACTIONS: usize = 20;

fn learner(preset: Preset) -> Sac<CpuBackend> {
    let Ok(LearnerConfig::Sac(config)) = presets::learner("d2sac", preset) else { panic!("d2sac is a SAC preset") };
    Sac::new(config, CpuBackend::new(), OBS, ACTIONS, Rng::new(0, Stream::Learner)).expect("a valid preset")
}

/// A batch of random transitions shaped like asp's.
fn batch(rows: usize) -> Batch {
    let mut rng = Rng::new(1, Stream::Episode);
    let mut uniform = |n: usize| (0..n).map(|_| rng.uniform() as f32).collect::<Vec<f32>>();
    Batch {
        rows,
        obs: uniform(rows * OBS),
        action: (0..rows).map(|i| (i % ACTIONS) as f32).collect(),
        ret: uniform(rows),
        next_obs: uniform(rows * OBS),
        discount: vec![0.95; rows],
        extra: Vec::new(),
        next_extra: Vec::new(),
    }
}

fn decision(c: &mut Criterion) {
    let mut sac = learner(Preset::Paper);
    let obs = batch(1).obs;
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
        let data = batch(rows);
        group.bench_function(name, |b| b.iter(|| sac.update(&data).expect("finite")));
    }
    group.finish();
}

criterion_group!(benches, decision, update);
criterion_main!(benches);
