//! Visual Condition Engineering on the phone: the Pareto frontiers of the profile (eq. 18), the paper's
//! VCE (Algorithm 1) with its per-condition walk (Algorithm 2), and an exhaustive search to compare with.
//!
//! *Reading* (environments.md): a configuration is scored at `T = 20` steps all at the edge (`O = 1`),
//! since the phone does not know the edge's decision yet. Where Algorithm 2 leaves details open:
//! the walk starts from the frontier's first configuration, `α^max` / `β^max` are the largest levels on
//! that frontier, line 15's `Q_k` is the user's threshold `Q̃_k`, and when nothing on the frontier meets
//! both bounds the walk returns where it stopped (the frontier's end).

use super::model::{Outcome, Request, Split, Upload, World};
use super::profile::{Metric, Profile, Setting};
use super::{Condition, STEP_CHOICES};

/// Index of the step count VCE scores with (20 steps).
pub const VCE_STEP: usize = 3;

/// The split VCE scores with: 20 steps, all at the edge.
pub fn vce_split() -> Split {
    Split { step: VCE_STEP, edge_steps: STEP_CHOICES[VCE_STEP] }
}

/// Indices of the points `(score, cost)` that no other point dominates, in input order. A point is
/// dominated when another has a strictly higher score and a strictly lower cost (eq. 18), so ties stay.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&i, &j| points[i].1.total_cmp(&points[j].1));
    let mut keep = vec![false; points.len()];
    // Best score among the points strictly cheaper than the current group of equal cost.
    let mut best_cheaper = f64::NEG_INFINITY;
    let mut start = 0;
    while start < order.len() {
        let cost = points[order[start]].1;
        let mut end = start;
        let mut group_best = f64::NEG_INFINITY;
        while end < order.len() && points[order[end]].1 == cost {
            let score = points[order[end]].0;
            keep[order[end]] = score >= best_cheaper;
            group_best = group_best.max(score);
            end += 1;
        }
        best_cheaper = best_cheaper.max(group_best);
        start = end;
    }
    (0..points.len()).filter(|&i| keep[i]).collect()
}

/// The frontier of every condition for each metric, sorted by α then β (Algorithm 2, line 2).
///
/// The paper's frontier is over (score, upload latency `L¹ = L⁰ + D/B↑`); for one user and bandwidth
/// `L¹` grows strictly with the size `D`, so the frontier over (score, `D`) is the same set, for every
/// user, and is built once.
#[derive(Debug, Clone)]
pub struct Frontiers {
    lists: [[Vec<Setting>; 2]; 4],
}

impl Frontiers {
    /// The frontiers of `profile` at [`VCE_STEP`].
    pub fn new(profile: &Profile) -> Self {
        let lists = Condition::ALL.map(|condition| {
            [Metric::Perceptual, Metric::Prompt].map(|metric| {
                let settings: Vec<Setting> = profile.settings().filter(|s| s.condition == condition).collect();
                let points: Vec<(f64, f64)> =
                    settings.iter().map(|&s| (profile.score(s, VCE_STEP, metric), profile.kb(s))).collect();
                // `settings` runs α-major, β-minor, so the kept ones are already in the walk's order.
                pareto_front(&points).into_iter().map(|i| settings[i]).collect()
            })
        });
        Self { lists }
    }

    /// The frontier `P^metric_condition`.
    pub fn get(&self, condition: Condition, metric: Metric) -> &[Setting] {
        &self.lists[condition.index()][metric as usize]
    }
}

/// How user `user` sends `setting`: extracted on the phone, compressed, uploaded.
pub fn phone_upload(world: &World, user: usize, setting: Setting) -> Upload {
    Upload { setting, kb: world.profile.kb(setting), prepare_s: world.devices[user].extraction_s }
}

/// `getUtility` of Algorithm 2: the outcome of `setting` at 20 steps all at the edge.
fn evaluate(world: &World, user: usize, request: &Request, setting: Setting) -> Outcome {
    world.outcome(user, request, &phone_upload(world, user, setting), vce_split())
}

/// Algorithm 2 (`getBestConfig`): walks `frontier` (one condition's, sorted by α then β) the way its
/// condition prescribes — Canny raises α first and β only at the highest α, Depth raises β first and α
/// only at the highest β, the others take each frontier point — until the configuration meets the
/// user's threshold and the latency limit. Returns the configuration and its utility.
pub fn best_config(world: &World, user: usize, request: &Request, frontier: &[Setting]) -> (Setting, f64) {
    let mut chosen = frontier[0];
    let alpha_max = frontier.iter().map(|s| s.alpha).max().unwrap_or(0);
    let beta_max = frontier.iter().map(|s| s.beta).max().unwrap_or(0);
    let mut utility = f64::NEG_INFINITY;
    for point in frontier {
        match chosen.condition {
            Condition::Canny => {
                if chosen.alpha < point.alpha {
                    chosen.alpha = point.alpha;
                }
                if chosen.alpha == alpha_max {
                    chosen.beta = point.beta;
                }
            }
            Condition::Depth => {
                if chosen.beta < point.beta {
                    chosen.beta = point.beta;
                }
                if chosen.beta == beta_max {
                    chosen.alpha = point.alpha;
                }
            }
            Condition::Hed | Condition::Seg => chosen = *point,
        }
        let outcome = evaluate(world, user, request, chosen);
        utility = outcome.utility;
        if request.qoe_threshold <= outcome.qoe && outcome.latency_s <= world.latency_limit_s {
            break;
        }
    }
    (chosen, utility)
}

/// Algorithm 1 (VCE): the candidate conditions of the user's preference (Canny and HED on the `q_I`
/// frontiers when `ω_I > ω_T`, else Depth and Seg on the `q_T` ones), each walked by [`best_config`];
/// the one with the higher utility wins (the first on a tie).
pub fn vce(world: &World, frontiers: &Frontiers, user: usize, request: &Request) -> Setting {
    let (candidates, metric) = if request.prefers_perceptual() {
        ([Condition::Canny, Condition::Hed], Metric::Perceptual)
    } else {
        ([Condition::Depth, Condition::Seg], Metric::Prompt)
    };
    let (first, first_utility) = best_config(world, user, request, frontiers.get(candidates[0], metric));
    let (second, second_utility) = best_config(world, user, request, frontiers.get(candidates[1], metric));
    if second_utility > first_utility { second } else { first }
}

/// Whether outcome `a` ranks above `b` for one user: satisfied first, then higher utility.
pub fn ranks_above(a: &Outcome, b: &Outcome) -> bool {
    if a.satisfied != b.satisfied { a.satisfied } else { a.utility > b.utility }
}

/// The best setting of all for user `user` under `split`, sent from the phone: satisfied if any can be,
/// then the highest utility (the first in [`Profile::settings`] order on a tie). `denoise_s` is `L²` of
/// `split`, which does not depend on the setting.
pub fn best_setting(world: &World, user: usize, request: &Request, split: Split, denoise_s: f64) -> (Setting, Outcome) {
    let mut best: Option<(Setting, Outcome)> = None;
    for setting in world.profile.settings() {
        let outcome = world.outcome_with(user, request, &phone_upload(world, user, setting), split, denoise_s);
        if best.as_ref().is_none_or(|(_, b)| ranks_above(&outcome, b)) {
            best = Some((setting, outcome));
        }
    }
    best.expect("a profile has at least one setting")
}

/// The exhaustive-search VCE: the best of every condition and compression (satisfied first, then
/// utility) at VCE's 20 steps all at the edge. What Algorithm 1 is compared with.
pub fn vce_exhaustive(world: &World, user: usize, request: &Request) -> Setting {
    let split = vce_split();
    best_setting(world, user, request, split, world.denoise_s(user, request.down_mbit_s, split)).0
}
