//! The reference backend: ndarray storage and the deterministic kernels of [`super::kernels`]. It serves
//! single decisions and, natively and in the browser, training.

use ndarray::{Array1, Array2};

use super::kernels::{self, LinearOut};
use super::{
    Activation, AdamConfig, DiffusionOps, DqnOps, HybridLayout, HybridOps, LinearLayout, LossOps, ModuleOps, OptimOps,
    PolicyOutput, PpoLoss, PpoOps, ReverseStep, SacOps, TensorOps,
};

/// The CPU backend. Its scratch space grows to the largest layer once and is reused after.
#[derive(Debug, Default)]
pub struct CpuBackend {
    transposed: Vec<f32>,
    row: Vec<f32>,
}

impl CpuBackend {
    /// A backend with empty scratch space.
    pub fn new() -> Self {
        Self::default()
    }
}

fn data(m: &Array2<f32>) -> &[f32] {
    m.as_slice().expect("backend matrices are contiguous")
}

fn data_mut(m: &mut Array2<f32>) -> &mut [f32] {
    m.as_slice_mut().expect("backend matrices are contiguous")
}

fn vec_data(v: &Array1<f32>) -> &[f32] {
    v.as_slice().expect("backend vectors are contiguous")
}

fn vec_data_mut(v: &mut Array1<f32>) -> &mut [f32] {
    v.as_slice_mut().expect("backend vectors are contiguous")
}

/// Row softmax in place (max subtracted, sum in order).
fn softmax_in_place(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = kernels::exp(*v - max);
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// LAD's guard inside the logarithm of a probability.
const LOG_GUARD: f32 = 1e-8;

/// For one row of probabilities `p`: writes `log(p + 1e−8)` into `log_p` and returns `(H, Σ p·q)` with
/// LAD's entropy `H = −Σ p·log(p + 1e−8)`.
fn probs_entropy_value(p: &[f32], q: &[f32], log_p: &mut [f32]) -> (f32, f32) {
    let (mut entropy, mut value) = (0.0f32, 0.0f32);
    for ((lp, &pi), &qi) in log_p.iter_mut().zip(p).zip(q) {
        *lp = libm::logf(pi + LOG_GUARD);
        entropy -= pi * *lp;
        value += pi * qi;
    }
    (entropy, value)
}

/// For one row of logits `x`: writes `log softmax(x)` into `log_p`.
fn log_softmax(x: &[f32], log_p: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for &v in x {
        sum += kernels::exp(v - max);
    }
    let log_sum = libm::logf(sum);
    for (lp, &v) in log_p.iter_mut().zip(x) {
        *lp = v - max - log_sum;
    }
}

/// For one row of logits `x`: writes `log softmax(x)` into `log_p` and returns `H(π)`.
fn log_softmax_entropy(x: &[f32], log_p: &mut [f32]) -> f32 {
    log_softmax(x, log_p);
    let mut entropy = 0.0f32;
    for &lp in log_p.iter() {
        entropy -= kernels::exp(lp) * lp;
    }
    entropy
}

/// For one row of logits `x`: writes `log softmax(x)` into `log_p` and returns `(H(π), Σ π·q)`.
fn softmax_entropy_value(x: &[f32], q: &[f32], log_p: &mut [f32]) -> (f32, f32) {
    log_softmax(x, log_p);
    let (mut entropy, mut value) = (0.0f32, 0.0f32);
    for (&lp, &qv) in log_p.iter().zip(q) {
        let p = kernels::exp(lp);
        entropy -= p * lp;
        value += p * qv;
    }
    (entropy, value)
}

impl TensorOps for CpuBackend {
    type Matrix = Array2<f32>;
    type Vector = Array1<f32>;

    fn matrix(&mut self, rows: usize, cols: usize) -> Array2<f32> {
        Array2::zeros((rows, cols))
    }

    fn vector(&mut self, len: usize) -> Array1<f32> {
        Array1::zeros(len)
    }

    fn shape(&self, m: &Array2<f32>) -> (usize, usize) {
        m.dim()
    }

    fn write_matrix(&mut self, m: &mut Array2<f32>, values: &[f32]) {
        data_mut(m).copy_from_slice(values);
    }

    fn read_matrix(&mut self, m: &Array2<f32>) -> Vec<f32> {
        data(m).to_vec()
    }

    fn write_vector(&mut self, v: &mut Array1<f32>, values: &[f32]) {
        vec_data_mut(v).copy_from_slice(values);
    }

    fn read_vector(&mut self, v: &Array1<f32>) -> Vec<f32> {
        vec_data(v).to_vec()
    }

    fn softmax_rows(&mut self, x: &Array2<f32>, out: &mut Array2<f32>) {
        data_mut(out).copy_from_slice(data(x));
        let n = x.dim().1;
        for row in data_mut(out).chunks_exact_mut(n) {
            softmax_in_place(row);
        }
    }

    fn min_elementwise(&mut self, a: &Array2<f32>, b: &Array2<f32>, out: &mut Array2<f32>) {
        for ((o, &a), &b) in data_mut(out).iter_mut().zip(data(a)).zip(data(b)) {
            *o = a.min(b);
        }
    }

    fn concat_cols(&mut self, a: &Array2<f32>, b: &Array2<f32>, out: &mut Array2<f32>) {
        let (ca, cb) = (a.dim().1, b.dim().1);
        let rows = data_mut(out).chunks_exact_mut(ca + cb).zip(data(a).chunks_exact(ca)).zip(data(b).chunks_exact(cb));
        for ((row, ar), br) in rows {
            row[..ca].copy_from_slice(ar);
            row[ca..].copy_from_slice(br);
        }
    }

    fn add_assign(&mut self, dst: &mut Array2<f32>, src: &Array2<f32>) {
        for (d, &s) in data_mut(dst).iter_mut().zip(data(src)) {
            *d += s;
        }
    }

    fn fill(&mut self, v: &mut Array1<f32>, value: f32) {
        v.fill(value);
    }

    fn fill_matrix(&mut self, m: &mut Array2<f32>, value: f32) {
        m.fill(value);
    }

    fn copy(&mut self, dst: &mut Array1<f32>, src: &Array1<f32>) {
        vec_data_mut(dst).copy_from_slice(vec_data(src));
    }
}

impl ModuleOps for CpuBackend {
    fn linear_forward(
        &mut self,
        x: &Array2<f32>,
        weights: &Array1<f32>,
        layer: &LinearLayout,
        act: Activation,
        slope: Option<&mut Array2<f32>>,
        out: &mut Array2<f32>,
    ) {
        let (m, k) = x.dim();
        debug_assert_eq!(k, layer.inputs);
        let n = layer.outputs;
        let p = vec_data(weights);
        // Softmax is row-wise: an identity layer, then the rows normalised in place.
        let elementwise = if act == Activation::Softmax { Activation::Identity } else { act };
        let mut dst = LinearOut { slope: slope.map(data_mut), out: data_mut(out) };
        kernels::linear_forward(
            data(x),
            &p[layer.weight..layer.weight + k * n],
            &p[layer.bias..layer.bias + n],
            m,
            k,
            n,
            elementwise,
            &mut dst,
        );
        if act == Activation::Softmax {
            for row in dst.out.chunks_exact_mut(n) {
                softmax_in_place(row);
            }
        }
    }

    fn linear_backward(
        &mut self,
        x: &Array2<f32>,
        weights: &Array1<f32>,
        layer: &LinearLayout,
        act: Activation,
        slope: Option<&Array2<f32>>,
        out: &Array2<f32>,
        grad: &mut Array2<f32>,
        grads: &mut Array1<f32>,
        dx: Option<&mut Array2<f32>>,
    ) {
        let (m, n) = grad.dim();
        let k = layer.inputs;
        let dz = data_mut(grad);
        if act == Activation::Softmax {
            // dz = p ⊙ (da − Σ p·da), per row.
            for (g, p) in dz.chunks_exact_mut(n).zip(data(out).chunks_exact(n)) {
                let mut dot = 0.0f32;
                for (&gi, &pi) in g.iter().zip(p) {
                    dot += gi * pi;
                }
                for (gi, &pi) in g.iter_mut().zip(p) {
                    *gi = pi * (*gi - dot);
                }
            }
        } else {
            kernels::scale_by_slope(act, dz, slope.map(data), data(out));
        }
        let g = vec_data_mut(grads);
        kernels::matmul_tn_acc(data(x), dz, &mut g[layer.weight..layer.weight + k * n], m, k, n);
        // db: column sums of dZ, each summed over the rows in order, then added.
        self.row.clear();
        self.row.resize(n, 0.0);
        for row in dz.chunks_exact(n) {
            for (s, &v) in self.row.iter_mut().zip(row) {
                *s += v;
            }
        }
        for (b, s) in g[layer.bias..layer.bias + n].iter_mut().zip(&self.row) {
            *b += s;
        }
        if let Some(dx) = dx {
            // dX = dZ·Wᵀ for the first `cols` inputs: Wᵀ restricted to those rows of W.
            let cols = dx.dim().1;
            let w = &vec_data(weights)[layer.weight..layer.weight + cols * n];
            self.transposed.resize(n * cols, 0.0);
            kernels::transpose(w, &mut self.transposed, cols, n);
            kernels::matmul(dz, &self.transposed, data_mut(dx), m, n, cols);
        }
    }

    fn concat_broadcast(
        &mut self,
        a: &Array2<f32>,
        b: &Array2<f32>,
        row: usize,
        c: &Array2<f32>,
        out: &mut Array2<f32>,
    ) {
        let (ca, cb, cc) = (a.dim().1, b.dim().1, c.dim().1);
        let width = ca + cb + cc;
        let brow = &data(b)[row * cb..(row + 1) * cb];
        for ((row, ar), cr) in
            data_mut(out).chunks_exact_mut(width).zip(data(a).chunks_exact(ca)).zip(data(c).chunks_exact(cc))
        {
            row[..ca].copy_from_slice(ar);
            row[ca..ca + cb].copy_from_slice(&brow[..cb]);
            row[ca + cb..].copy_from_slice(cr);
        }
    }

    fn concat_broadcast_backward(
        &mut self,
        dout: &Array2<f32>,
        da: &mut Array2<f32>,
        db: &mut Array2<f32>,
        row: usize,
    ) {
        let width = dout.dim().1;
        let (ca, cb) = (da.dim().1, db.dim().1);
        self.row.clear();
        self.row.resize(cb, 0.0);
        for (row, dar) in data(dout).chunks_exact(width).zip(data_mut(da).chunks_exact_mut(ca)) {
            for (d, &g) in dar.iter_mut().zip(&row[..ca]) {
                *d += g;
            }
            for (s, &g) in self.row.iter_mut().zip(&row[ca..ca + cb]) {
                *s += g;
            }
        }
        for (d, s) in data_mut(db)[row * cb..(row + 1) * cb].iter_mut().zip(&self.row) {
            *d += s;
        }
    }
}

impl DiffusionOps for CpuBackend {
    fn reverse_step(
        &mut self,
        step: &ReverseStep,
        x: &Array2<f32>,
        eps: &Array2<f32>,
        noise: &Array2<f32>,
        x_prev: &mut Array2<f32>,
    ) {
        let s = *step;
        for (((xp, &x), &e), &z) in data_mut(x_prev).iter_mut().zip(data(x)).zip(data(eps)).zip(data(noise)) {
            let mut x0 = if s.predict_sample { e } else { s.recip_sqrt_alpha_bar * x - s.recipm1_sqrt_alpha_bar * e };
            if s.clip {
                x0 = x0.clamp(-1.0, 1.0);
            }
            *xp = s.coef_x0 * x0 + s.coef_xt * x + s.sigma * z;
        }
    }

    fn reverse_step_backward(
        &mut self,
        step: &ReverseStep,
        x: &Array2<f32>,
        eps: &Array2<f32>,
        dx_prev: &Array2<f32>,
        deps: &mut Array2<f32>,
        dx: &mut Array2<f32>,
    ) {
        let s = *step;
        let items = data_mut(deps)
            .iter_mut()
            .zip(data_mut(dx).iter_mut())
            .zip(data(dx_prev))
            .zip(data(x).iter().zip(data(eps)));
        for (((de, dxo), &g), (&x, &e)) in items {
            let mut dx0 = s.coef_x0 * g;
            if s.clip {
                let x0 = if s.predict_sample { e } else { s.recip_sqrt_alpha_bar * x - s.recipm1_sqrt_alpha_bar * e };
                if !(-1.0..=1.0).contains(&x0) {
                    dx0 = 0.0;
                }
            }
            if s.predict_sample {
                *de = dx0;
                *dxo = s.coef_xt * g;
            } else {
                *de = -s.recipm1_sqrt_alpha_bar * dx0;
                *dxo = s.coef_xt * g + s.recip_sqrt_alpha_bar * dx0;
            }
        }
    }
}

impl OptimOps for CpuBackend {
    fn clip_grad_norm(&mut self, grads: &mut Array1<f32>, max_norm: f32, stats: &mut Array1<f32>, slot: usize) {
        // Squares summed in index order in f64: deterministic, and exact enough for any network size.
        let mut squares = 0.0f64;
        for &g in vec_data(grads) {
            squares += f64::from(g) * f64::from(g);
        }
        let norm = squares.sqrt() as f32;
        let coef = max_norm / (norm + 1e-6);
        if coef < 1.0 {
            for g in vec_data_mut(grads) {
                *g *= coef;
            }
        }
        vec_data_mut(stats)[slot] = norm;
    }

    fn soft_update(&mut self, target: &mut Array1<f32>, source: &Array1<f32>, tau: f32) {
        for (t, &s) in vec_data_mut(target).iter_mut().zip(vec_data(source)) {
            *t = tau * s + (1.0 - tau) * *t;
        }
    }

    fn adam(
        &mut self,
        weights: &mut Array1<f32>,
        grads: &Array1<f32>,
        m: &mut Array1<f32>,
        v: &mut Array1<f32>,
        t: u64,
        c: &AdamConfig,
    ) {
        let t = t as f64;
        let bias1 = 1.0 - libm::pow(f64::from(c.beta1), t);
        let bias2_sqrt = libm::sqrt(1.0 - libm::pow(f64::from(c.beta2), t)) as f32;
        let step_size = (f64::from(c.lr) / bias1) as f32;
        let items = vec_data_mut(weights)
            .iter_mut()
            .zip(vec_data(grads))
            .zip(vec_data_mut(m).iter_mut().zip(vec_data_mut(v).iter_mut()));
        for ((p, &g), (m, v)) in items {
            let g = g + c.weight_decay * *p;
            *m = c.beta1 * *m + (1.0 - c.beta1) * g;
            *v = c.beta2 * *v + (1.0 - c.beta2) * g * g;
            let denom = v.sqrt() / bias2_sqrt + c.eps;
            *p -= step_size * (*m / denom);
        }
    }
}

impl LossOps for CpuBackend {
    fn critic_mse(
        &mut self,
        q: &Array2<f32>,
        actions: &Array2<f32>,
        target: &Array2<f32>,
        dq: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let (rows, n) = q.dim();
        let scale = 1.0 / rows as f32;
        let (mut loss, mut q_sum) = (0.0f32, 0.0f32);
        dq.fill(0.0);
        let items =
            data(q).chunks_exact(n).zip(data_mut(dq).chunks_exact_mut(n)).zip(data(actions).iter().zip(data(target)));
        for ((q, d), (&a, &y)) in items {
            let a = a as usize;
            let err = q[a] - y;
            loss += err * err;
            q_sum += q[a];
            d[a] = 2.0 * err * scale;
        }
        let s = vec_data_mut(stats);
        s[slot] = loss * scale;
        s[slot + 1] = q_sum * scale;
    }
}

impl SacOps for CpuBackend {
    fn discrete_policy_loss(
        &mut self,
        output: PolicyOutput,
        logits: &Array2<f32>,
        q: &Array2<f32>,
        alpha: f32,
        dlogits: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let (rows, n) = logits.dim();
        let scale = 1.0 / rows as f32;
        let (mut loss, mut entropy_sum, mut value_sum) = (0.0f32, 0.0f32, 0.0f32);
        let items =
            data(logits).chunks_exact(n).zip(data(q).chunks_exact(n)).zip(data_mut(dlogits).chunks_exact_mut(n));
        for ((x, q), d) in items {
            let (entropy, value) = match output {
                PolicyOutput::Logits => {
                    let (entropy, value) = softmax_entropy_value(x, q, d);
                    // d holds log π now; turn it into ∂L/∂x = p·(α(log p + H) − (q − E))/B.
                    for (d, &qj) in d.iter_mut().zip(q) {
                        let log_p = *d;
                        let p = kernels::exp(log_p);
                        *d = scale * p * (alpha * (log_p + entropy) - (qj - value));
                    }
                    (entropy, value)
                }
                PolicyOutput::Probs => {
                    let (entropy, value) = probs_entropy_value(x, q, d);
                    // ∂L/∂p = (α(log(p + ε) + p/(p + ε)) − q)/B.
                    for ((d, &pj), &qj) in d.iter_mut().zip(x).zip(q) {
                        *d = scale * (alpha * (*d + pj / (pj + LOG_GUARD)) - qj);
                    }
                    (entropy, value)
                }
            };
            loss -= alpha * entropy + value;
            entropy_sum += entropy;
            value_sum += value;
        }
        let s = vec_data_mut(stats);
        s[slot] = loss * scale;
        s[slot + 1] = entropy_sum * scale;
        s[slot + 2] = value_sum * scale;
    }

    fn soft_td_target(
        &mut self,
        output: PolicyOutput,
        logits: &Array2<f32>,
        q: &Array2<f32>,
        alpha: f32,
        returns: &Array2<f32>,
        discounts: &Array2<f32>,
        target: &mut Array2<f32>,
    ) {
        let n = logits.dim().1;
        self.row.resize(n, 0.0);
        let items =
            data(logits).chunks_exact(n).zip(data(q).chunks_exact(n)).zip(data(returns).iter().zip(data(discounts)));
        for (((x, q), (&r, &g)), y) in items.zip(data_mut(target).iter_mut()) {
            let (entropy, value) = match output {
                PolicyOutput::Logits => softmax_entropy_value(x, q, &mut self.row),
                PolicyOutput::Probs => probs_entropy_value(x, q, &mut self.row),
            };
            *y = r + g * (value + alpha * entropy);
        }
    }
}

impl DqnOps for CpuBackend {
    fn dqn_target(
        &mut self,
        select: &Array2<f32>,
        value: &Array2<f32>,
        returns: &Array2<f32>,
        discounts: &Array2<f32>,
        target: &mut Array2<f32>,
    ) {
        let n = select.dim().1;
        let items = data(select)
            .chunks_exact(n)
            .zip(data(value).chunks_exact(n))
            .zip(data(returns).iter().zip(data(discounts)));
        for (((sel, val), (&r, &g)), y) in items.zip(data_mut(target).iter_mut()) {
            *y = r + g * val[kernels::argmax(sel)];
        }
    }
}

impl HybridOps for CpuBackend {
    fn hybrid_sample(
        &mut self,
        layout: &HybridLayout,
        temperature: f32,
        x: &Array2<f32>,
        gumbel: &Array2<f32>,
        action: &mut Array2<f32>,
        relaxed: &mut Array2<f32>,
        entropy: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let (rows, width) = x.dim();
        let (choices, block) = (layout.choices, layout.block());
        let inv_t = 1.0 / temperature;
        self.row.resize(choices, 0.0);
        let (mut total, mut squares) = (0.0f32, 0.0f32);
        let items = data(x)
            .chunks_exact(width)
            .zip(data(gumbel).chunks_exact(width))
            .zip(data_mut(action).chunks_exact_mut(width).zip(data_mut(relaxed).chunks_exact_mut(width)));
        for (((x, g), (a, r)), h) in items.zip(data_mut(entropy).iter_mut()) {
            for &v in x {
                squares += v * v;
            }
            let mut row_entropy = 0.0f32;
            let blocks = x
                .chunks_exact(block)
                .zip(g.chunks_exact(block))
                .zip(a.chunks_exact_mut(block).zip(r.chunks_exact_mut(block)));
            for ((x, g), (a, r)) in blocks {
                let (logits, reals) = x.split_at(choices);
                // z = (logits + g)/τ goes into `r`, then its softmax; the hard sample is its argmax.
                let (mut hot, mut max) = (0, f32::NEG_INFINITY);
                for (i, ((z, &v), &n)) in r[..choices].iter_mut().zip(logits).zip(g).enumerate() {
                    *z = (v + n) * inv_t;
                    if *z > max || i == 0 {
                        (hot, max) = (i, *z);
                    }
                }
                let mut sum = 0.0f32;
                for z in &mut r[..choices] {
                    *z = kernels::exp(*z - max);
                    sum += *z;
                }
                let inv = 1.0 / sum;
                for (i, (p, a)) in r[..choices].iter_mut().zip(&mut a[..choices]).enumerate() {
                    *p *= inv;
                    *a = if i == hot { 1.0 } else { 0.0 };
                }
                for ((a, r), &v) in a[choices..].iter_mut().zip(&mut r[choices..]).zip(reals) {
                    *a = kernels::tanh(v);
                    *r = *a;
                }
                row_entropy += log_softmax_entropy(logits, &mut self.row);
            }
            *h = row_entropy;
            total += row_entropy;
        }
        vec_data_mut(stats)[slot] = total / rows as f32;
        vec_data_mut(stats)[slot + 1] = squares / rows as f32;
    }

    fn hybrid_sample_backward(
        &mut self,
        layout: &HybridLayout,
        temperature: f32,
        x: &Array2<f32>,
        relaxed: &Array2<f32>,
        daction: &Array2<f32>,
        entropy_weight: f32,
        output_l2: f32,
        dx: &mut Array2<f32>,
    ) {
        let (choices, block) = (layout.choices, layout.block());
        let inv_t = 1.0 / temperature;
        self.row.resize(choices, 0.0);
        let items = data(x)
            .chunks_exact(block)
            .zip(data(relaxed).chunks_exact(block))
            .zip(data(daction).chunks_exact(block).zip(data_mut(dx).chunks_exact_mut(block)));
        for ((x, r), (d, dx)) in items {
            let mut dot = 0.0f32;
            for (&p, &g) in r[..choices].iter().zip(d) {
                dot += p * g;
            }
            let entropy = log_softmax_entropy(&x[..choices], &mut self.row);
            for (((o, &p), &g), &lp) in dx[..choices].iter_mut().zip(r).zip(d).zip(&self.row) {
                *o = inv_t * p * (g - dot) + entropy_weight * kernels::exp(lp) * (lp + entropy);
            }
            for ((o, &a), &g) in dx[choices..].iter_mut().zip(&r[choices..]).zip(&d[choices..]) {
                *o = g * (1.0 - a * a);
            }
            for (o, &v) in dx.iter_mut().zip(x) {
                *o += 2.0 * output_l2 * v;
            }
        }
    }

    fn min_q_loss(
        &mut self,
        q1: &Array2<f32>,
        q2: &Array2<f32>,
        dq1: &mut Array2<f32>,
        dq2: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let scale = 1.0 / q1.dim().0 as f32;
        let mut loss = 0.0f32;
        let items = data(q1).iter().zip(data(q2)).zip(data_mut(dq1).iter_mut().zip(data_mut(dq2).iter_mut()));
        for ((&a, &b), (da, db)) in items {
            let first = a <= b;
            loss -= if first { a } else { b };
            (*da, *db) = if first { (-scale, 0.0) } else { (0.0, -scale) };
        }
        vec_data_mut(stats)[slot] = loss * scale;
    }

    fn min_q_td_target(
        &mut self,
        q1: &Array2<f32>,
        q2: &Array2<f32>,
        entropy: &Array2<f32>,
        alpha: f32,
        returns: &Array2<f32>,
        discounts: &Array2<f32>,
        target: &mut Array2<f32>,
    ) {
        let items = data(q1).iter().zip(data(q2)).zip(data(entropy)).zip(data(returns).iter().zip(data(discounts)));
        for ((((&a, &b), &h), (&r, &g)), y) in items.zip(data_mut(target).iter_mut()) {
            *y = r + g * (a.min(b) + alpha * h);
        }
    }
}

impl PpoOps for CpuBackend {
    fn gather_rows(&mut self, src: &Array2<f32>, index: &Array2<f32>, out: &mut Array2<f32>) {
        let n = src.dim().1;
        let src = data(src);
        for (row, &i) in data_mut(out).chunks_exact_mut(n).zip(data(index)) {
            let i = i as usize;
            row.copy_from_slice(&src[i * n..(i + 1) * n]);
        }
    }

    fn action_log_prob(&mut self, logits: &Array2<f32>, actions: &Array2<f32>, out: &mut Array2<f32>) {
        let n = logits.dim().1;
        self.row.resize(n, 0.0);
        for ((x, &a), o) in data(logits).chunks_exact(n).zip(data(actions)).zip(data_mut(out).iter_mut()) {
            log_softmax(x, &mut self.row);
            *o = self.row[a as usize];
        }
    }

    fn gae(
        &mut self,
        rewards: &Array2<f32>,
        values: &Array2<f32>,
        next_values: &Array2<f32>,
        terminated: &Array2<f32>,
        ends: &Array2<f32>,
        gamma: f32,
        lambda: f32,
        advantages: &mut Array2<f32>,
        returns: &mut Array2<f32>,
    ) {
        let decay = gamma * lambda;
        let mut next_advantage = 0.0f32;
        let inputs =
            data(rewards).iter().zip(data(values)).zip(data(next_values).iter().zip(data(terminated))).zip(data(ends));
        let outputs = data_mut(advantages).iter_mut().zip(data_mut(returns).iter_mut());
        for ((((&r, &v), (&v_next, &term)), &end), (adv, ret)) in inputs.zip(outputs).rev() {
            let bootstrap = if term != 0.0 { 0.0 } else { gamma * v_next };
            let delta = (r + bootstrap) - v;
            let carry = if end != 0.0 { 0.0 } else { decay * next_advantage };
            next_advantage = delta + carry;
            *adv = next_advantage;
            *ret = next_advantage + v;
        }
    }

    fn ppo_policy_loss(
        &mut self,
        logits: &Array2<f32>,
        actions: &Array2<f32>,
        old_log_prob: &Array2<f32>,
        advantages: &Array2<f32>,
        loss: &PpoLoss,
        dlogits: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let (rows, n) = logits.dim();
        let scale = 1.0 / rows as f32;
        // Standardisation of the advantages: mean, then the sample standard deviation, each summed in order.
        let (mut shift, mut divide) = (0.0f32, 1.0f32);
        if loss.normalize_advantage {
            let adv = data(advantages);
            let mut sum = 0.0f32;
            for &a in adv {
                sum += a;
            }
            let mean = sum * scale;
            let mut squares = 0.0f32;
            for &a in adv {
                squares += (a - mean) * (a - mean);
            }
            let sd = if rows > 1 { (squares / (rows - 1) as f32).sqrt() } else { 0.0 };
            (shift, divide) = (mean, sd + 1e-8);
        }
        let (low, high) = (1.0 - loss.clip, 1.0 + loss.clip);
        let (mut total, mut entropy_sum, mut kl_sum, mut clipped) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let items = data(logits)
            .chunks_exact(n)
            .zip(data_mut(dlogits).chunks_exact_mut(n))
            .zip(data(actions).iter().zip(data(old_log_prob)).zip(data(advantages)));
        for ((x, d), ((&a, &old), &adv)) in items {
            // d holds log π until it is turned into the gradient.
            log_softmax(x, d);
            let a = a as usize;
            let adv = (adv - shift) / divide;
            let log_ratio = d[a] - old;
            let ratio = kernels::exp(log_ratio);
            let surrogate = (ratio * adv).min(ratio.clamp(low, high) * adv);
            // The clipped term is the smaller one only beyond the range on the side the advantage favours;
            // there the loss does not depend on the logits.
            let flat = (adv > 0.0 && ratio > high) || (adv < 0.0 && ratio < low);
            let mut entropy = 0.0f32;
            for &lp in d.iter() {
                entropy -= kernels::exp(lp) * lp;
            }
            // ∂(−ρÂ)/∂x_j = −Â·ρ·(1[j = a] − π_j); ∂(−c_H·H)/∂x_j = c_H·π_j·(log π_j + H).
            let pull = if flat { 0.0 } else { adv * ratio };
            for (j, g) in d.iter_mut().enumerate() {
                let log_p = *g;
                let p = kernels::exp(log_p);
                let indicator = if j == a { 1.0 } else { 0.0 };
                *g = scale * (loss.entropy_coef * p * (log_p + entropy) - pull * (indicator - p));
            }
            total -= surrogate + loss.entropy_coef * entropy;
            entropy_sum += entropy;
            kl_sum -= log_ratio;
            if ratio < low || ratio > high {
                clipped += 1.0;
            }
        }
        let s = vec_data_mut(stats);
        s[slot] = total * scale;
        s[slot + 1] = entropy_sum * scale;
        s[slot + 2] = kl_sum * scale;
        s[slot + 3] = clipped * scale;
    }

    fn value_mse(
        &mut self,
        values: &Array2<f32>,
        returns: &Array2<f32>,
        coef: f32,
        dv: &mut Array2<f32>,
        stats: &mut Array1<f32>,
        slot: usize,
    ) {
        let scale = 1.0 / values.dim().0 as f32;
        let (mut loss, mut v_sum) = (0.0f32, 0.0f32);
        for ((&v, &y), d) in data(values).iter().zip(data(returns)).zip(data_mut(dv).iter_mut()) {
            let err = v - y;
            loss += err * err;
            v_sum += v;
            *d = 2.0 * coef * err * scale;
        }
        let s = vec_data_mut(stats);
        s[slot] = loss * scale;
        s[slot + 1] = v_sum * scale;
    }
}
