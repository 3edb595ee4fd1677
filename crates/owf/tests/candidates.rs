//! Cross-module behaviour of the candidates (MATH.md §4): known answers against the `blake3`
//! crate, circuit ≡ direct evaluation, counted costs, typed errors.

use hardiff_owf::candidates::keyed_blake3_circuit;
use hardiff_owf::{
    build, Bits, Blake3Keyed, Error, Goldreich, Identity, Kind, Linear, OneWayFunction, SubsetSum,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;

fn random_bits(rng: &mut ChaCha12Rng, len: usize) -> Bits {
    Bits::from_bools(&(0..len).map(|_| rng.random::<bool>()).collect::<Vec<_>>())
}

#[test]
fn blake3_known_answers_against_the_blake3_crate() {
    // Reference: the `blake3` crate's keyed hash (and its XOF for m > 256) of the packed bytes.
    let mut rng = ChaCha12Rng::seed_from_u64(11);
    for (n, m, seed) in [
        (8, 256, 0),
        (256, 256, 1),
        (512, 512, 2),
        (13, 40, 3),
        (1, 1, 4),
    ] {
        let f = Blake3Keyed::new(n, m, seed).unwrap();
        assert_eq!(
            f.key(),
            &blake3::derive_key("hardiff-owf 2026-11 blake3 key v1", &seed.to_le_bytes())
        );
        for _ in 0..8 {
            let x = random_bits(&mut rng, n);
            let bytes = x.to_le_bytes();
            assert_eq!(bytes.len(), n.div_ceil(8));
            let mut full = [0u8; 64];
            blake3::Hasher::new_keyed(f.key())
                .update(&bytes)
                .finalize_xof()
                .fill(&mut full);
            let expect = Bits::from_le_bytes(&full, 512)
                .unwrap()
                .truncated(m)
                .unwrap();
            assert_eq!(f.eval(&x).unwrap(), expect);
            if m == 256 {
                // The hex of a 256-bit output is exactly the crate's hex digest.
                assert_eq!(
                    f.eval(&x).unwrap().to_hex(),
                    blake3::keyed_hash(f.key(), &bytes).to_hex().as_str()
                );
            }
        }
    }
}

#[test]
fn blake3_circuit_is_the_keyed_hash_for_arbitrary_keys_and_lengths() {
    // Reference: the `blake3` crate; keys and inputs random, every byte length 1..=64.
    let mut rng = ChaCha12Rng::seed_from_u64(12);
    for nbytes in [1usize, 2, 3, 7, 31, 32, 33, 63, 64] {
        let key: [u8; 32] = rng.random();
        let n = 8 * nbytes;
        let c = keyed_blake3_circuit(&key, n, 512).unwrap();
        let xs: Vec<Bits> = (0..40).map(|_| random_bits(&mut rng, n)).collect();
        let ys = c.eval_batch(&xs).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            let mut full = [0u8; 64];
            blake3::Hasher::new_keyed(&key)
                .update(&x.to_le_bytes())
                .finalize_xof()
                .fill(&mut full);
            assert_eq!(y.to_le_bytes(), full.to_vec(), "{nbytes} bytes");
        }
    }
}

/// Checks circuit ≡ direct evaluation: exhaustively if n ≤ 16, else on 256 random inputs.
fn assert_circuit_matches(f: &dyn OneWayFunction, rng: &mut ChaCha12Rng) {
    let n = f.input_bits();
    let c = f.compile();
    assert_eq!(c.n_inputs(), n);
    assert_eq!(c.n_outputs(), f.output_bits());
    let xs: Vec<Bits> = if n <= 16 {
        (0..1u64 << n)
            .map(|v| Bits::from_u64(v, n).unwrap())
            .collect()
    } else {
        (0..256).map(|_| random_bits(rng, n)).collect()
    };
    let before = f.evaluations();
    let direct = f.eval_batch(&xs).unwrap();
    assert_eq!(f.evaluations() - before, xs.len() as u64);
    let via_circuit = c.eval_batch(&xs).unwrap();
    for ((x, d), v) in xs.iter().zip(&direct).zip(&via_circuit) {
        assert_eq!(d, v, "{} at x = {x}", f.describe());
    }
    // The single-input boolean path agrees too.
    assert_eq!(c.eval(&xs[1].to_bools()).unwrap(), direct[1].to_bools());
}

#[test]
fn every_candidate_compiles_to_an_equivalent_circuit() {
    let mut rng = ChaCha12Rng::seed_from_u64(13);
    let sizes = [(5, 5), (8, 12), (12, 8), (16, 16), (40, 48), (130, 64)];
    for kind in Kind::ALL {
        for &(n, m) in &sizes {
            let f = match build(kind, n, m, 99) {
                Ok(f) => f,
                // Identity needs m ≤ n; checked in bad_parameters_are_typed_errors.
                Err(Error::OutputBitsUnsupported { .. }) if kind == Kind::Identity => continue,
                Err(e) => panic!("{kind} n={n} m={m}: {e}"),
            };
            assert_circuit_matches(f.as_ref(), &mut rng);
        }
    }
    // BLAKE3 at its maximal sizes, and subset sum with m = 64.
    assert_circuit_matches(&Blake3Keyed::new(512, 512, 5).unwrap(), &mut rng);
    assert_circuit_matches(&SubsetSum::new(70, 64, 5).unwrap(), &mut rng);
}

#[test]
fn direct_evaluations_match_their_definitions() {
    // Subset sum: Σ x_i a_i mod 2^m computed with u128 arithmetic.
    let f = SubsetSum::new(20, 13, 3).unwrap();
    assert!(f.weights().iter().all(|&a| a < 1 << 13));
    for v in [0u64, 1, 0xF0F0F, 0xFFFFF] {
        let sum: u128 = (0..20)
            .filter(|i| (v >> i) & 1 == 1)
            .map(|i| f.weights()[i] as u128)
            .sum();
        let y = f.eval(&Bits::from_u64(v, 20).unwrap()).unwrap();
        assert_eq!(y.to_u64().unwrap() as u128, sum % (1 << 13));
    }
    // Goldreich: P5 on the hyperedges, which have 5 distinct indices.
    let g = Goldreich::new(9, 30, 4).unwrap();
    let x = Bits::from_u64(0b1_0110_1101, 9).unwrap();
    let y = g.eval(&x).unwrap();
    for (j, e) in g.hyperedges().iter().enumerate() {
        let mut sorted = *e;
        sorted.sort();
        assert!(sorted.windows(2).all(|w| w[0] < w[1]) && sorted[4] < 9);
        let b = |k: usize| x.bit(e[k] as usize);
        assert_eq!(y.bit(j), b(0) ^ b(1) ^ b(2) ^ (b(3) & b(4)));
    }
    // Linear: full rank, and f(x) = M x.
    for (n, m) in [(10, 10), (10, 20), (20, 10)] {
        let l = Linear::new(n, m, 8).unwrap();
        assert_eq!(l.matrix().rank(), n.min(m));
    }
    // Identity: truncation.
    let id = Identity::new(10, 4).unwrap();
    assert_eq!(
        id.eval(&Bits::from_u64(0b11_0110_1011, 10).unwrap())
            .unwrap(),
        Bits::from_u64(0b1011, 4).unwrap()
    );
}

#[test]
fn seeds_determine_the_function_and_clones_share_the_counter() {
    let x = Bits::from_u64(12345, 20).unwrap();
    for kind in [Kind::Blake3, Kind::Goldreich, Kind::SubsetSum, Kind::Linear] {
        let a = build(kind, 20, 24, 1).unwrap();
        let b = build(kind, 20, 24, 1).unwrap();
        let c = build(kind, 20, 24, 2).unwrap();
        let ys: Vec<Bits> = (0..64u64)
            .map(|v| a.eval(&Bits::from_u64(v * 7919, 20).unwrap()).unwrap())
            .collect();
        let zs: Vec<Bits> = (0..64u64)
            .map(|v| b.eval(&Bits::from_u64(v * 7919, 20).unwrap()).unwrap())
            .collect();
        let ws: Vec<Bits> = (0..64u64)
            .map(|v| c.eval(&Bits::from_u64(v * 7919, 20).unwrap()).unwrap())
            .collect();
        assert_eq!(ys, zs, "{kind}: same seed, same function");
        assert_ne!(ys, ws, "{kind}: different seed, different function");
    }
    let f = Blake3Keyed::new(20, 20, 0).unwrap();
    let g = f.clone();
    f.eval(&x).unwrap();
    g.eval_batch(&[x.clone(), x.clone()]).unwrap();
    assert_eq!(f.evaluations(), 3);
    assert_eq!(g.counter().take(), 3);
    assert_eq!(f.evaluations(), 0);
    // BLAKE3 outputs for fewer bits are truncations (the key depends on the seed only).
    let long = Blake3Keyed::new(20, 300, 0).unwrap().eval(&x).unwrap();
    assert_eq!(f.eval(&x).unwrap(), long.truncated(20).unwrap());
}

#[test]
fn bad_parameters_are_typed_errors() {
    for kind in Kind::ALL {
        assert!(
            matches!(build(kind, 0, 8, 0), Err(Error::ZeroBits { .. })),
            "{kind}"
        );
        assert!(
            matches!(build(kind, 8, 0, 0), Err(Error::ZeroBits { .. })),
            "{kind}"
        );
    }
    let unsupported_m = |k, n, m| matches!(build(k, n, m, 0), Err(Error::OutputBitsUnsupported { m: mm, .. }) if mm == m);
    let unsupported_n = |k, n, m| matches!(build(k, n, m, 0), Err(Error::InputBitsUnsupported { n: nn, .. }) if nn == n);
    assert!(unsupported_m(Kind::Blake3, 8, 513));
    assert!(unsupported_n(Kind::Blake3, 513, 8));
    assert!(unsupported_m(Kind::SubsetSum, 8, 65));
    assert!(unsupported_m(Kind::Identity, 8, 9));
    assert!(unsupported_n(Kind::Goldreich, 4, 8));
    assert!(unsupported_n(Kind::Linear, 5000, 8));
    let f = build(Kind::Blake3, 8, 8, 0).unwrap();
    assert_eq!(
        f.eval(&Bits::zeros(9)),
        Err(Error::LengthMismatch {
            what: "one-way function input bits",
            expected: 8,
            got: 9
        })
    );
    assert!(f.eval_batch(&[Bits::zeros(8), Bits::zeros(7)]).is_err());
    assert_eq!(f.evaluations(), 0, "failed calls are not counted");
    assert!(keyed_blake3_circuit(&[0; 32], 600, 8).is_err());
}

#[test]
fn circuit_sizes_are_as_designed() {
    // Identity: no gates, depth 0. Goldreich: 4 gates per output, depth 3 (xor(xor(a, b), c)
    // has depth 2, the final xor 3). Structural hashing may share a gate between outputs with a
    // common pair; with n = 1000 and this seed no pair repeats, so the count is exactly 4m.
    let id = Identity::new(16, 10).unwrap().compile();
    assert_eq!((id.size(), id.depth()), (0, 0));
    let g = Goldreich::new(1000, 10, 0).unwrap().compile();
    assert_eq!(g.gate_counts().and, 10);
    assert_eq!(g.size(), 40);
    assert_eq!(g.depth(), 3);
    let small = Goldreich::new(16, 40, 0).unwrap().compile();
    assert!(small.size() <= 160 && small.gate_counts().and <= 40);
    // BLAKE3: 7 rounds × 8 G × 6 adders of ≤ 5·31+1 gates plus 4 × 32 XORs per G bounds the
    // size; every adder and XOR survives on the path to a full 512-bit output.
    let b = Blake3Keyed::new(512, 512, 0).unwrap().compile();
    assert!(b.size() <= 7 * 8 * (6 * (5 * 31 + 1) + 4 * 32) + 16 * 32 + 2);
    assert!(
        b.size() > 7 * 8 * 6 * 31 * 3,
        "adders cannot fold away: size {}",
        b.size()
    );
}
