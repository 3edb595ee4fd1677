//! # hardiff-nn
//!
//! ReLU score networks (docs/math.md §5, §8): dense MLPs trained by denoising score matching, and
//! networks built by construction from boolean circuits and rounding gadgets.
//!
//! **Architecture invariant:** networks know distributions only through samples and the
//! `Score` trait of `hardiff-dist`. Depends on `hardiff-owf` (circuits) and `hardiff-dist`;
//! never on `hardiff-sde`, `hardiff-reduce` or `hardiff-bench`, and never touches files
//! (checkpoints are JSON text; the caller decides where they go).
//!
//! ## Example: a one-way function's circuit as an exact ReLU network
//! The construction behind arXiv 2402.12727's "small networks compute g̃'s score": every
//! boolean gate is a ReLU gadget, so f itself is a ReLU network, exact on every input.
//! ```
//! use hardiff_nn::{compile_circuit, XorGadget};
//! use hardiff_owf::{Bits, Candidate, OneWayFunction};
//! use ndarray::Array2;
//!
//! // Goldreich's local function on 8 input and 8 output bits, as a circuit, then a network.
//! let f = Candidate::Goldreich.build(8, 8, 7)?;
//! let net = compile_circuit(&f.compile(), XorGadget::AbsDiff)?;
//! // Every input x ∈ {0,1}^8 as a row of 0/1 (bit i of x is column i).
//! let inputs = Array2::from_shape_fn((256, 8), |(x, i)| ((x >> i) & 1) as f64);
//! let outputs = net.eval_owned(inputs.view())?;
//! for x in 0..256u64 {
//!     let fx = f.eval(&Bits::from_u64(x, 8)?)?;
//!     for j in 0..8 {
//!         assert_eq!(outputs[[x as usize, j]], if fx.bit(j) { 1.0 } else { 0.0 });
//!     }
//! }
//! assert_eq!(f.evaluations(), 256);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Map:
//! - [`mlp`]: dense ReLU MLP arithmetic (batched forward/backward as matrix products), Adam;
//! - [`score_mlp`]: the time-conditioned score network, its `Score`/`ScoreVjp` and checkpoints;
//! - [`dsm`]: denoising score matching (docs/math.md §8);
//! - [`relu_net`]: sparse layered ReLU networks built by construction, with honest size counts;
//! - [`gadgets`]: exact ReLU gadgets (boolean gates, clamp, sign ramp, piecewise-linear 1-D
//!   functions);
//! - [`circuit_net`]: boolean circuits (hardiff-owf) compiled into ReLU networks;
//! - [`owf_net`]: g̃'s efficient score (docs/math.md §5) as one ReLU network per time step;
//! - [`projected`]: a score on one known direction, lifted from a 1-D score (what a learner
//!   that knows the pancakes' secret can achieve).
//!
//! (The pancake-learning experiment that uses these pieces lives in hardiff-bench.)

pub mod circuit_net;
pub mod dsm;
pub mod error;
pub mod gadgets;
pub mod mlp;
pub mod owf_net;
pub mod projected;
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
    default_time_grid, owf_network_summary, CompiledOwf, OwfNetConfig, OwfNetSummary,
    OwfScoreNetwork, OwfStepSummary, OwfSummaryOptions, OwfTimeNetwork,
};
pub use projected::ProjectedScore;
pub use relu_net::{Affine, NetworkSize, Node, ReluGraph, ReluNetwork, SparseLayer};
pub use score_mlp::{Parameterization, ScoreMlp, TimeEmbedding};
