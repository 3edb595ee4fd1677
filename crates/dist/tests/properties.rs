//! Property tests (proptest) over random parameters, points and OU times:
//!
//! - the direct and Poisson-dual forms of one lattice sum agree (docs/math.md §1: both are exact;
//!   where both are well conditioned they agree to ≤ 1e−14 relative — asserted at 1e−12 on
//!   log S and its derivatives);
//! - every analytic score equals the central finite difference of its own log-density, and
//!   both are finite, at random points (|z| up to 40 along the pancakes' secret) and OU times
//!   t ∈ [1e−8, 50] (docs/math.md §2 "Tests evaluate z far into the tails … and require finite
//!   values there"; STYLE.md: every analytic score gets a finite-difference test);
//! - discrete-Gaussian pmfs sum to 1 (docs/math.md §1).
//!
//! Finite-difference tolerance: with step h the central difference of f errs by h²|f‴|/6
//! (truncation), plus ~ε|f|/h from rounding f itself, plus ~ε|x|·|f′|/h because x ± h is
//! only represented to ε|x| (the argument's own conditioning, which dominates far in the
//! tails). Steps are chosen per law below so that the truncation stays below 1e−5·(1 + |f′|);
//! the asserted tolerance is 1e−5·(1 + |f′|) + 1e−12·|f|/h + 4ε|x|·|f′|/h.

use hardiff_dist::lattice::{LatticeSum, LatticeSumForm};
use hardiff_dist::ou_time;
use hardiff_dist::prelude::*;
use hardiff_dist::BruteForceOwfScore;
use hardiff_owf::Candidate;
use proptest::prelude::*;

/// OU times log-uniform on [1e−8, 50].
fn ou_times() -> impl Strategy<Value = f64> {
    ((1e-8f64).ln()..50f64.ln()).prop_map(f64::exp)
}

/// Checks `law`'s score at (t, x) (one point) against central differences of its
/// log-density with step `h`, and that everything is finite.
fn check_score_against_log_density<L: Score + LogDensity>(
    law: &L,
    t: f64,
    x: Array1<f64>,
    h: f64,
) -> Result<(), TestCaseError> {
    let d = law.dim();
    let point = x.view().insert_axis(ndarray::Axis(0));
    let score = law.score_owned(t, point).map_err(fail)?;
    let log_p = law.log_density_owned(t, point).map_err(fail)?[0];
    prop_assert!(log_p.is_finite(), "log p = {log_p} at t = {t}, x = {x}");
    for k in 0..d {
        let s = score[[0, k]];
        prop_assert!(s.is_finite(), "score[{k}] = {s} at t = {t}, x = {x}");
        let mut plus = x.clone();
        plus[k] += h;
        let mut minus = x.clone();
        minus[k] -= h;
        let both = ndarray::stack(ndarray::Axis(0), &[plus.view(), minus.view()]).unwrap();
        let lp = law.log_density_owned(t, both.view()).map_err(fail)?;
        let fd = (lp[0] - lp[1]) / (2.0 * h);
        let tol = 1e-5 * (1.0 + s.abs())
            + 1e-12 * log_p.abs() / h
            + 4.0 * f64::EPSILON * x[k].abs() * s.abs() / h;
        prop_assert!(
            (fd - s).abs() <= tol,
            "coordinate {k}: score {s} vs finite difference {fd} (tol {tol}) at t = {t}, x = {x}"
        );
    }
    Ok(())
}

fn fail(e: hardiff_dist::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// A random point of dimension `d` with coordinates in [−`r`, `r`].
fn point(d: usize, r: f64) -> impl Strategy<Value = Array1<f64>> {
    proptest::collection::vec(-r..r, d).prop_map(Array1::from)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn direct_and_dual_lattice_sums_agree(
        offset in -10.0f64..10.0,
        log_spacing in (0.01f64).ln()..100f64.ln(),
        rel_width in 0.2f64..5.0,
        position in -50.0f64..50.0,
    ) {
        // s = √v/h ∈ [0.2, 5]: Θ ≥ 0.4 (the dual form does not cancel) and the direct form
        // needs ≤ ~50 terms, so both forms are well conditioned (lattice module docs).
        let spacing = log_spacing.exp();
        let variance = (rel_width * spacing).powi(2);
        let sum = LatticeSum::new(offset, spacing, variance).unwrap();
        let x = offset + position * spacing;
        let direct = sum.eval_with(x, LatticeSumForm::Direct);
        let dual = sum.eval_with(x, LatticeSumForm::Dual);
        prop_assert!((direct.log_sum - dual.log_sum).abs() <= 1e-12 * (1.0 + direct.log_sum.abs()));
        // d/dx log S ~ 1/h, d² ~ 1/h²: compare in units of the spacing.
        prop_assert!((direct.d_log_sum - dual.d_log_sum).abs() * spacing <= 1e-11);
        prop_assert!((direct.d2_log_sum - dual.d2_log_sum).abs() * spacing * spacing <= 1e-10);
    }

    #[test]
    fn discrete_gaussian_pmf_sums_to_one(
        offset in -5.0f64..5.0,
        log_spacing in (0.01f64).ln()..10f64.ln(),
        log_rel_width in (1e-4f64).ln()..(300f64).ln(),
    ) {
        let spacing = log_spacing.exp();
        let std = log_rel_width.exp() * spacing;
        let dg = DiscreteGaussian::new(offset, spacing, std).unwrap();
        // Every point within 40 std of 0, and 2 more on each side (beyond: < e^{−800}).
        let lo = ((-40.0 * std - offset) / spacing).floor() as i64 - 2;
        let hi = ((40.0 * std - offset) / spacing).ceil() as i64 + 2;
        let total: f64 = (lo..=hi).map(|k| dg.pmf_index(k)).sum();
        prop_assert!((total - 1.0).abs() < 1e-12, "Σ pmf = {total}");
    }

    #[test]
    fn pancake_score_matches_its_log_density(
        dim in 1usize..5,
        gamma in 0.5f64..8.0,
        sigma in 0.01f64..2.0,
        seed in any::<u64>(),
        t in ou_times(),
        z in -40.0f64..40.0,
        x in point(4, 3.0),
    ) {
        let law = GaussianPancakes::with_random_secret(dim, gamma, sigma, seed).unwrap();
        let u = law.secret().to_owned();
        let mut x = x.slice(ndarray::s![..dim]).to_owned();
        let along = x.dot(&u);
        x.scaled_add(z - along, &u);
        let width = law.profile().at_time(t).unwrap().width();
        check_score_against_log_density(&law, t, x, 1e-4 * width.min(1.0))?;
    }

    #[test]
    fn gaussian_score_matches_its_log_density(
        dim in 1usize..5,
        entries in proptest::collection::vec(-1.0f64..1.0, 16),
        mean in point(4, 5.0),
        t in ou_times(),
        x in point(4, 40.0),
    ) {
        let a = Array2::from_shape_fn((dim, dim), |(i, j)| entries[4 * i + j]);
        let cov = a.dot(&a.t()) + Array2::<f64>::eye(dim) * 0.1;
        let law = Gaussian::new(mean.slice(ndarray::s![..dim]).to_owned(), cov).unwrap();
        check_score_against_log_density(&law, t, x.slice(ndarray::s![..dim]).to_owned(), 1e-4)?;
    }

    #[test]
    fn gaussian_mixture_score_matches_its_log_density(
        dim in 1usize..4,
        means in proptest::collection::vec(-4.0f64..4.0, 9),
        variances in proptest::collection::vec(0.05f64..3.0, 3),
        weights in proptest::collection::vec(0.05f64..1.0, 3),
        t in ou_times(),
        x in point(3, 40.0),
    ) {
        let components: Vec<Gaussian> = (0..3)
            .map(|c| {
                let mu = Array1::from_iter((0..dim).map(|i| means[3 * c + i]));
                Gaussian::isotropic(mu, variances[c]).unwrap()
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let law = GaussianMixture::new(weights.iter().map(|w| w / total).collect(), components)
            .unwrap();
        // Far from the components the responsibilities switch over a length ~ var/|Δμ|
        // ≥ 0.05/8: a step of 1e−5 resolves it.
        check_score_against_log_density(&law, t, x.slice(ndarray::s![..dim]).to_owned(), 1e-5)?;
    }

    #[test]
    fn standard_gaussian_score_matches_its_log_density(
        dim in 1usize..6,
        t in ou_times(),
        x in point(5, 40.0),
    ) {
        let law = StandardGaussian::new(dim).unwrap();
        check_score_against_log_density(&law, t, x.slice(ndarray::s![..dim]).to_owned(), 1e-4)?;
    }

    #[test]
    fn smoothed_discrete_gaussian_score_matches_its_log_density(
        offset in -1.0f64..1.0,
        log_spacing in (0.05f64).ln()..5f64.ln(),
        log_std in (0.05f64).ln()..20f64.ln(),
        log_smoothing in (1e-3f64).ln()..10f64.ln(),
        position in -40.0f64..40.0,
    ) {
        let (spacing, std, w) = (log_spacing.exp(), log_std.exp(), log_smoothing.exp());
        let law = SmoothedDiscreteGaussian::new(offset, spacing, std, w).unwrap();
        // |x| up to 40 envelope stds.
        let x = position * (std * std + w * w).sqrt();
        let v = law.eval(x);
        prop_assert!(v.log_density.is_finite() && v.score.is_finite(), "{v:?} at x = {x}");
        prop_assert!(v.excess_score.is_finite() && v.score_derivative.is_finite(), "{v:?}");
        // The posterior over lattice points switches over a length ~ w²/spacing: resolve it.
        let h = 1e-4 * w * (w / spacing).min(1.0);
        let fd = (law.log_density(x + h) - law.log_density(x - h)) / (2.0 * h);
        let cond = 4.0 * f64::EPSILON * x.abs() / h;
        let tol = 1e-5 * (1.0 + v.score.abs())
            + 1e-12 * v.log_density.abs() / h
            + cond * v.score.abs();
        prop_assert!((fd - v.score).abs() <= tol, "score {} vs fd {fd} at x = {x}", v.score);
        // The score's own derivative, by differences of the score.
        let fd2 = (law.score(x + h) - law.score(x - h)) / (2.0 * h);
        let tol2 = 1e-5 * (1.0 + v.score_derivative.abs())
            + 1e-12 * v.score.abs() / h
            + cond * v.score_derivative.abs();
        prop_assert!(
            (fd2 - v.score_derivative).abs() <= tol2,
            "score derivative {} vs fd {fd2} at x = {x}",
            v.score_derivative
        );
    }
}

proptest! {
    // Brute force over 2^n seeds and a fresh f per case: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn owf_brute_force_score_matches_its_log_density(
        blake3 in any::<bool>(),
        n in 1usize..4,
        m in 1usize..4,
        seed in 0u64..1000,
        t in ou_times(),
        x in point(6, 3.0),
    ) {
        let kind = if blake3 { Candidate::Blake3 } else { Candidate::Identity };
        let m = if blake3 { m } else { n };
        let law = OwfDistribution::with_default_params(kind.build_arc(n, m, seed).unwrap())
            .unwrap();
        let score = law.brute_force_score().unwrap();
        // A point near the support at time t (scaled by α_t), perturbed at the noise scale.
        let x = x.slice(ndarray::s![..n + m]).mapv(|v| ou_time::alpha(t) * v);
        // g̃ is a lattice law smoothed by √v_t: the step resolves that width.
        let h = 1e-4 * ou_time::noise_std(t);
        struct Both<'a>(&'a OwfDistribution, &'a BruteForceOwfScore);
        impl Dimension for Both<'_> {
            fn dim(&self) -> usize {
                Dimension::dim(self.0)
            }
        }
        impl Score for Both<'_> {
            fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
                self.1.score(t, x, out)
            }
        }
        impl LogDensity for Both<'_> {
            fn log_density(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut1<f64>) -> Result<()> {
                self.0.log_density(t, x, out)
            }
        }
        check_score_against_log_density(&Both(&law, &score), t, x, h)?;
    }
}
