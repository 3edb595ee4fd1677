//! Distances and tests between a sampler's output and exact samples (docs/math.md §9): sliced
//! Wasserstein, energy distance, per-coordinate two-sample Kolmogorov–Smirnov and the
//! component-mass chi-square for Gaussian-mixture laws.
//!
//! Why a module: every sampler test and every harness table measures "distance to the exact
//! law" the same way, against an independent exact sample. Each distance has a noise floor of
//! order n^{−1/2} (n samples per side) — report the exact-vs-exact value next to it.

use crate::error::{Error, Result};
use hardiff_dist::stats::{chi_square, ks_two_sample, TestResult};
use hardiff_dist::GaussianMixture;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng as _;
use rand_distr::StandardNormal;

fn check_pair(a: &ArrayView2<f64>, b: &ArrayView2<f64>) -> Result<()> {
    if a.ncols() != b.ncols() {
        return Err(Error::DimensionMismatch {
            what: "dimension of the two sample sets",
            expected: a.ncols(),
            got: b.ncols(),
        });
    }
    if a.nrows() == 0 || b.nrows() == 0 {
        return Err(Error::Empty { what: "sample set" });
    }
    Ok(())
}

/// W₂² between the empirical laws of two 1-D samples (any sizes), ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du
/// over the merged quantile breakpoints. Both slices are sorted in place.
pub fn wasserstein2_sq_1d(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len(), b.len());
    let (mut i, mut j) = (0usize, 0usize);
    let mut u = 0.0;
    let mut total = 0.0;
    while i < n && j < m {
        let next_a = (i + 1) as f64 / n as f64;
        let next_b = (j + 1) as f64 / m as f64;
        let next = next_a.min(next_b);
        let diff = a[i] - b[j];
        total += (next - u) * diff * diff;
        u = next;
        if next_a <= next {
            i += 1;
        }
        if next_b <= next {
            j += 1;
        }
    }
    total
}

/// Sliced 2-Wasserstein distance SW₂ = (mean over `projections` random unit directions θ of
/// W₂²(θ·a, θ·b))^{1/2}, directions drawn uniformly on the sphere from `rng`.
pub fn sliced_wasserstein(
    a: ArrayView2<f64>,
    b: ArrayView2<f64>,
    projections: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<f64> {
    check_pair(&a, &b)?;
    if projections == 0 {
        return Err(Error::Empty {
            what: "number of projections",
        });
    }
    let d = a.ncols();
    let mut sum = 0.0;
    for _ in 0..projections {
        let mut theta: Array1<f64> = (0..d)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        let norm = theta.dot(&theta).sqrt();
        theta /= norm;
        let mut pa = a.dot(&theta).to_vec();
        let mut pb = b.dot(&theta).to_vec();
        sum += wasserstein2_sq_1d(&mut pa, &mut pb);
    }
    Ok((sum / projections as f64).sqrt())
}

fn mean_pair_distance(a: &ArrayView2<f64>, b: &ArrayView2<f64>, same: bool) -> f64 {
    let d = a.ncols();
    let (n, m) = (a.nrows() as f64, b.nrows() as f64);
    if d == 0 {
        return 0.0;
    }
    // Contiguous rows: this O(n m d) loop dominates every distance computation.
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (sa, sb) = (
        a.as_slice().expect("standard layout"),
        b.as_slice().expect("standard layout"),
    );
    let mut total = 0.0;
    for (i, x) in sa.chunks_exact(d).enumerate() {
        let skip = if same { i + 1 } else { 0 };
        for y in sb.chunks_exact(d).skip(skip) {
            let s: f64 = x.iter().zip(y).map(|(u, v)| (u - v) * (u - v)).sum();
            total += s.sqrt();
        }
    }
    if same {
        total / (n * (n - 1.0) / 2.0)
    } else {
        total / (n * m)
    }
}

/// Energy distance D² = 2 E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ (Székely–Rizzo), with unbiased
/// (U-statistic) within-sample terms; 0 iff the laws agree, in expectation. O(n m d).
/// Each set needs at least 2 points.
pub fn energy_distance(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<f64> {
    check_pair(&a, &b)?;
    if a.nrows() < 2 || b.nrows() < 2 {
        return Err(Error::Invalid(
            "energy distance needs at least 2 points per sample set".into(),
        ));
    }
    Ok(2.0 * mean_pair_distance(&a, &b, false)
        - mean_pair_distance(&a, &a, true)
        - mean_pair_distance(&b, &b, true))
}

/// Two-sample KS test of each coordinate (docs/math.md §9).
pub fn coordinate_ks(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Vec<TestResult>> {
    check_pair(&a, &b)?;
    Ok((0..a.ncols())
        .map(|j| ks_two_sample(&mut a.column(j).to_vec(), &mut b.column(j).to_vec()))
        .collect())
}

/// Bonferroni-combined p-value of several tests: min(1, k · min p).
pub fn bonferroni_p(results: &[TestResult]) -> f64 {
    let min = results.iter().map(|r| r.p_value).fold(1.0, f64::min);
    (min * results.len() as f64).min(1.0)
}

/// Assigns each row of `x` to its most probable component of `mixture` at OU time `t`
/// (argmax of the responsibilities π_k(x)).
pub fn assign_components(
    mixture: &GaussianMixture,
    t: f64,
    x: ArrayView2<f64>,
) -> Result<Vec<usize>> {
    let k = mixture.weights().len();
    let mut resp = Array2::zeros((x.nrows(), k));
    mixture.responsibilities(t, x, resp.view_mut())?;
    Ok(resp
        .outer_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &p)| {
                    if p > best.1 {
                        (i, p)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect())
}

/// Pearson chi-square of component labels against expected masses (cells pooled below 5
/// expected counts, docs/math.md §9). Errors: a label out of range, or the errors of
/// [`hardiff_dist::stats::chi_square`] (e.g. too few samples for two pooled cells).
pub fn component_mass_chi_square(labels: &[usize], masses: ArrayView1<f64>) -> Result<TestResult> {
    let k = masses.len();
    let mut counts = vec![0u64; k];
    for &l in labels {
        if l >= k {
            return Err(Error::DimensionMismatch {
                what: "component label (must be < number of components)",
                expected: k,
                got: l,
            });
        }
        counts[l] += 1;
    }
    let probs = masses.to_vec();
    Ok(chi_square(&counts, &probs, 0)?)
}

/// Sample mean and (biased, 1/n) covariance of the rows of `x`.
pub fn moments(x: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    if x.nrows() == 0 {
        return Err(Error::Empty { what: "sample set" });
    }
    let n = x.nrows() as f64;
    let mean = x.mean_axis(ndarray::Axis(0)).expect("non-empty");
    let c = &x - &mean;
    Ok((mean, c.t().dot(&c) / n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardiff_dist::rng;
    use ndarray::array;

    #[test]
    fn w2_1d_closed_forms() {
        // Equal sizes: mean of squared differences of order statistics.
        let mut a = vec![0.0, 1.0, 2.0];
        let mut b = vec![2.0, 0.5, 1.5];
        assert!((wasserstein2_sq_1d(&mut a, &mut b) - (0.25 + 0.25 + 0.0) / 3.0).abs() < 1e-15);
        // Unequal sizes: a = {0, 1} (each ½), b = {0, 0.5, 1} (each ⅓):
        // u ∈ [0,⅓): 0; [⅓,½): (0 − 0.5)² ; [½,⅔): (1 − 0.5)²; [⅔,1]: 0 → (1/6)(0.25) + (1/6)(0.25).
        let mut a = vec![0.0, 1.0];
        let mut b = vec![0.0, 0.5, 1.0];
        assert!((wasserstein2_sq_1d(&mut a, &mut b) - 0.25 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn sliced_wasserstein_of_a_shift() {
        // A rigid shift c of the same point set: W₂²(θ·a, θ·a + θ·c) = (θ·c)², and for θ uniform on
        // S^{d−1}, E(θ·c)² = ‖c‖²/d. With 4000 projections in d = 3, relative error ≈ 2–3%.
        let mut r = rng::stream(5, "metrics-test", &[]);
        let a = crate::ou::stationary_sample(&mut r, 200, 3);
        let c = array![1.0, -2.0, 0.5];
        let b = &a + &c;
        let sw = sliced_wasserstein(a.view(), b.view(), 4000, &mut r).unwrap();
        let expect = (c.dot(&c) / 3.0).sqrt();
        assert!((sw - expect).abs() < 0.05 * expect, "{sw} vs {expect}");
    }

    #[test]
    fn coordinate_ks_and_mass_chi_square() {
        // Two N(0, I) samples: Bonferroni p > 1e-3 (false-failure rate 1e-3); a 0.3 shift of
        // coordinate 1 with n = 2000 per side is detected (p < 1e-6).
        let mut r = rng::stream(6, "metrics-test", &[]);
        let a = crate::ou::stationary_sample(&mut r, 2000, 3);
        let b = crate::ou::stationary_sample(&mut r, 2000, 3);
        assert!(bonferroni_p(&coordinate_ks(a.view(), b.view()).unwrap()) > 1e-3);
        let mut shifted = b.clone();
        shifted.column_mut(1).mapv_inplace(|v| v + 0.3);
        assert!(bonferroni_p(&coordinate_ks(a.view(), shifted.view()).unwrap()) < 1e-6);
        // Labels 0,0,0,1 ×250 against masses (0.75, 0.25): exact agreement, X² = 0.
        let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 4 == 3)).collect();
        let res = component_mass_chi_square(&labels, array![0.75, 0.25].view()).unwrap();
        assert!(res.statistic.abs() < 1e-12);
        assert!(component_mass_chi_square(&[2], array![0.5, 0.5].view()).is_err());
    }

    #[test]
    fn energy_distance_of_point_masses() {
        // a = {0, 0} (two copies), b = {(3,4), (3,4)}: 2·5 − 0 − 0 = 10.
        let a = array![[0.0, 0.0], [0.0, 0.0]];
        let b = array![[3.0, 4.0], [3.0, 4.0]];
        assert!((energy_distance(a.view(), b.view()).unwrap() - 10.0).abs() < 1e-12);
        assert!(energy_distance(a.view(), array![[1.0, 2.0, 3.0]].view()).is_err());
    }
}
