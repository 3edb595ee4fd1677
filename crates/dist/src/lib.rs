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

pub mod discrete_gaussian;
pub mod error;
pub mod gaussian;
pub mod lattice;
pub mod linalg;
pub mod numerics;
pub mod owf_dist;
pub mod pancakes;
pub mod rng;
pub mod score;
pub mod smoothed;
pub mod standard_gaussian;
pub mod stats;

pub use discrete_gaussian::DiscreteGaussian;
pub use error::{Error, Result};
pub use gaussian::{Gaussian, GaussianMixture, GaussianMixtureSpec, GaussianSpec};
/// The one counter of oracle calls, defined in hardiff-owf (one-way-function evaluations use it
/// too, so a count can be shared between oracles of different kinds).
pub use hardiff_owf::CallCounter;
pub use lattice::{LatticeSum, LatticeSumForm, LatticeSumValue};
pub use owf_dist::{
    BruteForceOwfScore, EfficientOwfScore, HalfLatticeSums, OwfDistribution, OwfParams, ScoreError,
};
pub use pancakes::{GaussianPancakes, PancakeProfile};
pub use score::{CountingScore, LogDensity, SampleBatch, Score, ScoreVjp};
pub use smoothed::{PeriodicGaussian, SmoothedDiscreteGaussian, SmoothedValue};
pub use standard_gaussian::StandardGaussian;
