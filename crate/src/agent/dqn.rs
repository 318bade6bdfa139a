//! DQN (Mnih et al. 2015) and double DQN (van Hasselt et al. 2016): the papers' value-based baselines.
//!
//! One Q-network from the state to the value of every action, a target copy of it refreshed every
//! `target_update_every` updates, n-step returns from a replay buffer. An update, read top to bottom in
//! [`Dqn::update`]:
//! 1. target: `y = R_n + γ^n·Q'(s', a*)` with `a* = argmax_a Q'(s', a)` (DQN) or `argmax_a Q(s', a)`
//!    (double DQN: the online network picks, the target network values);
//! 2. loss: MSE of `Q(s, a)` to `y`, one Adam step;
//! 3. every `target_update_every` updates: `Q' ← Q` (a hard copy).
//!
//! Acting is ε-greedy while exploring and greedy in evaluation. Before its first update the learner explores
//! uniformly at random (ε = 1), as the reference code fills its buffer with random steps before training.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::memory::{self, MemoryEstimate};
use super::{Learner, UpdateStats, argmax, sample_index};
use crate::checkpoint::Checkpoint;
use crate::error::{Result, check_count, check_range};
use crate::nn::{Activation, AdamConfig, DqnOps, Mlp, MlpWork, Trainable};
use crate::replay::{Batch, Experience, Transition};
use crate::rng::Rng;
use crate::spaces::Action;

/// Hyper-parameters of DQN and double DQN. `Default` is the reference code's DQN for `asp`
/// (AGOD `benchmark/dqn.py`, tianshou's `DQNPolicy`); presets in `agent::presets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DqnConfig {
    /// Hidden widths of the Q-network (state → Q of every action): 256-256.
    pub hidden: Vec<usize>,
    /// Hidden activation: Mish.
    pub activation: Activation,
    /// Double DQN: the online network picks the bootstrap action, the target network values it. Off for the
    /// `dqn` preset, on for `ddqn`. (The reference code ran tianshou's default, which is double.)
    pub double: bool,
    /// Adam learning rate: 1e−3.
    pub lr: f32,
    /// Adam weight decay: 1e−4.
    pub weight_decay: f32,
    /// Probability of a uniformly random action while exploring: 0.1.
    pub epsilon: f32,
    /// Updates between hard copies of the network into its target: 320 (tianshou counts updates).
    pub target_update_every: usize,
    /// Discount γ: 0.95.
    pub gamma: f32,
    /// Transitions per update: 512.
    pub batch_size: usize,
    /// Replay capacity: 10^6.
    pub buffer_size: usize,
    /// n of the n-step return: 3.
    pub n_step: usize,
}

impl Default for DqnConfig {
    fn default() -> Self {
        Self {
            hidden: vec![256, 256],
            activation: Activation::Mish,
            double: false,
            lr: 1e-3,
            weight_decay: 1e-4,
            epsilon: 0.1,
            target_update_every: 320,
            gamma: 0.95,
            batch_size: 512,
            buffer_size: 1_000_000,
            n_step: 3,
        }
    }
}

impl DqnConfig {
    /// Its memory for observations of `obs_dim` and `actions` choices, before it is built.
    pub fn memory(&self, obs_dim: usize, actions: usize) -> MemoryEstimate {
        let widths: Vec<usize> = std::iter::once(obs_dim).chain(self.hidden.iter().copied()).chain([actions]).collect();
        let q = memory::mlp_parameters(&widths);
        // The network on the batch and the target on the next states.
        let activations = 2 * memory::mlp_activations(&widths, self.batch_size);
        MemoryEstimate::new(q, 2 * q, activations, memory::replay_floats(self.buffer_size, obs_dim, 1, 0))
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        super::check_widths("hidden", &self.hidden)?;
        check_range("lr", f64::from(self.lr), 0.0, 1.0)?;
        check_range("weight_decay", f64::from(self.weight_decay), 0.0, 1.0)?;
        check_range("epsilon", f64::from(self.epsilon), 0.0, 1.0)?;
        check_count("target_update_every", self.target_update_every as u64, 1, 10_000_000)?;
        check_range("gamma", f64::from(self.gamma), 0.0, 1.0)?;
        check_count("batch_size", self.batch_size as u64, 1, 65_536)?;
        check_count("buffer_size", self.buffer_size as u64, 1, 10_000_000)?;
        check_count("n_step", self.n_step as u64, 1, 100)?;
        Ok(())
    }
}

/// Stats slot written by the loss kernel (loss, mean `Q(s, a)`).
const TD: usize = 0;

/// A DQN / double DQN learner.
pub struct Dqn<B: DqnOps> {
    config: DqnConfig,
    backend: B,
    actions: usize,
    q: Mlp,
    weights: Trainable<B>,
    target: B::Vector,
    updates: u64,
    experience: Experience,
    // Batch buffers.
    obs: B::Matrix,
    next_obs: B::Matrix,
    taken: B::Matrix,
    returns: B::Matrix,
    discounts: B::Matrix,
    y: B::Matrix,
    /// The online network's passes (on `s'` to pick for double DQN, then on `s`).
    work: MlpWork<B>,
    /// The target network's pass on `s'`.
    next_work: MlpWork<B>,
    act_obs: B::Matrix,
    act_work: MlpWork<B>,
    stats: B::Vector,
}

impl<B: DqnOps> Dqn<B> {
    /// A learner for `obs_dim` observations and `actions` choices, initialised from `rng`.
    pub fn new(config: DqnConfig, mut backend: B, obs_dim: usize, actions: usize, mut rng: Rng) -> Result<Self> {
        config.validate()?;
        let rows = config.batch_size;
        let widths: Vec<usize> =
            std::iter::once(obs_dim).chain(config.hidden.iter().copied()).chain([actions]).collect();
        let q = Mlp::new(&widths, config.activation, Activation::Identity, 0);
        let mut init = vec![0.0; q.len()];
        q.init(&mut init, &mut rng);
        let weights = Trainable::new(&mut backend, &init);
        let mut target = backend.vector(init.len());
        backend.write_vector(&mut target, &init);
        Ok(Self {
            experience: Experience::new(config.buffer_size, obs_dim, 1, 0, config.n_step, f64::from(config.gamma)),
            updates: 0,
            obs: backend.matrix(rows, obs_dim),
            next_obs: backend.matrix(rows, obs_dim),
            taken: backend.matrix(rows, 1),
            returns: backend.matrix(rows, 1),
            discounts: backend.matrix(rows, 1),
            y: backend.matrix(rows, 1),
            work: q.workspace(&mut backend, rows),
            next_work: q.workspace(&mut backend, rows),
            act_obs: backend.matrix(1, obs_dim),
            act_work: q.workspace(&mut backend, 1),
            stats: backend.vector(2),
            target,
            weights,
            q,
            actions,
            config,
            backend,
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &DqnConfig {
        &self.config
    }

    /// `Q(obs, ·)` of the online network.
    pub fn q_values(&mut self, obs: &[f32]) -> Vec<f32> {
        let b = &mut self.backend;
        b.write_matrix(&mut self.act_obs, obs);
        self.q.infer(b, &self.weights.value, &self.act_obs, &mut self.act_work);
        b.read_matrix(self.act_work.output())
    }

    /// `Q'(obs, ·)` of the target network.
    #[cfg(test)]
    pub(crate) fn target_q_values(&mut self, obs: &[f32]) -> Vec<f32> {
        let b = &mut self.backend;
        b.write_matrix(&mut self.act_obs, obs);
        self.q.infer(b, &self.target, &self.act_obs, &mut self.act_work);
        b.read_matrix(self.act_work.output())
    }

    /// One gradient update from a replay batch drawn by `rng` (`None` while the buffer is empty).
    pub fn update_from_replay(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        let Some(batch) = self.experience.take_batch(self.config.batch_size, 0, rng) else {
            return Ok(None);
        };
        let stats = self.update(&batch);
        self.experience.return_batch(batch);
        stats.map(Some)
    }

    /// One gradient update from `batch` (of `batch_size` rows).
    pub fn update(&mut self, batch: &Batch) -> Result<UpdateStats> {
        let c = &self.config;
        let b = &mut self.backend;
        b.write_matrix(&mut self.obs, &batch.obs);
        b.write_matrix(&mut self.next_obs, &batch.next_obs);
        b.write_matrix(&mut self.taken, &batch.action);
        b.write_matrix(&mut self.returns, &batch.ret);
        b.write_matrix(&mut self.discounts, &batch.discount);

        // 1. Target: the target network values s'; it also picks the action unless double.
        self.q.infer(b, &self.target, &self.next_obs, &mut self.next_work);
        let select = if c.double {
            self.q.infer(b, &self.weights.value, &self.next_obs, &mut self.work);
            self.work.output()
        } else {
            self.next_work.output()
        };
        b.dqn_target(select, self.next_work.output(), &self.returns, &self.discounts, &mut self.y);

        // 2. MSE of Q(s, a) to the target.
        self.q.forward(b, &self.weights.value, &self.obs, &mut self.work);
        let (q, dq) = self.work.output_and_grad();
        b.critic_mse(q, &self.taken, &self.y, dq, &mut self.stats, TD);
        self.weights.zero_grad(b);
        self.q.backward(b, &self.weights.value, &self.obs, &mut self.work, &mut self.weights.grad, None);
        let step = self.updates + 1;
        self.weights.adam(b, step, &AdamConfig::new(c.lr, c.weight_decay));

        // 3. Hard target update.
        if step.is_multiple_of(c.target_update_every as u64) {
            b.copy(&mut self.target, &self.weights.value);
        }
        self.updates = step;

        let stats = b.read_vector(&self.stats);
        let out = UpdateStats { critic_loss: stats[TD], mean_q: stats[TD + 1], ..UpdateStats::default() };
        out.check(self.updates)?;
        Ok(out)
    }
}

impl<B: DqnOps> Learner for Dqn<B> {
    /// ε-greedy while exploring (uniform before the first update), greedy otherwise; `probs` receives the
    /// distribution the action is drawn from.
    fn act(
        &mut self,
        obs: &[f32],
        _latent: Option<&[f32]>,
        explore: bool,
        rng: &mut Rng,
        probs: &mut Vec<f32>,
    ) -> Action {
        let greedy = argmax(&self.q_values(obs));
        let epsilon = match (explore, self.updates) {
            (false, _) => 0.0,
            (true, 0) => 1.0,
            (true, _) => self.config.epsilon,
        };
        probs.clear();
        probs.resize(self.actions, epsilon / self.actions as f32);
        probs[greedy] += 1.0 - epsilon;
        Action::Discrete(if explore { sample_index(probs, rng) } else { greedy })
    }

    fn observe(&mut self, transition: Transition) {
        self.experience.observe(transition);
    }

    fn update(&mut self, rng: &mut Rng) -> Result<Option<UpdateStats>> {
        self.update_from_replay(rng)
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn save(&mut self, prefix: &str, ck: &mut Checkpoint) {
        let b = &mut self.backend;
        ck.put_mlp(&format!("{prefix}q"), &self.q, &b.read_vector(&self.weights.value));
        ck.put_mlp(&format!("{prefix}target_q"), &self.q, &b.read_vector(&self.target));
        let (m, v) = (b.read_vector(&self.weights.m), b.read_vector(&self.weights.v));
        ck.put(format!("{prefix}optim.q.m"), vec![m.len()], m);
        ck.put(format!("{prefix}optim.q.v"), vec![v.len()], v);
        self.experience.save(prefix, ck);
        ck.put_state(format!("{prefix}dqn.updates"), &self.updates);
    }

    fn load(&mut self, prefix: &str, ck: &Checkpoint) -> Result<()> {
        let b = &mut self.backend;
        let mut weights = vec![0.0; self.q.len()];
        ck.get_mlp(&format!("{prefix}q"), &self.q, &mut weights)?;
        b.write_vector(&mut self.weights.value, &weights);
        ck.get_mlp(&format!("{prefix}target_q"), &self.q, &mut weights)?;
        b.write_vector(&mut self.target, &weights);
        b.write_vector(&mut self.weights.m, ck.get(&format!("{prefix}optim.q.m"), &[weights.len()])?);
        b.write_vector(&mut self.weights.v, ck.get(&format!("{prefix}optim.q.v"), &[weights.len()])?);
        self.experience.load(prefix, ck)?;
        self.updates = ck.state(&format!("{prefix}dqn.updates"))?;
        Ok(())
    }
}
