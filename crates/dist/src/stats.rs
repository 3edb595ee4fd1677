//! Goodness-of-fit tests used by every crate's statistical tests and by the harness
//! (docs/math.md §9): Kolmogorov–Smirnov (one- and two-sample) and Pearson chi-square with pooling
//! of cells whose expected count is below 5.
//!
//! Each returns the statistic and an (asymptotic) p-value; a test that asserts `p > 1e-3`
//! with a fixed seed fails falsely with probability ≤ 1e-3 (docs/math.md §9).

use crate::error::{finite, positive, Error, Result};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A statistic with its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// The test statistic (D for KS, X² for chi-square).
    pub statistic: f64,
    /// The p-value under the null hypothesis.
    pub p_value: f64,
    /// Degrees of freedom (chi-square) or effective sample size (KS).
    pub dof: f64,
}

/// Survival function of the Kolmogorov distribution, P(K > x) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²}.
pub fn kolmogorov_sf(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < 0.2 {
        // The alternating series converges slowly here and the value is 1 to double precision.
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = (-2.0 * k * k * x * x).exp();
        sum += if k as u64 % 2 == 1 { term } else { -term };
        if term < 1e-17 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// p-value for a KS distance `d` at effective sample size `n_eff`, with Stephens' (1970)
/// finite-sample correction √n + 0.12 + 0.11/√n.
fn ks_p_value(d: f64, n_eff: f64) -> f64 {
    let s = n_eff.sqrt();
    kolmogorov_sf((s + 0.12 + 0.11 / s) * d)
}

/// One-sample Kolmogorov–Smirnov test of `samples` against the continuous CDF `cdf`.
/// `samples` is sorted in place.
pub fn ks_one_sample<F: Fn(f64) -> f64>(samples: &mut [f64], cdf: F) -> TestResult {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in samples.iter().enumerate() {
        let f = cdf(x);
        d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    TestResult {
        statistic: d,
        p_value: ks_p_value(d, n),
        dof: n,
    }
}

/// Two-sample Kolmogorov–Smirnov test. Both slices are sorted in place.
pub fn ks_two_sample(a: &mut [f64], b: &mut [f64]) -> TestResult {
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut d: f64 = 0.0;
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    let n_eff = na * nb / (na + nb);
    TestResult {
        statistic: d,
        p_value: ks_p_value(d, n_eff),
        dof: n_eff,
    }
}

/// Pearson chi-square test of observed counts against expected *probabilities* (which are
/// normalised here). Adjacent cells are pooled, in the given order, until each pooled cell
/// expects at least 5 observations; the tail remainder joins the last pooled cell.
/// `fitted_parameters` reduces the degrees of freedom to `cells − 1 − fitted_parameters`.
/// The p-value is the χ² survival function (accurate for p far below machine epsilon, where
/// 1 − cdf would round to 0).
///
/// Errors: `observed` and `expected_prob` of different lengths
/// ([`Error::DimensionMismatch`]); an expected probability negative or not finite
/// ([`Error::NonFinite`] / [`Error::OutOfRange`]) or all of them zero
/// ([`Error::NonPositive`]); no degrees of freedom left after pooling
/// ([`Error::NoDegreesOfFreedom`]: too few observations for two pooled cells, or too many
/// fitted parameters).
pub fn chi_square(
    observed: &[u64],
    expected_prob: &[f64],
    fitted_parameters: usize,
) -> Result<TestResult> {
    if observed.len() != expected_prob.len() {
        return Err(Error::DimensionMismatch {
            what: "chi-square expected probabilities (one per observed cell)",
            expected: observed.len(),
            got: expected_prob.len(),
        });
    }
    for &p in expected_prob {
        finite("expected probability", p)?;
        if p < 0.0 {
            return Err(Error::OutOfRange {
                name: "expected probability",
                value: p,
                range: "[0, ∞)",
            });
        }
    }
    let n: u64 = observed.iter().sum();
    let total_p = positive("sum of expected probabilities", expected_prob.iter().sum())?;
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut obs_acc, mut exp_acc) = (0.0, 0.0);
    for (&o, &p) in observed.iter().zip(expected_prob) {
        obs_acc += o as f64;
        exp_acc += p / total_p * n as f64;
        if exp_acc >= 5.0 {
            cells.push((obs_acc, exp_acc));
            obs_acc = 0.0;
            exp_acc = 0.0;
        }
    }
    if obs_acc > 0.0 || exp_acc > 0.0 {
        match cells.last_mut() {
            Some(last) => {
                last.0 += obs_acc;
                last.1 += exp_acc;
            }
            None => cells.push((obs_acc, exp_acc)),
        }
    }
    let dof = cells.len().saturating_sub(1 + fitted_parameters);
    if dof == 0 {
        return Err(Error::NoDegreesOfFreedom {
            cells: cells.len(),
            fitted_parameters,
        });
    }
    let dof = dof as f64;
    let statistic: f64 = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    let p_value = ChiSquared::new(dof)
        .expect("dof ≥ 1 is a valid chi-square parameter")
        .sf(statistic);
    Ok(TestResult {
        statistic,
        p_value,
        dof,
    })
}

/// Standard normal CDF Φ.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use rand::Rng as _;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn kolmogorov_sf_reference_values() {
        // Tabulated Kolmogorov distribution: P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01.
        assert_relative_eq!(kolmogorov_sf(1.3581), 0.05, max_relative = 1e-3);
        assert_relative_eq!(kolmogorov_sf(1.6276), 0.01, max_relative = 2e-3);
    }

    #[test]
    fn ks_accepts_normal_and_rejects_shifted() {
        // False-failure rate of the first assertion: 1e-3 (fixed seed).
        let mut rng = crate::rng::stream(1, "stats-test", &[]);
        let mut xs: Vec<f64> = (0..4000).map(|_| StandardNormal.sample(&mut rng)).collect();
        assert!(ks_one_sample(&mut xs, normal_cdf).p_value > 1e-3);
        let mut shifted: Vec<f64> = xs.iter().map(|x| x + 0.2).collect();
        assert!(ks_one_sample(&mut shifted, normal_cdf).p_value < 1e-6);
        let mut ys: Vec<f64> = (0..3000).map(|_| StandardNormal.sample(&mut rng)).collect();
        assert!(ks_two_sample(&mut xs, &mut ys).p_value > 1e-3);
        assert!(ks_two_sample(&mut shifted, &mut ys).p_value < 1e-6);
    }

    #[test]
    fn chi_square_fair_die_and_loaded_die() {
        let mut rng = crate::rng::stream(2, "stats-test", &[]);
        let mut counts = [0u64; 6];
        for _ in 0..6000 {
            counts[rng.random_range(0..6)] += 1;
        }
        let fair = chi_square(&counts, &[1.0; 6], 0).unwrap();
        assert_eq!(fair.dof, 5.0);
        assert!(fair.p_value > 1e-3);
        let loaded = chi_square(&counts, &[2.0, 1.0, 1.0, 1.0, 1.0, 1.0], 0).unwrap();
        assert!(loaded.p_value < 1e-6);
        // One fitted parameter removes one degree of freedom.
        assert_eq!(chi_square(&counts, &[1.0; 6], 1).unwrap().dof, 4.0);
    }

    #[test]
    fn chi_square_p_value_is_the_survival_function() {
        // Two cells, 1 dof: X² = (o₁−e₁)²/e₁ + (o₂−e₂)²/e₂ with e = 500 each. For o = (700, 300),
        // X² = 160 and P(χ²₁ > 160) = erfc(√80) ≈ 1.1e−36 (closed form for 1 dof), far below
        // what 1 − cdf can represent.
        let r = chi_square(&[700, 300], &[0.5, 0.5], 0).unwrap();
        assert_eq!(r.statistic, 160.0);
        let expected = statrs::function::erf::erfc(80f64.sqrt());
        assert!(r.p_value > 0.0);
        assert_relative_eq!(r.p_value, expected, max_relative = 1e-10);
    }

    #[test]
    fn chi_square_errors() {
        assert_eq!(
            chi_square(&[1, 2], &[0.5], 0),
            Err(Error::DimensionMismatch {
                what: "chi-square expected probabilities (one per observed cell)",
                expected: 2,
                got: 1,
            })
        );
        assert!(matches!(
            chi_square(&[10, 10], &[0.5, f64::NAN], 0),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            chi_square(&[10, 10], &[1.5, -0.5], 0),
            Err(Error::OutOfRange { value, .. }) if value == -0.5
        ));
        assert!(matches!(
            chi_square(&[10, 10], &[0.0, 0.0], 0),
            Err(Error::NonPositive { .. })
        ));
        // 8 observations expect fewer than 5 per cell in two cells: one pooled cell, no dof.
        assert_eq!(
            chi_square(&[4, 4], &[0.5, 0.5], 0),
            Err(Error::NoDegreesOfFreedom {
                cells: 1,
                fitted_parameters: 0
            })
        );
        // Enough data for 3 cells, but 2 fitted parameters leave 0 dof (was clamped to 1).
        assert_eq!(
            chi_square(&[100, 100, 100], &[1.0, 1.0, 1.0], 2),
            Err(Error::NoDegreesOfFreedom {
                cells: 3,
                fitted_parameters: 2
            })
        );
        assert!(matches!(
            chi_square(&[], &[], 0),
            Err(Error::NonPositive { .. })
        ));
    }
}
