//! The crate-wide error type.

use thiserror::Error;

/// Everything a caller of `hardiff-dist` can get wrong, with the offending value.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// A parameter that must be finite and strictly positive was not.
    #[error("{name} must be finite and > 0, got {value}")]
    NonPositive {
        /// Parameter name as in MATH.md.
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
    /// An error from the one-way function of the distribution (hardiff-owf, MATH.md §5).
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

/// Returns `t` if it is finite and ≥ 0 (an OU time), else an error.
pub fn ou_time(t: f64) -> Result<f64> {
    if t.is_finite() && t >= 0.0 {
        Ok(t)
    } else {
        Err(Error::OutOfRange {
            name: "t",
            value: t,
            range: "[0, ∞)",
        })
    }
}
