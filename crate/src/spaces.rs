//! What an agent sees of a scenario and what it may do, beneath both: the scenarios produce observations and
//! take [`Action`]s from their [`ActionSpace`]; the learners are built for a space and never see a
//! scenario (Gymnasium's `spaces`).

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
