//! Exact distributions (docs/math.md §1–§2): the exact discrete Gaussian sampler at a small width
//! (inversion table) and large widths (discrete-Laplace rejection), and the batched exact
//! pancake score s_t(x) = −x + g_t(⟨x,u⟩)u at batch 1024, d = 16 and 128, with the lattice sum
//! forced to the direct and to the dual form (γ = 2, σ = 0.5, b ≈ 0.89, where both converge).
//!
//! The `dist/pancake-peer` group runs exactly the inputs of `cargo xtask peer` (d = 16, γ = 2,
//! σ = 0.1, t = 0.05, 20 000 points of the law at time t, seed 2024, xtask/src/peer.rs): the
//! score and the log-density, each on one thread (inside a one-thread rayon pool) and on all
//! cores (the global pool), in points per second.
//!
//! `cargo bench -p hardiff-benches --bench dist -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hardiff_dist::rng::stream;
use hardiff_dist::{
    DiscreteGaussian, GaussianPancakes, LatticeSumForm, LogDensity, SampleBatch, Score,
};
use ndarray::{Array1, Array2};
use rand::distr::Distribution;
use rand::Rng;
use std::hint::black_box;

const SAMPLES: usize = 1024;
const BATCH: usize = 1024;

/// Draws per second of D_{c+Z, s²} for s = 0.5, 4 (inversion) and 100, 1e5 (rejection).
fn discrete_gaussian_sampler(c: &mut Criterion) {
    let mut group = c.benchmark_group("dist/discrete-gaussian-sample");
    group.throughput(Throughput::Elements(SAMPLES as u64));
    for std in [0.5, 4.0, 100.0, 1e5] {
        let dg = DiscreteGaussian::new(0.3, 1.0, std).expect("valid parameters");
        let mut rng = stream(1, "bench-dg", &[]);
        group.bench_with_input(BenchmarkId::new("std", std), &std, |b, _| {
            b.iter(|| {
                let mut acc = 0i64;
                for _ in 0..SAMPLES {
                    acc = acc.wrapping_add(dg.sample_index(&mut rng));
                }
                black_box(acc)
            })
        });
    }
    group.finish();
}

/// Points per second of the exact pancake score at t = 0.01, batch 1024.
fn pancake_score(c: &mut Criterion) {
    let mut group = c.benchmark_group("dist/pancake-score");
    group.throughput(Throughput::Elements(BATCH as u64));
    for dim in [16usize, 128] {
        let pc = GaussianPancakes::with_random_secret(dim, 2.0, 0.5, 7).expect("valid parameters");
        let mut rng = stream(2, "bench-pancake-x", &[dim as u64]);
        let x = Array2::from_shape_simple_fn((BATCH, dim), || rng.random_range(-3.0..3.0));
        let mut out = Array2::zeros((BATCH, dim));
        for form in [LatticeSumForm::Direct, LatticeSumForm::Dual] {
            group.bench_with_input(
                BenchmarkId::new(format!("d{dim}"), form),
                &form,
                |b, &form| {
                    b.iter(|| {
                        pc.score_with(0.01, x.view(), out.view_mut(), form)
                            .expect("shapes match");
                        black_box(&out);
                    })
                },
            );
        }
    }
    group.finish();
}

/// The peer's inputs (xtask/src/peer.rs `PeerConfig::default`): score and log-density of
/// 20 000 points, d = 16, γ = 2, σ = 0.1, t = 0.05, on one thread and on all cores.
fn pancake_peer(c: &mut Criterion) {
    const POINTS: usize = 20_000;
    const SEED: u64 = 2024;
    const T: f64 = 0.05;
    let law = GaussianPancakes::with_random_secret(16, 2.0, 0.1, SEED).expect("valid parameters");
    let x = law
        .at_time(T)
        .expect("valid time")
        .sample_batch(&mut stream(SEED, "peer/points", &[]), POINTS);
    let mut out = Array2::zeros(x.raw_dim());
    let mut lp = Array1::zeros(POINTS);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let all = rayon::current_num_threads();
    let mut group = c.benchmark_group("dist/pancake-peer");
    group.throughput(Throughput::Elements(POINTS as u64));
    for (name, pool) in [
        ("1-thread".to_string(), Some(&one)),
        (format!("{all}-threads"), None),
    ] {
        let run = |f: &mut (dyn FnMut() + Send)| match pool {
            Some(p) => p.install(f),
            None => f(),
        };
        group.bench_function(BenchmarkId::new("score", &name), |b| {
            b.iter(|| {
                run(&mut || {
                    law.score(T, x.view(), out.view_mut())
                        .expect("shapes match")
                });
                black_box(&out);
            })
        });
        group.bench_function(BenchmarkId::new("log-density", &name), |b| {
            b.iter(|| {
                run(&mut || {
                    law.log_density(T, x.view(), lp.view_mut())
                        .expect("shapes match")
                });
                black_box(&lp);
            })
        });
    }
    group.finish();
}

/// Draws per second of the exact pancake sampler (d = 16) and of the discrete Gaussian as a
/// `Distribution<f64>`, for reference.
fn pancake_sample(c: &mut Criterion) {
    let mut group = c.benchmark_group("dist/pancake-sample");
    group.throughput(Throughput::Elements(BATCH as u64));
    let pc = GaussianPancakes::with_random_secret(16, 6.0, 0.05, 7).expect("valid parameters");
    let mut rng = stream(3, "bench-pancake-sample", &[]);
    group.bench_function("d16", |b| {
        b.iter(|| black_box(pc.sample_batch(&mut rng, BATCH)))
    });
    // The point sampler z = c + hk through `Distribution<f64>` (inversion, s = 2).
    let dg = DiscreteGaussian::new(0.0, 1.0, 2.0).expect("valid parameters");
    group.bench_function("discrete-gaussian-point", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for _ in 0..BATCH {
                acc += Distribution::<f64>::sample(&dg, &mut rng);
            }
            black_box(acc)
        })
    });
    group.finish();
}

// criterion's macro generates an undocumented function.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(
        benches,
        discrete_gaussian_sampler,
        pancake_score,
        pancake_peer,
        pancake_sample
    );
}
criterion_main!(group::benches);
