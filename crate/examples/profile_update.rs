//! Runs d2sac updates in a loop, for profilers: `cargo run --release --example profile_update -- [paper|fast] [n]`.

use diffedge::agent::sac::Sac;
use diffedge::agent::{LearnerConfig, Preset, presets};
use diffedge::nn::cpu::CpuBackend;
use diffedge::rng::{Rng, Stream};
use diffedge::train::replay::Batch;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = if args.get(1).map(String::as_str) == Some("fast") { Preset::Fast } else { Preset::Paper };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let LearnerConfig::Sac(config) = presets::learner("d2sac", preset).expect("a known preset") else { unreachable!() };
    let rows = config.batch_size;
    let mut sac = Sac::new(config, CpuBackend::new(), 42, 20, Rng::new(0, Stream::Learner)).expect("valid");
    let mut rng = Rng::new(1, Stream::Episode);
    let mut uniform = |n: usize| (0..n).map(|_| rng.uniform() as f32).collect::<Vec<f32>>();
    let batch = Batch {
        rows,
        obs: uniform(rows * 42),
        action: (0..rows).map(|i| (i % 20) as f32).collect(),
        ret: uniform(rows),
        next_obs: uniform(rows * 42),
        discount: vec![0.95; rows],
        extra: Vec::new(),
        next_extra: Vec::new(),
    };
    let start = std::time::Instant::now();
    for _ in 0..n {
        sac.update(&batch).expect("finite");
    }
    println!("{:.2} ms per update", start.elapsed().as_secs_f64() * 1000.0 / n as f64);
}
