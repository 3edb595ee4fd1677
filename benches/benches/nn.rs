//! Dense ReLU MLP throughput (docs/math.md §8): one forward + backward pass (parameter gradients and
//! input gradient) of `hardiff_nn::Mlp` on a batch of 1024, widths 128–512, against the plain
//! `ndarray` matrix products of the same shapes (3 forward, 3 weight-gradient and 3
//! input-gradient products for sizes [64, w, w, 64]). The ratio of the two is the cost of
//! everything that is not a matrix product (bias, ReLU, masks, workspace bookkeeping).
//!
//! `cargo bench -p hardiff-benches --bench nn -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hardiff_dist::rng::stream;
use hardiff_nn::{Gradients, Mlp, Workspace};
use ndarray::linalg::general_mat_mul;
use ndarray::Array2;
use rand::Rng;
use std::hint::black_box;

const BATCH: usize = 1024;
const IO: usize = 64;

fn random(shape: (usize, usize), seed: u64) -> Array2<f64> {
    let mut rng = stream(seed, "bench-nn", &[shape.0 as u64, shape.1 as u64]);
    Array2::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

fn forward_backward(c: &mut Criterion) {
    let mut group = c.benchmark_group("nn/mlp-forward-backward");
    group.throughput(Throughput::Elements(BATCH as u64));
    for width in [128usize, 256, 512] {
        let sizes = [IO, width, width, IO];
        let mut rng = stream(1, "bench-nn-init", &[width as u64]);
        let mlp = Mlp::random(&sizes, 1.0, &mut rng).expect("valid sizes");
        let x = random((BATCH, IO), 2);
        let d_out = random((BATCH, IO), 3);
        let mut ws = Workspace::new();
        let mut grads = Gradients::zeros_like(&mlp);
        group.bench_with_input(BenchmarkId::new("mlp", width), &width, |b, _| {
            b.iter(|| {
                ws.prepare(&mlp, BATCH).assign(&x);
                mlp.forward_ws(&mut ws).expect("prepared workspace");
                mlp.backward(&mut ws, d_out.view(), Some(&mut grads))
                    .expect("shapes of this network");
                black_box(&grads);
            })
        });

        // The same matrix products on preallocated buffers, nothing else.
        let ws_: Vec<Array2<f64>> = (0..3)
            .map(|l| random((sizes[l], sizes[l + 1]), 10 + l as u64))
            .collect();
        let mut acts: Vec<Array2<f64>> = sizes.iter().map(|&s| Array2::zeros((BATCH, s))).collect();
        acts[0].assign(&x);
        let mut deltas: Vec<Array2<f64>> =
            sizes.iter().map(|&s| Array2::zeros((BATCH, s))).collect();
        deltas[3].assign(&d_out);
        let mut gw: Vec<Array2<f64>> = (0..3)
            .map(|l| Array2::zeros((sizes[l], sizes[l + 1])))
            .collect();
        group.bench_with_input(BenchmarkId::new("plain-matmul", width), &width, |b, _| {
            b.iter(|| {
                for l in 0..3 {
                    let (head, tail) = acts.split_at_mut(l + 1);
                    general_mat_mul(1.0, &head[l], &ws_[l], 0.0, &mut tail[0]);
                }
                for l in (0..3).rev() {
                    let (head, tail) = deltas.split_at_mut(l + 1);
                    general_mat_mul(1.0, &acts[l].t(), &tail[0], 0.0, &mut gw[l]);
                    general_mat_mul(1.0, &tail[0], &ws_[l].t(), 0.0, &mut head[l]);
                }
                black_box(&gw);
            })
        });
    }
    group.finish();
}

/// criterion's generated group function carries no doc comment.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, forward_backward);
}
criterion_main!(group::benches);
