//! Circuits compiled into ReLU networks equal the circuits (docs/math.md §4–§5): exhaustively on
//! {0,1}^n for n ≤ 12 and on random inputs beyond, for every one-way-function candidate; the
//! reference is the circuit's own bit-sliced evaluation in hardiff-owf.

use hardiff_dist::rng::stream;
use hardiff_nn::{circuit_compile_report, XorGadget};
use hardiff_owf::Candidate;
use ndarray::Array2;
use rand::Rng;

fn check(
    kind: Candidate,
    n: usize,
    m: usize,
    inputs: &[Vec<bool>],
    xor: XorGadget,
) -> hardiff_nn::CircuitCompileReport {
    let f = kind.build(n, m, 7).unwrap();
    let c = f.compile();
    let (net, report) = circuit_compile_report(&c, xor).unwrap();
    let x = Array2::from_shape_fn((inputs.len(), n), |(r, i)| {
        f64::from(u8::from(inputs[r][i]))
    });
    let y = net.eval_owned(x.view()).unwrap();
    for (r, inp) in inputs.iter().enumerate() {
        let truth = c.eval(inp).unwrap();
        for j in 0..m {
            // Exact: every weight, bias and value is a small integer, so f64 is exact.
            assert_eq!(
                y[[r, j]],
                f64::from(u8::from(truth[j])),
                "{kind} n={n} m={m} {xor:?}: input {r} output {j}"
            );
        }
    }
    report
}

fn all_inputs(n: usize) -> Vec<Vec<bool>> {
    (0..1u64 << n)
        .map(|v| (0..n).map(|i| (v >> i) & 1 == 1).collect())
        .collect()
}

#[test]
fn exhaustive_small_circuits() {
    for kind in [
        Candidate::Goldreich,
        Candidate::SubsetSum,
        Candidate::Linear,
        Candidate::Identity,
    ] {
        for n in [5, 8, 12] {
            let inputs = all_inputs(n);
            for xor in [XorGadget::Affine, XorGadget::AbsDiff] {
                let r = check(kind, n, n, &inputs, xor);
                eprintln!("{kind} n={n}: {r:?}");
            }
        }
    }
}

#[test]
fn exhaustive_blake3_n8_and_random_n12() {
    let r = check(Candidate::Blake3, 8, 8, &all_inputs(8), XorGadget::AbsDiff);
    eprintln!("blake3 n=8: {r:?}");
    let mut rng = stream(5, "nn-circuit-random", &[]);
    let inputs: Vec<Vec<bool>> = (0..64)
        .map(|_| (0..12).map(|_| rng.random()).collect())
        .collect();
    let r = check(Candidate::Blake3, 12, 12, &inputs, XorGadget::Affine);
    eprintln!("blake3 n=12: {r:?}");
}

#[test]
fn random_inputs_beyond_brute_force() {
    let mut rng = stream(6, "nn-circuit-random", &[]);
    for kind in [
        Candidate::Goldreich,
        Candidate::SubsetSum,
        Candidate::Linear,
    ] {
        let n = 24;
        let inputs: Vec<Vec<bool>> = (0..256)
            .map(|_| (0..n).map(|_| rng.random()).collect())
            .collect();
        let r = check(kind, n, n, &inputs, XorGadget::AbsDiff);
        eprintln!("{kind} n={n}: {r:?}");
    }
}
