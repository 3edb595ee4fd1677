//! The built-in candidates of docs/math.md §4, one file each, and their construction by name.
//!
//! - [`Blake3Keyed`] (`blake3`): the first m bits of keyed BLAKE3;
//! - [`Goldreich`] (`goldreich`): Goldreich's local function with predicate P5;
//! - [`SubsetSum`] (`subset-sum`): Σ x_i a_i mod 2^m;
//! - [`Linear`] (`linear`) and [`Identity`] (`identity`): the easy GF(2)-affine controls.
//!
//! [`Candidate`] names the built-ins (parsed from and displayed as the names above) and builds
//! them from sizes and a seed; a downstream candidate implements
//! [`OneWayFunction`] directly and needs nothing from this module.
//!
//! Seeds: every seeded candidate derives its key or structure from its `u64` seed by BLAKE3 key
//! derivation (`blake3::derive_key` with a fixed per-candidate context), so the same
//! `(candidate, input_bits, output_bits, seed)` gives the same function on every machine.
//! BLAKE3's key depends on the seed only (so f for m bits is the truncation of f for more
//! bits); the random structures of the other candidates (hypergraph, weights, matrix) come from
//! a ChaCha stream keyed by `(seed, input_bits, output_bits)`.

mod blake3;
mod goldreich;
mod identity;
mod linear;
mod subset_sum;

pub use self::blake3::{
    keyed_blake3_circuit, Blake3Keyed, BLAKE3_MAX_INPUT_BITS, BLAKE3_MAX_OUTPUT_BITS,
};
pub use self::goldreich::Goldreich;
pub use self::identity::Identity;
pub use self::linear::Linear;
pub use self::subset_sum::{SubsetSum, SUBSET_SUM_MAX_OUTPUT_BITS};

use crate::error::{Error, Result};
use crate::owf::OneWayFunction;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Largest input_bits or output_bits accepted by the candidates without an intrinsic limit
/// (Goldreich, linear, identity, and the input of subset sum): large enough for every
/// experiment, small enough that a dense m×n GF(2) matrix stays below 2 MiB.
pub const MAX_BITS: usize = 4096;

/// The built-in candidates of docs/math.md §4. Parsed from and displayed as `blake3`, `goldreich`,
/// `subset-sum`, `linear`, `identity` (parsing is case-insensitive and also accepts
/// `subset_sum` / `subsetsum`); serialised by the same names.
///
/// ```
/// use hardiff_owf::{Bits, Candidate, OneWayFunction};
/// let f = "blake3".parse::<Candidate>()?.build(16, 16, 7)?;
/// let y = f.eval(&Bits::from_hex("3412", 16)?)?;
/// assert_eq!((f.name(), y.len(), f.evaluations()), ("blake3", 16, 1));
/// # Ok::<(), hardiff_owf::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Candidate {
    /// First m bits of keyed BLAKE3 of the input bytes ([`Blake3Keyed`]).
    Blake3,
    /// Goldreich's local function with predicate P5 on a seeded random 5-uniform hypergraph
    /// ([`Goldreich`]).
    Goldreich,
    /// Subset sum Σ x_i a_i mod 2^m with seeded weights ([`SubsetSum`]).
    SubsetSum,
    /// A seeded full-rank GF(2)-linear map, an easy control ([`Linear`]).
    Linear,
    /// Identity / truncation to the first m bits, an easy control with no seed ([`Identity`]).
    Identity,
}

impl Candidate {
    /// All built-in candidates, in a fixed order.
    pub const ALL: [Candidate; 5] = [
        Candidate::Blake3,
        Candidate::Goldreich,
        Candidate::SubsetSum,
        Candidate::Linear,
        Candidate::Identity,
    ];

    /// The canonical name (as parsed, displayed and reported by
    /// [`OneWayFunction::name`] of the built function).
    pub fn name(self) -> &'static str {
        match self {
            Candidate::Blake3 => "blake3",
            Candidate::Goldreich => "goldreich",
            Candidate::SubsetSum => "subset-sum",
            Candidate::Linear => "linear",
            Candidate::Identity => "identity",
        }
    }

    /// Whether this is an easy control (GF(2)-affine, so inverted in polynomial time by
    /// [`Elimination`](crate::Elimination)).
    pub fn is_control(self) -> bool {
        matches!(self, Candidate::Linear | Candidate::Identity)
    }

    /// Builds the candidate with `input_bits` inputs, `output_bits` outputs and the given seed
    /// (ignored by [`Candidate::Identity`]). Errors: a size of 0, and sizes the candidate does
    /// not support (see each candidate's `new`).
    pub fn build(
        self,
        input_bits: usize,
        output_bits: usize,
        seed: u64,
    ) -> Result<Box<dyn OneWayFunction>> {
        Ok(match self {
            Candidate::Blake3 => Box::new(Blake3Keyed::new(input_bits, output_bits, seed)?),
            Candidate::Goldreich => Box::new(Goldreich::new(input_bits, output_bits, seed)?),
            Candidate::SubsetSum => Box::new(SubsetSum::new(input_bits, output_bits, seed)?),
            Candidate::Linear => Box::new(Linear::new(input_bits, output_bits, seed)?),
            Candidate::Identity => Box::new(Identity::new(input_bits, output_bits)?),
        })
    }

    /// [`Candidate::build`], shared: the form distributions and scores hold.
    pub fn build_arc(
        self,
        input_bits: usize,
        output_bits: usize,
        seed: u64,
    ) -> Result<Arc<dyn OneWayFunction>> {
        self.build(input_bits, output_bits, seed).map(Arc::from)
    }

    /// The valid names, comma-separated (for error messages).
    fn valid_names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Candidate {
    type Err = Error;
    /// Case-insensitive; errors with [`Error::UnknownCandidate`], which lists the valid names.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "blake3" => Ok(Candidate::Blake3),
            "goldreich" => Ok(Candidate::Goldreich),
            "subset-sum" | "subset_sum" | "subsetsum" => Ok(Candidate::SubsetSum),
            "linear" => Ok(Candidate::Linear),
            "identity" => Ok(Candidate::Identity),
            _ => Err(Error::UnknownCandidate {
                name: s.to_string(),
                valid: Self::valid_names(),
            }),
        }
    }
}

/// Checks 1 ≤ input_bits ≤ max_input and 1 ≤ output_bits ≤ max_output, with errors naming
/// `candidate`.
pub(crate) fn check_sizes(
    candidate: Candidate,
    input_bits: usize,
    output_bits: usize,
    max_input: usize,
    max_output: usize,
) -> Result<()> {
    if input_bits == 0 {
        return Err(Error::ZeroBits {
            what: "n (input bits)",
        });
    }
    if output_bits == 0 {
        return Err(Error::ZeroBits {
            what: "m (output bits)",
        });
    }
    if input_bits > max_input {
        return Err(Error::InputBitsUnsupported {
            candidate: candidate.to_string(),
            input_bits,
            supported: format!("1 ≤ n ≤ {max_input}"),
        });
    }
    if output_bits > max_output {
        return Err(Error::OutputBitsUnsupported {
            candidate: candidate.to_string(),
            output_bits,
            supported: format!("1 ≤ m ≤ {max_output}"),
        });
    }
    Ok(())
}

/// The ChaCha stream from which a candidate draws its random structure. The context string
/// and the material (seed, input_bits, output_bits as 8 LE bytes each) are fixed: changing
/// them changes every seeded function and the bench's numbers.
pub(crate) fn structure_rng(
    candidate: Candidate,
    seed: u64,
    input_bits: usize,
    output_bits: usize,
) -> ChaCha12Rng {
    use rand::SeedableRng;
    let context = format!("hardiff-owf 2026-11 {candidate} structure v1");
    let mut material = Vec::with_capacity(24);
    material.extend_from_slice(&seed.to_le_bytes());
    material.extend_from_slice(&(input_bits as u64).to_le_bytes());
    material.extend_from_slice(&(output_bits as u64).to_le_bytes());
    ChaCha12Rng::from_seed(::blake3::derive_key(&context, &material))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_parses_displays_and_serialises() {
        for c in Candidate::ALL {
            assert_eq!(c.to_string().parse::<Candidate>().unwrap(), c);
            let f = c.build(8, 8, 1).unwrap();
            assert_eq!(
                f.name(),
                c.name(),
                "built function reports the candidate's name"
            );
        }
        assert_eq!(
            "Subset_Sum".parse::<Candidate>().unwrap(),
            Candidate::SubsetSum
        );
        let e = "sha256".parse::<Candidate>().unwrap_err();
        assert_eq!(
            e,
            Error::UnknownCandidate {
                name: "sha256".into(),
                valid: "blake3, goldreich, subset-sum, linear, identity".into()
            }
        );
        assert!(
            e.to_string().contains("valid names: blake3, goldreich"),
            "{e}"
        );
        assert_eq!(
            serde_json::to_string(&Candidate::SubsetSum).unwrap(),
            "\"subset-sum\""
        );
        assert_eq!(
            serde_json::from_str::<Candidate>("\"goldreich\"").unwrap(),
            Candidate::Goldreich
        );
    }
}
