//! The crate-wide error type.

use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// Everything a caller of `hardiff-dist` can get wrong, with the offending value.
///
/// `#[non_exhaustive]`: match with a wildcard arm, new variants may be added. Code outside
/// hardiff that implements this crate's traits (a user's own [`crate::Score`]) reports its own
/// failures as [`Error::External`] (built by [`Error::external`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter that must be finite and strictly positive was not.
    #[error("{name} must be finite and > 0, got {value}")]
    NonPositive {
        /// Parameter name as in docs/math.md.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A parameter that must be finite was NaN or infinite.
    #[error("{name} must be finite, got {value}")]
    NonFinite {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A parameter lies outside the range this implementation supports.
    #[error("{name} = {value} is outside the supported range {range}")]
    OutOfRange {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Human-readable description of the supported range.
        range: &'static str,
    },
    /// Array shapes do not fit together.
    #[error("dimension mismatch: {what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What was being compared.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Size given.
        got: usize,
    },
    /// A vector that must have unit norm does not.
    #[error("{name} must have unit norm (within {tolerance:e}), got norm {norm}")]
    NotUnit {
        /// Parameter name.
        name: &'static str,
        /// Its Euclidean norm.
        norm: f64,
        /// Accepted deviation from 1.
        tolerance: f64,
    },
    /// A brute-force routine was asked for a size that would not finish.
    #[error("{what}: size {size} exceeds the brute-force limit {limit} (work ~ {work})")]
    TooLarge {
        /// The routine.
        what: &'static str,
        /// Requested size.
        size: usize,
        /// Largest accepted size.
        limit: usize,
        /// Statement of the work that would be needed.
        work: String,
    },
    /// An operation that needs a positive OU time got t ≤ 0 (e.g. a law with atoms).
    #[error("OU time t must be > 0 here ({why}), got {t}")]
    TimeNotPositive {
        /// The time given.
        t: f64,
        /// Why t = 0 is refused.
        why: &'static str,
    },
    /// An operation is not supported by this implementation.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Any other invalid parameter, described in words.
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// An error from the one-way function of the distribution (hardiff-owf, docs/math.md §5).
    #[error(transparent)]
    Owf(#[from] hardiff_owf::Error),
    /// A matrix that must be symmetric is not (beyond a relative tolerance).
    #[error("{name} must be symmetric: entry ({row}, {col}) differs from its transpose by {difference:e}")]
    NotSymmetric {
        /// Parameter name.
        name: &'static str,
        /// Row of the worst entry.
        row: usize,
        /// Column of the worst entry.
        col: usize,
        /// |a_ij − a_ji|.
        difference: f64,
    },
    /// A matrix that must be (numerically) positive definite is not: the Cholesky pivot (or the
    /// smallest eigenvalue) at `index` is `value` ≤ 0.
    #[error("{name} must be positive definite: pivot {index} is {value:e}")]
    NotPositiveDefinite {
        /// Parameter name.
        name: &'static str,
        /// Index of the failing pivot / eigenvalue.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Pearson's chi-square test has no degrees of freedom left: after pooling there are
    /// `cells` cells, and `cells − 1 − fitted_parameters` ≤ 0 (too few observations, or too
    /// many fitted parameters).
    #[error(
        "chi-square test needs cells − 1 − fitted parameters ≥ 1, got {cells} pooled cells and \
         {fitted_parameters} fitted parameters"
    )]
    NoDegreesOfFreedom {
        /// Cells after pooling.
        cells: usize,
        /// Parameters fitted to the data.
        fitted_parameters: usize,
    },
    /// An error raised by code outside hardiff behind one of this crate's traits (for
    /// example a user's own [`crate::Score`]); the original error is in the payload.
    #[error("{0}")]
    External(ExternalError),
}

impl Error {
    /// Wraps an error of code outside hardiff (a user's own score, sampler or density) as
    /// [`Error::External`], so it travels through hardiff's samplers unchanged.
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct MyFailure;
    /// impl std::fmt::Display for MyFailure {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("my network is not loaded")
    ///     }
    /// }
    /// impl std::error::Error for MyFailure {}
    ///
    /// let e = hardiff_dist::Error::external(MyFailure);
    /// assert_eq!(e.to_string(), "my network is not loaded");
    /// let hardiff_dist::Error::External(inner) = &e else { unreachable!() };
    /// assert!(inner.get_ref().downcast_ref::<MyFailure>().is_some());
    /// ```
    pub fn external(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::External(ExternalError::new(error))
    }
}

/// The payload of [`Error::External`]: an error of code outside hardiff, shared behind an
/// `Arc` so that [`enum@Error`] stays `Clone` (and the error types of the crates above, which
/// wrap it, too). Two values are equal iff they share the same original error.
#[derive(Debug, Clone)]
pub struct ExternalError(Arc<dyn std::error::Error + Send + Sync>);

impl ExternalError {
    /// Wraps `error` (anything convertible to a boxed error, including a `String`).
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(Arc::from(error.into()))
    }
    /// The original error, for `downcast_ref`.
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Display for ExternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ExternalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for ExternalError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns `value` if it is finite and > 0, else [`Error::NonPositive`].
pub fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::NonPositive { name, value })
    }
}

/// Returns `value` if it is finite, else [`Error::NonFinite`].
pub fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::NonFinite { name, value })
    }
}
