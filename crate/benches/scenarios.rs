//! Environment stepping speed: decisions per second under a cheap heuristic.
//! Run: `cargo bench -p diffedge --bench scenarios`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diffedge::scenario::acrobot::{AcrobotConfig, AcrobotEnv};
use diffedge::scenario::asp::{AspConfig, AspEnv};
use diffedge::scenario::cartpole::{CartpoleConfig, CartpoleEnv};
use diffedge::scenario::ddc::{DdcConfig, DdcEnv};
use diffedge::scenario::flow::{FlowConfig, FlowEnv};
use diffedge::scenario::lad::{LadConfig, LadEnv};
use diffedge::scenario::tot::{TotConfig, TotEnv};
use diffedge::scenario::{Action, Baselines, Env, Heuristic};

/// One measured step = one decision of `policy` + one environment step, episode resets included
/// (amortised over the episode's length).
fn bench_steps(c: &mut Criterion, group: &str, policy: &str, mut env: impl Env) {
    let mut heuristic = Heuristic::new(&env, policy, 0).expect("known heuristic");
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
            let action = heuristic.act(&env);
            env.step(&action).expect("valid action")
        })
    });
    group.finish();
}

/// `asp` under `crash_avoid` (~1000 steps per episode).
fn asp_crash_avoid(c: &mut Criterion) {
    bench_steps(c, "asp", "crash_avoid", AspEnv::new(AspConfig::default()).expect("default config is valid"));
}

/// `lad` under `local` (~30 000 steps per episode).
fn lad_local(c: &mut Criterion) {
    bench_steps(c, "lad", "local", LadEnv::new(LadConfig::default()).expect("default config is valid"));
}

/// `flow` under `round_robin` (~1000 steps per episode).
fn flow_round_robin(c: &mut Criterion) {
    bench_steps(c, "flow", "round_robin", FlowEnv::new(FlowConfig::default()).expect("default config is valid"));
}

/// `tot` under `local` (36 decisions per episode).
fn tot_local(c: &mut Criterion) {
    bench_steps(c, "tot", "local", TotEnv::new(TotConfig::default()).expect("default config is valid"));
}

/// `cartpole` under `balance` (500-step episodes).
fn cartpole_balance(c: &mut Criterion) {
    bench_steps(
        c,
        "cartpole",
        "balance",
        CartpoleEnv::new(CartpoleConfig::default()).expect("default config is valid"),
    );
}

/// `acrobot` under `energy_pump` (about 95-step episodes; one step is four evaluations of the dynamics).
fn acrobot_energy_pump(c: &mut Criterion) {
    bench_steps(
        c,
        "acrobot",
        "energy_pump",
        AcrobotEnv::new(AcrobotConfig::default()).expect("default config is valid"),
    );
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

criterion_group!(
    benches,
    asp_crash_avoid,
    lad_local,
    tot_local,
    ddc_aaas,
    flow_round_robin,
    cartpole_balance,
    acrobot_energy_pump
);
criterion_main!(benches);
