//! Posterior Langevin: the predictor–corrector sampler ([`SamplerKind::Langevin`]) run on the
//! guided score s_t + ∇_x log p̃_t(y | x) (module docs of [`super`]). The likelihood gradient is
//! taken at the denoised point through p̃_t; as t → 0 it tends to the exact measurement gradient
//! Aᵀ(y − A x)/η².
//!
//! For an N(μ, I) prior the guided score is exact, so the only biases are the corrector's
//! O(r²) variance inflation and the predictor's discretisation; the mean is exact for
//! Gaussian laws. `tests/posterior.rs` measures the bias elsewhere.

use super::guided::GuidedScore;
use super::{check_problem, PosteriorOutput, PosteriorSampler, PriorScore, Schedule};
use crate::error::Result;
use crate::grid::TimeGrid;
use crate::measurement::LinearMeasurement;
use crate::ou;
use crate::sampler::{self, LangevinConfig, SamplerKind};
use hardiff_dist::Dimension;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// Configuration of [`PosteriorLangevin`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PosteriorLangevinConfig {
    /// The reverse-time grid (default 100 geometric steps from T = 10 to t_min = 1e−3).
    pub schedule: Schedule,
    /// Corrector parameters (default [`LangevinConfig::default`]: K = 1 step at r = 0.1, with
    /// predictor).
    pub langevin: LangevinConfig,
}

impl Default for PosteriorLangevinConfig {
    /// 100 geometric steps, T = 10, t_min = 1e−3, one corrector step per grid time at
    /// signal-to-noise ratio r = 0.1: the unconditional Langevin sampler's defaults
    /// ([`SamplerKind::default_steps`], [`LangevinConfig::default`]).
    fn default() -> Self {
        Self {
            schedule: Schedule::new(100),
            langevin: LangevinConfig::default(),
        }
    }
}

impl PosteriorLangevinConfig {
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

    /// The same configuration with corrector parameters `langevin`.
    pub fn with_langevin(mut self, langevin: LangevinConfig) -> Self {
        self.langevin = langevin;
        self
    }
}

/// Predictor–corrector Langevin posterior sampling (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorLangevin {
    config: PosteriorLangevinConfig,
    grid: TimeGrid,
}

impl PosteriorLangevin {
    /// The sampler. Errors: an invalid grid; r not finite and > 0; neither predictor nor
    /// corrector steps.
    pub fn new(config: PosteriorLangevinConfig) -> Result<Self> {
        let grid = config.schedule.time_grid()?;
        config.langevin.validate()?;
        Ok(Self { config, grid })
    }

    /// Its configuration.
    pub fn config(&self) -> &PosteriorLangevinConfig {
        &self.config
    }
}

impl<P: PriorScore + ?Sized> PosteriorSampler<P> for PosteriorLangevin {
    fn name(&self) -> &'static str {
        "langevin"
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
        let mut x = ou::stationary_sample(rng, n, guided.dim());
        sampler::run(
            &guided,
            SamplerKind::Langevin,
            &self.config.langevin,
            &self.grid,
            x.view_mut(),
            rng,
        )?;
        Ok(PosteriorOutput {
            samples: x,
            stats: guided.stats("langevin", n, self.grid.steps()),
        })
    }
}
