//! Dense linear algebra for *small* symmetric positive-definite matrices (d ≤ 64).
//!
//! Why this module exists: the exact Gaussian and Gaussian-mixture laws (docs/math.md §7) and the
//! posterior samplers of hardiff-sde need Cholesky factors, solves, inverses, log-determinants
//! and symmetric eigendecompositions of small matrices. `ndarray` offers matrix products but no
//! factorisations without BLAS/LAPACK, and hardiff does not link those; these O(d³) textbook
//! routines are exact enough (backward stable) at the sizes hardiff uses. One place for them.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Largest matrix side these routines accept (they are O(d³) and meant for small d).
pub const MAX_DIM: usize = 512;

fn check_square(name: &'static str, a: &ArrayView2<f64>) -> Result<usize> {
    let n = a.nrows();
    if a.ncols() != n {
        return Err(Error::DimensionMismatch {
            what: "square matrix: columns must equal rows",
            expected: n,
            got: a.ncols(),
        });
    }
    if n > MAX_DIM {
        return Err(Error::TooLarge {
            what: "dense small-matrix linear algebra",
            size: n,
            limit: MAX_DIM,
            work: format!("O(d³) = {:.1e} flops per factorisation", (n as f64).powi(3)),
        });
    }
    if let Some(&v) = a.iter().find(|v| !v.is_finite()) {
        return Err(Error::NonFinite { name, value: v });
    }
    Ok(n)
}

/// Checks that `a` is square, finite and symmetric to within `1e-9 · max|a_ij|` (absolute
/// floor 1e-300), reporting the worst entry otherwise.
pub fn check_symmetric(name: &'static str, a: ArrayView2<f64>) -> Result<()> {
    let n = check_square(name, &a)?;
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let mut worst = (0usize, 0usize, 0.0f64);
    for i in 0..n {
        for j in (i + 1)..n {
            let diff = (a[[i, j]] - a[[j, i]]).abs();
            if diff > worst.2 {
                worst = (i, j, diff);
            }
        }
    }
    if worst.2 > 1e-9 * scale {
        return Err(Error::NotSymmetric {
            name,
            row: worst.0,
            col: worst.1,
            difference: worst.2,
        });
    }
    Ok(())
}

/// (A + Aᵀ)/2.
pub fn symmetrize(a: ArrayView2<f64>) -> Array2<f64> {
    let mut s = a.to_owned();
    s += &a.t();
    s *= 0.5;
    s
}

/// Lower-triangular Cholesky factor L with A = L Lᵀ of a symmetric matrix (only the lower
/// triangle of `a` is read). Errors with [`Error::NotPositiveDefinite`] at the first pivot
/// that is not > 0.
pub fn cholesky(name: &'static str, a: ArrayView2<f64>) -> Result<Array2<f64>> {
    let n = check_square(name, &a)?;
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut diag = a[[j, j]];
        for k in 0..j {
            diag -= l[[j, k]] * l[[j, k]];
        }
        if diag.is_nan() || diag <= 0.0 || diag.is_infinite() {
            return Err(Error::NotPositiveDefinite {
                name,
                index: j,
                value: diag,
            });
        }
        let ljj = diag.sqrt();
        l[[j, j]] = ljj;
        for i in (j + 1)..n {
            let mut v = a[[i, j]];
            for k in 0..j {
                v -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = v / ljj;
        }
    }
    Ok(l)
}

/// Solves L x = b for lower-triangular L (forward substitution).
pub fn solve_lower(l: ArrayView2<f64>, b: ArrayView1<f64>) -> Array1<f64> {
    let n = l.nrows();
    let mut x = b.to_owned();
    for i in 0..n {
        let mut v = x[i];
        for k in 0..i {
            v -= l[[i, k]] * x[k];
        }
        x[i] = v / l[[i, i]];
    }
    x
}

/// Solves Lᵀ x = b for lower-triangular L (back substitution).
pub fn solve_lower_transpose(l: ArrayView2<f64>, b: ArrayView1<f64>) -> Array1<f64> {
    let n = l.nrows();
    let mut x = b.to_owned();
    for i in (0..n).rev() {
        let mut v = x[i];
        for k in (i + 1)..n {
            v -= l[[k, i]] * x[k];
        }
        x[i] = v / l[[i, i]];
    }
    x
}

/// Solves A x = b given the Cholesky factor L of A.
pub fn cholesky_solve(l: ArrayView2<f64>, b: ArrayView1<f64>) -> Array1<f64> {
    let z = solve_lower(l, b);
    solve_lower_transpose(l, z.view())
}

/// A⁻¹ from the Cholesky factor L of A (symmetrised).
pub fn cholesky_inverse(l: ArrayView2<f64>) -> Array2<f64> {
    let n = l.nrows();
    let mut inv = Array2::<f64>::zeros((n, n));
    let mut e = Array1::<f64>::zeros(n);
    for j in 0..n {
        e.fill(0.0);
        e[j] = 1.0;
        let col = cholesky_solve(l, e.view());
        inv.column_mut(j).assign(&col);
    }
    symmetrize(inv.view())
}

/// log det A = 2 Σ log L_ii from the Cholesky factor L of A.
pub fn cholesky_log_det(l: ArrayView2<f64>) -> f64 {
    2.0 * l.diag().iter().map(|v| v.ln()).sum::<f64>()
}

/// Inverse of a symmetric positive-definite matrix (via Cholesky).
pub fn spd_inverse(name: &'static str, a: ArrayView2<f64>) -> Result<Array2<f64>> {
    let l = cholesky(name, a)?;
    Ok(cholesky_inverse(l.view()))
}

/// Symmetric eigendecomposition A = Q diag(λ) Qᵀ by the cyclic Jacobi method (accurate to a
/// few ulps of ‖A‖ for the small matrices hardiff uses). Returns (λ, Q) with the eigenvectors
/// as the *columns* of Q, eigenvalues in no particular order. `a` must be symmetric (checked).
pub fn symmetric_eigen(
    name: &'static str,
    a: ArrayView2<f64>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    check_symmetric(name, a)?;
    let n = a.nrows();
    let mut m = symmetrize(a);
    let mut q = Array2::<f64>::eye(n);
    let total: f64 = m.iter().map(|v| v * v).sum();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..n {
            for r in (p + 1)..n {
                off += m[[p, r]] * m[[p, r]];
            }
        }
        if off <= 1e-32 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for r in (p + 1)..n {
                let apr = m[[p, r]];
                if apr == 0.0 {
                    continue;
                }
                // Rotation J = [[c, s], [−s, c]] in the (p, r) plane chosen so that (JᵀMJ)_pr = 0,
                // with the smaller root t = tan φ for stability (Rutishauser).
                let theta = (m[[r, r]] - m[[p, p]]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkr) = (m[[k, p]], m[[k, r]]);
                    m[[k, p]] = c * mkp - s * mkr;
                    m[[k, r]] = s * mkp + c * mkr;
                }
                for k in 0..n {
                    let (mpk, mrk) = (m[[p, k]], m[[r, k]]);
                    m[[p, k]] = c * mpk - s * mrk;
                    m[[r, k]] = s * mpk + c * mrk;
                }
                for k in 0..n {
                    let (qkp, qkr) = (q[[k, p]], q[[k, r]]);
                    q[[k, p]] = c * qkp - s * qkr;
                    q[[k, r]] = s * qkp + c * qkr;
                }
            }
        }
    }
    Ok((m.diag().to_owned(), q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs()))
    }

    fn spd() -> Array2<f64> {
        array![[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]]
    }

    #[test]
    fn cholesky_reconstructs_and_inverts() {
        let a = spd();
        let l = cholesky("a", a.view()).unwrap();
        assert!(max_diff(&l.dot(&l.t()), &a) < 1e-13);
        let inv = cholesky_inverse(l.view());
        assert!(max_diff(&inv.dot(&a), &Array2::eye(3)) < 1e-13);
        // det by cofactor expansion: 4(6 − 0.04) − 1(2 + 0.1) + 0.5(−0.2 − 1.5) = 20.89.
        assert_abs_diff_eq!(cholesky_log_det(l.view()), 20.89f64.ln(), epsilon = 1e-13);
    }

    #[test]
    fn cholesky_rejects_indefinite_and_asymmetric() {
        let a = array![[1.0, 2.0], [2.0, 1.0]];
        assert!(matches!(
            cholesky("a", a.view()),
            Err(Error::NotPositiveDefinite { index: 1, .. })
        ));
        let b = array![[1.0, 0.5], [0.4, 1.0]];
        assert!(matches!(
            check_symmetric("b", b.view()),
            Err(Error::NotSymmetric { .. })
        ));
        let c = Array2::<f64>::zeros((2, 3));
        assert!(matches!(
            cholesky("c", c.view()),
            Err(Error::DimensionMismatch { .. })
        ));
    }

    #[test]
    fn jacobi_eigen_diagonalises() {
        let a = spd();
        let (lam, q) = symmetric_eigen("a", a.view()).unwrap();
        assert!(max_diff(&q.t().dot(&q), &Array2::eye(3)) < 1e-13);
        assert!(max_diff(&q.dot(&Array2::from_diag(&lam)).dot(&q.t()), &a) < 1e-12);
        // Trace and determinant are invariants: 9 and 20.89.
        assert_abs_diff_eq!(lam.sum(), 9.0, epsilon = 1e-12);
        assert_abs_diff_eq!(lam.product(), 20.89, epsilon = 1e-11);
    }
}
