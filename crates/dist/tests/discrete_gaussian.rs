//! The exact discrete Gaussian, the smoothed discrete Gaussian and the periodic Gaussian
//! (docs/math.md §1): normalisers against brute-force sums, chi-square of the exact sampler
//! against the exact pmf (both sampling methods, centres ±½, widths 0.01 … 1e5), densities
//! against brute-force mixtures and quadrature, scores against finite differences, samplers
//! against CDFs (KS). Every statistical assertion uses a fixed seed and fails falsely with
//! probability ≤ 1e-3 (p > 1e-3).

use hardiff_dist::discrete_gaussian::INVERSION_MAX_RELATIVE_WIDTH;
use hardiff_dist::lattice::LatticeSumForm;
use hardiff_dist::numerics::{integrate_with_breaks, log_sum_exp};
use hardiff_dist::rng::stream;
use hardiff_dist::stats::{chi_square, ks_one_sample, normal_cdf};
use hardiff_dist::{DiscreteGaussian, Error, PeriodicGaussian, SmoothedDiscreteGaussian};
use rand::distr::Distribution;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

/// Brute-force log-weights −(c + hk)²/(2v) for k in `lo..=hi` (independent of the crate).
fn log_weight(offset: f64, spacing: f64, std: f64, k: i64) -> f64 {
    let z = offset + spacing * k as f64;
    -z * z / (2.0 * std * std)
}

/// Brute-force probabilities of k ∈ lo..=hi, normalised over a range 45 std wider on each side.
fn brute_force_pmf(offset: f64, spacing: f64, std: f64, lo: i64, hi: i64) -> (i64, Vec<f64>) {
    let s = std / spacing;
    let reach = (45.0 * s).ceil() as i64 + 2;
    let kc = (-offset / spacing).round() as i64;
    let (wlo, whi) = ((kc - reach).min(lo), (kc + reach).max(hi));
    let logs: Vec<f64> = (wlo..=whi)
        .map(|k| log_weight(offset, spacing, std, k))
        .collect();
    let log_z = log_sum_exp(&logs);
    let probs = (lo..=hi)
        .map(|k| (log_weight(offset, spacing, std, k) - log_z).exp())
        .collect();
    (log_z.round() as i64, probs)
}

#[test]
fn normaliser_matches_brute_force_and_pmf_sums_to_one() {
    for &(offset, spacing, std) in &[
        (0.0, 1.0, 1e-3),
        (0.5, 1.0, 0.01),
        (-0.5, 1.0, 0.3),
        (0.3, 0.25, 1.0),
        (1234.56, 1.0, 7.0),
        (0.1, 1.0, 1e3),
        (0.37, 1.0, 1e5),
    ] {
        let dg = DiscreteGaussian::new(offset, spacing, std).unwrap();
        let s: f64 = std / spacing;
        let reach = (45.0 * s).ceil() as i64 + 2;
        let kc = (-offset / spacing).round() as i64;
        let logs: Vec<f64> = (kc - reach..=kc + reach)
            .map(|k| log_weight(offset, spacing, std, k))
            .collect();
        let brute = log_sum_exp(&logs);
        assert!(
            (dg.log_normaliser() - brute).abs() <= 1e-12 * brute.abs().max(1.0),
            "({offset}, {spacing}, {std}): {} vs {brute}",
            dg.log_normaliser()
        );
        let total: f64 = (kc - reach..=kc + reach).map(|k| dg.pmf_index(k)).sum();
        assert!((total - 1.0).abs() < 1e-12, "total {total}");
    }
}

/// Chi-square of `n` exact samples against the brute-force pmf. Cells: one per index in a
/// window of ±(12 s + 3) around the mode, grouped `group` indices per cell, and the two tails.
fn chi_square_of_sampler(offset: f64, spacing: f64, std: f64, n: usize, seed: u64) -> f64 {
    let dg = DiscreteGaussian::new(offset, spacing, std).unwrap();
    let s = std / spacing;
    let kc = (-offset / spacing).round() as i64;
    let half = (12.0 * s).ceil() as i64 + 3;
    let (lo, hi) = (kc - half, kc + half);
    let group = ((s / 20.0).floor() as i64).max(1);
    let cells = ((hi - lo + 1) + group - 1) / group;
    let (_, probs) = brute_force_pmf(offset, spacing, std, lo, hi);
    let mut expected = vec![0.0; cells as usize + 2];
    for (i, p) in probs.iter().enumerate() {
        expected[1 + i / group as usize] += p;
    }
    let inside: f64 = probs.iter().sum();
    // The two tails beyond 12 s are < 1e-31 together: split by symmetry is irrelevant.
    expected[0] = 0.5 * (1.0 - inside).max(0.0);
    *expected.last_mut().unwrap() = 0.5 * (1.0 - inside).max(0.0);
    let mut observed = vec![0u64; expected.len()];
    let mut rng = stream(seed, "discrete-gaussian-chi-square", &[]);
    for _ in 0..n {
        let k = dg.sample_index(&mut rng);
        let z: f64 = dg.sample(&mut rng);
        // The point sampler and the index sampler draw the same law: check z ∈ c + hZ.
        assert!(dg.index_of(z).is_some(), "point {z} off the lattice");
        let cell = if k < lo {
            0
        } else if k > hi {
            expected.len() - 1
        } else {
            1 + ((k - lo) / group) as usize
        };
        observed[cell] += 1;
    }
    chi_square(&observed, &expected, 0)
        .expect("at least two cells")
        .p_value
}

#[test]
fn exact_sampler_passes_chi_square_at_every_width_and_offset() {
    // p > 1e-3 per case: false-failure rate 1e-3 each (fixed seeds). Widths straddle the
    // inversion/rejection switch at s = 16 and include the brief's 0.01 and 1e5, centres ±½.
    let cases: &[(f64, f64, f64)] = &[
        (0.5, 1.0, 0.01),
        (-0.5, 1.0, 0.01),
        (0.5, 1.0, 0.5),
        (-0.5, 1.0, 1.0),
        (0.3, 1.0, 0.4),
        (0.1, 0.25, 0.5),
        (0.0, 1.0, 3.0),
        (0.5, 1.0, INVERSION_MAX_RELATIVE_WIDTH * 0.99),
        (0.5, 1.0, INVERSION_MAX_RELATIVE_WIDTH * 1.01),
        (-0.5, 1.0, 40.0),
        (1234.56, 1.0, 100.0),
        (0.37, 1.0, 1e5),
        (-0.5, 2.0, 2e5),
    ];
    for (i, &(offset, spacing, std)) in cases.iter().enumerate() {
        let p = chi_square_of_sampler(offset, spacing, std, 100_000, i as u64);
        assert!(p > 1e-3, "({offset}, {spacing}, {std}): p = {p}");
    }
}

#[test]
fn rounding_a_continuous_gaussian_fails_the_same_test() {
    // Power check: round(N(−c/h, s²)) is not the discrete Gaussian (at s = 0.4 the laws differ
    // by several per cent); the chi-square against the exact pmf must reject it (p < 1e-6).
    let (offset, spacing, std): (f64, f64, f64) = (0.3, 1.0, 0.4);
    let dg = DiscreteGaussian::new(offset, spacing, std).unwrap();
    let (lo, hi) = (-8i64, 8i64);
    let (_, probs) = brute_force_pmf(offset, spacing, std, lo, hi);
    let mut observed = vec![0u64; probs.len()];
    let mut rng = stream(99, "rounded-gaussian", &[]);
    for _ in 0..100_000 {
        let g: f64 = StandardNormal.sample(&mut rng);
        let k = (-offset / spacing + std / spacing * g).round() as i64;
        observed[(k - lo) as usize] += 1;
    }
    assert!(chi_square(&observed, &probs, 0).unwrap().p_value < 1e-6);
    // …while the exact sampler has (almost) all its mass on the two nearest points.
    assert!(dg.pmf_index(0) + dg.pmf_index(-1) > 0.99);
}

#[test]
fn tiny_width_puts_all_mass_on_the_nearest_point_and_half_integers_split_evenly() {
    // s = 1e-3, offset 0.3: P(k=0) = 1 − O(e^{-0.32/(2e-6)}) = 1 to double precision.
    let dg = DiscreteGaussian::new(0.3, 1.0, 1e-3).unwrap();
    assert_eq!(dg.pmf_index(0), 1.0);
    let mut rng = stream(5, "tiny", &[]);
    assert!((0..1000).all(|_| dg.sample_index(&mut rng) == 0));
    // offset ½: the points ±½ are equally likely (exactly ½ each).
    let dg = DiscreteGaussian::new(0.5, 1.0, 1e-3).unwrap();
    assert!((dg.pmf(0.5) - 0.5).abs() < 1e-15 && (dg.pmf(-0.5) - 0.5).abs() < 1e-15);
}

#[test]
fn largest_width_has_the_gaussian_variance() {
    // s = 1e6: by Poisson summation the discrete law's variance is v(1 − O(e^{-2π²s²})) = v,
    // mean 0. Sample variance of n draws has std v√(2/n): |var̂/v − 1| < 4.9·√(2/n) and
    // |mean̂| < 4.9·√(v/n) each fail falsely with probability 1e-6.
    let (std, n) = (1e6, 200_000);
    let dg = DiscreteGaussian::new(0.25, 1.0, std).unwrap();
    assert!(!dg.uses_inversion());
    let mut rng = stream(8, "wide", &[]);
    let xs: Vec<f64> = (0..n).map(|_| dg.sample(&mut rng)).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!(mean.abs() < 4.9 * std / (n as f64).sqrt(), "mean {mean}");
    assert!(
        (var / (std * std) - 1.0).abs() < 4.9 * (2.0 / n as f64).sqrt(),
        "var {var}"
    );
}

#[test]
fn points_indices_and_pmf_are_consistent() {
    let dg = DiscreteGaussian::new(0.3, 0.5, 0.8).unwrap();
    assert_eq!(dg.point(2), 1.3);
    assert_eq!(dg.index_of(1.3), Some(2));
    assert_eq!(dg.index_of(1.4), None);
    assert_eq!(dg.log_pmf(1.4), f64::NEG_INFINITY);
    assert_eq!(dg.pmf(1.4), 0.0);
    assert!((dg.log_pmf(1.3) - dg.log_pmf_index(2)).abs() < 1e-15);
    // log P(k) = −(c+hk)²/(2v) − log Z (docs/math.md §1), with Z brute-forced.
    let logs: Vec<f64> = (-200..=200).map(|k| log_weight(0.3, 0.5, 0.8, k)).collect();
    let expect = log_weight(0.3, 0.5, 0.8, 2) - log_sum_exp(&logs);
    assert!((dg.log_pmf_index(2) - expect).abs() < 1e-14);
    // Same seed, same draws.
    let draws = || {
        let mut r = stream(1, "det", &[]);
        (0..10)
            .map(|_| dg.sample_index(&mut r))
            .collect::<Vec<i64>>()
    };
    assert_eq!(draws(), draws());
}

#[test]
fn bad_discrete_gaussian_parameters_are_typed_errors() {
    assert!(matches!(
        DiscreteGaussian::new(f64::NAN, 1.0, 1.0),
        Err(Error::NonFinite { name: "offset", .. })
    ));
    assert!(matches!(
        DiscreteGaussian::new(0.0, -1.0, 1.0),
        Err(Error::NonPositive {
            name: "spacing",
            ..
        })
    ));
    assert!(matches!(
        DiscreteGaussian::new(0.0, 1.0, 0.0),
        Err(Error::NonPositive { name: "std", .. })
    ));
    assert!(matches!(
        DiscreteGaussian::new(0.0, 1.0, f64::INFINITY),
        Err(Error::NonPositive { name: "std", .. })
    ));
    assert!(matches!(
        DiscreteGaussian::new(0.0, 1.0, 1e-9),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        DiscreteGaussian::new(1e17, 1.0, 1.0),
        Err(Error::OutOfRange { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Smoothed discrete Gaussian.

/// Brute-force mixture density Σ_k P(k) φ_w(x − c − hk) and its derivative (independent of
/// the lattice-sum formula in smoothed.rs).
fn brute_force_mixture(offset: f64, spacing: f64, std: f64, w_std: f64, x: f64) -> (f64, f64) {
    let s = std / spacing;
    let reach = (45.0 * s).ceil() as i64 + 2;
    let (_, probs) = brute_force_pmf(offset, spacing, std, -reach, reach);
    let (mut p, mut dp) = (0.0, 0.0);
    for (i, pk) in probs.iter().enumerate() {
        let y = offset + spacing * (i as i64 - reach) as f64;
        let d = x - y;
        let phi = (-0.5 * (d / w_std).powi(2)).exp() / ((2.0 * PI).sqrt() * w_std);
        p += pk * phi;
        dp += pk * phi * (-d / (w_std * w_std));
    }
    (p, dp)
}

const SMOOTHED_CASES: &[(f64, f64, f64, f64)] = &[
    (0.3, 1.0, 2.0, 0.1),
    (0.5, 0.5, 1.0, 1.0),
    (0.0, 1.0, 0.4, 0.05),
    (0.25, 0.5, 3.0, 0.6),
];

#[test]
fn smoothed_density_matches_brute_force_mixture_in_both_forms_and_integrates_to_one() {
    for &(c, h, std, w) in SMOOTHED_CASES {
        let sm = SmoothedDiscreteGaussian::new(c, h, std, w).unwrap();
        for x in [-3.1, -0.2, 0.0, 0.33, 1.7, 4.4] {
            let (p, dp) = brute_force_mixture(c, h, std, w, x);
            for form in [
                LatticeSumForm::Auto,
                LatticeSumForm::Direct,
                LatticeSumForm::Dual,
            ] {
                let v = sm.eval_with(x, form);
                // Well-conditioned points only for the dual form (the mixture is not tiny
                // relative to its envelope here: all cases have w/h ≥ 0.05).
                let tol = if form == LatticeSumForm::Dual && w / h < 0.2 {
                    1e-6
                } else {
                    1e-12
                };
                assert!(
                    (v.log_density - p.ln()).abs() <= tol,
                    "{form} ({c},{h},{std},{w}) x={x}: {} vs {}",
                    v.log_density,
                    p.ln()
                );
                assert!((v.score - dp / p).abs() <= tol.max(1e-11) * (1.0 + (dp / p).abs()));
            }
        }
        // ∫p = 1 by quadrature with breakpoints at the lattice points (independent of the
        // normaliser's lattice sum).
        let f = |x: f64| sm.density(x);
        let span = 12.0 * (std * std + w * w).sqrt();
        let breaks: Vec<f64> = (-200..=200)
            .map(|k| c + h * k as f64)
            .filter(|x| x.abs() < span)
            .collect();
        let total = integrate_with_breaks(&f, -span, span, &breaks, 1e-13);
        assert!((total - 1.0).abs() < 1e-10, "total {total}");
    }
}

#[test]
fn smoothed_score_and_its_derivative_match_finite_differences() {
    for &(c, h, std, w) in SMOOTHED_CASES {
        let sm = SmoothedDiscreteGaussian::new(c, h, std, w).unwrap();
        let step = 1e-5 * w;
        for x in [-2.3, -0.41, 0.0, 0.9, 3.3] {
            let v = sm.eval(x);
            let fd = (sm.log_density(x + step) - sm.log_density(x - step)) / (2.0 * step);
            let fd2 = (sm.score(x + step) - sm.score(x - step)) / (2.0 * step);
            assert!(
                (v.score - fd).abs() < 1e-6 / w,
                "x={x}: {} vs {fd}",
                v.score
            );
            assert!((v.score_derivative - fd2).abs() < 1e-5 / (w * w));
            assert!((v.excess_score - (v.score + x / sm.envelope_variance())).abs() < 1e-12 / w);
        }
    }
}

#[test]
fn smoothed_sampler_matches_the_mixture_cdf() {
    // KS against F(x) = Σ_k P(k) Φ((x − y_k)/√w); p > 1e-3 (false-failure rate 1e-3 each).
    for (i, &(c, h, std, w)) in SMOOTHED_CASES.iter().enumerate() {
        let sm = SmoothedDiscreteGaussian::new(c, h, std, w).unwrap();
        let s: f64 = std / h;
        let reach = (45.0 * s).ceil() as i64 + 2;
        let (_, probs) = brute_force_pmf(c, h, std, -reach, reach);
        // Terms with P(k) < 1e-20 change the CDF by less than 1e-20·(#terms): dropped.
        let terms: Vec<(f64, f64)> = probs
            .iter()
            .enumerate()
            .filter(|(_, &p)| p > 1e-20)
            .map(|(j, &p)| (p, c + h * (j as i64 - reach) as f64))
            .collect();
        let cdf = |x: f64| {
            terms
                .iter()
                .map(|(p, y)| p * normal_cdf((x - y) / w))
                .sum::<f64>()
        };
        let mut rng = stream(i as u64, "smoothed-ks", &[]);
        let mut xs: Vec<f64> = (0..20_000).map(|_| sm.sample(&mut rng)).collect();
        let p = ks_one_sample(&mut xs, cdf).p_value;
        assert!(p > 1e-3, "case {i}: p = {p}");
    }
}

#[test]
fn smoothed_bad_parameters_are_typed_errors() {
    assert!(matches!(
        SmoothedDiscreteGaussian::new(0.0, 1.0, 1.0, 0.0),
        Err(Error::NonPositive {
            name: "smoothing_std",
            ..
        })
    ));
    assert!(matches!(
        SmoothedDiscreteGaussian::new(0.0, 1.0, -1.0, 1.0),
        Err(Error::NonPositive { name: "std", .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Periodic Gaussian.

#[test]
fn periodic_gaussian_density_score_and_sampler() {
    for (i, &(mean, period, std)) in [(0.0, 1.0, 0.1), (0.3, 2.0, 1.5), (-0.2, 0.5, 0.2)]
        .iter()
        .enumerate()
    {
        let pg = PeriodicGaussian::with_mean(mean, period, std).unwrap();
        // ∫_0^h p = 1 (quadrature, breakpoint at the wrapped mean).
        let f = |x: f64| pg.density(x);
        let m: f64 = mean.rem_euclid(period);
        let total = integrate_with_breaks(&f, 0.0, period, &[m], 1e-14);
        assert!((total - 1.0).abs() < 1e-11, "total {total}");
        // Brute-force Σ_k φ_w(x − m − hk), and both forms agree (well conditioned: std/h ≥ 0.1).
        for x in [0.0, 0.1 * period, 0.5 * period, 0.93 * period] {
            let brute: f64 = (-300..=300)
                .map(|k| {
                    let d = x - mean - period * k as f64;
                    (-0.5 * (d / std).powi(2)).exp() / ((2.0 * PI).sqrt() * std)
                })
                .sum();
            for form in [LatticeSumForm::Direct, LatticeSumForm::Dual] {
                assert!((pg.log_density_with(x, form) - brute.ln()).abs() < 1e-11);
            }
            let step = 1e-5 * std;
            let fd = (pg.log_density(x + step) - pg.log_density(x - step)) / (2.0 * step);
            assert!((pg.score(x) - fd).abs() < 1e-6 / std);
            let fd2 = (pg.score(x + step) - pg.score(x - step)) / (2.0 * step);
            assert!((pg.score_derivative(x) - fd2).abs() < 1e-5 / (std * std));
        }
        // KS against F(x) = Σ_k [Φ((x − m − hk)/√w) − Φ((−m − hk)/√w)] on [0, h).
        // Only images within 40 std of [0, h) contribute more than e^{-800}.
        let kmax = (40.0 * std / period).ceil() as i64 + 2;
        let cdf = |x: f64| {
            (-kmax..=kmax)
                .map(|k| {
                    let a = mean + period * k as f64;
                    normal_cdf((x - a) / std) - normal_cdf(-a / std)
                })
                .sum::<f64>()
        };
        let mut rng = stream(i as u64, "periodic-ks", &[]);
        let mut xs: Vec<f64> = (0..20_000).map(|_| pg.sample(&mut rng)).collect();
        assert!(xs.iter().all(|&x| (0.0..period).contains(&x)));
        let p = ks_one_sample(&mut xs, cdf).p_value;
        assert!(p > 1e-3, "case {i}: p = {p}");
    }
    assert!(matches!(
        PeriodicGaussian::new(0.0, 1.0),
        Err(Error::NonPositive { name: "period", .. })
    ));
}
