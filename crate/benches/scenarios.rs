//! Environment stepping speed: decisions per second under a cheap heuristic.
//! Run: `cargo bench -p diffedge --bench scenarios`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diffedge::scenario::acrobot::{AcrobotConfig, AcrobotEnv};
use diffedge::scenario::asp::{AspConfig, AspEnv};
use diffedge::scenario::cartpole::{CartpoleConfig, CartpoleEnv};
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

/// Steps of `env` under `policy`, episodes restarting as they end (the resets amortised over their lengths).
fn bench_steps(c: &mut Criterion, group: &str, env: &mut dyn Env, policy: &str) {
    let mut heuristic = Heuristic::new(env, policy, 0).expect("known heuristic");
    let mut episode = 0;
    env.reset(episode);
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("step_{policy}"), |b| {
        b.iter(|| {
            if env.is_done() {
                episode += 1;
                env.reset(episode);
                heuristic.reset(episode);
            }
            let action = heuristic.act(env);
            env.step(&action).expect("valid action")
        })
    });
    group.finish();
}

/// `cartpole` under `balance` (500-step episodes).
fn cartpole_balance(c: &mut Criterion) {
    let mut env = CartpoleEnv::new(CartpoleConfig::default()).expect("default config is valid");
    bench_steps(c, "cartpole", &mut env, "balance");
}

/// `acrobot` under `energy_pump` (about 95-step episodes; one step is four evaluations of the dynamics).
fn acrobot_energy_pump(c: &mut Criterion) {
    let mut env = AcrobotEnv::new(AcrobotConfig::default()).expect("default config is valid");
    bench_steps(c, "acrobot", &mut env, "energy_pump");
}

criterion_group!(benches, asp_crash_avoid, cartpole_balance, acrobot_energy_pump);
criterion_main!(benches);
