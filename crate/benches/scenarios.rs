//! Environment stepping speed: decisions per second under a cheap heuristic.
//! Run: `cargo bench -p diffedge --bench scenarios`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diffedge::scenario::asp::{AspConfig, AspEnv};
use diffedge::scenario::tot::{TotConfig, TotEnv};
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

/// `tot` under `local` (the cheapest heuristic): one step = one decision + one environment step, with the
/// episode reset (all of an episode's draws) amortised over its 36 decisions.
fn tot_local(c: &mut Criterion) {
    let mut env = TotEnv::new(TotConfig::default()).expect("default config is valid");
    let mut heuristic = Heuristic::new(&env, "local", 0).expect("known heuristic");
    let mut episode = 0;
    env.reset(episode);
    let mut group = c.benchmark_group("tot");
    group.throughput(Throughput::Elements(1));
    group.bench_function("step_local", |b| {
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

criterion_group!(benches, asp_crash_avoid, tot_local);
criterion_main!(benches);
