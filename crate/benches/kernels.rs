//! The products an update spends its time in (one thread): the d2sac paper preset's hidden layer forward
//! (`512 × 256 · 256 × 256`, Mish), its weight gradient (`Xᵀ·dZ`) and an output layer of 20 actions.
//! Run: `RAYON_NUM_THREADS=1 cargo bench -p diffedge --bench kernels`.

use criterion::{Criterion, criterion_group, criterion_main};
use diffedge::nn::Activation;
use diffedge::nn::kernels::{LinearOut, linear_forward, matmul_tn_acc};

fn values(len: usize, seed: u32) -> Vec<f32> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 16_777_216.0 - 0.5)
        .collect()
}

fn products(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    for (m, k, n) in [(512, 256, 256), (512, 256, 20), (128, 64, 64)] {
        let (x, w, b) = (values(m * k, 1), values(k * n, 2), values(n, 3));
        let (mut out, mut slope) = (vec![0.0; m * n], vec![0.0; m * n]);
        group.bench_function(format!("forward_mish_{m}x{k}x{n}"), |bench| {
            bench.iter(|| {
                let mut dst = LinearOut { slope: Some(&mut slope), out: &mut out };
                linear_forward(&x, &w, &b, m, k, n, Activation::Mish, &mut dst);
            })
        });
        group.bench_function(format!("forward_identity_{m}x{k}x{n}"), |bench| {
            bench.iter(|| {
                let mut dst = LinearOut { slope: None, out: &mut out };
                linear_forward(&x, &w, &b, m, k, n, Activation::Identity, &mut dst);
            })
        });
        let dz = values(m * n, 4);
        let mut dw = vec![0.0; k * n];
        group.bench_function(format!("weight_grad_{m}x{k}x{n}"), |bench| {
            bench.iter(|| matmul_tn_acc(&x, &dz, &mut dw, m, k, n))
        });
    }
    group.finish();
}

criterion_group!(benches, products);
criterion_main!(benches);
