//! ΠGDM (Song et al. 2023): the DDPM-ancestral sampler run on the guided score
//! s_t + ∇_x log p̃_t(y | x) with p̃_t(y | x) = N(y; A D_t(x), η² I + v_t AAᵀ) (module docs of
//! [`super`]).
//!
//! For an N(μ, I) prior with the exact score, p̃_t is the exact p_t(y | x), so the guided score is
//! the exact score of the OU-smoothed posterior and ΠGDM inherits only the ancestral sampler's
//! discretisation error (which leaves its mean exact for Gaussian laws). For other priors the
//! Gaussian assumption Cov[X_0 | X_t] = v_t I is an approximation, whose bias
//! `tests/posterior.rs` measures.

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

/// Configuration of [`Pigdm`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PigdmConfig {
    /// The reverse-time grid (default 200 geometric steps from T = 10 to t_min = 1e−3).
    pub schedule: Schedule,
}

impl Default for PigdmConfig {
    /// 200 geometric steps, T = 10, t_min = 1e−3: the DDPM-ancestral sampler's default
    /// ([`SamplerKind::default_steps`]).
    fn default() -> Self {
        Self {
            schedule: Schedule::new(200),
        }
    }
}

impl PigdmConfig {
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
}

/// ΠGDM posterior sampling (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Pigdm {
    config: PigdmConfig,
    grid: TimeGrid,
}

impl Pigdm {
    /// The sampler. Errors: an invalid grid.
    pub fn new(config: PigdmConfig) -> Result<Self> {
        let grid = config.schedule.time_grid()?;
        Ok(Self { config, grid })
    }

    /// Its configuration.
    pub fn config(&self) -> &PigdmConfig {
        &self.config
    }
}

impl<P: PriorScore + ?Sized> PosteriorSampler<P> for Pigdm {
    fn name(&self) -> &'static str {
        "pigdm"
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
        // The Langevin parameters are unused by the ancestral sampler.
        let unused = LangevinConfig::default();
        sampler::run(
            &guided,
            SamplerKind::DdpmAncestral,
            &unused,
            &self.grid,
            x.view_mut(),
            rng,
        )?;
        Ok(PosteriorOutput {
            samples: x,
            stats: guided.stats("pigdm", n, self.grid.steps()),
        })
    }
}
