//! The [`OneWayFunction`] trait, the shared evaluation counter, the [`Kind`] of candidate and the
//! [`build`] constructor the command line uses (MATH.md §4).
//!
//! Evaluation always goes through [`OneWayFunction::eval`] / [`OneWayFunction::eval_batch`],
//! which check input lengths and count (DESIGN.md "cost is counted, not only timed"): a scaling
//! curve can then be measured in f-evaluations, which are deterministic.

use crate::bits::Bits;
use crate::circuit::Circuit;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A shared count of f-evaluations. Clones share the count, so every holder of a function (an
/// inverter, a distribution, a score) adds to the same number.
#[derive(Debug, Clone, Default)]
pub struct EvalCounter(Arc<AtomicU64>);

impl EvalCounter {
    /// A new counter at zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds `n` evaluations.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    /// Resets to zero and returns the previous count.
    pub fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}

/// A function f: {0,1}^n → {0,1}^m on packed bits ([`Bits`], bit order documented there),
/// with counted evaluation and a circuit that computes it (MATH.md §4).
///
/// Implementors provide [`OneWayFunction::eval_uncounted`]; callers use
/// [`OneWayFunction::eval`] and [`OneWayFunction::eval_batch`], which check the input length
/// and add to the shared [`EvalCounter`].
pub trait OneWayFunction: Send + Sync + fmt::Debug {
    /// Which candidate this is.
    fn kind(&self) -> Kind;

    /// n, the number of input bits.
    fn input_bits(&self) -> usize;

    /// m, the number of output bits.
    fn output_bits(&self) -> usize;

    /// The seed the function was built from (`None` for unseeded controls such as identity).
    fn seed(&self) -> Option<u64>;

    /// The shared evaluation counter (clones of the function share it).
    fn counter(&self) -> &EvalCounter;

    /// Implementors' hook: f(x) without counting. `x.len()` is n (the provided methods check
    /// it); on an input of another length the result is unspecified. Callers use
    /// [`OneWayFunction::eval`], which counts.
    fn eval_uncounted(&self, x: &Bits) -> Bits;

    /// A boolean circuit over {AND, XOR, NOT, constants} computing f (n inputs, m outputs,
    /// output j = bit j of f(x)); its evaluation equals [`OneWayFunction::eval`] on every input.
    fn compile(&self) -> Circuit;

    /// Whether f is GF(2)-affine (f(x ⊕ x') = f(x) ⊕ f(x') ⊕ f(0)); the easy controls are.
    fn is_gf2_affine(&self) -> bool {
        false
    }

    /// f(x), counted as one evaluation; errors if `x.len() != n`.
    fn eval(&self, x: &Bits) -> Result<Bits> {
        check_input(self.input_bits(), x)?;
        self.counter().add(1);
        Ok(self.eval_uncounted(x))
    }

    /// f on every input of a batch, counted as `xs.len()` evaluations; errors (before any
    /// evaluation) if some input has the wrong length.
    fn eval_batch(&self, xs: &[Bits]) -> Result<Vec<Bits>> {
        for x in xs {
            check_input(self.input_bits(), x)?;
        }
        self.counter().add(xs.len() as u64);
        Ok(xs.iter().map(|x| self.eval_uncounted(x)).collect())
    }

    /// Evaluations counted so far (over all holders of this function).
    fn evaluations(&self) -> u64 {
        self.counter().get()
    }

    /// A one-line description, e.g. `blake3(n=16, m=16, seed=7)`.
    fn describe(&self) -> String {
        match self.seed() {
            Some(seed) => format!(
                "{}(n={}, m={}, seed={seed})",
                self.kind(),
                self.input_bits(),
                self.output_bits()
            ),
            None => format!(
                "{}(n={}, m={})",
                self.kind(),
                self.input_bits(),
                self.output_bits()
            ),
        }
    }
}

fn check_input(n: usize, x: &Bits) -> Result<()> {
    if x.len() == n {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what: "one-way function input bits",
            expected: n,
            got: x.len(),
        })
    }
}

/// The candidates of MATH.md §4. Parsed from and displayed as `blake3`, `goldreich`,
/// `subset-sum`, `linear`, `identity` (parsing is case-insensitive and also accepts
/// `subset_sum` / `subsetsum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// First m bits of keyed BLAKE3 of the input bytes.
    Blake3,
    /// Goldreich's local function with predicate P5 on a seeded random 5-uniform hypergraph.
    Goldreich,
    /// Subset sum Σ x_i a_i mod 2^m with seeded weights.
    SubsetSum,
    /// A seeded full-rank GF(2)-linear map (easy control).
    Linear,
    /// Identity / truncation to the first m bits (easy control, no seed).
    Identity,
}

impl Kind {
    /// All kinds, in a fixed order.
    pub const ALL: [Kind; 5] = [
        Kind::Blake3,
        Kind::Goldreich,
        Kind::SubsetSum,
        Kind::Linear,
        Kind::Identity,
    ];

    /// The canonical name (as parsed and displayed).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Blake3 => "blake3",
            Kind::Goldreich => "goldreich",
            Kind::SubsetSum => "subset-sum",
            Kind::Linear => "linear",
            Kind::Identity => "identity",
        }
    }

    /// Whether this is an easy control (provably invertible in polynomial time).
    pub fn is_control(self) -> bool {
        matches!(self, Kind::Linear | Kind::Identity)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "blake3" => Ok(Kind::Blake3),
            "goldreich" => Ok(Kind::Goldreich),
            "subset-sum" | "subset_sum" | "subsetsum" => Ok(Kind::SubsetSum),
            "linear" => Ok(Kind::Linear),
            "identity" => Ok(Kind::Identity),
            _ => Err(Error::UnknownKind(s.to_string())),
        }
    }
}

/// Builds the candidate `kind` with n input bits, m output bits and the given seed (ignored by
/// [`Kind::Identity`]). Errors: n = 0 or m = 0, and sizes a candidate does not support (see
/// each candidate's `new`).
///
/// ```
/// use hardiff_owf::{build, Bits, Kind, OneWayFunction};
/// let f = build("blake3".parse::<Kind>()?, 16, 16, 7)?;
/// let y = f.eval(&Bits::from_hex("3412", 16)?)?;
/// assert_eq!(y.len(), 16);
/// assert_eq!(f.evaluations(), 1);
/// # Ok::<(), hardiff_owf::Error>(())
/// ```
pub fn build(kind: Kind, n: usize, m: usize, seed: u64) -> Result<Box<dyn OneWayFunction>> {
    use crate::candidates::{Blake3Keyed, Goldreich, Identity, Linear, SubsetSum};
    Ok(match kind {
        Kind::Blake3 => Box::new(Blake3Keyed::new(n, m, seed)?),
        Kind::Goldreich => Box::new(Goldreich::new(n, m, seed)?),
        Kind::SubsetSum => Box::new(SubsetSum::new(n, m, seed)?),
        Kind::Linear => Box::new(Linear::new(n, m, seed)?),
        Kind::Identity => Box::new(Identity::new(n, m)?),
    })
}

/// [`build`], shared: the form distributions and scores hold.
pub fn build_arc(kind: Kind, n: usize, m: usize, seed: u64) -> Result<Arc<dyn OneWayFunction>> {
    build(kind, n, m, seed).map(Arc::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_parses_and_displays() {
        for k in Kind::ALL {
            assert_eq!(k.to_string().parse::<Kind>().unwrap(), k);
        }
        assert_eq!("Subset_Sum".parse::<Kind>().unwrap(), Kind::SubsetSum);
        assert_eq!(
            "sha256".parse::<Kind>(),
            Err(Error::UnknownKind("sha256".into()))
        );
        assert_eq!(
            serde_json::to_string(&Kind::SubsetSum).unwrap(),
            "\"subset-sum\""
        );
    }
}
