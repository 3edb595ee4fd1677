//! The smoothed discrete Gaussian z + √w·g and the periodic Gaussian (mod h) (docs/math.md §1).
//!
//! Both are Gaussian mixtures on a lattice, so both reduce to one [`LatticeSum`]; this module
//! exists to give them exact densities, log-densities, scores (derivatives of log-density)
//! and samplers. The Gaussian pancakes' profile along the secret (docs/math.md §2) is a rescaled
//! smoothed discrete Gaussian, and the one-way-function distribution (docs/math.md §5) smooths the
//! discretised Gaussian D_α, so their 1-D densities and scores come from here.
//!
//! # The smoothed discrete Gaussian as one lattice sum *(derived)*
//! With z ~ D_{c+hZ, v} and y_k = c + hk, completing the square in each term gives
//!
//! p(x) = Σ_k P(k) φ_w(x − y_k)
//!      = exp(−x²/(2(v+w))) · S_u(x·v/(v+w)) / (Z_v √(2πw)),
//!
//! where S_u is the lattice sum of docs/math.md §1 over c + hZ with the *posterior* variance
//! u = vw/(v+w), and Z_v = Σ_k exp(−y_k²/(2v)) is the discrete Gaussian's normaliser. Hence
//! - log p(x) = −x²/(2(v+w)) − log Z_v − ½ log(2πw) + log S_u(x v/(v+w));
//! - (log p)′(x) = −x/(v+w) + (v/(v+w))·(log S_u)′(x v/(v+w)), the posterior-weighted average
//!   of −(x − y_k)/w (docs/math.md §1); the second term is the **excess score** over the Gaussian
//!   N(0, v+w), returned separately because subtracting x/(v+w) loses digits far in the tails;
//! - (log p)″(x) = −1/(v+w) + (v/(v+w))²·(log S_u)″(x v/(v+w)).
//!
//! The form of S_u (direct or dual) is chosen by its relative width √u/h ([`LatticeSumForm`]).

use crate::discrete_gaussian::DiscreteGaussian;
use crate::error::{finite, positive, Result};
use crate::lattice::{LatticeSum, LatticeSumForm};
use rand::distr::Distribution;
use rand::Rng;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

/// A smoothed density's value, score and score derivative at one point (docs/math.md §1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoothedValue {
    /// log p(x).
    pub log_density: f64,
    /// The score (log p)′(x).
    pub score: f64,
    /// (log p)″(x), the derivative of the score.
    pub score_derivative: f64,
    /// The excess score (log p)′(x) + x/(v+w) over the Gaussian N(0, v+w).
    pub excess_score: f64,
    /// Its derivative (log p)″(x) + 1/(v+w).
    pub excess_score_derivative: f64,
}

/// The smoothed discrete Gaussian: the law of z + √w·g with z ~ D_{c+hZ, v} and g ~ N(0, 1)
/// independent (docs/math.md §1). Its density is the lattice Gaussian mixture
/// Σ_k P(k) φ_w(x − c − hk), evaluated through one lattice sum (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothedDiscreteGaussian {
    discrete: DiscreteGaussian,
    smoothing_std: f64,
    /// v + w.
    total_variance: f64,
    /// v/(v+w).
    shrink: f64,
    /// S_u over c + hZ with u = vw/(v+w).
    posterior: LatticeSum,
    /// −log Z_v − ½ log(2πw).
    log_constant: f64,
}

impl SmoothedDiscreteGaussian {
    /// The law of z + smoothing_std·g with z ~ D_{offset + spacing·Z, std²}.
    ///
    /// Errors: those of [`DiscreteGaussian::new`], a smoothing std that is not finite and > 0,
    /// or a posterior width √(vw/(v+w))/h below 1e−8.
    pub fn new(offset: f64, spacing: f64, std: f64, smoothing_std: f64) -> Result<Self> {
        let discrete = DiscreteGaussian::new(offset, spacing, std)?;
        let smoothing_std = positive("smoothing_std", smoothing_std)?;
        let v = discrete.variance();
        let w = smoothing_std * smoothing_std;
        let total_variance = v + w;
        let shrink = v / total_variance;
        let posterior = LatticeSum::new(offset, spacing, shrink * w)?;
        let log_constant = -discrete.log_normaliser() - 0.5 * (2.0 * PI * w).ln();
        Ok(Self {
            discrete,
            smoothing_std,
            total_variance,
            shrink,
            posterior,
            log_constant,
        })
    }

    /// The discrete part D_{c+hZ, v}.
    pub fn discrete(&self) -> &DiscreteGaussian {
        &self.discrete
    }
    /// The smoothing std √w.
    pub fn smoothing_std(&self) -> f64 {
        self.smoothing_std
    }
    /// v + w, the variance of the Gaussian envelope.
    pub fn envelope_variance(&self) -> f64 {
        self.total_variance
    }
    /// The posterior lattice sum S_u (module docs); its relative width decides the form.
    pub fn posterior_lattice_sum(&self) -> &LatticeSum {
        &self.posterior
    }
    /// The form [`LatticeSumForm::Auto`] resolves to for this law.
    pub fn auto_form(&self) -> LatticeSumForm {
        self.posterior.resolve(LatticeSumForm::Auto)
    }

    /// log-density, score and score derivative at x by the given lattice-sum form.
    pub fn eval_with(&self, x: f64, form: LatticeSumForm) -> SmoothedValue {
        let l = self.posterior.eval_with(self.shrink * x, form);
        let excess_score = self.shrink * l.d_log_sum;
        let excess_score_derivative = self.shrink * self.shrink * l.d2_log_sum;
        SmoothedValue {
            log_density: -0.5 * x * x / self.total_variance + self.log_constant + l.log_sum,
            score: excess_score - x / self.total_variance,
            score_derivative: excess_score_derivative - 1.0 / self.total_variance,
            excess_score,
            excess_score_derivative,
        }
    }

    /// log-density, score and score derivative at x (faster form).
    pub fn eval(&self, x: f64) -> SmoothedValue {
        self.eval_with(x, LatticeSumForm::Auto)
    }

    /// log p(x).
    pub fn log_density(&self, x: f64) -> f64 {
        self.eval(x).log_density
    }
    /// log p(x) by the given form.
    pub fn log_density_with(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.eval_with(x, form).log_density
    }
    /// p(x).
    pub fn density(&self, x: f64) -> f64 {
        self.log_density(x).exp()
    }
    /// The score (log p)′(x), the derivative of the log-density.
    pub fn score(&self, x: f64) -> f64 {
        self.eval(x).score
    }
    /// The score by the given form.
    pub fn score_with(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.eval_with(x, form).score
    }
    /// (log p)″(x).
    pub fn score_derivative(&self, x: f64) -> f64 {
        self.eval(x).score_derivative
    }
    /// The excess score (log p)′(x) + x/(v+w) (module docs).
    pub fn excess_score(&self, x: f64) -> f64 {
        self.excess_score_with(x, LatticeSumForm::Auto).0
    }

    /// (excess score, its derivative) at x by the given form, without computing the
    /// log-density (the hot path of scores and their Jacobians).
    pub fn excess_score_with(&self, x: f64, form: LatticeSumForm) -> (f64, f64) {
        let (d1, d2) = self.posterior.derivatives_with(self.shrink * x, form);
        (self.shrink * d1, self.shrink * self.shrink * d2)
    }

    /// The excess score alone by the lattice sum's hot path ([`LatticeSum`]'s
    /// `d_log_sum_fast`): equal to [`Self::excess_score_with`]`.0` to rounding. Batch scores
    /// call it once per point.
    #[inline]
    pub(crate) fn excess_score_fast(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.shrink * self.posterior.d_log_sum_fast(self.shrink * x, form)
    }

    /// log p(x) by the lattice sum's hot path: equal to [`Self::log_density_with`] to rounding.
    #[inline]
    pub(crate) fn log_density_fast(&self, x: f64, form: LatticeSumForm) -> f64 {
        -0.5 * x * x / self.total_variance
            + self.log_constant
            + self.posterior.log_sum_fast(self.shrink * x, form)
    }
}

impl Distribution<f64> for SmoothedDiscreteGaussian {
    /// Draws z + √w·g with z from the exact discrete Gaussian sampler.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let g: f64 = StandardNormal.sample(rng);
        self.discrete.sample(rng) + self.smoothing_std * g
    }
}

/// The periodic Gaussian: the law of (m + √w·g) mod h on [0, h), with density
/// Σ_k φ_w(x − m − hk) (docs/math.md §1, m = 0 there). Its density is the lattice sum
/// S_w(x)/√(2πw) over m + hZ (dual form: (1/h)·Θ), so it is h-periodic; the methods accept
/// any real x and return the value of the periodic extension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodicGaussian {
    mean: f64,
    period: f64,
    std: f64,
    sum: LatticeSum,
}

impl PeriodicGaussian {
    /// (√w·g) mod `period`, √w = `std`.
    ///
    /// Errors: period or std not finite and > 0, or std/period outside [1e−8, 1e8].
    pub fn new(period: f64, std: f64) -> Result<Self> {
        Self::with_mean(0.0, period, std)
    }

    /// (mean + √w·g) mod `period`.
    pub fn with_mean(mean: f64, period: f64, std: f64) -> Result<Self> {
        let mean = finite("mean", mean)?;
        let period = positive("period", period)?;
        let std = positive("std", std)?;
        let sum = LatticeSum::new(mean, period, std * std)?;
        Ok(Self {
            mean,
            period: sum.spacing(),
            std,
            sum,
        })
    }

    /// The mean m of the Gaussian before wrapping.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// The period h.
    pub fn period(&self) -> f64 {
        self.period
    }
    /// The std √w before wrapping.
    pub fn std(&self) -> f64 {
        self.std
    }
    /// The underlying lattice sum.
    pub fn lattice_sum(&self) -> &LatticeSum {
        &self.sum
    }

    /// log p(x) by the given form.
    pub fn log_density_with(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.sum.log_sum_with(x, form) - 0.5 * (2.0 * PI * self.std * self.std).ln()
    }
    /// log p(x).
    pub fn log_density(&self, x: f64) -> f64 {
        self.log_density_with(x, LatticeSumForm::Auto)
    }
    /// p(x).
    pub fn density(&self, x: f64) -> f64 {
        self.log_density(x).exp()
    }
    /// The score (log p)′(x) by the given form.
    pub fn score_with(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.sum.eval_with(x, form).d_log_sum
    }
    /// The score (log p)′(x).
    pub fn score(&self, x: f64) -> f64 {
        self.score_with(x, LatticeSumForm::Auto)
    }
    /// (log p)″(x).
    pub fn score_derivative(&self, x: f64) -> f64 {
        self.sum.eval(x).d2_log_sum
    }
}

impl Distribution<f64> for PeriodicGaussian {
    /// Draws (m + √w·g) mod h in [0, h).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let g: f64 = StandardNormal.sample(rng);
        let r = (self.mean + self.std * g).rem_euclid(self.period);
        // rem_euclid rounds a tiny negative value up to the period itself.
        if r >= self.period {
            0.0
        } else {
            r
        }
    }
}
