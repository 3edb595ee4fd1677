//! Gaussian laws N(μ, Σ) and finite Gaussian mixtures, exact at every OU time (docs/math.md §7).
//!
//! Why this module exists: these are the laws whose every quantity a diffusion sampler touches
//! is known in closed form — the OU marginal p_t (N(μ, Σ) at time t is N(α_t μ, α_t² Σ + v_t I)),
//! its score and Hessian, its density, exact samples, and the exact posterior under a linear
//! Gaussian measurement y = A x + η. They are the reference against which hardiff-sde's samplers
//! and posterior samplers are tested, and the CLI's `--prior FILE.json` priors.
//!
//! Each Gaussian stores the symmetric eigendecomposition Σ = Q diag(λ) Qᵀ, computed once at
//! construction: at time t the covariance is Q diag(α_t² λ + v_t) Qᵀ, so scores, Hessians and
//! densities at any t cost one projection onto Q (no factorisation per call).

use crate::error::{positive, Error, Result};
use crate::linalg;
use crate::numerics::log_sum_exp;
use crate::ou_time;
use crate::score::{check_shapes, Dimension, LogDensity, SampleBatch, Score, ScoreVjp};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// (α_t, v_t) of a valid OU time t ([`ou_time::alpha`], [`ou_time::variance`]).
fn ou_coefficients(t: f64) -> Result<(f64, f64)> {
    let t = ou_time::validate(t)?;
    Ok((ou_time::alpha(t), ou_time::variance(t)))
}

/// A multivariate normal law N(μ, Σ) with Σ symmetric positive definite.
///
/// Serialises as `{"mean": [..], "cov": [[..], ..]}` ([`GaussianSpec`]); deserialising
/// validates exactly as [`Gaussian::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GaussianSpec", into = "GaussianSpec")]
pub struct Gaussian {
    mean: Array1<f64>,
    cov: Array2<f64>,
    /// Eigenvalues λ of Σ (all > 0).
    eigval: Array1<f64>,
    /// Orthonormal eigenvectors of Σ as the columns.
    eigvec: Array2<f64>,
}

/// The plain-data form of a [`Gaussian`] (what JSON files hold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianSpec {
    /// Mean vector μ (length d).
    pub mean: Vec<f64>,
    /// Covariance Σ as d rows of length d.
    pub cov: Vec<Vec<f64>>,
}

/// The OU marginal of one Gaussian at a fixed time, in the eigenbasis of Σ.
struct Marginal<'a> {
    q: &'a Array2<f64>,
    mean_t: Array1<f64>,
    /// 1 / (α_t² λ_i + v_t).
    inv_var: Array1<f64>,
    /// −½ Σ log(α_t² λ_i + v_t) − (d/2) log 2π.
    log_norm: f64,
}

impl Marginal<'_> {
    /// Coordinates of x − m_t in the eigenbasis, divided by the variances: row b is
    /// diag(1/c) Qᵀ (x_b − m_t). Also returns −½ (x−m_t)ᵀ C_t⁻¹ (x−m_t) + log_norm per row.
    fn whitened(&self, x: &ArrayView2<f64>) -> (Array2<f64>, Array1<f64>) {
        let centered = x - &self.mean_t;
        let mut z = centered.dot(self.q);
        let mut log_p = Array1::from_elem(x.nrows(), self.log_norm);
        for (mut row, lp) in z.outer_iter_mut().zip(log_p.iter_mut()) {
            let mut quad = 0.0;
            for (zi, &w) in row.iter_mut().zip(self.inv_var.iter()) {
                quad += *zi * *zi * w;
                *zi *= w;
            }
            *lp -= 0.5 * quad;
        }
        (z, log_p)
    }

    /// −C_t⁻¹ v for each row v (the Hessian of log p_t applied to v).
    fn neg_precision_times(&self, v: &ArrayView2<f64>) -> Array2<f64> {
        let mut z = v.dot(self.q);
        z *= &self.inv_var;
        let mut out = z.dot(&self.q.t());
        out.mapv_inplace(|e| -e);
        out
    }
}

impl Gaussian {
    /// N(`mean`, `cov`). Errors: `cov` not d×d for d = `mean.len()`, non-finite entries, not
    /// symmetric (relative 1e-9), not positive definite (Cholesky pivot ≤ 0), or d = 0.
    pub fn new(mean: Array1<f64>, cov: Array2<f64>) -> Result<Self> {
        let d = mean.len();
        if d == 0 {
            return Err(Error::Invalid("a Gaussian needs dimension d ≥ 1".into()));
        }
        if let Some(&v) = mean.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                name: "mean",
                value: v,
            });
        }
        if cov.nrows() != d || cov.ncols() != d {
            return Err(Error::DimensionMismatch {
                what: "covariance side (must equal the mean's length)",
                expected: d,
                got: if cov.nrows() != d {
                    cov.nrows()
                } else {
                    cov.ncols()
                },
            });
        }
        linalg::check_symmetric("cov", cov.view())?;
        let cov = linalg::symmetrize(cov.view());
        linalg::cholesky("cov", cov.view())?;
        let (eigval, eigvec) = linalg::symmetric_eigen("cov", cov.view())?;
        if let Some((index, &value)) = eigval.iter().enumerate().find(|(_, &l)| l <= 0.0) {
            // Cholesky succeeded but the matrix is singular to working precision.
            return Err(Error::NotPositiveDefinite {
                name: "cov",
                index,
                value,
            });
        }
        Ok(Self {
            mean,
            cov,
            eigval,
            eigvec,
        })
    }

    /// The standard Gaussian N(0, I_d) (the OU stationary law, docs/math.md §0).
    pub fn standard(dim: usize) -> Result<Self> {
        Self::new(Array1::zeros(dim), Array2::eye(dim))
    }

    /// N(`mean`, `variance`·I).
    pub fn isotropic(mean: Array1<f64>, variance: f64) -> Result<Self> {
        let variance = positive("variance", variance)?;
        let d = mean.len();
        Self::new(mean, Array2::eye(d) * variance)
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Mean μ.
    pub fn mean(&self) -> ArrayView1<'_, f64> {
        self.mean.view()
    }

    /// Covariance Σ.
    pub fn cov(&self) -> ArrayView2<'_, f64> {
        self.cov.view()
    }

    /// Eigenvalues of Σ (same order as the columns of [`Gaussian::eigenvectors`]).
    pub fn eigenvalues(&self) -> ArrayView1<'_, f64> {
        self.eigval.view()
    }

    /// Orthonormal eigenvectors of Σ, as columns.
    pub fn eigenvectors(&self) -> ArrayView2<'_, f64> {
        self.eigvec.view()
    }

    /// The exact law of X_t when X_0 has this law: N(α_t μ, α_t² Σ + v_t I) (docs/math.md §7).
    pub fn at_time(&self, t: f64) -> Result<Self> {
        let (alpha, v) = ou_coefficients(t)?;
        let mut cov = &self.cov * (alpha * alpha);
        cov.diag_mut().mapv_inplace(|c| c + v);
        Ok(Self {
            mean: &self.mean * alpha,
            cov,
            eigval: self.eigval.mapv(|l| alpha * alpha * l + v),
            eigvec: self.eigvec.clone(),
        })
    }

    fn marginal(&self, t: f64) -> Result<Marginal<'_>> {
        let (alpha, v) = ou_coefficients(t)?;
        let var = self.eigval.mapv(|l| alpha * alpha * l + v);
        let log_norm =
            -0.5 * var.iter().map(|c| c.ln()).sum::<f64>() - 0.5 * self.dim() as f64 * LN_2PI;
        Ok(Marginal {
            q: &self.eigvec,
            mean_t: &self.mean * alpha,
            inv_var: var.mapv(|c| 1.0 / c),
            log_norm,
        })
    }

    /// Σ⁻¹ = Q diag(1/λ) Qᵀ.
    pub fn precision(&self) -> Array2<f64> {
        let scaled = &self.eigvec / &self.eigval;
        scaled.dot(&self.eigvec.t())
    }

    /// The exact posterior law of x given y = A x + η, η ~ N(0, η² I) (docs/math.md §7):
    /// N(μ', Σ') with Σ' = (Σ⁻¹ + AᵀA/η²)⁻¹ and μ' = Σ'(Σ⁻¹μ + Aᵀy/η²).
    ///
    /// Computed in this precision form (a Cholesky factorisation of a positive-definite matrix,
    /// so Σ' stays positive definite even when η is tiny). Errors: `a` not m×d, `y` not of
    /// length m, `noise_std` not finite and > 0.
    pub fn posterior(
        &self,
        a: ArrayView2<f64>,
        noise_std: f64,
        y: ArrayView1<f64>,
    ) -> Result<Gaussian> {
        let eta2 = check_measurement(self.dim(), &a, noise_std, &y)?;
        let prec = self.precision();
        let post_prec = &prec + &(a.t().dot(&a) / eta2);
        let l = linalg::cholesky("posterior precision", post_prec.view())?;
        let cov = linalg::cholesky_inverse(l.view());
        let rhs = prec.dot(&self.mean) + a.t().dot(&y) / eta2;
        let mean = linalg::cholesky_solve(l.view(), rhs.view());
        Gaussian::new(mean, cov)
    }

    /// log p_Y(y) for y = A x + η with x from this law: log N(y; Aμ, AΣAᵀ + η²I) (docs/math.md §6–§7).
    /// The rejection sampler's acceptance rate is P_acc(y) = (2πη²)^{m/2} p_Y(y) (docs/math.md §6).
    pub fn log_evidence(
        &self,
        a: ArrayView2<f64>,
        noise_std: f64,
        y: ArrayView1<f64>,
    ) -> Result<f64> {
        let eta2 = check_measurement(self.dim(), &a, noise_std, &y)?;
        let m = a.nrows();
        let mut s = a.dot(&self.cov).dot(&a.t());
        s.diag_mut().mapv_inplace(|v| v + eta2);
        let l = linalg::cholesky("A Σ Aᵀ + η² I", linalg::symmetrize(s.view()).view())?;
        let r = &y - &a.dot(&self.mean);
        let w = linalg::solve_lower(l.view(), r.view());
        Ok(-0.5 * w.dot(&w) - 0.5 * linalg::cholesky_log_det(l.view()) - 0.5 * m as f64 * LN_2PI)
    }

    /// Writes `n` rows x = μ + Q diag(√λ) z, z ~ N(0, I), into `out` (shape (n, d)), row by
    /// row (the d normals of row i before any of row i + 1). No allocation per row.
    fn fill_samples<R: rand::RngCore + ?Sized>(&self, rng: &mut R, out: ArrayViewMut2<f64>) {
        let draw = PointDraw::new(self);
        for_each_row(out, |_, x| draw.point(rng, x));
    }
}

/// Calls `f(i, x_i)` on each row of `out` in order, as a contiguous slice: directly when `out`
/// is in standard layout (the buffers of this crate and of rejection sampling), else through
/// one scratch row.
fn for_each_row(mut out: ArrayViewMut2<f64>, mut f: impl FnMut(usize, &mut [f64])) {
    let d = out.ncols();
    if d == 0 {
        (0..out.nrows()).for_each(|i| f(i, &mut []));
        return;
    }
    if let Some(flat) = out.as_slice_mut() {
        for (i, x) in flat.chunks_exact_mut(d).enumerate() {
            f(i, x);
        }
    } else {
        let mut x = vec![0.0; d];
        for (i, mut row) in out.outer_iter_mut().enumerate() {
            f(i, &mut x);
            row.assign(&ArrayView1::from(&x[..]));
        }
    }
}

/// A Gaussian's sampling transform in flat, contiguous form: x = μ + Q (√λ ⊙ z), built once per
/// batch so that each point costs d normals and one d × d product (docs/math.md §7).
struct PointDraw {
    mean: Vec<f64>,
    /// Q row-major (Q_ij at i·d + j).
    q: Vec<f64>,
    /// √λ.
    sd: Vec<f64>,
}

impl PointDraw {
    fn new(g: &Gaussian) -> Self {
        Self {
            mean: g.mean.to_vec(),
            q: g.eigvec.iter().copied().collect(),
            sd: g.eigval.iter().map(|l| l.sqrt()).collect(),
        }
    }

    /// One point into `x` (length d): z_j = √λ_j · N(0, 1) in index order, then
    /// x_i = μ_i + Σ_j Q_ij z_j (the sum in index order, as a length-d dot product). Generic
    /// over the generator so that a concrete stream draws without a virtual call per number;
    /// d ≤ 4 (the common small case) runs fully unrolled on stack arrays, larger d through a
    /// scratch row. Every path computes the same numbers in the same order.
    #[inline]
    fn point<R: rand::RngCore + ?Sized>(&self, rng: &mut R, x: &mut [f64]) {
        match x.len() {
            1 => self.point_fixed::<1, R>(rng, x),
            2 => self.point_fixed::<2, R>(rng, x),
            3 => self.point_fixed::<3, R>(rng, x),
            4 => self.point_fixed::<4, R>(rng, x),
            d => {
                let mut z = vec![0.0; d];
                self.point_with(rng, &mut z, x);
            }
        }
    }

    /// [`PointDraw::point`] for d = D known at compile time.
    #[inline(always)]
    fn point_fixed<const D: usize, R: rand::RngCore + ?Sized>(&self, rng: &mut R, x: &mut [f64]) {
        let mut z = [0.0; D];
        for (zi, s) in z.iter_mut().zip(&self.sd[..D]) {
            *zi = s * rng.sample::<f64, _>(StandardNormal);
        }
        let q = &self.q[..D * D];
        for (i, xi) in x[..D].iter_mut().enumerate() {
            let mut acc = 0.0;
            for (qj, zj) in q[i * D..(i + 1) * D].iter().zip(&z) {
                acc += qj * zj;
            }
            *xi = self.mean[i] + acc;
        }
    }

    fn point_with<R: rand::RngCore + ?Sized>(&self, rng: &mut R, z: &mut [f64], x: &mut [f64]) {
        for (zi, s) in z.iter_mut().zip(&self.sd) {
            *zi = s * rng.sample::<f64, _>(StandardNormal);
        }
        let d = z.len();
        for ((xi, m), q) in x.iter_mut().zip(&self.mean).zip(self.q.chunks_exact(d)) {
            let mut acc = 0.0;
            for (qj, zj) in q.iter().zip(z.iter()) {
                acc += qj * zj;
            }
            *xi = m + acc;
        }
    }
}

/// Validates (A, η, y) against dimension d; returns η².
fn check_measurement(
    d: usize,
    a: &ArrayView2<f64>,
    noise_std: f64,
    y: &ArrayView1<f64>,
) -> Result<f64> {
    if a.ncols() != d {
        return Err(Error::DimensionMismatch {
            what: "measurement matrix columns (must equal the prior dimension)",
            expected: d,
            got: a.ncols(),
        });
    }
    if y.len() != a.nrows() {
        return Err(Error::DimensionMismatch {
            what: "measurement y length (must equal the rows of A)",
            expected: a.nrows(),
            got: y.len(),
        });
    }
    if let Some(&v) = a.iter().chain(y.iter()).find(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            name: "measurement (A or y)",
            value: v,
        });
    }
    let eta = positive("noise_std", noise_std)?;
    Ok(eta * eta)
}

impl TryFrom<GaussianSpec> for Gaussian {
    type Error = Error;
    fn try_from(spec: GaussianSpec) -> Result<Self> {
        let d = spec.mean.len();
        if spec.cov.len() != d {
            return Err(Error::DimensionMismatch {
                what: "covariance rows (must equal the mean's length)",
                expected: d,
                got: spec.cov.len(),
            });
        }
        let mut cov = Array2::zeros((d, d));
        for (i, row) in spec.cov.iter().enumerate() {
            if row.len() != d {
                return Err(Error::DimensionMismatch {
                    what: "covariance row length",
                    expected: d,
                    got: row.len(),
                });
            }
            cov.row_mut(i).assign(&ArrayView1::from(row.as_slice()));
        }
        Gaussian::new(Array1::from(spec.mean), cov)
    }
}

impl From<Gaussian> for GaussianSpec {
    fn from(g: Gaussian) -> Self {
        GaussianSpec {
            mean: g.mean.to_vec(),
            cov: g.cov.outer_iter().map(|r| r.to_vec()).collect(),
        }
    }
}

impl Dimension for Gaussian {
    fn dim(&self) -> usize {
        self.mean.len()
    }
}

impl Score for Gaussian {
    /// s_t(x) = −(α_t²Σ + v_t I)⁻¹ (x − α_t μ), exact at every t ≥ 0.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        check_shapes(self.dim(), &x, &out)?;
        let m = self.marginal(t)?;
        let (z, _) = m.whitened(&x);
        out.assign(&z.dot(&self.eigvec.t()));
        out.mapv_inplace(|e| -e);
        Ok(())
    }
}

impl ScoreVjp for Gaussian {
    /// The Hessian of log p_t is the constant −(α_t²Σ + v_t I)⁻¹ (symmetric).
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_shapes(self.dim(), &x, &out)?;
        check_shapes(self.dim(), &v, &out)?;
        let m = self.marginal(t)?;
        out.assign(&m.neg_precision_times(&v));
        Ok(())
    }
}

impl LogDensity for Gaussian {
    fn log_density(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) -> Result<()> {
        check_rows(self.dim(), &x, out.len())?;
        let m = self.marginal(t)?;
        let (_, log_p) = m.whitened(&x);
        out.assign(&log_p);
        Ok(())
    }
}

impl SampleBatch for Gaussian {
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.dim()));
        self.fill_samples(rng, out.view_mut());
        out
    }

    /// The rows of [`SampleBatch::sample_batch`], into `out` without allocating per row.
    fn fill_batch(&self, rng: &mut dyn rand::RngCore, out: ArrayViewMut2<f64>) {
        self.fill_samples(rng, out);
    }

    /// [`SampleBatch::fill_batch`] from a concrete stream: the same numbers, without a
    /// virtual call per random number.
    fn fill_batch_stream(&self, rng: &mut crate::rng::BlockRng, out: ArrayViewMut2<f64>) {
        self.fill_samples(rng, out);
    }
}

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
            what: "output length (one value per point)",
            expected: x.nrows(),
            got: out_len,
        });
    }
    Ok(())
}

/// A finite Gaussian mixture Σ_k w_k N(μ_k, Σ_k) (docs/math.md §7).
///
/// Serialises as `{"weights": [..], "components": [{"mean": .., "cov": ..}, ..]}`
/// ([`GaussianMixtureSpec`]); deserialising validates exactly as [`GaussianMixture::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GaussianMixtureSpec", into = "GaussianMixtureSpec")]
pub struct GaussianMixture {
    weights: Array1<f64>,
    components: Vec<Gaussian>,
}

/// The plain-data form of a [`GaussianMixture`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixtureSpec {
    /// Mixture weights (positive, summing to 1 within 1e-9).
    pub weights: Vec<f64>,
    /// The components.
    pub components: Vec<GaussianSpec>,
}

/// Per-component quantities of a mixture at one time, for a batch.
struct MixtureEval {
    /// Posterior component probabilities π_k(x) (batch × K).
    resp: Array2<f64>,
    /// log p_t(x) per row.
    log_p: Array1<f64>,
    /// Component scores s_k (K × batch × d), only if asked for.
    scores: Vec<Array2<f64>>,
}

impl GaussianMixture {
    /// Σ_k w_k N(μ_k, Σ_k). Errors: no components, a weight count different from the
    /// component count, a weight not finite and > 0, weights not summing to 1 within 1e-9, or
    /// components of different dimensions. Weights are stored renormalised to sum exactly to 1.
    pub fn new(weights: Vec<f64>, components: Vec<Gaussian>) -> Result<Self> {
        if components.is_empty() {
            return Err(Error::Invalid(
                "a Gaussian mixture needs at least one component".into(),
            ));
        }
        if weights.len() != components.len() {
            return Err(Error::DimensionMismatch {
                what: "number of mixture weights (must equal the number of components)",
                expected: components.len(),
                got: weights.len(),
            });
        }
        for &w in &weights {
            positive("mixture weight", w)?;
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(Error::OutOfRange {
                name: "sum of mixture weights",
                value: sum,
                range: "1 ± 1e-9",
            });
        }
        let d = components[0].dim();
        if let Some(c) = components.iter().find(|c| c.dim() != d) {
            return Err(Error::DimensionMismatch {
                what: "mixture component dimension",
                expected: d,
                got: c.dim(),
            });
        }
        Ok(Self {
            weights: Array1::from(weights) / sum,
            components,
        })
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.components[0].dim()
    }

    /// The weights w_k.
    pub fn weights(&self) -> ArrayView1<'_, f64> {
        self.weights.view()
    }

    /// The components N(μ_k, Σ_k).
    pub fn components(&self) -> &[Gaussian] {
        &self.components
    }

    /// Mean Σ_k w_k μ_k.
    pub fn mean(&self) -> Array1<f64> {
        let mut m = Array1::zeros(self.dim());
        for (w, c) in self.weights.iter().zip(&self.components) {
            m.scaled_add(*w, &c.mean);
        }
        m
    }

    /// Covariance Σ_k w_k (Σ_k + μ_k μ_kᵀ) − μ̄ μ̄ᵀ.
    pub fn cov(&self) -> Array2<f64> {
        let d = self.dim();
        let mbar = self.mean();
        let mut c = Array2::zeros((d, d));
        for (w, g) in self.weights.iter().zip(&self.components) {
            let mu = g.mean.view().insert_axis(Axis(1));
            c.scaled_add(*w, &(&g.cov + &mu.dot(&mu.t())));
        }
        let mb = mbar.view().insert_axis(Axis(1));
        c - mb.dot(&mb.t())
    }

    /// The exact law at OU time t: the same weights over the components' laws at time t
    /// (docs/math.md §7).
    pub fn at_time(&self, t: f64) -> Result<Self> {
        let components = self
            .components
            .iter()
            .map(|c| c.at_time(t))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            weights: self.weights.clone(),
            components,
        })
    }

    /// The exact posterior under y = A x + η (docs/math.md §7): the mixture of the per-component
    /// posteriors with weights ∝ w_k N(y; Aμ_k, AΣ_kAᵀ + η²I) (normalised in log space).
    pub fn posterior(
        &self,
        a: ArrayView2<f64>,
        noise_std: f64,
        y: ArrayView1<f64>,
    ) -> Result<GaussianMixture> {
        let mut logw = Vec::with_capacity(self.components.len());
        let mut comps = Vec::with_capacity(self.components.len());
        for (w, c) in self.weights.iter().zip(&self.components) {
            logw.push(w.ln() + c.log_evidence(a, noise_std, y)?);
            comps.push(c.posterior(a, noise_std, y)?);
        }
        let lse = log_sum_exp(&logw);
        // A weight that underflows to 0 is dropped: the mixture requires positive weights, and
        // a component with posterior mass below 1e-300 contributes nothing representable.
        let (weights, components): (Vec<f64>, Vec<Gaussian>) = logw
            .iter()
            .map(|lw| (lw - lse).exp())
            .zip(comps)
            .filter(|(w, _)| *w > 0.0)
            .unzip();
        let sum: f64 = weights.iter().sum();
        GaussianMixture::new(weights.iter().map(|w| w / sum).collect(), components)
    }

    /// log p_Y(y) = log Σ_k w_k N(y; Aμ_k, AΣ_kAᵀ + η²I) (docs/math.md §6–§7).
    pub fn log_evidence(
        &self,
        a: ArrayView2<f64>,
        noise_std: f64,
        y: ArrayView1<f64>,
    ) -> Result<f64> {
        let mut logw = Vec::with_capacity(self.components.len());
        for (w, c) in self.weights.iter().zip(&self.components) {
            logw.push(w.ln() + c.log_evidence(a, noise_std, y)?);
        }
        Ok(log_sum_exp(&logw))
    }

    fn eval(&self, t: f64, x: &ArrayView2<f64>, with_scores: bool) -> Result<MixtureEval> {
        let n = x.nrows();
        let k = self.components.len();
        let mut logr = Array2::<f64>::zeros((n, k));
        let mut scores = Vec::new();
        for (j, (w, c)) in self.weights.iter().zip(&self.components).enumerate() {
            let m = c.marginal(t)?;
            let (z, log_p) = m.whitened(x);
            logr.column_mut(j).assign(&(log_p + w.ln()));
            if with_scores {
                let mut s = z.dot(&c.eigvec.t());
                s.mapv_inplace(|e| -e);
                scores.push(s);
            }
        }
        let mut log_p = Array1::zeros(n);
        for (mut row, lp) in logr.outer_iter_mut().zip(log_p.iter_mut()) {
            let lse = log_sum_exp(row.as_slice().expect("row of a standard-layout array"));
            *lp = lse;
            row.mapv_inplace(|v| (v - lse).exp());
        }
        Ok(MixtureEval {
            resp: logr,
            log_p,
            scores,
        })
    }

    /// Writes the posterior component probabilities π_k(x) ∝ w_k N_k,t(x) at OU time t into
    /// `out` (shape (batch, K)).
    pub fn responsibilities(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let k = self.components.len();
        if x.ncols() != self.dim() {
            return Err(Error::DimensionMismatch {
                what: "point dimension",
                expected: self.dim(),
                got: x.ncols(),
            });
        }
        if out.nrows() != x.nrows() || out.ncols() != k {
            return Err(Error::DimensionMismatch {
                what: "responsibility output shape (batch, components): rows",
                expected: x.nrows(),
                got: out.nrows(),
            });
        }
        out.assign(&self.eval(t, &x, false)?.resp);
        Ok(())
    }

    /// Draws `n` points together with the index of the component each came from.
    pub fn sample_with_labels(
        &self,
        rng: &mut dyn rand::RngCore,
        n: usize,
    ) -> (Array2<f64>, Vec<usize>) {
        let mut out = Array2::zeros((n, self.dim()));
        let mut labels = Vec::with_capacity(n);
        self.fill_rows(rng, out.view_mut(), |k| labels.push(k));
        (out, labels)
    }

    /// Fills the rows of `out` (row by row: one uniform for the component k, then that
    /// component's d normals) and reports each row's k to `label`. Allocates only the
    /// per-component transforms, once per call. For d ≤ 4 and a standard-layout `out` (every
    /// buffer of rejection sampling) the rows are drawn by a loop specialised to d, with the
    /// same numbers in the same order.
    fn fill_rows<R: rand::RngCore + ?Sized>(
        &self,
        rng: &mut R,
        mut out: ArrayViewMut2<f64>,
        mut label: impl FnMut(usize),
    ) {
        let draws: Vec<PointDraw> = self.components.iter().map(PointDraw::new).collect();
        // k = the first j with u < w_0 + … + w_j (partial sums in index order), else the last.
        let cumulative: Vec<f64> = self
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        let last = self.components.len() - 1;
        let component = |u: f64| cumulative.iter().position(|&c| u < c).unwrap_or(last);
        if let Some(flat) = out.as_slice_mut() {
            match self.dim() {
                1 => return fill_rows_fixed::<1, R>(&draws, component, rng, flat, label),
                2 => return fill_rows_fixed::<2, R>(&draws, component, rng, flat, label),
                3 => return fill_rows_fixed::<3, R>(&draws, component, rng, flat, label),
                4 => return fill_rows_fixed::<4, R>(&draws, component, rng, flat, label),
                _ => {}
            }
        }
        for_each_row(out, |_, x| {
            let k = component(rng.random());
            label(k);
            draws[k].point(rng, x);
        });
    }
}

/// [`PointDraw`] for d = D known at compile time, in stack arrays.
struct FixedDraw<const D: usize> {
    mean: [f64; D],
    /// Q by rows.
    q: [[f64; D]; D],
    sd: [f64; D],
}

impl<const D: usize> FixedDraw<D> {
    fn new(p: &PointDraw) -> Self {
        let mut q = [[0.0; D]; D];
        for (row, src) in q.iter_mut().zip(p.q.chunks_exact(D)) {
            row.copy_from_slice(src);
        }
        Self {
            mean: p.mean[..D].try_into().expect("D means"),
            q,
            sd: p.sd[..D].try_into().expect("D deviations"),
        }
    }

    /// [`PointDraw::point`]: the same numbers in the same order.
    #[inline(always)]
    fn point<R: rand::RngCore + ?Sized>(&self, rng: &mut R, x: &mut [f64; D]) {
        let mut z = [0.0; D];
        for (zi, s) in z.iter_mut().zip(&self.sd) {
            *zi = s * rng.sample::<f64, _>(StandardNormal);
        }
        for ((xi, m), q) in x.iter_mut().zip(&self.mean).zip(&self.q) {
            let mut acc = 0.0;
            for (qj, zj) in q.iter().zip(&z) {
                acc += qj * zj;
            }
            *xi = m + acc;
        }
    }
}

/// The rows of [`GaussianMixture::fill_rows`] for d = D, into a standard-layout buffer.
fn fill_rows_fixed<const D: usize, R: rand::RngCore + ?Sized>(
    draws: &[PointDraw],
    component: impl Fn(f64) -> usize,
    rng: &mut R,
    flat: &mut [f64],
    mut label: impl FnMut(usize),
) {
    let fixed: Vec<FixedDraw<D>> = draws.iter().map(FixedDraw::new).collect();
    for x in flat.chunks_exact_mut(D) {
        let k = component(rng.random());
        label(k);
        fixed[k].point(rng, x.try_into().expect("rows of D columns"));
    }
}

impl TryFrom<GaussianMixtureSpec> for GaussianMixture {
    type Error = Error;
    fn try_from(spec: GaussianMixtureSpec) -> Result<Self> {
        let components = spec
            .components
            .into_iter()
            .map(Gaussian::try_from)
            .collect::<Result<Vec<_>>>()?;
        GaussianMixture::new(spec.weights, components)
    }
}

impl From<GaussianMixture> for GaussianMixtureSpec {
    fn from(m: GaussianMixture) -> Self {
        GaussianMixtureSpec {
            weights: m.weights.to_vec(),
            components: m.components.into_iter().map(GaussianSpec::from).collect(),
        }
    }
}

impl Dimension for GaussianMixture {
    fn dim(&self) -> usize {
        self.components[0].dim()
    }
}

impl Score for GaussianMixture {
    /// s_t(x) = Σ_k π_k(x) s_{k,t}(x), exact at every t ≥ 0.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        check_shapes(self.dim(), &x, &out)?;
        let e = self.eval(t, &x, true)?;
        out.fill(0.0);
        for (j, s) in e.scores.iter().enumerate() {
            let pj = e.resp.column(j).insert_axis(Axis(1));
            out += &(s * &pj);
        }
        Ok(())
    }
}

impl ScoreVjp for GaussianMixture {
    /// Hessian of log p_t: H = Σ_k π_k H_k + Σ_k π_k s_k s_kᵀ − s̄ s̄ᵀ (symmetric), applied to v.
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_shapes(self.dim(), &x, &out)?;
        check_shapes(self.dim(), &v, &out)?;
        let e = self.eval(t, &x, true)?;
        let n = x.nrows();
        let mut sbar = Array2::<f64>::zeros((n, self.dim()));
        out.fill(0.0);
        for (j, (s, c)) in e.scores.iter().zip(&self.components).enumerate() {
            let pj = e.resp.column(j).insert_axis(Axis(1));
            sbar += &(s * &pj);
            let m = c.marginal(t)?;
            let hv = m.neg_precision_times(&v);
            // π_k (H_k v + s_k (s_k · v))
            let sv = (s * &v).sum_axis(Axis(1)).insert_axis(Axis(1));
            out += &((&hv + &(s * &sv)) * pj);
        }
        let sbv = (&sbar * &v).sum_axis(Axis(1)).insert_axis(Axis(1));
        out -= &(&sbar * &sbv);
        Ok(())
    }
}

impl LogDensity for GaussianMixture {
    fn log_density(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) -> Result<()> {
        check_rows(self.dim(), &x, out.len())?;
        out.assign(&self.eval(t, &x, false)?.log_p);
        Ok(())
    }
}

impl SampleBatch for GaussianMixture {
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        self.sample_with_labels(rng, n).0
    }

    /// The rows of [`SampleBatch::sample_batch`], into `out` without allocating per row.
    fn fill_batch(&self, rng: &mut dyn rand::RngCore, out: ArrayViewMut2<f64>) {
        self.fill_rows(rng, out, |_| {});
    }

    /// [`SampleBatch::fill_batch`] from a concrete stream: the same numbers, without a
    /// virtual call per random number.
    fn fill_batch_stream(&self, rng: &mut crate::rng::BlockRng, out: ArrayViewMut2<f64>) {
        self.fill_rows(rng, out, |_| {});
    }
}
