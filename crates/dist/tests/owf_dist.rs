//! The one-way-function distribution g̃ (docs/math.md §5): parameters, exact sampling, brute-force
//! log-density and score, and the efficient score's error.
//!
//! Statistical tests use fixed seeds (`rng::stream`) and assert p > 1e-3, so each has a
//! false-failure rate ≤ 1e-3 for an independent seed.

use hardiff_dist::numerics::{integrate, log_sum_exp};
use hardiff_dist::ou_time::{ou_time_to_ve_sigma, ve_sigma_to_ou_time};
use hardiff_dist::stats::{chi_square, ks_one_sample, normal_cdf};
use hardiff_dist::{rng, Error, LogDensity, OwfDistribution, OwfParams, SampleBatch, Score};
use hardiff_owf::{Bits, Candidate};
use ndarray::{Array1, Array2};
use std::f64::consts::PI;

fn dist(kind: Candidate, n: usize, m: usize) -> OwfDistribution {
    OwfDistribution::with_default_params(kind.build_arc(n, m, 7).unwrap()).unwrap()
}

/// P(k) ∝ exp(−k²/(2R²)) on k ∈ α(Z + ½), by direct summation over |j| ≤ 400 (independent of
/// the crate's lattice sums; the omitted tail is below e^{−20000}).
fn lattice_pmf(alpha: f64, r: f64) -> impl Fn(i64) -> f64 {
    let z: f64 = (-400..=400)
        .map(|j| {
            let k = alpha * (j as f64 + 0.5);
            (-k * k / (2.0 * r * r)).exp()
        })
        .sum();
    move |j: i64| {
        let k = alpha * (j as f64 + 0.5);
        (-k * k / (2.0 * r * r)).exp() / z
    }
}

#[test]
fn default_rule_reproduces_the_docs_math_numbers() {
    // docs/math.md §5: n = m = 4, α = 0.5, ε = 0.05 gives σ_c ≈ 0.0651, t_c ≈ 0.00211, β ≈ 0.00163.
    let p = OwfParams::default_rule(4, 4).unwrap();
    let closed_sigma_c = 0.5 / (2.0 * (2.0 * (4.0f64 / 0.0025).ln()).sqrt());
    assert!((p.crossover() - closed_sigma_c).abs() < 1e-15);
    assert!((p.crossover() - 0.0651).abs() < 5e-5, "{}", p.crossover());
    assert!(
        (p.crossover_time() - 0.00211).abs() < 5e-6,
        "{}",
        p.crossover_time()
    );
    assert!((p.amplitude() - 0.00163).abs() < 5e-6, "{}", p.amplitude());
    assert!((p.amplitude() - 0.05 * closed_sigma_c / 2.0).abs() < 1e-15);
    assert_eq!(p.noise(), p.amplitude() / 4.0);
    assert_eq!((p.envelope(), p.spacing()), (1.0, 0.5));
    // Overrides keep validation; the noise follows a new amplitude unless set afterwards.
    let q = p.with_amplitude(0.002).unwrap();
    assert_eq!((q.amplitude(), q.noise()), (0.002, 0.0005));
    assert_eq!(q.with_noise(0.1).unwrap().noise(), 0.1);
}

#[test]
fn bad_parameters_are_typed_errors() {
    assert!(matches!(
        OwfParams::new(0.0, 0.5, 0.001, 0.05, 0.001),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        OwfParams::new(1.0, -0.5, 0.001, 0.05, 0.001),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        OwfParams::new(1.0, 0.5, 0.3, 0.05, 0.001),
        Err(Error::OutOfRange {
            name: "beta (amplitude)",
            ..
        })
    ));
    assert!(matches!(
        OwfParams::from_rule(4, 4, 1.0, 0.5, 1.0),
        Err(Error::OutOfRange {
            name: "epsilon",
            ..
        })
    ));
    assert!(matches!(
        OwfParams::default_rule(0, 4),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        OwfParams::default_rule(4, 4).unwrap().with_noise(f64::NAN),
        Err(Error::NonPositive { .. })
    ));
}

#[test]
fn exact_samples_have_the_stated_marginals() {
    let n = 4;
    let g = dist(Candidate::Blake3, n, 6);
    let f = g.function().clone();
    let beta = g.params().amplitude();
    let count = 20_000;
    let before = f.evaluations();
    let (x, seeds) = g.sample_with_seeds(&mut rng::stream(1, "owf-dist-marginals", &[]), count);
    assert_eq!(
        f.evaluations() - before,
        count as u64,
        "one f-evaluation per sample"
    );
    let mut seed_counts = vec![0u64; 1 << n];
    let mut abs_counts = vec![0u64; 40];
    for (row, s) in x.rows().into_iter().zip(&seeds) {
        let dec = g.decode(row).unwrap();
        assert_eq!(&dec.seed, s);
        // The f-part is exactly β(2f(s) − 1).
        let fs = f.eval_uncounted(s);
        assert_eq!(dec.output, fs);
        for j in 0..6 {
            assert_eq!(row[n + j], if fs.bit(j) { beta } else { -beta });
        }
        seed_counts[s.to_u64().unwrap() as usize] += 1;
        for i in 0..n {
            // |z| = α(j + ½).
            let j = (row[i].abs() / 0.5 - 0.5).round() as usize;
            assert!((row[i].abs() - 0.5 * (j as f64 + 0.5)).abs() < 1e-12);
            abs_counts[j.min(39)] += 1;
        }
    }
    // Decoded seeds are uniform on {0,1}^4.
    let uniform = vec![1.0 / 16.0; 16];
    let r = chi_square(&seed_counts, &uniform, 0).unwrap();
    assert!(r.p_value > 1e-3, "seed uniformity: {r:?}");
    // |coordinate| ~ the folded D_α: P(|z| = α(j + ½)) = 2P(α(j + ½)), exact pmf by direct sum.
    let pmf = lattice_pmf(0.5, 1.0);
    let probs: Vec<f64> = (0..40).map(|j| 2.0 * pmf(j)).collect();
    let r = chi_square(&abs_counts, &probs, 0).unwrap();
    assert!(r.p_value > 1e-3, "|z| against D_α: {r:?}");
}

#[test]
fn samples_at_time_t_follow_the_exact_ou_marginals() {
    // Identity f: u_j = β(2s_j − 1) with s_j uniform, so the u-marginal is known exactly.
    let g = dist(Candidate::Identity, 3, 3);
    let beta = g.params().amplitude();
    for (idx, t) in [0.01, 0.3, 2.0].into_iter().enumerate() {
        let x = g
            .at_time(t)
            .unwrap()
            .sample_batch(&mut rng::stream(2, "owf-dist-ou", &[idx as u64]), 4000);
        let (a, s) = ((-t).exp(), (1.0 - (-2.0 * t).exp()).sqrt());
        let pmf = lattice_pmf(0.5, 1.0);
        // x-marginal: Σ_k P(k) Φ((x − e^{−t}k)/√(1 − e^{−2t})).
        let cdf_x = |v: f64| {
            (-60..60)
                .map(|j| pmf(j) * normal_cdf((v - a * 0.5 * (j as f64 + 0.5)) / s))
                .sum::<f64>()
        };
        let mut col: Vec<f64> = x.column(1).to_vec();
        let r = ks_one_sample(&mut col, cdf_x);
        assert!(r.p_value > 1e-3, "t = {t}, x: {r:?}");
        let cdf_u =
            |v: f64| 0.5 * (normal_cdf((v - a * beta) / s) + normal_cdf((v + a * beta) / s));
        let mut col: Vec<f64> = x.column(4).to_vec();
        let r = ks_one_sample(&mut col, cdf_u);
        assert!(r.p_value > 1e-3, "t = {t}, u: {r:?}");
    }
}

/// log p_t(x) by the definition: the Gaussian mixture over every lattice point of every
/// coordinate, p_σ(y) = Σ_{k ∈ L^n} Π_i P(k_i) φ_σ²(y_i − k_i) Π_j φ_σ²(u_j − v_j(sign k)),
/// then p_t(x) = e^{td} p_σ(e^t x) (docs/math.md §0). Only for n ≤ 2.
fn log_density_by_definition(g: &OwfDistribution, t: f64, x: &[f64]) -> f64 {
    let (n, m) = (g.input_bits(), g.output_bits());
    let beta = g.params().amplitude();
    let sigma = ou_time_to_ve_sigma(t);
    let et = t.exp();
    let y: Vec<f64> = x.iter().map(|v| et * v).collect();
    let pmf = lattice_pmf(0.5, 1.0);
    let log_phi = |z: f64| -0.5 * (2.0 * PI * sigma * sigma).ln() - z * z / (2.0 * sigma * sigma);
    let range: Vec<i64> = (-40..40).collect();
    let mut terms = Vec::new();
    let mut idx = vec![0usize; n];
    loop {
        let ks: Vec<i64> = idx.iter().map(|&i| range[i]).collect();
        let seed = Bits::from_bools(&ks.iter().map(|&j| j >= 0).collect::<Vec<_>>());
        let fs = g.function().eval_uncounted(&seed);
        let mut l = 0.0;
        for i in 0..n {
            l += pmf(ks[i]).ln() + log_phi(y[i] - 0.5 * (ks[i] as f64 + 0.5));
        }
        for j in 0..m {
            let v = if fs.bit(j) { beta } else { -beta };
            l += log_phi(y[n + j] - v);
        }
        terms.push(l);
        // Odometer over the n lattice indices.
        let mut c = 0;
        while c < n {
            idx[c] += 1;
            if idx[c] < range.len() {
                break;
            }
            idx[c] = 0;
            c += 1;
        }
        if c == n {
            break;
        }
    }
    (n + m) as f64 * t + log_sum_exp(&terms)
}

#[test]
fn brute_force_log_density_equals_the_mixture_definition() {
    for (kind, m) in [(Candidate::Identity, 2), (Candidate::Blake3, 3)] {
        let g = dist(kind, 2, m);
        for (idx, t) in [0.0005, 0.01, 0.2, 1.5].into_iter().enumerate() {
            let x = g
                .at_time(t)
                .unwrap()
                .sample_batch(&mut rng::stream(3, "owf-dist-logp", &[idx as u64]), 6);
            let mut out = Array1::zeros(6);
            g.log_density(t, x.view(), out.view_mut()).unwrap();
            for (b, row) in x.rows().into_iter().enumerate() {
                let want = log_density_by_definition(&g, t, row.as_slice().unwrap());
                assert!(
                    (out[b] - want).abs() < 1e-9 * (1.0 + want.abs()),
                    "{kind} t={t}: {} vs {want}",
                    out[b]
                );
            }
        }
    }
}

#[test]
fn log_density_integrates_to_one() {
    // n = m = 1 (identity), d = 2: ∫∫ p_t(x, u) dx du = 1 by nested Gauss–Kronrod
    // (tolerances 1e-10 inner, 1e-8 outer).
    let g = dist(Candidate::Identity, 1, 1);
    let t = ve_sigma_to_ou_time(0.2);
    let p = |x: f64, u: f64| {
        let pt = Array2::from_shape_vec((1, 2), vec![x, u]).unwrap();
        let mut out = Array1::zeros(1);
        g.log_density(t, pt.view(), out.view_mut()).unwrap();
        out[0].exp()
    };
    let inner = |x: f64| integrate(&|u: f64| p(x, u), -2.0, 2.0, 1e-10);
    let total = integrate(&inner, -8.0, 8.0, 1e-8);
    assert!((total - 1.0).abs() < 1e-6, "∫ p_t = {total}");
}

#[test]
fn brute_force_score_is_the_gradient_of_the_log_density() {
    // Central finite differences of the brute-force log-density (step 1e-4 of the smoothing
    // width √(1 − e^{−2t}); truncation error ~1e-8 relative).
    let g = dist(Candidate::Blake3, 3, 4);
    let score = g.brute_force_score().unwrap();
    let d = 7;
    for (idx, sigma) in [0.03, 0.1, 0.5, 2.0].into_iter().enumerate() {
        let t = ve_sigma_to_ou_time(sigma);
        let x = g
            .at_time(t)
            .unwrap()
            .sample_batch(&mut rng::stream(4, "owf-dist-fd", &[idx as u64]), 5);
        let mut s = Array2::zeros((5, d));
        score.score(t, x.view(), s.view_mut()).unwrap();
        let width = (1.0 - (-2.0 * t).exp()).sqrt();
        let h = 1e-4 * width;
        for b in 0..5 {
            for k in 0..d {
                let mut plus = x.row(b).to_owned().insert_axis(ndarray::Axis(0));
                let mut minus = plus.clone();
                plus[[0, k]] += h;
                minus[[0, k]] -= h;
                let (mut lp, mut lm) = (Array1::zeros(1), Array1::zeros(1));
                g.log_density(t, plus.view(), lp.view_mut()).unwrap();
                g.log_density(t, minus.view(), lm.view_mut()).unwrap();
                let fd = (lp[0] - lm[0]) / (2.0 * h);
                assert!(
                    (fd - s[[b, k]]).abs() < 1e-5 * (s[[b, k]].abs() + 1.0 / width),
                    "σ={sigma} point {b} coord {k}: fd {fd} vs score {}",
                    s[[b, k]]
                );
            }
        }
    }
}

/// The σ grid of docs/math.md §5's measurements, [0.002, 5].
const SIGMAS: [f64; 13] = [
    0.002, 0.01, 0.03, 0.05, 0.06, 0.065, 0.07, 0.08, 0.12, 0.3, 1.0, 2.0, 5.0,
];

#[test]
fn efficient_score_error_meets_the_docs_math_bounds() {
    // docs/math.md §5, n = m = 4, default rule (ε = 0.05), 3000 points per σ: the normalised error
    // is ≤ 2ε over the grid; 0 (< 1e-4) well below σ_c; and above σ_c the u-part is at most
    // β√m/σ, with equality while the posterior over seeds is still concentrated (σ ≪ α).
    for kind in [Candidate::Identity, Candidate::Blake3] {
        let g = dist(kind, 4, 4);
        let (beta, sigma_c) = (g.params().amplitude(), g.params().crossover());
        let times: Vec<f64> = SIGMAS.iter().map(|&s| ve_sigma_to_ou_time(s)).collect();
        let table = g.efficient_score_error_table(&times, 3000, 11).unwrap();
        for e in &table {
            assert!(e.error.normalised_error <= 0.1, "{kind}: {e:?}");
            if e.error.sigma <= 0.03 {
                assert!(e.error.normalised_error < 1e-4, "{kind}: {e:?}");
            }
            if e.error.sigma > sigma_c {
                let bound = beta * 2.0 / e.error.sigma;
                assert!(
                    e.normalised_error_u <= bound * (1.0 + 1e-9),
                    "{kind}: {e:?}"
                );
                if e.error.sigma <= 0.12 {
                    assert!(
                        (e.normalised_error_u / bound - 1.0).abs() < 0.02,
                        "{kind}: u-error {} vs β√m/σ = {bound}",
                        e.normalised_error_u
                    );
                }
            }
        }
    }
}

#[test]
fn efficient_score_costs_one_evaluation_per_point_only_when_rounding() {
    let g = dist(Candidate::Blake3, 5, 5);
    let s = g.efficient_score();
    let x = g
        .at_time(0.001)
        .unwrap()
        .sample_batch(&mut rng::stream(5, "owf-dist-count", &[]), 17);
    let mut out = Array2::zeros((17, 10));
    let t_small = ve_sigma_to_ou_time(0.5 * g.params().crossover());
    let t_large = ve_sigma_to_ou_time(2.0 * g.params().crossover());
    assert!(s.rounds_at(t_small) && !s.rounds_at(t_large));
    let before = g.function().evaluations();
    s.score(t_small, x.view(), out.view_mut()).unwrap();
    assert_eq!(g.function().evaluations() - before, 17);
    s.score(t_large, x.view(), out.view_mut()).unwrap();
    assert_eq!(g.function().evaluations() - before, 17);
}

#[test]
fn time_zero_shapes_and_limits_are_typed_errors() {
    let g = dist(Candidate::Identity, 3, 3);
    let x = Array2::zeros((2, 6));
    let mut out = Array2::zeros((2, 6));
    let mut lp = Array1::zeros(2);
    assert!(matches!(
        g.log_density(0.0, x.view(), lp.view_mut()),
        Err(Error::TimeNotPositive { .. })
    ));
    let bf = g.brute_force_score().unwrap();
    assert!(matches!(
        bf.score(0.0, x.view(), out.view_mut()),
        Err(Error::TimeNotPositive { .. })
    ));
    assert!(matches!(
        g.efficient_score().score(-1.0, x.view(), out.view_mut()),
        Err(Error::TimeNotPositive { .. })
    ));
    let mut bad = Array2::zeros((2, 5));
    assert!(matches!(
        bf.score(0.1, x.view(), bad.view_mut()),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(g.decode(x.row(0).slice(ndarray::s![..5])).is_err());
    // n = 21 > 20: refused before any evaluation, stating the work.
    let big = dist(Candidate::Identity, 21, 21);
    match big.brute_force_score() {
        Err(Error::TooLarge {
            size: 21,
            limit: 20,
            work,
            ..
        }) => assert!(work.contains("2^21")),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(big.function().evaluations(), 0);
    assert!(g.with_brute_force_limit(31).is_err());
    let small_limit = g.with_brute_force_limit(2).unwrap();
    assert!(matches!(
        small_limit.log_density(0.1, x.view(), lp.view_mut()),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn same_seed_same_numbers() {
    let g = dist(Candidate::Goldreich, 6, 6);
    let a = g.sample_batch(&mut rng::stream(9, "owf-dist-det", &[]), 50);
    let b = g.sample_batch(&mut rng::stream(9, "owf-dist-det", &[]), 50);
    assert_eq!(a, b);
    let times = [0.001, 0.1];
    let e1 = g.efficient_score_error_table(&times, 200, 3).unwrap();
    let e2 = g.efficient_score_error_table(&times, 200, 3).unwrap();
    assert_eq!(e1, e2);
}

#[test]
fn efficient_score_is_the_same_on_any_thread_count_and_counts_one_f_call_per_row() {
    // 1000 rows (not a multiple of the 256-row block) in both regimes: identical bits on 1 and 3
    // threads, equal to row-by-row evaluation, and exactly one counted f-evaluation per row
    // below the crossover, none above it.
    let g = dist(Candidate::Blake3, 8, 8);
    let score = g.efficient_score();
    let crossover_t = ve_sigma_to_ou_time(g.params().crossover());
    for (t, calls_per_row) in [(0.5 * crossover_t, 1u64), (0.3, 0)] {
        let mut rng = rng::stream(5, "efficient-threads", &[]);
        let x = g.at_time(t).unwrap().sample_batch(&mut rng, 1000);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let before = g.function().evaluations();
            let s = pool.install(|| score.score_owned(t, x.view()).unwrap());
            (s, g.function().evaluations() - before)
        };
        let ((one, calls_one), (three, calls_three)) = (on(1), on(3));
        assert_eq!(one, three, "t = {t}");
        assert_eq!(calls_one, 1000 * calls_per_row);
        assert_eq!(calls_three, 1000 * calls_per_row);
        for i in [0, 255, 256, 999] {
            let single = score
                .score_owned(t, x.slice(ndarray::s![i..i + 1, ..]))
                .unwrap();
            assert_eq!(single.row(0), one.row(i), "row {i}");
        }
    }
}
