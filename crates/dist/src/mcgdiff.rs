//! The Gaussian-mixture benchmark of MCGdiff (Cardoso, Janati, Le Corff, Moulines, "Monte Carlo
//! guided diffusion for Bayesian linear inverse problems", ICLR 2024, arXiv 2308.07983), as its
//! authors define it.
//!
//! Why this module exists: it is the multimodal instance that posterior-sampler papers (MCGdiff,
//! and after it TDS, DCPS, MGDM, …) report sliced-Wasserstein numbers on, and its exact
//! posterior is known in closed form (docs/math.md §7, "Exact references"). Offering it
//! pinned to a seed lets a sampler author compare with those papers *and* with hardiff's hard
//! instances through one interface.
//!
//! # The definition, and where it comes from
//! Read from the authors' code, `scripts/viz_gaussian.py` of github.com/gabrielvc/mcg_diff
//! (functions `ou_mixt` and `generate_measurement_equations` and the set-up below them; the
//! paper's Appendix B describes the same experiment), for a dimension d (even) and d_y = m
//! measurements:
//!
//! - **Prior**: 25 components N(μ_ij, I_d), (i, j) ∈ {−2, …, 2}², with
//!   μ_ij = (−8i, −8j, −8i, −8j, …) — the 2-D grid point tiled d/2 times (the code builds it as
//!   `[-8.*i, -8.*j] * (dim // 2)`, so d must be even). Components are ordered with i outer and
//!   j inner, as in the code.
//! - **Weights**: w_k = ξ_k² / Σ_l ξ_l² with ξ_k ~ N(0, 1) i.i.d. (`torch.randn(25) ** 2`,
//!   normalised) — random, *not* uniform.
//! - **Operator**: A = U diag(s) V_mᵀ, where U (m × m) and V (d × d) are the singular vectors of
//!   a standard Gaussian m × d matrix and s are m i.i.d. U(0, 1) values sorted in *decreasing*
//!   order (`torch.sort(torch.rand_like(diag), descending=True)`), so m ≤ d.
//! - **Noise**: σ_y = u·max(s) with u ~ U(0, 1) (`torch.rand(1) * max(diag)`); y = A x* + σ_y ξ.
//! - **Truth**: x* is one draw of the prior (`mixt.sample()`).
//! - **Exact posterior**: per-component Gaussian posteriors reweighted by their evidence
//!   w_k N(y; Aμ_k, AAᵀ + σ_y² I) — [`GaussianMixture::posterior`] (docs/math.md §7).
//!
//! The numbers are hardiff's own, not torch's: the singular vectors of a standard Gaussian
//! matrix are Haar distributed (the Gaussian matrix's law is invariant under G ↦ PGQ for
//! orthogonal P, Q), so U is drawn as a Haar orthogonal matrix and V_mᵀ as a Haar-random frame
//! of m orthonormal rows in R^d (Gram–Schmidt of standard normal rows, which is the QR of a
//! Gaussian matrix with positive diagonal: Haar, Mezzadri 2007). The instance has the same law
//! as the authors'; it does not reproduce their torch seeds.
//!
//! Every part comes from its own seeded stream ([`crate::rng::stream`] with the label
//! `"dist/mcgdiff-gmm"`): the weights from index `[0]` alone — so one seed gives the same
//! weights in every dimension of a ladder — and A, σ_y, x* and the noise from
//! `[part, d, m]`, so a seed names the instance on any machine and thread count.

use crate::error::{Error, Result};
use crate::gaussian::{Gaussian, GaussianMixture};
use crate::rng;
use crate::score::SampleBatch;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// The stream label of every draw of the benchmark.
const LABEL: &str = "dist/mcgdiff-gmm";

/// Grid spacing of the component means (the authors' `8.`).
pub const GRID_SPACING: f64 = 8.0;

/// Number of mixture components: the 5 × 5 grid {−2, …, 2}².
pub const COMPONENTS: usize = 25;

/// One instance of the MCGdiff Gaussian-mixture benchmark: the prior, the measurement
/// y = A x* + σ_y ξ and the hidden truth x* (see the module documentation for the definition
/// and its source).
///
/// Built by [`McgdiffGmm::new`], which validates, so every value is a well-formed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct McgdiffGmm {
    prior: GaussianMixture,
    a: Array2<f64>,
    singular_values: Array1<f64>,
    noise_std: f64,
    y: Array1<f64>,
    truth: Array1<f64>,
}

impl McgdiffGmm {
    /// The instance of dimension `dim` with `measurements` rows of A, drawn from `seed`.
    ///
    /// Errors ([`Error::Invalid`]): `dim` odd or 0 (the 2-D grid is tiled d/2 times), or
    /// `measurements` not in 1..=dim (A has m sorted singular values of a full-rank m × d
    /// factorisation).
    ///
    /// ```
    /// use hardiff_dist::mcgdiff::McgdiffGmm;
    /// let inst = McgdiffGmm::new(8, 2, 0)?;
    /// assert_eq!(inst.a().dim(), (2, 8));
    /// let post = inst.posterior()?; // the exact posterior, a 25-component mixture (or fewer)
    /// assert_eq!(post.dim(), 8);
    /// # Ok::<(), hardiff_dist::Error>(())
    /// ```
    pub fn new(dim: usize, measurements: usize, seed: u64) -> Result<Self> {
        if dim == 0 || dim % 2 != 0 {
            return Err(Error::Invalid(format!(
                "the MCGdiff mixture tiles a 2-D grid d/2 times, so dim must be even and ≥ 2, \
                 got {dim}"
            )));
        }
        if measurements == 0 || measurements > dim {
            return Err(Error::Invalid(format!(
                "the MCGdiff operator has 1 ≤ m ≤ d rows, got m = {measurements} for d = {dim}"
            )));
        }
        let (d, m) = (dim, measurements);
        let prior = prior(d, seed)?;
        let idx = |part: u64| [part, d as u64, m as u64];

        // A = U diag(s) V_mᵀ with Haar U, a Haar frame V_mᵀ and sorted U(0, 1) values s.
        let mut r = rng::stream(seed, LABEL, &idx(1));
        let u = orthonormal_rows(&mut r, m, m);
        let vt = orthonormal_rows(&mut r, m, d);
        let mut s: Vec<f64> = (0..m).map(|_| open_unit(&mut r)).collect();
        s.sort_by(|a, b| b.total_cmp(a));
        let singular_values = Array1::from(s);
        let scaled = Array2::from_shape_fn((m, m), |(i, j)| u[[i, j]] * singular_values[j]);
        let a = scaled.dot(&vt);

        // σ_y = u·max(s), u ~ U(0, 1); max(s) = s_0 after the sort.
        let mut r = rng::stream(seed, LABEL, &idx(2));
        let noise_std = open_unit(&mut r) * singular_values[0];

        let mut r = rng::stream(seed, LABEL, &idx(3));
        let truth = prior.sample_batch(&mut r, 1).row(0).to_owned();

        let mut r = rng::stream(seed, LABEL, &idx(4));
        let noise: Array1<f64> = (0..m).map(|_| r.sample::<f64, _>(StandardNormal)).collect();
        let y = a.dot(&truth) + noise * noise_std;
        Ok(Self {
            prior,
            a,
            singular_values,
            noise_std,
            y,
            truth,
        })
    }

    /// The prior: 25 unit-covariance components on the tiled grid, random weights.
    pub fn prior(&self) -> &GaussianMixture {
        &self.prior
    }

    /// A, shape (m, d).
    pub fn a(&self) -> ArrayView2<'_, f64> {
        self.a.view()
    }

    /// The singular values s of A, decreasing, each in (0, 1).
    pub fn singular_values(&self) -> ArrayView1<'_, f64> {
        self.singular_values.view()
    }

    /// σ_y, the noise standard deviation (in (0, max s)).
    pub fn noise_std(&self) -> f64 {
        self.noise_std
    }

    /// The observation y = A x* + σ_y ξ, length m.
    pub fn y(&self) -> ArrayView1<'_, f64> {
        self.y.view()
    }

    /// The hidden truth x*, a draw of the prior (length d).
    pub fn truth(&self) -> ArrayView1<'_, f64> {
        self.truth.view()
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.a.ncols()
    }

    /// The number m of measurements.
    pub fn measurements(&self) -> usize {
        self.a.nrows()
    }

    /// The exact posterior p(x | y): the mixture of the per-component posteriors reweighted by
    /// their evidence (docs/math.md §7).
    pub fn posterior(&self) -> Result<GaussianMixture> {
        self.prior
            .posterior(self.a.view(), self.noise_std, self.y.view())
    }

    /// The parts (prior, A, y, σ_y, x*), for callers that build their own measurement type.
    pub fn into_parts(self) -> (GaussianMixture, Array2<f64>, Array1<f64>, f64, Array1<f64>) {
        (self.prior, self.a, self.y, self.noise_std, self.truth)
    }
}

/// The benchmark's prior in dimension `d` (even): grid means, unit covariances, weights
/// ξ_k²/Σξ² from the seed's weight stream.
fn prior(d: usize, seed: u64) -> Result<GaussianMixture> {
    let mut r = rng::stream(seed, LABEL, &[0]);
    let xi2: Vec<f64> = (0..COMPONENTS)
        .map(|_| loop {
            // ξ = 0 has probability 0 but would give a zero weight, which a mixture refuses;
            // redrawing it leaves the law unchanged.
            let v: f64 = r.sample(StandardNormal);
            if v != 0.0 {
                break v * v;
            }
        })
        .collect();
    let total: f64 = xi2.iter().sum();
    let weights = xi2.iter().map(|v| v / total).collect();
    let mut components = Vec::with_capacity(COMPONENTS);
    for i in -2i32..=2 {
        for j in -2i32..=2 {
            let pair = [-GRID_SPACING * f64::from(i), -GRID_SPACING * f64::from(j)];
            let mean = Array1::from_shape_fn(d, |c| pair[c % 2]);
            components.push(Gaussian::isotropic(mean, 1.0)?);
        }
    }
    GaussianMixture::new(weights, components)
}

/// A draw of U(0, 1) excluding 0 (a zero singular value or noise level has probability 0 but
/// would make the instance degenerate; redrawing it leaves the law unchanged).
fn open_unit(r: &mut rng::Rng) -> f64 {
    loop {
        let v: f64 = r.random();
        if v > 0.0 {
            return v;
        }
    }
}

/// `rows` orthonormal rows in R^`cols` (rows ≤ cols), Haar distributed: Gram–Schmidt (applied
/// twice for orthogonality to working precision) of i.i.d. standard normal rows, i.e. the Q of
/// a Gaussian matrix's QR with positive diagonal.
fn orthonormal_rows(r: &mut rng::Rng, rows: usize, cols: usize) -> Array2<f64> {
    let mut q = Array2::<f64>::zeros((rows, cols));
    let mut i = 0;
    while i < rows {
        let mut v: Array1<f64> = (0..cols)
            .map(|_| r.sample::<f64, _>(StandardNormal))
            .collect();
        let norm0 = v.dot(&v).sqrt();
        for _ in 0..2 {
            for k in 0..i {
                let qk = q.row(k);
                let c = qk.dot(&v);
                v.scaled_add(-c, &qk);
            }
        }
        let norm = v.dot(&v).sqrt();
        // A Gaussian row in the span of the previous ones has probability 0; redraw it (the
        // law of the accepted rows is unchanged).
        if norm > 1e-8 * norm0 && norm > 0.0 {
            q.row_mut(i).assign(&(v / norm));
            i += 1;
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_odd_or_zero_dimension_and_bad_measurement_counts() {
        for (d, m) in [(0, 1), (3, 1), (7, 2), (4, 0), (4, 5)] {
            let e = McgdiffGmm::new(d, m, 0).unwrap_err();
            assert!(matches!(e, Error::Invalid(_)), "(d, m) = ({d}, {m}): {e}");
        }
    }

    #[test]
    fn frames_are_orthonormal() {
        let mut r = rng::stream(1, "test", &[]);
        let q = orthonormal_rows(&mut r, 5, 9);
        let g = q.dot(&q.t());
        for ((i, j), v) in g.indexed_iter() {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-13, "QQᵀ[{i},{j}] = {v}");
        }
    }

    #[test]
    fn means_tile_the_grid_in_the_authors_order() {
        let inst = McgdiffGmm::new(6, 1, 3).unwrap();
        let comps = inst.prior().components();
        assert_eq!(comps.len(), 25);
        // Component 0 is (i, j) = (−2, −2): (16, 16, 16, 16, 16, 16); component 7 is
        // (i, j) = (−1, 0): (8, 0, 8, 0, 8, 0) — from the authors' list comprehension.
        assert_eq!(comps[0].mean().to_vec(), vec![16.0; 6]);
        assert_eq!(comps[7].mean().to_vec(), vec![8.0, 0.0, 8.0, 0.0, 8.0, 0.0]);
        for c in comps {
            assert_eq!(c.cov(), Array2::<f64>::eye(6).view());
        }
    }
}
