//! The half-lattice sums h^±_σ of g̃'s coordinate law (docs/math.md §5).

use super::params::OwfParams;
use crate::discrete_gaussian::DiscreteGaussian;
use crate::error::{positive, Result};
use std::f64::consts::PI;

/// The half-lattice sums h^±_σ(x) = Σ_{k∈L, ±k>0} P(k) φ_{σ²}(x − k) of docs/math.md §5 at one VE
/// level σ, with P the law D_α on L = α(Z + ½) (envelope R). Each has mass ½, and
/// h^−(x) = h^+(−x) by symmetry.
///
/// Computed in log space by a direct sum: completing the square,
/// log P(k) − (x − k)²/(2σ²) = −log Z − (k − c)²/(2u) − x²/(2(R² + σ²)) with
/// u = R²σ²/(R² + σ²) and c = x R²/(R² + σ²). The terms kept are those within e^{−40} of the
/// largest term of the half-lattice: k ∈ [c − r, c + r] with r = √(80u), and, when that window
/// misses the half-lattice, its first point and the next ⌈r/α⌉ + 1 (the terms fall off at least
/// like e^{−(jα)²/(2u)} from the first), so the relative truncation error is below ~e^{−40}.
/// (log h^+)′(x) = (E_w\[k\] − x)/σ² with w the normalised terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfLatticeSums {
    spacing: f64,
    pub(super) sigma2: f64,
    u: f64,
    shrink: f64,
    inv_total: f64,
    radius: f64,
    log_constant: f64,
}

/// Exponent below which lattice terms are dropped (relative e^{−40}, as in docs/math.md §1 sums).
const HALF_SUM_EXPONENT: f64 = 40.0;

impl HalfLatticeSums {
    /// h^±_σ for the lattice law of `params` at VE level σ > 0.
    pub fn new(params: &OwfParams, sigma: f64) -> Result<Self> {
        let sigma = positive("sigma", sigma)?;
        let r2 = params.envelope() * params.envelope();
        let sigma2 = sigma * sigma;
        let u = r2 * sigma2 / (r2 + sigma2);
        let log_z =
            DiscreteGaussian::new(params.spacing() / 2.0, params.spacing(), params.envelope())?
                .log_normaliser();
        Ok(Self {
            spacing: params.spacing(),
            sigma2,
            u,
            shrink: r2 / (r2 + sigma2),
            inv_total: 1.0 / (r2 + sigma2),
            radius: (2.0 * HALF_SUM_EXPONENT * u).sqrt(),
            log_constant: -log_z - 0.5 * (2.0 * PI * sigma2).ln(),
        })
    }

    /// The VE level σ.
    pub fn sigma(&self) -> f64 {
        self.sigma2.sqrt()
    }

    /// (log h^+_σ(x), (log h^+_σ)′(x)).
    pub fn plus(&self, x: f64) -> (f64, f64) {
        let a = self.spacing;
        let c = self.shrink * x;
        // Lattice points k_j = α(j + ½), j ≥ 0.
        let lo = ((c - self.radius) / a - 0.5).floor().max(0.0);
        let hi = ((c + self.radius) / a - 0.5)
            .ceil()
            .max(lo + (self.radius / a).ceil() + 1.0);
        let (lo, hi) = (lo as i64, hi as i64);
        let inv_2u = 0.5 / self.u;
        // The largest exponent is at the kept point nearest c; subtract it for stability.
        let nearest = ((c / a - 0.5).round() as i64).clamp(lo, hi);
        let e_max = {
            let d = a * (nearest as f64 + 0.5) - c;
            -d * d * inv_2u
        };
        let (mut s0, mut s1) = (0.0, 0.0);
        for j in lo..=hi {
            let k = a * (j as f64 + 0.5);
            let d = k - c;
            let w = (-d * d * inv_2u - e_max).exp();
            s0 += w;
            s1 += w * (k - c);
        }
        // E_w[k] − x = (E_w[k − c]) + c − x, kept in that form so that σ → 0 loses no digits
        // through k − x when k ≈ x.
        let mean_k_minus_x = s1 / s0 + (c - x);
        (
            self.log_constant - 0.5 * x * x * self.inv_total + e_max + s0.ln(),
            mean_k_minus_x / self.sigma2,
        )
    }

    /// (log h^−_σ(x), (log h^−_σ)′(x)) = (log h^+(−x), −(log h^+)′(−x)).
    pub fn minus(&self, x: f64) -> (f64, f64) {
        let (l, d) = self.plus(-x);
        (l, -d)
    }

    /// h^{s}: `positive = true` is h^+ (seed bit 1), `false` is h^− (seed bit 0).
    pub fn half(&self, positive: bool, x: f64) -> (f64, f64) {
        if positive {
            self.plus(x)
        } else {
            self.minus(x)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::log_sum_exp;
    use crate::smoothed::SmoothedDiscreteGaussian;

    #[test]
    fn half_sums_add_up_to_the_smoothed_discrete_gaussian() {
        // h^+ + h^− = g_σ (docs/math.md §5), against smoothed.rs's independent lattice-sum code.
        let p = OwfParams::default_rule(4, 4).unwrap();
        for sigma in [0.01, 0.06, 0.3, 1.0, 4.0] {
            let h = HalfLatticeSums::new(&p, sigma).unwrap();
            let g = SmoothedDiscreteGaussian::new(0.25, 0.5, 1.0, sigma).unwrap();
            for x in [-3.0, -0.7, -0.1, 0.0, 0.05, 0.25, 1.3, 4.0] {
                let (lp, dp) = h.plus(x);
                let (lm, dm) = h.minus(x);
                let l = log_sum_exp(&[lp, lm]);
                let gv = g.eval(x);
                assert!(
                    (l - gv.log_density).abs() < 1e-10,
                    "σ={sigma} x={x}: {l} vs {}",
                    gv.log_density
                );
                // (log g)′ = (h^+ (log h^+)′ + h^− (log h^−)′)/g.
                let d = (lp - l).exp() * dp + (lm - l).exp() * dm;
                assert!(
                    (d - gv.score).abs() < 1e-8 * (1.0 + gv.score.abs()),
                    "σ={sigma} x={x}: {d} vs {}",
                    gv.score
                );
            }
        }
    }
}
