//! The native command line (`diffedge`). Thin: it parses arguments, runs what `scenario`, `train` and
//! `params` offer and prints it. Every user error is one line on stderr and exit status 2.

mod bench;

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::scenario::{EpisodeSummary, ScenarioConfig, ScenarioId, run_heuristic_episode};
use crate::stats::Summary;

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
    /// Train a learner on a scenario, evaluating it greedily after every epoch.
    #[command(after_long_help = TRAIN_HELP)]
    Train(TrainArgs),
    /// Compare trained policies with heuristics on held-out episodes, paired, with 95 % intervals.
    #[command(after_long_help = COMPARE_HELP)]
    Compare(CompareArgs),
    /// List the scenarios with their observation size, action space and heuristics.
    Scenarios,
    /// Time one decision, one training update and environment stepping (the criterion benchmarks' figures).
    Bench {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Parameter files: their JSON Schema, checking one, the default one, fitting raw measurements.
    #[command(subcommand)]
    Params(ParamsCommand),
}

#[derive(Debug, Subcommand)]
enum ParamsCommand {
    /// Print the JSON Schema of a scenario's parameter file (or, with --config, of its config).
    Schema {
        /// Scenario id.
        scenario: String,
        /// The schema of the scenario's whole config instead.
        #[arg(long)]
        config: bool,
    },
    /// Check a parameter file; prints `ok` or the first problem (field path and rule), exit status 2.
    Check {
        /// Scenario id.
        scenario: String,
        /// The JSON file.
        file: String,
    },
    /// Print the parameter file of the default config's world (or of --world-seed, or the paper's).
    Default {
        /// Scenario id.
        scenario: String,
        /// World seed of the drawn world.
        #[arg(long, default_value_t = 0, conflicts_with = "paper")]
        world_seed: u64,
        /// The paper's published world instead.
        #[arg(long)]
        paper: bool,
    },
    /// Fit raw measurements: asp `steps,quality`; tot `tokens,delay_s,score`; ddc the profile table
    /// `condition,alpha,beta,steps,q_i,q_t,kb`. Prints the fit (parameters, R², sampled curve) as JSON.
    Fit {
        /// Scenario id (asp, tot or ddc).
        scenario: String,
        /// The CSV file.
        file: String,
        /// tot: the quality curve's ceiling `Score_max`.
        #[arg(long, default_value_t = 10.0)]
        score_max: f64,
    },
}

const TRAIN_HELP: &str = "\
Writes into --out (created if needed): config.json (the whole run: scenario, learner, schedule, seeds),
metrics.csv (one row per epoch: env_steps, updates, train_return, eval_return, eval_sd, the losses, then the
scenario's evaluation metrics) and, at the end, checkpoint.safetensors (every network in PyTorch's layout,
optimiser and replay state, the config; `diffedge eval --checkpoint` evaluates it; --without-replay leaves
the replay buffers out). --checkpoint-every N also writes it every N epochs; `--resume DIR/checkpoint.safetensors`
continues such a run bit for bit up to --epochs in all.

With --target HEURISTIC the run evaluates the heuristic on the same evaluation episodes first and stops as
soon as the greedy policy's mean evaluation return beats it, reporting the wall time and update count.
JSON output (--format json): {\"algorithm\", \"scenario\", \"epochs\": [epoch records], \"target\": {\"policy\",
\"mean_return\"} | null, \"reached\": bool, \"wall_s\", \"updates\", \"env_steps\"}.

Examples:
  diffedge train --scenario asp --algo d2sac --preset fast --target crash_avoid
  diffedge train --scenario asp --algo d2sac --preset paper --world paper --epochs 200 --checkpoint-every 5 --out runs/asp-paper
  diffedge train --resume runs/asp-paper/checkpoint.safetensors --epochs 400 --out runs/asp-paper";

#[derive(Debug, Args)]
struct TrainArgs {
    /// Scenario id (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "resume")]
    scenario: Option<String>,
    /// Algorithm: d2sac, lad, dsac, flowdiff, sac_discrete, dqn, ddqn, ppo or ddc (hybrid actions, the ddc
    /// scenario).
    #[arg(long, required_unless_present = "resume")]
    algo: Option<String>,
    /// Continue the run saved in this checkpoint (scenario, learner, schedule and seeds come from it): it goes
    /// on exactly as the uninterrupted run would have, and metrics.csv is rewritten with its earlier epochs.
    #[arg(
        long,
        value_name = "CHECKPOINT",
        conflicts_with_all = ["scenario", "algo", "preset", "seed", "world_seed", "world", "config", "overrides", "eval_episodes"]
    )]
    resume: Option<String>,
    /// Hyper-parameters to start from.
    #[arg(long, value_enum, default_value_t = PresetArg::Fast)]
    preset: PresetArg,
    /// Run seed (initialisation, exploration, training episodes).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Epochs to run at most, counting those of a resumed run (so the same command resumed ends at the same
    /// epoch).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    epochs: u64,
    /// World seed of a drawn world.
    #[arg(long, default_value_t = 0, conflicts_with = "world")]
    world_seed: u64,
    /// A fixed world: `paper` or the path of a parameter file.
    #[arg(long)]
    world: Option<String>,
    /// Scenario config (JSON with any of the scenario's fields).
    #[arg(long)]
    config: Option<String>,
    /// Stop as soon as the greedy policy beats this heuristic's mean evaluation return.
    #[arg(long)]
    target: Option<String>,
    /// Override a hyper-parameter of the preset: `--set gamma=0.99 --set n_step=3` (JSON values; a dotted
    /// path reaches nested fields, e.g. `actor.hidden=128`; `schedule.*` sets the training schedule).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    overrides: Vec<String>,
    /// Episodes per evaluation.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    eval_episodes: u64,
    /// Directory for config.json and metrics.csv.
    #[arg(long)]
    out: Option<String>,
    /// Write the checkpoint with empty replay buffers: the policy, optimiser and history in a fraction of
    /// the size (the shipped pretrained policies); a run loaded from it continues with an empty replay.
    #[arg(long, requires = "out")]
    without_replay: bool,
    /// Also write the checkpoint every N epochs (replacing the previous one), so a long run can be stopped and
    /// resumed with --resume.
    #[arg(long, value_name = "N", requires = "out", value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every: Option<u64>,
    /// Output format of the final report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PresetArg {
    Paper,
    Fast,
}

const EVAL_JSON_HELP: &str = "\
JSON output (--format json), one object:
  scenario      scenario id, e.g. \"asp\"
  policy        the policy evaluated
  config        the scenario config used (world_seed is that of the first world)
  worlds        [world seeds], or [\"paper\"] / [\"file\"] for a fixed world
  episodes      [{\"world\": seed|\"paper\"|\"file\", \"episode_seed\": n, \"steps\": n,
                  \"metrics\": {name: value, ...}}, ...] in run order
  summary       {metric name: {\"n\", \"mean\", \"sd\", \"min\", \"max\", \"ci95\"}} over all episodes
                (sd is the sample standard deviation, ci95 the half-width of the mean's 95 % interval;
                both 0 for a single episode)
Episodes of world w use episode seeds --seed, --seed+1, ...; worlds use --world-seed, --world-seed+1, ...

Examples:
  diffedge eval --scenario asp --policy crash_avoid --worlds 12 --episodes 4 --format json
  diffedge eval --scenario asp --policy prophet --world paper --episodes 20";

const COMPARE_HELP: &str = "\
Plays each checkpoint's greedy policy and each heuristic on the same --episodes episodes (seeds --seed,
--seed+1, ...), which must be episodes none of the runs trained or evaluated on (refused otherwise), and
reports, per run and heuristic, the paired advantage of the policy on --metric (policy minus heuristic,
negated where lower is better: positive favours the policy) as mean ± 95 % interval over the episodes; then,
across the runs (one per training seed), the mean advantage ± 95 % interval over runs (Student t) and how
many runs beat the heuristic on their own. A run 'beats' a heuristic when its interval lies above zero.
JSON output (--format json): {\"scenario\", \"metric\", \"goal\", \"first_seed\", \"episodes\", \"runs\": [{\"label\",
\"seed\", \"algorithm\", \"epochs\", \"updates\", \"metric\", \"versus\": [{\"heuristic\", \"advantage\", \"beats\"}]}],
\"heuristics\": [{\"heuristic\", \"metric\"}], \"policy\", \"across_runs\": [{\"heuristic\", \"advantage\",
\"runs_beating\"}]}; every summary is {\"n\", \"mean\", \"sd\", \"min\", \"max\", \"ci95\"}.

Example (five training seeds):
  for s in 0 1 2 3 4; do diffedge train --scenario asp --algo d2sac --epochs 100 --seed $s --out runs/asp-$s; done
  diffedge compare --checkpoint runs/asp-{0,1,2,3,4}/checkpoint.safetensors --against crash_avoid --episodes 20";

#[derive(Debug, Args)]
struct CompareArgs {
    /// A training checkpoint (`train --out DIR` writes DIR/checkpoint.safetensors); repeat for each run.
    #[arg(long, required = true)]
    checkpoint: Vec<String>,
    /// A heuristic of the scenario to compare with; repeat for several.
    #[arg(long, required = true)]
    against: Vec<String>,
    /// Held-out episodes.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    episodes: u64,
    /// Episode seed of the first held-out episode.
    #[arg(long, default_value_t = crate::train::heldout::HELD_OUT_SEED)]
    seed: u64,
    /// The metric to compare (default: the scenario's main metric, e.g. asp's total_reward, lad's
    /// mean_delay_s).
    #[arg(long)]
    metric: Option<String>,
    /// Lower values of --metric are better (set automatically for the scenario's main metric).
    #[arg(long)]
    lower_is_better: bool,
    /// Exit with status 1 (after the report) unless every run's 95 % interval of its advantage over every
    /// heuristic lies above this value: 0 for "beats", a negative margin for "within" (e.g. −0.02 on a rate).
    #[arg(long, value_name = "ADVANTAGE", allow_negative_numbers = true)]
    require_advantage: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Scenario id (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "checkpoint")]
    scenario: Option<String>,
    /// Policy: one of the scenario's heuristics (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "checkpoint")]
    policy: Option<String>,
    /// Evaluate the greedy policy of a training checkpoint (`train --out DIR` writes
    /// DIR/checkpoint.safetensors) on its own scenario and world instead of a heuristic.
    #[arg(long, conflicts_with_all = ["scenario", "policy", "world", "worlds", "config"])]
    checkpoint: Option<String>,
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
    crate::nn::kernels::work_on_this_thread();
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
        Command::Train(args) => train(&args),
        Command::Compare(args) => match compare(&args) {
            Ok((report, unmet)) => {
                print!("{report}");
                if let Some(unmet) = unmet {
                    eprintln!("requirement not met: {unmet}");
                    return ExitCode::from(1);
                }
                return ExitCode::SUCCESS;
            }
            Err(e) => Err(e),
        },
        Command::Scenarios => Ok(scenarios()),
        Command::Params(command) => params(&command),
        Command::Bench { format } => Ok(bench::run(format == Format::Json)),
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

/// A text file (config, parameter file, measurements), read no further than [`params::MAX_FILE_BYTES`] and
/// decoded as the page decodes an upload ([`crate::json::utf8`]).
fn read_file(field: &str, path: &str) -> Result<String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Error::new(field, format!("cannot read '{path}': {e}"));
    let mut bytes = Vec::new();
    let limit = crate::params::MAX_FILE_BYTES as u64;
    std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes)).map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(Error::new(field, format!("'{path}' is larger than {limit} bytes, the most accepted")));
    }
    Ok(crate::json::utf8(field, &bytes)?.to_owned())
}

/// A checkpoint file, read no further than its header promises ([`crate::checkpoint::read_capped`]).
fn read_checkpoint(field: &str, path: &str) -> Result<crate::train::Trainer> {
    let file = std::fs::File::open(path).map_err(|e| Error::new(field, format!("cannot read '{path}': {e}")))?;
    let bytes = crate::checkpoint::read_capped(std::io::BufReader::new(file)).map_err(|e| e.within(field))?;
    crate::train::Trainer::load(&bytes).map_err(|e| e.within(field))
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
struct EvalReport {
    scenario: &'static str,
    policy: String,
    config: ScenarioConfig,
    worlds: Vec<WorldLabel>,
    episodes: Vec<EpisodeRow>,
    summary: serde_json::Map<String, serde_json::Value>,
}

/// The scenario config from `--config`, or the paper's default.
fn scenario_config(id: ScenarioId, config: Option<&str>) -> Result<ScenarioConfig> {
    match config {
        Some(path) => {
            ScenarioConfig::from_json(id, &read_file("--config", path)?).map_err(|e| e.rerooted("config", "--config"))
        }
        None => Ok(ScenarioConfig::default_for(id)),
    }
}

/// Applies `--world paper|FILE`; returns whether a fixed world is in use.
fn apply_world(config: &mut ScenarioConfig, world: Option<&str>) -> Result<bool> {
    match world {
        Some("paper") => config.use_paper_world().map_err(|e| e.within("--world"))?,
        Some(path) => config.set_world_json(&read_file("--world", path)?).map_err(|e| e.within("--world"))?,
        None => return Ok(config.has_fixed_world()),
    }
    Ok(true)
}

fn eval(args: &EvalArgs) -> Result<String> {
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
fn eval_checkpoint(args: &EvalArgs, path: &str) -> Result<String> {
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

fn eval_report(
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

/// The report, and what falls short of `--require-advantage` (if anything does).
fn compare(args: &CompareArgs) -> Result<(String, Option<String>)> {
    use crate::scenario::Goal;
    use crate::train::heldout;

    if args.seed.checked_add(args.episodes).is_none() {
        return Err(Error::new("--seed", "plus --episodes overflows a 64-bit seed"));
    }
    let mut runs = args
        .checkpoint
        .iter()
        .map(|path| Ok((path.clone(), read_checkpoint("--checkpoint", path)?)))
        .collect::<Result<Vec<_>>>()?;
    let id = runs[0].1.config().scenario.id();
    let (main, main_goal) = id.main_metric();
    let metric = args.metric.as_deref().unwrap_or(main);
    let goal = if args.lower_is_better {
        Goal::Minimise
    } else if metric == main {
        main_goal
    } else {
        Goal::Maximise
    };
    let env = runs[0].1.config().scenario.build()?;
    for h in &args.against {
        env.heuristic_index(h).map_err(|e| Error::new("--against", e.problem))?;
    }
    let c = heldout::compare(&mut runs, &args.against, args.seed, args.episodes, metric, goal)?;
    let unmet = args.require_advantage.and_then(|floor| {
        let short: Vec<String> = c
            .runs
            .iter()
            .flat_map(|r| r.versus.iter().map(move |v| (r, v)))
            .filter(|(_, v)| v.advantage.low() <= floor)
            .map(|(r, v)| format!("{} against {}: {} (needs above {floor})", r.label, v.heuristic, v.advantage))
            .collect();
        (!short.is_empty()).then(|| short.join("; "))
    });
    let report = match args.format {
        Format::Json => serde_json::to_string_pretty(&c).expect("the comparison serialises") + "\n",
        Format::Table => compare_table(&c),
    };
    Ok((report, unmet))
}

fn compare_table(c: &crate::train::heldout::Comparison) -> String {
    let better = match c.goal {
        crate::scenario::Goal::Maximise => "higher",
        crate::scenario::Goal::Minimise => "lower",
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} ({better} is better) · {} held-out episodes, seeds {}..{}",
        c.scenario,
        c.metric,
        c.episodes,
        c.first_seed,
        c.first_seed + c.episodes - 1
    );
    for h in &c.heuristics {
        let _ = writeln!(out, "  {:<24} {}", h.heuristic, h.metric);
    }
    let _ = writeln!(out, "\nrun\n      policy               advantage over each heuristic");
    for r in &c.runs {
        let versus: Vec<String> = r
            .versus
            .iter()
            .map(|v| format!("{} {}{}", v.heuristic, v.advantage, if v.beats { " (beats)" } else { "" }))
            .collect();
        let _ = writeln!(out, "  {} (seed {}, {}, {} epochs)", r.label, r.seed, r.algorithm, r.epochs);
        let _ = writeln!(out, "      {:<20} {}", r.metric.to_string(), versus.join("; "));
    }
    let _ = writeln!(out, "\nacross {} runs: policy {} (95 % CI over runs)", c.runs.len(), c.policy);
    for a in &c.across_runs {
        let _ = writeln!(
            out,
            "  advantage over {}: {} ({} of {} runs beat it on their own)",
            a.heuristic,
            a.advantage,
            a.runs_beating,
            c.runs.len()
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

#[derive(Debug, Serialize)]
struct TargetLevel {
    policy: String,
    mean_return: f64,
}

#[derive(Debug, Serialize)]
struct TrainReport<'a> {
    algorithm: &'a str,
    scenario: &'static str,
    epochs: &'a [crate::train::EpochRecord],
    target: Option<TargetLevel>,
    reached: bool,
    wall_s: f64,
    updates: u64,
    env_steps: u64,
}

/// The config of a new run from the command line: the preset, then the scenario options and overrides.
fn new_train_config(args: &TrainArgs) -> Result<crate::train::TrainConfig> {
    use crate::agent::Preset;

    let (Some(scenario_name), Some(algo)) = (&args.scenario, &args.algo) else {
        return Err(Error::new("--scenario", "a new run needs --scenario and --algo (or --resume CHECKPOINT)"));
    };
    let id = ScenarioId::parse("--scenario", scenario_name)?;
    let mut scenario = scenario_config(id, args.config.as_deref())?;
    if !apply_world(&mut scenario, args.world.as_deref())? {
        scenario.set_world_seed(args.world_seed);
    }
    let preset = match args.preset {
        PresetArg::Paper => Preset::Paper,
        PresetArg::Fast => Preset::Fast,
    };
    let mut config = crate::train::TrainConfig::preset(scenario, algo, preset, args.seed)
        .map_err(|e| Error::new("--algo", e.problem))?;
    config.eval_episodes = args.eval_episodes as usize;
    for assignment in &args.overrides {
        apply_override(&mut config, assignment)?;
    }
    Ok(config)
}

fn train(args: &TrainArgs) -> Result<String> {
    use crate::train::Trainer;

    let started = std::time::Instant::now();
    let mut trainer = match &args.resume {
        Some(path) => read_checkpoint("--resume", path)?,
        None => Trainer::new(new_train_config(args)?)?,
    };
    let id = trainer.config().scenario.id();
    if let Some(policy) = &args.target {
        // Checked before any training, so a typo fails at once.
        trainer.config().scenario.build()?.heuristic_index(policy).map_err(|e| Error::new("--target", e.problem))?;
    }
    let target = match &args.target {
        Some(policy) => {
            Some(TargetLevel { policy: policy.clone(), mean_return: trainer.evaluate_heuristic(policy)?.mean_return })
        }
        None => None,
    };
    let out_dir = args.out.as_deref().map(std::path::Path::new);
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new("--out", format!("cannot create '{}': {e}", dir.display())))?;
        let json = serde_json::to_string_pretty(trainer.config()).expect("configs serialise");
        write_file(&dir.join("config.json"), &json)?;
    }
    let bar = indicatif::ProgressBar::new(args.epochs);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] epoch {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let mut reached = false;
    let mut csv = trainer.history().first().map(metrics_csv_header).unwrap_or_default();
    for record in trainer.history() {
        csv.push_str(&metrics_csv_row(record));
    }
    let done = trainer.history().len() as u64;
    bar.set_position(done.min(args.epochs));
    for epoch in done..args.epochs {
        let record = trainer.run_epoch()?;
        if csv.is_empty() {
            csv = metrics_csv_header(&record);
        }
        csv.push_str(&metrics_csv_row(&record));
        if let Some(dir) = out_dir {
            write_file(&dir.join("metrics.csv"), &csv)?;
            if args.checkpoint_every.is_some_and(|n| (epoch + 1) % n == 0) {
                write_checkpoint(dir, &mut trainer, args.without_replay)?;
            }
        }
        bar.set_message(format!("eval {:.1} ({} updates)", record.eval.mean_return, record.updates));
        bar.inc(1);
        if let Some(t) = &target
            && record.eval.mean_return > t.mean_return
        {
            reached = true;
            break;
        }
    }
    bar.finish_and_clear();
    if let Some(dir) = out_dir {
        write_checkpoint(dir, &mut trainer, args.without_replay)?;
    }
    let report = TrainReport {
        algorithm: &trainer.config().algorithm,
        scenario: id.name(),
        epochs: trainer.history(),
        reached,
        wall_s: started.elapsed().as_secs_f64(),
        updates: trainer.updates(),
        env_steps: trainer.env_steps(),
        target,
    };
    Ok(match args.format {
        Format::Json => serde_json::to_string_pretty(&report).expect("the report serialises") + "\n",
        Format::Table => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{:>6} {:>9} {:>8} {:>12} {:>12} {:>10}",
                "epoch", "steps", "updates", "train_ret", "eval_ret", "entropy"
            );
            for r in trainer.history() {
                let _ = writeln!(
                    out,
                    "{:>6} {:>9} {:>8} {:>12} {:>12} {:>10}",
                    r.epoch,
                    r.env_steps,
                    r.updates,
                    r.train_return.map_or("-".to_owned(), short),
                    short(r.eval.mean_return),
                    r.losses.map_or("-".to_owned(), |l| short(f64::from(l.entropy)))
                );
            }
            if let Some(t) = &report.target {
                let verdict = if reached { "beaten" } else { "not beaten" };
                let _ = writeln!(
                    out,
                    "target {} ({}): {verdict} after {:.1} s, {} updates, {} environment steps",
                    t.policy,
                    short(t.mean_return),
                    report.wall_s,
                    report.updates,
                    report.env_steps
                );
            }
            out
        }
    })
}

/// Writes DIR/checkpoint.safetensors through a temporary file, so an interrupted write never leaves a torn
/// checkpoint behind.
fn write_checkpoint(dir: &std::path::Path, trainer: &mut crate::train::Trainer, without_replay: bool) -> Result<()> {
    let path = dir.join("checkpoint.safetensors");
    let partial = dir.join("checkpoint.safetensors.partial");
    let bytes = if without_replay { trainer.save_without_replay() } else { trainer.save() };
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| Error::new("--out", format!("cannot write '{}': {e}", path.display())))
}

fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::new("--out", format!("cannot write '{}': {e}", path.display())))
}

fn metrics_csv_header(record: &crate::train::EpochRecord) -> String {
    let mut h = "epoch,env_steps,updates,train_return,eval_return,eval_sd,critic_loss,actor_loss,entropy,alpha,mean_q"
        .to_owned();
    for (name, _) in &record.eval.metrics {
        let _ = write!(h, ",eval_{name}");
    }
    h + "\n"
}

fn metrics_csv_row(r: &crate::train::EpochRecord) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let l = r.losses;
    let mut row = format!(
        "{},{},{},{},{},{},{},{},{},{},{}",
        r.epoch,
        r.env_steps,
        r.updates,
        opt(r.train_return),
        r.eval.mean_return,
        r.eval.sd_return,
        opt(l.map(|l| f64::from(l.critic_loss))),
        opt(l.map(|l| f64::from(l.actor_loss))),
        opt(l.map(|l| f64::from(l.entropy))),
        opt(l.map(|l| f64::from(l.alpha))),
        opt(l.map(|l| f64::from(l.mean_q))),
    );
    for (_, v) in &r.eval.metrics {
        let _ = write!(row, ",{v}");
    }
    row + "\n"
}

fn params(command: &ParamsCommand) -> Result<String> {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("JSON values serialise") + "\n";
    match command {
        ParamsCommand::Schema { scenario, config } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let schema = if *config { ScenarioConfig::config_schema(id) } else { ScenarioConfig::params_schema(id)? };
            Ok(pretty(&schema))
        }
        ParamsCommand::Check { scenario, file } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let mut config = ScenarioConfig::default_for(id);
            // Paths relative to the file itself, not to a config's `world`.
            config.set_world_json(&read_file("file", file)?).map_err(|e| match e.field.strip_prefix("world.") {
                Some(path) => Error::new(path, e.problem),
                None => e,
            })?;
            Ok("ok\n".to_owned())
        }
        ParamsCommand::Default { scenario, world_seed, paper } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let mut config = ScenarioConfig::default_for(id);
            if *paper {
                config.use_paper_world().map_err(|e| e.within("--paper"))?;
            } else {
                config.set_world_seed(*world_seed);
            }
            config.world_params_json()
        }
        ParamsCommand::Fit { scenario, file, score_max } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            Ok(pretty(&ScenarioConfig::fit_csv(id, &read_file("file", file)?, *score_max)?))
        }
    }
}

/// Applies one `--set FIELD=VALUE` to the learner (or, for `schedule.FIELD`, the schedule) of `config`.
fn apply_override(config: &mut crate::train::TrainConfig, assignment: &str) -> Result<()> {
    let (path, raw) =
        assignment.split_once('=').ok_or_else(|| Error::new("--set", format!("'{assignment}' is not FIELD=VALUE")))?;
    let value: serde_json::Value =
        serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_owned()));
    let mut whole = serde_json::to_value(&*config).expect("configs serialise");
    let (root, rest) = match path.strip_prefix("schedule.") {
        Some(rest) => ("schedule", rest),
        None => ("learner", path),
    };
    let mut node = &mut whole[root];
    let keys: Vec<&str> = rest.split('.').collect();
    for key in &keys[..keys.len() - 1] {
        node = node.get_mut(*key).ok_or_else(|| Error::new("--set", format!("no field '{key}' in '{path}'")))?;
    }
    let last = keys[keys.len() - 1];
    match node.get_mut(last) {
        Some(slot) => *slot = value,
        None => return Err(Error::new("--set", format!("no field '{last}' in '{path}'"))),
    }
    let updated: crate::train::TrainConfig =
        serde_json::from_value(whole).map_err(|e| Error::new(format!("--set {path}"), e.to_string()))?;
    // Named as the user wrote it: `--set batch_size`, `--set schedule.epoch_steps` (the learner's fields are
    // set without their root).
    updated.validate().map_err(|e| {
        let field = e.field.strip_prefix("learner.").unwrap_or(&e.field);
        Error::new(format!("--set {field}"), e.problem.clone())
    })?;
    *config = updated;
    Ok(())
}
