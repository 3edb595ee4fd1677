//! The [`Score`] trait: ∇ log p_t of a law at OU time t (MATH.md §0), batch-first.

use crate::error::{Error, Result};
use hardiff_owf::CallCounter;
use ndarray::{ArrayView2, ArrayViewMut2};

/// The score s_t(x) = ∇ log p_t(x) of a law under the OU forward process (MATH.md §0).
///
/// Exact scores, brute-force scores, approximate scores and networks all implement it, so
/// samplers (hardiff-sde) and reductions (hardiff-harness) work with any of them.
pub trait Score {
    /// Dimension d of the points.
    fn dim(&self) -> usize;

    /// Writes s_t(x_b) into row b of `out` for every row x_b of `x` (shape `(batch, dim)`).
    ///
    /// Errors: shape mismatch, or a time `t` outside the range the score is defined for.
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()>;
}

/// A score that also offers vector–Jacobian products, as guidance samplers (DPS, ΠGDM) need.
pub trait ScoreVjp: Score {
    /// Writes J_b^T v_b into row b of `out`, where J_b = ∂s_t/∂x at x_b (for an exact score J is
    /// the Hessian of log p_t, hence symmetric).
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> Result<()>;
}

impl<S: Score + ?Sized> Score for &S {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
        (**self).score(t, x, out)
    }
}

impl<S: Score + ?Sized> Score for Box<S> {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
        (**self).score(t, x, out)
    }
}

/// Checks that `x` and `out` are both `(batch, dim)` with the same batch.
pub fn check_shapes(dim: usize, x: &ArrayView2<f64>, out: &ArrayViewMut2<f64>) -> Result<()> {
    if x.ncols() != dim {
        return Err(Error::DimensionMismatch {
            what: "point dimension",
            expected: dim,
            got: x.ncols(),
        });
    }
    if out.ncols() != dim {
        return Err(Error::DimensionMismatch {
            what: "output dimension",
            expected: dim,
            got: out.ncols(),
        });
    }
    if out.nrows() != x.nrows() {
        return Err(Error::DimensionMismatch {
            what: "output batch size",
            expected: x.nrows(),
            got: out.nrows(),
        });
    }
    Ok(())
}

/// Wraps a [`Score`] and counts point evaluations (one per row of each batch).
#[derive(Debug, Clone)]
pub struct CountingScore<S> {
    inner: S,
    counter: CallCounter,
}

impl<S: Score> CountingScore<S> {
    /// Wraps `inner` with a fresh counter.
    pub fn new(inner: S) -> Self {
        Self::with_counter(inner, CallCounter::new())
    }
    /// Wraps `inner`, counting into `counter` (which may be shared with other oracles).
    pub fn with_counter(inner: S, counter: CallCounter) -> Self {
        Self { inner, counter }
    }
    /// The counter (a clone shares the count).
    pub fn counter(&self) -> &CallCounter {
        &self.counter
    }
    /// The wrapped score.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Score> Score for CountingScore<S> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
        self.counter.add(x.nrows() as u64);
        self.inner.score(t, x, out)
    }
}

impl<S: ScoreVjp> ScoreVjp for CountingScore<S> {
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        self.counter.add(x.nrows() as u64);
        self.inner.score_vjp(t, x, v, out)
    }
}

/// A law that draws i.i.d. batches of points (shape `(n, dim)`); implemented by every
/// distribution with an exact sampler, so samplers and reductions can take any of them.
///
/// Takes `&mut dyn RngCore` so that it stays object-safe (`Box<dyn SampleBatch>`); pass a
/// stream from [`crate::rng::stream`].
pub trait SampleBatch {
    /// Dimension d of the points.
    fn dim(&self) -> usize;
    /// Draws `n` i.i.d. points as the rows of a `(n, dim)` array.
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> ndarray::Array2<f64>;
}

/// A law whose (log-)density at OU time t is computable (exactly or by brute force).
pub trait LogDensity {
    /// Dimension d of the points.
    fn dim(&self) -> usize;
    /// Writes log p_t(x_b) into `out[b]` for every row x_b of `x`.
    ///
    /// Errors: shape mismatch, or a `t` the density is not defined at (e.g. t = 0 for a law
    /// with atoms).
    fn log_density(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ndarray::ArrayViewMut1<f64>,
    ) -> Result<()>;
}
