//! Seeded, independent random streams (DESIGN.md "Randomness and reproducibility").
//!
//! Every run is a function of one `u64` seed. A stream for a particular purpose (experiment,
//! size, trial, worker) is derived by BLAKE3 key derivation from the seed, a label and a list of
//! indices, and seeds a ChaCha generator. Streams therefore never depend on thread count or
//! scheduling: the same `(seed, label, indices)` always gives the same numbers.

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;

/// The generator used throughout hardiff.
pub type Rng = ChaCha12Rng;

/// The generator of rejection sampling's blocks ([`crate::SampleBatch::fill_batch_stream`]):
/// ChaCha with 8 rounds, keyed from a [`Rng`] stream. Those blocks spend about a third of their
/// time generating random words (four per draw of a small prior), and 8 rounds cost two thirds
/// of 12. ChaCha8 has no known distinguisher (the best attacks reach 7 rounds; Aumasson, "Too
/// Much Crypto", 2019), far beyond what statistical tests can see. Everything else keeps 12.
pub type BlockRng = rand_chacha::ChaCha8Rng;

/// The BLAKE3 key-derivation context for hardiff streams (fixed forever: changing it changes
/// every number hardiff produces).
const CONTEXT: &str = "hardiff 2026-11 stream v1";

/// Derives a 32-byte stream key from `seed`, a `label` and `indices`.
pub fn stream_key(seed: u64, label: &str, indices: &[u64]) -> [u8; 32] {
    let mut material = Vec::with_capacity(8 + 8 + label.len() + 8 * indices.len());
    material.extend_from_slice(&seed.to_le_bytes());
    // Length-prefix the label so that ("ab", [..]) and ("a", ..) can never collide.
    material.extend_from_slice(&(label.len() as u64).to_le_bytes());
    material.extend_from_slice(label.as_bytes());
    for i in indices {
        material.extend_from_slice(&i.to_le_bytes());
    }
    blake3::derive_key(CONTEXT, &material)
}

/// An independent ChaCha stream for `(seed, label, indices)`.
///
/// ```
/// use rand::Rng as _;
/// let mut a = hardiff_dist::rng::stream(7, "trial", &[3]);
/// let mut b = hardiff_dist::rng::stream(7, "trial", &[3]);
/// assert_eq!(a.random::<u64>(), b.random::<u64>());
/// ```
pub fn stream(seed: u64, label: &str, indices: &[u64]) -> Rng {
    Rng::from_seed(stream_key(seed, label, indices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn streams_differ_by_label_and_index() {
        let x = |l: &str, i: &[u64]| stream(1, l, i).random::<u64>();
        assert_ne!(x("a", &[0]), x("a", &[1]));
        assert_ne!(x("a", &[0]), x("b", &[0]));
        assert_ne!(x("ab", &[]), x("a", &[0x62]));
        assert_eq!(x("a", &[5]), x("a", &[5]));
    }
}
