//! The traits every law and score in hardiff implements (docs/math.md §0), batch-first:
//! [`Dimension`] (the one owner of `dim()`), [`Score`] (∇ log p_t at OU time t), [`ScoreVjp`]
//! (its vector–Jacobian products), [`SampleBatch`] (exact i.i.d. batches) and [`LogDensity`]
//! (log p_t). Each evaluation trait has a method that writes into a caller's buffer (hot paths
//! reuse buffers) and a provided method that allocates and returns the result (`…_owned`).
//!
//! References, boxes and `Arc`s of an implementor implement the same traits, so a wrapper such
//! as [`CountingScore`] works over `&S` as over `S`.

use crate::error::{Error, Result};
use hardiff_owf::CallCounter;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use std::sync::Arc;

/// The dimension d of the points of a law or score: the one trait that declares `dim()`, a
/// supertrait of [`Score`], [`SampleBatch`] and [`LogDensity`], so `law.dim()` is never
/// ambiguous on a type implementing several of them.
pub trait Dimension {
    /// Dimension d of the points (the number of columns of a batch).
    fn dim(&self) -> usize;
}

/// The score s_t(x) = ∇ log p_t(x) of a law under the OU forward process (docs/math.md §0).
///
/// Exact scores, brute-force scores, approximate scores and networks all implement it, so
/// samplers (hardiff-sde) and reductions (hardiff-reduce) work with any of them. A score
/// implemented outside hardiff reports its own failures through [`Error::External`].
pub trait Score: Dimension {
    /// Writes s_t(x_b) into row b of `out` for every row x_b of `x` (shape `(batch, dim)`).
    ///
    /// Errors: shape mismatch, or a time `t` outside the range the score is defined for.
    fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()>;

    /// s_t(x_b) for every row x_b of `x`, as a new `(batch, dim)` array ([`Score::score`]
    /// without a caller's buffer).
    fn score_owned(&self, t: f64, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.dim()));
        self.score(t, x, out.view_mut())?;
        Ok(out)
    }
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

    /// J_b^T v_b for every row, as a new `(batch, dim)` array ([`ScoreVjp::score_vjp`] without
    /// a caller's buffer).
    fn score_vjp_owned(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
    ) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.dim()));
        self.score_vjp(t, x, v, out.view_mut())?;
        Ok(out)
    }
}

/// Forwards every trait of this module through a pointer type (`&S`, `Box<S>`, `Arc<S>`).
macro_rules! forward_traits {
    ($($ptr:ty),*) => {$(
        impl<S: Dimension + ?Sized> Dimension for $ptr {
            fn dim(&self) -> usize {
                (**self).dim()
            }
        }
        impl<S: Score + ?Sized> Score for $ptr {
            fn score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
                (**self).score(t, x, out)
            }
        }
        impl<S: ScoreVjp + ?Sized> ScoreVjp for $ptr {
            fn score_vjp(
                &self,
                t: f64,
                x: ArrayView2<f64>,
                v: ArrayView2<f64>,
                out: ArrayViewMut2<f64>,
            ) -> Result<()> {
                (**self).score_vjp(t, x, v, out)
            }
        }
        impl<S: SampleBatch + ?Sized> SampleBatch for $ptr {
            fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
                (**self).sample_batch(rng, n)
            }
            fn fill_batch(&self, rng: &mut dyn rand::RngCore, out: ArrayViewMut2<f64>) {
                (**self).fill_batch(rng, out)
            }
            fn fill_batch_stream(&self, rng: &mut crate::rng::BlockRng, out: ArrayViewMut2<f64>) {
                (**self).fill_batch_stream(rng, out)
            }
            fn charge_draws(&self, rows: u64) {
                (**self).charge_draws(rows)
            }
        }
        impl<S: LogDensity + ?Sized> LogDensity for $ptr {
            fn log_density(
                &self,
                t: f64,
                x: ArrayView2<f64>,
                out: ArrayViewMut1<f64>,
            ) -> Result<()> {
                (**self).log_density(t, x, out)
            }
        }
    )*};
}

forward_traits!(&S, Box<S>, Arc<S>);

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

impl<S: Dimension> Dimension for CountingScore<S> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
}

impl<S: Score> Score for CountingScore<S> {
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

/// A law that draws i.i.d. batches of points (shape `(n, dim)`): hardiff's one sampling API,
/// implemented by every distribution with an exact sampler, so samplers and reductions can take
/// any of them.
///
/// Takes `&mut dyn RngCore` so that it stays object-safe (`Box<dyn SampleBatch>`); a concrete
/// generator coerces (`law.sample_batch(&mut rng, n)`). Pass a stream from
/// [`crate::rng::stream`]. The law at OU time t of any implementor is
/// [`crate::ou_time::OuMarginal`].
///
/// Laws are `Send + Sync`: a sampler is immutable data, and batch kernels (rejection sampling's
/// prior blocks, docs/math.md §6) draw from it on several threads at once.
pub trait SampleBatch: Dimension + Send + Sync {
    /// Draws `n` i.i.d. points as the rows of a `(n, dim)` array.
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64>;

    /// Fills the rows of `out` (shape `(rows, dim)`) with i.i.d. points: the numbers
    /// [`SampleBatch::sample_batch`]`(rng, rows)` gives, written into a caller's buffer so that
    /// a loop over blocks (rejection sampling) allocates nothing per block. The provided method
    /// allocates and copies; the built-in laws override it.
    ///
    /// `out` must have `dim` columns; implementations may panic otherwise (it is a caller's
    /// buffer, not user input).
    fn fill_batch(&self, rng: &mut dyn rand::RngCore, mut out: ArrayViewMut2<f64>) {
        let x = self.sample_batch(rng, out.nrows());
        out.assign(&x);
    }

    /// [`SampleBatch::fill_batch`] from the concrete block stream type [`crate::rng::BlockRng`]
    /// (ChaCha8): **the same numbers** as `fill_batch` on the same stream. It exists for
    /// speed: a law that overrides it draws through the concrete type, without a virtual call
    /// per random number (rejection sampling's blocks call it, docs/math.md §6).
    ///
    /// A law whose draws cost counted oracle calls (g̃: one f-evaluation per row) does **not**
    /// count them here: the caller charges the rows it actually uses with
    /// [`SampleBatch::charge_draws`]. Rejection sampling's parallel workers draw blocks past
    /// the n-th acceptance and drop them, and how many depends on timing; charging only the
    /// draws examined keeps the count a function of the seed. The provided method forwards to
    /// `fill_batch` (which counts), and the provided `charge_draws` does nothing: right for a
    /// law that counts nothing, and a law that counts overrides both.
    fn fill_batch_stream(&self, rng: &mut crate::rng::BlockRng, out: ArrayViewMut2<f64>) {
        self.fill_batch(rng, out);
    }

    /// Counts the oracle calls of `rows` draws made by [`SampleBatch::fill_batch_stream`] (see
    /// there). The provided method does nothing.
    fn charge_draws(&self, rows: u64) {
        let _ = rows;
    }
}

/// A law whose (log-)density at OU time t is computable (exactly or by brute force).
pub trait LogDensity: Dimension {
    /// Writes log p_t(x_b) into `out[b]` for every row x_b of `x`.
    ///
    /// Errors: shape mismatch, or a `t` the density is not defined at (e.g. t = 0 for a law
    /// with atoms).
    fn log_density(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut1<f64>) -> Result<()>;

    /// log p_t(x_b) for every row x_b of `x`, as a new array of length `batch`
    /// ([`LogDensity::log_density`] without a caller's buffer).
    fn log_density_owned(&self, t: f64, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let mut out = Array1::zeros(x.nrows());
        self.log_density(t, x, out.view_mut())?;
        Ok(out)
    }
}
