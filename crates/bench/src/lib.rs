//! # hardiff-bench
//!
//! The measuring half of hardiff: the experiments of `cargo xtask bench` (E1–E7, PL, F1, K; one
//! module each under [`experiments`]), the resumable, shardable experiment [`engine`], scaling
//! [`fit`]s and the [`class_test`], checked [`claim`]s, SVG [`plot`]s, the [`report`] writer,
//! the prior and measurement files ([`prior`]) and tables ([`io`]) that the CLI shares, and
//! [`challenge`] files with the one scoring of posterior samples that the CLI and Python share.
//!
//! **Architecture invariant:** the only library crate that knows about experiments and touches
//! the file system; it computes costs through the lower crates (hardiff-reduce, hardiff-sde,
//! hardiff-nn, hardiff-dist, hardiff-owf) and never the other way round. The binaries
//! (hardiff-cli, xtask) depend on it.
//!
//! ## Example
//!
//! Every cost curve of the report is classified by [`fit::fit_scaling`], the χ² class test of
//! docs/math.md §9 ([`class_test`]). A cost that doubles with each unit of size, measured with
//! three trials of ±5% noise per size, is exponential with rate ln 2 (the polynomial model is
//! rejected, the exponential one is not):
//!
//! ```
//! use hardiff_bench::class_test::ClassVerdict;
//! use hardiff_bench::fit::fit_scaling;
//!
//! let curve: Vec<(f64, Vec<f64>)> = (4..=12)
//!     .map(|n| {
//!         let cost = 2f64.powi(n);
//!         (f64::from(n), vec![0.95 * cost, cost, 1.05 * cost])
//!     })
//!     .collect();
//! let fit = fit_scaling(&curve, 200, 7)?;
//! assert_eq!(fit.class, ClassVerdict::Exponential);
//! assert!(fit.polynomial.p_value < 0.05 && fit.exponential.p_value > 0.05);
//! assert!((fit.rate - std::f64::consts::LN_2).abs() < 1e-3);
//! println!("{} growth, rate {:.4} per unit size, 95% CI {:?}", fit.class, fit.rate, fit.rate_ci);
//! # Ok::<(), hardiff_bench::Error>(())
//! ```
//!
//! [`engine::Experiment`] shows how an experiment is written and run.

pub mod challenge;
pub mod claim;
pub mod class_test;
pub mod engine;
pub mod error;
pub mod experiments;
pub mod fit;
pub mod io;
pub mod plot;
pub mod prior;
pub mod report;

pub use error::{Error, Result};
