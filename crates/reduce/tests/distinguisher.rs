//! Song's reduction (docs/math.md §3): the statistic, the oracles, the advantage estimator and the
//! projection-pursuit contrast, checked against docs/math.md's reference values, closed forms,
//! quadrature and probability bounds. Statistical assertions state their false-failure rate.

use approx::assert_relative_eq;
use hardiff_dist::numerics::integrate_with_breaks;
use hardiff_dist::{rng, GaussianPancakes, PancakeProfile, SampleBatch, Score, StandardGaussian};
use hardiff_reduce::distinguisher::{
    estimate_advantage, projection_pursuit, random_unit_vector, CancellationProfile, Hypothesis,
    OffsetScore, OracleSpec, PancakeContrast, PancakeDistinguisher, SphereNet, UnknownLaw,
};
use ndarray::Array2;

/// docs/math.md §3 reference: E_{z~N(0,1)}[g_t²] for (γ, σ) = (2, 0.5) at t = 0.01.
const REF_T001: f64 = 0.175995;
/// docs/math.md §3 reference: the same at t = 0.1.
const REF_T01: f64 = 0.0056477;

/// E_{z~N(0,1)}[g(z)⁴] by quadrature (for the Monte-Carlo standard error of a mean of g²).
fn fourth_moment(profile: &PancakeProfile) -> f64 {
    let f = |z: f64| {
        let g = profile.excess_score(z);
        (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() * g.powi(4)
    };
    let step = 0.5 * profile.spacing();
    let breaks: Vec<f64> = (-30..=30).map(|k| k as f64 * step).collect();
    integrate_with_breaks(&f, -13.0, 13.0, &breaks, 1e-13)
}

fn pancakes(d: usize, gamma: f64, sigma: f64, seed: u64) -> GaussianPancakes {
    GaussianPancakes::with_random_secret(d, gamma, sigma, seed).unwrap()
}

#[test]
fn exact_oracle_statistic_is_exactly_zero_under_the_null() {
    for d in [1usize, 3, 10] {
        let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
        let oracle = StandardGaussian::new(d).unwrap();
        let stat = dist
            .statistic(&oracle, &mut rng::stream(1, "null", &[d as u64]))
            .unwrap();
        // The exact score of N(0, I) is −z, so ‖s(z) + z‖² = 0 for every query (exactly, in
        // floating point too: −z + z = 0).
        assert_eq!(stat.value, 0.0);
        assert!(stat.per_time.iter().all(|&v| v == 0.0));
        assert_eq!(stat.truncated, 0);
        assert_eq!(stat.queries, 4 * 256);
        assert!(!dist.says_pancakes(&stat));
    }
}

#[test]
fn threshold_is_the_docs_math_reference() {
    // τ = E[g_{t₁}²] with t₁ = h: docs/math.md §3 reference values for (2, 0.5).
    let a = PancakeDistinguisher::with_grid(3, 2.0, 0.5, 0.01, 1, 1).unwrap();
    assert_relative_eq!(a.threshold(), REF_T001, max_relative = 1e-5);
    assert_relative_eq!(a.decision_level(), 0.5 * REF_T001, max_relative = 1e-5);
    let b = PancakeDistinguisher::with_grid(3, 2.0, 0.5, 0.1, 1, 1).unwrap();
    assert_relative_eq!(b.threshold(), REF_T01, max_relative = 1e-4);
    // The grid is t_k = k·h.
    let c = PancakeDistinguisher::with_grid(2, 2.0, 0.5, 0.02, 5, 7).unwrap();
    assert_eq!(c.times().len(), 5);
    for (k, &t) in c.times().iter().enumerate() {
        assert_relative_eq!(t, 0.02 * (k + 1) as f64, max_relative = 1e-15);
    }
    // M = √d + 6 + 4√(2π)/τ_{t₁}² (module docs), τ_{t₁} the profile width at t₁.
    let w = PancakeProfile::new(2.0, 0.5)
        .unwrap()
        .at_time(0.02)
        .unwrap()
        .width();
    assert_relative_eq!(
        c.truncation(),
        2f64.sqrt() + 6.0 + 4.0 * (2.0 * std::f64::consts::PI).sqrt() / (w * w),
        max_relative = 1e-14
    );
}

#[test]
fn exact_oracle_statistic_under_pancakes_matches_the_reference() {
    // Under P_u the per-time mean is an average of ℓ i.i.d. g_t(z)², z ~ N(0, 1): mean E[g_t²]
    // (docs/math.md §3 references), variance E[g⁴] − E[g²]² (quadrature). Each check allows 4.5
    // standard errors: false-failure rate ≈ 7e−6 each (normal approximation, ℓ ≥ 4000 bounded
    // summands).
    let d = 5;
    let law = pancakes(d, 2.0, 0.5, 11);
    let check = |value: f64, t: f64, reference: f64, l: usize| {
        let p = PancakeProfile::new(2.0, 0.5).unwrap().at_time(t).unwrap();
        let var = fourth_moment(&p) - reference * reference;
        let se = (var / l as f64).sqrt();
        assert!(
            (value - reference).abs() < 4.5 * se,
            "t = {t}: statistic {value} vs reference {reference} (SE {se})"
        );
    };
    for (h, reference) in [(0.01, REF_T001), (0.1, REF_T01)] {
        let l = 20_000;
        let dist = PancakeDistinguisher::with_grid(d, 2.0, 0.5, h, 1, l).unwrap();
        let stat = dist
            .statistic(&law, &mut rng::stream(2, "pancakes", &[(h * 100.0) as u64]))
            .unwrap();
        assert_eq!(stat.truncated, 0);
        check(stat.value, h, reference, l);
    }
    // A 10-point grid t_k = 0.01·k: the first and last per-time means match the references at
    // 0.01 and 0.1, and the statistic is their maximum (attained at the first: E[g_t²] decreases).
    let l = 4000;
    let dist = PancakeDistinguisher::with_grid(d, 2.0, 0.5, 0.01, 10, l).unwrap();
    let stat = dist
        .statistic(&law, &mut rng::stream(3, "grid", &[]))
        .unwrap();
    check(stat.per_time[0], 0.01, REF_T001, l);
    check(stat.per_time[9], 0.1, REF_T01, l);
    let max = stat.per_time.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(stat.value, max);
    assert_eq!(stat.value, stat.per_time[0]);
}

#[test]
fn constant_error_oracle_has_statistic_epsilon_squared_under_the_null() {
    let d = 6;
    let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
    let null = UnknownLaw::Gaussian(StandardGaussian::new(d).unwrap());
    for (i, eps) in [0.0, 0.3, 1.7, 4.0].into_iter().enumerate() {
        let spec = OracleSpec::ConstantError { epsilon: eps };
        let oracle = spec
            .build(&null, &mut rng::stream(4, "eps", &[i as u64]), 0)
            .unwrap();
        let stat = dist
            .statistic(oracle.as_ref(), &mut rng::stream(5, "eps", &[i as u64]))
            .unwrap();
        // ‖(−z + εv) + z‖² = ε²‖v‖² = ε² for every query (module docs): exact up to rounding.
        for &v in &stat.per_time {
            assert_relative_eq!(v, eps * eps, epsilon = 1e-12, max_relative = 1e-12);
        }
        assert_eq!(dist.says_pancakes(&stat), eps * eps > dist.decision_level());
    }
    // Its error against the exact score is ε² at every point under pancakes as well.
    let law = UnknownLaw::Pancakes(Box::new(pancakes(d, 2.0, 0.1, 6)));
    let oracle = OracleSpec::ConstantError { epsilon: 0.7 }
        .build(&law, &mut rng::stream(6, "eps-p", &[]), 0)
        .unwrap();
    let x = StandardGaussian::new(d)
        .unwrap()
        .sample_batch(&mut rng::stream(7, "x", &[]), 50);
    let (mut a, mut b) = (Array2::zeros((50, d)), Array2::zeros((50, d)));
    oracle.score(0.05, x.view(), a.view_mut()).unwrap();
    law.exact_score()
        .score(0.05, x.view(), b.view_mut())
        .unwrap();
    for (ra, rb) in a.rows().into_iter().zip(b.rows()) {
        let e = &ra - &rb;
        assert_relative_eq!(e.dot(&e), 0.49, max_relative = 1e-12);
    }
}

#[test]
fn attenuated_oracle_error_is_epsilon_squared_under_the_pancakes() {
    // F_t = E_{z~A_t}[g_t²] by quadrature against an independent NumPy Riemann sum of the
    // direct mixture (400 001 points on [−13, 13], this helper's check): (2, 0.5) at t = 0 →
    // 0.265568, at t = 0.01 → 0.174447; (2, 0.1) at t = 0.05 → 3.51259.
    let p = PancakeProfile::new(2.0, 0.5).unwrap();
    assert_relative_eq!(
        p.mean_squared_excess_score_under_profile(),
        0.265568,
        max_relative = 1e-5
    );
    assert_relative_eq!(
        p.at_time(0.01)
            .unwrap()
            .mean_squared_excess_score_under_profile(),
        0.174447,
        max_relative = 1e-5
    );
    let q = PancakeProfile::new(2.0, 0.1)
        .unwrap()
        .at_time(0.05)
        .unwrap();
    assert_relative_eq!(
        q.mean_squared_excess_score_under_profile(),
        3.51259,
        max_relative = 1e-5
    );

    // Monte Carlo: under x ~ p_t the oracle's squared error λ²g_t² has mean ε² (λ = ε/√F_t).
    // 4.5 standard errors (sample SD): false-failure rate ≈ 7e−6.
    let d = 4;
    let t = 0.05;
    let eps = 1.0;
    let p_law = pancakes(d, 2.0, 0.1, 8);
    let law = UnknownLaw::Pancakes(Box::new(p_law.clone()));
    let oracle = OracleSpec::Attenuated { epsilon: eps }
        .build(&law, &mut rng::stream(8, "att", &[]), 0)
        .unwrap();
    let n = 40_000;
    let x = p_law
        .at_time(t)
        .unwrap()
        .sample_batch(&mut rng::stream(9, "att-x", &[]), n);
    let (mut a, mut b) = (Array2::zeros((n, d)), Array2::zeros((n, d)));
    oracle.score(t, x.view(), a.view_mut()).unwrap();
    p_law.score(t, x.view(), b.view_mut()).unwrap();
    let errs: Vec<f64> = a
        .rows()
        .into_iter()
        .zip(b.rows())
        .map(|(ra, rb)| {
            let e = &ra - &rb;
            e.dot(&e)
        })
        .collect();
    let mean = errs.iter().sum::<f64>() / n as f64;
    let var = errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    assert!(
        (mean - eps * eps).abs() < 4.5 * se,
        "L2 error {mean} vs ε² = {} (SE {se})",
        eps * eps
    );
    // Under N(0, I) the attenuated oracle is exact.
    let null = UnknownLaw::Gaussian(StandardGaussian::new(d).unwrap());
    let oracle = OracleSpec::Attenuated { epsilon: eps }
        .build(&null, &mut rng::stream(8, "att0", &[]), 0)
        .unwrap();
    let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
    let stat = dist
        .statistic(oracle.as_ref(), &mut rng::stream(10, "att0", &[]))
        .unwrap();
    assert_eq!(stat.value, 0.0);
}

#[test]
fn gaussian_score_oracle_has_advantage_zero() {
    // −x gives ‖−z + z‖² = 0 under both laws: Δ̂ = 0 always, advantage exactly 0.
    let dist = PancakeDistinguisher::new(4, 2.0, 0.1).unwrap();
    let est = estimate_advantage(&dist, &OracleSpec::GaussianScore, 20, 12, "gauss").unwrap();
    assert_eq!(est.advantage, 0.0);
    assert_eq!(est.p_pancakes, 0.0);
    assert_eq!(est.p_gaussian, 0.0);
    assert_eq!(est.std_err, 0.0);
    assert!(est.statistics_pancakes.iter().all(|&v| v == 0.0));
    assert!(est.statistics_gaussian.iter().all(|&v| v == 0.0));
    assert_eq!(est.oracle_queries, 2 * 20 * 4 * 256);
}

#[test]
fn exact_oracle_has_advantage_one_where_tv_exceeds_half() {
    // TV(P_u, N(0, I)) at (2, 0.1): 0.6423 (independent NumPy Riemann sum, this helper's check).
    let tv = PancakeProfile::new(2.0, 0.1)
        .unwrap()
        .tv_to_standard_gaussian();
    assert_relative_eq!(tv, 0.6423, max_relative = 1e-3);
    assert!(tv > 0.5);
    // Under N(0, I) Δ̂ = 0 exactly, so P[pancakes | N] = 0. Under P_u the first per-time mean
    // averages 256 i.i.d. g² ∈ [0, G²], G = max|g_{0.05}| ≈ 2.95 (NumPy grid): by Hoeffding,
    // P(mean ≤ τ/2) ≤ exp(−2·256·(τ/2)²/G⁴) ≈ exp(−28) per trial with τ ≈ 4.09, so
    // P[pancakes | P_u] = 1 over 30 trials fails with probability < 1e−11.
    for d in [2usize, 8, 32] {
        let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
        let est = estimate_advantage(&dist, &OracleSpec::Exact, 30, 13, "exact").unwrap();
        assert_eq!(est.p_gaussian, 0.0);
        assert_eq!(est.p_pancakes, 1.0, "d = {d}");
        assert_eq!(est.advantage, 1.0);
        assert_eq!(est.truncated, 0);
    }
}

#[test]
fn advantage_estimates_are_functions_of_the_seed_and_label() {
    let dist = PancakeDistinguisher::new(3, 2.0, 0.1).unwrap();
    let spec = OracleSpec::ConstantError { epsilon: 1.2 };
    let a = estimate_advantage(&dist, &spec, 5, 21, "det").unwrap();
    let b = estimate_advantage(&dist, &spec, 5, 21, "det").unwrap();
    assert_eq!(a, b);
    let c = estimate_advantage(&dist, &spec, 5, 21, "other").unwrap();
    assert_ne!(a.statistics_pancakes, c.statistics_pancakes);
    assert!(estimate_advantage(&dist, &spec, 0, 21, "det").is_err());
}

#[test]
fn invalid_inputs_are_typed_errors() {
    assert!(PancakeDistinguisher::new(0, 2.0, 0.1).is_err());
    assert!(PancakeDistinguisher::new(3, -2.0, 0.1).is_err());
    assert!(PancakeDistinguisher::with_grid(3, 2.0, 0.1, 0.0, 4, 10).is_err());
    assert!(PancakeDistinguisher::with_grid(3, 2.0, 0.1, 0.05, 0, 10).is_err());
    assert!(PancakeDistinguisher::with_grid(3, 2.0, 0.1, 0.05, 4, 0).is_err());
    let dist = PancakeDistinguisher::new(3, 2.0, 0.1).unwrap();
    let wrong = StandardGaussian::new(4).unwrap();
    assert!(dist
        .statistic(&wrong, &mut rng::stream(0, "x", &[]))
        .is_err());
    assert!(OffsetScore::new(StandardGaussian::new(3).unwrap(), ndarray::arr1(&[1.0])).is_err());
    assert!(OffsetScore::new(
        StandardGaussian::new(1).unwrap(),
        ndarray::arr1(&[f64::NAN])
    )
    .is_err());
    let null = UnknownLaw::Gaussian(StandardGaussian::new(3).unwrap());
    assert!(OracleSpec::ConstantError { epsilon: -1.0 }
        .build(&null, &mut rng::stream(0, "x", &[]), 0)
        .is_err());
    assert!(SphereNet::new(0, 3).is_err());
    assert!(SphereNet::new(3, 0).is_err());
    assert!(SphereNet::new(40, 10).is_err());
    assert!(SphereNet::with_covering(3, 0.0).is_err());
    assert!(PancakeContrast::new(2.0, 0.0).is_err());
    let x = Array2::<f64>::zeros((5, 2));
    let net = SphereNet::new(3, 2).unwrap();
    let c = PancakeContrast::new(2.0, 0.1).unwrap();
    assert!(projection_pursuit(x.view(), &net, &c).is_err());
}

#[test]
fn sphere_net_has_the_stated_size_and_covering_radius() {
    for (d, m) in [(1usize, 3usize), (2, 1), (2, 4), (3, 6), (4, 3), (5, 2)] {
        let net = SphereNet::new(d, m).unwrap();
        let expected = ((m + 1).pow(d as u32) - (m - 1).pow(d as u32)) / 2;
        assert_eq!(net.len(), expected, "d = {d}, m = {m}");
        assert_eq!(SphereNet::size(d, m), Some(expected as u64));
        let pts = net.points();
        for r in pts.rows() {
            assert_relative_eq!(r.dot(&r), 1.0, max_relative = 1e-14);
        }
        // No two points are equal up to sign (brute force).
        for i in 0..net.len() {
            for j in 0..i {
                let c = pts.row(i).dot(&pts.row(j));
                assert!(
                    c.abs() < 1.0 - 1e-12,
                    "points {i} and {j} coincide up to sign"
                );
            }
        }
    }
    // Covering bound 1 − ⟨x, ĝ⟩² ≤ (d−1)/m² at 3000 random unit probes (a proved bound:
    // any violation is a bug, not chance).
    for (d, m) in [(2usize, 4usize), (3, 6), (4, 3), (4, 7)] {
        let net = SphereNet::new(d, m).unwrap();
        let bound = (d - 1) as f64 / (m * m) as f64;
        assert_relative_eq!(
            net.sine_covering_radius().powi(2),
            bound,
            max_relative = 1e-14
        );
        let mut r = rng::stream(14, "probe", &[d as u64, m as u64]);
        let mut worst: f64 = 0.0;
        for _ in 0..3000 {
            let x = random_unit_vector(d, &mut r).unwrap();
            let best = net
                .points()
                .rows()
                .into_iter()
                .map(|g| 1.0 - g.dot(&x).powi(2))
                .fold(f64::INFINITY, f64::min);
            worst = worst.max(best);
        }
        assert!(
            worst <= bound + 1e-12,
            "d = {d}, m = {m}: {worst} > {bound}"
        );
    }
    // m = ⌈√(d−1)/η⌉, with exact quotients not rounded up.
    assert_eq!(SphereNet::resolution_for(2, 0.25), 4);
    assert_eq!(SphereNet::resolution_for(5, 0.25), 8);
    assert_eq!(SphereNet::resolution_for(3, 0.25), 6);
    assert_eq!(SphereNet::resolution_for(1, 0.25), 1);
}

#[test]
fn contrast_means_match_their_closed_forms() {
    // Along u: E cos(ωz) = e^{−πγ²σ²}; under N(0, 1): e^{−ω²/2}. Monte Carlo with 4.5
    // standard errors (sample SD): false-failure rate ≈ 7e−6 each.
    let (gamma, sigma): (f64, f64) = (2.0, 0.3);
    let c = PancakeContrast::new(gamma, sigma).unwrap();
    assert_relative_eq!(
        c.frequency(),
        (2.0 * std::f64::consts::PI).sqrt() * gamma * (1.0 + sigma * sigma).sqrt(),
        max_relative = 1e-15
    );
    let law = pancakes(3, gamma, sigma, 15);
    let n = 50_000;
    let x = law.sample_batch(&mut rng::stream(15, "contrast", &[]), n);
    let z = x.dot(&law.secret());
    let g = StandardGaussian::new(1)
        .unwrap()
        .sample_batch(&mut rng::stream(16, "contrast", &[]), n);
    for (values, expected) in [
        (z.to_vec(), c.mean_along_secret()),
        (g.column(0).to_vec(), c.mean_under_gaussian()),
    ] {
        let t: Vec<f64> = values.iter().map(|v| (c.frequency() * v).cos()).collect();
        let mean = t.iter().sum::<f64>() / n as f64;
        let var = t.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (var / n as f64).sqrt();
        assert!(
            (mean - expected).abs() < 4.5 * se,
            "{mean} vs {expected} (SE {se})"
        );
    }
    assert_relative_eq!(
        c.mean_along_secret(),
        (-std::f64::consts::PI * 0.36).exp(),
        max_relative = 1e-14
    );
}

#[test]
fn projection_pursuit_finds_the_secret_and_not_the_null() {
    // d = 3, (2, 0.1), η = 0.25 (m = 6, 109 points), n = 1500. The best net point has
    // sin² ≤ 2/36 and mean contrast ≥ 0.4 (e^{−ω² sin²/2}·E_A cos(ωcz), ≈ 0.42); any
    // direction with sin² > 0.2 has mean ≤ e^{−ω²·0.2/2} ≈ 0.079 (ω² ≈ 25.4). By Hoeffding
    // (|T| ≤ 1) each empirical mean is within 0.16 of its expectation except with probability
    // exp(−1500·0.16²/2) ≈ 4e−9, so over 110 means the assertion below fails w.p. < 1e−6.
    // Under N(0, I) every mean is ≈ 3e−6 and the maximum exceeds the level (≈ 0.218) w.p.
    // ≤ 109·exp(−1500·0.218²/2) < 1e−14.
    let d = 3;
    let net = SphereNet::with_covering(d, 0.25).unwrap();
    assert_eq!(net.resolution(), 6);
    assert_eq!(net.len(), 109);
    let c = PancakeContrast::new(2.0, 0.1).unwrap();
    let level = c.pursuit_level(net.sine_covering_radius());
    for trial in 0..3u64 {
        let mut r = rng::stream(17, "pursuit", &[trial]);
        let law = UnknownLaw::draw(Hypothesis::Pancakes, d, 2.0, 0.1, &mut r).unwrap();
        let UnknownLaw::Pancakes(p) = &law else {
            unreachable!()
        };
        let x = p.sample_batch(&mut r, 1500);
        let res = projection_pursuit(x.view(), &net, &c).unwrap();
        assert_eq!(res.evaluations, 109 * 1500);
        let cos: f64 = res
            .direction
            .iter()
            .zip(p.secret())
            .map(|(a, b)| a * b)
            .sum();
        assert!(
            1.0 - cos * cos <= 0.2,
            "trial {trial}: sin² = {}",
            1.0 - cos * cos
        );
        assert!(res.contrast > level);
        let g = StandardGaussian::new(d).unwrap().sample_batch(&mut r, 1500);
        let null = projection_pursuit(g.view(), &net, &c).unwrap();
        assert!(
            null.contrast < level,
            "null contrast {} ≥ level {level}",
            null.contrast
        );
    }
}

/// φ(z), the standard normal density.
fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// ∫ f over [−13, 13] by adaptive Gauss–Kronrod, split at the half-spacings of the profile's
/// centres (an integrator independent of the trapezoid rule of `CancellationProfile`).
fn profile_integral(profile: &PancakeProfile, f: &dyn Fn(f64) -> f64) -> f64 {
    let step = 0.5 * profile.spacing();
    let breaks: Vec<f64> = (-60..=60).map(|k| k as f64 * step).collect();
    integrate_with_breaks(&f, -13.0, 13.0, &breaks, 1e-13)
}

#[test]
fn worst_case_cancellation_integrals_match_adaptive_quadrature() {
    // At (γ, σ) = (2, 0.1), t = 0.05 (E4's first grid time): the cancellation solved for a
    // given ε has L2 error E_{A_t}[c²g²] = ε² and statistic E_φ[(1 − c)²g²], recomputed here
    // by adaptive quadrature from the pointwise c(z) = φ/(φ + μA_t).
    let at_t = PancakeProfile::new(2.0, 0.1)
        .unwrap()
        .at_time(0.05)
        .unwrap();
    let f_t = at_t.mean_squared_excess_score_under_profile();
    let tau = at_t.mean_squared_excess_score_under_gaussian();
    for eps in [0.1, 0.5319, 1.0, 1.5] {
        let c = CancellationProfile::for_error(&at_t, eps).unwrap();
        assert!(c.log_multiplier().is_finite());
        assert_relative_eq!(c.l2_error(), eps * eps, max_relative = 1e-9);
        let err = profile_integral(&at_t, &|z| {
            let cz = c.fraction(&at_t, z);
            at_t.density(z) * cz * cz * at_t.excess_score(z).powi(2)
        });
        let stat = profile_integral(&at_t, &|z| {
            let kz = 1.0 - c.fraction(&at_t, z);
            phi(z) * kz * kz * at_t.excess_score(z).powi(2)
        });
        assert_relative_eq!(err, eps * eps, max_relative = 1e-7);
        assert_relative_eq!(c.statistic(), stat, max_relative = 1e-7);
        // The Lagrange cancellation beats the constant one (the attenuated oracle, c ≡ λ =
        // ε/√F_t) at the same error: its statistic is below (1 − λ)²τ.
        let lambda = eps / f_t.sqrt();
        assert!(stat < (1.0 - lambda).powi(2) * tau, "ε = {eps}");
        // And any other cancellation of the same error does worse: c scaled towards a
        // constant, or concentrated further between the pancakes (c^½ and c² renormalised).
        for shape in [0.5, 2.0] {
            let raw = |z: f64| c.fraction(&at_t, z).powf(shape);
            let raw_err = profile_integral(&at_t, &|z| {
                at_t.density(z) * raw(z).powi(2) * at_t.excess_score(z).powi(2)
            });
            let scale = eps / raw_err.sqrt();
            let other = profile_integral(&at_t, &|z| {
                let kz = 1.0 - (scale * raw(z)).min(1.0);
                phi(z) * kz * kz * at_t.excess_score(z).powi(2)
            });
            assert!(other > stat, "ε = {eps}, shape {shape}: {other} ≤ {stat}");
        }
    }
    // The ends: ε = 0 is the exact oracle (statistic τ), ε² ≥ F_t the −x oracle (error F_t,
    // statistic 0).
    let exact = CancellationProfile::for_error(&at_t, 0.0).unwrap();
    assert_eq!(exact.l2_error(), 0.0);
    assert_relative_eq!(exact.statistic(), tau, max_relative = 1e-9);
    let blind = CancellationProfile::for_error(&at_t, 2.0).unwrap();
    assert_relative_eq!(blind.l2_error(), f_t, max_relative = 1e-9);
    assert_eq!(blind.statistic(), 0.0);
    assert!(CancellationProfile::for_error(&at_t, -1.0).is_err());
    assert!(CancellationProfile::for_error(&at_t, f64::NAN).is_err());
    assert!(CancellationProfile::with_log_multiplier(&at_t, f64::NAN).is_err());
}

#[test]
fn worst_case_breakpoint_matches_an_independent_computation() {
    // Reference: a pure-Python computation from the direct mixture of docs/math.md §2 (trapezoid
    // rule, step 0.002 on [−9, 9], nested bisections; this helper's check) gives
    // ε_worst = 0.531936 for (γ, σ) = (2, 0.1) on E4's grid t ∈ {0.05, …, 0.2}, attained at
    // t₁ (the later times carry < 0.4 of signal), i.e. ε² ≈ 0.0692τ, against the attenuated
    // oracle's (1 − 1/√2)√F_{t₁} = 0.548938 and the constant error's √(τ/2) = 1.429874.
    let dist = PancakeDistinguisher::new(8, 2.0, 0.1).unwrap();
    let worst = dist.worst_case_breakpoint().unwrap();
    assert_relative_eq!(worst, 0.531936, max_relative = 2e-5);
    let attenuated = (1.0 - 0.5f64.sqrt()) * dist.signal_under_pancakes().unwrap().sqrt();
    assert_relative_eq!(attenuated, 0.548938, max_relative = 2e-5);
    assert_relative_eq!(dist.decision_level().sqrt(), 1.429874, max_relative = 2e-5);
    assert!(worst < attenuated && attenuated < dist.decision_level().sqrt());
    // At ε_worst the statistic at t₁ is the decision level.
    let at_t1 = PancakeProfile::new(2.0, 0.1)
        .unwrap()
        .at_time(0.05)
        .unwrap();
    let c = CancellationProfile::for_error(&at_t1, worst).unwrap();
    assert_relative_eq!(c.statistic(), dist.decision_level(), max_relative = 1e-8);
    // It does not depend on d (the statistic is a 1-D integral).
    let other = PancakeDistinguisher::new(3, 2.0, 0.1).unwrap();
    assert_eq!(other.worst_case_breakpoint().unwrap(), worst);
}

#[test]
fn worst_case_oracle_l2_error_by_monte_carlo() {
    // The oracle's squared error under x ~ p_t, by Monte Carlo against the exact score, has
    // mean ε² (4.5 standard errors, sample SD: false-failure rate ≈ 7e−6); under N(0, I) the
    // oracle is exact.
    let (d, t, eps) = (4, 0.05, 0.5319);
    let p_law = pancakes(d, 2.0, 0.1, 18);
    let law = UnknownLaw::Pancakes(Box::new(p_law.clone()));
    let oracle = OracleSpec::WorstCase { epsilon: eps }
        .build(&law, &mut rng::stream(18, "wc", &[]), 0)
        .unwrap();
    let n = 40_000;
    let x = p_law
        .at_time(t)
        .unwrap()
        .sample_batch(&mut rng::stream(19, "wc-x", &[]), n);
    let (mut a, mut b) = (Array2::zeros((n, d)), Array2::zeros((n, d)));
    oracle.score(t, x.view(), a.view_mut()).unwrap();
    p_law.score(t, x.view(), b.view_mut()).unwrap();
    let errs: Vec<f64> = a
        .rows()
        .into_iter()
        .zip(b.rows())
        .map(|(ra, rb)| {
            let e = &ra - &rb;
            e.dot(&e)
        })
        .collect();
    let mean = errs.iter().sum::<f64>() / n as f64;
    let var = errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    assert!(
        (mean - eps * eps).abs() < 4.5 * se,
        "L2 error {mean} vs ε² = {} (SE {se})",
        eps * eps
    );
    // The error lies along u only.
    let u = p_law.secret();
    for (ra, rb) in a.rows().into_iter().zip(b.rows()).take(100) {
        let e = &ra - &rb;
        let along = e.dot(&u);
        assert_relative_eq!(
            e.dot(&e),
            along * along,
            max_relative = 1e-9,
            epsilon = 1e-14
        );
    }
    let null = UnknownLaw::Gaussian(StandardGaussian::new(d).unwrap());
    let oracle = OracleSpec::WorstCase { epsilon: eps }
        .build(&null, &mut rng::stream(18, "wc0", &[]), 0)
        .unwrap();
    let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
    let stat = dist
        .statistic(oracle.as_ref(), &mut rng::stream(20, "wc0", &[]))
        .unwrap();
    assert_eq!(stat.value, 0.0);
    assert!(OracleSpec::WorstCase { epsilon: -0.1 }
        .build(&null, &mut rng::stream(0, "x", &[]), 0)
        .is_err());
}

#[test]
fn worst_case_oracle_defeats_the_test_far_below_sqrt_tau_half() {
    // At ε = 1.2·ε_worst ≈ 0.64 (ε² ≈ 0.41, a fifth of τ/2 ≈ 2.04) the worst-case oracle makes
    // the test say "Gaussian" under pancakes too, while the constant-error oracle of the same
    // L2 error keeps advantage 1. The population statistic at t₁ is S = E_φ[(1 − c)²g²]
    // (below τ/2 by the margin printed), each trial's per-time mean averages ℓ = 256 i.i.d.
    // terms of variance V = E_φ[(1 − c)⁴g⁴] − S² (quadrature), and the later times carry
    // (almost) no signal; the assertion allows at most 3 of 30 trials to say "pancakes", whose
    // probability is < 1e−6 when the per-trial probability is ≤ 0.01 — the margin below is
    // checked to be ≥ 4 standard errors (per-trial probability ≈ 3e−5 by the normal
    // approximation).
    let d = 8;
    let dist = PancakeDistinguisher::new(d, 2.0, 0.1).unwrap();
    let eps = 1.2 * dist.worst_case_breakpoint().unwrap();
    let at_t1 = PancakeProfile::new(2.0, 0.1)
        .unwrap()
        .at_time(0.05)
        .unwrap();
    let c = CancellationProfile::for_error(&at_t1, eps).unwrap();
    let s = c.statistic();
    let m4 = profile_integral(&at_t1, &|z| {
        let k = 1.0 - c.fraction(&at_t1, z);
        phi(z) * (k * at_t1.excess_score(z)).powi(4)
    });
    let se = ((m4 - s * s) / 256.0).sqrt();
    let margin = (dist.decision_level() - s) / se;
    eprintln!(
        "ε = {eps}: S = {s}, τ/2 = {}, SE {se}, margin {margin} SE",
        dist.decision_level()
    );
    assert!(margin >= 4.0, "margin {margin} SE");
    let worst =
        estimate_advantage(&dist, &OracleSpec::WorstCase { epsilon: eps }, 30, 22, "wc").unwrap();
    assert_eq!(worst.p_gaussian, 0.0);
    assert!(worst.p_pancakes <= 0.1, "{worst:?}");
    let constant = estimate_advantage(
        &dist,
        &OracleSpec::ConstantError { epsilon: eps },
        30,
        22,
        "ce",
    )
    .unwrap();
    assert_eq!(constant.advantage, 1.0);
}
