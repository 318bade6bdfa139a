//! The command line's arguments (clap): the commands, their options and help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::agent::Preset;

/// Simulate edge-network scheduling of AIGC services and evaluate policies on it.
#[derive(Debug, Parser)]
#[command(name = "diffedge", version, about, long_about = None)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
pub(super) enum ParamsCommand {
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

pub(super) const TRAIN_HELP: &str = "\
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
pub(super) struct TrainArgs {
    /// Scenario id (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "resume")]
    pub(super) scenario: Option<String>,
    /// Algorithm: d2sac, lad, dsac, flowdiff, sac_discrete, dqn, ddqn, ppo or ddc (hybrid actions, the ddc
    /// scenario).
    #[arg(long, required_unless_present = "resume")]
    pub(super) algo: Option<String>,
    /// Continue the run saved in this checkpoint (scenario, learner, schedule and seeds come from it): it goes
    /// on exactly as the uninterrupted run would have, and metrics.csv is rewritten with its earlier epochs.
    #[arg(
        long,
        value_name = "CHECKPOINT",
        conflicts_with_all = ["scenario", "algo", "preset", "seed", "world_seed", "world", "config", "overrides", "eval_episodes"]
    )]
    pub(super) resume: Option<String>,
    /// Hyper-parameters to start from: paper or fast.
    #[arg(long, default_value = "fast", value_parser = preset)]
    pub(super) preset: Preset,
    /// Run seed (initialisation, exploration, training episodes).
    #[arg(long, default_value_t = 0)]
    pub(super) seed: u64,
    /// Epochs to run at most, counting those of a resumed run (so the same command resumed ends at the same
    /// epoch).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub(super) epochs: u64,
    /// World seed of a drawn world.
    #[arg(long, default_value_t = 0, conflicts_with = "world")]
    pub(super) world_seed: u64,
    /// A fixed world: `paper` or the path of a parameter file.
    #[arg(long)]
    pub(super) world: Option<String>,
    /// Scenario config (JSON with any of the scenario's fields).
    #[arg(long)]
    pub(super) config: Option<String>,
    /// Stop as soon as the greedy policy beats this heuristic's mean evaluation return.
    #[arg(long)]
    pub(super) target: Option<String>,
    /// Override a hyper-parameter of the preset: `--set gamma=0.99 --set n_step=3` (JSON values; a dotted
    /// path reaches nested fields, e.g. `actor.hidden=128`; `schedule.*` sets the training schedule).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub(super) overrides: Vec<String>,
    /// Episodes per evaluation.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub(super) eval_episodes: u64,
    /// Directory for config.json and metrics.csv.
    #[arg(long)]
    pub(super) out: Option<String>,
    /// Write the checkpoint with empty replay buffers: the policy, optimiser and history in a fraction of
    /// the size (the shipped pretrained policies); a run loaded from it continues with an empty replay.
    #[arg(long, requires = "out")]
    pub(super) without_replay: bool,
    /// Also write the checkpoint every N epochs (replacing the previous one), so a long run can be stopped and
    /// resumed with --resume.
    #[arg(long, value_name = "N", requires = "out", value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) checkpoint_every: Option<u64>,
    /// Output format of the final report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(super) format: Format,
}

/// `--preset`, read by the core's one parser of preset names.
fn preset(name: &str) -> Result<Preset, String> {
    Preset::parse("--preset", name).map_err(|e| e.problem)
}

pub(super) const EVAL_JSON_HELP: &str = "\
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

pub(super) const COMPARE_HELP: &str = "\
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
pub(super) struct CompareArgs {
    /// A training checkpoint (`train --out DIR` writes DIR/checkpoint.safetensors); repeat for each run.
    #[arg(long, required = true)]
    pub(super) checkpoint: Vec<String>,
    /// A heuristic of the scenario to compare with; repeat for several.
    #[arg(long, required = true)]
    pub(super) against: Vec<String>,
    /// Held-out episodes.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub(super) episodes: u64,
    /// Episode seed of the first held-out episode.
    #[arg(long, default_value_t = crate::train::heldout::HELD_OUT_SEED)]
    pub(super) seed: u64,
    /// The metric to compare (default: the scenario's main metric, e.g. asp's total_reward, lad's
    /// mean_delay_s).
    #[arg(long)]
    pub(super) metric: Option<String>,
    /// Lower values of --metric are better (set automatically for the scenario's main metric).
    #[arg(long)]
    pub(super) lower_is_better: bool,
    /// Exit with status 1 (after the report) unless every run's 95 % interval of its advantage over every
    /// heuristic lies above this value: 0 for "beats", a negative margin for "within" (e.g. −0.02 on a rate).
    #[arg(long, value_name = "ADVANTAGE", allow_negative_numbers = true)]
    pub(super) require_advantage: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(super) format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// Scenario id (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "checkpoint")]
    pub(super) scenario: Option<String>,
    /// Policy: one of the scenario's heuristics (see `diffedge scenarios`).
    #[arg(long, required_unless_present = "checkpoint")]
    pub(super) policy: Option<String>,
    /// Evaluate the greedy policy of a training checkpoint (`train --out DIR` writes
    /// DIR/checkpoint.safetensors) on its own scenario and world instead of a heuristic.
    #[arg(long, conflicts_with_all = ["scenario", "policy", "world", "worlds", "config"])]
    pub(super) checkpoint: Option<String>,
    /// Episodes per world.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(super) episodes: u64,
    /// Seed of the first world drawn from the config's ranges.
    #[arg(long, default_value_t = 0, conflicts_with = "world")]
    pub(super) world_seed: u64,
    /// A fixed world: `paper` (the paper's published world) or the path of a parameter file.
    #[arg(long)]
    pub(super) world: Option<String>,
    /// Number of drawn worlds (seeds --world-seed, --world-seed+1, ...).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(super) worlds: u64,
    /// Episode seed of the first episode of each world.
    #[arg(long, default_value_t = 0)]
    pub(super) seed: u64,
    /// Scenario config (JSON with any of the scenario's fields; the rest take the paper's defaults).
    #[arg(long)]
    pub(super) config: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(super) format: Format,
}
