//! `diffedge bench`: the benchmark figures in one command (median of repeated timings; criterion's
//! `cargo bench` gives the same measurements with confidence intervals).

use std::fmt::Write as _;
use std::time::Instant;

use serde::Serialize;

use crate::agent::{Learner, Preset};
use crate::bench::{ACTIONS, OBS, d2sac};
use crate::replay::Batch;
use crate::rng::{Rng, Stream};
use crate::scenario::{Heuristic, ScenarioConfig, ScenarioId};

#[derive(Serialize)]
struct Figures {
    /// One greedy decision of the d2sac asp network (T = 5, width 256, batch 1), µs.
    decision_us: f64,
    /// One d2sac training update (paper preset: width 256, batch 512), ms.
    update_paper_ms: f64,
    /// One d2sac training update (fast preset: width 64, batch 128), ms.
    update_fast_ms: f64,
    /// Environment steps per second under each scenario's cheapest heuristic.
    env_steps_per_s: Vec<(String, f64)>,
    /// Threads the kernels may use.
    threads: usize,
}

/// Median over `rounds` of the mean time of `per_round` calls, in seconds.
fn median_time(rounds: usize, per_round: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            start.elapsed().as_secs_f64() / per_round as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn update_ms(preset: Preset, rounds: usize, per_round: usize) -> f64 {
    let mut sac = d2sac(preset);
    let batch = Batch::synthetic(sac.config().batch_size, OBS, ACTIONS, 1);
    sac.update(&batch).expect("finite");
    median_time(rounds, per_round, || {
        sac.update(&batch).expect("finite");
    }) * 1e3
}

/// Runs the benchmarks; the report as a table or JSON.
pub fn run(json: bool) -> String {
    let mut sac = d2sac(Preset::Paper);
    let obs = Batch::synthetic(1, OBS, ACTIONS, 1).obs;
    let mut rng = Rng::new(2, Stream::Evaluation);
    let mut probs = Vec::new();
    let decision_us = median_time(7, 200, || {
        sac.act(&obs, None, false, &mut rng, &mut probs);
    }) * 1e6;
    let update_paper_ms = update_ms(Preset::Paper, 5, 4);
    let update_fast_ms = update_ms(Preset::Fast, 7, 40);
    let env_steps_per_s = ScenarioId::ALL
        .iter()
        .map(|&id| {
            let policy = id.info().cheapest_heuristic;
            let mut env = ScenarioConfig::default_for(id).build().expect("default configs are valid");
            let mut heuristic = Heuristic::new(env.as_ref(), policy, 0).expect("known heuristic");
            env.set_system(Some(heuristic.index())).expect("cheap heuristics run anywhere");
            let mut episode = 0;
            env.reset(episode);
            let seconds = median_time(5, 20_000, || {
                if env.is_done() {
                    episode += 1;
                    env.reset(episode);
                    heuristic.reset(episode);
                }
                let action = heuristic.act(env.as_ref());
                env.step(&action).expect("valid action");
            });
            (id.name().to_owned(), 1.0 / seconds)
        })
        .collect();
    let figures = Figures {
        decision_us,
        update_paper_ms,
        update_fast_ms,
        env_steps_per_s,
        threads: rayon::current_num_threads(),
    };
    if json {
        return serde_json::to_string_pretty(&figures).expect("figures serialise") + "\n";
    }
    let mut out = String::new();
    let _ = writeln!(out, "d2sac decision (T=5, width 256, batch 1)      {:>10.1} µs", figures.decision_us);
    let _ = writeln!(out, "d2sac update, paper preset (width 256, b 512) {:>10.2} ms", figures.update_paper_ms);
    let _ = writeln!(out, "d2sac update, fast preset (width 64, b 128)   {:>10.2} ms", figures.update_fast_ms);
    for (id, rate) in &figures.env_steps_per_s {
        let _ = writeln!(out, "{id:<8} environment steps                    {:>10.0} /s", rate);
    }
    let _ = writeln!(out, "(kernel threads: {})", figures.threads);
    out
}
