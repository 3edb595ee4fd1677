//! The forward Ornstein–Uhlenbeck process dX = −X dt + √2 dB (docs/math.md §0) and its exact
//! transitions and bridges.
//!
//! The coefficients α_t, v_t and the OU-time ↔ VE-σ map are owned by
//! [`hardiff_dist::ou_time`] (one definition for every crate); this module uses them for the
//! process's transitions, the sampler's start and the DDPM bridge.

use crate::error::{Error, Result};
use hardiff_dist::ou_time;
/// Re-exported from [`hardiff_dist::ou_time`] (the one owner), so that a user of hardiff-sde
/// alone can write a score: α_t = e^{−t} and v_t = 1 − e^{−2t}.
pub use hardiff_dist::ou_time::{alpha, ou_time_to_ve_sigma, variance, ve_sigma_to_ou_time};
use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Checks that `t` is a finite OU time ≥ 0.
pub(crate) fn check_time(t: f64) -> Result<f64> {
    Ok(ou_time::validate(t)?)
}

/// Fills `out` with i.i.d. N(0, 1) draws.
pub(crate) fn fill_normal(rng: &mut dyn rand::RngCore, mut out: ArrayViewMut2<f64>) {
    for v in out.iter_mut() {
        *v = rng.sample(StandardNormal);
    }
}

/// Draws `n` points of the stationary law N(0, I_d) — the sampler's start at time T
/// (docs/math.md §7: at T ≈ 10 the law of X_T is e^{−T}-close to it).
pub fn stationary_sample(rng: &mut dyn rand::RngCore, n: usize, d: usize) -> Array2<f64> {
    let mut x = Array2::zeros((n, d));
    fill_normal(rng, x.view_mut());
    x
}

/// Exact forward transition X_{t_to} | X_{t_from} = x for t_to ≥ t_from:
/// e^{−Δ} x + √(1 − e^{−2Δ}) Z with Δ = t_to − t_from (docs/math.md §0).
pub fn transition(
    x: ArrayView2<f64>,
    t_from: f64,
    t_to: f64,
    rng: &mut dyn rand::RngCore,
) -> Result<Array2<f64>> {
    check_time(t_from)?;
    check_time(t_to)?;
    if t_to < t_from {
        return Err(Error::Invalid(format!(
            "forward transition needs t_to ≥ t_from, got {t_from} → {t_to}"
        )));
    }
    let dt = t_to - t_from;
    let mut out = Array2::zeros(x.raw_dim());
    fill_normal(rng, out.view_mut());
    out *= variance(dt).sqrt();
    out.scaled_add(alpha(dt), &x);
    Ok(out)
}

/// Exact forward noising from time 0: X_t = α_t x_0 + √v_t Z (docs/math.md §0).
pub fn forward(x0: ArrayView2<f64>, t: f64, rng: &mut dyn rand::RngCore) -> Result<Array2<f64>> {
    transition(x0, 0.0, t, rng)
}

/// Coefficients of the exact OU bridge q(x_{t'} | x_t, x_0) for 0 ≤ t' < t (docs/math.md §7):
/// mean = `c_x0`·x_0 + `c_xt`·x_t, variance `var`·I, with a = e^{−(t−t')}, b = 1 − a²:
/// c_x0 = b α_{t'}/v_t, c_xt = a v_{t'}/v_t, var = b v_{t'}/v_t.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bridge {
    /// Coefficient of x_0 in the mean.
    pub c_x0: f64,
    /// Coefficient of x_t in the mean.
    pub c_xt: f64,
    /// Variance (per coordinate).
    pub var: f64,
}

impl Bridge {
    /// The bridge from t down to t_next (requires 0 ≤ t_next < t).
    pub fn new(t: f64, t_next: f64) -> Result<Self> {
        check_time(t_next)?;
        if !(t > t_next && t.is_finite()) {
            return Err(Error::Invalid(format!(
                "bridge needs t > t_next ≥ 0, got {t} → {t_next}"
            )));
        }
        let h = t - t_next;
        let a = alpha(h);
        let b = variance(h);
        let vt = variance(t);
        let vn = variance(t_next);
        Ok(Self {
            c_x0: b * alpha(t_next) / vt,
            c_xt: a * vn / vt,
            var: b * vn / vt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridge_is_consistent_with_marginals() {
        // For x_0 fixed: E[x_t'] = α_{t'} x_0 = c_x0 x_0 + c_xt α_t x_0 and
        // Var[x_t'] = v_{t'} = c_xt² v_t + var (the bridge composed with q(x_t | x_0)).
        for (t, tn) in [(1.0, 0.5), (0.01, 0.001), (8.0, 0.2), (0.3, 0.0)] {
            let b = Bridge::new(t, tn).unwrap();
            assert!((b.c_x0 + b.c_xt * alpha(t) - alpha(tn)).abs() < 1e-14);
            assert!((b.c_xt * b.c_xt * variance(t) + b.var - variance(tn)).abs() < 1e-14);
        }
        assert!(Bridge::new(0.5, 0.5).is_err());
    }
}
