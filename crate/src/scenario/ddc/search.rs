//! Exact search over the edge's decision for the search baselines (`oqc_plus`, `oracle`).
//!
//! Both solve the paper's problem P0/P2 as a conventional optimiser would: the budgets (12)–(13) come
//! first (fewest steps over them), then the QoE and latency constraints (14)–(15) (most users meeting
//! both, since some may be unable to), then the total utility (9). *Reading*: the paper's OQC+ uses
//! successive convex approximation; we give it the exact optimum of the same restricted problem, so it
//! is an upper bound for that method. Users interact only through the edge budget, so dynamic
//! programming over the edge steps used so far finds the optimum exactly (it is the exhaustive search
//! with the separable parts factored out).

use super::STEP_CHOICES;
use super::model::{Outcome, Request, Split, Upload, World};
use super::vce::{best_setting, phone_upload};

/// The search's objective, compared in order: fewer steps over budgets, more satisfied users, more
/// utility.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    /// Steps beyond the budgets (phones', plus the edge's once the plan is complete).
    pub overflow_steps: f64,
    /// Users meeting their threshold and the latency limit.
    pub satisfied: u32,
    /// Total utility.
    pub utility: f64,
}

impl Score {
    /// One user's share of the objective.
    pub fn of(outcome: &Outcome) -> Self {
        Self {
            overflow_steps: outcome.phone_overflow_steps,
            satisfied: u32::from(outcome.satisfied),
            utility: outcome.utility,
        }
    }

    fn plus(self, other: Score) -> Score {
        Score {
            overflow_steps: self.overflow_steps + other.overflow_steps,
            satisfied: self.satisfied + other.satisfied,
            utility: self.utility + other.utility,
        }
    }

    /// Whether this ranks above `other`.
    pub fn beats(&self, other: &Score) -> bool {
        // Budget overflows are sums of (possibly fractional) step counts: equal up to rounding is equal.
        const SAME_STEPS: f64 = 1e-9;
        if (self.overflow_steps - other.overflow_steps).abs() > SAME_STEPS {
            return self.overflow_steps < other.overflow_steps;
        }
        if self.satisfied != other.satisfied {
            return self.satisfied > other.satisfied;
        }
        self.utility > other.utility
    }
}

/// One option for one user: its split and its share of the objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The edge's decision for the user.
    pub split: Split,
    /// Its score (without the edge budget, which couples users).
    pub score: Score,
}

/// The best option per user (indices into each user's `candidates`, none empty) under the edge budget:
/// dynamic programming over the edge steps used by the users so far. Ties keep the earlier option.
pub fn best_plan(world: &World, candidates: &[Vec<Candidate>]) -> Vec<usize> {
    let total: usize =
        candidates.iter().map(|c| c.iter().map(|o| o.split.edge_steps as usize).max().unwrap_or(0)).sum();
    let mut best: Vec<Option<Score>> = vec![None; total + 1];
    best[0] = Some(Score::default());
    // choice[k][s]: the option of user k on the best way to `s` edge steps after users 0..=k.
    let mut choice = vec![vec![usize::MAX; total + 1]; candidates.len()];
    for (k, options) in candidates.iter().enumerate() {
        let mut next: Vec<Option<Score>> = vec![None; total + 1];
        for (used, score) in best.iter().enumerate() {
            let Some(score) = score else { continue };
            for (i, option) in options.iter().enumerate() {
                let to = used + option.split.edge_steps as usize;
                let candidate = score.plus(option.score);
                if next[to].is_none_or(|n| candidate.beats(&n)) {
                    next[to] = Some(candidate);
                    choice[k][to] = i;
                }
            }
        }
        best = next;
    }
    let mut end = 0;
    let mut end_score: Option<Score> = None;
    for (used, score) in best.iter().enumerate() {
        let Some(score) = score else { continue };
        let with_edge =
            Score { overflow_steps: score.overflow_steps + world.edge_overflow_steps(used as u32), ..*score };
        if end_score.is_none_or(|b| with_edge.beats(&b)) {
            end = used;
            end_score = Some(with_edge);
        }
    }
    let mut plan = vec![0; candidates.len()];
    for k in (0..candidates.len()).rev() {
        let i = choice[k][end];
        plan[k] = i;
        end -= candidates[k][i].split.edge_steps as usize;
    }
    plan
}

/// Every split the edge may choose for a user: all step counts, and for each either all at the edge or
/// all on the phone (`binary`, OQC+) or any number at the edge.
pub fn splits(binary: bool) -> impl Iterator<Item = Split> {
    (0..STEP_CHOICES.len()).flat_map(move |step| {
        let steps = STEP_CHOICES[step];
        (0..=steps).filter(move |&e| !binary || e == 0 || e == steps).map(move |edge_steps| Split { step, edge_steps })
    })
}

/// The best splits for the given uploads (`binary`: OQC+'s all-or-nothing offloading).
pub fn best_splits(world: &World, requests: &[Request], uploads: &[Upload], binary: bool) -> Vec<Split> {
    let candidates: Vec<Vec<Candidate>> = requests
        .iter()
        .zip(uploads)
        .enumerate()
        .map(|(k, (request, upload))| {
            splits(binary)
                .map(|split| Candidate { split, score: Score::of(&world.outcome(k, request, upload, split)) })
                .collect()
        })
        .collect();
    let plan = best_plan(world, &candidates);
    plan.iter().zip(&candidates).map(|(&i, options)| options[i].split).collect()
}

/// The oracle's user side: for every user and every split the best setting of all (see
/// [`best_setting`]), then the best plan over users; returns the settings' uploads and the splits.
pub fn oracle_plan(world: &World, requests: &[Request]) -> (Vec<Upload>, Vec<Split>) {
    let mut uploads_per_option = Vec::with_capacity(requests.len());
    let candidates: Vec<Vec<Candidate>> = requests
        .iter()
        .enumerate()
        .map(|(k, request)| {
            let (uploads, options): (Vec<Upload>, Vec<Candidate>) = splits(false)
                .map(|split| {
                    let denoise_s = world.denoise_s(k, request.down_mbit_s, split);
                    let (setting, outcome) = best_setting(world, k, request, split, denoise_s);
                    (phone_upload(world, k, setting), Candidate { split, score: Score::of(&outcome) })
                })
                .unzip();
            uploads_per_option.push(uploads);
            options
        })
        .collect();
    let plan = best_plan(world, &candidates);
    let uploads = plan.iter().zip(&uploads_per_option).map(|(&i, u)| u[i]).collect();
    let splits = plan.iter().zip(&candidates).map(|(&i, c)| c[i].split).collect();
    (uploads, splits)
}
