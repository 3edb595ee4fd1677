//! The approximate likelihood ("twist") p̃_t(y | x) = N(y; A D_t(x), η² I + v_t AAᵀ) and the
//! guided score s_t + ∇_x log p̃_t(y | x) shared by SMC, DPS, ΠGDM and posterior Langevin
//! (conventions in the [module docs](super)).
//!
//! Why a file of its own: the four diffusion-based methods evaluate the same quantities (the
//! Tweedie denoiser, the residual, p̃_t and its gradient through J_Dᵀ) and count the same oracle
//! calls; only what they do with them differs.

use super::{check_dim, PosteriorStats, PriorScore};
use crate::error::{Error, Result};
use crate::measurement::LinearMeasurement;
use crate::ou;
use hardiff_dist::{CallCounter, Dimension, Score, ScoreVjp};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The ΠGDM approximate posterior score s^y_t(x) = s_t(x) + ∇_x log p̃_t(y | x) with
/// p̃_t(y | x) = N(y; A D_t(x), η² I + v_t AAᵀ) ([module docs](super)), counting prior score
/// evaluations and VJPs. It is a [`Score`], so any unconditional sampler runs on it.
///
/// The Jacobian of the denoiser is the prior's choice ([`PriorScore`]): exact through its VJP
/// when it has one ([`super::WithVjp`]), α_t I otherwise.
pub struct GuidedScore<'a> {
    score: &'a dyn Score,
    vjp: Option<&'a dyn ScoreVjp>,
    pub(super) measurement: &'a LinearMeasurement,
    pub(super) y: Array1<f64>,
    /// Eigenvalues μ and eigenvectors U (columns) of AAᵀ.
    aat_val: Array1<f64>,
    aat_vec: Array2<f64>,
    score_calls: CallCounter,
    vjp_calls: CallCounter,
}

/// Guidance quantities at one (t, x) batch.
pub(super) struct Twist {
    /// Prior denoiser D_t(x).
    pub(super) denoised: Array2<f64>,
    /// ∇_x log p̃_t(y | x) (empty when the DPS direction was asked for).
    pub(super) grad: Array2<f64>,
    /// log p̃_t(y | x).
    pub(super) log_twist: Array1<f64>,
    /// Residual norms ‖y − A D_t(x)‖.
    pub(super) residual_norm: Array1<f64>,
    /// J_Dᵀ Aᵀ (y − A D_t(x)) (the DPS direction, before its scaling; empty unless asked for).
    pub(super) dps_direction: Array2<f64>,
}

impl<'a> GuidedScore<'a> {
    /// The guided score for `prior` given y = A x + η.
    ///
    /// Errors: the prior's dimension differs from A's columns, or y from A's rows; the
    /// eigendecomposition of AAᵀ fails.
    pub fn new<P: PriorScore + ?Sized>(
        prior: &'a P,
        measurement: &'a LinearMeasurement,
        y: ArrayView1<f64>,
    ) -> Result<Self> {
        let score = prior.as_score();
        check_dim(score.dim(), measurement)?;
        measurement.check_y(&y)?;
        let a = measurement.matrix();
        let (aat_val, aat_vec) = if measurement.measurement_count() == 0 {
            (Array1::zeros(0), Array2::zeros((0, 0)))
        } else {
            hardiff_dist::linalg::symmetric_eigen("A Aᵀ", a.dot(&a.t()).view())?
        };
        Ok(Self {
            score,
            vjp: prior.as_score_vjp(),
            measurement,
            y: y.to_owned(),
            aat_val: aat_val.mapv(|v| v.max(0.0)),
            aat_vec,
            score_calls: CallCounter::new(),
            vjp_calls: CallCounter::new(),
        })
    }

    /// Which Jacobian the guidance applies (the prior's choice).
    pub fn jacobian(&self) -> super::Jacobian {
        if self.vjp.is_some() {
            super::Jacobian::Exact
        } else {
            super::Jacobian::Free
        }
    }

    /// Prior score evaluations so far (one per point).
    pub fn score_evals(&self) -> u64 {
        self.score_calls.get()
    }

    /// VJP evaluations so far (one per point).
    pub fn vjp_evals(&self) -> u64 {
        self.vjp_calls.get()
    }

    /// The stats of a diffusion-based run of `method` with `n` samples over `steps` steps, with
    /// this score's counted oracle calls (the other fields are the method's to fill).
    pub(super) fn stats(&self, method: &str, n: usize, steps: usize) -> PosteriorStats {
        PosteriorStats {
            method: method.into(),
            n,
            steps,
            score_evals: self.score_evals(),
            vjp_evals: self.vjp_evals(),
            ..Default::default()
        }
    }

    pub(super) fn prior_score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        self.score_calls.add(x.nrows() as u64);
        self.score.score(t, x, out)?;
        Ok(())
    }

    /// J_Dᵀ u for each row (exact through the VJP, or α_t u).
    fn jacobian_t(&self, t: f64, x: ArrayView2<f64>, u: Array2<f64>) -> Result<Array2<f64>> {
        match self.vjp {
            Some(v) => {
                self.vjp_calls.add(x.nrows() as u64);
                let mut hu = Array2::zeros(u.raw_dim());
                v.score_vjp(t, x, u.view(), hu.view_mut())?;
                let (et, vt) = (t.exp(), ou::variance(t));
                Ok((u + &(hu * vt)) * et)
            }
            None => Ok(u * ou::alpha(t)),
        }
    }

    /// Guidance at (t, x) given the prior score `s` at (t, x): with `want_dps` the DPS direction
    /// (and `grad` left empty), otherwise ∇_x log p̃ (and `dps_direction` left empty).
    pub(super) fn twist(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        s: ArrayView2<f64>,
        want_dps: bool,
    ) -> Result<Twist> {
        let (et, vt) = (t.exp(), ou::variance(t));
        let mut denoised = &s * vt;
        denoised += &x;
        denoised *= et;
        let a = self.measurement.matrix();
        let eta2 = self.measurement.noise_std().powi(2);
        // R = y − D Aᵀ (rows); in the eigenbasis of AAᵀ, S_t = η² I + v_t AAᵀ is diagonal.
        let mut r = denoised.dot(&a.t());
        r.mapv_inplace(|v| -v);
        r += &self.y;
        let var = self.aat_val.mapv(|mu| eta2 + vt * mu);
        let ru = r.dot(&self.aat_vec);
        let mut w = ru.clone();
        w /= &var;
        let log_det: f64 = var.iter().map(|v| v.ln()).sum();
        let m = self.measurement.measurement_count() as f64;
        let log_twist = (&ru * &w)
            .sum_axis(Axis(1))
            .mapv(|q| -0.5 * (q + log_det + m * LN_2PI));
        // ∇_D log p̃ = Aᵀ S_t⁻¹ R (rows: (S⁻¹R) A); ∇_x = J_Dᵀ of it.
        let grad_d = w.dot(&self.aat_vec.t()).dot(&a);
        let residual_norm = r.outer_iter().map(|row| row.dot(&row).sqrt()).collect();
        // DPS needs only J_Dᵀ Aᵀ r; everything else only J_Dᵀ ∇_D log p̃ (one VJP either way).
        let (grad, dps_direction) = if want_dps {
            (Array2::zeros((0, 0)), self.jacobian_t(t, x, r.dot(&a))?)
        } else {
            (self.jacobian_t(t, x, grad_d)?, Array2::zeros((0, 0)))
        };
        Ok(Twist {
            denoised,
            grad,
            log_twist,
            residual_norm,
            dps_direction,
        })
    }
}

impl Dimension for GuidedScore<'_> {
    fn dim(&self) -> usize {
        self.score.dim()
    }
}

impl Score for GuidedScore<'_> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        hardiff_dist::score::check_shapes(self.dim(), &x, &out)?;
        let to_dist = |e: Error| match e {
            Error::Dist(d) => d,
            other => hardiff_dist::Error::Invalid(other.to_string()),
        };
        self.prior_score(t, x, out.view_mut()).map_err(to_dist)?;
        let tw = self.twist(t, x, out.view(), false).map_err(to_dist)?;
        out += &tw.grad;
        Ok(())
    }
}
