//! `SampleBatch::fill_batch_stream` — the concrete-stream fill that rejection sampling's blocks
//! call (docs/math.md §6) — gives exactly the numbers of `fill_batch` and `sample_batch` on the
//! same stream, for every built-in law with an override and every specialised path (mixtures
//! and Gaussians at d = 1..4, the generic path at d = 5 and 7, standard-layout and
//! column-major buffers). The mixture's rows are also checked against the documented draw,
//! written out independently here (docs/math.md §7): one uniform u picks the first component k
//! with u < w_0 + … + w_k, then x = μ_k + Q_k (√λ_k ⊙ z) with z the next d standard normals,
//! each sum in index order. Deterministic (fixed seeds, exact equality): no false failures.

use hardiff_dist::rng::{stream, stream_key, BlockRng};
use hardiff_dist::{Gaussian, GaussianMixture, OwfDistribution, SampleBatch};
use hardiff_owf::{Bits, Candidate};
use ndarray::{Array1, Array2, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

/// A d-dimensional Gaussian with a full covariance B Bᵀ + I/2 (B from the stream).
fn gaussian(d: usize, label: u64) -> Gaussian {
    let mut rng = stream(11, "stream-fill/law", &[d as u64, label]);
    let b = Array2::from_shape_fn((d, d), |_| rng.random::<f64>() - 0.5);
    let mean = Array1::from_shape_fn(d, |_| 4.0 * rng.random::<f64>() - 2.0);
    let cov = b.dot(&b.t()) + Array2::<f64>::eye(d) * 0.5;
    Gaussian::new(mean, cov).expect("positive definite")
}

fn mixture(d: usize) -> GaussianMixture {
    GaussianMixture::new(
        vec![0.2, 0.5, 0.3],
        (0..3).map(|k| gaussian(d, k)).collect(),
    )
    .expect("valid mixture")
}

/// The three fills of `law` on the block stream keyed by (seed, label, [d]) (the generator
/// of rejection sampling's blocks): sample_batch, fill_batch, fill_batch_stream into a
/// standard buffer and into a column-major buffer.
fn fills(law: &dyn SampleBatch, rows: usize, label: &str) -> [Array2<f64>; 4] {
    let d = law.dim();
    let s = || BlockRng::from_seed(stream_key(5, label, &[d as u64]));
    let a = law.sample_batch(&mut s(), rows);
    let mut b = Array2::zeros((rows, d));
    law.fill_batch(&mut s(), b.view_mut());
    let mut c = Array2::zeros((rows, d));
    law.fill_batch_stream(&mut s(), c.view_mut());
    let mut f = Array2::zeros((rows, d).f());
    law.fill_batch_stream(&mut s(), f.view_mut());
    [a, b, c, f]
}

#[test]
fn mixture_and_gaussian_stream_fills_equal_the_dyn_fills() {
    for d in [1, 2, 3, 4, 5, 7] {
        let [a, b, c, f] = fills(&mixture(d), 257, "stream-fill/mixture");
        assert_eq!(a, b, "mixture d = {d}: fill_batch");
        assert_eq!(a, c, "mixture d = {d}: fill_batch_stream");
        assert_eq!(a, f, "mixture d = {d}: column-major buffer");
        let [a, b, c, f] = fills(&gaussian(d, 9), 257, "stream-fill/gaussian");
        assert_eq!(a, b, "gaussian d = {d}: fill_batch");
        assert_eq!(a, c, "gaussian d = {d}: fill_batch_stream");
        assert_eq!(a, f, "gaussian d = {d}: column-major buffer");
    }
}

#[test]
fn mixture_rows_are_the_documented_draw() {
    for d in [1, 2, 4, 5] {
        let law = mixture(d);
        let rows = 200;
        let got = law.sample_batch(&mut stream(3, "stream-fill/reference", &[]), rows);
        let mut rng = stream(3, "stream-fill/reference", &[]);
        let weights = law.weights();
        let mut seen = [0usize; 3];
        for i in 0..rows {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut k = weights.len() - 1;
            for (j, w) in weights.iter().enumerate() {
                acc += w;
                if u < acc {
                    k = j;
                    break;
                }
            }
            seen[k] += 1;
            let g = &law.components()[k];
            let z: Vec<f64> = g
                .eigenvalues()
                .iter()
                .map(|l| l.sqrt() * rng.sample::<f64, _>(StandardNormal))
                .collect();
            for r in 0..d {
                let mut acc = 0.0;
                for (q, zj) in g.eigenvectors().row(r).iter().zip(&z) {
                    acc += q * zj;
                }
                assert_eq!(
                    got[[i, r]],
                    g.mean()[r] + acc,
                    "d = {d}, row {i}, coordinate {r}"
                );
            }
        }
        assert!(
            seen.iter().all(|&c| c > 0),
            "every component drawn: {seen:?}"
        );
    }
}

#[test]
fn owf_stream_fill_equals_the_dyn_fill_and_only_the_charged_rows_are_counted() {
    let f = Candidate::Blake3.build_arc(12, 10, 4).expect("valid sizes");
    let law = OwfDistribution::with_default_params(f.clone()).expect("valid law");
    let before = f.evaluations();
    let [a, b, c, col] = fills(&law, 300, "stream-fill/owf");
    // sample_batch and fill_batch count one evaluation per row; the two stream fills count
    // nothing until charged.
    assert_eq!(
        f.evaluations() - before,
        2 * 300,
        "one counted evaluation per row of the counted fills"
    );
    law.charge_draws(123);
    assert_eq!(f.evaluations() - before, 2 * 300 + 123, "charged draws");
    (&law as &dyn SampleBatch).charge_draws(7);
    assert_eq!(
        f.evaluations() - before,
        2 * 300 + 130,
        "through a reference"
    );
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a, col);
    // Each row is (z, β(2f(s) − 1)) with s = 1[z > 0] (docs/math.md §5).
    let beta = law.params().amplitude();
    for row in a.rows() {
        let bools: Vec<bool> = row.iter().take(12).map(|&z| z > 0.0).collect();
        let y = f.eval_uncounted(&Bits::from_bools(&bools));
        for (j, &u) in row.iter().skip(12).enumerate() {
            assert_eq!(u, if y.bit(j) { beta } else { -beta });
        }
    }
}
