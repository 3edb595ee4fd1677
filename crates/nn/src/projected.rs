//! Scores that live on one known direction (docs/math.md §2): ŝ(x) = −x + (ŝ₁(t, ⟨x,u⟩) + ⟨x,u⟩)·u
//! from a 1-D score ŝ₁ along a unit vector u. For Gaussian pancakes with secret u the exact
//! score has exactly this form with ŝ₁ = (log A_t)′, so a 1-D network trained on the projections
//! ⟨x, u⟩ and lifted by [`ProjectedScore`] is what a learner that *knows* u can achieve.

use crate::error::{Error, Result};
use hardiff_dist::score::check_shapes;
use hardiff_dist::{Dimension, Score};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};

/// A score −x + (ŝ₁(t, ⟨x,u⟩) + ⟨x,u⟩)·u built from a 1-D score ŝ₁ along a known unit vector u
/// (for pancakes the exact score has exactly this form with ŝ₁ = (log A_t)′, docs/math.md §2).
#[derive(Debug, Clone)]
pub struct ProjectedScore<S> {
    direction: Array1<f64>,
    inner: S,
}

impl<S: Score> ProjectedScore<S> {
    /// The score along unit vector `direction` from the 1-D score `inner`.
    pub fn new(direction: Array1<f64>, inner: S) -> Result<Self> {
        if inner.dim() != 1 {
            return Err(Error::DimensionMismatch {
                what: "inner score of a projected score must be 1-D",
                expected: 1,
                got: inner.dim(),
            });
        }
        let norm = direction.dot(&direction).sqrt();
        if (norm - 1.0).abs() > 1e-9 {
            return Err(Error::Invalid(format!(
                "direction must be a unit vector, got norm {norm}"
            )));
        }
        Ok(Self { direction, inner })
    }
    /// The 1-D score.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Score> Dimension for ProjectedScore<S> {
    fn dim(&self) -> usize {
        self.direction.len()
    }
}

impl<S: Score> Score for ProjectedScore<S> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.dim(), &x, &out)?;
        let z = x.dot(&self.direction).insert_axis(Axis(1));
        let mut s1 = Array2::zeros((x.nrows(), 1));
        self.inner.score(t, z.view(), s1.view_mut())?;
        for (b, mut o) in out.rows_mut().into_iter().enumerate() {
            let g = s1[[b, 0]] + z[[b, 0]];
            for (k, ov) in o.iter_mut().enumerate() {
                *ov = -x[[b, k]] + g * self.direction[k];
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardiff_dist::pancakes::GaussianPancakes;
    use hardiff_dist::standard_gaussian::StandardGaussian;
    use ndarray::array;

    fn score_of(s: &impl Score, t: f64, x: &Array2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros(x.raw_dim());
        s.score(t, x.view(), out.view_mut()).unwrap();
        out
    }

    #[test]
    fn lifting_the_one_dimensional_pancake_score_gives_the_exact_score() {
        // docs/math.md §2: the pancake score is s_t(x) = −x + g_t(⟨x,u⟩)·u with g_t(z) = (log A_t)′(z) + z,
        // and A_t is the law of ⟨x, u⟩ — the 1-D pancakes with secret 1. Both sides evaluate the
        // same lattice sums, so they agree to rounding.
        let u = array![0.6, 0.0, -0.8];
        let law = GaussianPancakes::new(3, 2.0, 0.2, u.clone()).unwrap();
        let along_u = GaussianPancakes::new(1, 2.0, 0.2, array![1.0]).unwrap();
        let lifted = ProjectedScore::new(u, along_u).unwrap();
        let x = array![[0.3, -1.2, 0.5], [2.0, 0.1, -0.7], [-0.4, 0.9, 1.6]];
        for t in [0.01, 0.3, 2.0] {
            let (got, want) = (score_of(&lifted, t, &x), score_of(&law, t, &x));
            for (g, w) in got.iter().zip(&want) {
                approx::assert_abs_diff_eq!(g, w, epsilon = 1e-9 * (1.0 + w.abs()));
            }
        }
    }

    #[test]
    fn the_standard_gaussian_lifts_to_minus_x() {
        // s₁(z) = −z makes the excess ŝ₁(z) + z vanish: the lift is −x whatever u is.
        let u = array![0.0, 1.0];
        let lifted = ProjectedScore::new(u, StandardGaussian::new(1).unwrap()).unwrap();
        let x = array![[0.3, -1.2], [2.0, 0.1]];
        assert_eq!(score_of(&lifted, 0.5, &x), -&x);
    }

    #[test]
    fn rejects_a_non_unit_direction_and_a_multivariate_inner_score() {
        let one = StandardGaussian::new(1).unwrap();
        let err = ProjectedScore::new(array![1.0, 1.0], one).unwrap_err();
        assert!(err.to_string().contains("unit vector"), "{err}");
        let two = StandardGaussian::new(2).unwrap();
        assert!(ProjectedScore::new(array![1.0, 0.0], two).is_err());
    }
}
