//! `diffedge eval` (a heuristic or a checkpoint's policy for whole episodes) and `diffedge scenarios`.

use std::fmt::Write as _;

use serde::Serialize;

use super::args::{EvalArgs, Format};
use super::inputs::{apply_world, read_checkpoint, scenario_config};
use crate::error::{Error, Result};
use crate::scenario::{EpisodeSummary, ScenarioConfig, ScenarioId, run_heuristic_episode};
use crate::stats::Summary;

/// Which world an episode ran on.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(super) enum WorldLabel {
    Seed(u64),
    Fixed(&'static str),
}

impl std::fmt::Display for WorldLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldLabel::Seed(s) => write!(f, "{s}"),
            WorldLabel::Fixed(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct EpisodeRow {
    world: WorldLabel,
    #[serde(flatten)]
    summary: EpisodeSummary,
}

#[derive(Debug, Serialize)]
pub(super) struct EvalReport {
    scenario: &'static str,
    policy: String,
    config: ScenarioConfig,
    worlds: Vec<WorldLabel>,
    episodes: Vec<EpisodeRow>,
    summary: serde_json::Map<String, serde_json::Value>,
}

pub(super) fn eval(args: &EvalArgs) -> Result<String> {
    if let Some(path) = &args.checkpoint {
        return eval_checkpoint(args, path);
    }
    let (scenario, policy) = (args.scenario.as_deref().unwrap_or_default(), args.policy.as_deref().unwrap_or_default());
    let id = ScenarioId::parse("--scenario", scenario)?;
    let mut config = scenario_config(id, args.config.as_deref())?;
    if args.world.is_some() && args.worlds != 1 {
        return Err(Error::new("--worlds", "draws several worlds; it cannot be combined with --world"));
    }
    let worlds: Vec<WorldLabel> = match args.world.as_deref() {
        _ if apply_world(&mut config, args.world.as_deref())? => {
            vec![WorldLabel::Fixed(if args.world.as_deref() == Some("paper") { "paper" } else { "file" })]
        }
        _ => (0..args.worlds)
            .map(|k| args.world_seed.checked_add(k).map(WorldLabel::Seed))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::new("--world-seed", "plus --worlds overflows a 64-bit seed"))?,
    };
    if args.seed.checked_add(args.episodes).is_none() {
        return Err(Error::new("--seed", "plus --episodes overflows a 64-bit seed"));
    }

    let mut episodes = Vec::new();
    for world in &worlds {
        let mut world_config = config.clone();
        if let WorldLabel::Seed(seed) = world {
            world_config.set_world_seed(*seed);
        }
        let mut env = world_config.build()?;
        env.heuristic_index(policy)?;
        for k in 0..args.episodes {
            let summary = run_heuristic_episode(env.as_mut(), policy, args.seed + k)?;
            episodes.push(EpisodeRow { world: world.clone(), summary });
        }
    }
    if let WorldLabel::Seed(first) = worlds[0] {
        config.set_world_seed(first);
    }
    Ok(eval_report(args.format, id, policy.to_owned(), config, worlds, episodes))
}

/// Evaluates a checkpoint's greedy policy on its own scenario and world.
pub(super) fn eval_checkpoint(args: &EvalArgs, path: &str) -> Result<String> {
    let mut trainer = read_checkpoint("--checkpoint", path)?;
    let config = trainer.config().scenario.clone();
    let policy = format!("{} (checkpoint)", trainer.config().algorithm);
    let mut rng = crate::rng::Rng::new(args.seed, crate::rng::Stream::Evaluation);
    let mut episodes = Vec::new();
    for k in 0..args.episodes {
        let summary = trainer.greedy_episode(args.seed + k, &mut rng)?;
        episodes.push(EpisodeRow { world: WorldLabel::Fixed("checkpoint"), summary });
    }
    Ok(eval_report(args.format, config.id(), policy, config, vec![WorldLabel::Fixed("checkpoint")], episodes))
}

pub(super) fn eval_report(
    format: Format,
    id: ScenarioId,
    policy: String,
    config: ScenarioConfig,
    worlds: Vec<WorldLabel>,
    episodes: Vec<EpisodeRow>,
) -> String {
    let names: Vec<&'static str> = episodes[0].summary.metrics.0.iter().map(|&(n, _)| n).collect();
    let stats: Vec<(&str, Summary)> = names
        .iter()
        .map(|&name| {
            let values: Vec<f64> = episodes.iter().map(|e| e.summary.metrics.get(name).unwrap_or(f64::NAN)).collect();
            (name, Summary::of(&values))
        })
        .collect();
    match format {
        Format::Json => {
            let summary = stats
                .iter()
                .map(|(name, s)| ((*name).to_owned(), serde_json::to_value(s).expect("stats serialise")))
                .collect();
            let report = EvalReport { scenario: id.name(), policy, config, worlds, episodes, summary };
            serde_json::to_string_pretty(&report).expect("the report serialises") + "\n"
        }
        Format::Table => eval_table(id, &policy, &names, &episodes, &stats),
    }
}

/// A number in at most 10 characters: integers as such, the rest with 4 significant decimals.
pub(super) fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v}")
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

pub(super) fn eval_table(
    id: ScenarioId,
    policy: &str,
    names: &[&str],
    episodes: &[EpisodeRow],
    stats: &[(&str, Summary)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} · {policy} · {} episodes", id.name(), episodes.len());
    let widths: Vec<usize> = names.iter().map(|n| n.len().max(10)).collect();
    let _ = write!(out, "{:>8} {:>8} {:>8}", "world", "episode", "steps");
    for (name, w) in names.iter().zip(&widths) {
        let _ = write!(out, " {name:>w$}");
    }
    out.push('\n');
    for e in episodes {
        let _ = write!(out, "{:>8} {:>8} {:>8}", e.world.to_string(), e.summary.episode_seed, e.summary.steps);
        for ((_, v), w) in e.summary.metrics.0.iter().zip(&widths) {
            let _ = write!(out, " {:>w$}", short(*v));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{:<20} {:>12} {:>12} {:>12} {:>12}", "metric", "mean", "sd", "min", "max");
    for (name, s) in stats {
        let _ = writeln!(
            out,
            "{name:<20} {:>12} {:>12} {:>12} {:>12}",
            short(s.mean),
            short(s.sd),
            short(s.min),
            short(s.max)
        );
    }
    out
}

pub(super) fn scenarios() -> String {
    let mut out = String::new();
    for &id in ScenarioId::ALL {
        let env = ScenarioConfig::default_for(id).build().expect("default configs are valid");
        let _ = writeln!(
            out,
            "{:<8} observation {:>4}  action {:<14} heuristics: {}",
            id.name(),
            env.observation_space().dim(),
            env.action_space().to_string(),
            env.heuristics().join(", ")
        );
    }
    out
}
