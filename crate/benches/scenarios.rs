//! Environment stepping speed: decisions per second under a cheap heuristic.
//! Run: `cargo bench -p diffedge --bench scenarios`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diffedge::scenario::asp::{AspConfig, AspEnv};
use diffedge::scenario::{Env, Heuristic};

/// `asp` under `crash_avoid`: one step = one heuristic decision + one environment step (episode resets
/// included, amortised over ~1000 steps).
fn asp_crash_avoid(c: &mut Criterion) {
    let mut env = AspEnv::new(AspConfig::default()).expect("default config is valid");
    let mut heuristic = Heuristic::new(&env, "crash_avoid", 0).expect("known heuristic");
    let mut episode = 0;
    env.reset(episode);
    let mut group = c.benchmark_group("asp");
    group.throughput(Throughput::Elements(1));
    group.bench_function("step_crash_avoid", |b| {
        b.iter(|| {
            if env.is_done() {
                episode += 1;
                env.reset(episode);
                heuristic.reset(episode);
            }
            let action = heuristic.act(&env);
            env.step(&action).expect("valid action")
        })
    });
    group.finish();
}

criterion_group!(benches, asp_crash_avoid);
criterion_main!(benches);
