//! The growth-class test of docs/math.md §9 (revised rule): polynomial or exponential — or
//! *inconclusive* — with a stated power.
//!
//! Why not "the model with the smaller residual sum of squares" (the rule [`crate::fit`] still
//! applies to the report today): at the bench's sizes the noise on each size's log cost is as
//! large as the gap between the two models, so that rule calls exactly exponential data
//! "exponential" only about half the time and turns missing evidence into a default class. Here
//! each model is fitted by **weighted least squares** on log cost, each size weighted by 1/Var of
//! its aggregated log cost, and tested for goodness of fit by **χ² with k − 2 degrees of
//! freedom** (k sizes). A class is claimed only when the *other* model is rejected at level
//! [`LEVEL`] and this one is not; otherwise the verdict is [`ClassVerdict::Inconclusive`].
//!
//! **Variances.** Var of the aggregated log cost at one size comes from a bootstrap over that
//! size's trials (resample, aggregate, take the log), plus `model_tolerance²`: the systematic
//! error a model is allowed on log cost (a count such as a network's weights is exact, so its
//! bootstrap variance is 0, but it is n^b only up to lower-order terms; a tolerance of 0.05 says
//! "within 5%"). With no tolerance and exact data, a curve that is not exactly a power law or an
//! exponential is, correctly, rejected by both models.
//!
//! **Power.** The design's noncentrality λ is χ²_poly evaluated on the *predicted* exponential
//! curve (no noise) with the design's sizes and variances: under that curve the polynomial
//! model's χ² statistic is noncentral χ²_{k−2}(λ), so λ ≥ 10 gives the test ≈ 0.8 power to reject
//! the polynomial at 5% with 3–5 sizes (docs/math.md §9). [`noncentrality`] computes it, so a
//! sweep can be designed for power before it is run.
//!
//! **Bounded growth.** When both models fit and even the exponential model's 95% upper rate
//! grows the cost by less than ×[`MAX_FLAT_GROWTH`] over the measured range, the curve shows no
//! exponential cost and the verdict is polynomial (e.g. a work count of degree ≈ 0, which both
//! models fit forever). This is positive evidence (a bound on growth), not a default.
//!
//! **Measured error rates** (unit tests, 200 simulated curves each, log-normal trial noise of
//! sd 1, 128 trials per size at sizes 4–12, λ ≫ 10): exactly exponential data → exponential
//! 91.5%, inconclusive 8.5%, polynomial 0% (asserted: exponential ≥ 90%, polynomial 0%);
//! exactly polynomial data over the same growth → polynomial 92%, inconclusive 8%, exponential
//! 0% (asserted: polynomial ≥ 80%, exponential ≤ 10%); three close sizes with 8 trials (λ < 1)
//! → inconclusive 96%, each wrong class 2% (asserted: inconclusive ≥ 85%). These are the
//! rule's false-call rates: a designed curve (λ ≥ 10) is called the wrong class essentially
//! never, and a weak design says "inconclusive" rather than guessing.
//!
//! The report uses the test through [`crate::fit::fit_scaling_with`]: every curve row of
//! `summary.json` carries both weighted fits, both p-values, the design's λ and the verdict.

use crate::fit::Aggregate;
use hardiff_dist::rng;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The level at which a model is rejected.
pub const LEVEL: f64 = 0.05;

/// What the test concludes about a curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassVerdict {
    /// The exponential model is rejected and the polynomial one is not.
    Polynomial,
    /// The polynomial model is rejected and the exponential one is not.
    Exponential,
    /// Both models fit, or neither does: the data do not decide.
    Inconclusive,
}

impl std::fmt::Display for ClassVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClassVerdict::Polynomial => "polynomial",
            ClassVerdict::Exponential => "exponential",
            ClassVerdict::Inconclusive => "inconclusive",
        })
    }
}

/// One weighted least-squares line on log cost with its goodness of fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightedFit {
    /// Intercept a.
    pub intercept: f64,
    /// Slope (degree b for the polynomial model, rate c for the exponential one).
    pub slope: f64,
    /// Standard error of the slope (from the weights; exact for Gaussian log costs).
    pub slope_se: f64,
    /// χ² = Σ w_i r_i².
    pub chi2: f64,
    /// Unweighted residual sum of squares Σ r_i² of this line on log cost (for reading only).
    pub rss: f64,
    /// Degrees of freedom, k − 2.
    pub dof: usize,
    /// P(χ²_{dof} ≥ chi2): small means the model does not fit.
    pub p_value: f64,
}

impl WeightedFit {
    /// The 95% interval of the slope, slope ± 1.96·se.
    pub fn slope_ci(&self) -> [f64; 2] {
        [
            self.slope - 1.96 * self.slope_se,
            self.slope + 1.96 * self.slope_se,
        ]
    }
}

/// Both models of one curve and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassTest {
    /// log cost = a + b log size.
    pub polynomial: WeightedFit,
    /// log cost = a + c size.
    pub exponential: WeightedFit,
    /// The verdict at [`LEVEL`].
    pub verdict: ClassVerdict,
    /// The variances used, per size (bootstrap + tolerance²), in the order of the sizes.
    pub variances: Vec<f64>,
}

/// Errors of the class test.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassTestError {
    /// Fewer than three sizes: no degrees of freedom are left to test a two-parameter model.
    #[error("the class test needs at least 3 sizes, got {0}")]
    TooFewSizes(usize),
    /// A size, cost or variance that is not finite and positive.
    #[error("sizes, aggregated costs and variances must be finite and > 0, got size {size}, value {value}")]
    NonPositive {
        /// The size.
        size: f64,
        /// The offending value.
        value: f64,
    },
}

/// Weighted least squares of y on x with weights w, and its χ² goodness of fit.
pub fn weighted_fit(x: &[f64], y: &[f64], w: &[f64]) -> WeightedFit {
    let sw: f64 = w.iter().sum();
    let mx = x.iter().zip(w).map(|(a, wi)| wi * a).sum::<f64>() / sw;
    let my = y.iter().zip(w).map(|(b, wi)| wi * b).sum::<f64>() / sw;
    let sxx: f64 = x
        .iter()
        .zip(w)
        .map(|(a, wi)| wi * (a - mx) * (a - mx))
        .sum();
    let sxy: f64 = x
        .iter()
        .zip(y)
        .zip(w)
        .map(|((a, b), wi)| wi * (a - mx) * (b - my))
        .sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let chi2: f64 = x
        .iter()
        .zip(y)
        .zip(w)
        .map(|((a, b), wi)| {
            let r = b - intercept - slope * a;
            wi * r * r
        })
        .sum();
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| {
            let r = b - intercept - slope * a;
            r * r
        })
        .sum();
    let dof = x.len().saturating_sub(2);
    let p_value = if dof == 0 {
        1.0
    } else {
        ChiSquared::new(dof as f64)
            .map(|d| d.sf(chi2))
            .unwrap_or(f64::NAN)
    };
    WeightedFit {
        intercept,
        slope,
        slope_se: if sxx > 0.0 {
            (1.0 / sxx).sqrt()
        } else {
            f64::INFINITY
        },
        chi2,
        rss,
        dof,
        p_value,
    }
}

/// The verdict from the two models' p-values (module docs). `range` is size_max − size_min: when
/// both models fit and even the exponential model's 95% upper rate grows the cost by less than
/// [`MAX_FLAT_GROWTH`] over the range, the curve shows no exponential cost at all and is called
/// polynomial (bounded growth, e.g. a work count of degree ≈ 0); pass `f64::NAN` to skip that
/// rule.
pub fn verdict(polynomial: &WeightedFit, exponential: &WeightedFit, range: f64) -> ClassVerdict {
    match (polynomial.p_value < LEVEL, exponential.p_value < LEVEL) {
        (true, false) => ClassVerdict::Exponential,
        (false, true) => ClassVerdict::Polynomial,
        (false, false) if bounded_growth(exponential, range) => ClassVerdict::Polynomial,
        _ => ClassVerdict::Inconclusive,
    }
}

/// A fitted exponential that, even at its 95% upper rate (slope + 1.96·se), grows by less than
/// this factor over the measured range is no evidence of exponential cost.
pub const MAX_FLAT_GROWTH: f64 = 2.0;

/// Whether the exponential fit's 95% upper rate times `range` stays below ln [`MAX_FLAT_GROWTH`].
pub fn bounded_growth(exponential: &WeightedFit, range: f64) -> bool {
    let upper = exponential.slope + 1.96 * exponential.slope_se;
    range.is_finite() && upper * range < MAX_FLAT_GROWTH.ln()
}

/// Tests a curve given each size's trial costs, aggregated by `aggregate` (e.g.
/// [`crate::fit::mean_of`]); Var of each aggregated log cost by `replicates` bootstrap
/// resamples from `rng::stream(seed, "class-test", …)` plus `model_tolerance²`.
pub fn class_test(
    points: &[(f64, Vec<f64>)],
    aggregate: &Aggregate,
    model_tolerance: f64,
    replicates: usize,
    seed: u64,
) -> Result<ClassTest, ClassTestError> {
    let points: Vec<&(f64, Vec<f64>)> = points.iter().filter(|(_, c)| !c.is_empty()).collect();
    if points.len() < 3 {
        return Err(ClassTestError::TooFewSizes(points.len()));
    }
    let mut sizes = Vec::with_capacity(points.len());
    let mut log_costs = Vec::with_capacity(points.len());
    let mut variances = Vec::with_capacity(points.len());
    let mut resampled = Vec::new();
    for (k, (size, costs)) in points.iter().enumerate() {
        let cost = aggregate(costs);
        if !(size.is_finite() && *size > 0.0 && cost.is_finite() && cost > 0.0) {
            return Err(ClassTestError::NonPositive {
                size: *size,
                value: cost,
            });
        }
        let mut rng = rng::stream(seed, "class-test", &[k as u64]);
        let mut boot = Vec::with_capacity(replicates);
        for _ in 0..replicates {
            resampled.clear();
            resampled.extend((0..costs.len()).map(|_| costs[rng.random_range(0..costs.len())]));
            let c = aggregate(&resampled);
            if c.is_finite() && c > 0.0 {
                boot.push(c.ln());
            }
        }
        let var = sample_variance(&boot) + model_tolerance * model_tolerance;
        if !(var.is_finite() && var > 0.0) {
            return Err(ClassTestError::NonPositive {
                size: *size,
                value: var,
            });
        }
        sizes.push(*size);
        log_costs.push(cost.ln());
        variances.push(var);
    }
    Ok(test_log_costs(&sizes, &log_costs, variances))
}

/// The test on log costs with known variances (what [`class_test`] does after the bootstrap).
pub fn test_log_costs(sizes: &[f64], log_costs: &[f64], variances: Vec<f64>) -> ClassTest {
    let w: Vec<f64> = variances.iter().map(|v| 1.0 / v).collect();
    let log_sizes: Vec<f64> = sizes.iter().map(|s| s.ln()).collect();
    let polynomial = weighted_fit(&log_sizes, log_costs, &w);
    let exponential = weighted_fit(sizes, log_costs, &w);
    let range = sizes.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - sizes.iter().copied().fold(f64::INFINITY, f64::min);
    ClassTest {
        verdict: verdict(&polynomial, &exponential, range),
        polynomial,
        exponential,
        variances,
    }
}

/// The design's noncentrality λ: χ²_poly of the noise-free predicted exponential curve
/// log cost = c·size (the intercept does not matter) at these sizes and variances.
pub fn noncentrality(sizes: &[f64], variances: &[f64], predicted_rate: f64) -> f64 {
    let w: Vec<f64> = variances.iter().map(|v| 1.0 / v).collect();
    let log_sizes: Vec<f64> = sizes.iter().map(|s| s.ln()).collect();
    let y: Vec<f64> = sizes.iter().map(|s| predicted_rate * s).collect();
    weighted_fit(&log_sizes, &y, &w).chi2
}

/// The mirror image of [`noncentrality`] for a predicted polynomial: χ²_exp of the noise-free
/// power law log cost = b·log size at these sizes and variances — the power to reject the
/// exponential model when the truth is polynomial of degree b.
pub fn noncentrality_polynomial(sizes: &[f64], variances: &[f64], degree: f64) -> f64 {
    let w: Vec<f64> = variances.iter().map(|v| 1.0 / v).collect();
    let y: Vec<f64> = sizes.iter().map(|s| degree * s.ln()).collect();
    weighted_fit(sizes, &y, &w).chi2
}

/// The noncentrality λ below which a design is too weak to tell the classes apart
/// (docs/math.md §9 design rule).
pub const MIN_NONCENTRALITY: f64 = 10.0;

fn sample_variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::mean_of;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn weighted_fit_matches_closed_forms() {
        // Exact line, unequal weights: slope and intercept exact, χ² = 0, p = 1.
        let x = [1.0, 2.0, 4.0, 8.0];
        let y: Vec<f64> = x.iter().map(|v| 0.5 + 0.25 * v).collect();
        let f = weighted_fit(&x, &y, &[1.0, 4.0, 0.5, 2.0]);
        assert!((f.slope - 0.25).abs() < 1e-12 && (f.intercept - 0.5).abs() < 1e-12);
        assert!(f.chi2 < 1e-20 && (f.p_value - 1.0).abs() < 1e-12);
        // One residual of 1 at weight 4 on 3 points (dof 1): with x = (0, 1, 2) and y = (0, 1, 0)
        // under equal weights 4, the fit is y = 1/3 (slope 0), residuals (−1/3, 2/3, −1/3), so
        // χ² = 4·(1/9 + 4/9 + 1/9) = 8/3 and p = P(χ²₁ ≥ 8/3) = 0.10247 (2Φ̄(√(8/3))).
        let f = weighted_fit(&[0.0, 1.0, 2.0], &[0.0, 1.0, 0.0], &[4.0; 3]);
        assert!(f.slope.abs() < 1e-12);
        assert!((f.chi2 - 8.0 / 3.0).abs() < 1e-12);
        assert!((f.p_value - 0.102_470_7).abs() < 1e-6, "{}", f.p_value);
        // Slope SE with weights 1/σ²: σ / √Σ(x − x̄)² for equal σ.
        assert!((f.slope_se - (0.25f64 / 2.0).sqrt()).abs() < 1e-12);
    }

    /// Simulates `curves` noisy curves of a known law and counts the verdicts.
    fn verdict_rates(
        sizes: &[f64],
        trials: usize,
        log_cost: impl Fn(f64) -> f64,
        noise_sd: f64,
        curves: usize,
    ) -> [usize; 3] {
        let mut counts = [0usize; 3];
        for c in 0..curves {
            let mut rng = rng::stream(17, "class-test-sim", &[c as u64]);
            let points: Vec<(f64, Vec<f64>)> = sizes
                .iter()
                .map(|&s| {
                    let costs = (0..trials)
                        .map(|_| {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            (log_cost(s) + noise_sd * z).exp()
                        })
                        .collect();
                    (s, costs)
                })
                .collect();
            let test = class_test(&points, &mean_of, 0.0, 200, c as u64).unwrap();
            counts[match test.verdict {
                ClassVerdict::Polynomial => 0,
                ClassVerdict::Exponential => 1,
                ClassVerdict::Inconclusive => 2,
            }] += 1;
        }
        counts
    }

    #[test]
    fn the_rule_has_power_on_a_designed_curve_and_rarely_calls_the_wrong_class() {
        // Rejection-like curves (docs/math.md §6): rate ln 2 + ½ per size, log-normal trial
        // noise of sd 1 (the spread of ln P_acc over y at m' ≈ 8), 128 trials per size,
        // sizes 4–12. Design: λ ≫ 10.
        let sizes = [4.0, 6.0, 8.0, 10.0, 12.0];
        let rate = std::f64::consts::LN_2 + 0.5;
        // Var of the log of a mean of 128 log-normal(σ = 1) costs ≈ (e − 1)/128 (delta method).
        let var = (1f64.exp() - 1.0) / 128.0;
        let lambda = noncentrality(&sizes, &[var; 5], rate);
        assert!(lambda > 10.0, "λ = {lambda}");
        let curves = 200;
        let exp = verdict_rates(&sizes, 128, |s| rate * s, 1.0, curves);
        // Exact exponential data: "exponential" at least 90% (power at this λ is ≈ 1; the
        // exponential model is itself rejected at 5% by chance); "polynomial" never.
        eprintln!("verdict counts [poly, exp, inconclusive]: exponential data {exp:?}");
        assert!(exp[1] >= 180, "{exp:?}");
        assert_eq!(exp[0], 0, "{exp:?}");
        // Exact polynomial data of the same range (cost ∝ size^b with b matching the growth from
        // size 4 to 12): never "exponential" beyond the 5% level's chance (≤ 10% here).
        let b = rate * 8.0 / 3f64.ln();
        let poly = verdict_rates(&sizes, 128, |s| b * s.ln(), 1.0, curves);
        eprintln!("verdict counts [poly, exp, inconclusive]: polynomial data {poly:?}");
        assert!(poly[1] <= 20, "{poly:?}");
        assert!(poly[0] >= 160, "{poly:?}");
    }

    #[test]
    fn too_short_or_noisy_curves_are_inconclusive_not_a_default_class() {
        // Three sizes close together with heavy noise: λ ≪ 1, so both models fit and the test
        // says so (inconclusive) in the vast majority of curves — it never defaults to a class.
        let sizes = [6.0, 7.0, 8.0];
        let var = (1f64.exp() - 1.0) / 8.0;
        assert!(noncentrality(&sizes, &[var; 3], 1.193) < 1.0);
        let counts = verdict_rates(&sizes, 8, |s| 1.193 * s, 1.0, 200);
        eprintln!("verdict counts [poly, exp, inconclusive]: short curves {counts:?}");
        assert!(counts[2] >= 170, "{counts:?}");
    }

    #[test]
    fn exact_counts_need_a_model_tolerance() {
        // A count that is a power law up to a lower-order term (weights = 3n² + 4n, best power
        // fit n^1.95 within 2.4% on log cost): with no tolerance both models are rejected
        // (inconclusive: neither is exact); with 5% allowed on log cost the polynomial fits
        // (χ² = 0.64 on 3 dof) and the exponential is rejected.
        let pts: Vec<(f64, Vec<f64>)> = [8.0, 16.0, 32.0, 64.0, 128.0]
            .iter()
            .map(|&n: &f64| (n, vec![3.0 * n * n + 4.0 * n]))
            .collect();
        let strict = class_test(&pts, &mean_of, 1e-6, 50, 1).unwrap();
        assert_eq!(strict.verdict, ClassVerdict::Inconclusive);
        let tolerant = class_test(&pts, &mean_of, 0.05, 50, 1).unwrap();
        assert_eq!(tolerant.verdict, ClassVerdict::Polynomial, "{tolerant:?}");
        assert!((tolerant.polynomial.slope - 1.95).abs() < 0.01);
        assert!((tolerant.polynomial.chi2 - 0.640).abs() < 0.01);
    }

    #[test]
    fn bad_input_is_an_error() {
        let two = vec![(1.0, vec![1.0]), (2.0, vec![2.0])];
        assert_eq!(
            class_test(&two, &mean_of, 0.1, 10, 0),
            Err(ClassTestError::TooFewSizes(2))
        );
        let zero = vec![(1.0, vec![1.0]), (2.0, vec![0.0]), (3.0, vec![3.0])];
        assert!(matches!(
            class_test(&zero, &mean_of, 0.1, 10, 0),
            Err(ClassTestError::NonPositive { .. })
        ));
        // Exact data and no tolerance: zero variance is refused, not divided by.
        let exact = vec![(1.0, vec![1.0]), (2.0, vec![2.0]), (3.0, vec![3.0])];
        assert!(matches!(
            class_test(&exact, &mean_of, 0.0, 10, 0),
            Err(ClassTestError::NonPositive { .. })
        ));
    }
}
