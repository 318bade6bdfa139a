//! Episode bookkeeping shared by the Gymnasium classic-control sanity tasks ([`super::cartpole`],
//! [`super::acrobot`]): the step count, the return, and the time limit of their v1 registrations.

use serde::Serialize;

use super::{Metrics, Step};
use crate::error::{Error, Result};

/// How far an episode has gone.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct EpisodeTally {
    /// Steps taken.
    pub steps: u32,
    /// Sum of rewards.
    pub total_reward: f64,
    /// The task's own end was reached (the pole fell, the tip rose above the bar).
    pub terminated: bool,
    /// The time limit cut the episode off.
    pub truncated: bool,
}

impl EpisodeTally {
    /// The episode has ended, either way.
    pub fn is_done(&self) -> bool {
        self.terminated || self.truncated
    }

    /// Refuses a step after the end (Gymnasium would call that undefined behaviour).
    pub fn check_running(&self) -> Result<()> {
        if self.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        Ok(())
    }

    /// Counts one step. Like Gymnasium's `TimeLimit` wrapper, step number `max_steps` is truncated whether or
    /// not it also terminated.
    pub fn record(&mut self, reward: f64, terminated: bool, max_steps: u32) -> Step {
        self.steps += 1;
        self.total_reward += reward;
        self.terminated = terminated;
        self.truncated = self.steps >= max_steps;
        Step { reward, terminated, truncated: self.truncated }
    }

    /// The episode's figures: return and how it ended (1 or 0). Its length is in the snapshot and in
    /// [`super::EpisodeSummary::steps`].
    pub fn metrics(&self) -> Metrics {
        Metrics(vec![
            ("total_reward", self.total_reward),
            ("terminated", f64::from(u8::from(self.terminated))),
            ("truncated", f64::from(u8::from(self.truncated))),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limit_truncates_at_the_limit_even_when_terminating() {
        let mut tally = EpisodeTally::default();
        assert_eq!(tally.record(1.0, false, 2), Step { reward: 1.0, terminated: false, truncated: false });
        assert!(tally.check_running().is_ok());
        assert_eq!(tally.record(-1.0, true, 2), Step { reward: -1.0, terminated: true, truncated: true });
        assert!(tally.is_done());
        assert_eq!(tally.check_running().unwrap_err().field, "action");
        assert_eq!(tally.metrics().0, vec![("total_reward", 0.0), ("terminated", 1.0), ("truncated", 1.0)]);
    }
}
