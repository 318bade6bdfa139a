//! The native command line (`diffedge`). Thin: it parses arguments, runs what `scenario` offers and
//! prints it. Every user error is one line on stderr and exit status 2.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::scenario::{EpisodeSummary, ScenarioConfig, ScenarioId, run_heuristic_episode};

/// Simulate edge-network scheduling of AIGC services and evaluate policies on it.
#[derive(Debug, Parser)]
#[command(name = "diffedge", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a policy for whole episodes and report each episode's figures and their mean ± sd.
    #[command(after_long_help = EVAL_JSON_HELP)]
    Eval(EvalArgs),
    /// List the scenarios with their observation size, action space and heuristics.
    Scenarios,
}

const EVAL_JSON_HELP: &str = "\
JSON output (--format json), one object:
  scenario      scenario id, e.g. \"asp\"
  policy        the policy evaluated
  config        the scenario config used (world_seed is that of the first world)
  worlds        [world seeds], or [\"paper\"] / [\"file\"] for a fixed world
  episodes      [{\"world\": seed|\"paper\"|\"file\", \"episode_seed\": n, \"steps\": n,
                  \"metrics\": {name: value, ...}}, ...] in run order
  summary       {metric name: {\"mean\", \"sd\", \"min\", \"max\"}} over all episodes
                (sd is the sample standard deviation; 0 for a single episode)
Episodes of world w use episode seeds --seed, --seed+1, ...; worlds use --world-seed, --world-seed+1, ...

Examples:
  diffedge eval --scenario asp --policy crash_avoid --worlds 12 --episodes 4 --format json
  diffedge eval --scenario asp --policy prophet --world paper --episodes 20";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Scenario id (see `diffedge scenarios`).
    #[arg(long)]
    scenario: String,
    /// Policy: one of the scenario's heuristics (see `diffedge scenarios`).
    #[arg(long)]
    policy: String,
    /// Episodes per world.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    episodes: u64,
    /// Seed of the first world drawn from the config's ranges.
    #[arg(long, default_value_t = 0, conflicts_with = "world")]
    world_seed: u64,
    /// A fixed world: `paper` (the paper's published world) or the path of a parameter file.
    #[arg(long)]
    world: Option<String>,
    /// Number of drawn worlds (seeds --world-seed, --world-seed+1, ...).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    worlds: u64,
    /// Episode seed of the first episode of each world.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Scenario config (JSON with any of the scenario's fields; the rest take the paper's defaults).
    #[arg(long)]
    config: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Entry point of the `diffedge` binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line: clap's first line, plus the list of allowed values when it gives one.
            let text = e.render().to_string();
            let mut line = text.lines().next().unwrap_or("error: invalid arguments").to_owned();
            if let Some(values) = text.lines().map(str::trim).find(|l| l.starts_with("[possible values:")) {
                line = format!("{line} {values}");
            }
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let output = match cli.command {
        Command::Eval(args) => eval(&args),
        Command::Scenarios => Ok(scenarios()),
    };
    match output {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn read_file(field: &str, path: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::new(field, format!("cannot read '{path}': {e}")))
}

/// Which world an episode ran on.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum WorldLabel {
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
struct EpisodeRow {
    world: WorldLabel,
    #[serde(flatten)]
    summary: EpisodeSummary,
}

#[derive(Debug, Serialize)]
struct Stats {
    mean: f64,
    sd: f64,
    min: f64,
    max: f64,
}

#[derive(Debug, Serialize)]
struct EvalReport {
    scenario: &'static str,
    policy: String,
    config: ScenarioConfig,
    worlds: Vec<WorldLabel>,
    episodes: Vec<EpisodeRow>,
    summary: serde_json::Map<String, serde_json::Value>,
}

fn eval(args: &EvalArgs) -> Result<String> {
    let id = ScenarioId::parse("--scenario", &args.scenario)?;
    let mut config = match &args.config {
        Some(path) => ScenarioConfig::from_json(id, &read_file("--config", path)?).map_err(|e| e.within("--config"))?,
        None => ScenarioConfig::default_for(id),
    };
    let worlds: Vec<WorldLabel> = match args.world.as_deref() {
        Some(fixed) => {
            if args.worlds != 1 {
                return Err(Error::new("--worlds", "draws several worlds; it cannot be combined with --world"));
            }
            if fixed == "paper" {
                config.use_paper_world().map_err(|e| e.within("--world"))?;
                vec![WorldLabel::Fixed("paper")]
            } else {
                config.set_world_json(&read_file("--world", fixed)?).map_err(|e| e.within("--world"))?;
                vec![WorldLabel::Fixed("file")]
            }
        }
        None if config.has_fixed_world() => vec![WorldLabel::Fixed("file")],
        None => (0..args.worlds)
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
        env.heuristic_index(&args.policy)?;
        for k in 0..args.episodes {
            let summary = run_heuristic_episode(env.as_mut(), &args.policy, args.seed + k)?;
            episodes.push(EpisodeRow { world: world.clone(), summary });
        }
    }
    if let WorldLabel::Seed(first) = worlds[0] {
        config.set_world_seed(first);
    }

    let names: Vec<&'static str> = episodes[0].summary.metrics.0.iter().map(|&(n, _)| n).collect();
    let stats: Vec<(&str, Stats)> = names
        .iter()
        .map(|&name| {
            let values: Vec<f64> = episodes.iter().map(|e| e.summary.metrics.get(name).unwrap_or(f64::NAN)).collect();
            (name, stats_of(&values))
        })
        .collect();

    Ok(match args.format {
        Format::Json => {
            let summary = stats
                .iter()
                .map(|(name, s)| ((*name).to_owned(), serde_json::to_value(s).expect("stats serialise")))
                .collect();
            let report =
                EvalReport { scenario: id.name(), policy: args.policy.clone(), config, worlds, episodes, summary };
            serde_json::to_string_pretty(&report).expect("the report serialises") + "\n"
        }
        Format::Table => eval_table(id, &args.policy, &names, &episodes, &stats),
    })
}

fn stats_of(values: &[f64]) -> Stats {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Stats { mean, sd, min, max }
}

/// A number in at most 10 characters: integers as such, the rest with 4 significant decimals.
fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v}")
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn eval_table(
    id: ScenarioId,
    policy: &str,
    names: &[&str],
    episodes: &[EpisodeRow],
    stats: &[(&str, Stats)],
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

fn scenarios() -> String {
    let mut out = String::new();
    for &id in ScenarioId::ALL {
        let env = ScenarioConfig::default_for(id).build().expect("default configs are valid");
        let _ = writeln!(
            out,
            "{:<8} observation {:>4}  action {:<14} heuristics: {}",
            id.name(),
            env.observation_dim(),
            env.action_space().to_string(),
            env.heuristics().join(", ")
        );
    }
    out
}
