//! Gaussian pancakes (docs/math.md §2, §3) and the standard Gaussian null.
//!
//! References used below, each independent of the lattice-sum code under test:
//! - `Mixture`: the profile A as an explicit weighted sum of Gaussians (docs/math.md §2 direct
//!   form written out term by term in this file, weights normalised by explicit summation);
//! - quadrature (`numerics::integrate_with_breaks`) for normalisation, TV, E[g²] and the OU
//!   convolution A_t = A_0 * kernel (which does not use the σ_t formula);
//! - finite differences for scores and Jacobians; KS tests with fixed seeds for samplers
//!   (p > 1e-3: false-failure rate 1e-3 per assertion).

use hardiff_dist::lattice::LatticeSumForm;
use hardiff_dist::numerics::integrate_with_breaks;
use hardiff_dist::ou_time::advance_ve_sigma;
use hardiff_dist::rng::stream;
use hardiff_dist::stats::{ks_one_sample, ks_two_sample, normal_cdf};
use hardiff_dist::{
    Error, GaussianPancakes, LogDensity, PancakeProfile, SampleBatch, Score, ScoreVjp,
    StandardGaussian,
};
use ndarray::{array, Array1, Array2, Axis};
use rand::distr::Distribution;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// A = Σ_k w_k φ_{τ²}(z − c_k) written out (docs/math.md §2 direct form), independent of the crate.
struct Mixture {
    weights: Vec<f64>,
    centres: Vec<f64>,
    tau: f64,
}

impl Mixture {
    fn new(gamma: f64, sigma: f64) -> Self {
        let a = (1.0 + sigma * sigma).sqrt();
        let h0 = (2.0 * PI).sqrt() / gamma;
        let kmax = (40.0 / h0).ceil() as i64;
        let raw: Vec<f64> = (-kmax..=kmax)
            .map(|k| (-0.5 * (h0 * k as f64).powi(2)).exp())
            .collect();
        let total: f64 = raw.iter().sum();
        Self {
            weights: raw.iter().map(|w| w / total).collect(),
            centres: (-kmax..=kmax).map(|k| h0 * k as f64 / a).collect(),
            tau: sigma / a,
        }
    }
    fn at_time(gamma: f64, sigma: f64, t: f64) -> Self {
        Self::new(
            gamma,
            ((2.0 * t).exp() * (1.0 + sigma * sigma) - 1.0).sqrt(),
        )
    }
    fn density(&self, z: f64) -> f64 {
        self.weights
            .iter()
            .zip(&self.centres)
            .map(|(w, c)| w * phi((z - c) / self.tau) / self.tau)
            .sum()
    }
    /// (log A)′(z).
    fn score(&self, z: f64) -> f64 {
        let (mut p, mut dp) = (0.0, 0.0);
        for (w, c) in self.weights.iter().zip(&self.centres) {
            let d = w * phi((z - c) / self.tau) / self.tau;
            p += d;
            dp += -d * (z - c) / (self.tau * self.tau);
        }
        dp / p
    }
    fn cdf(&self, z: f64) -> f64 {
        self.weights
            .iter()
            .zip(&self.centres)
            .map(|(w, c)| w * normal_cdf((z - c) / self.tau))
            .sum()
    }
    fn breaks(&self, range: f64) -> Vec<f64> {
        self.centres
            .iter()
            .copied()
            .filter(|c| c.abs() < range)
            .collect()
    }
}

/// TV(A, N(0,1)) computed without quadrature of |A − φ|: locate every sign change of A − φ on
/// a grid of step τ/10 over [−12, 12], refine by bisection, and integrate A − φ over the
/// positive regions exactly through the CDFs.
fn tv_by_sign_regions(m: &Mixture) -> f64 {
    let f = |z: f64| m.density(z) - phi(z);
    let (lo, hi) = (-12.0, 12.0);
    let step = m.tau / 10.0;
    let n = ((hi - lo) / step) as usize;
    let mut points = vec![lo];
    let mut prev = (lo, f(lo));
    for i in 1..=n {
        let x = lo + i as f64 * step;
        let fx = f(x);
        if (fx > 0.0) != (prev.1 > 0.0) {
            let (mut a, mut b, fa) = (prev.0, x, prev.1);
            for _ in 0..80 {
                let mid = 0.5 * (a + b);
                if (f(mid) > 0.0) == (fa > 0.0) {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            points.push(0.5 * (a + b));
        }
        prev = (x, fx);
    }
    points.push(hi);
    points
        .windows(2)
        .filter(|w| f(0.5 * (w[0] + w[1])) > 0.0)
        .map(|w| (m.cdf(w[1]) - m.cdf(w[0])) - (normal_cdf(w[1]) - normal_cdf(w[0])))
        .sum()
}

/// E_{N(0,1)}[g²] with g = (log A)′ + z from the explicit mixture, by quadrature.
fn mean_squared_excess_by_mixture(m: &Mixture) -> f64 {
    let f = |z: f64| {
        let g = m.score(z) + z;
        phi(z) * g * g
    };
    integrate_with_breaks(&f, -10.0, 10.0, &m.breaks(10.0), 1e-13)
}

#[test]
fn docs_math_reference_table_is_reproduced() {
    // docs/math.md §2 table: (γ, σ) → spacing h₀/a, τ, b, TV. Closed forms: h₀ = √(2π)/γ,
    // a = √(1+σ²). TV independently by sign regions (tv_by_sign_regions).
    // An independent Python computation (same sign-region method, 121 terms) gave
    // spacing 0.4177504921 / 0.4172501420 / 0.4052977702 / 1.1209982427 and
    // TV 0.868758657 / 0.508306283 / 0.000821509 / 0.051567501.
    // docs/math.md §2's table prints these values to 7 significant digits (an earlier draft had
    // TV(6, 0.05) = 0.508298 and γ = 6 spacings off by 4e-6 – 9e-6; see its corrections appendix).
    let rows: [(f64, f64, f64, f64, f64, f64); 4] = [
        // (γ, σ, spacing, τ and b as docs/math.md prints them, TV)
        (
            6.0,
            0.01,
            0.417_750_492_1,
            0.009_999_5,
            0.0600,
            0.868_758_657,
        ),
        (6.0, 0.05, 0.417_250_142_0, 0.049_938, 0.2996, 0.508_306_283),
        (6.0, 0.25, 0.405_297_770_2, 0.242_536, 1.4552, 0.000_821_509),
        (2.0, 0.5, 1.120_998_243, 0.447_214, 0.8944, 0.051_567_501),
    ];
    let printed_tv = [0.868759, 0.508306, 0.000822, 0.051568];
    let printed_spacing = [0.4177505, 0.4172501, 0.4052978, 1.120998];
    for (i, &(gamma, sigma, spacing, tau, b, tv)) in rows.iter().enumerate() {
        let p = PancakeProfile::new(gamma, sigma).unwrap();
        let a = (1.0 + sigma * sigma).sqrt();
        assert!((p.spacing() - (2.0 * PI).sqrt() / gamma / a).abs() < 1e-15);
        assert!((p.spacing() - spacing).abs() < 1e-9);
        assert!((p.width() - tau).abs() < 5e-7, "tau {}", p.width());
        assert!((p.blur() - b).abs() < 5e-5, "b {}", p.blur());
        let ours = p.tv_to_standard_gaussian();
        let independent = tv_by_sign_regions(&Mixture::new(gamma, sigma));
        assert!((ours - independent).abs() < 1e-8, "{ours} vs {independent}");
        assert!((ours - tv).abs() < 1e-8, "{ours} vs {tv}");
        // Agrees with the printed digits (half a unit of the last digit, plus slack).
        assert!(
            (ours - printed_tv[i]).abs() < 5.1e-7,
            "docs/math.md TV row {i}"
        );
        assert!(
            (p.spacing() - printed_spacing[i]).abs() < 5.1e-7 * printed_spacing[i].max(1.0),
            "docs/math.md spacing row {i}"
        );
    }
}

#[test]
fn docs_math_one_dimensional_score_values() {
    // docs/math.md §2: (log A)′ at t = 0. (2, 0.5): −2.030369 → 2.300332, 2.757291 → −2.630826
    // (reproduced to 1e-6). (6, 0.05): 0.032586 → −13.066986 and 0.927452 → −37.273638, from the
    // explicit mixture and an independent Python check (an earlier draft printed −13.06705 and
    // −37.27382; see the corrections appendix).
    let p = PancakeProfile::new(2.0, 0.5).unwrap();
    assert!((p.score(-2.030369) - 2.300332).abs() < 1e-6);
    assert!((p.score(2.757291) + 2.630826).abs() < 1e-6);
    let p = PancakeProfile::new(6.0, 0.05).unwrap();
    let m = Mixture::new(6.0, 0.05);
    for (z, corrected) in [(0.032586, -13.066986), (0.927452, -37.273638)] {
        assert!((p.score(z) - m.score(z)).abs() < 1e-10 * m.score(z).abs());
        assert!((p.score(z) - corrected).abs() < 1e-6);
    }
    for (gamma, sigma) in [(2.0, 0.5), (6.0, 0.05), (6.0, 0.25), (1.5, 0.02)] {
        let p = PancakeProfile::new(gamma, sigma).unwrap();
        let m = Mixture::new(gamma, sigma);
        for z in [-3.0, -1.1, -0.2, 0.0, 0.4, 1.7, 2.9] {
            let s = m.score(z);
            assert!((p.score(z) - s).abs() <= 1e-10 * (1.0 + s.abs()));
            assert!((p.log_density(z) - m.density(z).ln()).abs() < 1e-11);
        }
    }
}

#[test]
fn docs_math_mean_squared_excess_score_values() {
    // docs/math.md §3: E[g_t²] for (2, 0.5) at t = 0, 0.01, 0.1 → 0.269088, 0.175995, 0.0056477;
    // (6, 0.05) at t = 0.01 → 2.9439, t = 0.1 → ≈ 0. All reproduced; also checked against
    // quadrature of the explicit mixture at σ_t.
    let cases = [
        (2.0, 0.5, 0.0, 0.269088, 5e-7),
        (2.0, 0.5, 0.01, 0.175995, 5e-7),
        (2.0, 0.5, 0.1, 0.0056477, 5e-8),
        (6.0, 0.05, 0.01, 2.9439, 5e-5),
    ];
    for (gamma, sigma, t, value, tol) in cases {
        let pc = GaussianPancakes::with_random_secret(3, gamma, sigma, 1).unwrap();
        let ours = pc.mean_squared_excess_score_under_gaussian(t).unwrap();
        let reference = mean_squared_excess_by_mixture(&Mixture::at_time(gamma, sigma, t));
        assert!(
            (ours - reference).abs() < 1e-9 * reference.max(1e-3),
            "{ours} vs {reference}"
        );
        assert!(
            (ours - value).abs() < tol,
            "({gamma}, {sigma}, {t}): {ours}"
        );
    }
    // (6, 0.05) at t = 0.1: b_t ≈ 2.57, |g| ≲ e^{-πb²}·ω ≈ 1e-8, so E[g²] < 1e-15 ("≈ 0").
    let pc = GaussianPancakes::with_random_secret(3, 6.0, 0.05, 1).unwrap();
    assert!(pc.mean_squared_excess_score_under_gaussian(0.1).unwrap() < 1e-15);
    // Decreasing in t (docs/math.md §3).
    let values: Vec<f64> = [0.0, 0.01, 0.03, 0.1, 0.3]
        .iter()
        .map(|&t| pc.mean_squared_excess_score_under_gaussian(t).unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[1] < w[0]), "{values:?}");
}

#[test]
fn profile_integrates_to_one_at_several_times() {
    for (gamma, sigma) in [(6.0, 0.01), (6.0, 0.05), (2.0, 0.5), (0.8, 0.3)] {
        for t in [0.0, 0.01, 0.2] {
            let p = PancakeProfile::new(gamma, sigma)
                .unwrap()
                .at_time(t)
                .unwrap();
            let m = Mixture::at_time(gamma, sigma, t);
            let f = |z: f64| p.density(z);
            let total = integrate_with_breaks(&f, -13.0, 13.0, &m.breaks(13.0), 1e-13);
            assert!(
                (total - 1.0).abs() < 1e-10,
                "({gamma}, {sigma}, {t}): {total}"
            );
        }
    }
}

#[test]
fn full_density_integrates_to_one_in_two_dimensions() {
    // Nested 2-D quadrature of exp(log p(x)) in the original coordinates (not rotated to u),
    // for Figure 1's secret u = (−1/√2, 1/√2) (docs/math.md §2), with (γ, σ) = (2, 0.5).
    let r = 1.0 / 2f64.sqrt();
    let pc = GaussianPancakes::new(2, 2.0, 0.5, array![-r, r]).unwrap();
    let log_p = |x1: f64, x2: f64| {
        let x = array![[x1, x2]];
        let mut out = Array1::zeros(1);
        pc.log_density(0.0, x.view(), out.view_mut()).unwrap();
        out[0]
    };
    let inner = |x1: f64| {
        let g = |x2: f64| log_p(x1, x2).exp();
        integrate_with_breaks(&g, -9.0, 9.0, &[x1], 1e-10)
    };
    let total = integrate_with_breaks(&inner, -9.0, 9.0, &[0.0], 1e-9);
    assert!((total - 1.0).abs() < 1e-7, "total {total}");
}

fn random_points(d: usize, n: usize, seed: u64, scale: f64) -> Array2<f64> {
    let mut rng = stream(seed, "pancake-test-points", &[]);
    Array2::from_shape_simple_fn((n, d), || {
        let g: f64 = StandardNormal.sample(&mut rng);
        scale * g
    })
}

fn log_density_of(pc: &GaussianPancakes, t: f64, x: &Array1<f64>) -> f64 {
    let mut out = Array1::zeros(1);
    pc.log_density(t, x.view().insert_axis(Axis(0)), out.view_mut())
        .unwrap();
    out[0]
}

#[test]
fn score_is_the_gradient_of_log_density_at_t_zero_and_later() {
    // Central differences (step 1e-6·τ_t) of log p_t in d = 3; tolerance 1e-5 of 1/τ_t², the
    // score's scale.
    for (gamma, sigma) in [(2.0, 0.5), (6.0, 0.05), (6.0, 0.25)] {
        let pc = GaussianPancakes::with_random_secret(3, gamma, sigma, 11).unwrap();
        for t in [0.0, 0.005, 0.05, 0.5] {
            let tau = pc.profile().at_time(t).unwrap().width();
            let x = random_points(3, 6, 3, 1.0);
            let mut s = Array2::zeros((6, 3));
            pc.score(t, x.view(), s.view_mut()).unwrap();
            let h = 1e-6 * tau;
            for b in 0..6 {
                for i in 0..3 {
                    let (mut xp, mut xm) = (x.row(b).to_owned(), x.row(b).to_owned());
                    xp[i] += h;
                    xm[i] -= h;
                    let fd =
                        (log_density_of(&pc, t, &xp) - log_density_of(&pc, t, &xm)) / (2.0 * h);
                    assert!(
                        (s[[b, i]] - fd).abs() < 1e-5 / (tau * tau),
                        "({gamma},{sigma}) t={t}: {} vs {fd}",
                        s[[b, i]]
                    );
                }
            }
        }
    }
}

#[test]
fn score_vjp_is_the_jacobian_of_the_score() {
    let pc = GaussianPancakes::with_random_secret(4, 2.0, 0.5, 2).unwrap();
    let x = random_points(4, 5, 4, 1.0);
    let v = random_points(4, 5, 5, 1.0);
    for t in [0.0, 0.1] {
        let mut jv = Array2::zeros((5, 4));
        pc.score_vjp(t, x.view(), v.view(), jv.view_mut()).unwrap();
        // J v ≈ (s(x + εv) − s(x − εv))/(2ε) (J is symmetric, so Jᵀv = Jv).
        let eps = 1e-6;
        let (mut sp, mut sm) = (Array2::zeros((5, 4)), Array2::zeros((5, 4)));
        pc.score(t, (&x + &(eps * &v)).view(), sp.view_mut())
            .unwrap();
        pc.score(t, (&x - &(eps * &v)).view(), sm.view_mut())
            .unwrap();
        let fd = (sp - sm) / (2.0 * eps);
        for (a, b) in jv.iter().zip(fd.iter()) {
            assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}

/// A_t(z) and A_t′(z) by numerical convolution of the t = 0 profile with the OU kernel:
/// A_t(z) = ∫ A_0(z₀) φ_{v_t}(z − e^{−t}z₀) dz₀ (docs/math.md §0) — this does not use σ_t.
fn convolved(p0: &PancakeProfile, m0: &Mixture, t: f64, z: f64) -> (f64, f64) {
    let alpha = (-t).exp();
    let v = -(-2.0 * t).exp_m1();
    let kernel = |z0: f64| {
        let d = z - alpha * z0;
        ((-0.5 * d * d / v).exp() / (2.0 * PI * v).sqrt(), -d / v)
    };
    let mut breaks = m0.breaks(13.0);
    breaks.push(z / alpha);
    breaks.sort_by(f64::total_cmp);
    let f = |z0: f64| p0.density(z0) * kernel(z0).0;
    let df = |z0: f64| {
        let (k, dk) = kernel(z0);
        p0.density(z0) * k * dk
    };
    (
        integrate_with_breaks(&f, -13.0, 13.0, &breaks, 1e-14),
        integrate_with_breaks(&df, -13.0, 13.0, &breaks, 1e-13),
    )
}

#[test]
fn ou_smoothed_density_and_score_match_numerical_convolution() {
    for (gamma, sigma, times) in [
        (2.0, 0.5, [0.01, 0.1, 0.5]),
        (6.0, 0.05, [0.003, 0.01, 0.05]),
    ] {
        let pc = GaussianPancakes::with_random_secret(3, gamma, sigma, 21).unwrap();
        let m0 = Mixture::new(gamma, sigma);
        for t in times {
            let pt = pc.profile().at_time(t).unwrap();
            for z in [-1.3, 0.0, 0.2, 0.9, 2.5] {
                let (a, da) = convolved(pc.profile(), &m0, t, z);
                assert!(
                    (pt.log_density(z) - a.ln()).abs() < 1e-9,
                    "({gamma},{sigma}) t={t} z={z}: {} vs {}",
                    pt.log_density(z),
                    a.ln()
                );
                let scale = 1.0 / (pt.width() * pt.width());
                assert!((pt.score(z) - da / a).abs() < 1e-8 * scale);
                // Finite differences of the convolved log-density (step 1e-4; quadrature
                // noise ~1e-13/1e-4): the score at time t is the gradient of log p_t.
                let h = 1e-4;
                let fd = (convolved(pc.profile(), &m0, t, z + h).0.ln()
                    - convolved(pc.profile(), &m0, t, z - h).0.ln())
                    / (2.0 * h);
                assert!(
                    (pt.score(z) - fd).abs() < 1e-5 * scale,
                    "{} vs {fd}",
                    pt.score(z)
                );
            }
            // The d-dimensional log-density adds the untouched N(0, I_{d−1}) orthogonal part.
            let x = random_points(3, 1, 7, 1.0).row(0).to_owned();
            let z = x.dot(&pc.secret());
            let perp2 = x.dot(&x) - z * z;
            let expect = convolved(pc.profile(), &m0, t, z).0.ln() - 0.5 * perp2 - (2.0 * PI).ln();
            assert!((log_density_of(&pc, t, &x) - expect).abs() < 1e-9);
        }
    }
}

#[test]
fn at_time_t_matches_data_pushed_through_the_exact_ou_transition() {
    // X_t = e^{-t} X_0 + √(1−e^{-2t}) ξ with X_0 from the exact sampler; along u its CDF must be
    // Σ_k w_k Φ((z − c_k^{(t)})/τ_t) with the σ_t formula (KS), orthogonal to u N(0,1) (KS),
    // and at_time(t) samples must match it (two-sample KS). p > 1e-3 each.
    let d = 4;
    for (i, (gamma, sigma, t)) in [(6.0, 0.05, 0.01_f64), (2.0, 0.5, 0.1), (6.0, 0.01, 0.0)]
        .into_iter()
        .enumerate()
    {
        let pc = GaussianPancakes::with_random_secret(d, gamma, sigma, 31 + i as u64).unwrap();
        let mut rng = stream(40 + i as u64, "pancake-ou-push", &[]);
        let x0 = pc.sample_batch(&mut rng, 20_000);
        let noise = random_points(d, 20_000, 50 + i as u64, 1.0);
        let xt = (-t).exp() * &x0 + (-(-2.0 * t).exp_m1()).sqrt() * &noise;
        let u = pc.secret().to_owned();
        let mut along: Vec<f64> = xt.dot(&u).to_vec();
        let law_t = pc.at_time(t).unwrap();
        assert!((law_t.sigma() - advance_ve_sigma(sigma, t)).abs() < 1e-15);
        let pt = law_t.profile().clone();
        // Weights below 1e-20 change the CDF by less than 1e-18 in total: dropped.
        let terms: Vec<(f64, f64)> = (-400..=400)
            .map(|k| (pt.weight(k), pt.centre(k)))
            .filter(|&(w, _)| w > 1e-20)
            .collect();
        let cdf = |z: f64| {
            terms
                .iter()
                .map(|(w, c)| w * normal_cdf((z - c) / pt.width()))
                .sum::<f64>()
        };
        let p = ks_one_sample(&mut along, cdf).p_value;
        assert!(p > 1e-3, "case {i}: along u p = {p}");
        // A direction orthogonal to u.
        let mut w = Array1::from_elem(d, 1.0);
        let wu = w.dot(&u);
        w.scaled_add(-wu, &u);
        w /= w.dot(&w).sqrt();
        let mut ortho: Vec<f64> = xt.dot(&w).to_vec();
        assert!(ks_one_sample(&mut ortho, normal_cdf).p_value > 1e-3);
        let mut direct: Vec<f64> = law_t.sample_batch(&mut rng, 20_000).dot(&u).to_vec();
        assert!(ks_two_sample(&mut along, &mut direct).p_value > 1e-3);
    }
}

#[test]
fn sampler_power_check_detects_a_wrong_sigma() {
    // The KS test above has power: samples of (6, 0.05) are rejected against σ = 0.1.
    let pc = GaussianPancakes::with_random_secret(2, 6.0, 0.05, 3).unwrap();
    let mut rng = stream(3, "pancake-power", &[]);
    let mut along: Vec<f64> = pc.sample_batch(&mut rng, 20_000).dot(&pc.secret()).to_vec();
    let wrong = Mixture::new(6.0, 0.1);
    assert!(ks_one_sample(&mut along, |z| wrong.cdf(z)).p_value < 1e-6);
}

#[test]
fn score_tends_to_minus_x_as_t_grows() {
    // Dual-series bound (docs/math.md §2, |sin y| ≤ |y|):
    // |g_t(z)| ≤ 2ω_t²|z| Σ_m m² q^{m²} / (1 − 2Σ_m q^{m²}), q = e^{−πb_t²}, ω_t = √(2π)γ/a_t.
    let pc = GaussianPancakes::with_random_secret(5, 2.0, 0.5, 4).unwrap();
    let x = random_points(5, 50, 6, 2.0);
    let mut previous = f64::INFINITY;
    for t in [1.0, 3.0, 6.0, 10.0, 16.0] {
        let pt = pc.profile().at_time(t).unwrap();
        let q = (-PI * pt.blur() * pt.blur()).exp();
        let omega = (2.0 * PI).sqrt() * pt.gamma() / pt.scale();
        let (s2, s0): (f64, f64) = (1..20)
            .map(|m| {
                let qm = q.powi(m * m);
                ((m * m) as f64 * qm, qm)
            })
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let bound_per_z = 2.0 * omega * omega * s2 / (1.0 - 2.0 * s0);
        let mut s = Array2::zeros((50, 5));
        pc.score(t, x.view(), s.view_mut()).unwrap();
        let mut worst: f64 = 0.0;
        for (srow, xr) in s.rows().into_iter().zip(x.rows()) {
            let z = xr.dot(&pc.secret());
            // g_t itself, to full relative precision: below the bound.
            let g = pt.excess_score(z);
            assert!(
                g.abs() <= bound_per_z * z.abs() * (1.0 + 1e-9),
                "t={t} z={z}: {g}"
            );
            worst = worst.max(g.abs());
            // The d-dimensional score is −x + g u; s + x recovers g u only up to the
            // rounding of x (≈ 1e-15 absolute).
            let residual = (&srow + &xr).mapv(f64::abs).fold(0.0_f64, |m, &v| m.max(v));
            assert!(residual <= g.abs() + 1e-14, "t={t}: {residual}");
        }
        assert!(worst < previous);
        previous = worst;
    }
    // At t = 16 the bound is 2ω_t²e^{−πb_t²}|z| ≈ 1e-18|z|: the score is −x to double precision.
    assert!(previous < 1e-16);
}

#[test]
fn direct_and_dual_forms_agree_for_density_and_score() {
    // Both forms are exact (docs/math.md §2). Compared where both are well conditioned:
    // b ∈ [0.3, 3] and |z| ≤ 5 (at b ≥ 0.3 the dual form's cancellation costs at most a few
    // digits). Measured agreement ≤ 1e-12 on log A and on g relative to its scale 1/τ.
    for (gamma, sigma) in [(6.0, 0.05), (2.0, 0.5), (2.0, 0.3), (6.0, 0.25), (3.0, 1.0)] {
        for t in [0.0, 0.02] {
            let p = PancakeProfile::new(gamma, sigma)
                .unwrap()
                .at_time(t)
                .unwrap();
            assert!(p.blur() >= 0.29 && p.blur() <= 3.0);
            for i in 0..=100 {
                let z = -5.0 + 0.1 * i as f64 + 0.013;
                let dir = p.eval_with(z, LatticeSumForm::Direct);
                let dua = p.eval_with(z, LatticeSumForm::Dual);
                assert!(
                    (dir.log_density - dua.log_density).abs() <= 1e-12,
                    "({gamma},{sigma}) t={t} z={z}: {} vs {}",
                    dir.log_density,
                    dua.log_density
                );
                let scale = 1.0 / p.width();
                assert!(
                    (dir.excess_score - dua.excess_score).abs()
                        <= 1e-12 * (dir.excess_score.abs() + scale),
                    "({gamma},{sigma}) t={t} z={z}: {} vs {}",
                    dir.excess_score,
                    dua.excess_score
                );
            }
        }
    }
    // The d-dimensional forced forms go through the same code.
    let pc = GaussianPancakes::with_random_secret(16, 2.0, 0.5, 9).unwrap();
    let x = random_points(16, 8, 10, 1.0);
    let (mut a, mut b) = (Array2::zeros((8, 16)), Array2::zeros((8, 16)));
    pc.score_with(0.0, x.view(), a.view_mut(), LatticeSumForm::Direct)
        .unwrap();
    pc.score_with(0.0, x.view(), b.view_mut(), LatticeSumForm::Dual)
        .unwrap();
    assert!(a
        .iter()
        .zip(b.iter())
        .all(|(p, q)| (p - q).abs() < 1e-11 * (1.0 + p.abs())));
    let (mut la, mut lb) = (Array1::zeros(8), Array1::zeros(8));
    pc.log_density_with(0.0, x.view(), la.view_mut(), LatticeSumForm::Direct)
        .unwrap();
    pc.log_density_with(0.0, x.view(), lb.view_mut(), LatticeSumForm::Dual)
        .unwrap();
    assert!(la
        .iter()
        .zip(lb.iter())
        .all(|(p, q)| (p - q).abs() < 1e-12 * (1.0 + p.abs())));
}

#[test]
fn tails_up_to_forty_are_finite_and_obey_the_score_bound() {
    // docs/math.md §2: |g_t| ≤ 4√(2π)/τ_t² (paper Lemma B.5 in standard units).
    for (gamma, sigma) in [(6.0, 0.01), (6.0, 0.05), (2.0, 0.5), (0.5, 2.0)] {
        for t in [0.0, 0.01, 1.0, 20.0] {
            let p = PancakeProfile::new(gamma, sigma)
                .unwrap()
                .at_time(t)
                .unwrap();
            let bound = 4.0 * (2.0 * PI).sqrt() / (p.width() * p.width());
            for i in 0..=800 {
                let z = -40.0 + 0.1 * i as f64 + 1e-3;
                let v = p.eval(z);
                assert!(v.log_density.is_finite() && v.excess_score.is_finite());
                assert!(v.excess_score_derivative.is_finite());
                assert!(v.excess_score.abs() <= bound, "({gamma},{sigma},{t}) z={z}");
            }
        }
    }
    let pc = GaussianPancakes::with_random_secret(3, 6.0, 0.01, 5).unwrap();
    let x = (40.0 * &pc.secret()).insert_axis(Axis(0)).to_owned();
    let mut s = Array2::zeros((1, 3));
    pc.score(0.0, x.view(), s.view_mut()).unwrap();
    assert!(s.iter().all(|v| v.is_finite()));
}

#[test]
fn tv_and_kl_obey_the_papers_lemmas() {
    // docs/math.md §2: TV > ½ when γσ < 0.0708 (Lemma B.9); TV ≤ 8e^{−πb²} when σ ≥ 2/γ
    // (Lemma B.10); KL(A‖N(0,1)) ≤ ½ log(1 + 1/σ²) (Lemma B.11, KL by quadrature here).
    for (gamma, sigma) in [(6.0, 0.01), (10.0, 0.007), (3.0, 0.02)] {
        assert!(
            PancakeProfile::new(gamma, sigma)
                .unwrap()
                .tv_to_standard_gaussian()
                > 0.5
        );
    }
    for (gamma, sigma) in [(2.0, 1.0), (6.0, 0.34), (4.0, 0.6)] {
        let p = PancakeProfile::new(gamma, sigma).unwrap();
        assert!(p.tv_to_standard_gaussian() <= 8.0 * (-PI * p.blur() * p.blur()).exp());
    }
    for (gamma, sigma) in [(2.0, 0.5), (6.0, 0.05), (6.0, 0.25)] {
        let p = PancakeProfile::new(gamma, sigma).unwrap();
        let m = Mixture::new(gamma, sigma);
        let f = |z: f64| {
            let v = p.log_density(z);
            v.exp() * (v - phi(z).ln())
        };
        let kl = integrate_with_breaks(&f, -13.0, 13.0, &m.breaks(13.0), 1e-12);
        assert!(
            kl > 0.0 && kl <= 0.5 * (1.0 + 1.0 / (sigma * sigma)).ln(),
            "kl {kl}"
        );
    }
}

#[test]
fn at_time_is_pancakes_with_sigma_t_and_its_data_score_is_the_score_at_t() {
    let pc = GaussianPancakes::with_random_secret(3, 6.0, 0.05, 12).unwrap();
    let x = random_points(3, 4, 13, 1.0);
    for t in [0.01, 0.3] {
        let law = pc.at_time(t).unwrap();
        assert_eq!(law.secret(), pc.secret());
        assert_eq!(law.gamma(), pc.gamma());
        // σ_t² = e^{2t}(1+σ²) − 1 (docs/math.md §2).
        assert!((law.sigma().powi(2) - ((2.0 * t).exp() * (1.0 + 0.0025) - 1.0)).abs() < 1e-14);
        let (mut a, mut b) = (Array2::zeros((4, 3)), Array2::zeros((4, 3)));
        pc.score(t, x.view(), a.view_mut()).unwrap();
        law.score(0.0, x.view(), b.view_mut()).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn random_secret_is_unit_deterministic_and_uniform_on_the_sphere() {
    let a = GaussianPancakes::with_random_secret(7, 2.0, 0.5, 42).unwrap();
    let b = GaussianPancakes::with_random_secret(7, 2.0, 0.5, 42).unwrap();
    assert_eq!(a.secret(), b.secret());
    assert!((a.secret().dot(&a.secret()) - 1.0).abs() < 1e-15);
    // Archimedes: the first coordinate of a uniform point on S² is uniform on [−1, 1] (KS).
    let mut first: Vec<f64> = (0..2000)
        .map(|seed| {
            GaussianPancakes::with_random_secret(3, 2.0, 0.5, seed)
                .unwrap()
                .secret()[0]
        })
        .collect();
    let p = ks_one_sample(&mut first, |x| (0.5 * (x + 1.0)).clamp(0.0, 1.0)).p_value;
    assert!(p > 1e-3, "p = {p}");
}

#[test]
fn sample_batch_trait_uses_the_exact_sampler() {
    let pc = GaussianPancakes::with_random_secret(3, 2.0, 0.5, 1).unwrap();
    let mut r1 = stream(77, "batch", &[]);
    let mut r2 = stream(77, "batch", &[]);
    let a = pc.sample_batch(&mut r1, 100);
    let b = pc.sample_batch(&mut r2, 100);
    assert_eq!(a.dim(), (100, 3));
    assert_eq!(a, b);
}

#[test]
fn bad_parameters_are_typed_errors() {
    let u = array![1.0, 0.0, 0.0];
    assert!(matches!(
        GaussianPancakes::new(3, f64::NAN, 0.5, u.clone()),
        Err(Error::NonPositive { name: "gamma", .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(3, 2.0, 0.0, u.clone()),
        Err(Error::NonPositive { name: "sigma", .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(3, 2.0, -1.0, u.clone()),
        Err(Error::NonPositive { name: "sigma", .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(4, 2.0, 0.5, u.clone()),
        Err(Error::DimensionMismatch {
            expected: 4,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        GaussianPancakes::new(3, 2.0, 0.5, array![1.0 + 1e-8, 0.0, 0.0]),
        Err(Error::NotUnit { .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(3, 2.0, 0.5, array![0.6, 0.6, 0.0]),
        Err(Error::NotUnit { .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(3, 2.0, 0.5, array![f64::NAN, 0.0, 0.0]),
        Err(Error::NonFinite { name: "secret", .. })
    ));
    assert!(matches!(
        GaussianPancakes::new(0, 2.0, 0.5, Array1::zeros(0)),
        Err(Error::OutOfRange { name: "dim", .. })
    ));
    assert!(GaussianPancakes::with_random_secret(0, 2.0, 0.5, 1).is_err());
    // Within tolerance: accepted as given (not normalised).
    let nearly = array![1.0 + 5e-10, 0.0, 0.0];
    let pc = GaussianPancakes::new(3, 2.0, 0.5, nearly.clone()).unwrap();
    assert_eq!(pc.secret(), nearly);

    let pc = GaussianPancakes::new(3, 2.0, 0.5, u).unwrap();
    let x = Array2::zeros((2, 3));
    let mut wrong = Array2::zeros((2, 4));
    assert!(matches!(
        pc.score(0.0, x.view(), wrong.view_mut()),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut out = Array2::zeros((2, 3));
    assert!(matches!(
        pc.score(-0.1, x.view(), out.view_mut()),
        Err(Error::OutOfRange { name: "t", .. })
    ));
    assert!(matches!(
        pc.score(f64::NAN, x.view(), out.view_mut()),
        Err(Error::OutOfRange { name: "t", .. })
    ));
    let mut short = Array1::zeros(1);
    assert!(matches!(
        pc.log_density(0.0, x.view(), short.view_mut()),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        pc.score_vjp(0.0, x.view(), Array2::zeros((3, 3)).view(), out.view_mut()),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(pc.at_time(-1.0).is_err());
    assert!(matches!(
        pc.at_time(1000.0),
        Err(Error::OutOfRange { name: "t", .. })
    ));
    assert!(pc
        .mean_squared_excess_score_under_gaussian(f64::INFINITY)
        .is_err());
}

// ---------------------------------------------------------------------------------------------
// The null distribution N(0, I_d).

#[test]
fn standard_gaussian_null() {
    let g = StandardGaussian::new(3).unwrap();
    let x = random_points(3, 5, 1, 1.5);
    let v = random_points(3, 5, 2, 1.0);
    for t in [0.0, 0.1, 10.0] {
        let mut s = Array2::zeros((5, 3));
        g.score(t, x.view(), s.view_mut()).unwrap();
        assert_eq!(s, -&x);
        let mut jv = Array2::zeros((5, 3));
        g.score_vjp(t, x.view(), v.view(), jv.view_mut()).unwrap();
        assert_eq!(jv, -&v);
        // log φ_3(x) = −‖x‖²/2 − (3/2) log 2π.
        let mut l = Array1::zeros(5);
        g.log_density(t, x.view(), l.view_mut()).unwrap();
        for (lb, row) in l.iter().zip(x.rows()) {
            assert!((lb - (-0.5 * row.dot(&row) - 1.5 * (2.0 * PI).ln())).abs() < 1e-14);
        }
    }
    // Pancakes with b = γσ/a ≈ γ = 6 are indistinguishable from it: |g| ≲ e^{−36π}ω.
    let pc = GaussianPancakes::with_random_secret(3, 6.0, 50.0, 1).unwrap();
    let mut s = Array2::zeros((5, 3));
    pc.score(0.0, x.view(), s.view_mut()).unwrap();
    assert!((&s + &x).iter().all(|e| e.abs() < 1e-12));
    // Sampler: every coordinate N(0,1) (KS, p > 1e-3 each).
    let mut rng = stream(3, "null-sample", &[]);
    let xs = g.sample_batch(&mut rng, 20_000);
    for j in 0..3 {
        let mut col = xs.column(j).to_vec();
        assert!(ks_one_sample(&mut col, normal_cdf).p_value > 1e-3);
    }
    assert!(matches!(
        StandardGaussian::new(0),
        Err(Error::OutOfRange { .. })
    ));
    let mut bad = Array2::zeros((5, 2));
    assert!(g.score(0.0, x.view(), bad.view_mut()).is_err());
    assert!(g
        .score(-1.0, x.view(), Array2::zeros((5, 3)).view_mut())
        .is_err());
}

#[test]
fn batch_kernels_are_bit_identical_for_any_thread_count_and_layout() {
    // Fixed row chunks and per-row arithmetic: 1, 2 and 3 threads, and a non-contiguous copy of
    // the input (a strided view), give the same bits; the batch score agrees with the full
    // (compensated) profile evaluation to 1e-12. 1500 rows = 3 chunks, the last one partial.
    let d = 16;
    let law = GaussianPancakes::with_random_secret(d, 2.0, 0.1, 5).unwrap();
    let t = 0.05;
    let x = law
        .at_time(t)
        .unwrap()
        .sample_batch(&mut stream(6, "chunks", &[]), 1500);
    let v = random_points(d, 1500, 8, 1.0);
    let run = |threads: usize, x: ndarray::ArrayView2<f64>| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            (
                law.score_owned(t, x).unwrap(),
                law.log_density_owned(t, x).unwrap(),
                law.score_vjp_owned(t, x, v.view()).unwrap(),
            )
        })
    };
    let one = run(1, x.view());
    for threads in [2, 3] {
        assert_eq!(run(threads, x.view()), one, "{threads} threads");
    }
    // Column-major copy: rows are strided.
    let mut fortran = Array2::<f64>::zeros((d, 1500));
    fortran.assign(&x.t());
    assert_eq!(run(2, fortran.t()), one, "strided rows");

    let profile = law.profile().at_time(t).unwrap();
    let u = law.secret();
    for (row, s) in x.rows().into_iter().zip(one.0.rows()) {
        let g = profile.eval(row.dot(&u)).excess_score;
        for ((si, xi), ui) in s.iter().zip(row).zip(u) {
            assert!(
                (si - (g * ui - xi)).abs() < 1e-12,
                "{si} vs {}",
                g * ui - xi
            );
        }
    }
    let constant = 0.5 * (d as f64 - 1.0) * (2.0 * PI).ln();
    for (row, lp) in x.rows().into_iter().zip(one.1.iter()) {
        let z = row.dot(&u);
        let want = profile.eval(z).log_density - 0.5 * (row.dot(&row) - z * z) - constant;
        assert!((lp - want).abs() < 1e-12, "{lp} vs {want}");
    }
}

#[test]
fn a_secret_with_a_reversed_axis_is_accepted() {
    // An owned array can have a negative stride; the batch kernels read the secret as a slice,
    // so `new` must store it in standard layout rather than panic later.
    let mut u = Array1::from(vec![0.6, 0.0, 0.8]);
    u.invert_axis(Axis(0));
    let law = GaussianPancakes::new(3, 2.0, 0.3, u).unwrap();
    assert_eq!(law.secret().to_vec(), vec![0.8, 0.0, 0.6]);
    let x = array![[1.0, 2.0, 3.0]];
    let s = law.score_owned(0.1, x.view()).unwrap();
    let g = law.profile().at_time(0.1).unwrap().excess_score(0.8 + 1.8);
    assert!((s[[0, 0]] - (0.8 * g - 1.0)).abs() < 1e-12);
}
