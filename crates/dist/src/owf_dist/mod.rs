//! The hard instance g̃ built from a one-way function (docs/math.md §5).
//!
//! This module exists because g̃ is the distribution on which the two hardness theorems meet:
//! its score is *easy* (one f-evaluation, [`EfficientOwfScore`]) at every noise level, yet
//! posterior sampling on it inverts f (docs/math.md §6). Everything here is exact or brute force,
//! one concern per submodule:
//!
//! - [`params`] — [`OwfParams`]: envelope R, lattice spacing α, amplitude β, crossover σ_c and
//!   measurement noise η, with the default rule of docs/math.md §5 (σ_c = α/(2√(2 ln(n/ε²))),
//!   β = ε σ_c/√m, η = β/4, ε = 0.05);
//! - [`half_lattice`] — [`HalfLatticeSums`]: the half-lattice sums h^±_σ and their
//!   log-derivatives;
//! - [`law`] — [`OwfDistribution`]: exact sampling (i.i.d. discretized-Gaussian coordinates on
//!   α(Z + ½) drawn by the exact [`crate::DiscreteGaussian`] sampler, then u = β(2f(s) − 1)),
//!   the law at OU time t ([`OwfDistribution::at_time`]), decoding, and the brute-force
//!   log-density at t > 0;
//! - [`brute_force`] — [`BruteForceOwfScore`], the exact score over all 2^n seeds;
//! - [`efficient`] — [`EfficientOwfScore`], the score of docs/math.md §5 at one f-evaluation;
//! - [`score_error`] — [`OwfDistribution::score_error`]: the normalised L2 error
//!   σ·√E‖ŝ − s‖² of any score against the exact one under the time-t law (the crate's one
//!   estimator, [`crate::score_error`]), split into the x- and u-parts; and
//!   [`OwfDistribution::score_error_importance`], the same quantity by importance sampling near
//!   the sign boundaries x_i = 0, for the rare-event error of the rounding regime.
//!
//! Time convention (docs/math.md §0): every API takes OU time t; internally the VE level is
//! σ² = e^{2t} − 1 ([`crate::ou_time`]), p_t(x) = e^{td} p_σ(e^t x) and
//! s_t(x) = e^t s_σ(e^t x).
//!
//! # Brute force
//! The exact log-density and score sum over all 2^n seeds s with weights
//! π_s ∝ Π_i h^{s_i}_σ(x_i) Π_j φ_{σ²}(u_j − v_j(s)). The table of f(s) for all seeds is
//! computed once per distribution (2^n counted f-evaluations) and shared by its clones. Each
//! point then costs O(2^n·⌈m/8⌉) table look-ups: the input part Σ_i log h^{s_i} is split into
//! two half-tables over the low and high halves of s, the output part into 256-entry tables per
//! output byte; the posterior marginals P(s_i = 1) and P(f_j(s) = 1), which are all the score
//! needs, come from the same tables.

pub mod brute_force;
pub mod efficient;
pub mod half_lattice;
pub mod law;
pub mod params;
pub mod score_error;

pub use brute_force::BruteForceOwfScore;
pub use efficient::EfficientOwfScore;
pub use half_lattice::HalfLatticeSums;
pub use law::{Decoded, OwfDistribution};
pub use params::OwfParams;
pub use score_error::{OwfErrorEstimator, OwfScoreError};

use crate::error::{Error, Result};
use crate::ou_time;
use ndarray::ArrayView2;

/// t if it is a finite OU time > 0: g̃ has atoms, so its density and score exist only then.
fn check_time(t: f64) -> Result<f64> {
    ou_time::validate_positive(
        t,
        "g̃ has atoms at t = 0: its density and score exist only for t > 0",
    )
}

/// Checks a batch of points of dimension `d` against an output of length `out_len`.
fn check_rows(d: usize, x: &ArrayView2<f64>, out_len: usize) -> Result<()> {
    if x.ncols() != d {
        return Err(Error::DimensionMismatch {
            what: "point dimension",
            expected: d,
            got: x.ncols(),
        });
    }
    if out_len != x.nrows() {
        return Err(Error::DimensionMismatch {
            what: "output length",
            expected: x.nrows(),
            got: out_len,
        });
    }
    Ok(())
}
