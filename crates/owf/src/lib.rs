//! # hardiff-owf
//!
//! One-way function candidates (docs/math.md §4), boolean circuits they compile to, and inverters.
//!
//! **Architecture invariant:** this crate *knows nothing about real numbers*: bits, circuits and
//! counted evaluations only. It depends on no other hardiff crate.
//!
//! - [`Bits`]: the packed bit vectors every function reads and writes (bit order, byte packing
//!   and hex form documented in [`bits`]).
//! - [`OneWayFunction`]: f: {0,1}^input_bits → {0,1}^output_bits with a [`name`], counted
//!   evaluation (into a [`CallCounter`], shared by clones) and [`compile`] to a [`Circuit`].
//!   A downstream crate adds a candidate by implementing this trait.
//! - [`candidates`]: the built-ins, one file each; [`Candidate`] names them and builds them
//!   from sizes and a seed.
//! - [`Circuit`] / [`CircuitBuilder`]: the {AND, XOR, NOT, constant} circuit IR that hardiff-nn
//!   compiles into ReLU networks.
//! - [`Inverter`]: [`BruteForce`] (≤ 2^n counted evaluations) and [`Elimination`] (GF(2)-affine
//!   controls); the posterior-sampling reduction of docs/math.md §6 is one more implementation.
//! - [`CallCounter`]: the workspace's one counter of oracle calls (hardiff-dist re-exports it).
//!
//! [`name`]: OneWayFunction::name
//! [`compile`]: OneWayFunction::compile
//!
//! Build a candidate by name, evaluate it, read the count, and invert it by brute force:
//!
//! ```
//! use hardiff_owf::{Bits, BruteForce, Candidate, Inverter, OneWayFunction};
//!
//! let candidate: Candidate = "blake3".parse()?;
//! let f = candidate.build(10, 10, 1)?; // 10 input bits, 10 output bits, seed 1
//! assert_eq!(f.describe(), "blake3(n=10, m=10, seed=1)");
//!
//! let x = Bits::from_u64(700, 10)?;
//! let y = f.eval(&x)?;
//! assert_eq!(f.evaluations(), 1);
//!
//! // Brute force tries x = 0, 1, 2, … and stops at the first preimage: at most 701 tries,
//! // every one of them counted on f as well as in the result.
//! let inversion = BruteForce::new().invert(f.as_ref(), &y)?;
//! let preimage = inversion.preimage.expect("y = f(700) has a preimage");
//! assert_eq!(f.eval_uncounted(&preimage), y);
//! assert!(preimage.to_u64().unwrap() <= 700);
//! assert_eq!(inversion.evaluations, preimage.to_u64().unwrap() + 1);
//! assert_eq!(f.evaluations(), 1 + inversion.evaluations);
//! # Ok::<(), hardiff_owf::Error>(())
//! ```

pub mod bits;
pub mod candidates;
pub mod circuit;
pub mod counter;
pub mod error;
pub mod gf2;
pub mod invert;
pub mod owf;

pub use bits::Bits;
pub use candidates::{Blake3Keyed, Candidate, Goldreich, Identity, Linear, SubsetSum};
pub use circuit::{Circuit, CircuitBuilder, Gate, GateCounts, Wire};
pub use counter::CallCounter;
pub use error::{Error, Result};
pub use gf2::Gf2Matrix;
pub use invert::{BruteForce, Elimination, Inversion, Inverter};
pub use owf::OneWayFunction;
