//! Property tests (proptest): `Bits` conversions round-trip at every length, and every
//! candidate's compiled circuit computes exactly its direct evaluation.
//!
//! The properties are exact (no tolerance); proptest's failure persistence is off, so a
//! failure prints its minimal input instead of writing a file.

use hardiff_owf::{Bits, Candidate};
use proptest::prelude::*;

/// A bit vector of arbitrary length in 0..300 (most lengths not multiples of 8 or 64).
fn bits() -> impl Strategy<Value = Bits> {
    proptest::collection::vec(any::<bool>(), 0..300).prop_map(|b| Bits::from_bools(&b))
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hex_and_bytes_round_trip(x in bits()) {
        let len = x.len();
        let hex = x.to_hex();
        prop_assert_eq!(hex.len(), 2 * len.div_ceil(8));
        prop_assert_eq!(Bits::from_hex(&hex, len).unwrap(), x.clone());
        prop_assert_eq!(Bits::from_hex(&hex.to_uppercase(), len).unwrap(), x.clone());
        let bytes = x.to_le_bytes();
        prop_assert_eq!(bytes.len(), len.div_ceil(8));
        // The documented order: bit i is bit i % 8 of byte i / 8.
        for i in 0..len {
            prop_assert_eq!((bytes[i / 8] >> (i % 8)) & 1 == 1, x.bit(i));
        }
        prop_assert_eq!(Bits::from_le_bytes(&bytes, len).unwrap(), x);
    }

    #[test]
    fn bytes_to_bits_to_bytes(raw in proptest::collection::vec(any::<u8>(), 0..40), cut in 0usize..8) {
        // len = 8·bytes − cut: the high `cut` bits of the last byte must be zero to be valid.
        let len = (8 * raw.len()).saturating_sub(cut);
        let mut bytes = raw.clone();
        bytes.truncate(len.div_ceil(8));
        if len % 8 != 0 {
            if let Some(last) = bytes.last_mut() {
                *last &= (1u8 << (len % 8)) - 1;
            }
        }
        let x = Bits::from_le_bytes(&bytes, len).unwrap();
        prop_assert_eq!(x.to_le_bytes(), bytes.clone());
        prop_assert_eq!(Bits::from_hex(&x.to_hex(), len).unwrap(), x);
        // A set bit beyond the length is rejected, not silently dropped.
        if len % 8 != 0 {
            let mut stray = bytes;
            *stray.last_mut().unwrap() |= 1 << (len % 8);
            prop_assert!(Bits::from_le_bytes(&stray, len).is_err());
        }
    }
}

proptest! {
    // 64 cases: a BLAKE3 circuit (≈ 40k gates) is compiled in each case that draws it.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_candidate_circuit_equals_its_evaluation(
        which in 0..Candidate::ALL.len(),
        input_bits in 5usize..48,
        output_bits in 1usize..48,
        seed in any::<u64>(),
        inputs in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 48), 1..70),
    ) {
        let candidate = Candidate::ALL[which];
        // Identity truncates, so it needs m ≤ n; every other candidate takes these sizes.
        let output_bits = if candidate == Candidate::Identity { output_bits.min(input_bits) } else { output_bits };
        let f = candidate.build(input_bits, output_bits, seed).unwrap();
        let xs: Vec<Bits> = inputs.iter().map(|b| Bits::from_bools(&b[..input_bits])).collect();
        let circuit = f.compile();
        prop_assert_eq!(circuit.eval_batch(&xs).unwrap(), f.eval_batch(&xs).unwrap(), "{}", f.describe());
        prop_assert_eq!(f.evaluations(), xs.len() as u64);
    }
}
