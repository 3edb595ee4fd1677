//! OU time: the one place where hardiff computes α_t, v_t, the OU-time ↔ VE-σ maps and the
//! exact OU marginal of a law (docs/math.md §0).
//!
//! Why a module: every crate needs these coefficients (samplers, score networks, g̃'s
//! VE-level formulas, the pancakes' law at time t), and the small-t forms (`expm1`, `ln_1p`) must
//! be used everywhere to keep them accurate near t = 0. Every other crate calls these functions
//! instead of writing e^{−2t} out, so the expressions — and therefore every number hardiff
//! produces — are defined once.
//!
//! Convention (docs/math.md §0): the forward process is dX = −X dt + √2 dB, so
//! X_t = α_t X_0 + √v_t Z with α_t = e^{−t} and v_t = 1 − e^{−2t}. The VE view divides by α_t:
//! X_t/α_t = X_0 + σZ with σ² = e^{2t} − 1.
//!
//! ```
//! use hardiff_dist::ou_time;
//! let t = 0.3;
//! // α_t² + v_t = 1, and σ = e^t √v_t (docs/math.md §0).
//! assert!((ou_time::alpha(t).powi(2) + ou_time::variance(t) - 1.0).abs() < 1e-15);
//! let sigma = ou_time::ou_time_to_ve_sigma(t);
//! assert!((sigma - t.exp() * ou_time::noise_std(t)).abs() < 1e-15);
//! assert!((ou_time::ve_sigma_to_ou_time(sigma) - t).abs() < 1e-15);
//! ```

use crate::error::{Error, Result};
use crate::score::{Dimension, SampleBatch};
use ndarray::{Array2, ArrayView2, Zip};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Checks that `t` is an OU time: finite and ≥ 0. Returns it unchanged.
///
/// Errors: [`Error::OutOfRange`] with the offending `t`.
pub fn validate(t: f64) -> Result<f64> {
    if t.is_finite() && t >= 0.0 {
        Ok(t)
    } else {
        Err(Error::OutOfRange {
            name: "t",
            value: t,
            range: "[0, ∞)",
        })
    }
}

/// Checks that `t` is a finite OU time > 0, for laws with atoms whose density and score exist
/// only after some noise (g̃, discrete Gaussians). `why` says why t = 0 is refused.
///
/// Errors: [`Error::TimeNotPositive`] with the offending `t`.
pub fn validate_positive(t: f64, why: &'static str) -> Result<f64> {
    if t > 0.0 && t.is_finite() {
        Ok(t)
    } else {
        Err(Error::TimeNotPositive { t, why })
    }
}

/// α_t = e^{−t}, the factor X_0 is shrunk by at OU time t (docs/math.md §0).
pub fn alpha(t: f64) -> f64 {
    (-t).exp()
}

/// v_t = 1 − e^{−2t}, the variance of X_t given X_0 (docs/math.md §0), computed as
/// −expm1(−2t) so that it keeps its digits at small t (v_t ≈ 2t).
pub fn variance(t: f64) -> f64 {
    -(-2.0 * t).exp_m1()
}

/// √v_t = √(1 − e^{−2t}), the standard deviation of the noise added by OU time t
/// (docs/math.md §0). It is also the scale of the normalised score error √v_t·√E‖ŝ − s‖²
/// (docs/math.md §5, §8).
pub fn noise_std(t: f64) -> f64 {
    variance(t).sqrt()
}

/// The VE noise level σ = √(e^{2t} − 1) of OU time t (docs/math.md §0), via expm1.
pub fn ou_time_to_ve_sigma(t: f64) -> f64 {
    (2.0 * t).exp_m1().sqrt()
}

/// The OU time t = ½ ln(1 + σ²) of VE noise level σ (docs/math.md §0), via ln_1p.
pub fn ve_sigma_to_ou_time(sigma: f64) -> f64 {
    0.5 * (sigma * sigma).ln_1p()
}

/// σ_t = √(e^{2t}(1 + σ²) − 1): the VE level reached after OU time t by a law that is, up to
/// the scale √(1 + σ²), a base law smoothed at VE level σ (docs/math.md §2 "law at OU time t":
/// pancakes at time t are pancakes with σ_t). Computed as √(e^{2t}σ² + (e^{2t} − 1)) to keep
/// digits at small t.
pub fn advance_ve_sigma(sigma: f64, t: f64) -> f64 {
    ((2.0 * t).exp() * sigma * sigma + (2.0 * t).exp_m1()).sqrt()
}

/// Tweedie's denoiser D_t(x) = E[X_0 | X_t = x] = e^t (x + v_t s_t(x)) (docs/math.md §0),
/// row by row, from points `x` and the score values `score` = s_t(x) at OU time t.
///
/// Errors: `t` not an OU time; `score` not of the shape of `x`.
pub fn denoise(t: f64, x: ArrayView2<f64>, score: ArrayView2<f64>) -> Result<Array2<f64>> {
    let t = validate(t)?;
    if score.nrows() != x.nrows() {
        return Err(Error::DimensionMismatch {
            what: "rows of the score values (must equal the number of points)",
            expected: x.nrows(),
            got: score.nrows(),
        });
    }
    if score.ncols() != x.ncols() {
        return Err(Error::DimensionMismatch {
            what: "columns of the score values (must equal the point dimension)",
            expected: x.ncols(),
            got: score.ncols(),
        });
    }
    let (et, vt) = (t.exp(), variance(t));
    let mut out = Array2::zeros(x.raw_dim());
    Zip::from(&mut out)
        .and(&x)
        .and(&score)
        .for_each(|o, &xi, &si| *o = et * (xi + vt * si));
    Ok(out)
}

/// The law of X_t = α_t X_0 + √v_t Z at OU time t, for X_0 drawn from `law` (docs/math.md §0):
/// exact sampling at time t of any [`SampleBatch`] law.
///
/// A batch draws the `n` points of X_0 first (all of `law`'s draws), then the `n × d` normals
/// Z in row-major order; at t = 0 it draws no normals at all. Built by, e.g.,
/// [`crate::OwfDistribution::at_time`], or directly for any law.
#[derive(Debug, Clone)]
pub struct OuMarginal<L> {
    law: L,
    t: f64,
}

impl<L: SampleBatch> OuMarginal<L> {
    /// The law of X_t for X_0 ~ `law`. Errors: `t` not a finite OU time ≥ 0.
    pub fn new(law: L, t: f64) -> Result<Self> {
        Ok(Self {
            law,
            t: validate(t)?,
        })
    }
    /// The law of X_0.
    pub fn law(&self) -> &L {
        &self.law
    }
    /// The OU time t.
    pub fn time(&self) -> f64 {
        self.t
    }
}

impl<L: Dimension> Dimension for OuMarginal<L> {
    fn dim(&self) -> usize {
        self.law.dim()
    }
}

impl<L: SampleBatch> SampleBatch for OuMarginal<L> {
    /// X_0 from the law, then α_t X_0 + √v_t Z (no normals drawn at t = 0).
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        let mut x = self.law.sample_batch(rng, n);
        if self.t > 0.0 {
            let (a, s) = (alpha(self.t), noise_std(self.t));
            x.mapv_inplace(|v| a * v + s * rng.sample::<f64, _>(StandardNormal));
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_time_round_trip_and_closed_forms() {
        for t in [1e-8, 1e-3, 0.5, 3.0, 10.0] {
            let s = ou_time_to_ve_sigma(t);
            assert!((ve_sigma_to_ou_time(s) - t).abs() <= 1e-14 * t.max(1.0));
            // σ² = e^{2t} − 1 (docs/math.md §0); the naive reference loses ~1e−16/t relative
            // digits, so at small t compare with the series 2t + 2t² + (4/3)t³ instead.
            let reference = if t < 1e-4 {
                2.0 * t + 2.0 * t * t + 4.0 / 3.0 * t.powi(3)
            } else {
                (2.0 * t).exp() - 1.0
            };
            assert!((s * s - reference).abs() <= 1e-12 * reference);
            // α_t² + v_t = 1 and σ = e^t √v_t.
            assert!((alpha(t).powi(2) + variance(t) - 1.0).abs() < 1e-15);
            assert!((s - t.exp() * noise_std(t)).abs() <= 1e-14 * s);
        }
        // Small-t accuracy: v_t = 2t − 2t² + O(t³).
        assert!((variance(1e-10) - (2e-10 - 2e-20)).abs() < 1e-25);
        for sigma in [1e-4, 0.0651, 1.0, 30.0] {
            let t = ve_sigma_to_ou_time(sigma);
            assert!((ou_time_to_ve_sigma(t) / sigma - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn advancing_the_ve_level_composes_times() {
        // 1 + σ_t² = e^{2t}(1 + σ²): advancing by s then t is advancing by s + t, and from
        // σ = 0 it is the plain map t ↦ σ.
        for (sigma, s, t) in [(0.05, 0.1, 0.2), (1.0, 1e-6, 2.0), (3.0, 0.5, 0.5)] {
            let two = advance_ve_sigma(advance_ve_sigma(sigma, s), t);
            assert!((two / advance_ve_sigma(sigma, s + t) - 1.0).abs() < 1e-13);
        }
        assert!((advance_ve_sigma(0.0, 0.7) / ou_time_to_ve_sigma(0.7) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn validation_rejects_bad_times() {
        assert!(validate(0.0).is_ok());
        for t in [-1e-300, f64::NAN, f64::INFINITY] {
            assert!(matches!(validate(t), Err(Error::OutOfRange { .. })));
        }
        assert!(matches!(
            validate_positive(0.0, "atoms"),
            Err(Error::TimeNotPositive { t, .. }) if t == 0.0
        ));
        assert_eq!(validate_positive(0.5, "atoms").unwrap(), 0.5);
    }

    #[test]
    fn denoiser_checks_shapes() {
        let x = Array2::<f64>::zeros((2, 3));
        let s = Array2::<f64>::zeros((3, 2));
        assert!(matches!(
            denoise(0.1, x.view(), s.view()),
            Err(Error::DimensionMismatch { .. })
        ));
        assert!(denoise(-1.0, x.view(), x.view()).is_err());
    }
}
