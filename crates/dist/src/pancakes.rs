//! Gaussian pancakes (docs/math.md §2): N(0, I_d) orthogonal to a secret unit vector u, and along u
//! a Gaussian mixture on a lattice. This module gives their exact sampler, their log-density and
//! exact score at every OU time t ≥ 0, the 1-D profile along u, and the 1-D integrals the
//! experiments need: TV to the standard Gaussian, and E\[g_t²\] under N(0, 1) and under the
//! profile itself (docs/math.md §3).
//!
//! # Reduction to the smoothed discrete Gaussian *(derived)*
//! Along u, z = (y + σg)/a with y ~ D_{h₀Z, 1} and a = √(1 + σ²), h₀ = √(2π)/γ. So the profile
//! is A(z) = a·p(az), where p is the density of the [`SmoothedDiscreteGaussian`] y + σg
//! (offset 0, spacing h₀, std 1, smoothing σ). Its envelope N(0, a²) becomes N(0, 1), so p's
//! *excess score* is exactly the pancakes' g: g(z) = (log A)′(z) + z = a·p_excess(az). Its
//! lattice sum runs at relative width τ/h₀ = b/√(2π), so the lattice module's switch rule
//! ("direct iff s < 1/√(2π)") is docs/math.md's rule "direct iff b < 1", and the two forms of that
//! one lattice sum are, term by term, docs/math.md §2's direct mixture and its theta (dual) form.
//!
//! # Time t
//! The law at OU time t is pancakes with the same γ, u and σ_t² = e^{2t}(1 + σ²) − 1
//! (docs/math.md §2), so every quantity at time t is the t = 0 quantity of [`PancakeProfile`] at σ_t.
//! The score is s_t(x) = −x + g_t(⟨x, u⟩)u and its Jacobian J = −I + g_t′(⟨x, u⟩) u uᵀ.

use crate::error::{positive, Error, Result};
use crate::lattice::LatticeSumForm;
use crate::numerics::integrate_with_breaks;
use crate::ou_time::{self, advance_ve_sigma};
use crate::rng;
use crate::score::{check_shapes, Dimension, LogDensity, SampleBatch, Score, ScoreVjp};
use crate::smoothed::{SmoothedDiscreteGaussian, SmoothedValue};
use ndarray::{
    s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut, ArrayViewMut1, ArrayViewMut2, Axis,
    RemoveAxis,
};
use rand::distr::Distribution;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use std::borrow::Cow;
use std::f64::consts::PI;

/// Accepted deviation of ‖u‖ from 1 in [`GaussianPancakes::new`].
pub const SECRET_NORM_TOLERANCE: f64 = 1e-9;

/// Quadratures over the profile run over [−13, 13]: outside, φ(z) < 1e−36 and the integrands
/// (bounded by a constant times φ, docs/math.md §2's bound on g) are negligible.
const QUADRATURE_HALF_WIDTH: f64 = 13.0;

/// At most this many breakpoints are passed to the quadrature (beyond it the structure is
/// finer than any peak and adaptive bisection alone is used).
const MAX_BREAKPOINTS: usize = 4000;

/// The 1-D law A of ⟨x, u⟩ under pancakes with parameters (γ, σ) (docs/math.md §2): the mixture
/// Σ_k w_k φ_{τ²}(z − c_k) with centres c_k = h₀k/a, common std τ = σ/a, weights
/// w_k ∝ exp(−(h₀k)²/2). At OU time t use [`PancakeProfile::at_time`] (σ → σ_t).
#[derive(Debug, Clone, PartialEq)]
pub struct PancakeProfile {
    gamma: f64,
    sigma: f64,
    scale: f64,
    smoothed: SmoothedDiscreteGaussian,
}

impl PancakeProfile {
    /// The profile for spacing parameter γ and thickness σ.
    ///
    /// Errors: γ or σ not finite and > 0, or outside the supported range of the underlying
    /// discrete Gaussian (γ/√(2π) ∈ [1e−6, 1e9]) or lattice sum (τ/h₀ ≥ 1e−8).
    pub fn new(gamma: f64, sigma: f64) -> Result<Self> {
        let gamma = positive("gamma", gamma)?;
        let sigma = positive("sigma", sigma)?;
        let h0 = (2.0 * PI).sqrt() / gamma;
        let smoothed = SmoothedDiscreteGaussian::new(0.0, h0, 1.0, sigma)?;
        Ok(Self {
            gamma,
            sigma,
            scale: (1.0 + sigma * sigma).sqrt(),
            smoothed,
        })
    }

    /// The profile of the law at OU time t: σ_t² = e^{2t}(1 + σ²) − 1 (docs/math.md §2).
    ///
    /// Errors: t negative or not finite, or so large that σ_t overflows (t ≳ 350; there
    /// |g_t| < e^{−2t}·const is zero to double precision anyway).
    pub fn at_time(&self, t: f64) -> Result<Self> {
        let t = ou_time::validate(t)?;
        if t == 0.0 {
            return Ok(self.clone());
        }
        let sigma_t = advance_ve_sigma(self.sigma, t);
        if !sigma_t.is_finite() {
            return Err(Error::OutOfRange {
                name: "t",
                value: t,
                range: "[0, ~350] (σ_t = e^t·√(1+σ²) overflows beyond)",
            });
        }
        Self::new(self.gamma, sigma_t)
    }

    /// γ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// σ (σ_t for a profile at time t).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// a = √(1 + σ²).
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// h₀ = √(2π)/γ, the spacing of the hidden lattice y ∈ h₀Z.
    pub fn lattice_spacing(&self) -> f64 {
        self.smoothed.discrete().spacing()
    }
    /// The spacing of the centres, h₀/a (docs/math.md §2 table).
    pub fn spacing(&self) -> f64 {
        self.lattice_spacing() / self.scale
    }
    /// The common std τ = σ/a of the pancakes (docs/math.md §2 table).
    pub fn width(&self) -> f64 {
        self.sigma / self.scale
    }
    /// b = γσ/a = √(2π)·τ/(h₀/a), the blur: the pancakes' width relative to their spacing
    /// (docs/math.md §2). They are visible iff b is small (TV ≤ 8e^{−πb²} once σ ≥ 2/γ), and the
    /// direct form is used iff b < 1.
    pub fn blur(&self) -> f64 {
        self.gamma * self.sigma / self.scale
    }
    /// The centre c_k = h₀k/a.
    pub fn centre(&self, k: i64) -> f64 {
        self.smoothed.discrete().point(k) / self.scale
    }
    /// The weight w_k = P(k) ∝ exp(−(h₀k)²/2) (exact discrete Gaussian pmf).
    pub fn weight(&self, k: i64) -> f64 {
        self.smoothed.discrete().pmf_index(k)
    }
    /// The underlying smoothed discrete Gaussian y + σg (A(z) = a·p(az)).
    pub fn smoothed(&self) -> &SmoothedDiscreteGaussian {
        &self.smoothed
    }
    /// The form [`LatticeSumForm::Auto`] uses: direct iff b < 1.
    pub fn auto_form(&self) -> LatticeSumForm {
        self.smoothed.auto_form()
    }

    /// log A(z), (log A)′(z), (log A)″(z), g(z) = (log A)′(z) + z and g′(z), by the given form.
    /// Fields of [`SmoothedValue`]: `score` is (log A)′, `excess_score` is g.
    pub fn eval_with(&self, z: f64, form: LatticeSumForm) -> SmoothedValue {
        let a = self.scale;
        let p = self.smoothed.eval_with(a * z, form);
        SmoothedValue {
            log_density: p.log_density + a.ln(),
            score: a * p.score,
            score_derivative: a * a * p.score_derivative,
            excess_score: a * p.excess_score,
            excess_score_derivative: a * a * p.excess_score_derivative,
        }
    }
    /// [`Self::eval_with`] by the faster form.
    pub fn eval(&self, z: f64) -> SmoothedValue {
        self.eval_with(z, LatticeSumForm::Auto)
    }
    /// log A(z).
    pub fn log_density(&self, z: f64) -> f64 {
        self.eval(z).log_density
    }
    /// log A(z) by the given form.
    pub fn log_density_with(&self, z: f64, form: LatticeSumForm) -> f64 {
        self.eval_with(z, form).log_density
    }
    /// A(z).
    pub fn density(&self, z: f64) -> f64 {
        self.log_density(z).exp()
    }
    /// (log A)′(z).
    pub fn score(&self, z: f64) -> f64 {
        self.eval(z).score
    }
    /// g(z) = (log A)′(z) + z, the excess score along u (docs/math.md §2).
    pub fn excess_score(&self, z: f64) -> f64 {
        self.excess_score_with(z, LatticeSumForm::Auto)
    }
    /// g(z) by the given form (no log-density computed: the score's hot path, one exponential
    /// or one sin/cos per point, docs/math.md §1–§2).
    #[inline]
    pub fn excess_score_with(&self, z: f64, form: LatticeSumForm) -> f64 {
        self.scale * self.smoothed.excess_score_fast(self.scale * z, form)
    }

    /// log A(z) by the lattice sum's hot path (the batch log-density's per-point kernel); equal
    /// to [`Self::log_density_with`] to rounding.
    #[inline]
    fn log_density_fast(&self, z: f64, form: LatticeSumForm) -> f64 {
        let a = self.scale;
        self.smoothed.log_density_fast(a * z, form) + a.ln()
    }
    /// g′(z).
    pub fn excess_score_derivative(&self, z: f64) -> f64 {
        self.excess_score_derivative_with(z, LatticeSumForm::Auto)
    }
    /// g′(z) by the given form.
    pub fn excess_score_derivative_with(&self, z: f64, form: LatticeSumForm) -> f64 {
        let a = self.scale;
        a * a * self.smoothed.excess_score_with(a * z, form).1
    }

    /// E_{z~N(0,1)}[g(z)²] by adaptive quadrature over [−13, 13] with breakpoints at the
    /// lattice points a·h₀·k/2 of g (docs/math.md §3: equals E_{x~N(0,I)}‖s(x) + x‖², the signal
    /// the distinguisher sees on Gaussian queries). Its twin under the profile's own law is
    /// [`Self::mean_squared_excess_score_under_profile`].
    pub fn mean_squared_excess_score_under_gaussian(&self) -> f64 {
        let period = self.scale * self.lattice_spacing();
        let breaks = self.breakpoints(0.5 * period);
        let f = |z: f64| {
            let g = self.excess_score(z);
            (-0.5 * z * z).exp() / (2.0 * PI).sqrt() * g * g
        };
        integrate_with_breaks(
            &f,
            -QUADRATURE_HALF_WIDTH,
            QUADRATURE_HALF_WIDTH,
            &breaks,
            1e-13,
        )
    }

    /// E_{z~A}[g(z)²] under the profile A itself (at whatever time it describes), by adaptive
    /// quadrature over [−13, 13] split at the half-spacings of the centres (tolerance 1e−12
    /// absolute, at most 4001 breakpoints): the error scale of a score oracle that is wrong by
    /// a multiple of g on the pancakes' own samples (docs/math.md §3). Its twin under N(0, 1) is
    /// [`Self::mean_squared_excess_score_under_gaussian`].
    pub fn mean_squared_excess_score_under_profile(&self) -> f64 {
        const HALF_WIDTH: f64 = 13.0;
        // g has period a·h₀ in z·a-units, i.e. centres spaced h₀/a: break at half that spacing.
        let step = 0.5 * self.spacing();
        let n = (HALF_WIDTH / step).floor() as i64;
        let breaks: Vec<f64> = if n <= 2000 {
            (-n..=n).map(|k| k as f64 * step).collect()
        } else {
            Vec::new()
        };
        let f = |z: f64| {
            let v = self.eval(z);
            v.log_density.exp() * v.excess_score * v.excess_score
        };
        integrate_with_breaks(&f, -HALF_WIDTH, HALF_WIDTH, &breaks, 1e-12)
    }

    /// TV(A, N(0,1)) = ½∫|A − φ| by adaptive quadrature over [−13, 13] with breakpoints at
    /// the centres and their midpoints (docs/math.md §2). Equal to TV(P_u, N(0, I_d)).
    pub fn tv_to_standard_gaussian(&self) -> f64 {
        let breaks = self.breakpoints(0.5 * self.spacing());
        let f = |z: f64| {
            let phi = (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
            0.5 * (self.density(z) - phi).abs()
        };
        integrate_with_breaks(
            &f,
            -QUADRATURE_HALF_WIDTH,
            QUADRATURE_HALF_WIDTH,
            &breaks,
            1e-12,
        )
    }

    /// Multiples of `step` in the quadrature range, when the pancakes are visible (b < 1)
    /// and there are not too many; otherwise none.
    fn breakpoints(&self, step: f64) -> Vec<f64> {
        let n = (QUADRATURE_HALF_WIDTH / step).floor();
        if self.blur() >= 1.0 || 2.0 * n + 1.0 > MAX_BREAKPOINTS as f64 {
            return Vec::new();
        }
        let n = n as i64;
        (-n..=n).map(|k| k as f64 * step).collect()
    }
}

impl Distribution<f64> for PancakeProfile {
    /// Draws z = (y + σg)/a with y from the exact discrete Gaussian (docs/math.md §2).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.smoothed.sample(rng) / self.scale
    }
}

/// Gaussian pancakes P_u in dimension d (docs/math.md §2): along the secret unit vector u the
/// profile [`PancakeProfile`], orthogonal to it an independent N(0, I_{d−1}).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianPancakes {
    dim: usize,
    gamma: f64,
    sigma: f64,
    secret: Array1<f64>,
    profile: PancakeProfile,
}

impl GaussianPancakes {
    /// Pancakes with secret `secret` (which must already be a unit vector: it is **not**
    /// normalised here).
    ///
    /// Errors: dim = 0; γ or σ not finite and > 0 (or out of the supported range, see
    /// [`PancakeProfile::new`]); `secret.len() != dim` ([`Error::DimensionMismatch`]); a
    /// non-finite entry ([`Error::NonFinite`]); |‖u‖ − 1| > 1e−9 ([`Error::NotUnit`]).
    pub fn new(dim: usize, gamma: f64, sigma: f64, secret: Array1<f64>) -> Result<Self> {
        if dim == 0 {
            return Err(Error::OutOfRange {
                name: "dim",
                value: 0.0,
                range: "dim >= 1",
            });
        }
        let profile = PancakeProfile::new(gamma, sigma)?;
        if secret.len() != dim {
            return Err(Error::DimensionMismatch {
                what: "secret length",
                expected: dim,
                got: secret.len(),
            });
        }
        if let Some(&bad) = secret.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                name: "secret",
                value: bad,
            });
        }
        let norm = secret.dot(&secret).sqrt();
        if (norm - 1.0).abs() > SECRET_NORM_TOLERANCE {
            return Err(Error::NotUnit {
                name: "secret",
                norm,
                tolerance: SECRET_NORM_TOLERANCE,
            });
        }
        // Standard layout (an owned array may still have a reversed axis): the batch kernels
        // read the secret as a slice.
        let secret: Array1<f64> = secret.iter().copied().collect();
        Ok(Self {
            dim,
            gamma,
            sigma,
            secret,
            profile,
        })
    }

    /// Pancakes with a secret drawn uniformly on the sphere S^{d−1} (a normalised standard
    /// Gaussian vector) from the stream `rng::stream(seed, "pancake-secret", &[])`.
    pub fn with_random_secret(dim: usize, gamma: f64, sigma: f64, seed: u64) -> Result<Self> {
        if dim == 0 {
            // Let `new` report the error (the sphere S^{-1} is empty).
            return Self::new(dim, gamma, sigma, Array1::zeros(0));
        }
        let mut rng = rng::stream(seed, "pancake-secret", &[]);
        let mut secret = Array1::<f64>::zeros(dim);
        // A zero vector has probability 0; the loop only guards the impossible case.
        loop {
            secret.mapv_inplace(|_| StandardNormal.sample(&mut rng));
            let norm = secret.dot(&secret).sqrt();
            if norm > 0.0 {
                secret.mapv_inplace(|v| v / norm);
                break;
            }
        }
        Self::new(dim, gamma, sigma, secret)
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// γ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// The secret unit vector u.
    pub fn secret(&self) -> ArrayView1<'_, f64> {
        self.secret.view()
    }
    /// The profile A along u at t = 0.
    pub fn profile(&self) -> &PancakeProfile {
        &self.profile
    }
    /// The law at OU time t: pancakes with the same γ, u and σ_t (docs/math.md §2). Its profile
    /// is `self.profile().at_time(t)`.
    ///
    /// Errors: t negative, not finite, or so large that σ_t overflows (see
    /// [`PancakeProfile::at_time`]).
    pub fn at_time(&self, t: f64) -> Result<Self> {
        let profile = self.profile.at_time(t)?;
        Ok(Self {
            sigma: profile.sigma(),
            profile,
            ..self.clone()
        })
    }

    /// TV(P_u, N(0, I_d)) = TV(A, N(0, 1)) (docs/math.md §2).
    pub fn tv_to_standard_gaussian(&self) -> f64 {
        self.profile.tv_to_standard_gaussian()
    }

    /// E_{x~N(0,I_d)}‖s_t(x) + x‖² = E_{z~N(0,1)}[g_t(z)²] at OU time t (docs/math.md §3).
    pub fn mean_squared_excess_score_under_gaussian(&self, t: f64) -> Result<f64> {
        Ok(self
            .profile
            .at_time(t)?
            .mean_squared_excess_score_under_gaussian())
    }

    /// The exact sampler behind [`SampleBatch::sample_batch`]: all n·d coordinates of ξ first,
    /// then one profile draw per row.
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Array2<f64> {
        let mut x = Array2::from_shape_simple_fn((n, self.dim), || StandardNormal.sample(rng));
        for mut row in x.rows_mut() {
            let z = self.profile.sample(rng);
            let along = row.dot(&self.secret);
            row.scaled_add(z - along, &self.secret);
        }
        x
    }

    /// Fills the rows of `out` (shape `(rows, d)`) with i.i.d. points of the same law as
    /// [`SampleBatch::sample_batch`], drawn **row by row**: row i's ξ ~ N(0, I_d), then its z,
    /// before anything of row i + 1. Filling n rows in chunks of any sizes therefore consumes
    /// the stream exactly as one call for all n rows does, which is what lets a consumer stream
    /// a huge sample in bounded memory with output independent of the chunk size.
    /// ([`SampleBatch::sample_batch`] draws all ξ first and is kept as it is, so that results
    /// computed with it stay reproducible.)
    ///
    /// Errors: `out` does not have d columns.
    pub fn sample_rows_into<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        if out.ncols() != self.dim {
            return Err(Error::DimensionMismatch {
                what: "columns of the output rows",
                expected: self.dim,
                got: out.ncols(),
            });
        }
        for mut row in out.rows_mut() {
            row.iter_mut()
                .for_each(|v| *v = StandardNormal.sample(&mut *rng));
            let z = self.profile.sample(rng);
            let along = row.dot(&self.secret);
            row.scaled_add(z - along, &self.secret);
        }
        Ok(())
    }

    fn profile_cow(&self, t: f64) -> Result<Cow<'_, PancakeProfile>> {
        let t = ou_time::validate(t)?;
        Ok(if t == 0.0 {
            Cow::Borrowed(&self.profile)
        } else {
            Cow::Owned(self.profile.at_time(t)?)
        })
    }

    fn check_rows(&self, x: &ArrayView2<f64>, out_len: usize) -> Result<()> {
        if x.ncols() != self.dim {
            return Err(Error::DimensionMismatch {
                what: "point dimension",
                expected: self.dim,
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

    /// log p_t(x_b) = log A_t(z) − (‖x‖² − z²)/2 − ((d−1)/2) log 2π, z = ⟨x_b, u⟩ (docs/math.md §2),
    /// with A_t by the given lattice-sum form.
    ///
    /// Runs on rayon's current thread pool in fixed chunks of [`BATCH_CHUNK_ROWS`] rows (see
    /// there): the output is bit-identical for any thread count.
    pub fn log_density_with(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut1<f64>,
        form: LatticeSumForm,
    ) -> Result<()> {
        self.check_rows(&x, out.len())?;
        let profile = self.profile_cow(t)?;
        let profile: &PancakeProfile = &profile;
        let constant = 0.5 * (self.dim as f64 - 1.0) * (2.0 * PI).ln();
        let u = self.secret_slice();
        let d = self.dim;
        let point = |row: &[f64]| {
            let (z, norm2) = dot_and_norm2(row, u);
            let perp2 = (norm2 - z * z).max(0.0);
            profile.log_density_fast(z, form) - 0.5 * perp2 - constant
        };
        par_row_chunks(out, |lo, mut out| {
            let x = x.slice(s![lo..lo + out.len(), ..]);
            if let (Some(xs), Some(os)) = (x.as_slice(), out.as_slice_mut()) {
                for (row, o) in xs.chunks_exact(d).zip(os.iter_mut()) {
                    *o = point(row);
                }
                return;
            }
            let mut scratch = Vec::new();
            for (row, o) in x.rows().into_iter().zip(out.iter_mut()) {
                *o = point(contiguous(&row, &mut scratch));
            }
        });
        Ok(())
    }

    /// s_t(x_b) = −x_b + g_t(⟨x_b, u⟩)u (docs/math.md §2), with g_t by the given lattice-sum form.
    ///
    /// Per point: one dot product, g_t by [`PancakeProfile::excess_score_with`] (one
    /// exponential in the direct form, one sin/cos in the dual form, per-time constants
    /// computed once per call), one axpy. Runs on rayon's current thread pool in fixed chunks
    /// of [`BATCH_CHUNK_ROWS`] rows: the output is bit-identical for any thread count.
    pub fn score_with(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
        form: LatticeSumForm,
    ) -> Result<()> {
        check_shapes(self.dim, &x, &out)?;
        let profile = self.profile_cow(t)?;
        let profile: &PancakeProfile = &profile;
        let u = self.secret_slice();
        let d = self.dim;
        par_row_chunks(out, |lo, mut out| {
            let x = x.slice(s![lo..lo + out.nrows(), ..]);
            // Both chunks in standard layout (the usual case): plain slices, no lane iterators.
            if let (Some(xs), Some(os)) = (x.as_slice(), out.as_slice_mut()) {
                for (row, o) in xs.chunks_exact(d).zip(os.chunks_exact_mut(d)) {
                    let g = profile.excess_score_with(dot(row, u), form);
                    axpy_minus(o, g, u, row);
                }
                return;
            }
            let mut scratch = Vec::new();
            for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
                let row = contiguous(&row, &mut scratch);
                let g = profile.excess_score_with(dot(row, u), form);
                match o.as_slice_mut() {
                    Some(o) => axpy_minus(o, g, u, row),
                    None => o
                        .iter_mut()
                        .zip(u.iter().zip(row))
                        .for_each(|(o, (&ui, &xi))| *o = g * ui - xi),
                }
            }
        });
        Ok(())
    }

    /// The secret as a slice.
    fn secret_slice(&self) -> &[f64] {
        self.secret
            .as_slice()
            .expect("`new` stores the secret in standard layout")
    }
}

/// Rows per chunk of the pancakes' batch kernels (score, log-density, score VJP).
///
/// A batch is split into fixed chunks of this many rows that run on rayon's **current** pool:
/// the global pool (sized by `RAYON_NUM_THREADS`, default one thread per core) unless the call
/// is made inside `rayon::ThreadPool::install`, which is how a library user controls the
/// threads. These kernels use no randomness and each row's result depends on that row alone,
/// computed by the same code whatever the chunk, so the output is bit-identical for any thread
/// count. Batches of at most this many rows run on the calling thread.
pub const BATCH_CHUNK_ROWS: usize = 512;

/// Runs `f(first_row, out_chunk)` on fixed-size row chunks of `out` in parallel (see
/// [`BATCH_CHUNK_ROWS`]); `f` slices its inputs' rows `first_row..first_row + chunk rows`.
fn par_row_chunks<D, F>(mut out: ArrayViewMut<f64, D>, f: F)
where
    D: RemoveAxis,
    F: Fn(usize, ArrayViewMut<f64, D>) + Sync,
{
    if out.len_of(Axis(0)) <= BATCH_CHUNK_ROWS {
        f(0, out);
        return;
    }
    let chunks: Vec<ArrayViewMut<f64, D>> = out
        .axis_chunks_iter_mut(Axis(0), BATCH_CHUNK_ROWS)
        .collect();
    chunks
        .into_par_iter()
        .enumerate()
        .for_each(|(c, o)| f(c * BATCH_CHUNK_ROWS, o));
}

/// The row as a slice: itself when contiguous, else copied into `scratch` (so that both
/// layouts go through the same arithmetic and give the same bits).
#[inline]
fn contiguous<'a>(row: &'a ArrayView1<'a, f64>, scratch: &'a mut Vec<f64>) -> &'a [f64] {
    match row.as_slice() {
        Some(r) => r,
        None => {
            scratch.clear();
            scratch.extend(row.iter().copied());
            scratch
        }
    }
}

/// ⟨a, b⟩ with four interleaved accumulators (a fixed summation order, vectorisable).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (pa, pb) in ca.zip(cb) {
        if let ([x0, x1, x2, x3], [y0, y1, y2, y3]) = (pa, pb) {
            a0 += x0 * y0;
            a1 += x1 * y1;
            a2 += x2 * y2;
            a3 += x3 * y3;
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((a0 + a1) + (a2 + a3)) + tail
}

/// (⟨x, u⟩, ‖x‖²), each with [`dot`]'s summation order.
#[inline]
fn dot_and_norm2(x: &[f64], u: &[f64]) -> (f64, f64) {
    (dot(x, u), dot(x, x))
}

/// out = g·u − x.
#[inline]
fn axpy_minus(out: &mut [f64], g: f64, u: &[f64], x: &[f64]) {
    // Equal lengths up front, so the indexed loop has no bounds checks and vectorises.
    let n = out.len().min(u.len()).min(x.len());
    let (out, u, x) = (&mut out[..n], &u[..n], &x[..n]);
    for i in 0..n {
        out[i] = g * u[i] - x[i];
    }
}

impl Dimension for GaussianPancakes {
    fn dim(&self) -> usize {
        self.dim
    }
}

impl Score for GaussianPancakes {
    /// The exact score at OU time t ≥ 0 (t = 0 is the data score), by the faster form.
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
        self.score_with(t, x, out, LatticeSumForm::Auto)
    }
}

impl ScoreVjp for GaussianPancakes {
    /// J = −I + g_t′(z) u uᵀ (symmetric), so Jᵀv = −v + g_t′(z)⟨u, v⟩u.
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_shapes(self.dim, &x, &out)?;
        check_shapes(self.dim, &v, &out)?;
        let profile = self.profile_cow(t)?;
        let profile: &PancakeProfile = &profile;
        let u = self.secret_slice();
        par_row_chunks(out, |lo, mut out| {
            let (mut sx, mut sv) = (Vec::new(), Vec::new());
            let n = out.nrows();
            let (x, v) = (x.slice(s![lo..lo + n, ..]), v.slice(s![lo..lo + n, ..]));
            for ((xr, vr), mut o) in x.rows().into_iter().zip(v.rows()).zip(out.rows_mut()) {
                let xr = contiguous(&xr, &mut sx);
                let vr = contiguous(&vr, &mut sv);
                let dg = profile.excess_score_derivative(dot(xr, u));
                let c = dg * dot(vr, u);
                o.iter_mut()
                    .zip(u.iter().zip(vr))
                    .for_each(|(o, (&ui, &vi))| *o = c * ui - vi);
            }
        });
        Ok(())
    }
}

impl SampleBatch for GaussianPancakes {
    /// Draws `n` i.i.d. points exactly: x = ξ − ⟨ξ,u⟩u + z u with ξ ~ N(0, I_d) and z from the
    /// profile (exact discrete Gaussian index, docs/math.md §2).
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        self.draw(rng, n)
    }
}

impl LogDensity for GaussianPancakes {
    /// log p_t at OU time t ≥ 0 (faster form).
    fn log_density(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut1<f64>) -> Result<()> {
        self.log_density_with(t, x, out, LatticeSumForm::Auto)
    }
}
