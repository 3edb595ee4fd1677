//! Scaling fits (docs/math.md §9): does a cost curve grow polynomially or exponentially in its size?
//!
//! Both models are fitted by least squares on log cost:
//! - polynomial: log cost = a + b·log size (rate = degree b);
//! - exponential: log cost = a + c·size (rate = c per unit size; base e^c).
//!
//! **Class rule:** the curve is exponential when (i) the exponential model's residual sum of
//! squares is less than half the polynomial model's (both have two parameters, so RSS is a fair
//! comparison) and (ii) the fitted exponential at least quadruples over the measured range
//! (c·(size_max − size_min) ≥ ln 4); otherwise it is polynomial. Polynomial is thus the default
//! for curves both models fit about equally well — too short or noisy to tell — and for nearly
//! flat curves such as a + b·n with a ≫ b·n, which over a finite range an exponential with a
//! tiny rate imitates; "exponential" is only claimed when the data say so. The 95% interval of each rate is a percentile
//! bootstrap over trials: every bootstrap replicate resamples, at each size, that size's trials
//! with replacement, recomputes the mean cost per size and refits.

use hardiff_dist::rng;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// Points of one cost curve: each size with the costs of its trials.
pub type Curve = Vec<(f64, Vec<f64>)>;

/// How the trials of one size are reduced to its cost (e.g. [`mean_of`]).
pub type Aggregate = dyn Fn(&[f64]) -> f64;

/// The fitted exponential must grow by at least this factor over the measured sizes.
pub const MIN_EXPONENTIAL_GROWTH: f64 = 4.0;

/// The exponential model must have at most this fraction of the polynomial model's RSS.
pub const EXPONENTIAL_RSS_FACTOR: f64 = 0.5;

/// The growth class of a cost curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GrowthClass {
    /// cost ≈ A·size^b.
    Polynomial,
    /// cost ≈ A·e^{c·size}.
    Exponential,
}

impl std::fmt::Display for GrowthClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GrowthClass::Polynomial => "polynomial",
            GrowthClass::Exponential => "exponential",
        })
    }
}

/// One least-squares line y = intercept + slope·x with its residual sum of squares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LineFit {
    /// Intercept a.
    pub intercept: f64,
    /// Slope (b for polynomial, c for exponential).
    pub slope: f64,
    /// Residual sum of squares on log cost.
    pub rss: f64,
}

/// Both fits of one curve, the chosen class and the bootstrap intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingFit {
    /// log cost = a + b log size.
    pub polynomial: LineFit,
    /// log cost = a + c size.
    pub exponential: LineFit,
    /// The model with the smaller RSS.
    pub class: GrowthClass,
    /// Rate of the chosen model (b or c).
    pub rate: f64,
    /// 95% bootstrap interval of the chosen model's rate.
    pub rate_ci: [f64; 2],
    /// 95% bootstrap interval of the polynomial degree b.
    pub polynomial_ci: [f64; 2],
    /// 95% bootstrap interval of the exponential rate c.
    pub exponential_ci: [f64; 2],
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

/// Least squares y = a + b x.
pub fn least_squares(x: &[f64], y: &[f64]) -> LineFit {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let rss = x
        .iter()
        .zip(y)
        .map(|(a, b)| {
            let r = b - intercept - slope * a;
            r * r
        })
        .sum();
    LineFit {
        intercept,
        slope,
        rss,
    }
}

fn fit_means(sizes: &[f64], mean_costs: &[f64]) -> (LineFit, LineFit) {
    let log_cost: Vec<f64> = mean_costs.iter().map(|c| c.ln()).collect();
    let log_size: Vec<f64> = sizes.iter().map(|s| s.ln()).collect();
    (
        least_squares(&log_size, &log_cost),
        least_squares(sizes, &log_cost),
    )
}

fn percentile_interval(mut values: Vec<f64>) -> [f64; 2] {
    if values.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((q * (values.len() - 1) as f64).round()) as usize];
    [at(0.025), at(0.975)]
}

/// Fits a cost curve given, for each size, the costs of its trials; the cost of a size is the
/// mean of its trials. See [`fit_scaling_with`] for another aggregate.
///
/// `replicates` bootstrap replicates (e.g. 400) drawn from `rng::stream(seed, "bootstrap", …)`.
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
/// (applied to the data and to every bootstrap resample). Trial values must be finite and ≥ 0;
/// the aggregated costs must be finite and > 0.
pub fn fit_scaling_with(
    points: &[(f64, Vec<f64>)],
    replicates: usize,
    seed: u64,
    aggregate: &Aggregate,
) -> Result<ScalingFit, FitError> {
    let points: Vec<&(f64, Vec<f64>)> = points.iter().filter(|(_, c)| !c.is_empty()).collect();
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
    let sizes: Vec<f64> = points.iter().map(|(s, _)| *s).collect();
    let means: Vec<f64> = points.iter().map(|(_, c)| aggregate(c)).collect();
    let (polynomial, exponential) = fit_means(&sizes, &means);
    // A polynomial that fits to rounding error (e.g. a constant cost) settles the question.
    let range = distinct[distinct.len() - 1] - distinct[0];
    let class = if polynomial.rss > 1e-18
        && exponential.rss < EXPONENTIAL_RSS_FACTOR * polynomial.rss
        && exponential.slope * range >= MIN_EXPONENTIAL_GROWTH.ln()
    {
        GrowthClass::Exponential
    } else {
        GrowthClass::Polynomial
    };

    let mut rng = rng::stream(seed, "bootstrap", &[points.len() as u64]);
    let mut poly_rates = Vec::with_capacity(replicates);
    let mut exp_rates = Vec::with_capacity(replicates);
    let mut resampled = Vec::new();
    for _ in 0..replicates.max(1) {
        let boot_means: Vec<f64> = points
            .iter()
            .map(|(_, costs)| {
                resampled.clear();
                resampled.extend((0..costs.len()).map(|_| costs[rng.random_range(0..costs.len())]));
                aggregate(&resampled)
            })
            .collect();
        if boot_means.iter().any(|c| !(c.is_finite() && *c > 0.0)) {
            // A resample with zero cost (e.g. no acceptance at all) has no log: skip it.
            continue;
        }
        let (p, e) = fit_means(&sizes, &boot_means);
        poly_rates.push(p.slope);
        exp_rates.push(e.slope);
    }
    let polynomial_ci = percentile_interval(poly_rates);
    let exponential_ci = percentile_interval(exp_rates);
    let (rate, rate_ci) = match class {
        GrowthClass::Polynomial => (polynomial.slope, polynomial_ci),
        GrowthClass::Exponential => (exponential.slope, exponential_ci),
    };
    Ok(ScalingFit {
        polynomial,
        exponential,
        class,
        rate,
        rate_ci,
        polynomial_ci,
        exponential_ci,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn least_squares_recovers_an_exact_line() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y: Vec<f64> = x.iter().map(|v| 0.5 - 2.0 * v).collect();
        let fit = least_squares(&x, &y);
        assert_relative_eq!(fit.slope, -2.0, epsilon = 1e-12);
        assert_relative_eq!(fit.intercept, 0.5, epsilon = 1e-12);
        assert!(fit.rss < 1e-20);
    }

    #[test]
    fn classifies_exact_power_and_exponential_laws() {
        // cost = 3 n^2: the polynomial model is exact (RSS 0), degree 2.
        let poly: Vec<(f64, Vec<f64>)> = (2..=12)
            .map(|n| (n as f64, vec![3.0 * (n * n) as f64; 4]))
            .collect();
        let fit = fit_scaling(&poly, 50, 1).unwrap();
        assert_eq!(fit.class, GrowthClass::Polynomial);
        assert_relative_eq!(fit.rate, 2.0, epsilon = 1e-9);
        // Identical trials: the bootstrap interval collapses onto the estimate.
        assert_relative_eq!(fit.rate_ci[0], 2.0, epsilon = 1e-9);
        // cost = 2^{1.5 m}: exponential with c = 1.5 ln 2 (docs/math.md §9 prediction for E2).
        let exp: Vec<(f64, Vec<f64>)> = (1..=10)
            .map(|m| (m as f64, vec![2f64.powf(1.5 * m as f64); 3]))
            .collect();
        let fit = fit_scaling(&exp, 50, 1).unwrap();
        assert_eq!(fit.class, GrowthClass::Exponential);
        assert_relative_eq!(fit.rate, 1.5 * 2f64.ln(), epsilon = 1e-9);
    }

    #[test]
    fn bootstrap_interval_covers_the_true_rate_with_noise() {
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
        let fit = fit_scaling(&pts, 400, 5).unwrap();
        assert_eq!(fit.class, GrowthClass::Exponential);
        assert!(
            fit.rate_ci[0] < 0.7 && 0.7 < fit.rate_ci[1],
            "{:?}",
            fit.rate_ci
        );
        assert!(fit.rate_ci[1] - fit.rate_ci[0] < 0.1);
    }

    #[test]
    fn flat_curves_are_polynomial() {
        // A constant cost fits both models exactly; the class rule calls it polynomial.
        let flat: Vec<(f64, Vec<f64>)> = (1..=6).map(|n| (n as f64, vec![5.0, 5.0])).collect();
        let fit = fit_scaling(&flat, 20, 1).unwrap();
        assert_eq!(fit.class, GrowthClass::Polynomial);
        assert!(fit.rate.abs() < 1e-12);
    }

    #[test]
    fn affine_curves_with_a_large_intercept_are_polynomial() {
        // 1000 + n over n = 4..64 is fitted slightly better by e^{0.0009 n} than by n^{0.05},
        // but it grows by 6%: the rule calls it polynomial.
        let affine: Vec<(f64, Vec<f64>)> = [4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&n| (n, vec![1000.0 + n]))
            .collect();
        let fit = fit_scaling(&affine, 20, 1).unwrap();
        assert!(fit.exponential.rss < 0.5 * fit.polynomial.rss);
        assert_eq!(fit.class, GrowthClass::Polynomial);
    }

    #[test]
    fn inverse_mean_of_acceptance_rates_recovers_the_rejection_rate() {
        // Acceptance 2^{-1.5m} per trial: cost 1/mean = 2^{1.5m}, rate 1.5 ln 2 (docs/math.md §9).
        let pts: Vec<(f64, Vec<f64>)> = (1..=8)
            .map(|m| (m as f64, vec![2f64.powf(-1.5 * m as f64); 4]))
            .collect();
        let fit = fit_scaling_with(&pts, 20, 1, &inverse_mean_of).unwrap();
        assert_eq!(fit.class, GrowthClass::Exponential);
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
    }
}
