//! The reductions' error type.

use thiserror::Error;

/// Everything that can fail in a reduction: bad parameters, or a failing lower crate.
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
    /// An error from hardiff-nn (training the distinguisher's learned oracle).
    #[error(transparent)]
    Nn(#[from] hardiff_nn::Error),
    /// Invalid parameters described in words.
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
