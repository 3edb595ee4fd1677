//! # hardiff-sde
//!
//! The forward OU process, time grids, unconditional diffusion samplers, linear measurements
//! and posterior samplers (docs/math.md §6–§7), plus the distances used to compare their output with
//! exact samples.
//!
//! **Architecture invariant:** this crate never depends on `hardiff-nn`; samplers see scores
//! only through the `Score` / `ScoreVjp` traits of `hardiff-dist`, and priors only through
//! `SampleBatch`. Unconditional samplers take `&dyn Score`; each posterior sampler states in its
//! type what it needs of the prior ([`PosteriorSampler`]), and [`PosteriorMethod`] with a
//! [`Prior`] of trait objects lets the CLI choose laws and samplers at run time.
//!
//! Map:
//! - [`ou`]: α_t, v_t, t ↔ VE σ, exact forward transitions and the OU bridge.
//! - [`grid`]: uniform, geometric and EDM/Karras time grids; defaults geometric, T = 10, t_min = 1e−3.
//! - [`sampler`]: EM, DDPM-ancestral, probability-flow Heun (and Euler), Langevin / PC;
//!   [`sampler::sample`] counts score evaluations.
//! - [`measurement`]: y = A x + η and its likelihood.
//! - [`posterior`]: rejection, SMC/TDS, DPS, ΠGDM, posterior Langevin, one module each behind
//!   [`PosteriorSampler`]; [`PosteriorMethod`] runs one by name; all return counted costs
//!   ([`PosteriorStats`]).
//! - [`metrics`]: sliced Wasserstein, energy distance, per-coordinate KS, component masses.
//!
//! # Example
//! A user's own score — here of N(μ, I), whose OU-smoothed law is N(α_t μ, I), so
//! s_t(x) = α_t μ − x — sampled unconditionally with Heun, then conditioned on one noisy linear
//! measurement with SMC chosen by name. The score offers no VJPs, so SMC's guidance is
//! Jacobian-free; the posterior is exact as particles grow.
//! ```
//! // Everything comes through hardiff-sde: its re-exports of hardiff-dist, ndarray and rand.
//! use hardiff_sde::hardiff_dist::{rng, Dimension, Score};
//! use hardiff_sde::ndarray::{array, Array1, ArrayView2, ArrayViewMut2, Axis};
//! use hardiff_sde::{ou, sample, LinearMeasurement, PosteriorMethod, Prior, SamplerConfig, SamplerKind};
//!
//! struct MyScore {
//!     mean: Array1<f64>,
//! }
//!
//! impl Dimension for MyScore {
//!     fn dim(&self) -> usize {
//!         self.mean.len()
//!     }
//! }
//!
//! impl Score for MyScore {
//!     fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> hardiff_sde::hardiff_dist::Result<()> {
//!         hardiff_sde::hardiff_dist::score::check_shapes(self.dim(), &x, &out)?;
//!         out.assign(&(&self.mean * ou::alpha(t) - &x));
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<(), hardiff_sde::Error> {
//! let prior = MyScore { mean: array![1.0, -1.0] };
//! let mut stream = rng::stream(7, "example", &[]);
//!
//! // Unconditional: 500 draws of p_{t_min} ≈ N(μ, I) by the probability-flow ODE (Heun).
//! let uncond = sample(&prior, &SamplerConfig::new(SamplerKind::Heun), 500, &mut stream)?;
//! let mean = uncond.samples.mean_axis(Axis(0)).unwrap();
//! assert!((mean[0] - 1.0).abs() < 0.25 && (mean[1] + 1.0).abs() < 0.25); // 5.6 SE
//!
//! // Posterior given y = x₁ + η, η = 0.5, y = 0: x₁ | y ~ N(0.2, 0.2) (x₁ ~ N(1, 1) a priori).
//! let measurement = LinearMeasurement::new(array![[1.0, 0.0]], 0.5)?;
//! let y = array![0.0];
//! let smc = PosteriorMethod::from_name("smc")?;
//! let post = smc.sample(&Prior::from_score(&prior), &measurement, y.view(), 500, &mut stream)?;
//! let x1 = post.samples.column(0).mean().unwrap();
//! assert!((x1 - 0.2).abs() < 0.15, "{x1}");
//! assert_eq!(post.stats.score_evals, 500 * 100); // P = n particles, 100 steps
//! # Ok(())
//! # }
//! ```

pub mod error;
pub mod grid;
pub mod measurement;
pub mod metrics;
pub mod ou;
pub mod posterior;
pub mod sampler;

pub use error::{Error, Result};
pub use grid::{GridKind, TimeGrid, DEFAULT_T_MAX, DEFAULT_T_MIN};
/// The crates hardiff-sde's API is written in, re-exported so that a downstream crate that
/// depends only on hardiff-sde writes its own `Score` without pinning versions of its own.
pub use hardiff_dist::{self, ndarray, rand};
pub use measurement::LinearMeasurement;
pub use posterior::{
    Jacobian, PosteriorMethod, PosteriorOutput, PosteriorSampler, PosteriorStats, Prior,
    PriorScore, Schedule, WithVjp,
};
pub use sampler::{sample, LangevinConfig, SampleOutput, SampleStats, SamplerConfig, SamplerKind};
