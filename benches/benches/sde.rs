//! Samplers (docs/math.md §6–§7): one reverse step of every unconditional sampler on a batch of 1024
//! points of a two-component GMM in d = 8 (t = 1 → 0.9), one step of every posterior sampler
//! (m = 2 measurements), and the exact score / VJP evaluations they are built from. Throughput
//! is in points per second.
//!
//! `sde/rejection` times exact rejection sampling (docs/math.md §6) on two problems, on one
//! thread and on rayon's global pool: the NumPy peer's GMM problem (`cargo xtask peer`: d = 2,
//! one measurement row, 20 000 acceptances; throughput = acceptances per second) and g̃ at
//! n = m = 12 (BLAKE3, the u-coordinates observed; a budget of 2^16 prior draws that ends
//! before enough acceptances; throughput = prior draws per second).
//!
//! `cargo bench -p hardiff-benches --bench sde -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hardiff_dist::rng::stream;
use hardiff_dist::{Gaussian, GaussianMixture, OwfDistribution, Score, ScoreVjp};
use hardiff_owf::{Bits, Candidate};
use hardiff_sde::posterior::{rejection, GuidedScore};
use hardiff_sde::sampler::{ddpm_tweedie_step, Stepper};
use hardiff_sde::WithVjp;
use hardiff_sde::{ou, LangevinConfig, LinearMeasurement, PosteriorMethod, Prior, SamplerKind};
use ndarray::{array, Array1, Array2};
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

/// The NumPy peer's rejection problem (xtask/src/peer.rs `rejection_problem`): weights
/// (0.35, 0.65), means (−1.5, 0.5) and (1, −0.5), covariances [[0.6, 0.2], [0.2, 0.4]] and
/// [[0.3, −0.1], [−0.1, 0.8]]; A = [[1, 0.5]], η = 0.05, y = (0.3).
fn peer_problem() -> (GaussianMixture, LinearMeasurement, Array1<f64>) {
    let prior = GaussianMixture::new(
        vec![0.35, 0.65],
        vec![
            Gaussian::new(array![-1.5, 0.5], array![[0.6, 0.2], [0.2, 0.4]]).expect("valid"),
            Gaussian::new(array![1.0, -0.5], array![[0.3, -0.1], [-0.1, 0.8]]).expect("valid"),
        ],
    )
    .expect("valid");
    let meas = LinearMeasurement::new(array![[1.0, 0.5]], 0.05).expect("valid");
    (prior, meas, array![0.3])
}

/// g̃ for BLAKE3 at n = m = 12 (default parameters), A = [0 | I_m] (the u-coordinates) with
/// η the law's noise, and y = v(s) for a fixed seed s.
fn owf_problem() -> (OwfDistribution, LinearMeasurement, Array1<f64>) {
    let (n, m) = (12, 12);
    let f = Candidate::Blake3.build_arc(n, m, 1).expect("valid sizes");
    let dist = OwfDistribution::with_default_params(f).expect("valid");
    let a = Array2::from_shape_fn((m, n + m), |(i, j)| if j == n + i { 1.0 } else { 0.0 });
    let meas = LinearMeasurement::new(a, dist.params().noise()).expect("valid");
    let y = dist
        .vertex_value(&Bits::from_u64(0xa5c, n).expect("12 bits"))
        .expect("n bits");
    (dist, meas, y)
}

/// Prior draws per g̃ rejection run in `sde/rejection` and the K experiment.
const OWF_DRAWS: u64 = 1 << 16;

fn rejection_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("sde/rejection");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let (prior, meas, y) = peer_problem();
    let accepted = 20_000;
    group.throughput(Throughput::Elements(accepted as u64));
    let mut rng = stream(9, "bench-sde-rejection", &[]);
    for (threads, pool) in [("1-thread", Some(&one)), ("all-threads", None)] {
        group.bench_function(BenchmarkId::new("peer-gmm-d2-accepts", threads), |b| {
            let mut run = || {
                black_box(
                    rejection(&prior, &meas, y.view(), accepted, 100_000_000, &mut rng)
                        .expect("accepts"),
                )
            };
            b.iter(|| match pool {
                Some(p) => p.install(&mut run),
                None => run(),
            })
        });
    }
    let (dist, meas, y) = owf_problem();
    group.throughput(Throughput::Elements(OWF_DRAWS));
    for (threads, pool) in [("1-thread", Some(&one)), ("all-threads", None)] {
        group.bench_function(BenchmarkId::new("owf-n12-m12-draws", threads), |b| {
            let mut run = || {
                // More acceptances than 2^16 draws give: exactly 2^16 draws are made.
                black_box(rejection(&dist, &meas, y.view(), 1 << 16, OWF_DRAWS, &mut rng).err())
            };
            b.iter(|| match pool {
                Some(p) => p.install(&mut run),
                None => run(),
            })
        });
    }
    group.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(
        benches,
        scores,
        unconditional_step,
        posterior_step,
        rejection_throughput
    );
}
criterion_main!(group::benches);
