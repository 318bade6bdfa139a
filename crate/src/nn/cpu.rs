//! The reference backend: ndarray storage and the deterministic kernels of [`super::kernels`]. It serves
//! single decisions and, natively and in the browser, training.

use ndarray::{Array1, Array2};

use super::kernels::{self, LinearOut};
use super::{Activation, AdamConfig, Backend, HybridLayout, LinearLayout, ReverseStep};

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

/// For one row of logits `x`: writes `log softmax(x)` into `log_p` and returns `(H(π), Σ π·q)`.
fn softmax_entropy_value(x: &[f32], q: &[f32], log_p: &mut [f32]) -> (f32, f32) {
    let entropy = log_softmax_entropy(x, log_p);
    let mut value = 0.0f32;
    for (&lp, &qv) in log_p.iter().zip(q) {
        value += kernels::exp(lp) * qv;
    }
    (entropy, value)
}

/// For one row of logits `x`: writes `log softmax(x)` into `log_p` and returns `H(π)`.
fn log_softmax_entropy(x: &[f32], log_p: &mut [f32]) -> f32 {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for &v in x {
        sum += kernels::exp(v - max);
    }
    let log_sum = libm::logf(sum);
    let mut entropy = 0.0f32;
    for (lp, &v) in log_p.iter_mut().zip(x) {
        *lp = v - max - log_sum;
        entropy -= kernels::exp(*lp) * *lp;
    }
    entropy
}

impl Backend for CpuBackend {
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

    fn linear_forward(
        &mut self,
        x: &Array2<f32>,
        params: &Array1<f32>,
        layer: &LinearLayout,
        act: Activation,
        pre: Option<&mut Array2<f32>>,
        out: &mut Array2<f32>,
    ) {
        let (m, k) = x.dim();
        debug_assert_eq!(k, layer.inputs);
        let n = layer.outputs;
        let p = vec_data(params);
        let mut dst = LinearOut { pre: pre.map(data_mut), out: data_mut(out) };
        kernels::linear_forward(
            data(x),
            &p[layer.weight..layer.weight + k * n],
            &p[layer.bias..layer.bias + n],
            m,
            k,
            n,
            act,
            &mut dst,
        );
    }

    fn linear_backward(
        &mut self,
        x: &Array2<f32>,
        params: &Array1<f32>,
        layer: &LinearLayout,
        act: Activation,
        pre: Option<&Array2<f32>>,
        out: &Array2<f32>,
        grad: &mut Array2<f32>,
        grads: &mut Array1<f32>,
        dx: Option<&mut Array2<f32>>,
    ) {
        let (m, n) = grad.dim();
        let k = layer.inputs;
        let dz = data_mut(grad);
        if act != Activation::Identity {
            let a = data(out);
            match pre {
                Some(z) => {
                    for ((g, &z), &a) in dz.iter_mut().zip(data(z)).zip(a) {
                        *g *= kernels::slope(act, z, a);
                    }
                }
                None => {
                    for (g, &a) in dz.iter_mut().zip(a) {
                        *g *= kernels::slope(act, 0.0, a);
                    }
                }
            }
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
            let w = &vec_data(params)[layer.weight..layer.weight + cols * n];
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
            let mut x0 = s.recip_sqrt_alpha_bar * x - s.recipm1_sqrt_alpha_bar * e;
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
                let x0 = s.recip_sqrt_alpha_bar * x - s.recipm1_sqrt_alpha_bar * e;
                if !(-1.0..=1.0).contains(&x0) {
                    dx0 = 0.0;
                }
            }
            *de = -s.recipm1_sqrt_alpha_bar * dx0;
            *dxo = s.coef_xt * g + s.recip_sqrt_alpha_bar * dx0;
        }
    }

    fn softmax_rows(&mut self, x: &Array2<f32>, out: &mut Array2<f32>) {
        let n = x.dim().1;
        for (row, o) in data(x).chunks_exact(n).zip(data_mut(out).chunks_exact_mut(n)) {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for (o, &v) in o.iter_mut().zip(row) {
                *o = kernels::exp(v - max);
                sum += *o;
            }
            let inv = 1.0 / sum;
            for o in o.iter_mut() {
                *o *= inv;
            }
        }
    }

    fn min_elementwise(&mut self, a: &Array2<f32>, b: &Array2<f32>, out: &mut Array2<f32>) {
        for ((o, &a), &b) in data_mut(out).iter_mut().zip(data(a)).zip(data(b)) {
            *o = a.min(b);
        }
    }

    fn discrete_policy_loss(
        &mut self,
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
            let (entropy, value) = softmax_entropy_value(x, q, d);
            // d holds log π now; turn it into ∂L/∂x = p·(α(log p + H) − (q − E))/B.
            for (d, &qj) in d.iter_mut().zip(q) {
                let log_p = *d;
                let p = kernels::exp(log_p);
                *d = scale * p * (alpha * (log_p + entropy) - (qj - value));
            }
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
            let (entropy, value) = softmax_entropy_value(x, q, &mut self.row);
            *y = r + g * (value + alpha * entropy);
        }
    }

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
        let mut total = 0.0f32;
        let items = data(x)
            .chunks_exact(width)
            .zip(data(gumbel).chunks_exact(width))
            .zip(data_mut(action).chunks_exact_mut(width).zip(data_mut(relaxed).chunks_exact_mut(width)));
        for (((x, g), (a, r)), h) in items.zip(data_mut(entropy).iter_mut()) {
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
    }

    fn hybrid_sample_backward(
        &mut self,
        layout: &HybridLayout,
        temperature: f32,
        x: &Array2<f32>,
        relaxed: &Array2<f32>,
        daction: &Array2<f32>,
        entropy_weight: f32,
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

    fn fill(&mut self, v: &mut Array1<f32>, value: f32) {
        v.fill(value);
    }

    fn fill_matrix(&mut self, m: &mut Array2<f32>, value: f32) {
        m.fill(value);
    }

    fn copy(&mut self, dst: &mut Array1<f32>, src: &Array1<f32>) {
        vec_data_mut(dst).copy_from_slice(vec_data(src));
    }

    fn soft_update(&mut self, target: &mut Array1<f32>, source: &Array1<f32>, tau: f32) {
        for (t, &s) in vec_data_mut(target).iter_mut().zip(vec_data(source)) {
            *t = tau * s + (1.0 - tau) * *t;
        }
    }

    fn adam(
        &mut self,
        params: &mut Array1<f32>,
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
        let items = vec_data_mut(params)
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
