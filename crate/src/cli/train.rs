//! `diffedge train`: the run's config from the arguments (`--set` included), the epoch loop and its files.

use std::fmt::Write as _;

use serde::Serialize;

use super::args::{Format, TrainArgs};
use super::eval::short;
use super::inputs::{apply_world, read_checkpoint, scenario_config};
use crate::error::{Error, Result};
use crate::scenario::ScenarioId;

#[derive(Debug, Serialize)]
pub(super) struct TargetLevel {
    policy: String,
    mean_return: f64,
}

#[derive(Debug, Serialize)]
pub(super) struct TrainReport<'a> {
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
pub(super) fn new_train_config(args: &TrainArgs) -> Result<crate::train::TrainConfig> {
    let (Some(scenario_name), Some(algo)) = (&args.scenario, &args.algo) else {
        return Err(Error::new("--scenario", "a new run needs --scenario and --algo (or --resume CHECKPOINT)"));
    };
    let id = ScenarioId::parse("--scenario", scenario_name)?;
    let mut scenario = scenario_config(id, args.config.as_deref())?;
    if !apply_world(&mut scenario, args.world.as_deref())? {
        scenario.set_world_seed(args.world_seed);
    }
    let algorithm = crate::agent::Algorithm::parse("--algo", algo)?;
    let mut config = crate::train::TrainConfig::preset(scenario, algorithm, args.preset, args.seed);
    config.eval_episodes = args.eval_episodes as usize;
    for assignment in &args.overrides {
        apply_override(&mut config, assignment)?;
    }
    Ok(config)
}

pub(super) fn train(args: &TrainArgs) -> Result<String> {
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
    let mut csv = crate::train::history_csv(trainer.history());
    let done = trainer.history().len() as u64;
    bar.set_position(done.min(args.epochs));
    for epoch in done..args.epochs {
        let record = trainer.run_epoch()?;
        if csv.is_empty() {
            csv = record.csv_header();
        }
        csv.push_str(&record.csv_row());
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
pub(super) fn write_checkpoint(
    dir: &std::path::Path,
    trainer: &mut crate::train::Trainer,
    without_replay: bool,
) -> Result<()> {
    let path = dir.join("checkpoint.safetensors");
    let partial = dir.join("checkpoint.safetensors.partial");
    let bytes = if without_replay { trainer.save_without_replay() } else { trainer.save() };
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| Error::new("--out", format!("cannot write '{}': {e}", path.display())))
}

pub(super) fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::new("--out", format!("cannot write '{}': {e}", path.display())))
}

/// Applies one `--set FIELD=VALUE` to the learner (or, for `schedule.FIELD`, the schedule) of `config`.
pub(super) fn apply_override(config: &mut crate::train::TrainConfig, assignment: &str) -> Result<()> {
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
