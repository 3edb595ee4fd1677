//! hardiff-bench's error type.

use thiserror::Error;

/// Everything that can fail in the bench: bad input, a failing lower crate, or I/O.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from hardiff-dist.
    #[error(transparent)]
    Dist(#[from] hardiff_dist::Error),
    /// An error from hardiff-owf.
    #[error(transparent)]
    Owf(#[from] hardiff_owf::Error),
    /// An error from hardiff-sde.
    #[error(transparent)]
    Sde(#[from] hardiff_sde::Error),
    /// An error from hardiff-nn.
    #[error(transparent)]
    Nn(#[from] hardiff_nn::Error),
    /// An error from hardiff-reduce.
    #[error(transparent)]
    Reduce(#[from] hardiff_reduce::Error),
    /// A scaling fit that could not be made.
    #[error(transparent)]
    Fit(#[from] crate::fit::FitError),
    /// File or stream I/O. (The cause is printed in the message and deliberately not
    /// exposed as `source()`, so an error chain prints it once.)
    #[error("{context}: {cause}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// Malformed JSON (cause printed once, as for [`Error::Io`]).
    #[error("{context}: {cause}")]
    Json {
        /// What was being read.
        context: String,
        /// The underlying error.
        cause: serde_json::Error,
    },
    /// Malformed CSV input.
    #[error("CSV input: {0}")]
    Csv(String),
    /// A plot could not be drawn.
    #[error("plot {path}: {message}")]
    Plot {
        /// The SVG being written.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Invalid input described in words.
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error with the action and path that failed.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            cause: source,
        }
    }
    /// A JSON error with what was being read.
    pub fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Json {
            context: context.into(),
            cause: source,
        }
    }
}
