//! # hardiff-nn
//!
//! ReLU score networks (MATH.md §5, §8): dense MLPs trained by denoising score matching, and
//! networks built by construction from boolean circuits and rounding gadgets.
//!
//! **Architecture invariant:** networks know distributions only through samples and the
//! `Score` trait of `hardiff-dist`. Depends on `hardiff-owf` (circuits) and `hardiff-dist`;
//! never on `hardiff-sde` or `hardiff-harness`.
//!
//! Map:
//! - [`mlp`]: dense ReLU MLP arithmetic (batched forward/backward as matrix products), Adam;
//! - [`score_mlp`]: the time-conditioned score network, its `Score`/`ScoreVjp` and checkpoints;
//! - [`dsm`]: denoising score matching (MATH.md §8);
//! - [`metrics`]: L2 score errors with standard errors.

pub mod dsm;
pub mod error;
pub mod metrics;
pub mod mlp;
pub mod score_mlp;

pub use dsm::{train_dsm, Dataset, DsmConfig, DsmReport, DsmTrainer};
pub use error::{Error, Result};
pub use metrics::{l2_score_error, noised_samples, ErrorEstimate};
pub use mlp::{Adam, Dense, Gradients, Mlp, Workspace};
pub use score_mlp::{Parameterization, ScoreMlp, TimeEmbedding};
