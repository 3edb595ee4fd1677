//! Linear Gaussian measurements y = A x + η, η ~ N(0, η² I_m) (docs/math.md §6), with the likelihood
//! and its gradient that every posterior sampler uses.
//!
//! Why a module: the measurement is validated once at construction (shapes, η > 0), so the
//! samplers only check that points and y fit it.

use crate::error::{positive, Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// y = A x + η with A ∈ R^{m×d} and η ~ N(0, η² I_m) (docs/math.md §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearMeasurement {
    a: Array2<f64>,
    noise_std: f64,
}

impl LinearMeasurement {
    /// Validates A (m × d with d ≥ 1, finite entries; m = 0 is allowed: no measurement) and
    /// `noise_std` = η (finite, > 0).
    pub fn new(a: Array2<f64>, noise_std: f64) -> Result<Self> {
        positive("noise_std", noise_std)?;
        if a.ncols() == 0 {
            return Err(Error::Empty {
                what: "measurement matrix columns (dimension d)",
            });
        }
        if let Some(&v) = a.iter().find(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "measurement matrix A must be finite, found {v}"
            )));
        }
        Ok(Self { a, noise_std })
    }

    /// A measurement that reads the coordinates `coords` of x (rows of the identity).
    pub fn select(d: usize, coords: &[usize], noise_std: f64) -> Result<Self> {
        let mut a = Array2::zeros((coords.len(), d));
        for (i, &c) in coords.iter().enumerate() {
            if c >= d {
                return Err(Error::DimensionMismatch {
                    what: "selected coordinate index (must be < d)",
                    expected: d,
                    got: c,
                });
            }
            a[[i, c]] = 1.0;
        }
        Self::new(a, noise_std)
    }

    /// The measurement matrix A (one row per measured value).
    pub fn matrix(&self) -> ArrayView2<'_, f64> {
        self.a.view()
    }

    /// The noise standard deviation η.
    pub fn noise_std(&self) -> f64 {
        self.noise_std
    }

    /// Dimension d of x.
    pub fn dim(&self) -> usize {
        self.a.ncols()
    }

    /// The number of measured values, m' (rows of A, the length of y).
    pub fn measurement_count(&self) -> usize {
        self.a.nrows()
    }

    /// Checks that x is (batch ≥ 1, d).
    pub fn check_points(&self, x: &ArrayView2<f64>) -> Result<()> {
        if x.ncols() != self.dim() {
            return Err(Error::DimensionMismatch {
                what: "point dimension vs columns of A",
                expected: self.dim(),
                got: x.ncols(),
            });
        }
        if x.nrows() == 0 {
            return Err(Error::Empty {
                what: "batch of points",
            });
        }
        Ok(())
    }

    /// Checks that y has length m and is finite.
    pub fn check_y(&self, y: &ArrayView1<f64>) -> Result<()> {
        if y.len() != self.measurement_count() {
            return Err(Error::DimensionMismatch {
                what: "length of y vs rows of A",
                expected: self.measurement_count(),
                got: y.len(),
            });
        }
        if let Some(&v) = y.iter().find(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!("y must be finite, found {v}")));
        }
        Ok(())
    }

    /// One measurement y = A x + η of the point `x`.
    pub fn measure(&self, x: ArrayView1<f64>, rng: &mut dyn rand::RngCore) -> Result<Array1<f64>> {
        if x.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                what: "point dimension vs columns of A",
                expected: self.dim(),
                got: x.len(),
            });
        }
        let mut y = self.a.dot(&x);
        for v in y.iter_mut() {
            *v += self.noise_std * rng.sample::<f64, _>(StandardNormal);
        }
        Ok(y)
    }

    /// Residuals y − A x_b as the rows of an (n, m) array.
    pub fn residuals(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Array2<f64>> {
        self.check_points(&x)?;
        self.check_y(&y)?;
        let mut r = x.dot(&self.a.t());
        r.mapv_inplace(|v| -v);
        r += &y;
        Ok(r)
    }

    /// Writes log of the rejection sampler's acceptance probability,
    /// −‖y − A x_b‖²/(2η²) (docs/math.md §6), into `out[b]`.
    pub fn log_acceptance(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        mut out: ArrayViewMut1<f64>,
    ) -> Result<()> {
        let r = self.residuals(x, y)?;
        check_len(out.len(), r.nrows())?;
        let c = 0.5 / (self.noise_std * self.noise_std);
        for (o, row) in out.iter_mut().zip(r.outer_iter()) {
            *o = -c * row.dot(&row);
        }
        Ok(())
    }

    /// Writes log p(y | x_b) = log N(y; A x_b, η² I) into `out[b]`.
    pub fn log_likelihood(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        mut out: ArrayViewMut1<f64>,
    ) -> Result<()> {
        self.log_acceptance(x, y, out.view_mut())?;
        let norm = self.log_normaliser();
        out.mapv_inplace(|v| v + norm);
        Ok(())
    }

    /// −(m/2) log(2πη²), the log normaliser of N(·; A x, η² I).
    pub fn log_normaliser(&self) -> f64 {
        -0.5 * self.measurement_count() as f64 * (LN_2PI + 2.0 * self.noise_std.ln())
    }

    /// Writes ∇_x log p(y | x_b) = Aᵀ(y − A x_b)/η² into row b of `out` (the exact measurement
    /// gradient at x).
    pub fn grad_log_likelihood(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let r = self.residuals(x, y)?;
        if out.dim() != x.dim() {
            return Err(Error::DimensionMismatch {
                what: "gradient output rows",
                expected: x.nrows(),
                got: out.nrows(),
            });
        }
        out.assign(&(r.dot(&self.a) / (self.noise_std * self.noise_std)));
        Ok(())
    }

    /// The rejection sampler's exact acceptance rate from the prior's log evidence log p_Y(y):
    /// P_acc(y) = (2πη²)^{m/2} p_Y(y) (docs/math.md §6).
    pub fn acceptance_rate(&self, log_evidence: f64) -> f64 {
        (log_evidence - self.log_normaliser()).exp()
    }
}

fn check_len(len: usize, expected: usize) -> Result<()> {
    if len != expected {
        return Err(Error::DimensionMismatch {
            what: "output length (one value per point)",
            expected,
            got: len,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn likelihood_and_gradient() {
        let m = LinearMeasurement::new(array![[1.0, 2.0], [0.0, -1.0]], 0.5).unwrap();
        let x = array![[0.3, -0.2], [1.0, 1.0]];
        let y = array![0.1, 0.4];
        let mut ll = Array1::zeros(2);
        m.log_likelihood(x.view(), y.view(), ll.view_mut()).unwrap();
        // Row 0: Ax = (−0.1, 0.2), r = (0.2, 0.2), ‖r‖² = 0.08;
        // log N = −0.08/(2·0.25) − log(2π·0.25).
        let expect0 = -0.16 - (2.0 * std::f64::consts::PI * 0.25).ln();
        assert!((ll[0] - expect0).abs() < 1e-14);
        // Gradient against central finite differences of the log-likelihood.
        let mut g = Array2::zeros((2, 2));
        m.grad_log_likelihood(x.view(), y.view(), g.view_mut())
            .unwrap();
        let h = 1e-6;
        for j in 0..2 {
            let mut xp = x.clone();
            let mut xm = x.clone();
            xp.column_mut(j).mapv_inplace(|v| v + h);
            xm.column_mut(j).mapv_inplace(|v| v - h);
            let (mut lp, mut lm) = (Array1::zeros(2), Array1::zeros(2));
            m.log_likelihood(xp.view(), y.view(), lp.view_mut())
                .unwrap();
            m.log_likelihood(xm.view(), y.view(), lm.view_mut())
                .unwrap();
            for b in 0..2 {
                assert!(((lp[b] - lm[b]) / (2.0 * h) - g[[b, j]]).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn bad_input_is_typed() {
        assert!(matches!(
            LinearMeasurement::new(array![[1.0]], 0.0),
            Err(Error::NonPositive { .. })
        ));
        assert!(matches!(
            LinearMeasurement::new(array![[1.0]], -1.0),
            Err(Error::NonPositive { .. })
        ));
        let m = LinearMeasurement::new(array![[1.0, 0.0]], 0.1).unwrap();
        let mut out = Array1::zeros(1);
        assert!(matches!(
            m.log_likelihood(
                array![[1.0, 2.0, 3.0]].view(),
                array![0.0].view(),
                out.view_mut()
            ),
            Err(Error::DimensionMismatch { .. })
        ));
        assert!(matches!(
            m.log_likelihood(
                array![[1.0, 2.0]].view(),
                array![0.0, 1.0].view(),
                out.view_mut()
            ),
            Err(Error::DimensionMismatch { .. })
        ));
        let empty = Array2::<f64>::zeros((0, 2));
        assert!(matches!(
            m.log_likelihood(
                empty.view(),
                array![0.0].view(),
                Array1::zeros(0).view_mut()
            ),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            LinearMeasurement::select(2, &[2], 0.1),
            Err(Error::DimensionMismatch { .. })
        ));
    }
}
