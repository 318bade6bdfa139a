//! Fitting a scenario's curves to raw measurements (a CSV table), so users can bring their own models: the
//! page shows the fitted curve over the points, and the user then applies it to the parameter file.
//!
//! - `tot`: a table `tokens,delay_s,score` gives the delay line `T = η·C + ψ` (linear least squares) and the
//!   quality curve `Score = Score_max − σ·e^(−ρ·C)` (Levenberg–Marquardt from the better of a log-linear
//!   and a grid start) — [`fit_tot_csv`].
//! - `asp`: a table `steps,quality` gives the utility ramp `a_x, b_x, b_y − a_y` (zero below `a_x`, linear to
//!   `b_x`, flat after) by least squares over the two breakpoints — [`fit_asp_csv`].
//!
//! Every fit keeps its parameters where the parameter files accept them (non-negative curve constants,
//! `a_x ≥ 0`), reports R², and refuses degenerate data with a sentence saying why. Problems with a cell name
//! its line and column.

use serde::Serialize;

use super::asp::Provider;
use super::csv::Table;
use super::tot::{Curve, MAX_TOKENS};
use crate::error::{Error, Result, check_range};

/// Fewest data rows a fit accepts.
pub const MIN_ROWS: usize = 3;
/// Points of the sampled curve returned for plotting.
pub const CURVE_SAMPLES: usize = 101;
/// Most Levenberg–Marquardt iterations before a fit counts as not converging.
pub const MAX_ITERATIONS: u32 = 500;
/// Largest magnitude accepted for a delay, score or quality value.
const MAX_VALUE: f64 = 1.0e6;
/// Largest quality rate `ρ` (per token) a fit may return, as the parameter file allows.
const MAX_RHO_PER_TOKEN: f64 = 100.0;

/// The delay line of a `tot` server.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DelayFit {
    /// Delay per output token `η` (s).
    pub eta_s_per_token: f64,
    /// Fixed overhead `ψ` (s).
    pub psi_s: f64,
    /// Coefficient of determination of the fit.
    pub r_squared: f64,
}

/// The quality curve of a `tot` server.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct QualityFit {
    /// Initial score deficit `σ`.
    pub sigma: f64,
    /// Quality rate `ρ` per token.
    pub rho_per_token: f64,
    /// Coefficient of determination of the fit.
    pub r_squared: f64,
    /// Levenberg–Marquardt iterations used.
    pub iterations: u32,
}

/// One point of the fitted `tot` curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TotSample {
    /// Output tokens.
    pub tokens: f64,
    /// Fitted delay (s).
    pub delay_s: f64,
    /// Fitted score.
    pub score: f64,
}

/// Both fitted curves of a `tot` server, from a `tokens,delay_s,score` table.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TotFit {
    /// Data rows used.
    pub points: usize,
    /// The `Score_max` the quality curve was fitted with.
    pub score_max: f64,
    /// `T = η·C + ψ`.
    pub delay: DelayFit,
    /// `Score = Score_max − σ·e^(−ρ·C)`.
    pub quality: QualityFit,
    /// The fitted curves at [`CURVE_SAMPLES`] token counts spanning the data.
    pub curve: Vec<TotSample>,
    /// The measurements the curves were fitted to, in file order (the page plots them under the curve).
    pub data: Vec<TotSample>,
}

impl TotFit {
    /// The fitted curves as a parameter file's [`Curve`] (for the BS or an SP).
    pub fn curve_params(&self) -> Curve {
        Curve {
            sigma: self.quality.sigma,
            rho_per_token: self.quality.rho_per_token,
            eta_s_per_token: self.delay.eta_s_per_token,
            psi_s: self.delay.psi_s,
        }
    }
}

/// One point of the fitted `asp` utility curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AspSample {
    /// Denoising steps.
    pub steps: f64,
    /// Fitted utility.
    pub quality: f64,
}

/// The utility ramp of an `asp` provider, from a `steps,quality` table.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AspFit {
    /// Data rows used.
    pub points: usize,
    /// Steps where the ramp starts (`a_x`, at least 0).
    pub a_x: f64,
    /// Steps where the ramp ends (`b_x`, above `a_x`).
    pub b_x: f64,
    /// Utility from `b_x` on (`b_y − a_y`).
    pub height: f64,
    /// Coefficient of determination of the fit.
    pub r_squared: f64,
    /// The fitted curve at [`CURVE_SAMPLES`] step counts spanning the data, plus its two breakpoints where
    /// they fall inside, in increasing order.
    pub curve: Vec<AspSample>,
    /// The measurements the ramp was fitted to, in file order (the page plots them under the curve).
    pub data: Vec<AspSample>,
}

impl AspFit {
    /// The provider with this curve, a capacity and a base quality `a_y` (so `b_y = a_y + height`).
    pub fn provider(&self, capacity_steps: u32, a_y: f64) -> Provider {
        Provider { capacity_steps, a_x: self.a_x, a_y, b_x: self.b_x, b_y: a_y + self.height }
    }
}

/// Every value must be finite and within `lo..=hi`; `place(i)` names value `i` for the error.
fn check_values(values: &[f64], lo: f64, hi: f64, place: impl Fn(usize) -> String) -> Result<()> {
    values.iter().enumerate().try_for_each(|(i, &v)| check_range(&place(i), v, lo, hi))
}

/// Reads a required column as numbers within `lo..=hi`; errors name the line and column.
fn column(table: &Table, name: &str, lo: f64, hi: f64) -> Result<Vec<f64>> {
    let values = table.numbers(name)?;
    check_values(&values, lo, hi, |row| table.locate(row, name))?;
    Ok(values)
}

/// Ranges of the `tot` columns.
const TOT_COLUMNS: [(&str, f64, f64); 3] =
    [("tokens", 0.0, MAX_TOKENS as f64), ("delay_s", 0.0, MAX_VALUE), ("score", -MAX_VALUE, MAX_VALUE)];
/// Ranges of the `asp` columns.
const ASP_COLUMNS: [(&str, f64, f64); 2] = [("steps", 0.0, MAX_VALUE), ("quality", -MAX_VALUE, MAX_VALUE)];

/// Fits the `tot` curves to CSV text with columns `tokens,delay_s,score` (others are ignored), with the
/// quality ceiling `score_max` (the paper's is 10).
pub fn fit_tot_csv(text: &str, score_max: f64) -> Result<TotFit> {
    check_range("score_max", score_max, 1.0e-6, MAX_VALUE)?;
    let table = Table::parse(text, &TOT_COLUMNS.map(|c| c.0), MIN_ROWS)?;
    let [tokens, delay_s, score] = TOT_COLUMNS.map(|(name, lo, hi)| column(&table, name, lo, hi));
    fit_tot(&tokens?, &delay_s?, &score?, score_max)
}

/// Fits the `tot` curves to measurements given as columns (equal lengths, at least [`MIN_ROWS`], tokens in
/// `0..=10⁶`, delays in `0..=10⁶` s, scores within ±10⁶); errors name the column and index.
pub fn fit_tot(tokens: &[f64], delay_s: &[f64], score: &[f64], score_max: f64) -> Result<TotFit> {
    check_range("score_max", score_max, 1.0e-6, MAX_VALUE)?;
    check_columns(&TOT_COLUMNS, &[tokens, delay_s, score])?;
    distinct_at_least("tokens", tokens, 2, "two different token counts")?;
    if score.iter().all(|&s| s == score[0]) {
        return Err(Error::new(
            "score",
            format!("every score is {}; a quality curve needs scores that change with tokens", score[0]),
        ));
    }
    let delay = fit_line(tokens, delay_s);
    let quality = fit_saturation(tokens, score, score_max, MAX_ITERATIONS)?;
    let (lo, hi) = min_max(tokens);
    let curve = (0..CURVE_SAMPLES)
        .map(|k| {
            let c = lo + (hi - lo) * k as f64 / (CURVE_SAMPLES - 1) as f64;
            TotSample {
                tokens: c,
                delay_s: delay.eta_s_per_token * c + delay.psi_s,
                score: score_max - quality.sigma * libm::exp(-quality.rho_per_token * c),
            }
        })
        .collect();
    let data =
        (0..tokens.len()).map(|i| TotSample { tokens: tokens[i], delay_s: delay_s[i], score: score[i] }).collect();
    let fit = TotFit { points: tokens.len(), score_max, delay, quality, curve, data };
    let figures = [fit.delay.r_squared, fit.quality.r_squared]
        .into_iter()
        .chain(fit.curve.iter().flat_map(|p| [p.delay_s, p.score]));
    usable(figures, fit.curve_params().validate("fit"))?;
    Ok(fit)
}

/// A fit is returned only if the parameter file would take it: every figure it reports finite (R², the
/// sampled curve) and its parameters within the file's bounds (`check`, the file's own validation), so
/// the page never offers to apply a fit that the file then refuses, or one with `null` in it. Data with
/// values too close together (a step of 10⁻³²⁰) or too extreme for the model fail here, with the reason.
fn usable(figures: impl IntoIterator<Item = f64>, check: Result<()>) -> Result<()> {
    if figures.into_iter().any(|v| !v.is_finite()) {
        return Err(Error::new(
            "fit",
            "does not converge to finite numbers on these measurements (values too close together or too extreme)",
        ));
    }
    check.map_err(|e| {
        let name = e.field.strip_prefix("fit.").unwrap_or(&e.field);
        Error::new("fit", format!("gives {name} outside what a parameter file accepts ({}): these measurements do not determine a usable curve", e.problem))
    })
}

/// Fits the `asp` utility ramp to CSV text with columns `steps,quality` (others are ignored).
pub fn fit_asp_csv(text: &str) -> Result<AspFit> {
    let table = Table::parse(text, &ASP_COLUMNS.map(|c| c.0), MIN_ROWS)?;
    let [steps, quality] = ASP_COLUMNS.map(|(name, lo, hi)| column(&table, name, lo, hi));
    fit_asp(&steps?, &quality?)
}

/// Fits the `asp` utility ramp to measurements given as columns (equal lengths, at least [`MIN_ROWS`],
/// steps in `0..=10⁶`, quality within ±10⁶); errors name the column and index.
pub fn fit_asp(steps: &[f64], quality: &[f64]) -> Result<AspFit> {
    check_columns(&ASP_COLUMNS, &[steps, quality])?;
    distinct_at_least("steps", steps, 3, "three different step counts")?;
    if quality.iter().all(|&q| q == quality[0]) {
        return Err(Error::new(
            "quality",
            format!("every value is {}; a ramp needs quality that changes with steps", quality[0]),
        ));
    }
    let ramp = Ramp::fit(steps, quality);
    let (lo, hi) = min_max(steps);
    let mut xs: Vec<f64> = (0..CURVE_SAMPLES).map(|k| lo + (hi - lo) * k as f64 / (CURVE_SAMPLES - 1) as f64).collect();
    xs.extend([ramp.a_x, ramp.b_x].into_iter().filter(|x| (lo..=hi).contains(x)));
    xs.sort_by(f64::total_cmp);
    let curve = xs.into_iter().map(|s| AspSample { steps: s, quality: ramp.value(s) }).collect();
    let fitted: Vec<f64> = steps.iter().map(|&s| ramp.value(s)).collect();
    let fit = AspFit {
        points: steps.len(),
        a_x: ramp.a_x,
        b_x: ramp.b_x,
        height: ramp.height,
        r_squared: r_squared(quality, &fitted),
        curve,
        data: steps.iter().zip(quality).map(|(&steps, &quality)| AspSample { steps, quality }).collect(),
    };
    // With a base quality of 0 the height is b_y, which the file bounds as it bounds every quality.
    let figures = [fit.r_squared].into_iter().chain(fit.curve.iter().flat_map(|p| [p.steps, p.quality]));
    usable(figures, fit.provider(1, 0.0).validate("fit"))?;
    Ok(fit)
}

/// Columns (named with their ranges in `spec`) must be equally long, at least [`MIN_ROWS`], and in range.
fn check_columns(spec: &[(&str, f64, f64)], columns: &[&[f64]]) -> Result<()> {
    let n = columns[0].len();
    for (&(name, lo, hi), values) in spec.iter().zip(columns) {
        if values.len() != n {
            return Err(Error::new(name, format!("has {} values; {} has {n}", values.len(), spec[0].0)));
        }
        if values.len() < MIN_ROWS {
            return Err(Error::new(name, format!("needs at least {MIN_ROWS} values, got {}", values.len())));
        }
        check_values(values, lo, hi, |i| format!("{name}[{i}]"))?;
    }
    Ok(())
}

fn distinct_at_least(name: &str, values: &[f64], k: usize, what: &str) -> Result<()> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    if sorted.len() < k {
        let seen: Vec<String> = sorted.iter().map(f64::to_string).collect();
        return Err(Error::new(name, format!("has only the values {}; fitting needs {what}", seen.join(", "))));
    }
    Ok(())
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

fn square(v: f64) -> f64 {
    v * v
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// `1 − SS_res / SS_tot`; 1 for data without spread (a constant fitted by a constant).
fn r_squared(y: &[f64], fitted: &[f64]) -> f64 {
    let m = mean(y);
    let ss_tot: f64 = y.iter().map(|v| (v - m) * (v - m)).sum();
    let ss_res: f64 = y.iter().zip(fitted).map(|(v, f)| (v - f) * (v - f)).sum();
    if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 1.0 }
}

/// `y ≈ η·x + ψ` by least squares with `η, ψ ≥ 0` (the parameter file's bounds): the unconstrained line if
/// it is feasible, else the better of the two boundary fits. `x` must hold two different values.
fn fit_line(x: &[f64], y: &[f64]) -> DelayFit {
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sse = |eta: f64, psi: f64| x.iter().zip(y).map(|(a, b)| square(b - eta * a - psi)).sum::<f64>();
    let eta = sxy / sxx;
    let psi = my - eta * mx;
    let (eta, psi) = if eta >= 0.0 && psi >= 0.0 {
        (eta, psi)
    } else {
        // Through the origin (ψ = 0), or flat (η = 0); x has a non-zero value since it has two values.
        let sx2: f64 = x.iter().map(|v| v * v).sum();
        let through_origin = ((x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>() / sx2).max(0.0), 0.0);
        let flat = (0.0, my.max(0.0));
        if sse(through_origin.0, through_origin.1) <= sse(flat.0, flat.1) { through_origin } else { flat }
    };
    let fitted: Vec<f64> = x.iter().map(|a| eta * a + psi).collect();
    DelayFit { eta_s_per_token: eta, psi_s: psi, r_squared: r_squared(y, &fitted) }
}

/// Sum of squared residuals of `Score_max − σ·e^(−ρ·C)`.
fn saturation_sse(x: &[f64], y: &[f64], score_max: f64, sigma: f64, rho: f64) -> f64 {
    x.iter().zip(y).map(|(&c, &s)| square(s - score_max + sigma * libm::exp(-rho * c))).sum()
}

/// The best `σ ≥ 0` for a fixed `ρ` (the model is linear in `σ`).
fn best_sigma(x: &[f64], y: &[f64], score_max: f64, rho: f64) -> f64 {
    let (mut zw, mut ww) = (0.0, 0.0);
    for (&c, &s) in x.iter().zip(y) {
        let w = libm::exp(-rho * c);
        zw += (score_max - s) * w;
        ww += w * w;
    }
    if ww > 0.0 { (zw / ww).max(0.0) } else { 0.0 }
}

/// Starting point for Levenberg–Marquardt: the better (by squared error) of the log-linear fit
/// `ln(Score_max − Score) = ln σ − ρ·C` over rows below the ceiling, and the best point of a log-spaced
/// grid over `ρ` with its best `σ`.
fn saturation_start(x: &[f64], y: &[f64], score_max: f64) -> (f64, f64) {
    let x_max = min_max(x).1;
    let mut candidates = Vec::new();
    let below: Vec<(f64, f64)> =
        x.iter().zip(y).filter(|&(_, &s)| s < score_max).map(|(&c, &s)| (c, libm::log(score_max - s))).collect();
    if below.len() >= 2 {
        let (xs, ls): (Vec<f64>, Vec<f64>) = below.into_iter().unzip();
        let (mx, ml) = (mean(&xs), mean(&ls));
        let sxx: f64 = xs.iter().map(|v| (v - mx) * (v - mx)).sum();
        if sxx > 0.0 {
            let slope = xs.iter().zip(&ls).map(|(a, b)| (a - mx) * (b - ml)).sum::<f64>() / sxx;
            let rho = (-slope).clamp(0.0, MAX_RHO_PER_TOKEN);
            candidates.push((libm::exp(ml - slope * mx).min(MAX_VALUE), rho));
        }
    }
    // ρ·C_max from 10⁻³ to 10³ covers every curve the data can tell apart from a constant or a step.
    for k in 0..=120 {
        let rho = (libm::pow(10.0, -3.0 + 6.0 * f64::from(k) / 120.0) / x_max.max(1e-9)).min(MAX_RHO_PER_TOKEN);
        candidates.push((best_sigma(x, y, score_max, rho), rho));
    }
    candidates
        .into_iter()
        .filter(|(s, r)| s.is_finite() && r.is_finite())
        .min_by(|a, b| saturation_sse(x, y, score_max, a.0, a.1).total_cmp(&saturation_sse(x, y, score_max, b.0, b.1)))
        .unwrap_or((0.0, 0.0))
}

/// `Score ≈ Score_max − σ·e^(−ρ·C)` by Levenberg–Marquardt with the parameters kept in `σ ≥ 0`,
/// `0 ≤ ρ ≤ 100`, giving up after `max_iterations`.
fn fit_saturation(x: &[f64], y: &[f64], score_max: f64, max_iterations: u32) -> Result<QualityFit> {
    let (mut sigma, mut rho) = saturation_start(x, y, score_max);
    let mut sse = saturation_sse(x, y, score_max, sigma, rho);
    let mut lambda = 1e-3;
    let mut converged = false;
    let mut iterations = 0;
    while iterations < max_iterations {
        iterations += 1;
        // Normal equations of the residuals r = y − f, with f = Score_max − σ·w, w = e^(−ρC):
        // ∂f/∂σ = −w, ∂f/∂ρ = σ·C·w.
        let (mut a11, mut a12, mut a22, mut g1, mut g2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&c, &s) in x.iter().zip(y) {
            let w = libm::exp(-rho * c);
            let r = s - score_max + sigma * w;
            let (j1, j2) = (-w, sigma * c * w);
            a11 += j1 * j1;
            a12 += j1 * j2;
            a22 += j2 * j2;
            g1 += j1 * r;
            g2 += j2 * r;
        }
        let gradient = g1.abs().max(g2.abs());
        if sse == 0.0 || gradient <= 1e-14 * (1.0 + sse) {
            converged = true;
            break;
        }
        // Marquardt's scaling by the diagonal; a parameter without influence keeps a tiny damping.
        let (d1, d2) = ((a11 * lambda).max(1e-300), (a22 * lambda).max(1e-300));
        let (b11, b22) = (a11 + d1, a22 + d2);
        let det = b11 * b22 - a12 * a12;
        let step = if det > 0.0 && det.is_finite() {
            Some(((g1 * b22 - g2 * a12) / det, (b11 * g2 - a12 * g1) / det))
        } else {
            None
        };
        let trial = step
            .map(|(ds, dr)| ((sigma + ds).clamp(0.0, MAX_VALUE), (rho + dr).clamp(0.0, MAX_RHO_PER_TOKEN)))
            .map(|(s, r)| (s, r, saturation_sse(x, y, score_max, s, r)));
        match trial {
            Some((s, r, new_sse)) if new_sse < sse => {
                let small = (s - sigma).abs() <= 1e-12 * (sigma.abs() + 1e-12)
                    && (r - rho).abs() <= 1e-12 * (rho.abs() + 1e-12);
                let settled = sse - new_sse <= 1e-15 * sse;
                (sigma, rho, sse) = (s, r, new_sse);
                lambda = (lambda * 0.3).max(1e-12);
                if small || settled {
                    converged = true;
                    break;
                }
            }
            _ => {
                lambda *= 10.0;
                if lambda > 1e16 {
                    // No step however short lowers the error: a minimum (possibly on a bound).
                    converged = true;
                    break;
                }
            }
        }
    }
    if !(converged && sigma.is_finite() && rho.is_finite() && sse.is_finite()) {
        return Err(Error::new(
            "score",
            format!(
                "the quality curve did not converge in {max_iterations} iterations (last σ = {sigma}, ρ = {rho}); \
                 check that scores rise towards score_max as tokens grow"
            ),
        ));
    }
    let fitted: Vec<f64> = x.iter().map(|&c| score_max - sigma * libm::exp(-rho * c)).collect();
    Ok(QualityFit { sigma, rho_per_token: rho, r_squared: r_squared(y, &fitted), iterations })
}

/// The `asp` utility ramp: 0 below `a_x`, linear to `height` at `b_x`, flat after.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    a_x: f64,
    b_x: f64,
    height: f64,
}

impl Ramp {
    fn value(&self, steps: f64) -> f64 {
        Provider { capacity_steps: 1, a_x: self.a_x, a_y: 0.0, b_x: self.b_x, b_y: self.height }.utility(steps)
    }

    /// Least squares over `(a_x, b_x)`, the height being linear given them: a grid over `[0, max steps]`
    /// together with the data's own step counts, then a compass search from the best pair. Works in steps
    /// scaled to `[0, 1]` over the data so the prefix sums stay well conditioned.
    fn fit(steps: &[f64], quality: &[f64]) -> Self {
        let (lo, hi) = min_max(steps);
        let span = hi - lo;
        let mut points: Vec<(f64, f64)> = steps.iter().zip(quality).map(|(&s, &q)| ((s - lo) / span, q)).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let sums = PrefixSums::new(&points);
        let a_min = -lo / span; // a_x = 0
        const GRID: usize = 256;
        let mut candidates: Vec<f64> = (0..=GRID).map(|k| a_min + (1.0 - a_min) * k as f64 / GRID as f64).collect();
        let mut distinct: Vec<f64> = points.iter().map(|p| p.0).collect();
        distinct.dedup();
        let stride = distinct.len().div_ceil(GRID);
        candidates.extend(distinct.iter().step_by(stride));
        candidates.sort_by(f64::total_cmp);
        candidates.dedup();
        let mut best = (f64::INFINITY, a_min, 1.0);
        for (i, &a) in candidates.iter().enumerate() {
            for &b in &candidates[i + 1..] {
                let sse = sums.sse(a, b).0;
                if sse < best.0 {
                    best = (sse, a, b);
                }
            }
        }
        let (mut sse, mut a, mut b) = best;
        let mut h = (1.0 - a_min) / GRID as f64;
        while h > 1e-13 {
            let mut moved = false;
            for (da, db) in [(h, 0.0), (-h, 0.0), (0.0, h), (0.0, -h), (h, h), (-h, -h)] {
                let (na, nb) = ((a + da).max(a_min), (b + db).min(1.0));
                if na < nb {
                    let s = sums.sse(na, nb).0;
                    if s < sse {
                        (sse, a, b, moved) = (s, na, nb, true);
                    }
                }
            }
            if !moved {
                h /= 2.0;
            }
        }
        let height = sums.sse(a, b).1;
        Self { a_x: (lo + a * span).max(0.0), b_x: lo + b * span, height }
    }
}

/// Prefix sums over points sorted by `t`, for the squared error of a ramp in O(log n).
struct PrefixSums {
    t: Vec<f64>,
    /// Running sums of 1, t, t², q, t·q, q² (entry `i` covers points `0..i`).
    sums: Vec<[f64; 6]>,
}

impl PrefixSums {
    fn new(points: &[(f64, f64)]) -> Self {
        let mut sums = vec![[0.0; 6]];
        for &(t, q) in points {
            let last = sums[sums.len() - 1];
            let add = [1.0, t, t * t, q, t * q, q * q];
            sums.push(core::array::from_fn(|k| last[k] + add[k]));
        }
        Self { t: points.iter().map(|p| p.0).collect(), sums }
    }

    fn range(&self, from: usize, to: usize) -> [f64; 6] {
        core::array::from_fn(|k| self.sums[to][k] - self.sums[from][k])
    }

    /// Squared error and best height of the ramp with breakpoints `a < b` (scaled units).
    fn sse(&self, a: f64, b: f64) -> (f64, f64) {
        let n = self.t.len();
        let ia = self.t.partition_point(|&t| t <= a);
        let ib = self.t.partition_point(|&t| t <= b).max(ia);
        let [c, st, stt, sq, stq, _] = self.range(ia, ib);
        let [cf, _, _, sqf, _, _] = self.range(ib, n);
        let w = b - a;
        let phi_q = (stq - a * sq) / w + sqf;
        let phi_phi = (stt - 2.0 * a * st + a * a * c) / (w * w) + cf;
        let total_qq = self.sums[n][5];
        if phi_phi <= 0.0 {
            return (total_qq, 0.0);
        }
        let height = phi_q / phi_phi;
        ((total_qq - height * phi_q).max(0.0), height)
    }
}

#[cfg(test)]
mod tests;
