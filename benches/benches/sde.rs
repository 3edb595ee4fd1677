//! Samplers (docs/math.md §6–§7): one reverse step of every unconditional sampler on a batch of 1024
//! points of a two-component GMM in d = 8 (t = 1 → 0.9), one step of every posterior sampler
//! (m = 2 measurements), and the exact score / VJP evaluations they are built from. Throughput
//! is in points per second.
//!
//! `cargo bench -p hardiff-benches --bench sde -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hardiff_dist::rng::stream;
use hardiff_dist::{Gaussian, GaussianMixture, Score, ScoreVjp};
use hardiff_sde::posterior::{rejection, GuidedScore};
use hardiff_sde::sampler::{ddpm_tweedie_step, Stepper};
use hardiff_sde::WithVjp;
use hardiff_sde::{ou, LangevinConfig, LinearMeasurement, PosteriorMethod, Prior, SamplerKind};
use ndarray::{Array1, Array2};
use std::hint::black_box;

const BATCH: usize = 1024;
const D: usize = 8;

/// The two-component GMM in d = 8 of hardiff-sde's tests: weights (0.3, 0.7), means ∓2u,
/// correlated covariances.
fn gmm() -> GaussianMixture {
    let u: Array1<f64> = (0..D).map(|i| 1.0 + 0.3 * i as f64).collect();
    let u = &u / u.dot(&u).sqrt();
    let w: Array1<f64> = (0..D)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let w = &w / w.dot(&w).sqrt();
    let outer = |a: &Array1<f64>, b: &Array1<f64>| {
        a.view()
            .insert_axis(ndarray::Axis(1))
            .dot(&b.view().insert_axis(ndarray::Axis(0)))
    };
    let c1 = Array2::eye(D) * 0.15 + outer(&w, &w) * 0.25 + outer(&u, &u) * 0.05;
    let c2 = Array2::eye(D) * 0.1 + outer(&w, &w) * 0.3 + outer(&u, &u) * 0.15;
    GaussianMixture::new(
        vec![0.3, 0.7],
        vec![
            Gaussian::new(&u * -2.0, c1).expect("valid"),
            Gaussian::new(&u * 2.0, c2).expect("valid"),
        ],
    )
    .expect("valid")
}

/// Points per second of the exact GMM score, its VJP and a Gaussian score (t = 0.5).
fn scores(c: &mut Criterion) {
    let mut group = c.benchmark_group("sde/score");
    group.throughput(Throughput::Elements(BATCH as u64));
    let law = gmm();
    let gauss = law.components()[1].clone();
    let x = ou::stationary_sample(&mut stream(1, "bench-sde-x", &[]), BATCH, D);
    let mut out = Array2::zeros((BATCH, D));
    group.bench_function("gmm-d8", |b| {
        b.iter(|| {
            law.score(0.5, x.view(), out.view_mut()).expect("shapes");
            black_box(&out);
        })
    });
    group.bench_function("gmm-d8-vjp", |b| {
        b.iter(|| {
            law.score_vjp(0.5, x.view(), x.view(), out.view_mut())
                .expect("shapes");
            black_box(&out);
        })
    });
    group.bench_function("gaussian-d8", |b| {
        b.iter(|| {
            gauss.score(0.5, x.view(), out.view_mut()).expect("shapes");
            black_box(&out);
        })
    });
    group.finish();
}

/// One reverse step t = 1 → 0.9 of each unconditional sampler, batch 1024, GMM d = 8.
fn unconditional_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("sde/step");
    group.throughput(Throughput::Elements(BATCH as u64));
    let law = gmm();
    let x0 = ou::stationary_sample(&mut stream(2, "bench-sde-x", &[]), BATCH, D);
    let mut rng = stream(3, "bench-sde-noise", &[]);
    for kind in SamplerKind::ALL {
        let mut stepper = Stepper::new(kind, LangevinConfig::default()).expect("valid");
        let mut x = x0.clone();
        group.bench_with_input(BenchmarkId::from_parameter(kind.name()), &kind, |b, _| {
            b.iter(|| {
                x.assign(&x0);
                stepper
                    .step(&law, 1.0, 0.9, x.view_mut(), &mut rng)
                    .expect("valid step");
                black_box(&x);
            })
        });
    }
    let mut x = x0.clone();
    group.bench_function("ddpm-tweedie", |b| {
        b.iter(|| {
            x.assign(&x0);
            ddpm_tweedie_step(&law, 1.0, 0.9, x.view_mut(), &mut rng).expect("valid step");
            black_box(&x);
        })
    });
    group.finish();
}

/// One step of each posterior sampler on 1024 points (a one-step run from T = 1 to t_min = 0.9,
/// so it includes the N(0, I) start), the ΠGDM guided score alone, and 1024 rejection draws.
fn posterior_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("sde/posterior-step");
    group.throughput(Throughput::Elements(BATCH as u64));
    let law = gmm();
    let a = Array2::from_shape_fn((2, D), |(i, j)| if (i + j) % 3 == 0 { 1.0 } else { 0.2 });
    let meas = LinearMeasurement::new(a, 0.3).expect("valid");
    let y = Array1::from(vec![0.8, 0.8]);
    let prior = Prior::exact(&law);
    let mut rng = stream(4, "bench-sde-post", &[]);
    for name in ["smc", "dps", "pigdm", "langevin"] {
        let mut config = PosteriorMethod::from_name(name)
            .expect("known")
            .with_steps(1)
            .with_t_min(0.9);
        if let Some(schedule) = config.schedule_mut() {
            schedule.t_max = 1.0;
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    config
                        .sample(&prior, &meas, y.view(), BATCH, &mut rng)
                        .expect("runs"),
                )
            })
        });
    }
    let with_vjp = WithVjp::new(&law);
    let guided = GuidedScore::new(&with_vjp, &meas, y.view()).expect("valid");
    let x = ou::stationary_sample(&mut stream(5, "bench-sde-x", &[]), BATCH, D);
    let mut out = Array2::zeros((BATCH, D));
    group.bench_function("pigdm-guided-score", |b| {
        b.iter(|| {
            guided.score(0.5, x.view(), out.view_mut()).expect("shapes");
            black_box(&out);
        })
    });
    group.bench_function("rejection-draws", |b| {
        b.iter(|| {
            // Ask for more than 1024 draws can give (P_acc ≈ 0.02): exactly 1024 draws are made.
            black_box(rejection(&law, &meas, y.view(), 2 * BATCH, BATCH as u64, &mut rng).err())
        })
    });
    group.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, scores, unconditional_step, posterior_step);
}
criterion_main!(group::benches);
