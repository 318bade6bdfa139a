//! Summaries of repeated measurements — mean, sample standard deviation, range and the Student-t 95 %
//! confidence interval of the mean — so that a claim such as "the learned policy beats the heuristic" is
//! made as a statistic: paired on the same episodes, with an interval clear of zero.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Higher is better (a reward, a rate).
    Maximise,
    /// Lower is better (a delay).
    Minimise,
}

impl Goal {
    /// How much better `value` is than `reference`: `value − reference`, negated when lower is better.
    pub fn advantage(self, value: f64, reference: f64) -> f64 {
        match self {
            Goal::Maximise => value - reference,
            Goal::Minimise => reference - value,
        }
    }
}

/// Mean, spread and 95 % confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Sample standard deviation (`n − 1` in the denominator; 0 for a single value).
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Half-width of the 95 % confidence interval of the mean, `t_{0.975, n−1}·sd/√n` (0 for one value: no
    /// interval can be claimed from it).
    pub ci95: f64,
}

impl Summary {
    /// The summary of `values` (which must not be empty).
    pub fn of(values: &[f64]) -> Self {
        assert!(!values.is_empty(), "a summary needs at least one value");
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ci95 = if n > 1 { t_quantile_975(n - 1) * sd / (n as f64).sqrt() } else { 0.0 };
        Self { n, mean, sd, min, max, ci95 }
    }

    /// Lower end of the 95 % interval.
    pub fn low(&self) -> f64 {
        self.mean - self.ci95
    }

    /// Upper end of the 95 % interval.
    pub fn high(&self) -> f64 {
        self.mean + self.ci95
    }

    /// Whether the whole 95 % interval lies above zero (a difference that favours the first of a pair); a
    /// single value never does.
    pub fn clear_above_zero(&self) -> bool {
        self.n > 1 && self.low() > 0.0
    }
}

impl std::fmt::Display for Summary {
    /// `mean ± ci95`, with as many decimals as the interval's size warrants (at least one, at most four).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = if self.ci95 > 0.0 { self.ci95 } else { self.mean.abs() };
        let decimals = if scale > 0.0 { (2 - libm::floor(libm::log10(scale)) as i32).clamp(1, 4) } else { 1 };
        let d = decimals as usize;
        write!(f, "{:.d$} ± {:.d$}", self.mean, self.ci95)
    }
}

/// How much better each of `a` is than its partner in `b` under `goal` (the slices must have the same
/// length): the paired differences a claim of "beats" rests on.
pub fn paired_advantages(goal: Goal, a: &[f64], b: &[f64]) -> Vec<f64> {
    assert_eq!(a.len(), b.len(), "paired samples must have the same length");
    a.iter().zip(b).map(|(&x, &y)| goal.advantage(x, y)).collect()
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (2.776 for 4, 2.093 for 19).
pub fn t_quantile_975(df: usize) -> f64 {
    distrs::StudentsT::ppf(0.975, df as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        for (df, t) in [(1, 12.706), (4, 2.776), (9, 2.262), (19, 2.093), (29, 2.045), (1000, 1.962)] {
            assert!((t_quantile_975(df) - t).abs() < 5e-4, "df {df}: {}", t_quantile_975(df));
        }
    }

    #[test]
    fn summary_of_a_known_sample() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((s.n, s.mean, s.min, s.max), (5, 3.0, 1.0, 5.0));
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        // 2.776 · 1.5811 / √5 = 1.9632
        assert!((s.ci95 - 1.963_243).abs() < 1e-5, "{}", s.ci95);
        assert!(s.clear_above_zero());
        assert!(!Summary::of(&[-1.0, 2.0, 3.0]).clear_above_zero());
        let one = Summary::of(&[7.0]);
        assert_eq!((one.sd, one.ci95), (0.0, 0.0));
        assert!(!one.clear_above_zero(), "one value is no evidence");
        assert_eq!(format!("{s}"), "3.00 ± 1.96");
        assert_eq!(paired_advantages(Goal::Maximise, &[3.0, 5.0], &[1.0, 7.0]), vec![2.0, -2.0]);
        assert_eq!(paired_advantages(Goal::Minimise, &[3.0, 5.0], &[1.0, 7.0]), vec![-2.0, 2.0]);
    }
}
