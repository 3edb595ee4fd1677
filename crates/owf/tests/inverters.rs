//! Inverters (docs/math.md §4, §6): brute force with exactly counted cost, elimination for the
//! GF(2)-affine controls, typed refusals.

use hardiff_owf::{
    Bits, BruteForce, Candidate, Elimination, Error, Identity, Inverter, Linear, OneWayFunction,
};
use std::collections::HashMap;

/// The smallest preimage of every output, by an independent exhaustive table.
fn smallest_preimages(f: &dyn OneWayFunction) -> HashMap<Bits, u64> {
    let n = f.input_bits();
    let mut table = HashMap::new();
    for v in (0..1u64 << n).rev() {
        table.insert(f.eval_uncounted(&Bits::from_u64(v, n).unwrap()), v);
    }
    table
}

#[test]
fn brute_force_inverts_every_output_with_exactly_counted_cost() {
    let bf = BruteForce::new();
    for kind in Candidate::ALL {
        let f = kind.build(8, 8, 21).unwrap();
        let table = smallest_preimages(f.as_ref());
        for v in 0..256u64 {
            let y = f.eval_uncounted(&Bits::from_u64(v, 8).unwrap());
            let before = f.evaluations();
            let inv = bf.invert(f.as_ref(), &y).unwrap();
            let x = inv.preimage.expect("y = f(v) has a preimage");
            assert_eq!(f.eval_uncounted(&x), y);
            // The search visits 0, 1, …, so its cost is exactly the smallest preimage + 1,
            // and every evaluation went through f's shared counter.
            assert_eq!(x.to_u64().unwrap(), table[&y], "{kind}");
            assert_eq!(inv.evaluations, table[&y] + 1, "{kind}");
            assert_eq!(f.evaluations() - before, inv.evaluations, "{kind}");
        }
    }
}

#[test]
fn brute_force_proves_absence_at_cost_two_to_the_n() {
    // m = 12 > n = 6: at most 64 of the 4096 outputs have a preimage.
    let f = Candidate::Blake3.build(6, 12, 3).unwrap();
    let table = smallest_preimages(f.as_ref());
    let y = (0..4096u64)
        .map(|v| Bits::from_u64(v, 12).unwrap())
        .find(|y| !table.contains_key(y))
        .unwrap();
    let inv = BruteForce::new().invert(f.as_ref(), &y).unwrap();
    assert_eq!(inv.preimage, None);
    assert_eq!(inv.evaluations, 64);
}

#[test]
fn brute_force_refuses_large_n_and_wrong_lengths() {
    let f = Candidate::Blake3.build(30, 30, 0).unwrap();
    let e = BruteForce::new()
        .invert(f.as_ref(), &Bits::zeros(30))
        .unwrap_err();
    assert_eq!(
        e,
        Error::TooLarge {
            what: "brute-force inversion",
            input_bits: 30,
            limit: 24,
            work: 1073741824.0 // 2^30
        }
    );
    assert!(e.to_string().contains("2^30"), "{e}");
    assert_eq!(f.evaluations(), 0);
    let bf = BruteForce::with_limit(4).unwrap();
    let g = Candidate::Identity.build(5, 5, 0).unwrap();
    assert!(matches!(
        bf.invert(g.as_ref(), &Bits::zeros(5)),
        Err(Error::TooLarge {
            input_bits: 5,
            limit: 4,
            ..
        })
    ));
    assert!(BruteForce::with_limit(64).is_err());
    assert!(matches!(
        BruteForce::new().invert(g.as_ref(), &Bits::zeros(4)),
        Err(Error::LengthMismatch { .. })
    ));
}

#[test]
fn elimination_inverts_the_affine_controls() {
    for (n, m) in [(16, 16), (40, 40), (12, 30), (30, 12), (100, 100)] {
        let f = Linear::new(n, m, 5).unwrap();
        for t in 0..20u64 {
            let x = Bits::from_bools(
                &(0..n)
                    .map(|i| ((t * 0x2545F491) >> (i % 29)) & 1 == 1)
                    .collect::<Vec<_>>(),
            );
            let y = f.eval(&x).unwrap();
            let before = f.evaluations();
            let inv = Elimination.invert(&f, &y).unwrap();
            let found = inv.preimage.expect("y is in the image");
            assert_eq!(f.eval_uncounted(&found), y);
            if m >= n {
                // Full column rank: the preimage is unique.
                assert_eq!(found, x);
            }
            // n + 1 oracle queries recover the map.
            assert_eq!(inv.evaluations, n as u64 + 1);
            assert_eq!(f.evaluations() - before, n as u64 + 1);
        }
    }
    // m > n: the image is a 2^-(m-n) fraction; elimination finds nothing outside it, and the
    // brute-force table (independent) agrees on every one of the 2^m outputs.
    let f = Linear::new(6, 9, 1).unwrap();
    let table = smallest_preimages(&f);
    for v in 0..512u64 {
        let y = Bits::from_u64(v, 9).unwrap();
        let inv = Elimination.invert(&f, &y).unwrap();
        assert_eq!(inv.preimage.is_some(), table.contains_key(&y), "y = {v}");
    }
    let id = Identity::new(20, 12).unwrap();
    let y = Bits::from_u64(0xABC, 12).unwrap();
    let x = Elimination.invert(&id, &y).unwrap().preimage.unwrap();
    assert_eq!(
        x,
        Bits::from_u64(0xABC, 20).unwrap(),
        "free variables are 0"
    );
}

#[test]
fn elimination_refuses_non_affine_functions() {
    for kind in [
        Candidate::Blake3,
        Candidate::Goldreich,
        Candidate::SubsetSum,
    ] {
        let f = kind.build(10, 10, 0).unwrap();
        assert_eq!(
            Elimination.invert(f.as_ref(), &Bits::zeros(10)),
            Err(Error::NotAffine {
                inverter: "elimination",
                function: kind.to_string()
            })
        );
    }
}
