//! Tests of the MCGdiff Gaussian-mixture benchmark (hardiff_dist::mcgdiff; Cardoso et al.,
//! ICLR 2024) against independent computations: the singular values from the eigenvalues of
//! AAᵀ (Jacobi), and the exact posterior (docs/math.md §7) from the Woodbury form with a
//! Gauss–Jordan inverse written here, not from `Gaussian::posterior`'s precision form.

use hardiff_dist::linalg::symmetric_eigen;
use hardiff_dist::{Error, McgdiffGmm};
use ndarray::{Array1, Array2};

const CASES: [(usize, usize); 4] = [(2, 1), (8, 1), (8, 2), (20, 4)];

/// Inverse and log-determinant of a small square matrix by Gauss–Jordan elimination with
/// partial pivoting (the reference: no Cholesky, no eigendecomposition).
fn inverse_and_log_det(a: &Array2<f64>) -> (Array2<f64>, f64) {
    let n = a.nrows();
    let mut m = a.clone();
    let mut inv = Array2::<f64>::eye(n);
    let mut log_det = 0.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| m[[i, c]].abs().total_cmp(&m[[j, c]].abs()))
            .unwrap();
        if p != c {
            for k in 0..n {
                m.swap([p, k], [c, k]);
                inv.swap([p, k], [c, k]);
            }
        }
        let piv = m[[c, c]];
        log_det += piv.abs().ln();
        for k in 0..n {
            m[[c, k]] /= piv;
            inv[[c, k]] /= piv;
        }
        for r in 0..n {
            if r != c {
                let f = m[[r, c]];
                for k in 0..n {
                    m[[r, k]] -= f * m[[c, k]];
                    inv[[r, k]] -= f * inv[[c, k]];
                }
            }
        }
    }
    (inv, log_det)
}

#[test]
fn shapes_and_parts_are_consistent() {
    for (d, m) in CASES {
        let inst = McgdiffGmm::new(d, m, 11).unwrap();
        assert_eq!((inst.dim(), inst.measurements()), (d, m));
        assert_eq!(inst.a().dim(), (m, d));
        assert_eq!((inst.y().len(), inst.truth().len()), (m, d));
        assert_eq!(inst.singular_values().len(), m);
        assert_eq!(inst.prior().components().len(), 25);
        assert_eq!(inst.prior().dim(), d);
        let w = inst.prior().weights();
        assert!(w.iter().all(|&v| v > 0.0));
        assert!((w.sum() - 1.0).abs() < 1e-12);
        // The weights are random (ξ²-normalised), not uniform: for 25 χ²₁ draws the ratio of
        // the largest to the smallest weight is below 2 with probability far below 1e-6.
        let (lo, hi) = w
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(hi / lo > 2.0, "weights look uniform: {w}");
        // 0 < σ_y < max s.
        let s0 = inst.singular_values()[0];
        assert!(inst.noise_std() > 0.0 && inst.noise_std() < s0);
    }
}

#[test]
fn singular_values_are_sorted_in_the_unit_interval_and_match_a() {
    for (d, m) in CASES {
        for seed in 0..5 {
            let inst = McgdiffGmm::new(d, m, seed).unwrap();
            let s = inst.singular_values();
            assert!(s.iter().all(|&v| v > 0.0 && v < 1.0), "s = {s}");
            assert!(s.windows(2).into_iter().all(|w| w[0] >= w[1]), "s = {s}");
            // Independent: the eigenvalues of AAᵀ (Jacobi) are s².
            let a = inst.a();
            let (mut ev, _) = symmetric_eigen("AAt", a.dot(&a.t()).view()).unwrap();
            ev.as_slice_mut().unwrap().sort_by(|x, y| y.total_cmp(x));
            for (e, v) in ev.iter().zip(s.iter()) {
                assert!((e.sqrt() - v).abs() < 1e-12, "√λ = {} vs s = {v}", e.sqrt());
            }
        }
    }
}

#[test]
fn the_truth_is_near_a_grid_point_and_y_is_its_noisy_measurement() {
    for (d, m) in CASES {
        let inst = McgdiffGmm::new(d, m, 5).unwrap();
        // x* is a draw of N(μ_k, I) for some k: within 6 + √d of a grid mean (a χ_d tail beyond
        // that has probability < 1e-7).
        let x = inst.truth();
        let near = inst.prior().components().iter().any(|c| {
            let diff = &x - &c.mean();
            diff.dot(&diff).sqrt() < 6.0 + (d as f64).sqrt()
        });
        assert!(near, "x* = {x}");
        // (y − A x*)/σ_y is an m-vector of standard normals: norm below 6 + √m (prob. < 1e-7).
        let r = (&inst.y() - &inst.a().dot(&x)) / inst.noise_std();
        assert!(r.dot(&r).sqrt() < 6.0 + (m as f64).sqrt(), "r = {r}");
    }
}

#[test]
fn the_same_seed_gives_the_same_instance_and_another_seed_another() {
    let a = McgdiffGmm::new(8, 2, 42).unwrap();
    assert_eq!(a, McgdiffGmm::new(8, 2, 42).unwrap());
    let b = McgdiffGmm::new(8, 2, 43).unwrap();
    assert_ne!(a.a(), b.a());
    assert_ne!(a.prior().weights(), b.prior().weights());
    // The weights depend on the seed only: one seed gives one mixture along a ladder over d.
    let c = McgdiffGmm::new(20, 4, 42).unwrap();
    assert_eq!(a.prior().weights(), c.prior().weights());
}

#[test]
fn bad_input_is_a_typed_error() {
    for (d, m) in [(0, 1), (5, 1), (4, 0), (4, 5)] {
        let e = McgdiffGmm::new(d, m, 0).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e}");
        assert!(e.to_string().contains(&d.to_string()), "{e}");
    }
}

#[test]
fn the_exact_posterior_matches_the_woodbury_form() {
    for (d, m) in CASES {
        for seed in 0..4 {
            let inst = McgdiffGmm::new(d, m, seed).unwrap();
            let post = inst.posterior().unwrap();
            let (a, y, eta) = (inst.a(), inst.y(), inst.noise_std());
            // S = AAᵀ + η²I (the covariance of y given a component with unit covariance).
            let s = a.dot(&a.t()) + Array2::<f64>::eye(m) * (eta * eta);
            let (s_inv, log_det) = inverse_and_log_det(&s);
            let gain = a.t().dot(&s_inv); // Aᵀ S⁻¹, d × m
            let cov = Array2::<f64>::eye(d) - gain.dot(&a);
            let mut logw = Vec::new();
            let mut means = Vec::new();
            for (w, c) in inst.prior().weights().iter().zip(inst.prior().components()) {
                let r: Array1<f64> = &y - &a.dot(&c.mean());
                logw.push(w.ln() - 0.5 * r.dot(&s_inv.dot(&r)) - 0.5 * log_det);
                means.push(&c.mean() + &gain.dot(&r));
            }
            let top = logw.iter().cloned().fold(f64::MIN, f64::max);
            let z: f64 = logw.iter().map(|l| (l - top).exp()).sum();
            let weights: Vec<f64> = logw.iter().map(|l| (l - top).exp() / z).collect();
            // The posterior drops components whose weight underflows to 0: walk its components
            // in the prior's order, matching each to the next reference component with the
            // same mean, and check that every skipped one carries no representable mass.
            let mut k = 0;
            for (pc, pw) in post.components().iter().zip(post.weights().iter()) {
                let close = |k: usize| {
                    (&pc.mean() - &means[k])
                        .iter()
                        .fold(0.0f64, |a, v| a.max(v.abs()))
                };
                while k < 25 && close(k) > 1e-6 {
                    assert!(
                        weights[k] < 1e-250,
                        "dropped component {k} has weight {}",
                        weights[k]
                    );
                    k += 1;
                }
                assert!(
                    k < 25,
                    "(d, m, seed) = ({d}, {m}, {seed}): unmatched component"
                );
                assert!(
                    (pw - weights[k]).abs() < 1e-9 * weights[k].max(1e-3),
                    "weight {k}: {pw} vs {}",
                    weights[k]
                );
                assert!(close(k) < 1e-9, "mean {k} differs by {}", close(k));
                let dc = (&pc.cov() - &cov)
                    .iter()
                    .fold(0.0f64, |a, v| a.max(v.abs()));
                assert!(dc < 1e-9, "cov {k} differs by {dc}");
                k += 1;
            }
            assert!(weights[k..].iter().all(|&w| w < 1e-250));
        }
    }
}
