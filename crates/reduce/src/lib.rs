//! # hardiff-reduce
//!
//! The two reductions at the heart of the papers, as code:
//!
//! - [`inverter`]: any posterior sampler becomes a one-way-function inverter
//!   ([`inverter::PosteriorInverter`] implements [`hardiff_owf::Inverter`]): measure f(s*)
//!   through the hard instance g̃, sample the posterior, decode the seed (arXiv 2402.12727;
//!   docs/math.md §6).
//! - [`distinguisher`]: any score oracle becomes a distinguisher between Gaussian pancakes and
//!   N(0, I_d) (Song, arXiv 2404.03272, Thm 3.1; docs/math.md §3), with oracles of known quality
//!   and the brute-force projection-pursuit estimator of the paper's statistical contrast.
//!
//! **Architecture invariant:** the reductions and nothing else — no experiments, no files, no
//! plots. It sees distributions through hardiff-dist, samplers through hardiff-sde and learned
//! scores through hardiff-nn; only hardiff-bench, hardiff-cli and xtask depend on it.

pub mod distinguisher;
pub mod error;
pub mod inverter;

pub use error::{Error, Result};
