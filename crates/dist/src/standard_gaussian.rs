//! The standard Gaussian N(0, I_d): the null distribution of the pancake distinguisher
//! (docs/math.md §3), stationary under the OU process, so its law, density and score −x are the same
//! at every OU time t (docs/math.md §0).

use crate::error::{Error, Result};
use crate::ou_time::validate as ou_time;
use crate::score::{check_shapes, Dimension, LogDensity, SampleBatch, Score, ScoreVjp};
use ndarray::{Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2, Zip};
use rand::distr::Distribution;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

/// N(0, I_d) (docs/math.md §0): score s_t(x) = −x and density φ_d at every OU time t ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardGaussian {
    dim: usize,
}

impl StandardGaussian {
    /// N(0, I_dim). Errors: dim = 0.
    pub fn new(dim: usize) -> Result<Self> {
        if dim == 0 {
            return Err(Error::OutOfRange {
                name: "dim",
                value: 0.0,
                range: "dim >= 1",
            });
        }
        Ok(Self { dim })
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }
}

impl Dimension for StandardGaussian {
    fn dim(&self) -> usize {
        self.dim
    }
}

impl Score for StandardGaussian {
    /// s_t(x) = −x at every t ≥ 0.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        check_shapes(self.dim, &x, &out)?;
        ou_time(t)?;
        Zip::from(&mut out).and(&x).for_each(|o, &xi| *o = -xi);
        Ok(())
    }
}

impl ScoreVjp for StandardGaussian {
    /// The Jacobian of −x is −I, so Jᵀv = −v.
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_shapes(self.dim, &x, &out)?;
        check_shapes(self.dim, &v, &out)?;
        ou_time(t)?;
        Zip::from(&mut out).and(&v).for_each(|o, &vi| *o = -vi);
        Ok(())
    }
}

impl SampleBatch for StandardGaussian {
    /// Draws `n` i.i.d. points (n·d standard normals in row-major order).
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((n, self.dim), || StandardNormal.sample(rng))
    }
}

impl LogDensity for StandardGaussian {
    /// log φ_d(x) = −‖x‖²/2 − (d/2) log 2π at every t ≥ 0.
    fn log_density(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) -> Result<()> {
        if x.ncols() != self.dim {
            return Err(Error::DimensionMismatch {
                what: "point dimension",
                expected: self.dim,
                got: x.ncols(),
            });
        }
        if out.len() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "output length",
                expected: x.nrows(),
                got: out.len(),
            });
        }
        ou_time(t)?;
        let constant = 0.5 * self.dim as f64 * (2.0 * PI).ln();
        Zip::from(&mut out)
            .and(x.rows())
            .for_each(|o, row| *o = -0.5 * row.dot(&row) - constant);
        Ok(())
    }
}
