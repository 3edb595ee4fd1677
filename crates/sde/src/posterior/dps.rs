//! Diffusion posterior sampling (DPS, Chung et al. 2023, Alg. 1): ancestral steps on the prior
//! score, each followed by the guidance step x_{t'} += 2ζ J_Dᵀ Aᵀ r/‖r‖ with
//! r = y − A D_t(x_t) (the paper's ζ_t ∇‖r‖² with ζ_t = ζ/‖r‖; module docs of [`super`]).
//!
//! DPS is not exact even for Gaussian priors: its step size is a heuristic, and its law depends
//! on ζ. `tests/posterior.rs` measures its bias against exact posteriors.

use super::guided::GuidedScore;
use super::{check_problem, PosteriorOutput, PosteriorSampler, PriorScore, Schedule};
use crate::error::{positive, Error, Result};
use crate::grid::TimeGrid;
use crate::measurement::LinearMeasurement;
use crate::ou::{self, Bridge};
use hardiff_dist::Dimension;
use ndarray::{Array2, ArrayView1, Zip};
use serde::{Deserialize, Serialize};

/// Configuration of [`Dps`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DpsConfig {
    /// The reverse-time grid (default 200 geometric steps from T = 10 to t_min = 1e−3).
    pub schedule: Schedule,
    /// The step scale ζ > 0 (default 0.1).
    pub zeta: f64,
}

impl Default for DpsConfig {
    /// 200 geometric steps, T = 10, t_min = 1e−3, and ζ = 0.1: the best of
    /// ζ ∈ {0.05, 0.1, 0.2, 0.5, 1} on hardiff's GMM test problems (larger ζ makes the normalised
    /// step oscillate across the measured subspace with amplitude ≈ ζ‖A‖).
    fn default() -> Self {
        Self {
            schedule: Schedule::new(200),
            zeta: 0.1,
        }
    }
}

impl DpsConfig {
    /// The same configuration with `steps` grid steps.
    pub fn with_steps(mut self, steps: usize) -> Self {
        self.schedule.steps = steps;
        self
    }

    /// The same configuration with the grid `schedule`.
    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// The same configuration with step scale `zeta`.
    pub fn with_zeta(mut self, zeta: f64) -> Self {
        self.zeta = zeta;
        self
    }
}

/// DPS posterior sampling (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Dps {
    config: DpsConfig,
    grid: TimeGrid,
}

impl Dps {
    /// The sampler. Errors: an invalid grid, ζ not finite and > 0.
    pub fn new(config: DpsConfig) -> Result<Self> {
        let grid = config.schedule.time_grid()?;
        positive("DPS zeta", config.zeta)?;
        Ok(Self { config, grid })
    }

    /// Its configuration.
    pub fn config(&self) -> &DpsConfig {
        &self.config
    }
}

impl<P: PriorScore + ?Sized> PosteriorSampler<P> for Dps {
    fn name(&self) -> &'static str {
        "dps"
    }

    fn sample(
        &self,
        prior: &P,
        measurement: &LinearMeasurement,
        y: ArrayView1<f64>,
        n: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Result<PosteriorOutput> {
        check_problem(prior.as_score().dim(), measurement, &y, n)?;
        let guided = GuidedScore::new(prior, measurement, y)?;
        let zeta = self.config.zeta;
        let grid = &self.grid;
        let d = guided.dim();
        let mut x = ou::stationary_sample(rng, n, d);
        let mut s = Array2::zeros((n, d));
        let mut noise = Array2::zeros((n, d));
        for (i, (t, tn)) in grid.intervals().enumerate() {
            guided.prior_score(t, x.view(), s.view_mut())?;
            let tw = guided.twist(t, x.view(), s.view(), true)?;
            let bridge = Bridge::new(t, tn)?;
            ou::fill_normal(rng, noise.view_mut());
            let sd = bridge.var.sqrt();
            Zip::from(&mut x)
                .and(&tw.denoised)
                .and(&noise)
                .for_each(|x, &x0, &z| *x = bridge.c_x0 * x0 + bridge.c_xt * *x + sd * z);
            for ((mut row, dir), &rn) in x
                .outer_iter_mut()
                .zip(tw.dps_direction.outer_iter())
                .zip(tw.residual_norm.iter())
            {
                if rn > 0.0 {
                    row.scaled_add(2.0 * zeta / rn, &dir);
                }
            }
            if x.iter().any(|v| !v.is_finite()) {
                return Err(Error::Diverged {
                    sampler: "dps",
                    step: i,
                    t: tn,
                });
            }
        }
        Ok(PosteriorOutput {
            samples: x,
            stats: guided.stats("dps", n, grid.steps()),
        })
    }
}
