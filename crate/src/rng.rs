//! Portable random numbers.
//!
//! Every random draw in diffedge comes from a [`Rng`]: ChaCha8 keyed by a `u64` seed, with a separate
//! stream per purpose ([`Stream`]) so that, for example, drawing the world never shifts the episode's draws.
//! The samplers are written out here on integer arithmetic and `libm` (not a distribution library and not
//! the platform's maths library), so a seed gives the same bits natively and in WebAssembly, on every
//! version of every dependency we pin.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng};

/// What a random stream is for. Each purpose gets its own ChaCha stream of the same seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// The fixed world of a scenario (capacities, positions, fitted curves drawn from ranges).
    World = 1,
    /// Everything that happens during one episode (arrivals, task sizes, fading).
    Episode = 2,
    /// Randomised heuristic policies (for example `random`).
    Heuristic = 3,
    /// A learner's own draws: network initialisation and the diffusion noise of its updates.
    Learner = 4,
    /// Acting while training (exploration, the chains of those decisions) and replay sampling.
    Exploration = 5,
    /// Evaluation runs (the chains of greedy decisions), restarted for every evaluation.
    Evaluation = 6,
}

/// A generator's exact position in JSON-friendly form (for checkpoints).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RngState {
    /// The 32-byte ChaCha key, hex.
    pub seed: String,
    /// The stream.
    pub stream: u64,
    /// Words consumed (a u128, as decimal text).
    pub word_pos: String,
}

/// A seeded, portable generator with the samplers the simulators need.
#[derive(Debug, Clone)]
pub struct Rng {
    inner: ChaCha8Rng,
}

impl Rng {
    /// The generator for `purpose` under `seed`.
    pub fn new(seed: u64, purpose: Stream) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(purpose as u64);
        Self { inner }
    }

    /// The generator's exact position, to save in a checkpoint.
    pub fn state(&self) -> RngState {
        let seed = self.inner.get_seed().iter().map(|b| format!("{b:02x}")).collect();
        RngState { seed, stream: self.inner.get_stream(), word_pos: self.inner.get_word_pos().to_string() }
    }

    /// A generator at a position saved by [`Rng::state`]; `None` if the state is malformed.
    pub fn from_state(state: &RngState) -> Option<Self> {
        if state.seed.len() != 64 || !state.seed.is_ascii() {
            return None;
        }
        let mut seed = [0u8; 32];
        for (i, byte) in seed.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&state.seed[2 * i..2 * i + 2], 16).ok()?;
        }
        let mut inner = ChaCha8Rng::from_seed(seed);
        inner.set_stream(state.stream);
        inner.set_word_pos(state.word_pos.parse().ok()?);
        Some(Self { inner })
    }

    /// A generator for sub-task `index` (for example agent `index`), derived from this one's next draw.
    pub fn split(&mut self, index: u64) -> Rng {
        let mut inner = ChaCha8Rng::seed_from_u64(self.next_u64() ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        inner.set_stream(self.inner.get_stream());
        Rng { inner }
    }

    /// 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform on `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on `[lo, hi)`.
    #[inline]
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire's multiply-shift with rejection).
    /// `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// Uniform integer on the inclusive range `lo..=hi` (`lo <= hi`).
    #[inline]
    pub fn int_inclusive(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        let span = (hi - lo) as u64 + 1;
        lo + self.below(span) as i64
    }

    /// Shuffles `items` uniformly (Fisher–Yates, one [`Rng::below`] draw per position from the last).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// Standard normal draw (Box–Muller, one value per call so no hidden state).
    pub fn normal(&mut self) -> f64 {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = libm::sqrt(-2.0 * libm::log(1.0 - self.uniform()));
        radius * libm::cos(core::f64::consts::TAU * self.uniform())
    }

    /// Fills `out` with standard normal draws, two per pair of uniforms (Box–Muller's cosine and sine).
    pub fn fill_normal_f32(&mut self, out: &mut [f32]) {
        for pair in out.chunks_mut(2) {
            let radius = libm::sqrt(-2.0 * libm::log(1.0 - self.uniform()));
            let (sin, cos) = libm::sincos(core::f64::consts::TAU * self.uniform());
            pair[0] = (radius * cos) as f32;
            if let Some(second) = pair.get_mut(1) {
                *second = (radius * sin) as f32;
            }
        }
    }

    /// Exponential draw with rate 1.
    pub fn exponential(&mut self) -> f64 {
        -libm::log(1.0 - self.uniform())
    }

    /// The largest value [`Rng::exponential`] returns, `53·ln 2 ≈ 36.7`: `1 − uniform()` is at least `2⁻⁵³`.
    pub fn exponential_max() -> f64 {
        -libm::log(f64::EPSILON / 2.0)
    }

    /// Standard Gumbel draw `−ln(−ln u)` (the Gumbel-max trick's noise), `u` uniform on the open interval
    /// (0, 1) so both logarithms are finite.
    pub fn gumbel(&mut self) -> f64 {
        let u = ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
        -libm::log(-libm::log(u))
    }

    /// Number of failures before the first success in independent trials that each succeed with
    /// probability `p` (`0 < p <= 1`): the gap between events of a Bernoulli process, by inversion.
    pub fn geometric_failures(&mut self, p: f64) -> u64 {
        // 1 - u lies in (0, 1], so the logarithm is finite; log1p keeps small p accurate. For p = 1 the
        // ratio is 0 / -inf = 0. The float-to-int cast saturates for astronomically long gaps.
        libm::floor(libm::log(1.0 - self.uniform()) / libm::log1p(-p)) as u64
    }

    /// Poisson draw with mean `lambda` (`lambda >= 0`, finite).
    ///
    /// Below 10 it multiplies uniforms (Knuth); above it uses Hörmann's transformed rejection (PTRS,
    /// 1993), the algorithm NumPy uses, so large means cost O(1).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 10.0 {
            let limit = libm::exp(-lambda);
            let mut k = 0u64;
            let mut product = self.uniform();
            while product > limit {
                k += 1;
                product *= self.uniform();
            }
            return k;
        }
        let sqrt_lambda = libm::sqrt(lambda);
        let log_lambda = libm::log(lambda);
        let b = 0.931 + 2.53 * sqrt_lambda;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let v_r = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - libm::fabs(u);
            let k = libm::floor((2.0 * a / us + b) * u + lambda + 0.43);
            if us >= 0.07 && v <= v_r {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            let lhs = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b);
            let rhs = -lambda + k * log_lambda - libm::lgamma(k + 1.0);
            if lhs <= rhs {
                return k as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_of_one_seed_differ_and_repeat() {
        let mut world = Rng::new(7, Stream::World);
        let mut episode = Rng::new(7, Stream::Episode);
        let a: Vec<u64> = (0..4).map(|_| world.next_u64()).collect();
        let b: Vec<u64> = (0..4).map(|_| episode.next_u64()).collect();
        assert_ne!(a, b);
        let mut again = Rng::new(7, Stream::World);
        assert_eq!(a, (0..4).map(|_| again.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn saved_state_resumes_the_same_stream() {
        let mut rng = Rng::new(11, Stream::Learner);
        for _ in 0..7 {
            rng.next_u64();
        }
        let mut resumed = Rng::from_state(&rng.state()).unwrap();
        assert_eq!(
            (0..5).map(|_| rng.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| resumed.next_u64()).collect::<Vec<_>>()
        );
        assert!(Rng::from_state(&RngState { seed: "zz".into(), stream: 0, word_pos: "0".into() }).is_none());
    }

    #[test]
    fn below_and_int_inclusive_stay_in_range_and_cover_it() {
        let mut rng = Rng::new(1, Stream::Episode);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let k = rng.int_inclusive(3, 9);
            assert!((3..=9).contains(&k));
            seen[(k - 3) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }

    fn mean_and_variance(samples: &[f64]) -> (f64, f64) {
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let var = samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn shuffle_permutes_and_covers_every_order() {
        let mut rng = Rng::new(5, Stream::Exploration);
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..6000 {
            let mut items = [0, 1, 2];
            rng.shuffle(&mut items);
            *seen.entry(items).or_insert(0) += 1;
        }
        // All 3! orders, each about 1000 times.
        assert_eq!(seen.len(), 6);
        assert!(seen.values().all(|&c| (850..1150).contains(&c)), "{seen:?}");
    }

    #[test]
    fn poisson_moments_match_for_small_and_large_means() {
        let mut rng = Rng::new(3, Stream::Episode);
        for &lambda in &[0.5, 4.0, 25.0, 1000.0] {
            let draws: Vec<f64> = (0..20_000).map(|_| rng.poisson(lambda) as f64).collect();
            let (mean, var) = mean_and_variance(&draws);
            // Standard error of the mean is sqrt(lambda/n); allow five of them.
            assert!((mean - lambda).abs() < 5.0 * (lambda / 20_000.0).sqrt(), "λ={lambda} mean={mean}");
            assert!((var / lambda - 1.0).abs() < 0.06, "λ={lambda} var={var}");
        }
    }

    #[test]
    fn geometric_failures_have_the_geometric_mean() {
        let mut rng = Rng::new(5, Stream::Episode);
        for &p in &[0.001, 0.2, 1.0] {
            let draws: Vec<f64> = (0..40_000).map(|_| rng.geometric_failures(p) as f64).collect();
            let (mean, var) = mean_and_variance(&draws);
            let (expected, expected_var) = ((1.0 - p) / p, (1.0 - p) / (p * p));
            assert!((mean - expected).abs() <= 5.0 * (expected_var / 40_000.0).sqrt(), "p={p} mean={mean}");
            assert!((var - expected_var).abs() <= 0.05 * expected_var, "p={p} var={var}");
        }
    }

    #[test]
    fn normal_and_exponential_moments() {
        let mut rng = Rng::new(4, Stream::Episode);
        let normal: Vec<f64> = (0..50_000).map(|_| rng.normal()).collect();
        let (mean, var) = mean_and_variance(&normal);
        assert!(mean.abs() < 0.02 && (var - 1.0).abs() < 0.03, "{mean} {var}");
        let exp: Vec<f64> = (0..50_000).map(|_| rng.exponential()).collect();
        let (mean, var) = mean_and_variance(&exp);
        assert!((mean - 1.0).abs() < 0.02 && (var - 1.0).abs() < 0.05, "{mean} {var}");
        // Gumbel: mean is the Euler–Mascheroni constant 0.5772, variance π²/6 = 1.6449.
        let gumbel: Vec<f64> = (0..50_000).map(|_| rng.gumbel()).collect();
        let (mean, var) = mean_and_variance(&gumbel);
        assert!((mean - 0.5772).abs() < 0.03 && (var - 1.6449).abs() < 0.06, "{mean} {var}");
    }
}
