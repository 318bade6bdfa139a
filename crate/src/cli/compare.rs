//! `diffedge compare`: trained policies against heuristics on held-out episodes, paired.

use std::fmt::Write as _;

use super::args::{CompareArgs, Format};
use super::inputs::read_checkpoint;
use crate::error::{Error, Result};

/// The report, and what falls short of `--require-advantage` (if anything does).
pub(super) fn compare(args: &CompareArgs) -> Result<(String, Option<String>)> {
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

pub(super) fn compare_table(c: &crate::train::heldout::Comparison) -> String {
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
