//! Score-error metrics (MATH.md §8): the L2 error E_{x~p_t}‖ŝ(t,x) − s_t(x)‖² by Monte Carlo
//! with its standard error, and its normalised form √v_t·√E‖·‖².

use crate::error::{count, Error, Result};
use crate::score_mlp::ou_variance;
use hardiff_dist::{SampleBatch, Score};
use ndarray::{Array2, ArrayView2};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// A Monte Carlo estimate of the L2 score error at one time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorEstimate {
    /// OU time t.
    pub t: f64,
    /// Mean over the points of ‖ŝ − s‖² (estimates E_{p_t}‖ŝ − s‖²).
    pub mse: f64,
    /// Standard error of `mse` (sample standard deviation / √n).
    pub std_err: f64,
    /// √v_t·√mse (scale-free, MATH.md §8).
    pub normalised: f64,
    /// Number of points.
    pub n: usize,
}

/// Draws `n` points of p_t: x_t = α_t x₀ + √v_t z with x₀ from `data` (MATH.md §0).
pub fn noised_samples(
    data: &dyn SampleBatch,
    t: f64,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<Array2<f64>> {
    hardiff_dist::error::ou_time(t)?;
    count("number of points", n)?;
    let mut x = data.sample_batch(rng, n);
    let (alpha, sd) = ((-t).exp(), ou_variance(t).sqrt());
    x.mapv_inplace(|v| {
        let z: f64 = StandardNormal.sample(rng);
        alpha * v + sd * z
    });
    Ok(x)
}

/// The L2 error of `estimate` against `reference` at time `t` over the given points of p_t.
pub fn l2_score_error(
    estimate: &dyn Score,
    reference: &dyn Score,
    t: f64,
    points: ArrayView2<f64>,
) -> Result<ErrorEstimate> {
    if estimate.dim() != reference.dim() {
        return Err(Error::DimensionMismatch {
            what: "estimate vs reference score dimension",
            expected: reference.dim(),
            got: estimate.dim(),
        });
    }
    count("number of points", points.nrows())?;
    let mut a = Array2::zeros(points.raw_dim());
    let mut b = Array2::zeros(points.raw_dim());
    estimate.score(t, points, a.view_mut())?;
    reference.score(t, points, b.view_mut())?;
    let errs: Vec<f64> = (&a - &b)
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    Ok(summarise(t, &errs))
}

/// Mean, standard error and normalised form of per-point squared errors.
pub fn summarise(t: f64, sq_errors: &[f64]) -> ErrorEstimate {
    let n = sq_errors.len();
    let mean = sq_errors.iter().sum::<f64>() / n as f64;
    let var = if n > 1 {
        sq_errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    ErrorEstimate {
        t,
        mse: mean,
        std_err: (var / n as f64).sqrt(),
        normalised: (ou_variance(t) * mean).sqrt(),
        n,
    }
}
