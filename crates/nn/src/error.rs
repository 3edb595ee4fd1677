//! The crate-wide error type: everything a caller of `hardiff-nn` can get wrong, with the
//! offending value (DESIGN.md "Errors").

use thiserror::Error;

/// Errors of `hardiff-nn`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// An error from `hardiff-dist` (laws, shapes of score calls, times).
    #[error(transparent)]
    Dist(#[from] hardiff_dist::Error),
    /// An error from `hardiff-owf` (circuits, candidates).
    #[error(transparent)]
    Owf(#[from] hardiff_owf::Error),
    /// A configuration value that must be finite and > 0 (or ≥ 1 for counts) was not.
    #[error("{name} must be > 0, got {value}")]
    NonPositive {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
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
    /// Any other invalid parameter, described in words.
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// A checkpoint file does not declare the expected format.
    #[error("checkpoint format is {found:?}, expected {expected:?}")]
    WrongFormat {
        /// The `format` field found (empty when absent).
        found: String,
        /// The format this reader accepts.
        expected: &'static str,
    },
    /// A checkpoint file has a version this reader does not support.
    #[error(
        "checkpoint version {found} is not supported (this reader supports version {supported})"
    )]
    UnsupportedVersion {
        /// The `version` field found.
        found: u64,
        /// The version this reader supports.
        supported: u64,
    },
    /// A checkpoint file is not valid JSON or does not describe a valid network.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// A network built for a fixed grid of times was asked for a time not on its grid.
    #[error("no network was built for OU time t = {t} (grid: {grid})")]
    TimeNotOnGrid {
        /// The time requested.
        t: f64,
        /// The grid, in words.
        grid: String,
    },
    /// Training diverged (a non-finite loss).
    #[error("training diverged at step {step}: loss {loss}")]
    Diverged {
        /// The step at which the loss became non-finite.
        step: usize,
        /// The loss.
        loss: f64,
    },
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for hardiff_dist::Error {
    /// Maps an `hardiff-nn` error into the `hardiff-dist` error that the [`hardiff_dist::Score`]
    /// trait returns (keeping `Dist` errors as they are).
    fn from(e: Error) -> Self {
        match e {
            Error::Dist(d) => d,
            Error::DimensionMismatch {
                what,
                expected,
                got,
            } => hardiff_dist::Error::DimensionMismatch {
                what,
                expected,
                got,
            },
            other => hardiff_dist::Error::external(other),
        }
    }
}

/// Returns `value` if it is finite and > 0, else [`Error::NonPositive`].
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::NonPositive { name, value })
    }
}

/// Returns `value` if it is ≥ 1, else [`Error::NonPositive`].
pub(crate) fn count(name: &'static str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(Error::NonPositive {
            name,
            value: value as f64,
        })
    }
}
