//! The exact discrete Gaussian D_{c+hZ, v} (docs/math.md §1): P(z) ∝ exp(−z²/(2v)) on z ∈ c + hZ.
//!
//! This module exists because the pancakes' hidden lattice index (docs/math.md §2) and the
//! smoothed/periodic Gaussians must be drawn from the discrete law itself, **never** from a
//! rounded continuous Gaussian (which has a different law, visibly so at small widths).
//!
//! # Method
//! Write z = c + hk and reduce the offset: c = h·n₀ + c′ with n₀ = round(c/h), so that
//! P(k′) ∝ exp(−(k′ − μ)²/(2s²)) for k′ = k + n₀, centre μ = −c′/h ∈ [−½, ½] and relative width
//! s = √v/h. Then
//! - **s < 16: exact inversion over an enumerated support.** The support is every k′ with
//!   (k′ − μ)² ≤ min_j (j − μ)² + 2s²·60, i.e. every point whose probability is at least e^{−60}
//!   of the largest. The omitted tail has relative mass at most 2e^{−60}/(1 − e^{−√120/s})
//!   < 3.6e−26 (certified: successive omitted terms decay geometrically), far below the 2^{−53}
//!   resolution of the uniform variate. A uniform u ∈ [0, 1) is inverted through the cumulative
//!   table by binary search.
//! - **s ≥ 16: rejection from a discrete Laplace proposal** (after Canonne, Kamath & Steinke
//!   2020, "The discrete Gaussian for differential privacy", Alg. 3, generalised to a
//!   non-integer centre). Propose Y with P(Y = y) ∝ e^{−|y|/t}, t = s (a two-sided geometric:
//!   G = ⌊t·E⌋ with E ~ Exp(1) is exactly geometric, a uniform sign, and the case "negative
//!   zero" rejected), set k′ = m + Y with m = round(μ), and accept with probability
//!   exp(−(|k′−μ| − s²/t)²/(2s²) + (|Y| − |k′−μ| − ½)/t) ≤ 1. The bound follows from
//!   x²/(2s²) ≥ |x|/t − s²/(2t²) and |k′ − μ| ≥ |Y| − ½. The acceptance rate is
//!   ≈ √(2π)/(2e^{1/2 + 1/(2s)}) ≈ 0.74.
//!
//! Neither method truncates or rounds the law; the only deviations are floating-point: each
//! probability (table entry or acceptance probability) is evaluated to a few ulps, and the
//! uniform/exponential variates have 53-bit resolution, so the sampled law is within total
//! variation ~1e−15 of D_{c+hZ,v}.
//!
//! Supported: std/spacing = s ∈ [1e−6, 1e9] (tested over [1e−3, 1e6] and at both ends of
//! the method switch), |c/h| < 2^52.

use crate::error::{finite, positive, Error, Result};
use crate::lattice::LatticeSum;
use rand::distr::Distribution;
use rand::Rng;
use rand_distr::Exp1;

/// Relative widths below this use inversion, at or above it rejection (module docs).
pub const INVERSION_MAX_RELATIVE_WIDTH: f64 = 16.0;

/// The inversion table keeps every point within e^{−60} of the most probable one.
const INVERSION_EXPONENT: f64 = 60.0;

/// The smallest supported std/spacing.
pub const MIN_RELATIVE_WIDTH: f64 = 1e-6;
/// The largest supported std/spacing.
pub const MAX_RELATIVE_WIDTH: f64 = 1e9;

/// The sampling method chosen at construction (module docs).
#[derive(Debug, Clone, PartialEq)]
enum Method {
    /// Cumulative probabilities of k′ = first, first + 1, …; the last entry is exactly 1.
    Inversion {
        first: i64,
        cdf: Vec<f64>,
        /// Guide table: `guide[g]` is the first index i with cdf\[i\] > (g − 1)/G (0 for
        /// g = 0), G = `guide.len()`. For u with ⌊uG⌋ = g the inverse lies at or after it, so a
        /// draw scans O(1) entries instead of a binary search, with the same index.
        guide: Vec<u32>,
    },
    /// Discrete-Laplace rejection around the integer mode `mode`.
    Rejection { mode: i64 },
}

/// The discrete Gaussian D_{c+hZ, v}: P(z) ∝ exp(−z²/(2v)) for z ∈ c + hZ (docs/math.md §1),
/// sampled exactly (module docs). As a [`Distribution<f64>`] it yields the point z = c + hk;
/// [`DiscreteGaussian::sample_index`] yields k.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscreteGaussian {
    offset: f64,
    spacing: f64,
    std: f64,
    /// n₀ = round(c/h): the user index is k = k′ − n₀.
    shift: i64,
    /// μ = −(c/h − n₀) ∈ [−½, ½], the centre in reduced index space.
    centre: f64,
    /// s = std/spacing.
    rel_std: f64,
    log_normaliser: f64,
    /// log Σ_{k′} exp(−((k′ − μ)² − μ²)/(2s²)): the normaliser relative to the k′ = 0 term
    /// (O(1) even for tiny s, where log_normaliser ≈ −μ²/(2s²) is huge).
    log_normaliser_over_nearest: f64,
    method: Method,
}

impl DiscreteGaussian {
    /// D_{offset + spacing·Z, std²}.
    ///
    /// Errors: non-finite offset; spacing or std not finite and > 0; std/spacing outside
    /// [1e−6, 1e9] or |offset/spacing| ≥ 2^52 ([`Error::OutOfRange`]).
    pub fn new(offset: f64, spacing: f64, std: f64) -> Result<Self> {
        let offset = finite("offset", offset)?;
        let spacing = positive("spacing", spacing)?;
        let std = positive("std", std)?;
        let rel_std = std / spacing;
        if !(MIN_RELATIVE_WIDTH..=MAX_RELATIVE_WIDTH).contains(&rel_std) {
            return Err(Error::OutOfRange {
                name: "std/spacing",
                value: rel_std,
                range: "[1e-6, 1e9]",
            });
        }
        let r = offset / spacing;
        if r.abs() >= 2f64.powi(52) {
            return Err(Error::OutOfRange {
                name: "offset/spacing",
                value: r,
                range: "(-2^52, 2^52)",
            });
        }
        let n0 = r.round();
        let centre = -(r - n0);
        let normaliser = LatticeSum::new(offset, spacing, std * std)?.eval(0.0);
        let method = if rel_std < INVERSION_MAX_RELATIVE_WIDTH {
            inversion_table(centre, rel_std)
        } else {
            Method::Rejection {
                mode: centre.round() as i64,
            }
        };
        Ok(Self {
            offset,
            spacing,
            std,
            shift: n0 as i64,
            centre,
            rel_std,
            log_normaliser: normaliser.log_sum,
            // The lattice sum's nearest point to x = 0 is k′ = 0 (|μ| ≤ ½), at distance |μ|·h.
            log_normaliser_over_nearest: normaliser.log_sum_over_nearest,
            method,
        })
    }

    /// The offset c.
    pub fn offset(&self) -> f64 {
        self.offset
    }
    /// The spacing h.
    pub fn spacing(&self) -> f64 {
        self.spacing
    }
    /// The width parameter √v (the std of the un-discretised Gaussian, not of this law).
    pub fn std(&self) -> f64 {
        self.std
    }
    /// The variance parameter v.
    pub fn variance(&self) -> f64 {
        self.std * self.std
    }
    /// The relative width s = √v/h.
    pub fn relative_width(&self) -> f64 {
        self.rel_std
    }
    /// Whether sampling uses the inversion table (s < 16) rather than Laplace rejection.
    pub fn uses_inversion(&self) -> bool {
        matches!(self.method, Method::Inversion { .. })
    }

    /// The lattice point z = c + hk of index k.
    pub fn point(&self, k: i64) -> f64 {
        self.offset + self.spacing * k as f64
    }

    /// log Σ_k exp(−(c + hk)²/(2v)), the log normaliser: the lattice sum S(0) of docs/math.md §1
    /// (direct or dual form, whichever converges faster).
    pub fn log_normaliser(&self) -> f64 {
        self.log_normaliser
    }

    /// The un-normalised log-weight −(c + hk)²/(2v), computed in reduced coordinates.
    pub fn log_weight_index(&self, k: i64) -> f64 {
        let x = (k as f64 + self.shift as f64) - self.centre;
        -0.5 * (x / self.rel_std) * (x / self.rel_std)
    }

    /// log P(k) for the index k (z = c + hk).
    pub fn log_pmf_index(&self, k: i64) -> f64 {
        // Relative to the k′ = 0 term: −((k′−μ)² − μ²)/(2s²) = −k′(k′ − 2μ)/(2s²), so no two
        // huge numbers are subtracted when s is tiny.
        let kr = k as f64 + self.shift as f64;
        -kr * (kr - 2.0 * self.centre) * (0.5 / (self.rel_std * self.rel_std))
            - self.log_normaliser_over_nearest
    }

    /// P(k) for the index k.
    pub fn pmf_index(&self, k: i64) -> f64 {
        self.log_pmf_index(k).exp()
    }

    /// The index k with c + hk nearest to z, if z lies on the lattice (within 1e−9·h).
    pub fn index_of(&self, z: f64) -> Option<i64> {
        let k = ((z - self.offset) / self.spacing).round();
        if !k.is_finite() || k.abs() >= 2f64.powi(62) {
            return None;
        }
        let k = k as i64;
        ((z - self.point(k)).abs() <= 1e-9 * self.spacing).then_some(k)
    }

    /// log P(z) for a point z ∈ c + hZ; −∞ if z is not on the lattice (within 1e−9·h).
    pub fn log_pmf(&self, z: f64) -> f64 {
        self.index_of(z)
            .map_or(f64::NEG_INFINITY, |k| self.log_pmf_index(k))
    }

    /// P(z) for a point z; 0 off the lattice.
    pub fn pmf(&self, z: f64) -> f64 {
        self.log_pmf(z).exp()
    }

    /// Draws the index k of z = c + hk exactly (module docs). Inlined: it is the inner loop
    /// of g̃'s prior draws (n per draw, docs/math.md §5).
    #[inline]
    pub fn sample_index<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        let reduced = match &self.method {
            Method::Inversion { first, cdf, guide } => {
                let u: f64 = rng.random();
                // = cdf.partition_point(|&c| c <= u).min(cdf.len() − 1), from the guide entry.
                let g = ((u * guide.len() as f64) as usize).min(guide.len() - 1);
                let mut i = guide[g] as usize;
                while i < cdf.len() - 1 && cdf[i] <= u {
                    i += 1;
                }
                first + i as i64
            }
            Method::Rejection { mode } => self.sample_rejection(*mode, rng),
        };
        reduced - self.shift
    }

    fn sample_rejection<R: Rng + ?Sized>(&self, mode: i64, rng: &mut R) -> i64 {
        let s = self.rel_std;
        let t = s;
        loop {
            let e: f64 = Exp1.sample(rng);
            let g = (t * e).floor();
            let negative: bool = rng.random();
            if negative && g == 0.0 {
                continue;
            }
            let y = if negative { -g } else { g };
            let k = mode + y as i64;
            let ax = (k as f64 - self.centre).abs();
            let d = ax - s * s / t;
            let log_accept = -0.5 * (d / s) * (d / s) + (g - ax - 0.5) / t;
            if rng.random::<f64>() < log_accept.exp() {
                return k;
            }
        }
    }
}

impl Distribution<f64> for DiscreteGaussian {
    /// Draws the point z = c + hk.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.point(self.sample_index(rng))
    }
}

/// The cumulative table over every k′ within e^{−60} of the most probable point.
fn inversion_table(centre: f64, s: f64) -> Method {
    let mode = centre.round();
    let e0 = (mode - centre) * (mode - centre);
    let radius = (e0 + 2.0 * s * s * INVERSION_EXPONENT).sqrt();
    let first = (centre - radius).ceil() as i64;
    let last = (centre + radius).floor() as i64;
    let inv_2s2 = 0.5 / (s * s);
    let mut cdf = Vec::with_capacity((last - first + 1) as usize);
    let mut acc = 0.0;
    for k in first..=last {
        let kf = k as f64;
        // (k − μ)² − (m − μ)² = (k − m)(k + m − 2μ): no cancellation for tiny s.
        acc += (-(kf - mode) * (kf + mode - 2.0 * centre) * inv_2s2).exp();
        cdf.push(acc);
    }
    for c in &mut cdf {
        *c /= acc;
    }
    if let Some(last) = cdf.last_mut() {
        *last = 1.0;
    }
    let size = cdf.len();
    let guide = (0..size)
        .map(|g| {
            if g == 0 {
                0
            } else {
                let t = (g - 1) as f64 / size as f64;
                cdf.partition_point(|&c| c <= t).min(size - 1) as u32
            }
        })
        .collect();
    Method::Inversion { first, cdf, guide }
}
