//! CPU kernels behind [`super::cpu::CpuBackend`].
//!
//! Every kernel fixes the order in which it adds numbers — each output element is summed in ascending
//! index order, starting from zero, with no fused multiply-add — so the same inputs give the same bits on
//! any x86 vector width and in WebAssembly (SIMD128). Vector width only changes how many independent
//! elements are computed at once. On x86-64 the kernels are compiled a second time with AVX2 enabled and
//! chosen at run time.

use super::Activation;

/// Rows of X per register tile.
const MR: usize = 4;
/// Columns of W per register tile.
const NR: usize = 16;

/// `e^x` in f32 from arithmetic only (Cephes' polynomial with Cody–Waite range reduction): identical
/// everywhere and vectorisable, unlike the platform `expf`. Relative error below 2e-7; saturates to 0 below
/// −87.3 and to `e^88.3` above 88.3.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    const ROUND: f32 = 12_582_912.0; // 1.5·2^23: adding and subtracting it rounds to the nearest integer
    let x = x.clamp(-87.3, 88.3);
    let k = (x * LOG2E + ROUND) - ROUND;
    let r = (x - k * 0.693_359_4) - k * (-2.121_944_4e-4);
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    p = p * r * r + r + 1.0;
    p * f32::from_bits(((k as i32 + 127) as u32) << 23)
}

/// The index of the largest value (the first on ties).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// `tanh(x) = 1 − 2 / (e^{2x} + 1)`, from [`exp`].
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// Logistic sigmoid, from [`exp`].
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `mish(x) = x·tanh(softplus(x)) = x·n/(n + 2)` with `n = e^x (e^x + 2)`: one exponential.
/// Returns (mish(x), mish'(x)).
#[inline(always)]
fn mish_and_slope(x: f32) -> (f32, f32) {
    // Beyond 20, n/(n+2) is 1 in f32 and e^{2x} would overflow.
    let u = exp(x.min(20.0));
    let n = u * (u + 2.0);
    let d = n + 2.0;
    let ratio = n / d;
    // d/dx [n/(n+2)] = 2·n'/(n+2)^2 with n' = 2u(u + 1)
    let slope = ratio + x * (4.0 * u * (u + 1.0)) / (d * d);
    (x * ratio, slope)
}

/// The activation of `z`.
#[inline(always)]
pub fn activate(act: Activation, z: f32) -> f32 {
    match act {
        Activation::Identity => z,
        Activation::Relu => z.max(0.0),
        Activation::Mish => mish_and_slope(z).0,
        Activation::Tanh => tanh(z),
        // Row-wise: the backend applies it after the identity layer.
        Activation::Softmax => z,
    }
}

/// The activation's derivative at pre-activation `z`, given its output `a`.
#[inline(always)]
pub fn slope(act: Activation, z: f32, a: f32) -> f32 {
    match act {
        Activation::Identity => 1.0,
        Activation::Relu => {
            if z > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Mish => mish_and_slope(z).1,
        Activation::Tanh => 1.0 - a * a,
        Activation::Softmax => unreachable!("softmax's Jacobian is row-wise; the backend applies it"),
    }
}

/// Runs `$body` as a function compiled with AVX2 when the CPU has it, else as the portable build.
macro_rules! dispatch {
    ($name:ident, $avx:ident, ($($arg:ident : $ty:ty),*), $body:expr) => {
        #[inline(always)]
        fn $name($($arg: $ty),*) {
            $body
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx($($arg: $ty),*) {
            $name($($arg),*)
        }
    };
}

#[cfg(target_arch = "x86_64")]
fn use_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// One `rows × cols` register tile of `X·W` starting at (`i`, `j`): `acc[r][c] = Σ_k x[i+r][k]·w[k][j+c]`.
#[inline(always)]
fn tile<const R: usize, const C: usize>(x: &[f32], w: &[f32], k: usize, n: usize, i: usize, j: usize) -> [[f32; C]; R] {
    let mut acc = [[0.0f32; C]; R];
    for kk in 0..k {
        let wrow: &[f32; C] = w[kk * n + j..kk * n + j + C].try_into().expect("tile inside W");
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let a = x[(i + r) * k + kk];
            for c in 0..C {
                acc_row[c] += a * wrow[c];
            }
        }
    }
    acc
}

/// The same sum for a tile of any size (the ragged edges of a matrix), in the same order.
#[inline(always)]
fn tile_edge(
    x: &[f32],
    w: &[f32],
    k: usize,
    n: usize,
    i: usize,
    j: usize,
    rows: usize,
    cols: usize,
    out: &mut [[f32; NR]; MR],
) {
    for (r, out_row) in out.iter_mut().enumerate().take(rows) {
        out_row[..cols].fill(0.0);
        for kk in 0..k {
            let a = x[(i + r) * k + kk];
            let wrow = &w[kk * n + j..kk * n + j + cols];
            for c in 0..cols {
                out_row[c] += a * wrow[c];
            }
        }
    }
}

/// Where a linear layer writes: pre-activations (when backward needs them) and outputs, both `m × n`.
pub struct LinearOut<'a> {
    /// `Z = X·W + b`, or `None` when the activation's backward only needs its output.
    pub pre: Option<&'a mut [f32]>,
    /// `A = act(Z)`.
    pub out: &'a mut [f32],
}

dispatch!(linear_forward_portable, linear_forward_avx2,
    (x: &[f32], w: &[f32], b: &[f32], m: usize, k: usize, n: usize, act: Activation, dst: &mut LinearOut<'_>),
    {
        let mut edge = [[0.0f32; NR]; MR];
        let mut i = 0;
        while i < m {
            let rows = MR.min(m - i);
            let mut j = 0;
            while j < n {
                let cols = NR.min(n - j);
                let acc = if rows == MR && cols == NR {
                    tile::<MR, NR>(x, w, k, n, i, j)
                } else if rows == 1 && cols == NR {
                    let one = tile::<1, NR>(x, w, k, n, i, j);
                    edge[0] = one[0];
                    edge
                } else {
                    tile_edge(x, w, k, n, i, j, rows, cols, &mut edge);
                    edge
                };
                for (r, acc_row) in acc.iter().enumerate().take(rows) {
                    let row = (i + r) * n + j;
                    for c in 0..cols {
                        let z = acc_row[c] + b[j + c];
                        if let Some(pre) = dst.pre.as_deref_mut() {
                            pre[row + c] = z;
                        }
                        dst.out[row + c] = activate(act, z);
                    }
                }
                j += NR;
            }
            i += MR;
        }
    }
);

/// `A = act(X·W + b)` for `X: m×k`, `W: k×n` (row-major), `b: n`; each `Z` element is
/// `(Σ_k x·w in ascending k) + b`.
pub fn linear_forward(
    x: &[f32],
    w: &[f32],
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    act: Activation,
    dst: &mut LinearOut<'_>,
) {
    debug_assert!(x.len() >= m * k && w.len() >= k * n && b.len() >= n && dst.out.len() >= m * n);
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { linear_forward_avx2(x, w, b, m, k, n, act, dst) };
    }
    linear_forward_portable(x, w, b, m, k, n, act, dst)
}

dispatch!(matmul_portable, matmul_avx2,
    (x: &[f32], w: &[f32], y: &mut [f32], m: usize, k: usize, n: usize),
    {
        let mut edge = [[0.0f32; NR]; MR];
        let mut i = 0;
        while i < m {
            let rows = MR.min(m - i);
            let mut j = 0;
            while j < n {
                let cols = NR.min(n - j);
                let acc = if rows == MR && cols == NR {
                    tile::<MR, NR>(x, w, k, n, i, j)
                } else {
                    tile_edge(x, w, k, n, i, j, rows, cols, &mut edge);
                    edge
                };
                for r in 0..rows {
                    y[(i + r) * n + j..(i + r) * n + j + cols].copy_from_slice(&acc[r][..cols]);
                }
                j += NR;
            }
            i += MR;
        }
    }
);

/// `Y = X·W` for `X: m×k`, `W: k×n`, each element summed in ascending `k`.
pub fn matmul(x: &[f32], w: &[f32], y: &mut [f32], m: usize, k: usize, n: usize) {
    debug_assert!(x.len() >= m * k && w.len() >= k * n && y.len() >= m * n);
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { matmul_avx2(x, w, y, m, k, n) };
    }
    matmul_portable(x, w, y, m, k, n)
}

dispatch!(matmul_tn_acc_portable, matmul_tn_acc_avx2,
    (x: &[f32], dz: &[f32], dw: &mut [f32], m: usize, k: usize, n: usize),
    {
        // Tiles of dW (k × n) with the batch loop innermost: each element's sum runs over rows i in order.
        let mut kk = 0;
        while kk < k {
            let rows = MR.min(k - kk);
            let mut j = 0;
            while j < n {
                let cols = NR.min(n - j);
                let mut acc = [[0.0f32; NR]; MR];
                if rows == MR && cols == NR {
                    for i in 0..m {
                        let zrow: &[f32; NR] = dz[i * n + j..i * n + j + NR].try_into().expect("tile inside dZ");
                        for (r, acc_row) in acc.iter_mut().enumerate() {
                            let a = x[i * k + kk + r];
                            for c in 0..NR {
                                acc_row[c] += a * zrow[c];
                            }
                        }
                    }
                } else {
                    for i in 0..m {
                        for (r, acc_row) in acc.iter_mut().enumerate().take(rows) {
                            let a = x[i * k + kk + r];
                            for c in 0..cols {
                                acc_row[c] += a * dz[i * n + j + c];
                            }
                        }
                    }
                }
                for r in 0..rows {
                    let row = &mut dw[(kk + r) * n + j..(kk + r) * n + j + cols];
                    for c in 0..cols {
                        row[c] += acc[r][c];
                    }
                }
                j += NR;
            }
            kk += MR;
        }
    }
);

/// `dW += Xᵀ·dZ` for `X: m×k`, `dZ: m×n`, `dW: k×n`: each element's sum over the batch rows runs in order
/// and is then added to `dW`.
pub fn matmul_tn_acc(x: &[f32], dz: &[f32], dw: &mut [f32], m: usize, k: usize, n: usize) {
    debug_assert!(x.len() >= m * k && dz.len() >= m * n && dw.len() >= k * n);
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { matmul_tn_acc_avx2(x, dz, dw, m, k, n) };
    }
    matmul_tn_acc_portable(x, dz, dw, m, k, n)
}

/// `out = aᵀ` for `a: rows × cols`.
pub fn transpose(a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
    const B: usize = 16;
    for i0 in (0..rows).step_by(B) {
        for j0 in (0..cols).step_by(B) {
            for i in i0..(i0 + B).min(rows) {
                for j in j0..(j0 + B).min(cols) {
                    out[j * rows + i] = a[i * cols + j];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate_and_saturates() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let exact = (x as f64).exp();
            worst = worst.max(((exp(x) as f64) - exact).abs() / exact);
            x += 0.0137;
        }
        assert!(worst < 2.5e-7, "worst relative error {worst}");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-200.0) < 1e-37 && exp(200.0).is_finite());
    }

    #[test]
    fn mish_matches_its_definition() {
        for &x in &[-30.0f32, -5.0, -1.0, -0.1, 0.0, 0.3, 1.0, 4.0, 19.0, 25.0, 80.0] {
            let xf = x as f64;
            let exact = xf * (xf.exp().ln_1p()).tanh();
            let got = activate(Activation::Mish, x) as f64;
            assert!((got - exact).abs() <= 1e-6 * exact.abs().max(1.0), "mish({x}) = {got}, want {exact}");
        }
    }

    fn naive(x: &[f32], w: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut y = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for kk in 0..k {
                    s += x[i * k + kk] * w[kk * n + j];
                }
                y[i * n + j] = s;
            }
        }
        y
    }

    fn values(len: usize, seed: u32) -> Vec<f32> {
        (0..len)
            .map(|i| (((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 16_777_216.0) - 0.5)
            .collect()
    }

    /// The tiled kernels add in exactly the naive order, so they agree bit for bit at every shape.
    #[test]
    fn kernels_match_the_naive_order_bit_for_bit() {
        for &(m, k, n) in &[(1, 78, 256), (5, 3, 20), (4, 16, 16), (7, 33, 35), (512, 42, 20), (1, 1, 1)] {
            let x = values(m * k, 1);
            let w = values(k * n, 2);
            let mut y = vec![0.0; m * n];
            matmul(&x, &w, &mut y, m, k, n);
            assert_eq!(y, naive(&x, &w, m, k, n), "matmul {m}x{k}x{n}");

            let b = values(n, 3);
            let mut out = vec![0.0; m * n];
            let mut pre = vec![0.0; m * n];
            linear_forward(
                &x,
                &w,
                &b,
                m,
                k,
                n,
                Activation::Identity,
                &mut LinearOut { pre: Some(&mut pre), out: &mut out },
            );
            let expect: Vec<f32> = naive(&x, &w, m, k, n).iter().enumerate().map(|(i, v)| v + b[i % n]).collect();
            assert_eq!(out, expect);
            assert_eq!(pre, expect);

            // dW += Xᵀ dZ, against the naive product of the explicit transpose.
            let dz = values(m * n, 4);
            let mut xt = vec![0.0; k * m];
            transpose(&x, &mut xt, m, k);
            let start = values(k * n, 5);
            let mut dw = start.clone();
            matmul_tn_acc(&x, &dz, &mut dw, m, k, n);
            let prod = naive(&xt, &dz, k, m, n);
            let expect: Vec<f32> = start.iter().zip(&prod).map(|(a, p)| a + p).collect();
            assert_eq!(dw, expect, "matmul_tn_acc {m}x{k}x{n}");
        }
    }
}
