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
//! - [`relu_net`]: sparse layered ReLU networks built by construction, with honest size counts;
//! - [`gadgets`]: exact ReLU gadgets (boolean gates, clamp, sign ramp, piecewise-linear 1-D
//!   functions);
//! - [`circuit_net`]: boolean circuits (hardiff-owf) compiled into ReLU networks;
//! - [`owf_net`]: g̃'s efficient score (MATH.md §5) as one ReLU network per time step;
//! - [`pancakes`]: learning the Gaussian-pancake score by DSM without the secret, against d.

pub mod circuit_net;
pub mod dsm;
pub mod error;
pub mod gadgets;
pub mod mlp;
pub mod owf_net;
pub mod pancakes;
pub mod relu_net;
pub mod score_mlp;

pub use circuit_net::{
    circuit_compile_report, compile_circuit, emit_circuit, CircuitCompileReport, XorGadget,
};
pub use dsm::{
    train_dsm, train_score_network, Dataset, DsmConfig, DsmReport, DsmTrainer, LossPoint,
};
pub use error::{Error, Result};
pub use gadgets::{Extension, PiecewiseLinear};
pub use mlp::{Adam, Dense, Gradients, Mlp, Workspace};
pub use owf_net::{
    default_time_grid, owf_network_summary, OwfNetConfig, OwfNetSummary, OwfScoreNetwork,
    OwfStepSummary, OwfSummaryOptions, OwfTimeNetwork,
};
pub use pancakes::{
    pancake_learning_experiment, PancakeExperimentConfig, PancakeRecord, ProjectedScore,
};
pub use relu_net::{Affine, NetworkSize, Node, ReluGraph, ReluNetwork, SparseLayer};
pub use score_mlp::{Parameterization, ScoreMlp, TimeEmbedding};
