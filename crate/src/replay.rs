//! Experience replay with n-step returns.
//!
//! Transitions go in one step at a time; [`NStep`] turns them into n-step transitions
//! `(s_t, a_t, R = Σ_{k<n} γ^k r_{t+k}, s_{t+n}, γ^n)` — shorter at the end of an episode, with discount 0
//! when the episode terminated (no bootstrap) and `γ^k` when it was truncated (bootstrap from the last
//! state) — and [`ReplayBuffer`] stores them in flat ring buffers and samples uniform batches.

use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// One environment step as the learner saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// Observation before the step.
    pub obs: Vec<f32>,
    /// The action taken: its index (discrete) or its vector.
    pub action: Vec<f32>,
    /// The reward.
    pub reward: f32,
    /// Observation after the step.
    pub next_obs: Vec<f32>,
    /// The episode reached its natural end.
    pub terminated: bool,
    /// The episode was cut off (time limit): bootstrap from `next_obs`.
    pub truncated: bool,
    /// LAD's latent action start at `obs` (the denoising chain's `x_T`), empty for other learners.
    /// (Saved under its name of before, so that checkpoints written then load.)
    #[serde(rename = "extra")]
    pub latent: Vec<f32>,
    /// The same at `next_obs`.
    #[serde(rename = "next_extra")]
    pub next_latent: Vec<f32>,
}

/// A transition as stored: n-step return and the discount of the bootstrap value.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// `s_t`.
    pub obs: Vec<f32>,
    /// `a_t`.
    pub action: Vec<f32>,
    /// `Σ_{k<n} γ^k r_{t+k}`.
    pub ret: f32,
    /// `s_{t+n}` (or the last state of the episode).
    pub next_obs: Vec<f32>,
    /// `γ^n`, `γ^k` after a truncation at k steps, or 0 after a termination.
    pub discount: f32,
    /// Extra inputs at `s_t`.
    pub latent: Vec<f32>,
    /// Extra inputs at the bootstrap state.
    pub next_latent: Vec<f32>,
}

/// Turns a stream of one-step transitions into n-step ones.
#[derive(Debug, Clone)]
pub struct NStep {
    n: usize,
    gamma: f64,
    window: std::collections::VecDeque<Transition>,
}

impl NStep {
    /// An accumulator for `n`-step returns with discount `gamma`.
    pub fn new(n: usize, gamma: f64) -> Self {
        Self { n: n.max(1), gamma, window: std::collections::VecDeque::new() }
    }

    /// Adds a step; returns the n-step transitions it completes (several at the end of an episode).
    pub fn push(&mut self, t: Transition, out: &mut Vec<Stored>) {
        let end = t.terminated || t.truncated;
        self.window.push_back(t);
        if self.window.len() == self.n {
            out.push(self.emit());
            self.window.pop_front();
        }
        if end {
            while !self.window.is_empty() {
                out.push(self.emit());
                self.window.pop_front();
            }
        }
    }

    /// Forgets a partial window (when an episode is abandoned without its last step).
    pub fn clear(&mut self) {
        self.window.clear();
    }

    /// Saves the partial window under `key`.
    pub fn save(&self, key: &str, ck: &mut Checkpoint) {
        ck.put_state(key, &self.window);
    }

    /// Restores a window saved by [`NStep::save`].
    pub fn load(&mut self, key: &str, ck: &Checkpoint) -> Result<()> {
        self.window = ck.state(key)?;
        Ok(())
    }

    /// The n-step transition starting at the front of the window.
    fn emit(&self) -> Stored {
        let first = &self.window[0];
        let last = self.window.back().expect("window holds a transition");
        let mut ret = 0.0f64;
        let mut scale = 1.0f64;
        for t in &self.window {
            ret += scale * f64::from(t.reward);
            scale *= self.gamma;
        }
        let discount = if last.terminated { 0.0 } else { scale };
        Stored {
            obs: first.obs.clone(),
            action: first.action.clone(),
            ret: ret as f32,
            next_obs: last.next_obs.clone(),
            discount: discount as f32,
            latent: first.latent.clone(),
            next_latent: last.next_latent.clone(),
        }
    }
}

/// A batch sampled from the buffer, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Rows.
    pub rows: usize,
    /// `rows × obs_dim`.
    pub obs: Vec<f32>,
    /// `rows × action_width`.
    pub action: Vec<f32>,
    /// `rows`.
    pub ret: Vec<f32>,
    /// `rows × obs_dim`.
    pub next_obs: Vec<f32>,
    /// `rows`.
    pub discount: Vec<f32>,
    /// `rows × latent_width` (empty when the learner keeps no latent starts).
    pub latent: Vec<f32>,
    /// `rows × latent_width`.
    pub next_latent: Vec<f32>,
}

impl Batch {
    /// A batch of uniform random transitions (discrete actions cycling through `actions`), for benchmarks
    /// that time an update without an environment.
    pub fn synthetic(rows: usize, obs_dim: usize, actions: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed, crate::rng::Stream::Episode);
        let mut uniform = |n: usize| (0..n).map(|_| rng.uniform() as f32).collect::<Vec<f32>>();
        Batch {
            rows,
            obs: uniform(rows * obs_dim),
            action: (0..rows).map(|i| (i % actions) as f32).collect(),
            ret: uniform(rows),
            next_obs: uniform(rows * obs_dim),
            discount: vec![0.95; rows],
            latent: Vec::new(),
            next_latent: Vec::new(),
        }
    }
}

/// A ring buffer of n-step transitions in flat arrays, grown up to its capacity as it fills.
#[derive(Debug, Clone)]
pub struct ReplayBuffer {
    capacity: usize,
    obs_dim: usize,
    action_width: usize,
    latent_width: usize,
    len: usize,
    next: usize,
    obs: Vec<f32>,
    action: Vec<f32>,
    ret: Vec<f32>,
    next_obs: Vec<f32>,
    discount: Vec<f32>,
    latent: Vec<f32>,
    next_latent: Vec<f32>,
}

impl ReplayBuffer {
    /// An empty buffer for `capacity` transitions.
    pub fn new(capacity: usize, obs_dim: usize, action_width: usize, latent_width: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            obs_dim,
            action_width,
            latent_width,
            len: 0,
            next: 0,
            obs: Vec::new(),
            action: Vec::new(),
            ret: Vec::new(),
            next_obs: Vec::new(),
            discount: Vec::new(),
            latent: Vec::new(),
            next_latent: Vec::new(),
        }
    }

    /// Transitions stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is stored yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `t`, overwriting the oldest when full.
    pub fn push(&mut self, t: &Stored) {
        fn put(dst: &mut Vec<f32>, at: usize, width: usize, src: &[f32]) {
            if dst.len() < (at + 1) * width {
                dst.extend_from_slice(src);
            } else {
                dst[at * width..(at + 1) * width].copy_from_slice(src);
            }
        }
        let at = self.next;
        put(&mut self.obs, at, self.obs_dim, &t.obs);
        put(&mut self.action, at, self.action_width, &t.action);
        put(&mut self.ret, at, 1, &[t.ret]);
        put(&mut self.next_obs, at, self.obs_dim, &t.next_obs);
        put(&mut self.discount, at, 1, &[t.discount]);
        put(&mut self.latent, at, self.latent_width, &t.latent);
        put(&mut self.next_latent, at, self.latent_width, &t.next_latent);
        self.next = (self.next + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
    }

    /// Saves the contents as tensors `<prefix>.obs` etc. and the ring position as state (an empty buffer
    /// when `ck` omits replay).
    pub fn save(&self, prefix: &str, ck: &mut Checkpoint) {
        let (len, next) = if ck.omits_replay() { (0, 0) } else { (self.len, self.next) };
        let data =
            [&self.obs, &self.action, &self.ret, &self.next_obs, &self.discount, &self.latent, &self.next_latent];
        for ((name, width), data) in self.columns_widths().into_iter().zip(data) {
            ck.put(format!("{prefix}.{name}"), vec![len, width], data[..len * width].to_vec());
        }
        ck.put_state(format!("{prefix}.position"), &(len, next));
    }

    /// The saved columns and their widths, in order.
    fn columns_widths(&self) -> [(&'static str, usize); 7] {
        [
            ("obs", self.obs_dim),
            ("action", self.action_width),
            ("ret", 1),
            ("next_obs", self.obs_dim),
            ("discount", 1),
            // The latent starts keep their checkpoint names of before their rename, so old files load.
            ("extra", self.latent_width),
            ("next_extra", self.latent_width),
        ]
    }

    /// Restores contents saved by [`ReplayBuffer::save`] into a buffer of the same shape.
    pub fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        let (len, next): (usize, usize) = ck.state(&format!("{prefix}.position"))?;
        if len > self.capacity || next >= self.capacity {
            return Err(Error::new(
                "checkpoint",
                format!("replay '{prefix}' does not fit a buffer of {}", self.capacity),
            ));
        }
        let mut columns = Vec::new();
        for (name, width) in self.columns_widths() {
            columns.push(ck.get(&format!("{prefix}.{name}"), &[len, width])?.to_vec());
        }
        let mut it = columns.into_iter();
        for dst in [
            &mut self.obs,
            &mut self.action,
            &mut self.ret,
            &mut self.next_obs,
            &mut self.discount,
            &mut self.latent,
            &mut self.next_latent,
        ] {
            *dst = it.next().expect("seven columns");
        }
        self.len = len;
        self.next = next;
        Ok(())
    }

    /// Fills `batch` with `rows` transitions drawn uniformly (with replacement) by `rng`.
    pub fn sample(&self, rows: usize, rng: &mut Rng, batch: &mut Batch) {
        fn take(dst: &mut Vec<f32>, src: &[f32], at: usize, width: usize) {
            dst.extend_from_slice(&src[at * width..(at + 1) * width]);
        }
        assert!(self.len > 0, "sampling an empty replay buffer");
        batch.rows = rows;
        for v in [
            &mut batch.obs,
            &mut batch.action,
            &mut batch.ret,
            &mut batch.next_obs,
            &mut batch.discount,
            &mut batch.latent,
            &mut batch.next_latent,
        ] {
            v.clear();
        }
        for _ in 0..rows {
            let i = rng.below(self.len as u64) as usize;
            take(&mut batch.obs, &self.obs, i, self.obs_dim);
            take(&mut batch.action, &self.action, i, self.action_width);
            take(&mut batch.ret, &self.ret, i, 1);
            take(&mut batch.next_obs, &self.next_obs, i, self.obs_dim);
            take(&mut batch.discount, &self.discount, i, 1);
            take(&mut batch.latent, &self.latent, i, self.latent_width);
            take(&mut batch.next_latent, &self.next_latent, i, self.latent_width);
        }
    }
}

/// An off-policy learner's memory: n-step accumulation into a replay buffer, and a reusable batch.
#[derive(Debug, Clone)]
pub struct Experience {
    replay: ReplayBuffer,
    nstep: NStep,
    completed: Vec<Stored>,
    batch: Batch,
}

impl Experience {
    /// Room for `capacity` n-step transitions of `n_step` steps discounted by `gamma`.
    pub fn new(
        capacity: usize,
        obs_dim: usize,
        action_width: usize,
        latent_width: usize,
        n_step: usize,
        gamma: f64,
    ) -> Self {
        Self {
            replay: ReplayBuffer::new(capacity, obs_dim, action_width, latent_width),
            nstep: NStep::new(n_step, gamma),
            completed: Vec::new(),
            batch: Batch::default(),
        }
    }

    /// Transitions stored.
    pub fn len(&self) -> usize {
        self.replay.len()
    }

    /// Whether nothing is stored yet.
    pub fn is_empty(&self) -> bool {
        self.replay.is_empty()
    }

    /// Takes one environment step.
    pub fn observe(&mut self, transition: Transition) {
        self.nstep.push(transition, &mut self.completed);
        for s in self.completed.drain(..) {
            self.replay.push(&s);
        }
    }

    /// A batch of `rows` drawn by `rng` once more than `warm_up` transitions are stored (`None` before).
    /// Give it back with [`Experience::return_batch`] so its buffers are reused.
    pub fn take_batch(&mut self, rows: usize, warm_up: usize, rng: &mut Rng) -> Option<Batch> {
        if self.replay.is_empty() || self.replay.len() <= warm_up {
            return None;
        }
        let mut batch = std::mem::take(&mut self.batch);
        self.replay.sample(rows, rng, &mut batch);
        Some(batch)
    }

    /// Returns a batch from [`Experience::take_batch`].
    pub fn return_batch(&mut self, batch: Batch) {
        self.batch = batch;
    }

    /// Saves the buffer and the partial n-step window under `prefix`.
    pub fn save(&self, prefix: &str, ck: &mut Checkpoint) {
        self.replay.save(&format!("{prefix}replay"), ck);
        self.nstep.save(&format!("{prefix}nstep"), ck);
    }

    /// Restores what [`Experience::save`] wrote.
    pub fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        self.replay.load(&format!("{prefix}replay"), ck)?;
        self.nstep.load(&format!("{prefix}nstep"), ck)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn step(r: f32, obs: f32, terminated: bool, truncated: bool) -> Transition {
        Transition {
            obs: vec![obs],
            action: vec![0.0],
            reward: r,
            next_obs: vec![obs + 1.0],
            terminated,
            truncated,
            latent: vec![],
            next_latent: vec![],
        }
    }

    #[test]
    fn n_step_returns_and_discounts_by_hand() {
        let mut acc = NStep::new(3, 0.5);
        let mut out = Vec::new();
        acc.push(step(1.0, 0.0, false, false), &mut out);
        acc.push(step(2.0, 1.0, false, false), &mut out);
        assert!(out.is_empty());
        acc.push(step(4.0, 2.0, false, false), &mut out);
        // 1 + 0.5·2 + 0.25·4 = 3, bootstrap from s_3 with 0.5³.
        assert_eq!(out[0].ret, 3.0);
        assert_eq!((out[0].obs[0], out[0].next_obs[0], out[0].discount), (0.0, 3.0, 0.125));
        out.clear();
        acc.push(step(8.0, 3.0, true, false), &mut out);
        // The termination flushes the window: 2 + 0.5·4 + 0.25·8, then 4 + 0.5·8, then 8, none bootstrapped.
        let got: Vec<(f32, f32, f32)> = out.iter().map(|s| (s.obs[0], s.ret, s.discount)).collect();
        assert_eq!(got, [(1.0, 6.0, 0.0), (2.0, 8.0, 0.0), (3.0, 8.0, 0.0)]);
        out.clear();
        acc.push(step(1.0, 0.0, false, false), &mut out);
        acc.push(step(1.0, 1.0, false, true), &mut out);
        // A truncation bootstraps from the last state with γ^k.
        let got: Vec<(f32, f32, f32)> = out.iter().map(|s| (s.ret, s.next_obs[0], s.discount)).collect();
        assert_eq!(got, [(1.5, 2.0, 0.25), (1.0, 2.0, 0.5)]);
    }

    #[test]
    fn ring_buffer_overwrites_the_oldest_and_samples_stored_rows() {
        let mut buffer = ReplayBuffer::new(3, 1, 1, 0);
        let mut acc = NStep::new(1, 0.9);
        let mut out = Vec::new();
        for i in 0..5 {
            acc.push(step(i as f32, i as f32, false, false), &mut out);
        }
        for s in &out {
            buffer.push(s);
        }
        assert_eq!(buffer.len(), 3);
        let mut batch = Batch::default();
        buffer.sample(64, &mut Rng::new(1, Stream::Episode), &mut batch);
        assert!(batch.obs.iter().all(|&o| (2.0..=4.0).contains(&o)));
        assert!(batch.obs.iter().zip(&batch.ret).all(|(o, r)| o == r));
        assert!([2.0, 3.0, 4.0].iter().all(|v| batch.obs.contains(v)));
    }
}
