//! # hardiff-dist
//!
//! Exact distributions for the hardness experiments of hardiff: the Gaussian function and
//! lattice Gaussian sums (docs/math.md §1), exact discrete / smoothed / periodic Gaussians, Gaussian
//! pancakes with their exact OU-smoothed scores (docs/math.md §2), Gaussians and Gaussian mixtures
//! (docs/math.md §7) with the MCGdiff mixture benchmark ([`McgdiffGmm`]), the one-way-function distribution g̃ (docs/math.md §5), and the traits that every
//! law and score in hardiff — exact, brute force, approximate or learned — implements
//! ([`Score`], [`ScoreVjp`], [`SampleBatch`], [`LogDensity`], with [`Dimension`] owning
//! `dim()`).
//!
//! **Architecture invariant:** everything here is *exact or brute force, never learned*.
//! This crate may depend on `hardiff-owf` (for the one-way-function distribution of docs/math.md §5)
//! and on numerical/random crates; it must not depend on `hardiff-nn`, `hardiff-sde` or any
//! crate above them, and it never touches files or experiments.
//!
//! Conventions (docs/math.md §0): arrays are batch-first `f64` (`(batch, dim)`), time is OU time `t`
//! of the variance-preserving process `dX = −X dt + √2 dB` (one module owns it: [`ou_time`]),
//! the law at OU time t is spelled `at_time(t)`, and all randomness comes from seeded
//! [`rng::stream`]s. The crate re-exports the `ndarray` and `rand` it is built with, so a
//! downstream crate needs no version pins of its own.
//!
//! Threads: the pancakes' batch kernels (score, log-density, score VJP) run on rayon's current
//! pool — the global one (`RAYON_NUM_THREADS`, default one thread per core) unless called inside
//! `rayon::ThreadPool::install`, which is how a caller chooses the threads. They split a batch
//! into fixed chunks of [`pancakes::BATCH_CHUNK_ROWS`] rows, so the output is bit-identical for
//! any thread count.
//!
//! # Example
//! Sample Gaussian pancakes, then evaluate the exact score and log-density of the law at OU
//! time t and its total variation to N(0, I_d) — with nothing but this crate:
//!
//! ```
//! use hardiff_dist::prelude::*;
//!
//! // Pancakes in d = 8 with γ = 6, σ = 0.05 and a secret drawn from seed 7 (docs/math.md §2).
//! let law = GaussianPancakes::with_random_secret(8, 6.0, 0.05, 7)?;
//! let mut rng = rng::stream(7, "example", &[]);
//! let x0 = law.sample_batch(&mut rng, 1000); // exact samples, shape (1000, 8)
//!
//! // The law at OU time t is again pancakes (σ → σ_t); sample it and evaluate it exactly.
//! let t = 0.1;
//! let law_t = law.at_time(t)?;
//! let xt = law_t.sample_batch(&mut rng, 1000);
//! let score = law.score_owned(t, xt.view())?; // ∇ log p_t, shape (1000, 8)
//! let log_p = law.log_density_owned(t, xt.view())?; // log p_t, length 1000
//! assert_eq!((x0.dim(), score.dim(), log_p.len()), ((1000, 8), (1000, 8), 1000));
//! assert!(score.iter().chain(log_p.iter()).all(|v| v.is_finite()));
//!
//! // Visible pancakes are far from N(0, I) (TV > ½); noise washes them out.
//! let (tv_0, tv_t) = (law.tv_to_standard_gaussian(), law_t.tv_to_standard_gaussian());
//! assert!(tv_0 > 0.5 && tv_t < 1e-6);
//! # Ok::<(), hardiff_dist::Error>(())
//! ```

pub mod discrete_gaussian;
pub mod error;
pub mod gaussian;
pub mod lattice;
pub mod linalg;
pub mod mcgdiff;
pub mod numerics;
pub mod ou_time;
pub mod owf_dist;
pub mod pancakes;
pub mod prelude;
pub mod rng;
pub mod score;
pub mod score_error;
pub mod smoothed;
pub mod standard_gaussian;
pub mod stats;

pub use discrete_gaussian::DiscreteGaussian;
pub use error::{Error, ExternalError, Result};
pub use gaussian::{Gaussian, GaussianMixture, GaussianMixtureSpec, GaussianSpec};
/// The one counter of oracle calls, defined in hardiff-owf (one-way-function evaluations use it
/// too, so a count can be shared between oracles of different kinds).
pub use hardiff_owf::CallCounter;
pub use lattice::{LatticeSum, LatticeSumForm, LatticeSumValue};
pub use mcgdiff::McgdiffGmm;
pub use ou_time::OuMarginal;
pub use owf_dist::{
    BruteForceOwfScore, EfficientOwfScore, HalfLatticeSums, OwfDistribution, OwfErrorEstimator,
    OwfParams, OwfScoreError,
};
pub use pancakes::{GaussianPancakes, PancakeProfile};
pub use score::{CountingScore, Dimension, LogDensity, SampleBatch, Score, ScoreVjp};
pub use score_error::{l2_score_error, ScoreError};
pub use smoothed::{PeriodicGaussian, SmoothedDiscreteGaussian, SmoothedValue};
pub use standard_gaussian::StandardGaussian;

/// The `ndarray` this crate's APIs take and return (re-exported so that users need not pin it).
pub use ndarray;
/// The `rand` this crate's samplers take (re-exported so that users need not pin it).
pub use rand;
