//! Scaling fits (docs/math.md §9): does a cost curve grow polynomially or exponentially in its size?
//!
//! Both models are fitted to log cost:
//! - polynomial: log cost = a + b·log size (rate = degree b);
//! - exponential: log cost = a + c·size (rate = c per unit size; base e^c).
//!
//! **Class rule** (revised, docs/math.md §9): the [χ² class test](crate::class_test). Each size's
//! cost aggregates its trials ([`mean_of`], [`inverse_mean_of`], [`geometric_mean_of`]); both
//! models are fitted by weighted least squares, each size weighted by 1/Var of its aggregated log
//! cost (a bootstrap over that size's trials, plus the square of a model tolerance: the
//! systematic error on log cost a model is allowed, [`DEFAULT_MODEL_TOLERANCE`] unless the caller
//! says otherwise); a class is claimed only when the other model is rejected at 5% and this one is
//! not, else the curve is *inconclusive* — never a default class.
//!
//! **Intervals.** A rate's 95% interval is the weighted fit's slope ± 1.96·se, the standard error
//! scaled by √max(1, χ²/dof) so that a model that fits worse than its weights say (but is not
//! rejected) widens its own interval rather than claiming precision it does not have.
//!
//! (The earlier rule — the model with the smaller residual sum of squares, defaulting to
//! polynomial — had almost no power at the bench's sizes and is gone.)

use crate::claim::Z95;
use crate::class_test::{class_test, ClassTestError, ClassVerdict, WeightedFit};
use serde::{Deserialize, Serialize};

/// Points of one cost curve: each size with the costs of its trials.
pub type Curve = Vec<(f64, Vec<f64>)>;

/// How the trials of one size are reduced to its cost (e.g. [`mean_of`]).
pub type Aggregate = dyn Fn(&[f64]) -> f64;

/// The systematic error on log cost that [`fit_scaling`] and [`fit_scaling_with`] allow a model
/// (5%): what a count that is a power law or an exponential only up to lower-order terms, or a
/// cost with a bounded f-dependent factor (collisions of f), deviates from the clean law. Its
/// square is added to each size's bootstrap variance (docs/math.md §9).
pub const DEFAULT_MODEL_TOLERANCE: f64 = 0.05;

/// The growth class of a cost curve, as the theory predicts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GrowthClass {
    /// cost ≈ A·size^b.
    Polynomial,
    /// cost ≈ A·e^{c·size}.
    Exponential,
}

impl GrowthClass {
    /// The other class.
    pub fn other(self) -> Self {
        match self {
            GrowthClass::Polynomial => GrowthClass::Exponential,
            GrowthClass::Exponential => GrowthClass::Polynomial,
        }
    }
}

impl std::fmt::Display for GrowthClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GrowthClass::Polynomial => "polynomial",
            GrowthClass::Exponential => "exponential",
        })
    }
}

impl From<GrowthClass> for ClassVerdict {
    fn from(c: GrowthClass) -> Self {
        match c {
            GrowthClass::Polynomial => ClassVerdict::Polynomial,
            GrowthClass::Exponential => ClassVerdict::Exponential,
        }
    }
}

/// Both weighted fits of one curve, the class test's verdict and the rates' intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingFit {
    /// log cost = a + b log size (weighted), with its χ² goodness of fit.
    pub polynomial: WeightedFit,
    /// log cost = a + c size (weighted), with its χ² goodness of fit.
    pub exponential: WeightedFit,
    /// The class test's verdict.
    pub class: ClassVerdict,
    /// Rate of the verdict's model (b or c); when inconclusive, of the model with the larger
    /// p-value.
    pub rate: f64,
    /// 95% interval of `rate`.
    pub rate_ci: [f64; 2],
    /// 95% interval of the polynomial degree b.
    pub polynomial_ci: [f64; 2],
    /// 95% interval of the exponential rate c.
    pub exponential_ci: [f64; 2],
    /// The sizes, in curve order.
    pub sizes: Vec<f64>,
    /// Var of each size's aggregated log cost (bootstrap + tolerance²).
    pub variances: Vec<f64>,
    /// The model tolerance used.
    pub model_tolerance: f64,
}

/// Errors of the fitting routines.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Fewer than three distinct sizes.
    #[error("a scaling fit needs at least 3 distinct sizes, got {0}")]
    TooFewSizes(usize),
    /// A size or cost that is not finite and positive.
    #[error("sizes and costs must be finite and > 0, got size {size}, cost {cost}")]
    NonPositive {
        /// The size.
        size: f64,
        /// The offending cost.
        cost: f64,
    },
}

/// The 95% interval of a weighted fit's slope, widened by √max(1, χ²/dof) (module docs).
pub fn slope_interval(fit: &WeightedFit) -> [f64; 2] {
    let scale = if fit.dof > 0 {
        (fit.chi2 / fit.dof as f64).max(1.0).sqrt()
    } else {
        1.0
    };
    let half = Z95 * fit.slope_se * scale;
    [fit.slope - half, fit.slope + half]
}

/// Fits a cost curve given, for each size, the costs of its trials; the cost of a size is the
/// mean of its trials. See [`fit_scaling_with`] for another aggregate.
///
/// `replicates` bootstrap replicates per size (e.g. 400) for the variances, drawn from
/// `rng::stream(seed, "class-test", …)`.
pub fn fit_scaling(
    points: &[(f64, Vec<f64>)],
    replicates: usize,
    seed: u64,
) -> Result<ScalingFit, FitError> {
    fit_scaling_with(points, replicates, seed, &mean_of)
}

/// The arithmetic mean (the default aggregate).
pub fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The reciprocal of the mean: for trials that record a *rate* (e.g. an acceptance rate per
/// trial) whose cost is its inverse — 1/E\[rate\] is finite even where E\[1/rate\] is not.
pub fn inverse_mean_of(values: &[f64]) -> f64 {
    1.0 / mean_of(values)
}

/// The geometric mean exp(mean log v): for heavy-tailed trial costs whose arithmetic mean is
/// infinite or unstable (e.g. draws until a rejection sampler accepts, over random y).
pub fn geometric_mean_of(values: &[f64]) -> f64 {
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

/// [`fit_scaling`] with the cost of a size computed from its trial values by `aggregate`
/// (applied to the data and to every bootstrap resample), and the [`DEFAULT_MODEL_TOLERANCE`].
/// Trial values must be finite and ≥ 0; the aggregated costs must be finite and > 0.
pub fn fit_scaling_with(
    points: &[(f64, Vec<f64>)],
    replicates: usize,
    seed: u64,
    aggregate: &Aggregate,
) -> Result<ScalingFit, FitError> {
    fit_scaling_tolerant(points, replicates, seed, aggregate, DEFAULT_MODEL_TOLERANCE)
}

/// [`fit_scaling_with`] with an explicit model tolerance on log cost (module docs): 0 for
/// curves whose trials carry all the uncertainty, more for exact counts with lower-order terms.
pub fn fit_scaling_tolerant(
    points: &[(f64, Vec<f64>)],
    replicates: usize,
    seed: u64,
    aggregate: &Aggregate,
    model_tolerance: f64,
) -> Result<ScalingFit, FitError> {
    let points: Vec<(f64, Vec<f64>)> = points
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .cloned()
        .collect();
    for (size, costs) in &points {
        for &cost in costs {
            if !(size.is_finite() && *size > 0.0 && cost.is_finite() && cost >= 0.0) {
                return Err(FitError::NonPositive { size: *size, cost });
            }
        }
        let cost = aggregate(costs);
        if !(cost.is_finite() && cost > 0.0) {
            return Err(FitError::NonPositive { size: *size, cost });
        }
    }
    let mut distinct: Vec<f64> = points.iter().map(|(s, _)| *s).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(FitError::TooFewSizes(distinct.len()));
    }
    let test =
        class_test(&points, aggregate, model_tolerance, replicates.max(2), seed).map_err(|e| {
            match e {
                ClassTestError::TooFewSizes(k) => FitError::TooFewSizes(k),
                ClassTestError::NonPositive { size, value } => {
                    FitError::NonPositive { size, cost: value }
                }
            }
        })?;
    let polynomial_ci = slope_interval(&test.polynomial);
    let exponential_ci = slope_interval(&test.exponential);
    let poly_wins = match test.verdict {
        ClassVerdict::Polynomial => true,
        ClassVerdict::Exponential => false,
        ClassVerdict::Inconclusive => test.polynomial.p_value >= test.exponential.p_value,
    };
    let (rate, rate_ci) = if poly_wins {
        (test.polynomial.slope, polynomial_ci)
    } else {
        (test.exponential.slope, exponential_ci)
    };
    Ok(ScalingFit {
        polynomial: test.polynomial,
        exponential: test.exponential,
        class: test.verdict,
        rate,
        rate_ci,
        polynomial_ci,
        exponential_ci,
        sizes: points.iter().map(|(s, _)| *s).collect(),
        variances: test.variances,
        model_tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use hardiff_dist::rng;
    use rand::Rng as _;

    #[test]
    fn classifies_exact_power_and_exponential_laws() {
        // cost = 3 n^2: the polynomial model is exact (χ² 0), the exponential one is rejected.
        let poly: Vec<(f64, Vec<f64>)> = (2..=12)
            .map(|n| (n as f64, vec![3.0 * (n * n) as f64; 4]))
            .collect();
        let fit = fit_scaling(&poly, 50, 1).unwrap();
        assert_eq!(fit.class, ClassVerdict::Polynomial);
        assert_relative_eq!(fit.rate, 2.0, epsilon = 1e-9);
        assert!(fit.polynomial.chi2 < 1e-12 && fit.exponential.p_value < 1e-6);
        // Identical trials: only the 5% model tolerance is left in the interval.
        assert!(fit.rate_ci[0] < 2.0 && 2.0 < fit.rate_ci[1] && fit.rate_ci[1] - 2.0 < 0.1);
        // cost = 2^{1.5 m}: exponential with c = 1.5 ln 2 (docs/math.md §9 prediction for E2).
        let exp: Vec<(f64, Vec<f64>)> = (1..=10)
            .map(|m| (m as f64, vec![2f64.powf(1.5 * m as f64); 3]))
            .collect();
        let fit = fit_scaling(&exp, 50, 1).unwrap();
        assert_eq!(fit.class, ClassVerdict::Exponential);
        assert_relative_eq!(fit.rate, 1.5 * 2f64.ln(), epsilon = 1e-9);
    }

    #[test]
    fn interval_covers_the_true_rate_with_noise() {
        // cost = e^{0.7 m}·(1 + noise); the 95% interval should contain 0.7.
        let mut r = rng::stream(3, "fit-test", &[]);
        let pts: Vec<(f64, Vec<f64>)> = (2..=10)
            .map(|m| {
                let base = (0.7 * m as f64).exp();
                (
                    m as f64,
                    (0..30).map(|_| base * (0.5 + r.random::<f64>())).collect(),
                )
            })
            .collect();
        // (With no model tolerance this seed's data reject the exponential too: χ² = 23 on 7
        // dof, the 30-trial means at m = 2, 4, 8 lying 2.3–2.6 sd from e^{0.7m}; the report's
        // default 5% tolerance absorbs it.)
        let fit = fit_scaling(&pts, 400, 5).unwrap();
        assert_eq!(fit.class, ClassVerdict::Exponential);
        assert!(
            fit.rate_ci[0] < 0.7 && 0.7 < fit.rate_ci[1],
            "{:?}",
            fit.rate_ci
        );
        assert!(fit.rate_ci[1] - fit.rate_ci[0] < 0.1);
    }

    #[test]
    fn flat_curves_are_polynomial_by_bounded_growth() {
        // A constant cost fits both models exactly (degree 0, rate 0); the exponential's upper
        // rate 1.96·0.05/√17.5 = 0.023 grows it by e^{0.12} < 2 over sizes 1–6: bounded growth,
        // polynomial (class_test module docs), with rate 0.
        let flat: Vec<(f64, Vec<f64>)> = (1..=6).map(|n| (n as f64, vec![5.0, 5.0])).collect();
        let fit = fit_scaling(&flat, 20, 1).unwrap();
        assert_eq!(fit.class, ClassVerdict::Polynomial);
        assert!(fit.rate.abs() < 1e-12);
        // The same with the bounded-growth rule off is inconclusive: both models fit.
        let both = crate::class_test::verdict(&fit.polynomial, &fit.exponential, f64::NAN);
        assert_eq!(both, ClassVerdict::Inconclusive);
    }

    #[test]
    fn inverse_mean_of_acceptance_rates_recovers_the_rejection_rate() {
        // Acceptance 2^{-1.5m} per trial: cost 1/mean = 2^{1.5m}, rate 1.5 ln 2 (docs/math.md §9).
        let pts: Vec<(f64, Vec<f64>)> = (1..=8)
            .map(|m| (m as f64, vec![2f64.powf(-1.5 * m as f64); 4]))
            .collect();
        let fit = fit_scaling_with(&pts, 20, 1, &inverse_mean_of).unwrap();
        assert_eq!(fit.class, ClassVerdict::Exponential);
        assert_relative_eq!(fit.rate, 1.5 * 2f64.ln(), epsilon = 1e-9);
        assert_relative_eq!(geometric_mean_of(&[1.0, 4.0, 16.0]), 4.0, epsilon = 1e-12);
    }

    #[test]
    fn bad_input_is_an_error() {
        let two = vec![(1.0, vec![1.0]), (2.0, vec![2.0])];
        assert_eq!(fit_scaling(&two, 10, 0), Err(FitError::TooFewSizes(2)));
        let zero_rate = vec![(1.0, vec![0.5]), (2.0, vec![0.0, 0.0]), (3.0, vec![0.1])];
        assert!(matches!(
            fit_scaling_with(&zero_rate, 10, 0, &inverse_mean_of),
            Err(FitError::NonPositive { .. })
        ));
        let neg = vec![(1.0, vec![1.0]), (2.0, vec![-2.0]), (3.0, vec![3.0])];
        assert!(matches!(
            fit_scaling(&neg, 10, 0),
            Err(FitError::NonPositive { .. })
        ));
        // Exact data with no tolerance: zero variance is refused, not divided by.
        let exact = vec![(1.0, vec![1.0]), (2.0, vec![2.0]), (3.0, vec![3.0])];
        assert!(matches!(
            fit_scaling_tolerant(&exact, 10, 0, &mean_of, 0.0),
            Err(FitError::NonPositive { .. })
        ));
    }
}
