//! The L2 error of a score against a reference score under the law at OU time t — the one
//! estimator of score accuracy in hardiff (docs/math.md §5 "Accuracy measure", §8).
//!
//! Why a module: the networks of hardiff-nn, the efficient score of g̃ and the distinguisher's
//! oracles are all judged by the same number, E_{p_t}‖ŝ_t − s_t‖², and its scale-free form
//! √v_t·√E‖ŝ_t − s_t‖² (equal to σ·√E_{p_σ}‖ŝ_σ − s_σ‖² in VE units, docs/math.md §0). One
//! estimator means one definition of that number and of its Monte-Carlo standard error.
//!
//! The caller supplies the points (draws of p_t, e.g. from [`crate::ou_time::OuMarginal`]), so
//! the same points can judge several estimates.

use crate::error::{Error, Result};
use crate::ou_time;
use crate::score::Score;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// A Monte-Carlo estimate of the L2 error of a score against a reference at one OU time
/// ([`l2_score_error`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreError {
    /// OU time t.
    pub t: f64,
    /// VE level σ = √(e^{2t} − 1) of t.
    pub sigma: f64,
    /// Number of Monte-Carlo points.
    pub points: usize,
    /// The mean over the points of ‖ŝ_t − s_t‖² (estimates E_{p_t}‖ŝ_t − s_t‖²).
    pub mean_squared_error: f64,
    /// Standard error of `mean_squared_error` (sample standard deviation / √points; 0 for one
    /// point).
    pub std_error: f64,
    /// √`mean_squared_error`, in OU units.
    pub rms_error: f64,
    /// √v_t·√E_{p_t}‖ŝ_t − s_t‖² = σ·√E_{p_σ}‖ŝ_σ − s_σ‖², the scale-free error of
    /// docs/math.md §5 and §8 (compare with ε).
    pub normalised_error: f64,
    /// Standard error of `normalised_error` (delta method; 0 when the error is 0).
    pub normalised_std_error: f64,
    /// √v_t·√E‖s_t‖², the normalised size of the reference score itself (≈ √d at large t).
    pub normalised_reference_norm: f64,
}

/// The L2 error of `estimate` against `reference` at OU time t over `points` (rows, drawn from
/// the law at time t by the caller): mean squared error, its standard error, and the
/// normalised form √v_t·√mse with its delta-method standard error.
///
/// Errors: the two scores of different dimensions, no points, or whatever the scores return
/// (shape mismatch, t outside their range).
pub fn l2_score_error(
    estimate: &dyn Score,
    reference: &dyn Score,
    t: f64,
    points: ArrayView2<f64>,
) -> Result<ScoreError> {
    let d = reference.dim();
    Ok(weighted_l2_score_error_split(estimate, reference, t, points, None, d)?.0)
}

/// [`l2_score_error`], with the squared error also split into the coordinates `0..split` and
/// `split..d` (returns the estimate and the mean squared errors of the two parts; the per-point
/// error is summed part by part, so splitting changes the rounding, not the value), and with
/// optional importance weights: the points are draws of a proposal q and
/// `weights[b]` = p_t/q at point b, so every mean (the squared error, its two parts and the
/// reference's size) is the importance-sampling mean (1/N)Σ_b w_b·(·)_b, and the standard error
/// is the sample standard deviation of w_b‖ŝ − s‖²_b over √N (docs/math.md §5 "Accuracy
/// measure"). `None` is the plain estimator (all weights 1, the same arithmetic). A point of
/// weight 0 contributes 0 whatever its error (a proposal point where p_t underflows).
///
/// Errors: those of [`l2_score_error`], and weights of the wrong length.
pub(crate) fn weighted_l2_score_error_split(
    estimate: &dyn Score,
    reference: &dyn Score,
    t: f64,
    points: ArrayView2<f64>,
    weights: Option<&[f64]>,
    split: usize,
) -> Result<(ScoreError, f64, f64)> {
    let d = reference.dim();
    if estimate.dim() != d {
        return Err(Error::DimensionMismatch {
            what: "estimate vs reference score dimension",
            expected: d,
            got: estimate.dim(),
        });
    }
    let count = points.nrows();
    if count == 0 {
        return Err(Error::OutOfRange {
            name: "number of points",
            value: 0.0,
            range: "≥ 1",
        });
    }
    if let Some(w) = weights {
        if w.len() != count {
            return Err(Error::DimensionMismatch {
                what: "number of importance weights vs points",
                expected: count,
                got: w.len(),
            });
        }
    }
    let s_estimate = estimate.score_owned(t, points)?;
    let s_reference = reference.score_owned(t, points)?;
    let (mut sq, mut sq_head, mut sq_tail, mut reference_sq) =
        (Vec::with_capacity(count), 0.0, 0.0, 0.0);
    for b in 0..count {
        let (mut head, mut tail, mut norm) = (0.0, 0.0, 0.0);
        for k in 0..d {
            let e = s_estimate[[b, k]] - s_reference[[b, k]];
            if k < split {
                head += e * e;
            } else {
                tail += e * e;
            }
            // The plain estimator accumulates straight into the total, as it always has, so
            // its numbers are bit for bit those of before weights existed.
            if weights.is_some() {
                norm += s_reference[[b, k]] * s_reference[[b, k]];
            } else {
                reference_sq += s_reference[[b, k]] * s_reference[[b, k]];
            }
        }
        match weights.map(|w| w[b]) {
            None => {
                sq.push(head + tail);
                sq_head += head;
                sq_tail += tail;
            }
            // Weight 0 stays 0 even against a non-finite error (0·∞ would be NaN).
            Some(0.0) => sq.push(0.0),
            Some(w) => {
                reference_sq += w * norm;
                sq.push(w * (head + tail));
                sq_head += w * head;
                sq_tail += w * tail;
            }
        }
    }
    let np = count as f64;
    let mean = sq.iter().sum::<f64>() / np;
    let var = if count > 1 {
        sq.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (np - 1.0)
    } else {
        0.0
    };
    let std_error = (var / np).sqrt();
    let scale = ou_time::noise_std(t);
    let normalised_std_error = if mean > 0.0 {
        scale * std_error / (2.0 * mean.sqrt())
    } else {
        0.0
    };
    Ok((
        ScoreError {
            t,
            sigma: ou_time::ou_time_to_ve_sigma(t),
            points: count,
            mean_squared_error: mean,
            std_error,
            rms_error: mean.sqrt(),
            normalised_error: scale * mean.sqrt(),
            normalised_std_error,
            normalised_reference_norm: scale * (reference_sq / np).sqrt(),
        },
        sq_head / np,
        sq_tail / np,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Gaussian, StandardGaussian};
    use ndarray::{array, Array1};

    #[test]
    fn closed_form_error_of_a_shifted_gaussian_score() {
        // Reference N(0, 1) (score −x), estimate N(μ, 1) at OU time t: its score is
        // −(x − α_t μ), so ŝ − s = α_t μ at every point — mse = α_t²μ² exactly, with zero spread.
        let t = 0.4;
        let mu = 0.3;
        let shifted = Gaussian::new(Array1::from_elem(1, mu), array![[1.0]]).unwrap();
        let reference = StandardGaussian::new(1).unwrap();
        let x = array![[-1.0], [0.0], [0.5], [2.0]];
        let e = l2_score_error(&shifted, &reference, t, x.view()).unwrap();
        let expected = (ou_time::alpha(t) * mu).powi(2);
        assert!((e.mean_squared_error - expected).abs() < 1e-15);
        assert!(e.std_error < 1e-15);
        assert!((e.normalised_error - ou_time::noise_std(t) * expected.sqrt()).abs() < 1e-15);
        assert_eq!(e.points, 4);
        // The reference's own size: √v_t·√mean(x²) with x² = (1, 0, 0.25, 4).
        let ref_norm = ou_time::noise_std(t) * (5.25f64 / 4.0).sqrt();
        assert!((e.normalised_reference_norm - ref_norm).abs() < 1e-15);
        // Against itself: exactly zero.
        let zero = l2_score_error(&reference, &reference, t, x.view()).unwrap();
        assert_eq!(zero.mean_squared_error, 0.0);
        assert_eq!(zero.normalised_std_error, 0.0);
    }

    #[test]
    fn rejects_mismatched_dimensions_and_empty_batches() {
        let a = StandardGaussian::new(2).unwrap();
        let b = StandardGaussian::new(3).unwrap();
        let x = ndarray::Array2::<f64>::zeros((4, 3));
        assert!(matches!(
            l2_score_error(&a, &b, 0.1, x.view()),
            Err(Error::DimensionMismatch { .. })
        ));
        let empty = ndarray::Array2::<f64>::zeros((0, 3));
        assert!(matches!(
            l2_score_error(&b, &b, 0.1, empty.view()),
            Err(Error::OutOfRange { .. })
        ));
    }
}
