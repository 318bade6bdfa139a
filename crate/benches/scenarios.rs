//! Environment stepping speed: decisions per second under a cheap heuristic.
//! Run: `cargo bench -p diffedge --bench scenarios`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diffedge::scenario::asp::{AspConfig, AspEnv};
use diffedge::scenario::ddc::{DdcConfig, DdcEnv};
use diffedge::scenario::{Action, Env, Heuristic};

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

/// `ddc` under `aaas`, the cheapest heuristic (equal steps, and a user side without search): one step = one
/// slot of five users (episode resets amortised over 100 slots).
fn ddc_aaas(c: &mut Criterion) {
    let mut env = DdcEnv::new(DdcConfig::default()).expect("default config is valid");
    let mut heuristic = Heuristic::new(&env, "aaas", 0).expect("known heuristic");
    env.set_system(Some(heuristic.index())).expect("aaas runs for any number of users");
    let mut episode = 0;
    env.reset(episode);
    let mut group = c.benchmark_group("ddc");
    group.throughput(Throughput::Elements(1));
    group.bench_function("step_aaas", |b| {
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
    // What an agent's step costs: the paper's own system (VCE on every phone) and a fixed action.
    env.set_system(None).expect("the paper's system");
    let action = Action::Vector([[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.4]; 5].concat());
    group.bench_function("step_vce", |b| {
        b.iter(|| {
            if env.is_done() {
                episode += 1;
                env.reset(episode);
            }
            env.step(&action).expect("valid action")
        })
    });
    group.finish();
}

criterion_group!(benches, asp_crash_avoid, ddc_aaas);
criterion_main!(benches);
