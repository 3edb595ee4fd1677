//! # hardiff-bench
//!
//! The measuring half of hardiff: the experiments of `cargo xtask bench` (E1–E7, F1, K), the
//! resumable, shardable experiment [`engine`], scaling [`fit`]s, SVG [`plot`]s, the report
//! writer, and the prior and measurement files ([`prior`]) and tables ([`io`]) that the CLI
//! shares.
//!
//! **Architecture invariant:** the only library crate that knows about experiments and touches
//! the file system; it computes costs through the lower crates (hardiff-reduce, hardiff-sde,
//! hardiff-nn, hardiff-dist, hardiff-owf) and never the other way round. The binaries
//! (hardiff-cli, xtask) depend on it.

pub mod engine;
pub mod error;
pub mod experiments;
pub mod fit;
pub mod io;
pub mod plot;
pub mod prior;

pub use error::{Error, Result};
