//! # hardiff-dist
//!
//! Exact distributions for the hardness experiments of hardiff: the Gaussian function and
//! lattice Gaussian sums (MATH.md §1), exact discrete / smoothed / periodic Gaussians, Gaussian
//! pancakes with their exact OU-smoothed scores (MATH.md §2), and the [`Score`] trait that every
//! score in hardiff — exact, brute force, approximate or learned — implements.
//!
//! **Architecture invariant:** everything here is *exact or brute force, never learned*.
//! This crate may depend on `hardiff-owf` (for the one-way-function distribution of MATH.md §5)
//! and on numerical/random crates; it must not depend on `hardiff-nn`, `hardiff-sde` or
//! `hardiff-harness`, and it never touches files or experiments.
//!
//! Conventions (MATH.md §0): arrays are batch-first `f64` (`(batch, dim)`), time is OU time `t`
//! of the variance-preserving process `dX = −X dt + √2 dB`, and all randomness comes from
//! seeded [`rng::stream`]s.

pub mod error;
pub mod numerics;
pub mod rng;
pub mod score;
pub mod stats;

pub use error::{Error, Result};
pub use score::{CallCounter, CountingScore, LogDensity, SampleBatch, Score, ScoreVjp};
