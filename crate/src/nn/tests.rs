//! Gradient checks against an independent f64 reference, and Adam against hand-computed steps.

use super::cpu::CpuBackend;
use super::*;
use crate::rng::{Rng, Stream};

/// f64 reference of an activation.
pub(crate) fn act_f64(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Identity => z,
        Activation::Relu => z.max(0.0),
        Activation::Mish => z * z.exp().ln_1p().tanh(),
        Activation::Tanh => z.tanh(),
        Activation::Softmax => unreachable!("row-wise; see mlp_f64"),
    }
}

/// f64 reference forward of an MLP (parameters in the same flat layout).
pub(crate) fn mlp_f64(mlp: &Mlp, weights: &[f64], x: &[f64], rows: usize) -> Vec<f64> {
    let mut cur = x.to_vec();
    for layer in &mlp.layers {
        let l = layer.layout;
        let mut next = vec![0.0; rows * l.outputs];
        for i in 0..rows {
            for j in 0..l.outputs {
                let mut z = weights[l.bias + j];
                for k in 0..l.inputs {
                    z += cur[i * l.inputs + k] * weights[l.weight + k * l.outputs + j];
                }
                next[i * l.outputs + j] = if layer.act == Activation::Softmax { z } else { act_f64(layer.act, z) };
            }
            if layer.act == Activation::Softmax {
                let row = &mut next[i * l.outputs..(i + 1) * l.outputs];
                let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
                row.iter_mut().for_each(|v| *v = (*v - max).exp() / sum);
            }
        }
        cur = next;
    }
    cur
}

/// Central-difference gradient of `f` at `at` (f64).
pub(crate) fn numeric_grad(at: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut p = at.to_vec();
    (0..at.len())
        .map(|i| {
            let h = 1e-6 * at[i].abs().max(1.0);
            p[i] = at[i] + h;
            let up = f(&p);
            p[i] = at[i] - h;
            let down = f(&p);
            p[i] = at[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// `‖a − b‖ / max(‖a‖, ‖b‖)`.
pub(crate) fn relative_error(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
    let norm = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(b.iter().map(|x| x * x).sum::<f64>().sqrt());
    diff / norm.max(1e-30)
}

pub(crate) fn random_values(n: usize, scale: f64, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

pub(crate) fn widen(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// Checks parameter and input gradients of `mlp` for the loss `Σ c ⊙ output`.
fn check_mlp(mlp: &Mlp, rows: usize, seed: u64) {
    let mut rng = Rng::new(seed, Stream::World);
    let mut backend = CpuBackend::new();
    let total = mlp.offset() + mlp.len();
    let mut params32 = vec![0.0; total];
    mlp.init(&mut params32, &mut rng);
    let x32 = random_values(rows * mlp.inputs(), 1.0, &mut rng);
    let c32 = random_values(rows * mlp.outputs(), 1.0, &mut rng);

    let mut weights = backend.vector(total);
    backend.write_vector(&mut weights, &params32);
    let mut x = backend.matrix(rows, mlp.inputs());
    backend.write_matrix(&mut x, &x32);
    let mut work = mlp.workspace(&mut backend, rows);
    mlp.forward(&mut backend, &weights, &x, &mut work);
    let out = backend.read_matrix(work.output());
    let reference = mlp_f64(mlp, &widen(&params32), &widen(&x32), rows);
    assert!(relative_error(&widen(&out), &reference) < 1e-5, "forward differs from the f64 reference");

    backend.write_matrix(work.output_grad(), &c32);
    let mut grads = backend.vector(total);
    let mut dx = backend.matrix(rows, mlp.inputs());
    mlp.backward(&mut backend, &weights, &x, &mut work, &mut grads, Some(&mut dx));

    let (p64, x64, c64) = (widen(&params32), widen(&x32), widen(&c32));
    let loss = |p: &[f64], x: &[f64]| mlp_f64(mlp, p, x, rows).iter().zip(&c64).map(|(y, c)| y * c).sum::<f64>();
    let dp = numeric_grad(&p64, |p| loss(p, &x64));
    let err = relative_error(&widen(&backend.read_vector(&grads)), &dp);
    assert!(err < 2e-3, "parameter gradient relative error {err}");
    let dx_num = numeric_grad(&x64, |x| loss(&p64, x));
    let err = relative_error(&widen(&backend.read_matrix(&dx)), &dx_num);
    assert!(err < 2e-3, "input gradient relative error {err}");
}

#[test]
fn every_activation_has_the_right_gradient() {
    for (i, act) in [Activation::Identity, Activation::Relu, Activation::Mish, Activation::Tanh].into_iter().enumerate()
    {
        check_mlp(&Mlp::new(&[7, 5], act, act, 0), 6, 10 + i as u64);
    }
}

#[test]
fn whole_mlps_have_the_right_gradient() {
    check_mlp(&Mlp::new(&[9, 17, 16, 5], Activation::Mish, Activation::Tanh, 0), 7, 1);
    check_mlp(&Mlp::new(&[4, 20, 20, 3], Activation::Relu, Activation::Identity, 0), 5, 2);
    // A network placed after another one in a shared flat vector.
    let offset = Mlp::new(&[3, 4], Activation::Mish, Activation::Mish, 0).len();
    check_mlp(&Mlp::new(&[6, 8, 2], Activation::Mish, Activation::Identity, offset), 3, 3);
}

#[test]
fn input_gradient_can_be_limited_to_the_leading_columns() {
    let mlp = Mlp::new(&[6, 5, 4], Activation::Tanh, Activation::Identity, 0);
    let mut rng = Rng::new(5, Stream::World);
    let mut backend = CpuBackend::new();
    let mut p = vec![0.0; mlp.len()];
    mlp.init(&mut p, &mut rng);
    let mut weights = backend.vector(mlp.len());
    backend.write_vector(&mut weights, &p);
    let mut x = backend.matrix(3, 6);
    backend.write_matrix(&mut x, &random_values(18, 1.0, &mut rng));
    let g = random_values(12, 1.0, &mut rng);
    let mut input_grad = |cols: usize| {
        let mut work = mlp.workspace(&mut backend, 3);
        mlp.forward(&mut backend, &weights, &x, &mut work);
        backend.write_matrix(work.output_grad(), &g);
        let mut grads = backend.vector(mlp.len());
        let mut dx = backend.matrix(3, cols);
        mlp.backward(&mut backend, &weights, &x, &mut work, &mut grads, Some(&mut dx));
        backend.read_matrix(&dx)
    };
    let (all, lead) = (input_grad(6), input_grad(2));
    for r in 0..3 {
        assert_eq!(&lead[r * 2..r * 2 + 2], &all[r * 6..r * 6 + 2]);
    }
}

#[test]
fn concat_broadcast_and_its_gradient() {
    let mut b = CpuBackend::new();
    let mut a = b.matrix(2, 2);
    b.write_matrix(&mut a, &[1.0, 2.0, 3.0, 4.0]);
    let mut e = b.matrix(2, 1);
    b.write_matrix(&mut e, &[8.0, 9.0]);
    let mut c = b.matrix(2, 1);
    b.write_matrix(&mut c, &[5.0, 6.0]);
    let mut out = b.matrix(2, 4);
    b.concat_broadcast(&a, &e, 1, &c, &mut out);
    assert_eq!(b.read_matrix(&out), [1.0, 2.0, 9.0, 5.0, 3.0, 4.0, 9.0, 6.0]);
    let mut dout = b.matrix(2, 4);
    b.write_matrix(&mut dout, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    let mut da = b.matrix(2, 2);
    b.write_matrix(&mut da, &[1.0, 1.0, 1.0, 1.0]);
    let mut de = b.matrix(2, 1);
    b.concat_broadcast_backward(&dout, &mut da, &mut de, 1);
    assert_eq!(b.read_matrix(&da), [1.1, 1.2, 1.5, 1.6]);
    assert_eq!(b.read_matrix(&de), [0.0, 0.3 + 0.7]);
}

/// A reverse step on scalars worked by hand, and its gradient.
#[test]
fn reverse_step_worked_example_and_gradient() {
    let step = ReverseStep {
        predict_sample: false,
        recip_sqrt_alpha_bar: 2.0,
        recipm1_sqrt_alpha_bar: 1.5,
        coef_x0: 0.25,
        coef_xt: 0.5,
        sigma: 0.1,
        clip: false,
    };
    let mut b = CpuBackend::new();
    let m = |b: &mut CpuBackend, v: f32| {
        let mut m = b.matrix(1, 1);
        b.write_matrix(&mut m, &[v]);
        m
    };
    let (x, eps, noise) = (m(&mut b, 0.8), m(&mut b, 0.2), m(&mut b, -1.0));
    let mut prev = b.matrix(1, 1);
    b.reverse_step(&step, &x, &eps, &noise, &mut prev);
    // x̂0 = 2·0.8 − 1.5·0.2 = 1.3; x_prev = 0.25·1.3 + 0.5·0.8 + 0.1·(−1) = 0.625
    assert!((b.read_matrix(&prev)[0] - 0.625).abs() < 1e-7);
    let clipped = ReverseStep { clip: true, ..step };
    b.reverse_step(&clipped, &x, &eps, &noise, &mut prev);
    // x̂0 clamps to 1: 0.25 + 0.4 − 0.1 = 0.55
    assert!((b.read_matrix(&prev)[0] - 0.55).abs() < 1e-7);

    let g = m(&mut b, 1.0);
    let (mut deps, mut dx) = (b.matrix(1, 1), b.matrix(1, 1));
    b.reverse_step_backward(&step, &x, &eps, &g, &mut deps, &mut dx);
    // ∂/∂eps = −0.25·1.5 = −0.375; ∂/∂x = 0.5 + 0.25·2 = 1.0
    assert_eq!((b.read_matrix(&deps)[0], b.read_matrix(&dx)[0]), (-0.375, 1.0));
    b.reverse_step_backward(&clipped, &x, &eps, &g, &mut deps, &mut dx);
    // Clamped: x̂0 no longer depends on x or eps.
    assert_eq!((b.read_matrix(&deps)[0], b.read_matrix(&dx)[0]), (0.0, 0.5));
}

#[test]
fn softmax_rows_sum_to_one_and_match_exp() {
    let mut b = CpuBackend::new();
    let mut x = b.matrix(2, 3);
    b.write_matrix(&mut x, &[1.0, 2.0, 3.0, -50.0, 0.0, 50.0]);
    let mut out = b.matrix(2, 3);
    b.softmax_rows(&x, &mut out);
    let p = b.read_matrix(&out);
    let e: Vec<f64> = [1.0f64, 2.0, 3.0].iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    for j in 0..3 {
        assert!((f64::from(p[j]) - e[j] / s).abs() < 1e-7);
    }
    assert!((p[3..].iter().sum::<f32>() - 1.0).abs() < 1e-6 && p[5] > 0.999_999);
}

/// Adam against the textbook formulas evaluated by hand in f64 for two steps.
#[test]
fn adam_matches_hand_computed_steps() {
    let config = AdamConfig { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 };
    let mut b = CpuBackend::new();
    let mut p = b.vector(2);
    b.write_vector(&mut p, &[1.0, -2.0]);
    let (mut m, mut v) = (b.vector(2), b.vector(2));
    let mut g = b.vector(2);
    b.write_vector(&mut g, &[0.5, 0.1]);
    b.adam(&mut p, &g, &mut m, &mut v, 1, &config);
    // Step 1 moves each parameter by lr·sign(g + wd·p) (up to eps): 0.9 and −2.1.
    let after1 = b.read_vector(&p);
    assert!((after1[0] - 0.9).abs() < 1e-6 && (after1[1] + 2.1).abs() < 1e-6, "{after1:?}");
    b.write_vector(&mut g, &[-0.3, 0.2]);
    b.adam(&mut p, &g, &mut m, &mut v, 2, &config);
    // Step 2 by hand for parameter 0: g = −0.3 + 0.01·0.9 = −0.291; g1 = 0.51 from step 1;
    // m = 0.9·0.051 + 0.1·(−0.291) = 0.0168; v = 0.999·0.0002601 + 0.001·0.084681 = 0.0003445209;
    // p = 0.9 − 0.1/(1 − 0.81)·m / (√v/√(1 − 0.998001) + 1e-8).
    let (m2, v2): (f64, f64) = (0.9 * 0.051 + 0.1 * -0.291, 0.999 * 0.0002601 + 0.001 * 0.084681);
    let expect = 0.9 - 0.1 / 0.19 * m2 / (v2.sqrt() / (1.0f64 - 0.998001).sqrt() + 1e-8);
    assert!((f64::from(b.read_vector(&p)[0]) - expect).abs() < 1e-6, "{} vs {expect}", b.read_vector(&p)[0]);
    assert!((f64::from(b.read_vector(&m)[0]) - m2).abs() < 1e-8);
}

#[test]
fn soft_update_and_copy() {
    let mut b = CpuBackend::new();
    let mut target = b.vector(2);
    b.write_vector(&mut target, &[1.0, 0.0]);
    let mut source = b.vector(2);
    b.write_vector(&mut source, &[3.0, 2.0]);
    b.soft_update(&mut target, &source, 0.25);
    assert_eq!(b.read_vector(&target), [1.5, 0.5]);
    b.copy(&mut target, &source);
    assert_eq!(b.read_vector(&target), [3.0, 2.0]);
}

/// A backend matrix with `rows` rows holding `values`.
fn matrix(b: &mut CpuBackend, rows: usize, values: &[f32]) -> ndarray::Array2<f32> {
    let mut m = b.matrix(rows, values.len() / rows);
    b.write_matrix(&mut m, values);
    m
}

/// DQN bootstraps from the target network's best action, double DQN from the online network's pick.
#[test]
fn dqn_target_picks_the_bootstrap_action_by_hand() {
    let mut b = CpuBackend::new();
    // Row 0: the online network picks action 1, the target network's maximum is action 0.
    // Row 1: the online values tie between actions 0 and 1: the first wins.
    let online = matrix(&mut b, 2, &[1.0, 5.0, 2.0, 4.0, 4.0, 0.0]);
    let target_q = matrix(&mut b, 2, &[10.0, 3.0, 7.0, 2.0, 8.0, 1.0]);
    let returns = matrix(&mut b, 2, &[1.0, -1.0]);
    let discounts = matrix(&mut b, 2, &[0.5, 0.25]);
    let mut y = b.matrix(2, 1);
    b.dqn_target(&online, &target_q, &returns, &discounts, &mut y);
    // Double: 1 + 0.5·Q'(s', 1) = 1 + 0.5·3 = 2.5; −1 + 0.25·Q'(s', 0) = −1 + 0.25·2 = −0.5.
    assert_eq!(b.read_matrix(&y), [2.5, -0.5]);
    b.dqn_target(&target_q, &target_q, &returns, &discounts, &mut y);
    // DQN: 1 + 0.5·max(10, 3, 7) = 6; −1 + 0.25·max(2, 8, 1) = 1.
    assert_eq!(b.read_matrix(&y), [6.0, 1.0]);
}

#[test]
fn gather_rows_copies_the_indexed_rows() {
    let mut b = CpuBackend::new();
    let src = matrix(&mut b, 3, &[0.0, 1.0, 10.0, 11.0, 20.0, 21.0]);
    let index = matrix(&mut b, 4, &[2.0, 0.0, 2.0, 1.0]);
    let mut out = b.matrix(4, 2);
    b.gather_rows(&src, &index, &mut out);
    assert_eq!(b.read_matrix(&out), [20.0, 21.0, 0.0, 1.0, 20.0, 21.0, 10.0, 11.0]);
}

/// f64 `log softmax(x)`.
fn log_softmax_f64(x: &[f64]) -> Vec<f64> {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = x.iter().map(|v| (v - max).exp()).sum::<f64>().ln() + max;
    x.iter().map(|v| v - log_sum).collect()
}

#[test]
fn action_log_prob_matches_f64() {
    let mut rng = Rng::new(21, Stream::World);
    let mut b = CpuBackend::new();
    let x32 = random_values(12, 3.0, &mut rng);
    let logits = matrix(&mut b, 3, &x32);
    let actions = matrix(&mut b, 3, &[3.0, 0.0, 2.0]);
    let mut out = b.matrix(3, 1);
    b.action_log_prob(&logits, &actions, &mut out);
    let got = b.read_matrix(&out);
    for (r, &a) in [3usize, 0, 2].iter().enumerate() {
        let expect = log_softmax_f64(&widen(&x32[r * 4..r * 4 + 4]))[a];
        assert!((f64::from(got[r]) - expect).abs() < 1e-6, "row {r}: {} vs {expect}", got[r]);
    }
}

/// GAE(γ = 0.5, λ = 0.5) on a 3-step rollout, worked by hand.
#[test]
fn gae_by_hand_with_a_termination_and_a_truncation() {
    let mut b = CpuBackend::new();
    let rewards = matrix(&mut b, 3, &[1.0, 2.0, 3.0]);
    let values = matrix(&mut b, 3, &[0.5, 1.0, 2.0]);
    let next_values = matrix(&mut b, 3, &[1.0, 4.0, 6.0]);
    let none = matrix(&mut b, 3, &[0.0, 0.0, 0.0]);
    let step1 = matrix(&mut b, 3, &[0.0, 1.0, 0.0]);
    let (mut adv, mut ret) = (b.matrix(3, 1), b.matrix(3, 1));
    // The episode terminates at step 1; step 2 starts another that the rollout cuts off (bootstrapped).
    b.gae(&rewards, &values, &next_values, &step1, &step1, 0.5, 0.5, &mut adv, &mut ret);
    // t=2: δ = 3 + 0.5·6 − 2 = 4, A = 4.  t=1: δ = 2 − 1 = 1 (no bootstrap), A = 1 (the chain stops).
    // t=0: δ = 1 + 0.5·1 − 0.5 = 1, A = 1 + 0.25·1 = 1.25.  Returns = A + V.
    assert_eq!(b.read_matrix(&adv), [1.25, 1.0, 4.0]);
    assert_eq!(b.read_matrix(&ret), [1.75, 2.0, 6.0]);
    // Truncated at step 1 instead: it bootstraps, δ = 2 + 0.5·4 − 1 = 3, A = 3; t=0: A = 1 + 0.25·3 = 1.75.
    b.gae(&rewards, &values, &next_values, &none, &step1, 0.5, 0.5, &mut adv, &mut ret);
    assert_eq!(b.read_matrix(&adv), [1.75, 3.0, 4.0]);
    assert_eq!(b.read_matrix(&ret), [2.25, 4.0, 6.0]);
    // No episode boundary: t=1 carries t=2's advantage, δ = 3 as above, A = 3 + 0.25·4 = 4; t=0: 1 + 0.25·4 = 2.
    b.gae(&rewards, &values, &next_values, &none, &none, 0.5, 0.5, &mut adv, &mut ret);
    assert_eq!(b.read_matrix(&adv), [2.0, 4.0, 4.0]);
}

/// f64 reference of PPO's clipped policy loss on `logits` (`rows × n`).
fn ppo_loss_f64(logits: &[f64], actions: &[usize], old: &[f64], adv: &[f64], loss: &PpoLoss) -> f64 {
    let (rows, n) = (actions.len(), logits.len() / actions.len());
    let mut adv = adv.to_vec();
    if loss.normalize_advantage {
        let mean = adv.iter().sum::<f64>() / rows as f64;
        let sd = (adv.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / (rows - 1) as f64).sqrt();
        adv.iter_mut().for_each(|a| *a = (*a - mean) / (sd + 1e-8));
    }
    let (eps, c) = (f64::from(loss.clip), f64::from(loss.entropy_coef));
    let mut total = 0.0;
    for r in 0..rows {
        let lp = log_softmax_f64(&logits[r * n..(r + 1) * n]);
        let ratio = (lp[actions[r]] - old[r]).exp();
        let surrogate = (ratio * adv[r]).min(ratio.clamp(1.0 - eps, 1.0 + eps) * adv[r]);
        let entropy = -lp.iter().map(|l| l.exp() * l).sum::<f64>();
        total -= surrogate + c * entropy;
    }
    total / rows as f64
}

/// Old log-probabilities `log π(a) + offset`: ratios `e^{−offset}` on both sides of the clip range.
fn ppo_case(rng: &mut Rng) -> (Vec<f32>, Vec<usize>, Vec<f32>, Vec<f32>) {
    let logits = random_values(6 * 4, 1.0, rng);
    let actions = vec![0usize, 3, 1, 2, 2, 1];
    let offsets = [-0.5f64, 0.5, 0.05, -0.05, 0.4, -0.3];
    let old: Vec<f32> =
        (0..6).map(|r| (log_softmax_f64(&widen(&logits[r * 4..r * 4 + 4]))[actions[r]] + offsets[r]) as f32).collect();
    let adv = vec![1.0f32, -1.0, 0.5, -2.0, -0.3, -0.8];
    (logits, actions, old, adv)
}

#[test]
fn ppo_policy_loss_gradient_matches_finite_differences() {
    let mut rng = Rng::new(22, Stream::World);
    let mut b = CpuBackend::new();
    let (x32, actions, old, adv) = ppo_case(&mut rng);
    for (normalize, entropy_coef) in [(false, 0.0), (false, 0.1), (true, 0.05)] {
        let loss = PpoLoss { clip: 0.2, entropy_coef, normalize_advantage: normalize };
        let logits = matrix(&mut b, 6, &x32);
        let action_m = matrix(&mut b, 6, &actions.iter().map(|&a| a as f32).collect::<Vec<_>>());
        let old_m = matrix(&mut b, 6, &old);
        let adv_m = matrix(&mut b, 6, &adv);
        let mut d = b.matrix(6, 4);
        let mut stats = b.vector(4);
        b.ppo_policy_loss(&logits, &action_m, &old_m, &adv_m, &loss, &mut d, &mut stats, 0);
        let (old64, adv64) = (widen(&old), widen(&adv));
        let reference = ppo_loss_f64(&widen(&x32), &actions, &old64, &adv64, &loss);
        let s = b.read_vector(&stats);
        assert!((f64::from(s[0]) - reference).abs() < 1e-5, "loss {} vs {reference}", s[0]);
        let numeric = numeric_grad(&widen(&x32), |x| ppo_loss_f64(x, &actions, &old64, &adv64, &loss));
        let err = relative_error(&widen(&b.read_matrix(&d)), &numeric);
        assert!(err < 1e-4, "normalize={normalize} c_H={entropy_coef}: relative error {err}");
        // Ratios e^{0.5}, e^{−0.5}, e^{−0.4}, e^{0.3} lie outside 1 ± 0.2, e^{±0.05} inside.
        assert!((s[3] - 4.0 / 6.0).abs() < 1e-6, "clip fraction {}", s[3]);
    }
}

/// Beyond the clip range on the side the advantage favours, the surrogate is flat: no gradient at all.
#[test]
fn ppo_clipped_objective_has_zero_gradient_outside_the_range() {
    let mut b = CpuBackend::new();
    // log π = log softmax([0, 0]) = ln ½ for both actions.
    let logits = matrix(&mut b, 4, &[0.0; 8]);
    let actions = matrix(&mut b, 4, &[0.0, 1.0, 0.0, 1.0]);
    let half = 0.5f32.ln();
    // Ratios 1.5, 0.5, 1.5, 0.5 against advantages +1, −1 (clipped: flat) and −1, +1 (unclipped side).
    let old = matrix(&mut b, 4, &[half - 1.5f32.ln(), half - 0.5f32.ln(), half - 1.5f32.ln(), half - 0.5f32.ln()]);
    let adv = matrix(&mut b, 4, &[1.0, -1.0, -1.0, 1.0]);
    let loss = PpoLoss { clip: 0.2, entropy_coef: 0.0, normalize_advantage: false };
    let mut d = b.matrix(4, 2);
    let mut stats = b.vector(4);
    b.ppo_policy_loss(&logits, &actions, &old, &adv, &loss, &mut d, &mut stats, 0);
    let d = b.read_matrix(&d);
    assert_eq!(&d[..4], [0.0; 4]);
    // Row 2: ∂/∂x = −(1/4)·Â·ρ·(1[j = a] − π) = −(1/4)·(−1)·1.5·(±½) = ±0.1875; row 3: −(1/4)·0.5·(∓½).
    let expect = [0.1875, -0.1875, 0.0625, -0.0625];
    for (g, e) in d[4..].iter().zip(expect) {
        assert!((g - e).abs() < 1e-6, "{d:?}");
    }
    // L = −mean(min(ρÂ, clip(ρ)Â)) = −(1.2 − 0.8 − 1.5 + 0.5)/4 = 0.15; every ratio is outside 1 ± 0.2.
    let s = b.read_vector(&stats);
    assert!((s[0] - 0.15).abs() < 1e-6 && s[3] == 1.0, "{s:?}");
}

#[test]
fn value_mse_gradient_and_stats() {
    let mut rng = Rng::new(23, Stream::World);
    let mut b = CpuBackend::new();
    let v32 = random_values(5, 1.0, &mut rng);
    let r32 = random_values(5, 1.0, &mut rng);
    let (values, returns) = (matrix(&mut b, 5, &v32), matrix(&mut b, 5, &r32));
    let mut dv = b.matrix(5, 1);
    let mut stats = b.vector(2);
    b.value_mse(&values, &returns, 0.5, &mut dv, &mut stats, 0);
    let r64 = widen(&r32);
    let mse = |v: &[f64]| v.iter().zip(&r64).map(|(v, r)| (v - r) * (v - r)).sum::<f64>() / 5.0;
    let numeric = numeric_grad(&widen(&v32), |v| 0.5 * mse(v));
    assert!(relative_error(&widen(&b.read_matrix(&dv)), &numeric) < 1e-5);
    let s = b.read_vector(&stats);
    assert!((f64::from(s[0]) - mse(&widen(&v32))).abs() < 1e-6);
    assert!((f64::from(s[1]) - widen(&v32).iter().sum::<f64>() / 5.0).abs() < 1e-6);
}

#[test]
fn clip_grad_norm_scales_only_above_the_limit() {
    let mut b = CpuBackend::new();
    let mut g = b.vector(2);
    b.write_vector(&mut g, &[3.0, 4.0]);
    let mut stats = b.vector(2);
    b.clip_grad_norm(&mut g, 10.0, &mut stats, 1);
    assert_eq!((b.read_vector(&g), b.read_vector(&stats)[1]), (vec![3.0, 4.0], 5.0));
    b.clip_grad_norm(&mut g, 1.0, &mut stats, 0);
    // ‖g‖ = 5: scaled by 1/(5 + 1e-6).
    let clipped = b.read_vector(&g);
    assert_eq!(b.read_vector(&stats)[0], 5.0);
    assert!((clipped[0] - 0.6).abs() < 1e-6 && (clipped[1] - 0.8).abs() < 1e-6, "{clipped:?}");
}

#[test]
fn orthogonal_init_gives_orthonormal_weights_and_zero_biases() {
    let mlp = Mlp::new(&[7, 5, 9], Activation::Mish, Activation::Identity, 0);
    let mut p = vec![1.0; mlp.len()];
    mlp.init_orthogonal(&mut p, &mut Rng::new(3, Stream::Learner), 2.0);
    for layer in &mlp.layers {
        let l = layer.layout;
        let w = |r: usize, c: usize| f64::from(p[l.weight + r * l.outputs + c]);
        // Tall W (7 × 5): orthonormal columns; wide W (5 × 9): orthonormal rows; times gain 2.
        let (count, len, tall) =
            if l.inputs >= l.outputs { (l.outputs, l.inputs, true) } else { (l.inputs, l.outputs, false) };
        for i in 0..count {
            for j in 0..count {
                let dot: f64 = (0..len).map(|k| if tall { w(k, i) * w(k, j) } else { w(i, k) * w(j, k) }).sum();
                let expect = if i == j { 4.0 } else { 0.0 };
                assert!((dot - expect).abs() < 1e-5, "layer {l:?}: <{i},{j}> = {dot}");
            }
        }
        assert!(p[l.bias..l.bias + l.outputs].iter().all(|&b| b == 0.0));
    }
}

#[test]
fn concat_cols_and_add_assign() {
    let mut b = CpuBackend::new();
    let mut a = b.matrix(2, 1);
    b.write_matrix(&mut a, &[1.0, 2.0]);
    let mut c = b.matrix(2, 2);
    b.write_matrix(&mut c, &[3.0, 4.0, 5.0, 6.0]);
    let mut out = b.matrix(2, 3);
    b.concat_cols(&a, &c, &mut out);
    assert_eq!(b.read_matrix(&out), [1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
    b.add_assign(&mut c, &out.slice(ndarray::s![.., 1..]).to_owned());
    assert_eq!(b.read_matrix(&c), [6.0, 8.0, 10.0, 12.0]);
}

/// f64 reference of [`HybridOps::hybrid_sample`]'s relaxed sample and entropy for one row.
pub(crate) fn hybrid_relaxed_f64(layout: &HybridLayout, temperature: f64, x: &[f64], g: &[f64]) -> (Vec<f64>, f64) {
    let (c, block) = (layout.choices, layout.block());
    let mut relaxed = Vec::with_capacity(x.len());
    let mut entropy = 0.0;
    for (xb, gb) in x.chunks_exact(block).zip(g.chunks_exact(block)) {
        let z: Vec<f64> = xb[..c].iter().zip(gb).map(|(v, n)| (v + n) / temperature).collect();
        let (zmax, lmax) =
            (z.iter().copied().fold(f64::MIN, f64::max), xb[..c].iter().copied().fold(f64::MIN, f64::max));
        let zsum: f64 = z.iter().map(|v| (v - zmax).exp()).sum();
        relaxed.extend(z.iter().map(|v| (v - zmax).exp() / zsum));
        relaxed.extend(xb[c..].iter().map(|v| v.tanh()));
        let lsum: f64 = xb[..c].iter().map(|v| (v - lmax).exp()).sum();
        entropy -= xb[..c].iter().map(|v| (v - lmax - lsum.ln()).exp() * (v - lmax - lsum.ln())).sum::<f64>();
    }
    (relaxed, entropy)
}

/// The straight-through sample on one block worked by hand: the Gumbel draws move the argmax, the forward
/// value is the one-hot, and the backward is softmax's Jacobian product (plus the entropy term).
#[test]
fn hybrid_sample_worked_example() {
    let layout = HybridLayout { groups: 1, choices: 3, continuous: 1 };
    let mut b = CpuBackend::new();
    let mut x = b.matrix(1, 4);
    b.write_matrix(&mut x, &[1.0, 2.0, 0.5, 0.5]);
    let mut g = b.matrix(1, 4);
    b.write_matrix(&mut g, &[0.5, -1.0, 0.3, 0.0]);
    let (mut action, mut relaxed, mut entropy, mut stats) =
        (b.matrix(1, 4), b.matrix(1, 4), b.matrix(1, 1), b.vector(2));
    b.hybrid_sample(&layout, 1.0, &x, &g, &mut action, &mut relaxed, &mut entropy, &mut stats, 0);
    // z = x + g = [1.5, 1.0, 0.8]: the first choice wins although the second has the largest logit.
    assert_eq!(b.read_matrix(&action)[..3], [1.0, 0.0, 0.0]);
    // softmax(z) = [e^1.5, e^1, e^0.8]/9.425512 = [0.475485, 0.288396, 0.236119]; tanh(0.5) = 0.462117.
    let want = [0.475_485, 0.288_396, 0.236_119, 0.462_117];
    let got = b.read_matrix(&relaxed);
    assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6), "{got:?}");
    assert_eq!(b.read_matrix(&action)[3], got[3]);
    // π = softmax([1, 2, 0.5]) = [0.231224, 0.628532, 0.140244]; H = −Σ π ln π = 0.905959.
    assert!(
        (b.read_matrix(&entropy)[0] - 0.905_959).abs() < 1e-6 && b.read_vector(&stats)[0] == b.read_matrix(&entropy)[0]
    );
    // Σ x² = 1 + 4 + 0.25 + 0.25.
    assert_eq!(b.read_vector(&stats)[1], 5.5);

    let mut d = b.matrix(1, 4);
    b.write_matrix(&mut d, &[0.3, -0.2, 0.1, 2.0]);
    let mut dx = b.matrix(1, 4);
    b.hybrid_sample_backward(&layout, 1.0, &x, &relaxed, &d, 0.0, 0.0, &mut dx);
    // Σ p·d = 0.108578; dx = p ⊙ (d − 0.108578) = [0.091018, −0.088993, −0.002025]; 2·(1 − 0.462117²) = 1.572895.
    let want = [0.091_018, -0.088_993, -0.002_025, 1.572_895];
    let got = b.read_matrix(&dx);
    assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 2e-6), "{got:?}");
    b.hybrid_sample_backward(&layout, 1.0, &x, &relaxed, &d, 0.5, 0.0, &mut dx);
    // Plus 0.5·π ⊙ (ln π + H): [−0.064559, 0.138777, −0.074218].
    let want = [0.026_459, 0.049_784, -0.076_243, 1.572_895];
    let got = b.read_matrix(&dx);
    assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 2e-6), "{got:?}");
    b.hybrid_sample_backward(&layout, 1.0, &x, &relaxed, &d, 0.5, 0.25, &mut dx);
    // Plus 2·0.25·x = [0.5, 1, 0.25, 0.25] in every column.
    let want = [0.526_459, 1.049_784, 0.173_757, 1.822_895];
    let got = b.read_matrix(&dx);
    assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 2e-6), "{got:?}");
}

/// The hybrid sample's forward against f64, and its backward against central differences of the relaxed
/// surrogate `Σ c ⊙ relaxed − w·Σ entropy + λ·Σ x²` (what the straight-through estimator differentiates).
#[test]
fn hybrid_sample_backward_is_the_relaxed_gradient() {
    let layout = HybridLayout { groups: 3, choices: 4, continuous: 2 };
    let (rows, width, temperature, weight, l2) = (3, layout.width(), 0.7, 0.3, 0.05);
    let mut rng = Rng::new(21, Stream::World);
    let x32 = random_values(rows * width, 1.5, &mut rng);
    let g32: Vec<f32> = (0..rows * width).map(|_| rng.gumbel() as f32).collect();
    let c32 = random_values(rows * width, 1.0, &mut rng);
    let mut b = CpuBackend::new();
    let (mut x, mut g, mut d) = (b.matrix(rows, width), b.matrix(rows, width), b.matrix(rows, width));
    b.write_matrix(&mut x, &x32);
    b.write_matrix(&mut g, &g32);
    b.write_matrix(&mut d, &c32);
    let (mut action, mut relaxed, mut entropy, mut stats) =
        (b.matrix(rows, width), b.matrix(rows, width), b.matrix(rows, 1), b.vector(2));
    b.hybrid_sample(&layout, temperature, &x, &g, &mut action, &mut relaxed, &mut entropy, &mut stats, 0);
    let mut dx = b.matrix(rows, width);
    b.hybrid_sample_backward(&layout, temperature, &x, &relaxed, &d, weight, l2, &mut dx);

    let (x64, g64, c64) = (widen(&x32), widen(&g32), widen(&c32));
    let t = f64::from(temperature);
    let (got_relaxed, got_entropy, got_action) =
        (b.read_matrix(&relaxed), b.read_matrix(&entropy), b.read_matrix(&action));
    let mut mean_entropy = 0.0;
    for (r, &row_entropy) in got_entropy.iter().enumerate() {
        let span = r * width..(r + 1) * width;
        let (want, h) = hybrid_relaxed_f64(&layout, t, &x64[span.clone()], &g64[span.clone()]);
        assert!(relative_error(&widen(&got_relaxed[span.clone()]), &want) < 1e-6);
        assert!((f64::from(row_entropy) - h).abs() < 1e-5);
        mean_entropy += h / rows as f64;
        for k in 0..layout.groups {
            let at = r * width + k * layout.block();
            let z: Vec<f64> = (0..4).map(|i| x64[at + i] + g64[at + i]).collect();
            let hot = (0..4).fold(0, |best, i| if z[i] > z[best] { i } else { best });
            let onehot: Vec<f32> = (0..4).map(|i| if i == hot { 1.0 } else { 0.0 }).collect();
            assert_eq!(got_action[at..at + 4], onehot[..]);
            assert_eq!(got_action[at + 4..at + 6], got_relaxed[at + 4..at + 6]);
        }
    }
    assert!((f64::from(b.read_vector(&stats)[0]) - mean_entropy).abs() < 1e-5);
    let squares = x64.iter().map(|v| v * v).sum::<f64>() / rows as f64;
    assert!((f64::from(b.read_vector(&stats)[1]) - squares).abs() < 1e-5);

    let surrogate = |x: &[f64]| {
        (0..rows)
            .map(|r| {
                let span = r * width..(r + 1) * width;
                let (relaxed, h) = hybrid_relaxed_f64(&layout, t, &x[span.clone()], &g64[span.clone()]);
                relaxed.iter().zip(&c64[span]).map(|(v, c)| v * c).sum::<f64>() - f64::from(weight) * h
            })
            .sum::<f64>()
            + f64::from(l2) * x.iter().map(|v| v * v).sum::<f64>()
    };
    let err = relative_error(&widen(&b.read_matrix(&dx)), &numeric_grad(&x64, surrogate));
    assert!(err < 1e-4, "relative error {err}");
}

#[test]
fn min_q_loss_and_target_by_hand() {
    let mut b = CpuBackend::new();
    let column = |b: &mut CpuBackend, v: &[f32]| {
        let mut m = b.matrix(v.len(), 1);
        b.write_matrix(&mut m, v);
        m
    };
    let (q1, q2) = (column(&mut b, &[1.0, 4.0, 2.0, -3.0]), column(&mut b, &[2.0, 3.0, 2.0, -1.0]));
    let (mut dq1, mut dq2, mut stats) = (b.matrix(4, 1), b.matrix(4, 1), b.vector(2));
    b.min_q_loss(&q1, &q2, &mut dq1, &mut dq2, &mut stats, 1);
    // min = [1, 3, 2 (a tie: q1's), −3]; L = −(1 + 3 + 2 − 3)/4 = −0.75.
    assert_eq!(b.read_vector(&stats), [0.0, -0.75]);
    assert_eq!(b.read_matrix(&dq1), [-0.25, 0.0, -0.25, -0.25]);
    assert_eq!(b.read_matrix(&dq2), [0.0, -0.25, 0.0, 0.0]);

    let entropy = column(&mut b, &[1.0, 0.5, 0.0, 2.0]);
    let returns = column(&mut b, &[0.5, 1.0, -1.0, 0.0]);
    let discounts = column(&mut b, &[0.5, 0.0, 1.0, 0.25]);
    let mut target = b.matrix(4, 1);
    b.min_q_td_target(&q1, &q2, &entropy, 0.5, &returns, &discounts, &mut target);
    // y = r + d·(min + 0.5·H): 0.5 + 0.5·1.5, 1 + 0, −1 + 2, 0.25·(−3 + 1).
    assert_eq!(b.read_matrix(&target), [1.25, 1.0, 1.0, -0.5]);
}
