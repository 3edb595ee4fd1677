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
//!
//! ## Example: exact posterior sampling inverts a one-way function
//! Rejection sampling is an exact posterior sampler, so by the reduction it inverts f — and
//! pays for it in prior draws, about 2^{1.5 m} of them (docs/math.md §6).
//! ```
//! use hardiff_owf::{Bits, Candidate, Inverter, OneWayFunction};
//! use hardiff_reduce::inverter::{PosteriorInverter, ScoreOracle};
//! use hardiff_sde::posterior::{PosteriorMethod, RejectionConfig};
//!
//! // BLAKE3-keyed f on 6 input and 6 output bits, and a target y = f(s*).
//! let f = Candidate::Blake3.build(6, 6, 11)?;
//! let y = f.eval(&Bits::from_u64(0b101101, 6)?)?;
//!
//! // Posterior samples of g̃ given the measured output bits, decoded to seeds.
//! let rejection = PosteriorMethod::Rejection(RejectionConfig::default());
//! let inverter = PosteriorInverter::new(rejection, ScoreOracle::Efficient, 2, 7);
//! let found = inverter.invert(f.as_ref(), &y)?;
//! let preimage = found.preimage.expect("exact posterior samples decode to preimages");
//! assert_eq!(f.eval(&preimage)?, y);
//! // `operations` counts the prior draws (plus score calls, none for rejection).
//! assert!(found.operations > 8);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod distinguisher;
pub mod error;
pub mod inverter;

pub use error::{Error, Result};
