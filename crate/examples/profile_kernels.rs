//! GF/s of the CPU product at the d2sac shapes: `cargo run --release --example profile_kernels`.

use diffedge::nn::kernels;

fn main() {
    for &(m, k, n) in &[(512, 256, 256), (512, 78, 256), (512, 256, 20), (1, 256, 256), (1, 78, 256)] {
        let x: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
        let w: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut y = vec![0.0; m * n];
        let reps = (2e8 / (m * k * n) as f64).max(1.0) as usize;
        let start = std::time::Instant::now();
        for _ in 0..reps {
            kernels::matmul(&x, &w, &mut y, m, k, n);
        }
        let s = start.elapsed().as_secs_f64() / reps as f64;
        println!("{m}x{k}x{n}: {:.1} µs, {:.1} GF/s", s * 1e6, 2.0 * (m * k * n) as f64 / s / 1e9);
    }
}
