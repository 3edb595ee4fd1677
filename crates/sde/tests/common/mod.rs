//! Shared fixtures of the hardiff-sde integration tests and the `sde_report` example: the
//! Gaussian and two-component GMM priors in d = 2 and d = 8, and distance summaries against
//! exact samples.
#![allow(dead_code)]

use hardiff_dist::{Gaussian, GaussianMixture, SampleBatch};
use hardiff_sde::metrics;
use ndarray::{Array1, Array2, ArrayView2};

/// A two-component GMM in dimension `d` (2 or 8): weights (0.3, 0.7), means ∓ along a fixed
/// direction with separation ≈ 10 standard deviations of either component along it (so the
/// argmax-responsibility label misclassifies with probability < 1e−6: Φ̄(5) ≈ 3e−7), and
/// anisotropic correlated covariances with eigenvalues in [0.1, 0.6].
pub fn gmm(d: usize) -> GaussianMixture {
    let u: Array1<f64> = (0..d).map(|i| 1.0 + 0.3 * i as f64).collect();
    let u = &u / u.dot(&u).sqrt();
    let w: Array1<f64> = (0..d)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let w = &w / w.dot(&w).sqrt();
    let outer = |a: &Array1<f64>, b: &Array1<f64>| {
        a.view()
            .insert_axis(ndarray::Axis(1))
            .dot(&b.view().insert_axis(ndarray::Axis(0)))
    };
    let c1 = Array2::eye(d) * 0.15 + outer(&w, &w) * 0.25 + outer(&u, &u) * 0.05;
    let c2 = Array2::eye(d) * 0.1 + outer(&w, &w) * 0.3 + outer(&u, &u) * 0.15;
    GaussianMixture::new(
        vec![0.3, 0.7],
        vec![
            Gaussian::new(&u * -2.0, c1).unwrap(),
            Gaussian::new(&u * 2.0, c2).unwrap(),
        ],
    )
    .unwrap()
}

/// A correlated Gaussian N(μ, Σ) in dimension d with eigenvalues spread over [0.05, 2].
pub fn gaussian(d: usize) -> Gaussian {
    let mean: Array1<f64> = (0..d).map(|i| 0.5 - 0.2 * i as f64).collect();
    let mut cov = Array2::<f64>::zeros((d, d));
    for i in 0..d {
        for j in 0..d {
            cov[[i, j]] = 0.6 * 0.5f64.powi((i as i32 - j as i32).abs());
        }
        cov[[i, i]] += 0.05 + 1.4 * i as f64 / d.max(2) as f64;
    }
    Gaussian::new(mean, cov).unwrap()
}

/// Distances between `x` and an exact sample of the same size from `exact`.
#[derive(Debug, Clone, Copy)]
pub struct Distances {
    /// Sliced W₂ (200 projections).
    pub sw: f64,
    /// Energy distance D².
    pub energy: f64,
    /// The same two distances between two independent exact samples (the noise floor).
    pub sw_floor: f64,
    /// Energy floor.
    pub energy_floor: f64,
}

pub fn distances(x: ArrayView2<f64>, exact: &dyn SampleBatch, seed: u64) -> Distances {
    let mut r = hardiff_dist::rng::stream(seed, "distances", &[]);
    let e1 = exact.sample_batch(&mut r, x.nrows());
    let e2 = exact.sample_batch(&mut r, x.nrows());
    let mut rp = hardiff_dist::rng::stream(seed, "projections", &[]);
    let sw = metrics::sliced_wasserstein(x, e1.view(), 200, &mut rp).unwrap();
    let mut rp = hardiff_dist::rng::stream(seed, "projections", &[]);
    let sw_floor = metrics::sliced_wasserstein(e2.view(), e1.view(), 200, &mut rp).unwrap();
    Distances {
        sw,
        energy: metrics::energy_distance(x, e1.view()).unwrap(),
        sw_floor,
        energy_floor: metrics::energy_distance(e2.view(), e1.view()).unwrap(),
    }
}

/// Per-component comparison of samples with a GMM law (labels by argmax responsibility):
/// the chi-square p-value of the component masses, the largest |mean error| / SE and
/// |cov error| / SE over components and entries (SE of a covariance entry: its Gaussian-data
/// value √((Σ_ii Σ_jj + Σ_ij²)/n_k)), the largest absolute errors, and the largest
/// (|error| − bias)⁺ / SE: the z-statistic of an entry once a systematic error of up to `bias`
/// is allowed (the check "|error| ≤ z·SE + bias" for every entry is `…_excess_z ≤ z`).
#[derive(Debug, Clone, Copy)]
pub struct ComponentCheck {
    pub mass_p: f64,
    pub mean_z: f64,
    pub cov_z: f64,
    pub mean_err: f64,
    pub cov_err: f64,
    pub mean_excess_z: f64,
    pub cov_excess_z: f64,
}

pub fn component_check(x: ArrayView2<f64>, law: &GaussianMixture, bias: f64) -> ComponentCheck {
    let labels = metrics::assign_components(law, 0.0, x).unwrap();
    let mass_p = metrics::component_mass_chi_square(&labels, law.weights())
        .unwrap()
        .p_value;
    let (mut mean_z, mut cov_z, mut mean_err, mut cov_err) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut mean_excess_z, mut cov_excess_z) = (0.0f64, 0.0f64);
    for (k, c) in law.components().iter().enumerate() {
        let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == k).collect();
        let xk = x.select(ndarray::Axis(0), &rows);
        let n = rows.len() as f64;
        let (m, cv) = metrics::moments(xk.view()).unwrap();
        let sig = c.cov();
        for i in 0..m.len() {
            let e = (m[i] - c.mean()[i]).abs();
            let se = (sig[[i, i]] / n).sqrt();
            mean_err = mean_err.max(e);
            mean_z = mean_z.max(e / se);
            mean_excess_z = mean_excess_z.max((e - bias).max(0.0) / se);
            for j in 0..m.len() {
                let e = (cv[[i, j]] - sig[[i, j]]).abs();
                cov_err = cov_err.max(e);
                let se = ((sig[[i, i]] * sig[[j, j]] + sig[[i, j]].powi(2)) / n).sqrt();
                cov_z = cov_z.max(e / se);
                cov_excess_z = cov_excess_z.max((e - bias).max(0.0) / se);
            }
        }
    }
    ComponentCheck {
        mass_p,
        mean_z,
        cov_z,
        mean_err,
        cov_err,
        mean_excess_z,
        cov_excess_z,
    }
}
