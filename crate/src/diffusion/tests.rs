use super::*;
use crate::nn::cpu::CpuBackend;
use crate::nn::tests::{act_f64, mlp_f64, numeric_grad, random_values, relative_error};
use crate::nn::{SacOps, TensorOps};
use crate::rng::Stream;

#[test]
fn vp_schedule_for_five_steps() {
    let betas = NoiseSchedule::Vp.betas(5);
    for (b, want) in betas.iter().zip([0.196, 0.459, 0.636, 0.755, 0.835]) {
        assert!((b - want).abs() < 5e-4, "{betas:?}");
    }
    let linear = NoiseSchedule::Linear.betas(3);
    assert!(
        (linear[0] - 1e-4).abs() < 1e-12 && (linear[1] - 0.01005).abs() < 1e-12 && (linear[2] - 0.02).abs() < 1e-12
    );
    let cosine = NoiseSchedule::Cosine.betas(10);
    assert!(cosine.windows(2).all(|w| w[0] < w[1]) && cosine.iter().all(|&b| b > 0.0 && b <= 0.999), "{cosine:?}");
}

#[test]
fn posterior_coefficients_and_last_step_without_noise() {
    let steps = reverse_steps(NoiseSchedule::Vp, 5, false, false);
    assert_eq!(steps[0].sigma, 0.0);
    // At t = 0, ᾱ_{−1} = 1: x̂0 carries all the weight of the posterior mean.
    assert!((steps[0].coef_x0 - 1.0).abs() < 1e-6 && steps[0].coef_xt.abs() < 1e-6);
    // σ_t² = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t) by hand for t = 1.
    let b = NoiseSchedule::Vp.betas(5);
    let (ab0, ab1) = (1.0 - b[0], (1.0 - b[0]) * (1.0 - b[1]));
    let want = (b[1] * (1.0 - ab0) / (1.0 - ab1)).sqrt();
    assert!((f64::from(steps[1].sigma) - want).abs() < 1e-6);
}

#[test]
fn sinusoidal_embedding_values() {
    let e0 = sinusoidal_embedding(0);
    assert!(e0[..8].iter().all(|&v| v == 0.0) && e0[8..].iter().all(|&v| v == 1.0));
    let e3 = sinusoidal_embedding(3);
    // f_1 = 10000^(−1/7) = 0.26827; sin(3·f_1) = sin(0.80481) = 0.72063
    assert!((e3[1] - 0.720_63).abs() < 1e-4 && (e3[0] - 3.0f32.sin()).abs() < 1e-6);
}

fn small_actor(schedule: NoiseSchedule, time_mlp: bool, clip: bool) -> DiffusionActor {
    small_actor_with(schedule, time_mlp, clip, Activation::Tanh)
}

fn small_actor_with(schedule: NoiseSchedule, time_mlp: bool, clip: bool, output: Activation) -> DiffusionActor {
    let config = DiffusionConfig {
        steps: 5,
        schedule,
        hidden: 8,
        activation: Activation::Mish,
        time_mlp,
        output,
        clip_denoised: clip,
    };
    DiffusionActor::new(config, 3, 4)
}

/// f64 reference of the chain and the discrete actor loss `−mean(α·H + Σπq)`, from the same noise.
fn loss_f64(
    actor: &DiffusionActor,
    weights: &[f64],
    states: &[f64],
    start: &[f64],
    noise: &[Vec<f64>],
    q: &[f64],
    alpha: f64,
) -> f64 {
    let (rows, a) = (states.len() / 3, 4);
    let emb_rows: Vec<f64> = (0..5).flat_map(|t| sinusoidal_embedding(t).map(f64::from)).collect();
    let emb = match &actor.time_mlp {
        Some(mlp) => mlp_f64(mlp, weights, &emb_rows, 5),
        None => emb_rows,
    };
    let mut x = start.to_vec();
    for t in (0..5).rev() {
        let mut input = Vec::new();
        for r in 0..rows {
            input.extend_from_slice(&x[r * a..(r + 1) * a]);
            input.extend_from_slice(&emb[t * EMBEDDING..(t + 1) * EMBEDDING]);
            input.extend_from_slice(&states[r * 3..(r + 1) * 3]);
        }
        let eps = mlp_f64(&actor.denoiser, weights, &input, rows);
        let s = actor.steps[t];
        x = (0..rows * a)
            .map(|i| {
                let mut x0 = if s.predict_sample {
                    eps[i]
                } else {
                    f64::from(s.recip_sqrt_alpha_bar) * x[i] - f64::from(s.recipm1_sqrt_alpha_bar) * eps[i]
                };
                if s.clip {
                    x0 = x0.clamp(-1.0, 1.0);
                }
                f64::from(s.coef_x0) * x0 + f64::from(s.coef_xt) * x[i] + f64::from(s.sigma) * noise[t][i]
            })
            .collect();
    }
    let mut loss = 0.0;
    for r in 0..rows {
        let row = &x[r * a..(r + 1) * a];
        if actor.config.predicts_sample() {
            // LAD: x_0 is π itself; H = −Σ p·log(p + 1e−8).
            let (mut h, mut e) = (0.0, 0.0);
            for j in 0..a {
                h -= row[j] * (row[j] + 1e-8).ln();
                e += row[j] * q[r * a + j];
            }
            loss -= alpha * h + e;
            continue;
        }
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
        let (mut h, mut e) = (0.0, 0.0);
        for j in 0..a {
            let log_p = row[j] - max - sum.ln();
            h -= log_p.exp() * log_p;
            e += log_p.exp() * q[r * a + j];
        }
        loss -= alpha * h + e;
    }
    let _ = act_f64;
    loss / rows as f64
}

/// The actor loss's gradient through a 5-step chain (fixed noise) against central differences in f64.
#[test]
fn actor_loss_gradient_through_the_chain() {
    // Well-conditioned cases: the unclipped VP chain drives x_0 to ±20, where softmax saturates and both
    // the f32 gradient and the f64 differences drown in rounding.
    let cases = [
        (NoiseSchedule::Vp, false, false, Activation::Tanh),
        (NoiseSchedule::Linear, true, false, Activation::Tanh),
        (NoiseSchedule::Vp, true, true, Activation::Tanh),
        // LAD: the softmax denoiser predicts x̂_0, and π = x_0.
        (NoiseSchedule::Vp, false, false, Activation::Softmax),
    ];
    for (schedule, time_mlp, clip, output) in cases {
        let actor = small_actor_with(schedule, time_mlp, clip, output);
        let policy = if output == Activation::Softmax {
            crate::nn::PolicyOutput::Probs
        } else {
            crate::nn::PolicyOutput::Logits
        };
        let rows = 3;
        let mut rng = Rng::new(7, Stream::World);
        let mut p32 = vec![0.0; actor.len()];
        actor.init(&mut p32, &mut rng);
        let states = random_values(rows * 3, 1.0, &mut rng);
        let q = random_values(rows * 4, 1.0, &mut rng);
        let alpha = 0.3;

        let mut backend = CpuBackend::new();
        let mut weights = backend.vector(actor.len());
        backend.write_vector(&mut weights, &p32);
        let mut state = backend.matrix(rows, 3);
        backend.write_matrix(&mut state, &states);
        let mut work = actor.workspace(&mut backend, rows);
        actor.draw_noise(&mut backend, &mut work, &mut rng, false);
        actor.forward(&mut backend, &weights, &state, &mut work);
        let mut qm = backend.matrix(rows, 4);
        backend.write_matrix(&mut qm, &q);
        let mut dx0 = backend.matrix(rows, 4);
        let mut stats = backend.vector(3);
        backend.discrete_policy_loss(policy, work.output(), &qm, alpha, &mut dx0, &mut stats, 0);
        let mut grads = backend.vector(actor.len());
        actor.backward(&mut backend, &weights, &dx0, &mut work, &mut grads);

        let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
        let start = widen(backend.read_matrix(&work.x[5]));
        let noise: Vec<Vec<f64>> = (0..5).map(|t| widen(backend.read_matrix(&work.noise[t]))).collect();
        let (states64, q64, p64) = (widen(states.clone()), widen(q.clone()), widen(p32.clone()));
        let loss = loss_f64(&actor, &p64, &states64, &start, &noise, &q64, f64::from(alpha));
        assert!((f64::from(backend.read_vector(&stats)[0]) - loss).abs() < 1e-4 * loss.abs().max(1.0));
        let numeric = numeric_grad(&p64, |p| loss_f64(&actor, p, &states64, &start, &noise, &q64, f64::from(alpha)));
        let err = relative_error(&widen(backend.read_vector(&grads)), &numeric);
        assert!(err < 5e-3, "{schedule:?} time_mlp={time_mlp} clip={clip} {output:?}: relative error {err}");
    }
}

/// Each row of a batch is computed exactly as it would be alone: one decision (batch 1) and a training
/// batch agree bit for bit.
#[test]
fn rows_are_independent_bit_for_bit() {
    let actor = small_actor(NoiseSchedule::Vp, true, false);
    let mut rng = Rng::new(3, Stream::World);
    let mut p32 = vec![0.0; actor.len()];
    actor.init(&mut p32, &mut rng);
    let states = random_values(2 * 3, 1.0, &mut rng);
    let mut backend = CpuBackend::new();
    let mut weights = backend.vector(actor.len());
    backend.write_vector(&mut weights, &p32);
    let mut state = backend.matrix(2, 3);
    backend.write_matrix(&mut state, &states);
    let mut work = actor.workspace(&mut backend, 2);
    actor.draw_noise(&mut backend, &mut work, &mut Rng::new(9, Stream::Episode), false);
    actor.forward(&mut backend, &weights, &state, &mut work);
    let both = backend.read_matrix(work.output());

    let mut one = actor.workspace(&mut backend, 1);
    let mut single = backend.matrix(1, 3);
    backend.write_matrix(&mut single, &states[3..6]);
    for t in 0..=5 {
        let rows = backend.read_matrix(if t == 5 { &work.x[5] } else { &work.noise[t] });
        let target = if t == 5 { &mut one.x[5] } else { &mut one.noise[t] };
        backend.write_matrix(target, &rows[4..8]);
    }
    actor.forward(&mut backend, &weights, &single, &mut one);
    assert_eq!(backend.read_matrix(one.output()), &both[4..8]);
}

/// `zero_noise` erases whatever noise was drawn: the chain from `x_T = 0` without step noise is one
/// deterministic action per state.
#[test]
fn zero_noise_gives_one_deterministic_chain() {
    let actor = small_actor(NoiseSchedule::Vp, true, false);
    let mut rng = Rng::new(4, Stream::World);
    let mut p32 = vec![0.0; actor.len()];
    actor.init(&mut p32, &mut rng);
    let mut backend = CpuBackend::new();
    let mut weights = backend.vector(actor.len());
    backend.write_vector(&mut weights, &p32);
    let mut state = backend.matrix(2, 3);
    backend.write_matrix(&mut state, &random_values(6, 1.0, &mut rng));
    let mut work = actor.workspace(&mut backend, 2);
    let mut run = |seed: u64, work: &mut ChainWork<CpuBackend>| {
        actor.draw_noise(&mut backend, work, &mut Rng::new(seed, Stream::Episode), false);
        actor.zero_noise(&mut backend, work);
        actor.forward(&mut backend, &weights, &state, work);
        assert!(work.x[5].iter().chain(work.noise.iter().flatten()).all(|&v| v == 0.0));
        backend.read_matrix(work.output())
    };
    let first = run(1, &mut work);
    assert_eq!(first, run(2, &mut work));
    assert!(first.iter().any(|&v| v != 0.0));
}
