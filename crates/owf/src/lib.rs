//! # hardiff-owf
//!
//! One-way function candidates (MATH.md §4), boolean circuits they compile to, and inverters.
//!
//! **Architecture invariant:** this crate *knows nothing about real numbers*: bits, circuits and
//! counted evaluations only. It depends on no other hardiff crate.
//!
//! - [`Bits`]: the packed bit vectors every function reads and writes (bit order, byte packing
//!   and hex form documented in [`bits`]).
//! - [`OneWayFunction`]: f: {0,1}^n → {0,1}^m with counted evaluation ([`EvalCounter`], shared
//!   by clones) and [`OneWayFunction::compile`] to a [`Circuit`]; the candidates live in
//!   [`candidates`] and are built by [`build`] from a [`Kind`], n, m and a seed.
//! - [`Circuit`] / [`CircuitBuilder`]: the {AND, XOR, NOT, constant} circuit IR that hardiff-nn
//!   compiles into ReLU networks.
//! - [`Inverter`]: [`BruteForce`] (≤ 2^n counted evaluations) and [`Elimination`] (GF(2)-affine
//!   controls); the posterior-sampling reduction of MATH.md §6 is one more implementation.
//!
//! ```
//! use hardiff_owf::{build, BruteForce, Inverter, Kind, OneWayFunction};
//! let f = build(Kind::Blake3, 10, 10, 1)?;
//! let x = hardiff_owf::Bits::from_u64(700, 10)?;
//! let y = f.eval(&x)?;
//! let inv = BruteForce::new().invert(f.as_ref(), &y)?;
//! assert_eq!(f.eval(&inv.preimage.unwrap())?, y);
//! assert!(inv.evaluations <= 701); // the search stops at the first preimage, at most x itself
//! # Ok::<(), hardiff_owf::Error>(())
//! ```

pub mod bits;
pub mod candidates;
pub mod circuit;
pub mod error;
pub mod gf2;
pub mod invert;
pub mod owf;

pub use bits::Bits;
pub use candidates::{Blake3Keyed, Goldreich, Identity, Linear, SubsetSum};
pub use circuit::{Circuit, CircuitBuilder, Gate, GateCounts, Wire};
pub use error::{Error, Result};
pub use gf2::Gf2Matrix;
pub use invert::{BruteForce, Elimination, Inversion, Inverter};
pub use owf::{build, build_arc, EvalCounter, Kind, OneWayFunction};
