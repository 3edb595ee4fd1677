//! # hardiff-sde
//!
//! The forward OU process, time grids, unconditional diffusion samplers, linear measurements
//! and posterior samplers (MATH.md §6–§7), plus the distances used to compare their output with
//! exact samples.
//!
//! **Architecture invariant:** this crate never depends on `hardiff-nn`; samplers see scores
//! only through the `Score` / `ScoreVjp` traits of `hardiff-dist`, and priors only through
//! `SampleBatch`. Every entry point takes trait objects (`&dyn Score`, `&dyn SampleBatch`, a
//! [`posterior::Prior`] of them), so the CLI chooses laws and samplers at run time.
//!
//! Map:
//! - [`ou`]: α_t, v_t, t ↔ VE σ, exact forward transitions and the OU bridge.
//! - [`grid`]: uniform, geometric and EDM/Karras time grids; defaults geometric, T = 10, t_min = 1e−3.
//! - [`sampler`]: EM, DDPM-ancestral, probability-flow Heun (and Euler), Langevin / PC;
//!   [`sampler::sample`] counts score evaluations.
//! - [`measurement`]: y = A x + η and its likelihood.
//! - [`posterior`]: rejection, SMC/TDS, DPS, ΠGDM, posterior Langevin;
//!   [`posterior::sample_posterior`] returns counted costs ([`posterior::PosteriorStats`]).
//! - [`metrics`]: sliced Wasserstein, energy distance, per-coordinate KS, component masses.

pub mod error;
pub mod grid;
pub mod measurement;
pub mod metrics;
pub mod ou;
pub mod posterior;
pub mod sampler;

pub use error::{Error, Result};
pub use grid::{GridKind, TimeGrid, DEFAULT_T_MAX, DEFAULT_T_MIN};
pub use measurement::LinearMeasurement;
pub use posterior::{
    sample_posterior, Jacobian, PosteriorConfig, PosteriorMethod, PosteriorOutput, PosteriorStats,
    Prior,
};
pub use sampler::{sample, LangevinConfig, SampleOutput, SampleStats, SamplerConfig, SamplerKind};
