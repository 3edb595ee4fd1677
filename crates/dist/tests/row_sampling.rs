//! Row-by-row samplers (`sample_rows_into`, `sample_rows_at`): filling n rows in chunks of any
//! sizes gives the same numbers as one call, and each row is drawn exactly as a one-row call of
//! the batch sampler draws it (so the law is the batch sampler's, whose tests cover it).
//! Deterministic: fixed seeds, exact equality.

use hardiff_dist::rng::stream;
use hardiff_dist::{GaussianPancakes, OwfDistribution, SampleBatch};
use ndarray::{s, Array1, Array2};

/// Fills `rows` rows with `fill` called on consecutive chunks of the given sizes (cycled).
fn chunked(
    rows: usize,
    dim: usize,
    sizes: &[usize],
    mut fill: impl FnMut(ndarray::ArrayViewMut2<f64>),
) -> Array2<f64> {
    let mut out = Array2::zeros((rows, dim));
    let mut start = 0;
    for &k in sizes.iter().cycle() {
        if start == rows {
            break;
        }
        let end = (start + k).min(rows);
        fill(out.slice_mut(s![start..end, ..]));
        start = end;
    }
    out
}

fn pancakes() -> GaussianPancakes {
    let u = Array1::from(vec![0.6, -0.8, 0.0]);
    GaussianPancakes::new(3, 6.0, 0.05, u).unwrap()
}

#[test]
fn pancake_rows_do_not_depend_on_chunk_sizes_and_match_one_row_calls() {
    let law = pancakes();
    let one = chunked(257, 3, &[257], |o| {
        law.sample_rows_into(&mut stream(1, "row-sampling", &[]), o)
            .unwrap()
    });
    let mut rng = stream(1, "row-sampling", &[]);
    let small = chunked(257, 3, &[64], |o| {
        law.sample_rows_into(&mut rng, o).unwrap()
    });
    let mut rng = stream(1, "row-sampling", &[]);
    let mixed = chunked(257, 3, &[1, 100, 7], |o| {
        law.sample_rows_into(&mut rng, o).unwrap()
    });
    assert_eq!(one, small);
    assert_eq!(one, mixed);
    // Row by row = one-row calls of the batch sampler (ξ then z for each row).
    let mut rng = stream(1, "row-sampling", &[]);
    for i in 0..257 {
        assert_eq!(law.sample_batch(&mut rng, 1).row(0), one.row(i), "row {i}");
    }
    let mut wrong = Array2::zeros((2, 4));
    assert!(law
        .sample_rows_into(&mut stream(1, "x", &[]), wrong.view_mut())
        .is_err());
}

fn owf_dist() -> OwfDistribution {
    let f = hardiff_owf::Candidate::Linear.build_arc(6, 5, 7).unwrap();
    OwfDistribution::with_default_params(f).unwrap()
}

#[test]
fn owf_rows_do_not_depend_on_chunk_sizes_and_match_the_batch_sampler() {
    let g = owf_dist();
    let d = g.input_bits() + g.output_bits();
    for t in [0.0, 0.3] {
        let mut rng = stream(2, "row-sampling-owf", &[]);
        let one = chunked(300, d, &[300], |o| {
            g.sample_rows_at(t, &mut rng, o).unwrap()
        });
        let mut rng = stream(2, "row-sampling-owf", &[]);
        let small = chunked(300, d, &[64, 3], |o| {
            g.sample_rows_at(t, &mut rng, o).unwrap()
        });
        assert_eq!(one, small, "t = {t}");
        let mut rng = stream(2, "row-sampling-owf", &[]);
        if t == 0.0 {
            // At t = 0 the numbers are the batch sampler's, whatever the batch.
            assert_eq!(g.at_time(0.0).unwrap().sample_batch(&mut rng, 300), one);
        } else {
            for i in 0..300 {
                assert_eq!(
                    g.at_time(t).unwrap().sample_batch(&mut rng, 1).row(0),
                    one.row(i)
                );
            }
        }
    }
    let mut out = Array2::zeros((1, d));
    let mut rng = stream(2, "x", &[]);
    assert!(g.sample_rows_at(-1.0, &mut rng, out.view_mut()).is_err());
    assert!(g
        .sample_rows_at(f64::NAN, &mut rng, out.view_mut())
        .is_err());
    let mut wrong = Array2::zeros((1, d + 1));
    assert!(g.sample_rows_at(0.0, &mut rng, wrong.view_mut()).is_err());
}
