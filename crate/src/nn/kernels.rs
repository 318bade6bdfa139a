//! CPU kernels behind [`super::cpu::CpuBackend`].
//!
//! Every kernel fixes the order in which it adds numbers — each output element is summed in ascending
//! index order, starting from zero, with no fused multiply-add — so the same inputs give the same bits on
//! any x86 vector width and in WebAssembly (SIMD128). Vector width only changes how many independent
//! elements are computed at once. On x86-64 the product is compiled again with AVX2 and with AVX-512 and
//! the widest one the CPU has is chosen at run time.

use super::Activation;

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

/// `dz *= act'(z)` elementwise, with `slope` the slopes `act'(z)` the forward pass kept (ReLU and Mish) and
/// `a` the outputs (tanh's slope is `1 − a²`). Softmax's Jacobian is row-wise and handled by the backend.
pub fn scale_by_slope(act: Activation, dz: &mut [f32], slope: Option<&[f32]>, a: &[f32]) {
    #[inline(always)]
    fn portable(act: Activation, dz: &mut [f32], slope: Option<&[f32]>, a: &[f32]) {
        match (act, slope) {
            (Activation::Identity | Activation::Softmax, _) => {}
            // A select rather than a product, so a negative or non-finite gradient is cut to exactly +0.
            (Activation::Relu, Some(slope)) => {
                for (g, &s) in dz.iter_mut().zip(slope) {
                    *g = if s > 0.0 { *g } else { 0.0 };
                }
            }
            (Activation::Mish, Some(slope)) => {
                for (g, &s) in dz.iter_mut().zip(slope) {
                    *g *= s;
                }
            }
            (Activation::Tanh, _) => {
                for (g, &a) in dz.iter_mut().zip(a) {
                    *g *= 1.0 - a * a;
                }
            }
            (Activation::Relu | Activation::Mish, None) => unreachable!("ReLU and Mish keep their slopes"),
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f")]
        fn avx512(act: Activation, dz: &mut [f32], slope: Option<&[f32]>, a: &[f32]) {
            portable(act, dz, slope, a)
        }
        #[target_feature(enable = "avx2")]
        fn avx2(act: Activation, dz: &mut [f32], slope: Option<&[f32]>, a: &[f32]) {
            portable(act, dz, slope, a)
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { avx512(act, dz, slope, a) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { avx2(act, dz, slope, a) };
        }
    }
    portable(act, dz, slope, a)
}

/// Where the finished sums of a product go, one row segment at a time.
trait Epilogue {
    /// Row `row`, columns `j..j + sums.len()` of the product are `sums`.
    fn write(&mut self, row: usize, j: usize, sums: &[f32]);
}

/// `Y = A·B`.
struct Store<'a> {
    y: &'a mut [f32],
    n: usize,
}

impl Epilogue for Store<'_> {
    #[inline(always)]
    fn write(&mut self, row: usize, j: usize, sums: &[f32]) {
        self.y[row * self.n + j..][..sums.len()].copy_from_slice(sums);
    }
}

/// `Y += A·B` (the product's sums first, then added).
struct AddTo<'a> {
    y: &'a mut [f32],
    n: usize,
}

impl Epilogue for AddTo<'_> {
    #[inline(always)]
    fn write(&mut self, row: usize, j: usize, sums: &[f32]) {
        for (y, s) in self.y[row * self.n + j..][..sums.len()].iter_mut().zip(sums) {
            *y += s;
        }
    }
}

/// `Z = A·B + bias`, `out = act(Z)`, `slope = act'(Z)` when kept (for the backward pass, computed here
/// where Mish's exponential is at hand anyway).
struct Dense<'a, 'b> {
    bias: &'a [f32],
    act: Activation,
    dst: &'a mut LinearOut<'b>,
    n: usize,
}

impl Epilogue for Dense<'_, '_> {
    #[inline(always)]
    fn write(&mut self, row: usize, j: usize, sums: &[f32]) {
        let at = row * self.n + j;
        let len = sums.len();
        let bias = &self.bias[j..j + len];
        let out = &mut self.dst.out[at..at + len];
        // One match per segment, so each loop below vectorises.
        match (self.act, self.dst.slope.as_deref_mut()) {
            (Activation::Identity | Activation::Softmax, slope) => {
                for ((o, &s), &b) in out.iter_mut().zip(sums).zip(bias) {
                    *o = s + b;
                }
                if let Some(slope) = slope {
                    slope[at..at + len].fill(1.0);
                }
            }
            (Activation::Relu, None) => {
                for ((o, &s), &b) in out.iter_mut().zip(sums).zip(bias) {
                    *o = (s + b).max(0.0);
                }
            }
            (Activation::Relu, Some(slope)) => {
                for (((o, d), &s), &b) in out.iter_mut().zip(&mut slope[at..at + len]).zip(sums).zip(bias) {
                    let z = s + b;
                    *o = z.max(0.0);
                    *d = if z > 0.0 { 1.0 } else { 0.0 };
                }
            }
            (Activation::Mish, None) => {
                for ((o, &s), &b) in out.iter_mut().zip(sums).zip(bias) {
                    *o = mish_and_slope(s + b).0;
                }
            }
            (Activation::Mish, Some(slope)) => {
                for (((o, d), &s), &b) in out.iter_mut().zip(&mut slope[at..at + len]).zip(sums).zip(bias) {
                    (*o, *d) = mish_and_slope(s + b);
                }
            }
            (Activation::Tanh, slope) => {
                for ((o, &s), &b) in out.iter_mut().zip(sums).zip(bias) {
                    *o = tanh(s + b);
                }
                if let Some(slope) = slope {
                    for (d, &a) in slope[at..at + len].iter_mut().zip(out.iter()) {
                        *d = 1.0 - a * a;
                    }
                }
            }
        }
    }
}

/// The left factor `A` (`m × k`) of a product: its elements and how they are stored.
#[derive(Clone, Copy)]
enum Lhs<'a> {
    /// Row-major: `A[i][kk]` at `i·stride + kk`.
    Rows { data: &'a [f32], stride: usize },
    /// Column-wise: `A[i][kk]` at `start(i) + kk·step` with `start(i) = (i / group)·group_len + i % group`.
    /// `Aᵀ` stored row-major is `step = stride`, one group (a gradient `Xᵀ·dZ` reads `X` where it lies);
    /// [`pack`] writes groups of `R` rows, each `k × R` ("the `R` values of column `kk` side by side"), so
    /// a tile reads its `R` multipliers for one `kk` with one contiguous load.
    Columns { data: &'a [f32], step: usize, group: usize, group_len: usize },
}

/// One `R × C` register tile of `A·B` at (`i`, `j`): `acc[r][c] = Σ_k a[i+r][k]·b[k][j+c]`, k ascending.
#[inline(always)]
fn tile<const R: usize, const C: usize>(
    a: Lhs<'_>,
    b: &[f32],
    k: usize,
    n: usize,
    i: usize,
    j: usize,
) -> [[f32; C]; R] {
    let mut acc = [[0.0f32; C]; R];
    match a {
        Lhs::Columns { data, step, group, group_len } => {
            let start = (i / group) * group_len + i % group;
            for (kk, brow) in b.chunks_exact(n).take(k).enumerate() {
                let bt: &[f32; C] = brow[j..j + C].try_into().expect("tile inside B");
                let col: &[f32; R] = data[start + kk * step..][..R].try_into().expect("tile inside A");
                for (acc_row, &x) in acc.iter_mut().zip(col) {
                    for c in 0..C {
                        acc_row[c] += x * bt[c];
                    }
                }
            }
        }
        Lhs::Rows { data, stride } => {
            let rows: [&[f32]; R] = core::array::from_fn(|r| &data[(i + r) * stride..][..k]);
            for (kk, brow) in b.chunks_exact(n).take(k).enumerate() {
                let bt: &[f32; C] = brow[j..j + C].try_into().expect("tile inside B");
                for (acc_row, row) in acc.iter_mut().zip(&rows) {
                    let x = row[kk];
                    for c in 0..C {
                        acc_row[c] += x * bt[c];
                    }
                }
            }
        }
    }
    acc
}

std::thread_local! {
    /// Each thread's buffer for [`pack`]: it grows to the largest block once and is reused after.
    static PACKED: core::cell::RefCell<Vec<f32>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Copies row-major `A` (`m × k`, row stride `stride`) into `out` as groups of `R` rows, each stored
/// column by column (`k × R`; the last group padded with zeros). A tile then finds the `R` multipliers of
/// one `kk` side by side instead of in `R` rows a row apart, which is what keeps the adders fed.
#[inline(always)]
fn pack<const R: usize>(data: &[f32], stride: usize, m: usize, k: usize, out: &mut Vec<f32>) {
    let groups = m.div_ceil(R);
    out.clear();
    out.resize(groups * R * k, 0.0);
    for (g, block) in out.chunks_exact_mut(R * k).enumerate() {
        for r in 0..R.min(m - g * R) {
            let row = &data[(g * R + r) * stride..][..k];
            for (column, &x) in block.chunks_exact_mut(R).zip(row) {
                column[r] = x;
            }
        }
    }
}

/// Full column panels of width `W` from column `j` on (as many as fit), each over all rows (`R` at a time,
/// then single rows); returns the first column left over.
#[inline(always)]
fn panels<const R: usize, const W: usize, E: Epilogue>(
    a: Lhs<'_>,
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    mut j: usize,
    e: &mut E,
) -> usize {
    while j + W <= n {
        let mut i = 0;
        while i + R <= m {
            let acc = tile::<R, W>(a, b, k, n, i, j);
            for (r, sums) in acc.iter().enumerate() {
                e.write(i + r, j, sums);
            }
            i += R;
        }
        while i < m {
            let acc = tile::<1, W>(a, b, k, n, i, j);
            e.write(i, j, &acc[0]);
            i += 1;
        }
        j += W;
    }
    j
}

/// `A·B` for `A: m×k`, `B: k×n` (row-major) into `e`: column panels outermost (a panel of B stays in
/// cache), `C` wide, then 16, 8, 4 and 1 wide for what is left; `R` rows at a time, from a row-major `A`
/// [`pack`]ed first. Fewer than `R` rows (a single decision) start with panels `W1` wide: one row gives a
/// tile few independent sums, and each sum waits on its previous addition, so a wider tile keeps the adder
/// busy. Every sum runs over k in ascending order from zero, whatever the tile sizes and layouts, so all
/// instantiations agree bit for bit.
#[inline(always)]
fn gemm<const R: usize, const C: usize, const W1: usize, E: Epilogue>(
    a: Lhs<'_>,
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    e: &mut E,
) {
    // A row-major factor is packed into this thread's buffer, taken out and put back rather than borrowed
    // in a closure (a closure would be compiled without the caller's target features).
    let packed = match a {
        Lhs::Rows { data, stride } if m >= R => {
            let mut buffer = PACKED.take();
            pack::<R>(data, stride, m, k, &mut buffer);
            Some(buffer)
        }
        _ => None,
    };
    let a = match &packed {
        Some(buffer) => Lhs::Columns { data: buffer, step: R, group: R, group_len: R * k },
        None => a,
    };
    let mut j = if m < R { panels::<1, W1, E>(a, b, m, k, n, 0, e) } else { 0 };
    j = panels::<R, C, E>(a, b, m, k, n, j, e);
    if C > 16 {
        j = panels::<R, 16, E>(a, b, m, k, n, j, e);
    }
    j = panels::<R, 8, E>(a, b, m, k, n, j, e);
    // The last columns (an output layer of 20 actions leaves 4): narrow tiles, still `R` rows of
    // independent sums at a time.
    j = panels::<R, 4, E>(a, b, m, k, n, j, e);
    panels::<R, 1, E>(a, b, m, k, n, j, e);
    if let Some(buffer) = packed {
        PACKED.set(buffer);
    }
}

/// Runs `gemm` with the widest tiles the CPU supports (AVX-512, AVX2, or the portable build, which is
/// what WebAssembly gets with SIMD128). Tile sizes never change a result.
fn gemm_dispatch<E: Epilogue>(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, e: &mut E) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f")]
        fn avx512<E: Epilogue>(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, e: &mut E) {
            gemm::<8, 32, 256, E>(a, b, m, k, n, e)
        }
        #[target_feature(enable = "avx2")]
        fn avx2<E: Epilogue>(a: Lhs<'_>, b: &[f32], m: usize, k: usize, n: usize, e: &mut E) {
            gemm::<4, 16, 64, E>(a, b, m, k, n, e)
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { avx512(a, b, m, k, n, e) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { avx2(a, b, m, k, n, e) };
        }
    }
    gemm::<4, 16, 64, E>(a, b, m, k, n, e)
}

/// Where a linear layer writes: the activation's slopes (when backward needs them) and outputs, both `m × n`.
pub struct LinearOut<'a> {
    /// `Z = X·W + b`, or `None` when the activation's backward only needs its output.
    pub slope: Option<&'a mut [f32]>,
    /// `A = act(Z)`.
    pub out: &'a mut [f32],
}

/// Products of at least this many multiply-adds are split over threads (natively). Below it the join costs
/// more than it saves: at 2^18 the fast preset's update (width 64, batch 128) took 4.6 ms on two threads
/// against 2.65 ms on one; at 2^21 it takes 2.7–2.8 ms and the paper preset's (width 256, batch 512) is
/// unchanged at 40–42 ms (`diffedge bench`, idle 2-core machine).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_WORK: usize = 1 << 21;

/// Makes the calling thread one of the kernels' worker threads (natively; call it first, on the thread that
/// will train). A large product then hands half its rows to the other worker directly, instead of waking
/// the pool from outside and waiting for it once per product: ≈ 5 % of a paper-preset update on two
/// threads. Does nothing when the pool already exists.
#[cfg(not(target_arch = "wasm32"))]
pub fn work_on_this_thread() {
    // An error only says the global pool was built before; the products then run as they would anyway.
    let _ = rayon::ThreadPoolBuilder::new().use_current_thread().build_global();
}

/// Runs `f(rows, first_row)` over `0..m` — split in two halves on two threads (recursively) when the
/// product is large, natively. Rows are independent and each element is summed the same way on any
/// thread, so the split never changes a result.
fn for_row_blocks<F>(m: usize, work_per_row: usize, f: &F, first: usize)
where
    F: Fn(usize, usize) + Sync,
{
    #[cfg(not(target_arch = "wasm32"))]
    if m >= 16 && m * work_per_row >= PARALLEL_WORK && rayon::current_num_threads() > 1 {
        let half = m / 2;
        rayon::join(
            || for_row_blocks(half, work_per_row, f, first),
            || for_row_blocks(m - half, work_per_row, f, first + half),
        );
        return;
    }
    let _ = work_per_row;
    f(m, first);
}

/// A raw pointer to an output buffer whose row blocks are written by different threads.
#[derive(Clone, Copy)]
struct Rows(*mut f32);
// SAFETY: every thread writes only the rows of its own block (see `for_row_blocks`), so accesses never
// overlap, and the buffer outlives the scope that uses it.
unsafe impl Send for Rows {}
// SAFETY: as above.
unsafe impl Sync for Rows {}

impl Rows {
    /// Rows `first..first + m` of an `n`-column buffer.
    ///
    /// # Safety
    /// The rows must lie inside the buffer and no other live reference may touch them.
    unsafe fn block<'a>(self, first: usize, m: usize, n: usize) -> &'a mut [f32] {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts_mut(self.0.add(first * n), m * n) }
    }
}

/// `A = act(X·W + b)` for `X: m×k`, `W: k×n` (row-major), `b: n`; each `Z` element is
/// `(Σ_k x·w in ascending k) + b`. Softmax is left to the caller (row-wise); here it is the identity.
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
    assert!(x.len() >= m * k && w.len() >= k * n && b.len() >= n && dst.out.len() >= m * n);
    if let Some(slope) = dst.slope.as_deref() {
        assert!(slope.len() >= m * n);
    }
    let out = Rows(dst.out.as_mut_ptr());
    let slope = dst.slope.as_deref_mut().map(|p| Rows(p.as_mut_ptr()));
    for_row_blocks(
        m,
        k * n,
        &|rows, first| {
            // SAFETY: row blocks are disjoint and inside `out`/`slope` (asserted above).
            let mut block = LinearOut {
                slope: slope.map(|p| unsafe { p.block(first, rows, n) }),
                out: unsafe { out.block(first, rows, n) },
            };
            let x = Lhs::Rows { data: &x[first * k..], stride: k };
            gemm_dispatch(x, w, rows, k, n, &mut Dense { bias: b, act, dst: &mut block, n });
        },
        0,
    );
}

/// `Y = X·W` for `X: m×k`, `W: k×n`, each element summed in ascending `k`.
pub fn matmul(x: &[f32], w: &[f32], y: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(x.len() >= m * k && w.len() >= k * n && y.len() >= m * n);
    let out = Rows(y.as_mut_ptr());
    for_row_blocks(
        m,
        k * n,
        &|rows, first| {
            // SAFETY: row blocks are disjoint and inside `y` (asserted above).
            let y = unsafe { out.block(first, rows, n) };
            let x = Lhs::Rows { data: &x[first * k..], stride: k };
            gemm_dispatch(x, w, rows, k, n, &mut Store { y, n });
        },
        0,
    );
}

/// `dW += Xᵀ·dZ` for `X: m×k`, `dZ: m×n`, `dW: k×n`: each element's sum over the batch rows runs in
/// order and is then added to `dW`. `X` is read in place, column by column.
pub fn matmul_tn_acc(x: &[f32], dz: &[f32], dw: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(x.len() >= m * k && dz.len() >= m * n && dw.len() >= k * n);
    let out = Rows(dw.as_mut_ptr());
    for_row_blocks(
        k,
        m * n,
        &|rows, first| {
            // SAFETY: row blocks are disjoint and inside `dw` (asserted above).
            let y = unsafe { out.block(first, rows, n) };
            let xt = Lhs::Columns { data: &x[first..], step: k, group: usize::MAX, group_len: 0 };
            gemm_dispatch(xt, dz, rows, m, n, &mut AddTo { y, n });
        },
        0,
    );
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
        for &(m, k, n) in
            &[(1, 78, 256), (5, 3, 20), (4, 16, 16), (7, 33, 35), (13, 9, 37), (21, 50, 3), (512, 42, 20), (1, 1, 1)]
        {
            let x = values(m * k, 1);
            let w = values(k * n, 2);
            let mut y = vec![0.0; m * n];
            matmul(&x, &w, &mut y, m, k, n);
            assert_eq!(y, naive(&x, &w, m, k, n), "matmul {m}x{k}x{n}");

            let b = values(n, 3);
            let mut out = vec![0.0; m * n];
            let mut slope = vec![0.0; m * n];
            linear_forward(&x, &w, &b, m, k, n, Activation::Identity, &mut LinearOut { slope: None, out: &mut out });
            let expect: Vec<f32> = naive(&x, &w, m, k, n).iter().enumerate().map(|(i, v)| v + b[i % n]).collect();
            assert_eq!(out, expect);
            // ReLU and Mish keep their slopes, computed from the same sums.
            for act in [Activation::Relu, Activation::Mish] {
                linear_forward(&x, &w, &b, m, k, n, act, &mut LinearOut { slope: Some(&mut slope), out: &mut out });
                for ((&o, &d), &z) in out.iter().zip(&slope).zip(&expect) {
                    let (value, derivative) = match act {
                        Activation::Relu => (z.max(0.0), if z > 0.0 { 1.0 } else { 0.0 }),
                        _ => mish_and_slope(z),
                    };
                    assert_eq!((o.to_bits(), d.to_bits()), (value.to_bits(), derivative.to_bits()), "{act:?}");
                }
            }

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

    /// Every tiling — AVX-512's, AVX2's and the portable one WebAssembly runs — gives the naive sums, from
    /// row-major, packed and transposed left factors alike, whatever this CPU dispatches to.
    #[test]
    fn every_tiling_gives_the_same_bits() {
        for &(m, k, n) in &[(1, 78, 256), (3, 7, 20), (9, 5, 36), (17, 64, 20), (40, 33, 70), (128, 64, 64)] {
            let (x, w) = (values(m * k, 6), values(k * n, 7));
            let expect = naive(&x, &w, m, k, n);
            let mut xt = vec![0.0; k * m];
            transpose(&x, &mut xt, m, k);
            let rows = Lhs::Rows { data: &x, stride: k };
            let columns = Lhs::Columns { data: &xt, step: m, group: usize::MAX, group_len: 0 };
            for a in [rows, columns] {
                let mut y = vec![0.0; m * n];
                gemm::<8, 32, 256, _>(a, &w, m, k, n, &mut Store { y: &mut y, n });
                assert_eq!(y, expect, "8x32 tiles, {m}x{k}x{n}");
                let mut y = vec![0.0; m * n];
                gemm::<4, 16, 64, _>(a, &w, m, k, n, &mut Store { y: &mut y, n });
                assert_eq!(y, expect, "4x16 tiles, {m}x{k}x{n}");
            }
        }
    }
}
