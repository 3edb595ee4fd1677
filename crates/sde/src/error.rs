//! The crate-wide error type of hardiff-sde: everything a caller of a sampler can get wrong,
//! and the budget failures that a sampler reports instead of running forever.

use thiserror::Error;

/// Errors of hardiff-sde, each carrying the offending value.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from a law or score of hardiff-dist (shape, time range, …).
    #[error(transparent)]
    Dist(#[from] hardiff_dist::Error),
    /// Array shapes do not fit together (A vs x, y vs A, score dimension vs prior, …).
    #[error("dimension mismatch: {what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What was being compared.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Size given.
        got: usize,
    },
    /// A parameter that must be finite and strictly positive was not.
    #[error("{name} must be finite and > 0, got {value}")]
    NonPositive {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A batch, a sample set or a step count that must be non-empty was empty (zero).
    #[error("{what} must be non-empty (got 0)")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// Time-grid parameters are inconsistent (e.g. t_min ≥ T).
    #[error("invalid time grid: {0}")]
    InvalidGrid(String),
    /// Rejection sampling spent its whole prior-draw budget before accepting enough samples.
    #[error(
        "rejection sampling exhausted its budget of {max_draws} prior draws: accepted {accepted} \
         of {requested} requested (measured acceptance rate {acceptance_rate:e}; expected \
         draws for the request ≈ {requested}/rate)"
    )]
    BudgetExhausted {
        /// The budget.
        max_draws: u64,
        /// Prior draws examined (= the budget).
        draws: u64,
        /// Samples accepted.
        accepted: usize,
        /// Samples requested.
        requested: usize,
        /// accepted / draws.
        acceptance_rate: f64,
    },
    /// A sampler chosen at run time needs an oracle that the prior does not provide (since the
    /// prior's type decides what each method gets, this is only rejection sampling by name on a
    /// `posterior::Prior` without an exact sampler).
    #[error("sampler `{sampler}` needs the prior's {oracle}, which was not provided")]
    MissingOracle {
        /// The sampler.
        sampler: &'static str,
        /// The missing oracle.
        oracle: &'static str,
    },
    /// The iterate became non-finite (e.g. a guidance step size far too large).
    #[error("{sampler} diverged: non-finite iterate after step {step} (t = {t})")]
    Diverged {
        /// The sampler.
        sampler: &'static str,
        /// Index of the step after which it happened.
        step: usize,
        /// The time reached.
        t: f64,
    },
    /// Any other invalid parameter, described in words.
    #[error("invalid parameter: {0}")]
    Invalid(String),
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns `value` if it is finite and > 0, else [`Error::NonPositive`].
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::NonPositive { name, value })
    }
}
