//! What an agent sees of a scenario and what it may do, beneath both: the scenarios produce observations in
//! their [`ObservationSpace`] and take [`Action`]s from their [`ActionSpace`]; the learners are built for the
//! spaces and never see a scenario (Gymnasium's `spaces`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What an agent may do.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionSpace {
    /// One of `n` choices, `0..n` ([`Action::Discrete`]).
    Discrete {
        /// Number of choices.
        n: usize,
    },
    /// A vector of `dim` reals ([`Action::Vector`]); the scenario documents how it reads them.
    Box {
        /// Length of the vector.
        dim: usize,
    },
    /// `groups` blocks of `choices` logits followed by `continuous` reals each ([`Action::Vector`] of
    /// length `groups · (choices + continuous)`): the `ddc` per-user steps choice and offload ratio.
    Hybrid {
        /// Number of blocks (users).
        groups: usize,
        /// Logits per block (a categorical choice).
        choices: usize,
        /// Reals per block after the logits.
        continuous: usize,
    },
}

impl std::fmt::Display for ActionSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionSpace::Discrete { n } => write!(f, "Discrete({n})"),
            ActionSpace::Box { dim } => write!(f, "Box({dim})"),
            ActionSpace::Hybrid { groups, choices, continuous } => {
                write!(f, "Hybrid({groups}x({choices}+{continuous}))")
            }
        }
    }
}

impl ActionSpace {
    /// Number of choices of a discrete space.
    pub fn discrete_n(&self) -> Option<usize> {
        match self {
            ActionSpace::Discrete { n } => Some(*n),
            _ => None,
        }
    }

    /// Length of the vector an agent's network outputs for this space (the logits for a discrete space).
    pub fn vector_dim(&self) -> usize {
        match self {
            ActionSpace::Discrete { n } => *n,
            ActionSpace::Box { dim } => *dim,
            ActionSpace::Hybrid { groups, choices, continuous } => groups * (choices + continuous),
        }
    }
}

/// What an agent observes: a vector of [`dim`](Self::dim) reals, each between its own bounds (Gymnasium's
/// `Box(low, high)`, both ends included). A bound is infinite only where the feature has none; a feature
/// that never changes has `low == high`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationSpace {
    /// Smallest value of each feature (`-inf`: unbounded below).
    pub low: Vec<f32>,
    /// Largest value of each feature (`+inf`: unbounded above).
    pub high: Vec<f32>,
}

impl ObservationSpace {
    /// The space of features with these `(low, high)` bounds, in order. Panics on a NaN bound or a `low`
    /// above its `high`: a scenario's bounds are code, not input.
    pub fn from_bounds(bounds: impl IntoIterator<Item = (f32, f32)>) -> Self {
        let (low, high): (Vec<f32>, Vec<f32>) = bounds.into_iter().unzip();
        for (i, (lo, hi)) in low.iter().zip(&high).enumerate() {
            assert!(lo <= hi, "observation feature {i}: bounds [{lo}, {hi}] are empty or NaN");
        }
        Self { low, high }
    }

    /// Length of the observation vector.
    pub fn dim(&self) -> usize {
        self.low.len()
    }

    /// Whether `observation` has this space's length and every value within its bounds (NaN never is).
    pub fn contains(&self, observation: &[f32]) -> bool {
        observation.len() == self.dim()
            && observation.iter().zip(self.low.iter().zip(&self.high)).all(|(x, (lo, hi))| lo <= x && x <= hi)
    }

    /// The first feature of `observation` outside its bounds, as `(index, value, low, high)`; `None` when
    /// the space contains it or its length is wrong. For test failures that say which feature broke out.
    pub fn first_outside(&self, observation: &[f32]) -> Option<(usize, f32, f32, f32)> {
        (0..observation.len().min(self.dim()))
            .map(|i| (i, observation[i], self.low[i], self.high[i]))
            .find(|&(_, x, lo, hi)| !(lo <= x && x <= hi))
    }
}

/// An upper bound on a floating-point running sum whose exact value never exceeds `exact_max`, after at
/// most `operations` roundings (additions of non-negative terms, subtractions of earlier ones, `max`es):
/// each rounding moves the value by at most `f64::EPSILON / 2` of itself, so to first order the sum stays
/// within `exact_max · (1 + operations · f64::EPSILON)`. Bounds on queues and backlogs use it so that the
/// rounding of the simulation's own sums never takes an observation past its bound.
pub fn rounded_sum_max(exact_max: f64, operations: f64) -> f64 {
    exact_max * (1.0 + operations * f64::EPSILON)
}

/// One action, shaped by the scenario's [`ActionSpace`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Action {
    /// An index into a discrete space.
    Discrete(usize),
    /// A vector for a `Box` or `Hybrid` space.
    Vector(Vec<f32>),
}

impl Action {
    /// The action as numbers, as a replay buffer stores it: `[index]` or the vector.
    pub fn to_values(&self) -> Vec<f32> {
        match self {
            Action::Discrete(i) => vec![*i as f32],
            Action::Vector(v) => v.clone(),
        }
    }

    /// The index of a discrete action, checked to be below `n`.
    pub fn index_below(&self, n: usize) -> Result<usize> {
        match *self {
            Action::Discrete(i) if i < n => Ok(i),
            Action::Discrete(i) => Err(Error::new("action", format!("must be an index below {n}, got {i}"))),
            Action::Vector(_) => Err(Error::new("action", format!("must be an index below {n}, got a vector"))),
        }
    }

    /// The values of a vector action, checked to have length `dim` and only finite entries.
    pub fn vector_of_len(&self, dim: usize) -> Result<&[f32]> {
        match self {
            Action::Vector(v) if v.len() != dim => {
                Err(Error::new("action", format!("must have {dim} values, got {}", v.len())))
            }
            Action::Vector(v) => match v.iter().position(|x| !x.is_finite()) {
                Some(i) => Err(Error::new(format!("action[{i}]"), format!("must be a finite number, got {}", v[i]))),
                None => Ok(v),
            },
            Action::Discrete(_) => Err(Error::new("action", format!("must be a vector of {dim} values, got an index"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observation_space_holds_what_lies_within_its_bounds() {
        let space = ObservationSpace::from_bounds([(0.0, 1.0), (f32::NEG_INFINITY, f32::INFINITY), (2.5, 2.5)]);
        assert_eq!(space.dim(), 3);
        assert!(space.contains(&[0.0, -1e30, 2.5]) && space.contains(&[1.0, f32::INFINITY, 2.5]));
        assert!(!space.contains(&[1.0000001, 0.0, 2.5]));
        assert!(!space.contains(&[0.5, f32::NAN, 2.5]));
        assert!(!space.contains(&[0.5, 0.0]), "a wrong length is outside");
        assert_eq!(space.first_outside(&[0.5, 0.0, 2.6]), Some((2, 2.6, 2.5, 2.5)));
        assert_eq!(space.first_outside(&[0.5, 0.0, 2.5]), None);
    }

    #[test]
    #[should_panic(expected = "observation feature 1")]
    fn empty_bounds_are_refused() {
        ObservationSpace::from_bounds([(0.0, 1.0), (1.0, 0.0)]);
    }

    #[test]
    fn a_rounded_sum_stays_below_its_bound() {
        // 0.1 is above its decimal value in binary, so a running sum of tenths passes `n · 0.1` exactly
        // computed; the bound leaves room for that.
        let (n, term) = (1_000_000u32, 0.1f64);
        let sum = (0..n).fold(0.0, |s, _| s + term);
        assert!(sum > f64::from(n) * term);
        assert!(sum <= rounded_sum_max(f64::from(n) * term, f64::from(n)));
    }
}
