//! # hardiff-harness
//!
//! The reductions (score oracle → pancake distinguisher, posterior sampler → one-way-function
//! inverter), experiments, metrics, curve fits and reports, and the `hardiff` command-line
//! program.
//!
//! **Architecture invariant:** the only crate that knows about experiments and files. Library
//! code returns typed errors; the binary turns them into one readable line and a non-zero exit.

pub mod bench;
pub mod cli;
pub mod distinguisher;
pub mod error;
pub mod experiments;
pub mod fit;
pub mod inverter;
pub mod io;
pub mod peer;
pub mod plot;
pub mod prior;

pub use error::{Error, Result};
