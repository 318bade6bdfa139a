//! The multilayer perceptron every network is made of, written once against [`Backend`].

use super::{Activation, Backend, LinearLayout};
use crate::rng::Rng;

/// One dense layer of an [`Mlp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dense {
    /// Where its parameters are.
    pub layout: LinearLayout,
    /// Its activation.
    pub act: Activation,
}

/// A multilayer perceptron whose parameters occupy `offset..offset + len()` of a flat vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Dense>,
}

impl Mlp {
    /// Layers of `widths[0] → widths[1] → …`, `hidden` after every layer but the last, `output` after the
    /// last; parameters start at `offset` of the flat vector.
    pub fn new(widths: &[usize], hidden: Activation, output: Activation, offset: usize) -> Self {
        assert!(widths.len() >= 2, "an MLP needs an input and an output width");
        let mut at = offset;
        let layers = widths
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let layout = LinearLayout { inputs: w[0], outputs: w[1], weight: at, bias: at + w[0] * w[1] };
                at += layout.len();
                let act = if i + 2 == widths.len() { output } else { hidden };
                Dense { layout, act }
            })
            .collect();
        Self { layers }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.layers.iter().map(|l| l.layout.len()).sum()
    }

    /// Always false: an MLP has at least one layer.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.layers[0].layout.inputs
    }

    /// Output width.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].layout.outputs
    }

    /// First parameter index.
    pub fn offset(&self) -> usize {
        self.layers[0].layout.weight
    }

    /// PyTorch's `nn.Linear` initialisation: `W` and `b` uniform on `±1/√fan_in`.
    pub fn init(&self, weights: &mut [f32], rng: &mut Rng) {
        for layer in &self.layers {
            let l = layer.layout;
            let bound = 1.0 / (l.inputs as f64).sqrt();
            for p in &mut weights[l.weight..l.weight + l.len()] {
                *p = rng.uniform_in(-bound, bound) as f32;
            }
        }
    }

    /// Orthogonal initialisation with zero biases (`torch.nn.init.orthogonal_(W, gain)`, as the PPO reference
    /// code initialises its networks): each `W` (`inputs × outputs`) gets orthonormal columns, or orthonormal
    /// rows when it is wider than tall, times `gain`. The orthonormal vectors come from a Gaussian matrix by
    /// modified Gram–Schmidt in f64 (the Q of its QR decomposition with a positive diagonal of R).
    pub fn init_orthogonal(&self, weights: &mut [f32], rng: &mut Rng, gain: f64) {
        for layer in &self.layers {
            let l = layer.layout;
            let (long, short) = (l.inputs.max(l.outputs), l.inputs.min(l.outputs));
            let mut q: Vec<Vec<f64>> = (0..short).map(|_| (0..long).map(|_| rng.normal()).collect()).collect();
            for j in 0..short {
                let (done, rest) = q.split_at_mut(j);
                let v = &mut rest[0];
                for u in done.iter() {
                    let dot: f64 = u.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
                    for (x, &y) in v.iter_mut().zip(u) {
                        *x -= dot * y;
                    }
                }
                let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                for x in v.iter_mut() {
                    *x /= norm;
                }
            }
            let w = &mut weights[l.weight..l.weight + l.inputs * l.outputs];
            for r in 0..l.inputs {
                for c in 0..l.outputs {
                    let value = if l.inputs >= l.outputs { q[c][r] } else { q[r][c] };
                    w[r * l.outputs + c] = (gain * value) as f32;
                }
            }
            weights[l.bias..l.bias + l.outputs].fill(0.0);
        }
    }

    /// Buffers for a batch of `rows`.
    pub fn workspace<B: Backend>(&self, backend: &mut B, rows: usize) -> MlpWork<B> {
        let mut slope = Vec::new();
        let mut out = Vec::new();
        let mut grad = Vec::new();
        for layer in &self.layers {
            let n = layer.layout.outputs;
            slope.push(layer.act.needs_slope().then(|| backend.matrix(rows, n)));
            out.push(backend.matrix(rows, n));
            grad.push(backend.matrix(rows, n));
        }
        MlpWork { slope, out, grad }
    }

    /// Forward pass of `x` that keeps what [`Mlp::backward`] needs; the result is `work.output()`.
    pub fn forward<B: Backend>(&self, backend: &mut B, weights: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>) {
        self.run(backend, weights, x, work, true);
    }

    /// Forward pass of `x` with no backward to follow (acting, targets): the same outputs as
    /// [`Mlp::forward`] without the activations' slopes.
    pub fn infer<B: Backend>(&self, backend: &mut B, weights: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>) {
        self.run(backend, weights, x, work, false);
    }

    fn run<B: Backend>(&self, backend: &mut B, weights: &B::Vector, x: &B::Matrix, work: &mut MlpWork<B>, grad: bool) {
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = work.out.split_at_mut(l);
            let input = if l == 0 { x } else { &before[l - 1] };
            let slope = work.slope[l].as_mut().filter(|_| grad);
            backend.linear_forward(input, weights, &layer.layout, layer.act, slope, &mut after[0]);
        }
    }

    /// Backward pass after [`Mlp::forward`] (not [`Mlp::infer`]) on the same `x`: the caller has put `∂L/∂output` into
    /// `work.output_grad()`. Adds parameter gradients to `grads` and writes `∂L/∂x` (first `cols(dx)`
    /// columns) into `dx` when given.
    pub fn backward<B: Backend>(
        &self,
        backend: &mut B,
        weights: &B::Vector,
        x: &B::Matrix,
        work: &mut MlpWork<B>,
        grads: &mut B::Vector,
        dx: Option<&mut B::Matrix>,
    ) {
        let mut dx = dx;
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let input = if l == 0 { x } else { &work.out[l - 1] };
            let (lower, upper) = work.grad.split_at_mut(l);
            let d_input = if l == 0 { dx.take() } else { Some(&mut lower[l - 1]) };
            backend.linear_backward(
                input,
                weights,
                &layer.layout,
                layer.act,
                work.slope[l].as_ref(),
                &work.out[l],
                &mut upper[0],
                grads,
                d_input,
            );
        }
    }
}

/// The saved activations and gradient buffers of one [`Mlp`] pass over a batch.
pub struct MlpWork<B: Backend> {
    slope: Vec<Option<B::Matrix>>,
    out: Vec<B::Matrix>,
    grad: Vec<B::Matrix>,
}

impl<B: Backend> MlpWork<B> {
    /// The network's output after `forward`.
    pub fn output(&self) -> &B::Matrix {
        self.out.last().expect("an MLP has layers")
    }

    /// Where the caller puts `∂L/∂output` before `backward`.
    pub fn output_grad(&mut self) -> &mut B::Matrix {
        self.grad.last_mut().expect("an MLP has layers")
    }

    /// The output and its gradient buffer at once.
    pub fn output_and_grad(&mut self) -> (&B::Matrix, &mut B::Matrix) {
        (self.out.last().expect("an MLP has layers"), self.grad.last_mut().expect("an MLP has layers"))
    }
}
